# Every SQL statement here is built from constants of this file; values are passed as parameters.
# ruff: noqa: S608
"""Contract daily jobs benchmark: what each contract job selects, written with the ORM, beside the same raw SQL.

Issue 11's daily jobs (ADR 0012, 0013) each start by selecting the contracts, moves or registrations that need them
today. With 1,000,000 contracts those selections are what could grow slow, so this times each one written with the
Django ORM as the jobs write it against the same selection as raw SQL on a plain cursor, in the same run, and prints
the ratio (aim: within 3x):

- ``renewal_statements``: LIVE fixed contracts whose fixed prices end 42 to 49 days from today (the Statement of
  Renewal's window, T&C 4.2.2) with no Statement of Renewal yet;
- ``rollovers``: LIVE fixed contracts past their fixed prices' last day with no contract waiting to replace them;
- ``starts_due``: PENDING contracts whose start day has come: a renewal whose previous contract's fixed prices have
  ended, or a switch to us whose registration's start day has come;
- ``home_moves_due``: home moves still RECORDED whose end date has come (T&C 13);
- ``slow_switches``: switches to us still open 21 days after they were asked for (T&C 5.3).

The accounts, supply points, supplies, contracts, agreements, registrations, home moves, notices and their documents
are inserted by ``INSERT … SELECT`` from a numbers table (a recursive CTE on SQLite, ``generate_series`` on
PostgreSQL), so a million rows take seconds, not the ORM's minutes. Of every 20 contracts, 16 are LIVE fixed (their
fixed prices ending from 30 days ago to a year ahead), 2 LIVE variable, 1 ENDED and 1 PENDING with a switch to us;
one live fixed contract in 40 has a renewal waiting, one in 50 a home move, half of those in the renewal window a
statement already.

    .venv/bin/python bench/daily_jobs.py --scale 20000             # SQLite, a quick run
    .venv/bin/python bench/daily_jobs.py                           # SQLite, 1,000,000 contracts
    createdb -h 127.0.0.1 -U postgres hearth_bench_jobs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hearth_bench_jobs .venv/bin/python bench/daily_jobs.py

DATABASE_URL defaults to a temporary SQLite file; the benchmark empties its database, so it refuses a database whose
name does not contain "bench". Prints readable lines, then one JSON line.
"""

import argparse
import importlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as day_time
from decimal import Decimal
from pathlib import Path
from typing import Any

import support

TODAY = date(2026, 11, 2)
TARGET_RATIO = 3.0
REPEATS = 5


def _arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="contracts (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="timings of each selection (median kept)")
    arguments = parser.parse_args(argv)
    if arguments.scale < 1000:
        parser.error("--scale must be 1000 or more")
    return arguments


# --- The rows ----------------------------------------------------------------------------------------------------


class Dialect:
    """The few pieces of SQL that differ: a numbers table, a day or a UTC time ``offset`` days from a base."""

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def numbers(self, count: int) -> str:
        if self.postgres:
            return f"CREATE TEMP TABLE bench_n AS SELECT generate_series(1, {count}) AS n"
        return (
            "CREATE TEMP TABLE bench_n AS WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s"
            f" WHERE n < {count}) SELECT n FROM s"
        )

    def day(self, base: date, offset: str) -> str:
        if self.postgres:
            return f"(DATE '{base.isoformat()}' + ({offset}))"
        return f"date('{base.isoformat()}', ({offset}) || ' days')"

    def at(self, base: date, offset: str) -> str:
        if self.postgres:
            return f"(TIMESTAMPTZ '{base.isoformat()} 00:00:00+00' + ({offset}) * INTERVAL '1 day')"
        return f"datetime('{base.isoformat()} 00:00:00', ({offset}) || ' days')"

    def identifier(self, number: str) -> str:
        return f"lpad(({number})::text, 13, '0')" if self.postgres else f"printf('%013d', {number})"

    def text(self, number: str) -> str:
        return f"({number})::text" if self.postgres else f"CAST({number} AS TEXT)"


# n % 20: 0-15 live fixed, 16-17 live variable, 18 ended, 19 pending with a switch to us.
KIND = "CASE WHEN n % 20 < 16 THEN 'F' WHEN n % 20 < 18 THEN 'V' WHEN n % 20 = 18 THEN 'E' ELSE 'P' END"
FIXED_END = "(((n % 400) * 7919) % 400 - 30)"
"""Days from today to a fixed contract's last fixed day: from 30 days ago to 369 days ahead, spread by a prime."""


def _insert_rows(count: int, d: Dialect) -> dict[str, int]:
    """The tables, filled by INSERT … SELECT; ids are the row numbers."""
    from django.apps import apps as django_apps
    from django.db import connection

    from hearth.data.accounts.models import Customer, Fuel, Nation, Property
    from hearth.data.documents.models import DocumentType
    from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
    from hearth.domain.tariffs import operations as tariff_ops

    opened = datetime.combine(date(2024, 1, 1), day_time(0)).astimezone()
    customer = Customer.objects.create(kind=Customer.Kind.PERSON, name="Bench Household", created_at=opened)
    home = Property.objects.create(
        address_line_1="1 Bench Row", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    tariffs = {}
    for kind in (Product.Kind.FIXED, Product.Kind.VARIABLE):
        product = tariff_ops.create_product(
            code=f"BENCH-{kind}",
            full_name=f"Bench {kind}",
            display_name=f"Bench {kind}",
            description="Benchmark",
            kind=kind,
            available_from=opened,
            term_months=12 if kind == Product.Kind.FIXED else None,
            payment_methods=(PaymentMethod.DIRECT_DEBIT,),
        )
        tariffs[kind] = tariff_ops.create_tariff(
            product=product,
            fuel=Fuel.ELECTRICITY,
            region="C",
            structure=Tariff.Structure.SINGLE_RATE,
            payment_method=PaymentMethod.DIRECT_DEBIT,
            standing_charge_exc_vat=Decimal(50),
            unit_rates_exc_vat={UnitRate.STANDARD: Decimal(25)},
            valid_from=opened,
        )
    fixed, variable = tariffs[Product.Kind.FIXED], tariffs[Product.Kind.VARIABLE]
    if not DocumentType.objects.filter(code="RENEWAL_STATEMENT").exists():  # emptied with the database
        migration = "hearth.data.contracts.migrations.0002_seed_contract_document_types_and_record_existing_contracts"
        importlib.import_module(migration).seed_types(django_apps, None)
    statement_type = DocumentType.objects.get(code="RENEWAL_STATEMENT").pk
    start = f"CASE {KIND} WHEN 'F' THEN {FIXED_END} - 364 WHEN 'E' THEN -(n % 300) - 400 ELSE -(n % 700) - 30 END"
    today = TODAY
    statements = [
        f"INSERT INTO accounts_account (id, number, customer_id, fuel, billing_property_id, status, opened_at)"
        f" SELECT n, 'B' || {d.text('n')}, {customer.pk}, 'ELECTRICITY', {home.pk},"
        f" CASE WHEN {KIND} = 'E' THEN 'CLOSED' ELSE 'ACTIVE' END, {d.at(today, '-800')} FROM bench_n",
        f"INSERT INTO accounts_supplypoint (id, fuel, identifier, profile_class, supply_property_id)"
        f" SELECT n, 'ELECTRICITY', {d.identifier('n')}, '01', {home.pk} FROM bench_n",
        f"INSERT INTO accounts_supply (account_id, supply_point_id, valid_from, valid_to)"
        f" SELECT n, n, {d.day(today, start)}, CASE WHEN {KIND} = 'E' THEN {d.day(today, '-(n % 300) - 1')} END"
        f" FROM bench_n WHERE {KIND} <> 'P'",
        "INSERT INTO contracts_contract (id, account_id, product_id, payment_method, state, origin, channel,"
        " commencement_date, cooling_off_end_date, supply_start_date, fixed_term_end_date, end_date, end_reason,"
        " exit_fee, exit_fee_waiver, previous_id, credit_check, supply_requested_early, created_at, updated_at)"
        f" SELECT n, n, CASE WHEN {KIND} = 'V' THEN {variable.product_id} ELSE {fixed.product_id} END,"
        " 'STANDARD_DIRECT_DEBIT',"
        f" CASE {KIND} WHEN 'E' THEN 'ENDED' WHEN 'P' THEN 'PENDING' ELSE 'LIVE' END, 'SIGN_UP', 'WEB',"
        f" {d.day(today, f'({start}) - 20')}, {d.day(today, f'({start}) - 6')},"
        f" CASE WHEN {KIND} <> 'P' THEN {d.day(today, start)} END,"
        f" CASE WHEN {KIND} IN ('F', 'E') THEN {d.day(today, FIXED_END)} END,"
        f" CASE WHEN {KIND} = 'E' THEN {d.day(today, '-(n % 300) - 1')} END,"
        f" CASE WHEN {KIND} = 'E' THEN 'SWITCHED_AWAY' ELSE '' END, 0, '', NULL, '', FALSE,"
        f" {d.at(today, f'({start}) - 20')}, {d.at(today, f'({start}) - 20')} FROM bench_n",
        # Agreements: every supplied point on its contract's tariff, closed where the contract ended.
        "INSERT INTO tariffs_agreement (supply_point_id, tariff_id, valid_from, valid_to)"
        f" SELECT n, CASE WHEN {KIND} = 'V' THEN {variable.pk} ELSE {fixed.pk} END, {d.at(today, start)},"
        f" CASE WHEN {KIND} = 'E' THEN {d.at(today, '-(n % 300) - 1')} END FROM bench_n WHERE {KIND} <> 'P'",
        # A renewal waiting for one live fixed contract in 40.
        "INSERT INTO contracts_contract (id, account_id, product_id, payment_method, state, origin, channel,"
        " commencement_date, cooling_off_end_date, supply_start_date, fixed_term_end_date, end_date, end_reason,"
        " exit_fee, exit_fee_waiver, previous_id, credit_check, supply_requested_early, created_at, updated_at)"
        f" SELECT {count} + n, n, {fixed.product_id}, 'STANDARD_DIRECT_DEBIT', 'PENDING', 'RENEWAL', 'WEB',"
        f" {d.day(today, f'{FIXED_END} - 40')}, {d.day(today, f'{FIXED_END} - 26')}, NULL, NULL, NULL, '', 0, '', n,"
        f" '', FALSE, {d.at(today, f'{FIXED_END} - 40')}, {d.at(today, f'{FIXED_END} - 40')}"
        f" FROM bench_n WHERE {KIND} = 'F' AND n % 40 = 0",
        # A switch to us for every pending sign-up: a third still REQUESTED, the rest accepted with a start day.
        "INSERT INTO contracts_registration (contract_id, supply_point_id, direction, state, reference,"
        " other_supplier, requested_at, requested_start_date, start_date, objection, objection_detail, objected_at,"
        " clear_by_date, updated_at)"
        f" SELECT n, n, 'GAIN', CASE WHEN n % 3 = 0 THEN 'REQUESTED' ELSE 'PENDING' END, 'REG' || {d.text('n')},"
        f" 'Other Energy', {d.at(today, '-(n % 40)')}, {d.day(today, '-(n % 40) + 21')},"
        f" CASE WHEN n % 3 = 0 THEN NULL ELSE {d.day(today, '(n % 30) - 10')} END, '', '', NULL, NULL,"
        f" {d.at(today, '-(n % 40)')} FROM bench_n WHERE {KIND} = 'P'",
        # A home move for one live fixed contract in 50.
        "INSERT INTO contracts_homemove (account_id, contract_id, told_by, told_at, move_out_date,"
        " new_occupier_move_in_date, end_date, forwarding_address_id, new_home_id, state, recorded_by_id)"
        f" SELECT n, n, 'CUSTOMER', {d.at(today, '-(n % 60) - 10')}, {d.day(today, '(n % 60) - 30')}, NULL,"
        f" {d.day(today, '(n % 60) - 29')}, NULL, NULL, CASE WHEN n % 7 = 0 THEN 'DONE' ELSE 'RECORDED' END, NULL"
        f" FROM bench_n WHERE {KIND} = 'F' AND n % 50 = 1",
        # Statements of Renewal already sent to half the contracts in the window.
        "INSERT INTO documents_document (id, account_id, document_type_id, reference, issued_at, issue_date,"
        " period_start_date, period_end_date, amount, file, sha256, size_bytes, page_count)"
        f" SELECT n, n, {statement_type}, 'BENCH-RS-' || {d.text('n')}, {d.at(today, '-1')}, {d.day(today, '-1')},"
        " NULL, NULL, NULL, 'bench/shared.pdf', '0', 1, 1"
        f" FROM bench_n WHERE {KIND} = 'F' AND {FIXED_END} BETWEEN 42 AND 49 AND n % 2 = 0",
        "INSERT INTO contracts_contractnotice (contract_id, kind, key, document_id, issued_at,"
        " deemed_delivered_date, effective_date, disadvantageous)"
        f" SELECT n, 'RENEWAL_STATEMENT', {d.text(d.day(today, FIXED_END))}, n, {d.at(today, '-1')},"
        f" {d.day(today, '-1')}, {d.day(today, f'{FIXED_END} + 1')}, FALSE"
        f" FROM bench_n WHERE {KIND} = 'F' AND {FIXED_END} BETWEEN 42 AND 49 AND n % 2 = 0",
    ]
    with connection.cursor() as cursor:
        cursor.execute(d.numbers(count))
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("DROP TABLE bench_n")
        cursor.execute("ANALYZE")
    from hearth.data.contracts.models import Contract
    from hearth.data.tariffs.models import Agreement

    return {"contracts": Contract.objects.count(), "agreements": Agreement.objects.count()}


# --- The selections ----------------------------------------------------------------------------------------------


def _orm_selections() -> dict[str, Any]:
    """Each job's selection as the job writes it with the ORM (select_related: the rows it works through with the
    account and product it reads)."""
    from django.db.models import Exists, OuterRef, Q

    from hearth.common import calendar
    from hearth.data.contracts.models import Contract, ContractNotice, HomeMove, Registration

    live, pending = Contract.State.LIVE, Contract.State.PENDING
    window = (TODAY + timedelta(days=42), TODAY + timedelta(days=49))
    stale_since = calendar.day_starts_at(TODAY - timedelta(days=21))
    statement_sent = ContractNotice.objects.filter(contract=OuterRef("pk"), kind=ContractNotice.Kind.RENEWAL_STATEMENT)
    waiting = Contract.objects.filter(account=OuterRef("account"), state=pending)
    switch_due = Registration.objects.filter(
        contract=OuterRef("pk"),
        direction=Registration.Direction.GAIN,
        state=Registration.State.PENDING,
        start_date__lte=TODAY,
    )
    return {
        "renewal_statements": Contract.objects.filter(state=live, fixed_term_end_date__range=window)
        .exclude(Exists(statement_sent))
        .select_related("account", "product"),
        "rollovers": Contract.objects.filter(state=live, fixed_term_end_date__lt=TODAY)
        .exclude(Exists(waiting))
        .select_related("account", "product"),
        "starts_due": Contract.objects.filter(state=pending)
        .filter(Q(previous__state=live, previous__fixed_term_end_date__lt=TODAY) | Exists(switch_due))
        .select_related("account", "product"),
        "home_moves_due": HomeMove.objects.filter(state=HomeMove.State.RECORDED, end_date__lte=TODAY).select_related(
            "account", "contract"
        ),
        "slow_switches": Registration.objects.filter(
            direction=Registration.Direction.GAIN, state__in=Registration.OPEN_STATES, requested_at__lt=stale_since
        ).select_related("contract", "supply_point"),
    }


def _raw_selections() -> dict[str, tuple[str, str, str, list[Any]]]:
    """The same selections in hand-written SQL: the joined rows' columns (as select_related fetches them) with their
    joins, the id alone from the table itself, and the WHERE with its parameters."""
    from hearth.common import calendar

    window = [TODAY + timedelta(days=42), TODAY + timedelta(days=49)]
    stale_since = calendar.day_starts_at(TODAY - timedelta(days=21))
    contracts = (
        "SELECT c.*, a.*, p.* FROM contracts_contract c JOIN accounts_account a ON a.id = c.account_id"
        " JOIN tariffs_product p ON p.id = c.product_id",
        "SELECT c.id FROM contracts_contract c",
    )
    return {
        "renewal_statements": (
            *contracts,
            " WHERE c.state = 'LIVE' AND c.fixed_term_end_date BETWEEN %s AND %s AND NOT EXISTS"
            " (SELECT 1 FROM contracts_contractnotice n WHERE n.contract_id = c.id AND n.kind = 'RENEWAL_STATEMENT')",
            window,
        ),
        "rollovers": (
            *contracts,
            " WHERE c.state = 'LIVE' AND c.fixed_term_end_date < %s AND NOT EXISTS"
            " (SELECT 1 FROM contracts_contract w WHERE w.account_id = c.account_id AND w.state = 'PENDING')",
            [TODAY],
        ),
        "starts_due": (
            *contracts,
            " LEFT JOIN contracts_contract v ON v.id = c.previous_id WHERE c.state = 'PENDING' AND"
            " ((v.state = 'LIVE' AND v.fixed_term_end_date < %s) OR EXISTS (SELECT 1 FROM contracts_registration r"
            " WHERE r.contract_id = c.id AND r.direction = 'GAIN' AND r.state = 'PENDING' AND r.start_date <= %s))",
            [TODAY, TODAY],
        ),
        "home_moves_due": (
            "SELECT m.*, a.*, c.* FROM contracts_homemove m JOIN accounts_account a ON a.id = m.account_id"
            " JOIN contracts_contract c ON c.id = m.contract_id",
            "SELECT m.id FROM contracts_homemove m",
            " WHERE m.state = 'RECORDED' AND m.end_date <= %s",
            [TODAY],
        ),
        "slow_switches": (
            "SELECT r.*, c.*, s.* FROM contracts_registration r JOIN contracts_contract c ON c.id = r.contract_id"
            " JOIN accounts_supplypoint s ON s.id = r.supply_point_id",
            "SELECT r.id FROM contracts_registration r",
            " WHERE r.direction = 'GAIN' AND r.state IN ('REQUESTED', 'PENDING', 'OBJECTED') AND r.requested_at < %s",
            [stale_since],
        ),
    }


def _raw(statement: str, params: list[Any]) -> Callable[[], int]:
    from django.db import connection

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return len(cursor.fetchall())

    return run


def _median_seconds(call: Callable[[], int], repeats: int) -> tuple[float, int]:
    rows = call()  # warm the caches the same way for both
    seconds = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), rows


def run(scale: int, repeats: int = REPEATS) -> dict[str, Any]:
    """Set up ``scale`` contracts and time every selection; the results as a dict (also what the test checks)."""
    from django.db import connection

    dialect = Dialect(connection.vendor)
    began = time.perf_counter()
    counts = _insert_rows(scale, dialect)
    results: dict[str, Any] = {
        "benchmark": "daily_jobs",
        "database": connection.vendor,
        "scale": scale,
        **counts,
        "set_up_seconds": round(time.perf_counter() - began, 1),
        "target_ratio": TARGET_RATIO,
        "load": os.getloadavg()[0],
    }
    raw = _raw_selections()
    for name, query in _orm_selections().items():
        select_rows, select_ids, where, params = raw[name]
        variants = {
            # The rows as model instances with their related rows: what a job looping over them builds.
            "rows": (lambda q=query: len(list(q.all())), _raw(select_rows + where, params)),
            # The ids alone: what a job that handles each item in its own transaction selects.
            "ids": (
                lambda q=query: len(list(q.values_list("pk", flat=True))),
                _raw(select_ids + where, params),
            ),
        }
        results[name] = {}
        for variant, (orm_call, raw_call) in variants.items():
            orm_seconds, orm_rows = _median_seconds(orm_call, repeats)
            raw_seconds, raw_rows = _median_seconds(raw_call, repeats)
            if orm_rows != raw_rows:
                raise SystemExit(f"{name}: the ORM selected {orm_rows} rows, the raw SQL {raw_rows}")
            results[name]["count"] = orm_rows
            results[name][variant] = {
                "orm_ms": round(orm_seconds * 1000, 2),
                "raw_ms": round(raw_seconds * 1000, 2),
                "ratio": round(orm_seconds / raw_seconds, 2) if raw_seconds else None,
            }
    return results


def main(argv: list[str] | None = None) -> None:
    arguments = _arguments(argv)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as scratch:
        support.set_up_django(Path(scratch), script="daily_jobs.py", environment={"HEARTH_DEBUG": "0"})
        results = run(arguments.scale, arguments.repeats)
        for name, value in results.items():
            if isinstance(value, dict):
                for variant in ("rows", "ids"):
                    timing = value[variant]
                    print(
                        f"{name:>18} {variant:>4}: {value['count']:>7} rows, ORM {timing['orm_ms']:>9} ms,"
                        f" raw {timing['raw_ms']:>9} ms, ratio {timing['ratio']}"
                    )
        print(json.dumps(results))


if __name__ == "__main__":
    main()
