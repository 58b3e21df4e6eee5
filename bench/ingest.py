"""Interval ingest benchmark: the real import path (`flows.import_intervals`) beside the database's own limit.

Generates a CSV of N meters x D days of half-hourly consumption (half electricity in kWh, half gas in m3, starting
1 October 2026 so the 50-half-hour clock-change day is in it for D >= 25), imports it through the same function
`hearth import_intervals` calls, then writes the very same rows (already converted, in memory) straight into the
same table with the same indexes the fastest plain way the database offers: COPY on PostgreSQL, executemany on
SQLite. It prints one JSON line with the rows per second of each and their ratio (aim: >= 0.5 of COPY on
PostgreSQL, >= 0.3 of executemany on SQLite). Each is run --repeat times on an emptied table; the best run counts.

    .venv/bin/python bench/ingest.py                                   # small: 20 meters x 7 days, SQLite
    createdb -h 127.0.0.1 -U postgres hearth_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hearth_bench .venv/bin/python bench/ingest.py --meters 200 --days 30

DATABASE_URL defaults to a temporary SQLite file. Because the benchmark empties the database (flush), it refuses
a database whose name does not contain "bench".
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HALF_HOUR = timedelta(minutes=30)
FIRST_DAY = date(2026, 10, 1)
TARGETS = {"postgresql": 0.5, "sqlite": 0.3}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meters", type=int, default=20, help="meters in the file (default 20)")
    parser.add_argument("--days", type=int, default=7, help="days of half-hours per meter (default 7)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each path; the best counts (default 3)")
    parser.add_argument("--seed", type=int, default=20261025)
    return parser.parse_args()


def _set_up_django(scratch: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'hearth_bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    os.environ.setdefault("HEARTH_DATA_DIR", str(scratch))
    import django

    django.setup()
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        sys.exit(f"bench/ingest.py empties its database; {name!r} does not look like a benchmark database.")


def _meters(count: int) -> list[Any]:
    """`count` meters (alternately electricity and gas) of businesses, which keep half-hours by contract."""
    from hearth.common import identifiers
    from hearth.data.accounts.models import Customer, Fuel, Nation
    from hearth.data.metering.models import Meter, Register
    from hearth.domain.accounts import operations as accounts_ops

    fitted = datetime(2026, 1, 1, tzinfo=UTC)
    home = accounts_ops.create_property(
        address_line_1="1 Bench Row", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.ORGANISATION, name="Bench Ltd", contact_email="bench@example.com", now=fitted
    )
    accounts = {
        fuel: accounts_ops.open_account(customer=customer, fuel=fuel, billing_property=home, now=fitted)
        for fuel in (Fuel.ELECTRICITY, Fuel.GAS)
    }
    meters = []
    for index in range(count):
        gas = index % 2 == 1
        if gas:
            identifier = f"{8_000_000_000 + index}"
        else:
            first_twelve = f"23{index:010d}"
            identifier = f"{first_twelve}{identifiers.mpan_check_digit(first_twelve)}"
        supply_point = accounts_ops.add_supply_point(
            account=accounts[Fuel.GAS if gas else Fuel.ELECTRICITY],
            identifier=identifier,
            supply_property=home,
            supply_start_date=date(2026, 1, 1),
            profile_class="" if gas else "03",
        )
        meters.append(
            accounts_ops.install_meter(
                supply_point=supply_point,
                serial_number=f"B{index:07d}",
                kind=Meter.Kind.SMART,
                installed_at=fitted,
                registers=[("G" if gas else "S", Register.Rate.STANDARD)],
                gas_units=Meter.GasUnits.METRIC if gas else None,
            )
        )
    return meters


def _write_csv(path: Path, meters: list[Any], days: int, rng: random.Random) -> int:
    from hearth.common.calendar import LONDON

    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(FIRST_DAY + timedelta(days=days), datetime.min.time(), tzinfo=LONDON).astimezone(UTC)
    starts = []
    at = start
    while at < end:
        starts.append(at.astimezone(LONDON).isoformat())
        at += HALF_HOUR
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("mpan_or_mprn,meter_serial,interval_start,quantity,unit\n")
        for meter in meters:
            gas = meter.supply_point.fuel == "GAS"
            prefix = f"{meter.supply_point.identifier},{meter.serial_number},"
            unit = "m3" if gas else "kWh"
            lines = [f"{prefix}{text},{rng.randint(0, 4000) / 1000:.3f},{unit}\n" for text in starts]
            out.writelines(lines)
            rows += len(lines)
    return rows


def _empty_tables() -> None:
    from django.db import connection

    from hearth.data.metering.models import DailyConsumption, FlowFile, IntervalConsumption

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {IntervalConsumption._meta.db_table}, {DailyConsumption._meta.db_table}")
        else:
            cursor.execute(f"DELETE FROM {IntervalConsumption._meta.db_table}")  # noqa: S608 - the model's table
            cursor.execute(f"DELETE FROM {DailyConsumption._meta.db_table}")  # noqa: S608 - the model's table
    FlowFile.objects.all().delete()


def _import_once(path: Path, rows: int) -> float:
    from hearth.domain.metering import flows

    _empty_tables()
    started = time.perf_counter()
    with path.open("rb") as stream:
        summary = flows.import_intervals(name=path.name, source=stream, now=datetime.now(UTC))
    elapsed = time.perf_counter() - started
    if summary.accepted != rows or summary.rejected:
        sys.exit(f"the import stored {summary.accepted} of {rows} rows; rejected: {summary.rejected[:3]}")
    return elapsed


def _stored_rows() -> list[tuple[Any, ...]]:
    """The rows exactly as the import stored them (read back once), for the raw path to write again."""
    from hearth.data.metering.models import IntervalConsumption

    return list(
        IntervalConsumption.objects.order_by("meter_id", "interval_start").values_list(
            "meter_id",
            "interval_start",
            "interval_minutes",
            "quantity",
            "unit",
            "kwh",
            "quality",
            "source",
            "received_at",
        )
    )


COLUMNS = "meter_id, interval_start, interval_minutes, quantity, unit, kwh, quality, source, received_at"


def _raw_once(prepared: Any) -> float:
    from django.db import connection, transaction

    from hearth.data.metering.models import IntervalConsumption

    table = IntervalConsumption._meta.db_table
    _empty_tables()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
                for chunk in prepared:
                    copy.write(chunk)
        else:
            placeholders = ", ".join("?" * 9)
            cursor.cursor.executemany(f"INSERT INTO {table} ({COLUMNS}) VALUES ({placeholders})", prepared)  # noqa: S608
    return time.perf_counter() - started


def _prepare(rows: list[tuple[Any, ...]]) -> Any:
    """Rows in the form the database takes them, made before the clock starts: the limit is the write alone."""
    from django.db import connection

    if connection.vendor == "postgresql":
        lines = [
            f"{m}\t{s.isoformat()}\t{minutes}\t{q}\t{u}\t{k}\t{quality}\t{source}\t{r.isoformat()}\n"
            for m, s, minutes, q, u, k, quality, source, r in rows
        ]
        return ["".join(lines[i : i + 10_000]) for i in range(0, len(lines), 10_000)]
    ops = connection.ops
    return [
        (
            m,
            ops.adapt_datetimefield_value(s),
            minutes,
            str(q),
            u,
            str(k),
            quality,
            source,
            ops.adapt_datetimefield_value(r),
        )
        for m, s, minutes, q, u, k, quality, source, r in rows
    ]


def main() -> None:
    arguments = _arguments()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        _set_up_django(scratch)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        meters = _meters(arguments.meters)
        csv_path = scratch / "intervals.csv"
        rows = _write_csv(csv_path, meters, arguments.days, random.Random(arguments.seed))

        import_seconds = min(_import_once(csv_path, rows) for _ in range(arguments.repeat))
        prepared = _prepare(_stored_rows())
        raw_seconds = min(_raw_once(prepared) for _ in range(arguments.repeat))

        import_rate = rows / import_seconds
        raw_rate = rows / raw_seconds
        vendor = connection.vendor
        result = {
            "benchmark": "ingest",
            "database": vendor,
            "meters": arguments.meters,
            "days": arguments.days,
            "rows": rows,
            "csv_bytes": csv_path.stat().st_size,
            "repeat": arguments.repeat,
            "import_seconds": round(import_seconds, 3),
            "import_rows_per_s": round(import_rate),
            "limit": "COPY" if vendor == "postgresql" else "executemany",
            "limit_seconds": round(raw_seconds, 3),
            "limit_rows_per_s": round(raw_rate),
            "ratio": round(import_rate / raw_rate, 3),
            "target_ratio": TARGETS.get(vendor),
        }
        print(json.dumps(result))
        _empty_tables()


if __name__ == "__main__":
    main()
