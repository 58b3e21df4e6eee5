"""Direct Debit collections benchmark: a Bacs day's submission and ledger payments beside the limit of the same work.

Issue 10 names this `bench/collections.py`; a script of that name in bench/ would be imported as the standard library's
``collections`` by every other benchmark here (Python puts the script's folder first on the path), so it is named for
what it collects.

Sets up --accounts accounts (default 2,000), bulk-created, each with a Direct Debit mandate whose account number is
sealed for real (``arrangements.seal_account_number``): one in a hundred PENDING (a 0N to lodge), one in a hundred
cancelled by the customer (a 0C to send), the rest LIVE with a SCHEDULED collection due on the day (one in a hundred
left over from the Bacs day before, so it is moved to the day; one in ten a first collection, code 01) and next
month's. Then, in the same run:

1. the limit: the same selection in raw SQL (one SELECT joining collections and mandates, and the mandates to lodge
   and to cancel), the same unsealing (the Fernet keys opened once) and the same Standard 18 bytes from the same
   writer, the same rows inserted and updated raw, the same file and manifest written (fsync, rename); then the
   collected ones read raw and their ledger payments, audit events and statuses written raw. Raw writing is the
   fastest plain way each database offers: executemany on SQLite; on PostgreSQL, COPY for the inserts and one
   UPDATE joined to arrays of the values for the updates (executemany there runs a statement per row, parsed and
   planned each time: several times slower). One transaction, rolled back;
2. Hearth: ``submissions.make_submission(processing_date=…)`` (the rows, the file and its manifest), then
   ``collections.post_collected(day=<the collection day>)`` (the ledger payments), each timed with its SQL statements
   counted.

The two must agree: the same file bytes, the same collection statuses, as many ledger payments with the same total.
Prints readable lines, then one JSON line with each part's seconds, the ratio Hearth / limit for each part and in
total (aim: within 2x), the peak memory of each stage and the machine's load (it is shared: ratios, not seconds, are
what compare).

    .venv/bin/python bench/direct_debit_collections.py                          # 2,000 accounts, SQLite
    createdb -h 127.0.0.1 -U postgres hearth_bench_collections
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hearth_bench_collections \\
        .venv/bin/python bench/direct_debit_collections.py --accounts 100000

DATABASE_URL defaults to a temporary SQLite file; the benchmark empties its database, so it refuses a database whose
name does not contain "bench". DEBUG is off, as in production (HEARTH_DEBUG=0 unless set).
"""

import argparse
import hashlib
import json
import os
import random
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import support

PROCESSING_DAY = date(2026, 11, 2)
"""A Monday: the Bacs input day of the submission (its collections are taken on Wednesday 4 November)."""
OVERDUE_DAY = date(2026, 11, 3)
"""A collection day whose latest input day (Friday 30 October) has gone: such a collection moves to the day."""
NEXT_MONTH = date(2026, 12, 4)
LODGED_DAY, LIVE_DAY = date(2026, 9, 28), date(2026, 10, 1)
OPENED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
SUBMITTED_AT = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
ACCOUNT_BASE = 7_000_000_000
BATCH = 5000
TARGET_RATIO = 2.0
PENDING, CANCELLED, LIVE = "pending", "cancelled", "live"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=2000, help="accounts paying by Direct Debit (default 2,000)")
    parser.add_argument("--seed", type=int, default=20261102)
    arguments = parser.parse_args()
    if arguments.accounts < 100:
        parser.error("--accounts must be 100 or more (one in a hundred is pending, one cancelled)")
    return arguments


def _kind(index: int) -> str:
    return PENDING if index % 100 == 0 else CANCELLED if index % 100 == 1 else LIVE


# --- The accounts ------------------------------------------------------------------------------------------------


def _set_up(count: int, rng: random.Random) -> dict[str, int]:
    """Customers, properties, accounts, mandates (sealed for real) and collections, bulk-created."""
    from hearth.common.bacs import calendar as bacs_calendar
    from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Property
    from hearth.data.payments.models import Collection, Mandate
    from hearth.domain.payments import arrangements

    collection_day = bacs_calendar.collection_date_for(PROCESSING_DAY)
    customers = Customer.objects.bulk_create(
        [Customer(kind=Customer.Kind.PERSON, name=f"Bench Payer {index}", created_at=OPENED) for index in range(count)],
        batch_size=BATCH,
    )
    homes = Property.objects.bulk_create(
        [
            Property(address_line_1=f"{index + 1} Bench Row", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND)
            for index in range(count)
        ],
        batch_size=BATCH,
    )
    accounts = Account.objects.bulk_create(
        [
            Account(
                number=f"{ACCOUNT_BASE + index}",
                customer=customer,
                fuel=Fuel.ELECTRICITY,
                billing_property=home,
                opened_at=OPENED,
            )
            for index, (customer, home) in enumerate(zip(customers, homes, strict=True))
        ],
        batch_size=BATCH,
    )

    def mandate(index: int, account: Any) -> Any:
        kind = _kind(index)
        number = f"{rng.randrange(10**8):08d}"
        lodged = kind != PENDING
        return Mandate(
            account=account,
            reference=f"HRTH{account.number}-1",
            holder_name=f"BENCH PAYER {index}"[:18],
            sort_code=f"{rng.randrange(10**6):06d}",
            account_number_sealed=arrangements.seal_account_number(number),
            account_number_last2=number[-2:],
            status=Mandate.Status(kind.upper()),
            created_at=OPENED,
            lodged_date=LODGED_DAY if lodged else None,
            live_date=LIVE_DAY if lodged else None,
            ended_at=SUBMITTED_AT if kind == CANCELLED else None,
            end_reason="Cancelled by the customer" if kind == CANCELLED else "",
        )

    mandates = Mandate.objects.bulk_create(
        [mandate(index, account) for index, account in enumerate(accounts)], batch_size=BATCH
    )

    def collections() -> Iterator[Any]:
        for index, (account, payer) in enumerate(zip(accounts, mandates, strict=True)):
            kind = _kind(index)
            if kind == PENDING:
                continue
            amount = Decimal(rng.randrange(2000, 25000)) / 100
            first = "01" if index % 10 == 3 else "17"
            due = OVERDUE_DAY if index % 100 == 2 else collection_day
            common = {"account": account, "mandate": payer, "purpose": Collection.Purpose.MONTHLY, "amount": amount}
            if kind == CANCELLED:
                yield Collection(
                    **common,
                    transaction_code=first,
                    collection_date=due,
                    status=Collection.Status.CANCELLED,
                    scheduled_at=OPENED,
                    outcome="Direct Debit cancelled: Cancelled by the customer",
                )
                continue
            yield Collection(**common, transaction_code=first, collection_date=due, scheduled_at=OPENED)
            yield Collection(**common, transaction_code="17", collection_date=NEXT_MONTH, scheduled_at=OPENED)

    Collection.objects.bulk_create(collections(), batch_size=BATCH)
    kinds = [_kind(index) for index in range(count)]
    return {
        "live": kinds.count(LIVE),
        "pending": kinds.count(PENDING),
        "cancelled": kinds.count(CANCELLED),
        "overdue": sum(1 for index in range(count) if index % 100 == 2),
        "first_collections": sum(1 for index in range(count) if index % 10 == 3 and kinds[index] == LIVE),
    }


def _analyze() -> None:
    """Fresh planner statistics after the bulk load, as a production database would have."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _vacuum() -> None:
    """PostgreSQL: clear the dead rows the rolled-back limit left, so Hearth starts on clean tables."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in _tables().values():
            cursor.execute(f"VACUUM ANALYZE {table}")


def _tables() -> dict[str, str]:
    from hearth.data.accounts.models import Account
    from hearth.data.audit.models import AuditEvent
    from hearth.data.billing.models import LedgerEntry
    from hearth.data.payments.models import BacsSubmission, Collection, Mandate, SubmissionRecord

    models = {
        "account": Account,
        "audit": AuditEvent,
        "ledger": LedgerEntry,
        "submission": BacsSubmission,
        "collection": Collection,
        "mandate": Mandate,
        "record": SubmissionRecord,
    }
    return {name: model._meta.db_table for name, model in models.items()}


# --- The limit: the same selection raw, the same bytes from the same writer, the same rows written raw -----------


def _decimal(value: Any) -> Decimal:
    """A stored amount as Decimal (SQLite hands numeric columns back as float or int)."""
    return Decimal(value if isinstance(value, Decimal) else str(value)).quantize(Decimal("0.01"))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _write_file(path: Path, data: bytes) -> None:
    """As Hearth writes its files: a temporary name, flushed to the disk, renamed into place."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _new_ids(cursor: Any, vendor: str, table: str, count: int) -> list[int]:
    """``count`` ids for new rows of ``table``: from its sequence, or after the largest (SQLite's write lock holds)."""
    if vendor == "postgresql":
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [row[0] for row in cursor.fetchall()]
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
    last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


def _insert(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` the fastest plain way the database takes them: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)  # noqa: S608


def _update(cursor: Any, table: str, columns: dict[str, str], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``columns`` (name: PostgreSQL type) of each row by id (each row: the id, then the values).

    PostgreSQL: one UPDATE joined to the values sent as arrays (executemany there waits for each row, and a statement
    per row is parsed and planned each time); SQLite: executemany, its fastest.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        typed = {"id": "bigint", **columns}
        arrays = [list(values) for values in zip(*rows, strict=True)] if rows else [[] for _ in typed]
        given = ", ".join(f"unnest(%s::{kind}[]) AS {name}" for name, kind in typed.items())
        assigned = ", ".join(f"{name} = given.{name}" for name in columns)
        cursor.execute(
            f"UPDATE {table} SET {assigned} FROM (SELECT {given}) AS given WHERE {table}.id = given.id",  # noqa: S608
            arrays,
        )
        return
    assigned = ", ".join(f"{name} = %s" for name in columns)
    cursor.executemany(f"UPDATE {table} SET {assigned} WHERE id = %s", [(*row[1:], row[0]) for row in rows])  # noqa: S608


@dataclass
class _Result:
    """A path's figures and what it produced: the file, the collections by status, the ledger payments."""

    figures: dict[str, Any]
    data: bytes
    statuses: dict[str, int]
    payments: int
    payments_total: Decimal


def _limit_submission(cursor: Any, folder: Path, collection_day: date) -> tuple[dict[str, float], bytes]:
    from cryptography.fernet import Fernet, MultiFernet
    from django.conf import settings
    from django.db import connection

    from hearth.common.bacs import calendar as bacs_calendar
    from hearth.common.bacs import standard18

    t, ops = _tables(), connection.ops
    started = time.perf_counter()
    mandate_columns = "m.id, m.sort_code, m.account_number_sealed, m.holder_name, m.reference"
    cursor.execute(f"SELECT {mandate_columns} FROM {t['mandate']} m WHERE m.status = 'PENDING' ORDER BY m.id")  # noqa: S608
    pending = cursor.fetchall()
    cursor.execute(
        f"SELECT {mandate_columns} FROM {t['mandate']} m WHERE m.status = 'CANCELLED' AND NOT m.ended_by_bank "  # noqa: S608
        f"AND m.lodged_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {t['record']} r "
        "WHERE r.mandate_id = m.id AND r.transaction_code = '0C') ORDER BY m.id"
    )
    cancelled = cursor.fetchall()
    cursor.execute(
        f"SELECT {mandate_columns}, c.id, c.transaction_code, c.amount, c.collection_date "  # noqa: S608
        f"FROM {t['collection']} c JOIN {t['mandate']} m ON m.id = c.mandate_id "
        "WHERE c.status = 'SCHEDULED' AND c.collection_date <= %s AND m.status IN ('LODGED', 'LIVE') "
        "AND m.live_date <= %s ORDER BY c.id",
        [collection_day, collection_day],
    )
    due = cursor.fetchall()
    read_s = time.perf_counter() - started

    started = time.perf_counter()
    opener = MultiFernet([Fernet(key.encode()) for key in settings.HEARTH_BANK_DETAILS_KEYS])

    def instruction(row: Sequence[Any], code: str, amount: Decimal) -> standard18.Instruction:
        return standard18.Instruction(
            destination_sort_code=row[1],
            destination_account_number=opener.decrypt(row[2].encode()).decode(),
            destination_name=row[3],
            transaction_code=code,
            amount_pence=int(amount * 100),
            reference=row[4],
        )

    zero = Decimal("0.00")
    records = [(row, "0N", zero, None) for row in pending] + [(row, "0C", zero, None) for row in cancelled]
    records += [(row, row[6], _decimal(row[7]), row[5]) for row in due]
    bacs = settings.HEARTH_BACS
    data = standard18.write_submission(
        service_user_number=bacs["service_user_number"],
        service_user_name=bacs["service_user_name"],
        originating_sort_code=bacs["sort_code"],
        originating_account_number=bacs["account_number"],
        processing_date=bacs_calendar.add_processing_days(PROCESSING_DAY, 1),  # the UHL1 label: Bacs day 2
        file_serial=f"{PROCESSING_DAY:%y%m%d}",
        instructions=[instruction(row, code, amount) for row, code, amount, _ in records],
    )
    render_s = time.perf_counter() - started

    started = time.perf_counter()
    debits = [amount for _, code, amount, collection in records if collection is not None]
    file_name = f"bacs-{PROCESSING_DAY:%Y%m%d}.std18"
    sha256 = hashlib.sha256(data).hexdigest()
    cursor.execute(
        f"INSERT INTO {t['submission']} (processing_date, serial, file_name, sha256, size_bytes, debit_count, "  # noqa: S608
        "debit_total, mandate_record_count, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        [
            PROCESSING_DAY,
            f"{PROCESSING_DAY:%y%m%d}",
            file_name,
            sha256,
            len(data),
            len(debits),
            sum(debits, zero),
            len(pending) + len(cancelled),
            ops.adapt_datetimefield_value(SUBMITTED_AT),
        ],
    )
    submission_id = cursor.fetchone()[0]
    _insert(
        cursor,
        t["record"],
        ("submission_id", "mandate_id", "collection_id", "transaction_code", "amount"),
        [(submission_id, row[0], collection, code, amount) for row, code, amount, collection in records],
    )
    live_date = bacs_calendar.collection_date_for(bacs_calendar.add_processing_days(PROCESSING_DAY, 1))
    _update(
        cursor,
        t["mandate"],
        {"status": "text", "lodged_date": "date", "live_date": "date"},
        [(row[0], "LODGED", PROCESSING_DAY, live_date) for row in pending],
    )
    _update(
        cursor,
        t["collection"],
        {"status": "text", "submission_id": "bigint", "collection_date": "date"},
        [(row[5], "SUBMITTED", submission_id, max(_date(row[8]), collection_day)) for row in due],
    )
    after = {
        "by": "bench",
        "debits": len(debits),
        "debit_total": str(sum(debits, zero)),
        "mandate_records": len(pending) + len(cancelled),
        "sha256": sha256,
    }
    _insert_audit(cursor, [(None, "payments.bacs_submission_made", file_name, after, SUBMITTED_AT)])
    rows_s = time.perf_counter() - started

    started = time.perf_counter()
    _write_file(folder / file_name, data)
    manifest = {
        "file": file_name,
        "processing_date": PROCESSING_DAY.isoformat(),
        "serial": f"{PROCESSING_DAY:%y%m%d}",
        "debits": len(debits),
        "debit_total": str(sum(debits, zero)),
        "mandate_records": len(pending) + len(cancelled),
        "sha256": sha256,
        "bytes": len(data),
    }
    _write_file(folder / f"bacs-{PROCESSING_DAY:%Y%m%d}.manifest.json", json.dumps(manifest, indent=2).encode() + b"\n")
    file_s = time.perf_counter() - started
    figures = {"read_s": read_s, "unseal_and_write_s": render_s, "rows_s": rows_s, "file_s": file_s}
    return figures, data


def _insert_audit(cursor: Any, events: Sequence[tuple[int | None, str, str, dict[str, Any], datetime]]) -> None:
    """System audit events (customer id, action, subject, after, at), as ``audit.record`` writes them."""
    from django.db import connection

    _insert(
        cursor,
        _tables()["audit"],
        ("actor_id", "actor_label", "action", "customer_id", "subject", "before", "after", "at"),
        [
            (
                None,
                "system",
                action,
                customer,
                subject,
                "{}",
                json.dumps(after),
                connection.ops.adapt_datetimefield_value(at),
            )
            for customer, action, subject, after, at in events
        ],
    )


def _limit_collected(cursor: Any, vendor: str, collection_day: date, now: datetime) -> tuple[dict[str, float], int]:
    from django.db import connection

    t = _tables()
    started = time.perf_counter()
    cursor.execute(
        f"SELECT c.id, c.account_id, c.amount, m.reference, a.number, a.customer_id FROM {t['collection']} c "  # noqa: S608
        f"JOIN {t['mandate']} m ON m.id = c.mandate_id JOIN {t['account']} a ON a.id = c.account_id "
        "WHERE c.status = 'SUBMITTED' AND c.collection_date <= %s ORDER BY c.collection_date, c.id",
        [collection_day],
    )
    due = cursor.fetchall()
    read_s = time.perf_counter() - started

    started = time.perf_counter()
    reason = "Direct Debit collected"
    posted_at = connection.ops.adapt_datetimefield_value(now)
    ids = _new_ids(cursor, vendor, t["ledger"], len(due))
    _insert(
        cursor,
        t["ledger"],
        ("id", "account_id", "kind", "amount", "posted_at", "description", "reason", "external_reference"),
        [
            (entry, row[1], "PAYMENT", -_decimal(row[2]), posted_at, f"Payment received ({row[3]})", reason, row[3])
            for entry, row in zip(ids, due, strict=True)
        ],
    )
    _insert_audit(
        cursor,
        [
            (
                row[5],
                "billing.payment_recorded",
                f"account {row[4]}",
                {"amount": str(_decimal(row[2])), "reason": reason, "reference": row[3]},
                now,
            )
            for row in due
        ],
    )
    _update(
        cursor,
        t["collection"],
        {"status": "text", "payment_id": "bigint"},
        [(row[0], "COLLECTED", entry) for entry, row in zip(ids, due, strict=True)],
    )
    write_s = time.perf_counter() - started
    return {"read_s": read_s, "write_s": write_s}, len(due)


def _outcome(cursor: Any) -> tuple[dict[str, int], int, Decimal]:
    """Collections by status, and the ledger payments' count and total: what Hearth and the limit must agree on."""
    t = _tables()
    cursor.execute(f"SELECT status, COUNT(*) FROM {t['collection']} GROUP BY status")  # noqa: S608
    statuses = dict(sorted(cursor.fetchall()))
    cursor.execute(f"SELECT amount FROM {t['ledger']} WHERE kind = 'PAYMENT'")  # noqa: S608
    amounts = [_decimal(row[0]) for row in cursor.fetchall()]
    return statuses, len(amounts), -sum(amounts, Decimal("0.00"))


def _limit(folder: Path, collection_day: date, collected_at: datetime) -> _Result:
    """Both parts in one transaction, rolled back (foreign keys checked as the commit would)."""
    from django.db import connection, transaction

    folder.mkdir(parents=True, exist_ok=True)
    with transaction.atomic(), connection.cursor() as cursor:
        submission, data = _limit_submission(cursor, folder, collection_day)
        collected, _ = _limit_collected(cursor, connection.vendor, collection_day, collected_at)
        started = time.perf_counter()
        t = _tables()
        connection.check_constraints(table_names=[t["record"], t["collection"], t["ledger"], t["audit"]])
        check_s = time.perf_counter() - started
        statuses, payments, total = _outcome(cursor)
        transaction.set_rollback(True)
    submission_s = sum(submission.values())
    collected_s = sum(collected.values())
    figures = {
        "submission_s": round(submission_s, 3),
        "collected_s": round(collected_s, 3),
        "seconds": round(submission_s + collected_s, 3),
        "submission_parts_s": {name: round(value, 3) for name, value in submission.items()},
        "collected_parts_s": {name: round(value, 3) for name, value in collected.items()},
        "foreign_key_check_s_not_counted": round(check_s, 3),
    }
    return _Result(figures, data, statuses, payments, total)


# --- Hearth ------------------------------------------------------------------------------------------------------


def _hearth(collection_day: date, collected_at: datetime) -> _Result:
    from django.db import connection

    from hearth.domain.payments import collections, submissions

    counter = support.QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        made = submissions.make_submission(processing_date=PROCESSING_DAY, now=SUBMITTED_AT, started_by="bench")
        submission_s = time.perf_counter() - started
        submission_queries = counter.count
        started = time.perf_counter()
        collected = collections.post_collected(day=collection_day, now=collected_at)
        collected_s = time.perf_counter() - started
    if made is None:
        raise SystemExit("Hearth made no submission: there was nothing to send")
    with connection.cursor() as cursor:
        statuses, payments, total = _outcome(cursor)
    figures = {
        "submission_s": round(submission_s, 3),
        "collected_s": round(collected_s, 3),
        "seconds": round(submission_s + collected_s, 3),
        "collections_per_s": round(len(collected) / (submission_s + collected_s), 1),
        "queries": {"submission": submission_queries, "collected": counter.count - submission_queries},
    }
    return _Result(figures, made.path.read_bytes(), statuses, payments, total)


def _cross_check(hearth: _Result, limit: _Result) -> dict[str, Any]:
    check = {
        "same_file_bytes": hearth.data == limit.data,
        "file_bytes": len(hearth.data),
        "same_statuses": hearth.statuses == limit.statuses,
        "statuses": hearth.statuses,
        "payments": {"hearth": hearth.payments, "limit": limit.payments},
        "payments_total": {"hearth": str(hearth.payments_total), "limit": str(limit.payments_total)},
    }
    check["agree"] = (
        check["same_file_bytes"]
        and check["same_statuses"]
        and hearth.payments == limit.payments
        and hearth.payments_total == limit.payments_total
    )
    return check


def _readable(result: dict[str, Any]) -> Iterator[str]:
    hearth, limit, ratio = result["hearth"], result["limit"], result["ratio"]
    yield (
        f"{result['accounts']:,} accounts on {result['database']} ({result['mix']}), set up in "
        f"{result['setup_seconds']} s; load average {result['load_average']['before']}"
    )
    yield (
        f"Hearth: submission {hearth['submission_s']} s + collected {hearth['collected_s']} s = {hearth['seconds']} s "
        f"({hearth['collections_per_s']:,} collections/s; SQL statements {hearth['queries']})"
    )
    yield (
        f"limit: submission {limit['submission_s']} s {limit['submission_parts_s']} + collected "
        f"{limit['collected_s']} s {limit['collected_parts_s']} = {limit['seconds']} s"
    )
    yield (
        f"ratio Hearth / limit: submission {ratio['submission']}, collected {ratio['collected']}, total "
        f"{ratio['total']} (aim <= {TARGET_RATIO})"
    )
    yield f"cross-check: {result['cross_check']}"
    yield f"memory (MB): {result['memory']}; load average after {result['load_average']['after']}"


def main() -> None:
    arguments = _arguments()
    rng = random.Random(arguments.seed)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as scratch:
        support.set_up_django(
            Path(scratch),
            script="direct_debit_collections.py",
            environment={"HEARTH_DEBUG": "0", "HEARTH_BACS_FOLDER": str(Path(scratch) / "bacs")},
        )
        from django.db import connection

        from hearth.common.bacs import calendar as bacs_calendar
        from hearth.common.calendar import day_starts_at

        load_before = os.getloadavg()
        collection_day = bacs_calendar.collection_date_for(PROCESSING_DAY)
        collected_at = day_starts_at(collection_day)
        started = time.perf_counter()
        mix = _set_up(arguments.accounts, rng)
        _analyze()
        setup_seconds = time.perf_counter() - started
        limit, limit_memory = support.stage_memory(
            lambda: _limit(Path(scratch) / "limit", collection_day, collected_at)
        )
        _vacuum()
        hearth, hearth_memory = support.stage_memory(lambda: _hearth(collection_day, collected_at))
        h, lim = hearth.figures, limit.figures
        result = {
            "benchmark": "direct_debit_collections",
            "database": connection.vendor,
            "accounts": arguments.accounts,
            "mix": mix,
            "setup_seconds": round(setup_seconds, 1),
            "hearth": h,
            "limit": lim,
            "ratio": {
                part: round(h[key] / lim[key], 2)
                for part, key in (("submission", "submission_s"), ("collected", "collected_s"), ("total", "seconds"))
            },
            "target_ratio": TARGET_RATIO,
            "cross_check": _cross_check(hearth, limit),
            "memory": {
                "limit": limit_memory,
                "hearth": hearth_memory,
                "process_max_rss_mb": support.process_max_rss_mb(),
            },
            "load_average": {
                "before": [round(value, 2) for value in load_before],
                "after": [round(value, 2) for value in os.getloadavg()],
            },
        }
        for line in _readable(result):
            print(line)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
