"""Bill run benchmark: the real bill run beside the limit of the same work, and the invoice PDFs beside bare Typst.

Generates --accounts electricity accounts (default 200) billed monthly, a mix of single-rate (its unit rate changes on
15 October, so every bill splits it), Economy 7 (day and night registers on a two-rate tariff) and half-hourly
(dynamic prices, the meter's half-hours) accounts, one in --business-every (default 10) a business (VAT by de
minimis, Climate Change Levy). All are supplied from 1 October 2026 with readings at the start and the end of
October, the month of the clock change (1,490 half-hours). Rows are bulk-created. Then, in the same run:

1. the limit: the same rows read raw (one query per table over all accounts), the same arithmetic in one pass in
   plain Python Decimal (numpy is not a dependency), and the same Bill, BillLine, BillConsumption, LedgerEntry and
   BillRunItem rows written raw into the real tables (COPY on PostgreSQL, executemany on SQLite) in one transaction,
   foreign keys checked, rolled back. Every limit total is checked against the run's bill to the penny;
2. the bill run as `hearth bill_run --no-pdf` runs it without a broker: start_run, bill_accounts in chunks of
   --chunk-size, finish_run; SQL queries are counted per account, in the first quarter of the accounts and the rest;
3. the PDF stage: attach_invoices over --pdf-sample bills in the run's chunks (as bill_accounts makes them), and
   attach_invoice over as many one at a time, each beside a bare Typst compile of as many other bills' inputs,
   interleaved (see :func:`_pdf_stage`).

Prints readable lines, then one JSON line: bills per second of the run and of the limit and their ratio (aim: the run
within 2x of the limit), queries per account (must not grow with the number of accounts), the PDF ratio (aim: within
1.25x of bare Typst), and peak memory (the process's peak RSS, reset before each stage where Linux allows it).

    .venv/bin/python bench/bill_run.py                                   # 200 accounts, SQLite
    psql -h 127.0.0.1 -U postgres -c 'create database hearth_bench_bills'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hearth_bench_bills \\
        .venv/bin/python bench/bill_run.py --accounts 1000

DATABASE_URL defaults to a temporary SQLite file; the benchmark empties its database, so it refuses a database whose
name does not contain "bench". DEBUG is off, as in production (HEARTH_DEBUG=0 unless set).
"""

import argparse
import hashlib
import itertools
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, NamedTuple

import support
from hearth.common.calendar import LONDON, day_starts_at

HALF_HOUR = timedelta(minutes=30)
SUPPLY_START = date(2026, 1, 1)
PERIOD_START = date(2026, 10, 1)
PERIOD_END = date(2026, 11, 1)
PRICE_CHANGE = date(2026, 10, 15)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ACCOUNT_BASE = 6_000_000_000
SINGLE_RATE, ECONOMY_7, HALF_HOURLY = "single_rate", "economy_7", "half_hourly"
BATCH = 5000
TARGET_RATIO = 2.0
TARGET_PDF_RATIO = 1.25

PENNY = Decimal("0.01")
WATT_HOUR = Decimal("0.001")
RATE_PLACES = Decimal("0.00000001")
REDUCED_VAT, STANDARD_VAT = Decimal("0.05"), Decimal("0.20")
DE_MINIMIS_KWH_PER_DAY = Decimal(33)
LEVY_POUNDS_PER_KWH = Decimal("0.00801")
ADVANCES = {"STANDARD": (150, 450), "DAY": (150, 300), "NIGHT": (80, 200)}
"""A household's October on each register, in whole kWh (low, high); a business uses four times as much."""
NO_GAS = (None, None, None)  # an electricity consumption row's volume, correction factor and calorific value


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=200, help="accounts to bill (default 200)")
    parser.add_argument("--economy7-share", type=float, default=0.25, help="share on Economy 7 (default 0.25)")
    parser.add_argument("--half-hourly-share", type=float, default=0.10, help="share half-hourly (default 0.10)")
    parser.add_argument("--business-every", type=int, default=10, help="every n-th customer a business (default 10)")
    parser.add_argument("--chunk-size", type=int, help="accounts per bill_accounts call (default: the command's)")
    parser.add_argument("--pdf-sample", type=int, default=50, help="bills given their PDF (default 50)")
    parser.add_argument("--seed", type=int, default=20261025)
    arguments = parser.parse_args()
    if arguments.accounts < 4 or arguments.economy7_share + arguments.half_hourly_share > 1:
        parser.error("--accounts must be 4 or more, and the Economy 7 and half-hourly shares add up to 1 at most")
    return arguments


def _half_hours() -> list[datetime]:
    start_at, end_at = day_starts_at(PERIOD_START), day_starts_at(PERIOD_END)
    return [start_at + n * HALF_HOUR for n in range(int((end_at - start_at) / HALF_HOUR))]


# --- The accounts ------------------------------------------------------------------------------------------------


def _price(at: datetime) -> Decimal:
    """A dynamic price in pence per kWh: cheap at night, dear at the evening peak, never two half-hours alike."""
    hour = at.astimezone(LONDON).hour
    base = Decimal("9.7500") if hour < 7 else Decimal("32.5000") if 16 <= hour < 19 else Decimal("21.2000")
    return base + Decimal(int(at.timestamp()) // 1800 % 13) * Decimal("0.0731")


def _tariffs() -> dict[str, Any]:
    """One tariff per kind, made through the tariffs domain; the half-hourly prices bulk-created."""
    from hearth.data.accounts.models import Fuel
    from hearth.data.tariffs.models import HalfHourlyPrice, PaymentMethod, Product, Tariff, UnitRate
    from hearth.domain.tariffs import operations as tariff_ops

    opened = day_starts_at(SUPPLY_START)
    product = tariff_ops.create_product(
        code="BENCH-VAR-26",
        full_name="Hearth Bench Variable",
        display_name="Hearth Bench",
        description="Prices follow the market.",
        kind=Product.Kind.VARIABLE,
        available_from=opened,
    )

    def tariff(
        structure: Tariff.Structure, standing: str, rates: dict[str, str], night: tuple[clock, clock] | None = None
    ) -> Tariff:
        return tariff_ops.create_tariff(
            product=product,
            fuel=Fuel.ELECTRICITY,
            region="C",
            structure=structure,
            payment_method=PaymentMethod.DIRECT_DEBIT,
            standing_charge_exc_vat=Decimal(standing),
            unit_rates_exc_vat={band: Decimal(value) for band, value in rates.items()},
            valid_from=opened,
            night_starts_at=night[0] if night else None,
            night_ends_at=night[1] if night else None,
        )

    single = tariff(Tariff.Structure.SINGLE_RATE, "53.3500", {UnitRate.STANDARD: "24.5000"})
    tariff_ops.schedule_price_change(
        tariff=single,
        band=UnitRate.STANDARD,
        value_exc_vat=Decimal("26.1234"),
        valid_from=day_starts_at(PRICE_CHANGE),
        now=day_starts_at(date(2026, 9, 1)),
    )
    economy_7 = tariff(
        Tariff.Structure.TWO_RATE,
        "55.1000",
        {UnitRate.DAY: "28.0150", UnitRate.NIGHT: "14.2500"},
        night=(clock(0, 30), clock(7, 30)),
    )
    dynamic = tariff(Tariff.Structure.HALF_HOURLY, "47.9000", {})
    HalfHourlyPrice.objects.bulk_create(
        HalfHourlyPrice(tariff=dynamic, interval_start=at, value_exc_vat=_price(at)) for at in _half_hours()
    )
    return {SINGLE_RATE: single, ECONOMY_7: economy_7, HALF_HOURLY: dynamic}


def _kinds(arguments: argparse.Namespace, rng: random.Random) -> list[str]:
    """Each account's kind in the asked shares, shuffled so every chunk of a run gets the same mix."""
    half_hourly = round(arguments.accounts * arguments.half_hourly_share)
    economy_7 = round(arguments.accounts * arguments.economy7_share)
    kinds = [HALF_HOURLY] * half_hourly + [ECONOMY_7] * economy_7
    kinds += [SINGLE_RATE] * (arguments.accounts - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _mpan_core(index: int) -> str:
    from hearth.common import identifiers

    first_twelve = f"25{index:010d}"
    return f"{first_twelve}{identifiers.mpan_check_digit(first_twelve)}"


def _kwh(rng: random.Random, low: int, high: int, scale: int) -> Decimal:
    """Whole kWh for a month's register advance; a business uses ``scale`` times as much."""
    return Decimal(rng.randint(low, high) * scale)


def _accounts(kinds: Sequence[str], tariffs: dict[str, Any], business_every: int, rng: random.Random) -> int:
    """Customers, properties, accounts, supply points, supplies, agreements, meters, registers, readings and
    half-hours, bulk-created; returns the number of half-hourly rows."""
    from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Property, Supply, SupplyPoint
    from hearth.data.metering.models import IntervalConsumption, Meter, ReadingSource, Register, RegisterReading
    from hearth.data.tariffs.models import Agreement

    opened, start_at, end_at = day_starts_at(SUPPLY_START), day_starts_at(PERIOD_START), day_starts_at(PERIOD_END)
    business = [(index + 1) % business_every == 0 for index in range(len(kinds))]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                kind=Customer.Kind.ORGANISATION if business[index] else Customer.Kind.PERSON,
                name=f"Bench Customer {index}",
                contact_email=f"bench{index}@example.com",
                created_at=opened,
            )
            for index in range(len(kinds))
        ],
        batch_size=BATCH,
    )
    homes = Property.objects.bulk_create(
        [
            Property(address_line_1=f"{index + 1} Bench Row", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND)
            for index in range(len(kinds))
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
                opened_at=opened,
            )
            for index, (customer, home) in enumerate(zip(customers, homes, strict=True))
        ],
        batch_size=BATCH,
    )
    points = SupplyPoint.objects.bulk_create(
        [
            SupplyPoint(
                fuel=Fuel.ELECTRICITY,
                identifier=_mpan_core(index),
                profile_class="03" if business[index] else "02" if kind == ECONOMY_7 else "01",
                supply_property=home,
                annual_consumption_kwh=Decimal(12000 if business[index] else 3100),
            )
            for index, (kind, home) in enumerate(zip(kinds, homes, strict=True))
        ],
        batch_size=BATCH,
    )
    Supply.objects.bulk_create(
        [
            Supply(account=account, supply_point=point, valid_from=PERIOD_START)
            for account, point in zip(accounts, points, strict=True)
        ],
        batch_size=BATCH,
    )
    Agreement.objects.bulk_create(
        [
            Agreement(supply_point=point, tariff=tariffs[kind], valid_from=start_at)
            for kind, point in zip(kinds, points, strict=True)
        ],
        batch_size=BATCH,
    )
    meters = Meter.objects.bulk_create(
        [
            Meter(
                supply_point=point,
                serial_number=f"BENCH{index:07d}",
                kind=Meter.Kind.SMART if kind == HALF_HOURLY else Meter.Kind.CREDIT,
                installed_at=opened,
            )
            for index, (kind, point) in enumerate(zip(kinds, points, strict=True))
        ],
        batch_size=BATCH,
    )
    shapes: dict[str, list[tuple[str, Register.Rate]]] = {
        SINGLE_RATE: [("S", Register.Rate.STANDARD)],
        ECONOMY_7: [("DY", Register.Rate.DAY), ("NT", Register.Rate.NIGHT)],
        HALF_HOURLY: [("S", Register.Rate.STANDARD)],
    }
    registers = Register.objects.bulk_create(
        [
            Register(meter=meter, identifier=identifier, rate=rate)
            for kind, meter in zip(kinds, meters, strict=True)
            for identifier, rate in shapes[kind]
        ],
        batch_size=BATCH,
    )
    readings = []
    scale_of = {meter.pk: 4 if business[index] else 1 for index, meter in enumerate(meters)}
    for register in registers:
        if register.meter.kind == Meter.Kind.SMART:
            continue  # billed from its half-hours
        scale = scale_of[register.meter_id]
        low, high = ADVANCES.get(register.rate, ADVANCES["STANDARD"])
        opening = Decimal(rng.randint(1000, 60000))
        closing = opening + _kwh(rng, low, high, scale)
        for at, value, kind in (
            (start_at, opening, RegisterReading.Kind.OPENING),
            (end_at, closing, RegisterReading.Kind.ACTUAL),
        ):
            readings.append(
                RegisterReading(
                    register=register,
                    read_at=at,
                    value=value,
                    source=ReadingSource.INDUSTRY,
                    kind=kind,
                    status=RegisterReading.Status.ACCEPTED,
                    received_at=at + timedelta(hours=9),
                )
            )
    RegisterReading.objects.bulk_create(readings, batch_size=BATCH)
    half_hours = _half_hours()
    smart = [meter for meter in meters if meter.kind == Meter.Kind.SMART]

    def half_hourly(meter: Meter) -> Iterator[IntervalConsumption]:
        for at in half_hours:
            kwh = Decimal(rng.randint(0, 1200) * scale_of[meter.pk]).scaleb(-3)
            yield IntervalConsumption(
                meter=meter,
                interval_start=at,
                interval_minutes=30,
                quantity=kwh,
                unit="KWH",
                kwh=kwh,
                quality=IntervalConsumption.Quality.ACTUAL,
                source=ReadingSource.SMART,
                received_at=at + timedelta(days=1),
            )

    for first in range(0, len(smart), 20):  # twenty meters' month at a time, to keep memory flat
        rows = [row for meter in smart[first : first + 20] for row in half_hourly(meter)]
        IntervalConsumption.objects.bulk_create(rows, batch_size=BATCH)
    return len(smart) * len(half_hours)


def _analyze() -> None:
    """Fresh planner statistics after the bulk load, as a production database would have."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Measuring ---------------------------------------------------------------------------------------------------


# --- The limit: the same rows read raw, the same arithmetic in one pass, the same rows written raw --------------


def _pennies(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def _as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _as_datetime(value: Any) -> datetime:
    """PostgreSQL hands back aware datetimes; SQLite naive UTC ones (Django's converters) or the text stored."""
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _local_date(value: Any) -> date:
    return _as_datetime(value).astimezone(LONDON).date()


def _read_raw() -> dict[str, list[Any]]:
    """Every row the bills need, one query per table over all accounts, through a plain cursor.

    The half-hours and their prices come as text (the dict keys and Decimal input they become): psycopg's datetime and
    numeric loaders would otherwise be most of the read.
    """
    from django.db import connection

    from hearth.data.accounts.models import Account, Customer, Supply, SupplyPoint
    from hearth.data.billing.models import AdditionalCharge, Bill, BillRun, LedgerEntry
    from hearth.data.metering.models import IntervalConsumption, Meter, Register, RegisterReading
    from hearth.data.tariffs.models import Agreement, HalfHourlyPrice, StandingCharge, Tariff, UnitRate

    ops = connection.ops
    start_at = ops.adapt_datetimefield_value(day_starts_at(PERIOD_START))
    end_at = ops.adapt_datetimefield_value(day_starts_at(PERIOD_END))
    start_day, end_day = ops.adapt_datefield_value(PERIOD_START), ops.adapt_datefield_value(PERIOD_END)
    overlapping = "WHERE valid_from < %s AND (valid_to IS NULL OR valid_to > %s)"
    in_period = "WHERE interval_start >= %s AND interval_start < %s"
    queries: list[tuple[str, Any, str, str, list[Any]]] = [
        ("customers", Customer, "id, kind", "", []),
        ("accounts", Account, "id, number, customer_id", "", []),
        ("supplies", Supply, "account_id, supply_point_id, valid_from, valid_to", overlapping, [end_day, start_day]),
        ("supply_points", SupplyPoint, "id, identifier", "", []),
        ("agreements", Agreement, "supply_point_id, tariff_id, valid_from, valid_to", overlapping, [end_at, start_at]),
        ("tariffs", Tariff, "id, structure", "", []),
        (
            "standing_charges",
            StandingCharge,
            "id, tariff_id, value_exc_vat, valid_from, valid_to",
            overlapping,
            [end_at, start_at],
        ),
        (
            "unit_rates",
            UnitRate,
            "id, tariff_id, band, value_exc_vat, valid_from, valid_to",
            overlapping,
            [end_at, start_at],
        ),
        (
            "meters",
            Meter,
            "id, supply_point_id, serial_number",
            "WHERE installed_at < %s AND (removed_at IS NULL OR removed_at > %s)",
            [end_at, start_at],
        ),
        ("registers", Register, "id, meter_id, rate, digits", "WHERE is_settlement_register", []),
        (
            "readings",
            RegisterReading,
            "id, register_id, read_at, value, kind",
            "WHERE status = %s AND read_at >= %s AND read_at <= %s",
            ["ACCEPTED", start_at, end_at],
        ),
        (
            "intervals",
            IntervalConsumption,
            "meter_id, CAST(interval_start AS TEXT), CAST(kwh AS TEXT)",
            f"{in_period} AND quality <> %s",
            [start_at, end_at, "MISSING"],
        ),
        (
            "prices",
            HalfHourlyPrice,
            "tariff_id, CAST(interval_start AS TEXT), CAST(value_exc_vat AS TEXT)",
            in_period,
            [start_at, end_at],
        ),
        ("bills", Bill, "account_id, MAX(period_end_date)", "WHERE status = %s GROUP BY account_id", ["ISSUED"]),
        ("balances", LedgerEntry, "account_id, SUM(amount)", "GROUP BY account_id", []),
        ("additional", AdditionalCharge, "account_id, id, amount, description", "WHERE bill_id IS NULL", []),
        ("last_bill_id", Bill, "COALESCE(MAX(id), 0)", "", []),
        ("last_run_id", BillRun, "COALESCE(MAX(id), 0)", "", []),
    ]
    rows: dict[str, list[Any]] = {}
    with connection.cursor() as cursor:
        for name, model, columns, where, params in queries:
            cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} {where}", params)  # noqa: S608 - model tables
            rows[name] = cursor.fetchall()
    return rows


@dataclass
class _Written:
    """The rows the limit writes, as the database takes them, and each account's total for the cross-check."""

    run: tuple[Any, ...] = ()
    bills: list[tuple[Any, ...]] = field(default_factory=list)
    consumption: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    ledger: list[tuple[Any, ...]] = field(default_factory=list)
    items: list[tuple[Any, ...]] = field(default_factory=list)
    totals: dict[int, Decimal] = field(default_factory=dict)


class _Line(NamedTuple):
    """A bill line as BillLine stores it (rates in pounds per unit), before its bill and position are known."""

    supply_point_id: int | None
    kind: str
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    vat_rate: Decimal | None
    sources: dict[str, Any]


PriceRow = tuple[int, Decimal, Any, Any]  # id, pence, valid_from, valid_to (as the database hands them back)


@dataclass
class _Rows:
    """The raw rows indexed by what the arithmetic looks them up by: one pass over each table."""

    customer_kinds: dict[int, str]
    supplies: dict[int, list[tuple[int, date, date | None]]]
    identifiers: dict[int, str]
    agreements: dict[int, int]
    structures: dict[int, str]
    standing: dict[int, list[PriceRow]]
    unit_rates: dict[tuple[int, str], list[PriceRow]]
    meters: dict[int, tuple[int, str]]
    meters_of: dict[int, list[tuple[int, str]]]
    registers_of: dict[int, list[tuple[int, int, str, int]]]
    readings: dict[int, list[tuple[datetime, int, Decimal, str]]]
    intervals: dict[int, list[tuple[str, str]]]
    prices: dict[int, dict[str, Decimal]]
    balances: dict[int, Decimal]
    additional: dict[int, list[tuple[int, Decimal, str]]]


def _indexed(raw: dict[str, list[Any]]) -> _Rows:
    supplies = defaultdict(list)
    for account_id, point_id, valid_from, valid_to in raw["supplies"]:
        supplies[account_id].append((point_id, _as_date(valid_from), None if valid_to is None else _as_date(valid_to)))
    standing = defaultdict(list)
    for row_id, tariff_id, pence, valid_from, valid_to in raw["standing_charges"]:
        standing[tariff_id].append((row_id, _as_decimal(pence), valid_from, valid_to))
    unit_rates = defaultdict(list)
    for row_id, tariff_id, band, pence, valid_from, valid_to in raw["unit_rates"]:
        unit_rates[(tariff_id, band)].append((row_id, _as_decimal(pence), valid_from, valid_to))
    meters = {meter_id: (point_id, serial) for meter_id, point_id, serial in raw["meters"]}
    meters_of = defaultdict(list)
    for meter_id, (point_id, serial) in meters.items():
        meters_of[point_id].append((meter_id, serial))
    registers_of = defaultdict(list)
    for register_id, meter_id, rate, digits in sorted(raw["registers"]):
        if meter_id in meters:
            registers_of[meters[meter_id][0]].append((register_id, meter_id, rate, digits))
    readings = defaultdict(list)
    for reading_id, register_id, read_at, value, kind in raw["readings"]:
        readings[register_id].append((_as_datetime(read_at), reading_id, _as_decimal(value), kind))
    intervals = defaultdict(list)
    for meter_id, interval_start, kwh in raw["intervals"]:
        intervals[meter_id].append((interval_start, kwh))
    prices: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for tariff_id, interval_start, pence in raw["prices"]:
        prices[tariff_id][interval_start] = _as_decimal(pence)
    additional = defaultdict(list)
    for account_id, charge_id, amount, description in raw["additional"]:
        additional[account_id].append((charge_id, _as_decimal(amount), description))
    return _Rows(
        customer_kinds=dict(raw["customers"]),
        supplies=supplies,
        identifiers=dict(raw["supply_points"]),
        agreements={point_id: tariff_id for point_id, tariff_id, _, _ in raw["agreements"]},
        structures=dict(raw["tariffs"]),
        standing=standing,
        unit_rates=unit_rates,
        meters=meters,
        meters_of=meters_of,
        registers_of=registers_of,
        readings=readings,
        intervals=intervals,
        prices=prices,
        balances={account_id: _as_decimal(amount) for account_id, amount in raw["balances"]},
        additional=additional,
    )


def _spans(rows: Sequence[PriceRow], start: date, end: date) -> list[PriceRow]:
    """Price rows as the local days of ``[start, end)`` each covers: ``(id, pence, first day, end day)``."""
    spans = []
    for row_id, pence, valid_from, valid_to in rows:
        first = max(start, _local_date(valid_from))
        last = end if valid_to is None else min(end, _local_date(valid_to))
        if first < last:
            spans.append((row_id, pence, first, last))
    return sorted(spans, key=lambda span: span[2])


@dataclass
class _Bill:
    """One bill as the limit works it out: its id, its consumption rows and its lines so far."""

    bill_id: int
    consumption: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)


def _half_hourly_energy(rows: _Rows, bill: _Bill, point_id: int, tariff_id: int) -> list[_Line]:
    """Every half-hour's kWh at its own price, summed exactly and rounded once."""
    price_of = rows.prices[tariff_id]
    kwh = pence = Decimal(0)
    half_hours = 0
    for meter_id, _ in rows.meters_of[point_id]:
        half_hours += len(rows.intervals[meter_id])
        for interval_start, text in rows.intervals[meter_id]:
            interval_kwh = _as_decimal(text)
            kwh += interval_kwh
            pence += interval_kwh * price_of[interval_start]
    position = len(bill.consumption) + 1
    serials = ", ".join(serial for _, serial in rows.meters_of[point_id])
    no_readings = (None, None, None, None, "", "")
    bill.consumption.append(
        (bill.bill_id, point_id, None, serials, "HALF_HOURLY", *no_readings, kwh, "kWh", *NO_GAS, kwh, position)
    )
    rate = (pence / kwh / 100).quantize(RATE_PLACES, rounding=ROUND_HALF_UP) if kwh else Decimal(0)
    sources = {"consumption": [position], "unit_rate": "half-hourly", "half_hours": half_hours}
    description = "Electricity used, half-hourly prices"
    return [_Line(point_id, "ENERGY", description, kwh, "kWh", rate, _pennies(pence / 100), None, sources)]


def _register_energy(rows: _Rows, bill: _Bill, point_id: int, tariff_id: int, start: date, end: date) -> list[_Line]:
    """Each register's advance, its kWh shared pro rata by days among the unit rates in force (the last part takes
    the remainder)."""
    days = (end - start).days
    two_rate = rows.structures[tariff_id] == "TWO_RATE"
    energy = []
    for register_id, meter_id, rate_name, digits in rows.registers_of[point_id]:
        (_, start_id, start_value, start_kind), *_, (_, end_id, end_value, end_kind) = sorted(
            rows.readings[register_id]
        )
        units = end_value - start_value
        if units < 0:
            units += Decimal(10) ** digits
        band = rate_name if two_rate else "STANDARD"
        position = len(bill.consumption) + 1
        read = (start_id, end_id, start_value, end_value, start_kind, end_kind)
        serial = rows.meters[meter_id][1]
        bill.consumption.append(
            (bill.bill_id, point_id, register_id, serial, rate_name, *read, units, "kWh", *NO_GAS, units, position)
        )
        spans = _spans(rows.unit_rates[(tariff_id, band)], start, end)
        remaining = units
        for index, (rate_id, pence, first, last) in enumerate(spans):
            part_days = (last - first).days
            share = remaining
            if index < len(spans) - 1:
                share = (units * part_days / days).quantize(WATT_HOUR, rounding=ROUND_HALF_UP)
                remaining -= share
            sources = {"consumption": [position], "readings": [start_id, end_id], "unit_rate": rate_id}
            sources["days"] = part_days
            rate = pence / 100
            description = f"Electricity used, {band.lower()}"
            energy.append(
                _Line(point_id, "ENERGY", description, share, "kWh", rate, _pennies(share * rate), None, sources)
            )
    return energy


def _supply_lines(rows: _Rows, bill: _Bill, supply: tuple[int, date, date | None], business: bool) -> None:
    """One supply point's energy and standing-charge lines at its VAT rate, and the levy for business use above
    de minimis."""
    point_id, valid_from, valid_to = supply
    start, end = max(PERIOD_START, valid_from), PERIOD_END if valid_to is None else min(PERIOD_END, valid_to)
    tariff_id = rows.agreements[point_id]
    if rows.structures[tariff_id] == "HALF_HOURLY":
        energy = _half_hourly_energy(rows, bill, point_id, tariff_id)
    else:
        energy = _register_energy(rows, bill, point_id, tariff_id, start, end)
    kwh = sum((line.quantity for line in energy), Decimal(0))
    vat = STANDARD_VAT if business and kwh / (end - start).days > DE_MINIMIS_KWH_PER_DAY else REDUCED_VAT
    label = f"Electricity, MPAN {rows.identifiers[point_id]}"
    bill.lines += [line._replace(description=f"{line.description}, {label}", vat_rate=vat) for line in energy]
    for rate_id, pence, first, last in _spans(rows.standing[tariff_id], start, end):
        days, rate = Decimal((last - first).days), pence / 100
        cited: dict[str, Any] = {"standing_charge": rate_id, "days": int(days)}
        bill.lines.append(
            _Line(point_id, "STANDING", "Standing charge", days, "days", rate, _pennies(days * rate), vat, cited)
        )
    if vat == STANDARD_VAT:  # business use above de minimis; at or below it counts as domestic (no levy)
        levy = _pennies(kwh * LEVY_POUNDS_PER_KWH)
        cited = {"levy_rate_from": "2026-04-01", "energy_lines": len(energy)}
        bill.lines.append(
            _Line(point_id, "LEVY", "Climate Change Levy", kwh, "kWh", LEVY_POUNDS_PER_KWH, levy, vat, cited)
        )


def _vat_lines(lines: Sequence[_Line]) -> list[_Line]:
    """One VAT line per rate, on the sum of the (rounded) lines at that rate, rounded once."""
    bases: dict[Decimal, Decimal] = defaultdict(Decimal)
    taxed: dict[Decimal, list[int]] = defaultdict(list)
    for position, line in enumerate(lines, start=1):
        if line.vat_rate is not None:
            bases[line.vat_rate] += line.amount
            taxed[line.vat_rate].append(position)
    return [
        _Line(
            None,
            "VAT",
            f"VAT at {rate * 100:.0f}%",
            base,
            "£",
            rate,
            _pennies(base * rate),
            None,
            {"lines": taxed[rate]},
        )
        for rate, base in sorted(bases.items())
    ]


def _compute(raw: dict[str, list[Any]]) -> _Written:
    """Every account's bill from the raw rows in one pass of plain Python: the lines, VAT, total and balance."""
    from django.db import connection

    ops = connection.ops
    issue_day = NOW.astimezone(LONDON).date()
    issued_at, issue_date = ops.adapt_datetimefield_value(NOW), ops.adapt_datefield_value(issue_day)
    period = (ops.adapt_datefield_value(PERIOD_START), ops.adapt_datefield_value(PERIOD_END))
    due = ops.adapt_datefield_value(issue_day + timedelta(days=14))
    bill_id, run_id = raw["last_bill_id"][0][0], raw["last_run_id"][0][0] + 1
    rows = _indexed(raw)
    written = _Written(run=(run_id, period[1], "", "RUNNING", issued_at, len(raw["accounts"]), "bench/bill_run.py"))
    for account_id, number, customer_id in raw["accounts"]:
        bill_id += 1
        bill = _Bill(bill_id)
        for supply in rows.supplies[account_id]:
            _supply_lines(rows, bill, supply, business=rows.customer_kinds[customer_id] == "ORGANISATION")
        for charge_id, amount, description in rows.additional[account_id]:
            sources = {"additional_charge": charge_id}
            bill.lines.append(
                _Line(None, "ADDITIONAL", description, Decimal(1), "charge", amount, amount, STANDARD_VAT, sources)
            )
        bill.lines += _vat_lines(bill.lines)
        total = sum((line.amount for line in bill.lines), Decimal("0.00"))
        previous = rows.balances.get(account_id, Decimal("0.00"))
        reference = f"INV-{number}-{PERIOD_START:%Y%m%d}"
        written.totals[account_id] = total
        balance = (previous, Decimal("0.00"), previous + total)
        issued = (issued_at, issue_date, due, "ISSUED", False, False)
        written.bills.append((bill_id, account_id, reference, *period, *issued, total, *balance, run_id, ""))
        written.consumption += bill.consumption
        written.lines += [
            (bill_id, position, *line[:8], json.dumps(line.sources))
            for position, line in enumerate(bill.lines, start=1)
        ]
        written.ledger.append((account_id, "CHARGE", total, issued_at, f"Bill {reference}", "", bill_id, ""))
        written.items.append((run_id, account_id, period[0], "BILLED", "", bill_id, issued_at))
    return written


def _write_raw(written: _Written) -> float:
    """Insert the computed rows into the real tables (same indexes and constraints) in one transaction, rolled back.

    The fastest plain way each database offers, as bench/ingest.py measures it: COPY on PostgreSQL (ten times
    executemany there, which waits for each row), executemany on SQLite.
    """
    from django.db import connection, transaction

    from hearth.data.billing.models import Bill, BillConsumption, BillLine, BillRun, BillRunItem, LedgerEntry

    statements = [
        (BillRun, "id, as_of_date, account_number, status, started_at, accounts_total, started_by", [written.run]),
        (
            Bill,
            "id, account_id, reference, period_start_date, period_end_date, issued_at, issue_date, due_date, status, "
            "is_estimated, is_final, total, previous_balance, payments_and_credits, balance_carried_forward, run_id, "
            "cancel_reason",
            written.bills,
        ),
        (
            BillConsumption,
            "bill_id, supply_point_id, register_id, meter_serial_number, band, start_reading_id, end_reading_id, "
            "start_value, end_value, start_kind, end_kind, units, unit, volume_m3, correction_factor, calorific_value, "
            "kwh, position",
            written.consumption,
        ),
        (
            BillLine,
            "bill_id, position, supply_point_id, kind, description, quantity, unit, rate, amount, vat_rate, sources",
            written.lines,
        ),
        (
            LedgerEntry,
            "account_id, kind, amount, posted_at, description, reason, bill_id, external_reference",
            written.ledger,
        ),
        (
            BillRunItem,
            "run_id, account_id, period_start_date, outcome, reason, bill_id, recorded_at",
            written.items,
        ),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        for model, columns, rows in statements:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns.split(",")))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
        # Foreign keys are deferred to the commit, which never comes: check them here, as the commit would.
        connection.check_constraints(table_names=[model._meta.db_table for model, _, _ in statements])
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def _limit() -> tuple[dict[str, Any], dict[int, Decimal]]:
    """The limit's figures, and each account's total for the cross-check (the rows themselves are let go)."""
    started = time.perf_counter()
    raw = _read_raw()
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    written = _compute(raw)
    compute_s = time.perf_counter() - started
    write_s = _write_raw(written)
    seconds = read_s + compute_s + write_s
    figures = {
        "read_s": round(read_s, 3),
        "compute_s": round(compute_s, 3),
        "write_s": round(write_s, 3),
        "seconds": round(seconds, 3),
        "bills_per_s": round(len(written.bills) / seconds, 1),
        "rows_read": sum(len(rows) for rows in raw.values()),
        "rows_written": {
            "bills": len(written.bills),
            "lines": len(written.lines),
            "consumption": len(written.consumption),
            "ledger": len(written.ledger),
            "run_items": len(written.items),
        },
    }
    return figures, written.totals


def _vacuum_billing_tables() -> None:
    """PostgreSQL: clear the dead rows the rolled-back write left, so the run starts on clean tables."""
    from django.db import connection

    from hearth.data.billing.models import Bill, BillConsumption, BillLine, BillRun, BillRunItem, LedgerEntry

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (BillRun, Bill, BillConsumption, BillLine, LedgerEntry, BillRunItem):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


# --- The bill run ------------------------------------------------------------------------------------------------


def _bill_run(chunk_size: int) -> tuple[dict[str, Any], Any]:
    """The run as the command runs it without a broker; queries recorded after each account, time after each chunk."""
    from django.db import connection

    from hearth.domain.billing import runs as billing_runs

    counter = support.QueryCounter()
    marks: list[tuple[int, float]] = []
    chunk_ends: list[tuple[int, float]] = []  # accounts done and the time, as each chunk commits

    def progress(_: int) -> None:
        marks.append((counter.count, time.perf_counter()))

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        run = billing_runs.start_run(
            as_of_date=PERIOD_END, account_number="", started_by="bench/bill_run.py", now=NOW, with_pdf=False
        )
        account_ids = billing_runs.accounts_of(run, with_pdf=False)
        marks.append((counter.count, time.perf_counter()))
        start_queries = counter.count
        chunk_ends.append((0, time.perf_counter()))
        for first in range(0, len(account_ids), chunk_size):
            billing_runs.bill_accounts(
                run=run, account_ids=account_ids[first : first + chunk_size], now=NOW, with_pdf=False, progress=progress
            )
            chunk_ends.append((len(marks) - 1, time.perf_counter()))
        before_finish = counter.count
        summary = billing_runs.finish_run(run=run, now=NOW)
        seconds = time.perf_counter() - started
        finish_queries = counter.count - before_finish
    if summary.failed:
        for failure in summary.failed[:5]:
            print(f"failed: account {failure.account_number}: {failure.reason}", file=sys.stderr)
        sys.exit(f"{len(summary.failed)} of {len(account_ids)} accounts failed to bill; the figures would mislead.")
    # A chunk's queries all land on its first account (its accounts are recorded as it commits), so queries are
    # averaged over a part of the run, never read per account.
    queries = [later[0] - earlier[0] for earlier, later in itertools.pairwise(marks)]
    quarter = len(account_ids) // 4
    sizes = {
        name: {"accounts": len(counts), "queries_per_account": round(sum(counts) / len(counts), 2)}
        for name, counts in (("first_quarter", queries[:quarter]), ("remaining", queries[quarter:]))
    }
    figures = {
        "seconds": round(seconds, 3),
        "bills": summary.billed,
        "skipped": summary.skipped_count,
        "bills_per_s": round(summary.billed / seconds, 1),
        "chunk_size": chunk_size,
        "queries_total": counter.count,
        "queries_start_run": start_queries,
        "queries_finish_run": finish_queries,
        "queries_per_account_overall": round(sum(queries) / len(account_ids), 2),
        "queries_at_two_sizes": sizes,
        "bills_per_s_by_tenth": _by_tenth(chunk_ends),
    }
    return figures, run


def _by_tenth(chunk_ends: Sequence[tuple[int, float]]) -> list[float]:
    """Accounts a second in each tenth of the run's chunks (each chunk's accounts are recorded as it commits, so
    only whole chunks can be timed); fewer figures when the run has fewer than ten chunks."""
    chunks = list(itertools.pairwise(chunk_ends))
    groups = min(10, len(chunks))
    rates = []
    for group in range(groups):
        part = chunks[group * len(chunks) // groups : (group + 1) * len(chunks) // groups]
        rates.append(round((part[-1][1][0] - part[0][0][0]) / (part[-1][1][1] - part[0][0][1]), 1))
    return rates


def _cross_check(run: Any, limit: dict[str, Any], limit_totals: dict[int, Decimal]) -> dict[str, Any]:
    """Whether the run's bills and the limit's agree to the penny and in number of rows: the limit did the same work."""
    from hearth.data.billing.models import Bill, BillConsumption, BillLine, LedgerEntry

    totals = dict(Bill.objects.filter(run=run).values_list("account_id", "total"))
    differing = [
        (account_id, totals.get(account_id), total)
        for account_id, total in limit_totals.items()
        if totals.get(account_id) != total
    ]
    for account_id, by_run, by_limit in differing[:3]:
        print(f"totals differ: account id {account_id}: run {by_run}, limit {by_limit}", file=sys.stderr)
    written = limit["rows_written"]
    return {
        "totals_equal": len(limit_totals) - len(differing),
        "totals_differ": len(differing),
        "lines_run_vs_limit": [BillLine.objects.filter(bill__run=run).count(), written["lines"]],
        "consumption_run_vs_limit": [BillConsumption.objects.filter(bill__run=run).count(), written["consumption"]],
        "ledger_run_vs_limit": [LedgerEntry.objects.filter(bill__run=run).count(), written["ledger"]],
    }


# --- The PDF stage -----------------------------------------------------------------------------------------------


def _pdf_stage(run: Any, sample_size: int) -> dict[str, Any]:
    """The run's PDF step, attach_invoices over chunks of the run's bills as bill_accounts calls it (gather the
    chunk's rows, compile each bill, store the chunk in one transaction), and attach_invoice for one bill at a time,
    each beside a bare compile of as many other bills' inputs.

    Typst memoises across compiles, so compiling a bill's input twice makes the second one nearly free: the bare
    compiles therefore take other bills of the same mix (every third bill of the run), each compiled once, chunk by
    chunk interleaved with the attach calls so all see the same warm caches. Afterwards (untimed) each attached bill's
    input is compiled bare and compared with its stored document. ``gather_ms_per_bill`` is what reading one bill's
    rows into the Typst input (invoice_of and typst_input) costs, timed while the bare inputs are made.
    """
    from django.db import connection

    from hearth.data.billing.models import Bill
    from hearth.domain.billing import invoice as billing_invoice
    from hearth.domain.billing import runs as billing_runs
    from hearth.domain.documents import printing as documents_printing

    bills = list(Bill.objects.filter(run=run).order_by("id"))
    count = min(sample_size, (len(bills) - 1) // 3)
    chosen = bills[1:][:: max(1, (len(bills) - 1) // (3 * count))][: 3 * count]
    bare_bills, chunked_bills, single_bills = chosen[0::3], chosen[1::3], chosen[2::3]
    started = time.perf_counter()
    inputs = [billing_invoice.typst_input(billing_invoice.invoice_of(bill)) for bill in bare_bills]
    gather = time.perf_counter() - started
    compiler = documents_printing.compiler(billing_invoice.TEMPLATES / "invoice.typ")
    warm_input = billing_invoice.typst_input(billing_invoice.invoice_of(bills[0]))
    compiler.compile(sys_inputs={"invoice": warm_input})  # fonts loaded once, as the engine's kept compiler does
    billing_invoice.render_invoice_pdf(bills[0])
    chunk = billing_runs.PDF_CHUNK_SIZE
    chunked_queries, single_queries = support.QueryCounter(), support.QueryCounter()
    bare = chunked = single = 0.0
    cpu = {"bare": 0.0, "chunked": 0.0, "single": 0.0}
    documents: dict[int, Any] = {}
    for first in range(0, count, chunk):
        started, cpu_started = time.perf_counter(), time.process_time()
        for data in inputs[first : first + chunk]:
            compiler.compile(sys_inputs={"invoice": data})
        bare += time.perf_counter() - started
        cpu["bare"] += time.process_time() - cpu_started
        with connection.execute_wrapper(chunked_queries):
            started, cpu_started = time.perf_counter(), time.process_time()
            documents |= billing_invoice.attach_invoices(bills=chunked_bills[first : first + chunk], now=NOW)
            chunked += time.perf_counter() - started
            cpu["chunked"] += time.process_time() - cpu_started
        with connection.execute_wrapper(single_queries):
            started, cpu_started = time.perf_counter(), time.process_time()
            for bill in single_bills[first : first + chunk]:
                documents[bill.pk] = billing_invoice.attach_invoice(bill=bill, now=NOW)
            single += time.perf_counter() - started
            cpu["single"] += time.process_time() - cpu_started
    failed = [f"{pk}: {result}" for pk, result in documents.items() if isinstance(result, Exception)]
    if failed:
        raise RuntimeError(f"{len(failed)} invoices failed, first {failed[0]}")
    same = 0
    for bill in chunked_bills + single_bills:
        pdf = compiler.compile(sys_inputs={"invoice": billing_invoice.typst_input(billing_invoice.invoice_of(bill))})
        same += isinstance(pdf, bytes) and hashlib.sha256(pdf).hexdigest() == documents[bill.pk].sha256
    return {
        "sample": count,
        "chunk": chunk,
        "attach_chunk_ms_per_bill": round(1000 * chunked / count, 2),
        "attach_one_ms_per_bill": round(1000 * single / count, 2),
        "bare_compile_ms_per_bill": round(1000 * bare / count, 2),
        "gather_one_ms_per_bill": round(1000 * gather / count, 2),
        "chunk_rest_ms_per_bill": round(1000 * (chunked - bare) / count, 2),
        "ratio": round(chunked / bare, 3),
        "ratio_attach_one": round(single / bare, 3),
        "cpu_ratio": round(cpu["chunked"] / cpu["bare"], 3),
        "cpu_ratio_attach_one": round(cpu["single"] / cpu["bare"], 3),
        "target_ratio": TARGET_PDF_RATIO,
        "queries_per_bill_chunked": round(chunked_queries.count / count, 2),
        "queries_per_bill_one": round(single_queries.count / count, 2),
        "same_bytes_as_bare": same,
        "compared": 2 * count,
        "pdf_kb_mean": round(sum(documents[bill.pk].size_bytes for bill in chunked_bills) / count / 1024, 1),
    }


def _readable(result: dict[str, Any]) -> Iterator[str]:
    run, limit, pdf, two = result["run"], result["limit"], result["pdf"], result["run"]["queries_at_two_sizes"]
    yield (
        f"{result['accounts']} accounts on {result['database']} ({result['mix']}), "
        f"{result['interval_rows']:,} half-hours, set up in {result['setup_seconds']} s"
    )
    yield (
        f"bill run, no PDFs: {run['seconds']} s, {run['bills_per_s']} bills/s ({run['bills']} bills); bills/s by tenth "
        f"of its chunks {run['bills_per_s_by_tenth']}"
    )
    yield (
        f"limit: read {limit['read_s']} s + arithmetic {limit['compute_s']} s ({limit['arithmetic']}) + write "
        f"{limit['write_s']} s = {limit['seconds']} s, {limit['bills_per_s']} bills/s"
    )
    yield f"ratio run / limit: {result['ratio']} (aim <= {TARGET_RATIO})"
    yield f"cross-check: {result['cross_check']}"
    yield (
        f"queries per account: first quarter {two['first_quarter']['queries_per_account']} "
        f"({two['first_quarter']['accounts']} accounts), remaining {two['remaining']['queries_per_account']} "
        f"({two['remaining']['accounts']})"
    )
    yield (
        f"PDF: {pdf['error']}"
        if "error" in pdf
        else (
            f"PDF: attach_invoices over chunks of {pdf['chunk']} {pdf['attach_chunk_ms_per_bill']} ms/bill "
            f"({pdf['queries_per_bill_chunked']} queries/bill), bare Typst {pdf['bare_compile_ms_per_bill']} ms/bill, "
            f"ratio {pdf['ratio']} (aim <= {TARGET_PDF_RATIO}; in this process's CPU time {pdf['cpu_ratio']}); "
            f"attach_invoice one bill at a time {pdf['attach_one_ms_per_bill']} ms/bill "
            f"({pdf['queries_per_bill_one']} queries/bill), ratio {pdf['ratio_attach_one']} (CPU "
            f"{pdf['cpu_ratio_attach_one']}); {pdf['same_bytes_as_bare']}/{pdf['compared']} byte-identical to a bare "
            f"compile; gathering one bill's rows alone {pdf['gather_one_ms_per_bill']} ms/bill"
        )
    )
    yield f"memory (MB): {result['memory']}"
    yield (
        f"at {run['bills_per_s']} bills/s: 10,000 accounts in {result['projected_seconds']['10000']} s, 100,000 in "
        f"{result['projected_seconds']['100000']} s (target under 60 s)"
    )


def main() -> None:
    arguments = _arguments()
    rng = random.Random(arguments.seed)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as scratch:
        support.set_up_django(Path(scratch), script="bill_run.py", environment={"HEARTH_DEBUG": "0"})
        from django.db import connection

        from hearth.domain.billing import runs as billing_runs

        chunk_size = arguments.chunk_size or billing_runs.CHUNK_SIZE
        started = time.perf_counter()
        tariffs = _tariffs()
        kinds = _kinds(arguments, rng)
        interval_rows = _accounts(kinds, tariffs, arguments.business_every, rng)
        _analyze()
        setup_seconds = time.perf_counter() - started
        from hearth.common import processes

        # As `hearth bill_run` and each worker process do before billing, done here before the limit too, so that both
        # work in the same settled process: the objects alive now out of the collector's walks, which come less often.
        processes.settle_for_batch_work()
        (limit, limit_totals), limit_memory = support.stage_memory(_limit)
        limit["arithmetic"] = "plain Python Decimal over lists (numpy is not installed)"
        limit["write"] = (
            f"{'COPY' if connection.vendor == 'postgresql' else 'executemany'} into the real tables, one transaction "
            "with its foreign keys checked, rolled back"
        )
        _vacuum_billing_tables()
        (run_figures, run), run_memory = support.stage_memory(lambda: _bill_run(chunk_size))
        cross_check = _cross_check(run, limit, limit_totals)
        if arguments.pdf_sample < 1:
            pdf, pdf_memory = {"error": "not measured (--pdf-sample 0)"}, {}
        else:
            try:
                pdf, pdf_memory = support.stage_memory(lambda: _pdf_stage(run, arguments.pdf_sample))
            except Exception as exc:  # the figures above still stand; say why this one is missing
                pdf, pdf_memory = {"error": f"{type(exc).__name__}: {exc}"}, {}

        rate = run_figures["bills_per_s"]
        result = {
            "benchmark": "bill_run",
            "database": connection.vendor,
            "accounts": arguments.accounts,
            "mix": {kind: kinds.count(kind) for kind in (SINGLE_RATE, ECONOMY_7, HALF_HOURLY)}
            | {"business": sum(1 for index in range(len(kinds)) if (index + 1) % arguments.business_every == 0)},
            "interval_rows": interval_rows,
            "setup_seconds": round(setup_seconds, 1),
            "run": run_figures,
            "limit": limit,
            "ratio": round(run_figures["seconds"] / limit["seconds"], 2),
            "target_ratio": TARGET_RATIO,
            "cross_check": cross_check,
            "pdf": pdf,
            "memory": {
                "limit": limit_memory,
                "run": run_memory,
                "pdf": pdf_memory,
                "process_max_rss_mb": support.process_max_rss_mb(),
            },
            "projected_seconds": {str(size): round(size / rate, 1) for size in (10_000, 100_000)},
        }
        for line in _readable(result):
            print(line)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
