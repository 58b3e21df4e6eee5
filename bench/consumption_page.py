"""Consumption page benchmark: a meter with a year of half-hourly data, its portal pages beside the raw read.

Times --requests requests (default 50) of each page through Django's full request path (middleware, session,
access checks, the domain queries, the template and its SVG chart). Beside them, in the same run, the floor no
page can go below: the raw database read of the same rows with a plain cursor, plus the cheapest signed-in
request through the same middleware (`/brand.css`). Prints one JSON line with the median and p95 of each, and
each page's median as a multiple of its floor.

    .venv/bin/python bench/consumption_page.py                     # SQLite, a year of half-hours
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hearth_bench .venv/bin/python bench/consumption_page.py

DATABASE_URL defaults to a temporary SQLite file; the benchmark empties its database, so it refuses a database
whose name does not contain "bench".
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import support

FIRST_DAY = date(2025, 11, 1)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365, help="days of half-hourly data on the meter (default 365)")
    parser.add_argument("--requests", type=int, default=50, help="requests of each page (default 50)")
    return parser.parse_args()


def _meter_with_a_year(days: int) -> tuple[Any, Any]:
    """A business's AMR electricity meter with `days` of half-hours, and an activated holder login."""
    from hearth.data.accounts.models import Customer, Fuel, Nation
    from hearth.data.identity.models import AccountLink, User
    from hearth.data.metering.models import IntervalConsumption, Meter, ReadingSource, Register
    from hearth.domain.accounts import operations as accounts_ops
    from hearth.domain.identity import operations as identity_ops
    from hearth.domain.identity import queries as identity_queries

    fitted = datetime(2025, 10, 1, tzinfo=UTC)
    home = accounts_ops.create_property(
        address_line_1="1 Bench Row", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.ORGANISATION, name="Bench Ltd", contact_email="bench@example.com", now=fitted
    )
    account = accounts_ops.open_account(customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=fitted)
    supply_point = accounts_ops.add_supply_point(
        account=account,
        identifier="1200023305967",
        supply_property=home,
        supply_start_date=fitted.date(),
        profile_class="03",
    )
    meter = accounts_ops.install_meter(
        supply_point=supply_point,
        serial_number="BENCH0001",
        kind=Meter.Kind.AMR,
        installed_at=fitted,
        registers=[("S", Register.Rate.STANDARD)],
    )
    start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC)
    rows = [
        IntervalConsumption(
            meter=meter,
            interval_start=start + timedelta(minutes=30 * n),
            interval_minutes=30,
            quantity=Decimal(n % 97) / 100,
            unit="KWH",
            kwh=Decimal(n % 97) / 100,
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.AMR,
            received_at=start + timedelta(minutes=30 * n, hours=20),
        )
        for n in range(days * 48)
    ]
    IntervalConsumption.objects.bulk_create(rows, batch_size=5000)
    user = User.objects.create_user("bench@example.com", "BenchMark2026", kind=User.Kind.CUSTOMER)
    identity_ops.link_account(user=user, account=account, role=AccountLink.Role.HOLDER, actor=None, now=fitted)
    identity_ops.accept_conditions(user=user, version=identity_queries.current_conditions().version, now=fitted)
    identity_ops.set_security_answer(user=user, question=User.SecurityQuestion.FIRST_PET, answer="Bench", now=fitted)
    return meter, user


def _timings(call: Callable[[], None], count: int) -> dict[str, float]:
    seconds = []
    for _ in range(count):
        began = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - began)
    ordered = sorted(seconds)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
    }


def main() -> None:
    arguments = _arguments()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as scratch:
        support.set_up_django(Path(scratch), script="consumption_page.py")
        from django.db import connection
        from django.test import Client

        meter, user = _meter_with_a_year(arguments.days)
        last_day = FIRST_DAY + timedelta(days=arguments.days - 1)
        client = Client()
        client.force_login(user)

        def page(path: str, query: dict[str, str]) -> Callable[[], None]:
            def get() -> None:
                response = client.get(path, query)
                if response.status_code != 200:
                    sys.exit(f"{path} {query} answered {response.status_code}")

            return get

        def raw_read(first: date, days: int) -> Callable[[], None]:
            begin = datetime(first.year, first.month, first.day, tzinfo=UTC)
            end = begin + timedelta(days=days)

            def read() -> None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT interval_start, quantity, kwh, quality, received_at FROM metering_intervalconsumption"
                        " WHERE meter_id = %s AND interval_start >= %s AND interval_start < %s"
                        " ORDER BY interval_start",
                        [meter.pk, begin, end],
                    )
                    cursor.fetchall()

            return read

        daily_path = f"/services/consumption/{meter.pk}/"
        day_path = f"/services/consumption/{meter.pk}/day/"
        whole_year = {"period_from": FIRST_DAY.isoformat(), "period_to": last_day.isoformat()}
        one_day = {"day": date(2026, 10, 25).isoformat() if arguments.days >= 360 else last_day.isoformat()}
        cases = {
            "daily_whole_period": (page(daily_path, whole_year), raw_read(FIRST_DAY, arguments.days)),
            "within_day": (page(day_path, one_day), raw_read(date.fromisoformat(one_day["day"]), 1)),
        }
        results: dict[str, Any] = {
            "benchmark": "consumption_page",
            "database": connection.vendor,
            "intervals": arguments.days * 48,
            "requests": arguments.requests,
        }
        request_floor = _timings(page("/brand.css", {}), arguments.requests)
        results["request_floor"] = request_floor
        for name, (page_call, raw_call) in cases.items():
            page_call()  # warm up caches and template loading
            page_timing = _timings(page_call, arguments.requests)
            raw_timing = _timings(raw_call, arguments.requests)
            floor_ms = raw_timing["median_ms"] + request_floor["median_ms"]
            results[name] = {
                "page": page_timing,
                "raw_read": raw_timing,
                "floor_median_ms": round(floor_ms, 2),
                "ratio_to_floor": round(page_timing["median_ms"] / floor_ms, 1),
            }
        print(json.dumps(results))


if __name__ == "__main__":
    main()
