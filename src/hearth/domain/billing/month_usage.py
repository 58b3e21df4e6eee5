"""What an account used this month and last month, in kWh and in pounds, for the portal's dashboard.

The kWh come from what the meters told us: a month's half-hours where the meter sends them (smart and AMR meters),
else the advance of each register between the latest reading at or before the month's start and the latest reading
inside the month (actual, customer or estimated; an estimate makes the month estimated). The pounds are those kWh
and the standing charge for the days they cover, priced by the billing core (:mod:`calculation`) with the tariff in
force on each day, VAT included: what a bill for those days would charge. Nothing is stored: the dashboard only
reads, so a month without a reading inside it has no figures yet (the customer is asked for a reading instead).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from hearth.common import calendar
from hearth.common.money import to_pennies
from hearth.data.accounts.models import Account, Customer, Fuel, Supply, SupplyPoint
from hearth.data.metering.models import IntervalConsumption, Meter, Register, RegisterReading
from hearth.data.tariffs.models import Agreement, Tariff
from hearth.domain.billing import calculation, sql
from hearth.domain.metering import conversion
from hearth.domain.tariffs import queries as tariff_queries

__all__ = ["MonthUsage", "UsageSummary", "usage_summary"]


@dataclass(frozen=True, slots=True)
class MonthUsage:
    """One calendar month's use: local days ``[start_date, end_date)`` covered by readings or half-hours, the kWh,
    and the cost with VAT; ``start_date`` is None when nothing is known for the month yet."""

    month: date
    start_date: date | None
    end_date: date | None
    kwh: Decimal
    cost: Decimal
    estimated: bool

    @property
    def days(self) -> int:
        if self.start_date is None or self.end_date is None:
            return 0
        return (self.end_date - self.start_date).days

    @property
    def known(self) -> bool:
        return self.days > 0

    @property
    def last_day(self) -> date | None:
        return None if self.end_date is None else self.end_date - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """This month so far and last month, and the change in the cost of a day between them (a part month and a whole
    one compare fairly only day by day)."""

    this_month: MonthUsage
    last_month: MonthUsage

    @property
    def months(self) -> tuple[MonthUsage, MonthUsage]:
        return self.this_month, self.last_month

    @property
    def comparable(self) -> bool:
        return self.this_month.known and self.last_month.known

    @property
    def daily_cost_change(self) -> Decimal:
        """This month's cost a day minus last month's, to the penny (0 unless both months are known)."""
        if not self.comparable:
            return Decimal("0.00")
        this = self.this_month.cost / self.this_month.days
        last = self.last_month.cost / self.last_month.days
        return to_pennies(this - last)


@dataclass(frozen=True, slots=True)
class _Reading:
    """An accepted register reading, as the month's advance needs it."""

    pk: int
    read_at: datetime
    value: Decimal
    kind: str


@dataclass
class _Reads:
    """Every row the two months need, read in a fixed number of queries."""

    supply_points: list[SupplyPoint]
    registers: dict[int, list[Register]]
    readings: dict[int, list[_Reading]]
    intervals: dict[int, list[tuple[datetime, Decimal]]]
    agreements: dict[int, list[Agreement]]
    unit_rates: dict[int, list[tariff_queries.PriceRow]]
    standing: dict[int, list[tariff_queries.PriceRow]]


def _read(account: Account, start_date: date, end_at: datetime) -> _Reads:
    """The rows by plain cursors into model instances (:mod:`sql`): Django took longer to build these small queries
    than the database took to answer them (ADR 0028)."""
    start_at = calendar.day_starts_at(start_date)
    since, until = sql.instant(start_at), sql.instant(end_at)
    supply_points, agreements = _points_and_agreements(account, since, until)
    point_ids = [point.pk for point in supply_points]
    registers: dict[int, list[Register]] = {}
    readings: dict[int, list[_Reading]] = {}
    intervals: dict[int, list[tuple[datetime, Decimal]]] = {}
    if point_ids:
        registers, readings = _registers_and_readings(point_ids, since, until)
        intervals = _intervals(point_ids, since, until)
    tariff_ids = {agreement.tariff_id for rows in agreements.values() for agreement in rows}
    unit_rates: dict[int, list[tariff_queries.PriceRow]] = {}
    standing: dict[int, list[tariff_queries.PriceRow]] = {}
    overlapping = Q(valid_from__lt=end_at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=start_at))
    for row in tariff_queries.price_rows(tariff_ids=tariff_ids, when=overlapping):
        (standing if row.band is None else unit_rates).setdefault(row.tariff_id, []).append(row)
    return _Reads(supply_points, registers, readings, intervals, agreements, unit_rates, standing)


def _points_and_agreements(
    account: Account, since: object, until: object
) -> tuple[list[SupplyPoint], dict[int, list[Agreement]]]:
    """The account's current supply points, each with its agreements over ``[since, until)`` and their tariffs (a
    LEFT JOIN: a point without one is kept), in one query."""
    point_of, agreement_of, tariff_of = (
        sql.reader(SupplyPoint, "p"),
        sql.reader(Agreement, "a"),
        sql.reader(Tariff, "t"),
    )
    overlapping, overlapping_params = sql.overlapping("a", since, until)
    rows = sql.select(
        f"SELECT {point_of.columns}, {agreement_of.columns}, {tariff_of.columns} "  # noqa: S608 - the models' tables
        f"FROM {SupplyPoint._meta.db_table} p JOIN {Supply._meta.db_table} s ON s.supply_point_id = p.id "
        f"LEFT JOIN {Agreement._meta.db_table} a ON a.supply_point_id = p.id AND {overlapping} "
        f"LEFT JOIN {Tariff._meta.db_table} t ON t.id = a.tariff_id "
        "WHERE s.account_id = %s AND s.valid_to IS NULL ORDER BY p.id, a.valid_from, a.id",
        [*overlapping_params, account.pk],
    )
    points: list[SupplyPoint] = []
    agreements: dict[int, list[Agreement]] = {}
    for row in rows:
        if not points or points[-1].pk != row[0]:
            points.append(point_of.build(row))
        if row[point_of.width] is not None:
            agreement = agreement_of.build(row, point_of.width)
            sql.attach(agreement, "tariff", tariff_of.build(row, point_of.width + agreement_of.width))
            agreements.setdefault(agreement.supply_point_id, []).append(agreement)
    return points, agreements


def _registers_and_readings(
    point_ids: list[int], since: object, until: object
) -> tuple[dict[int, list[Register]], dict[int, list[_Reading]]]:
    """The points' settlement registers on meters not removed before ``since`` (with their meters), by point, and
    each register's accepted readings to ``until``, oldest first: one query, the readings LEFT JOINed (a register
    without one is kept, and leaves its point without a register advance)."""
    register_of, meter_of, reading_of = (
        sql.reader(Register, "r"),
        sql.reader(Meter, "m"),
        sql.reader(RegisterReading, "rr"),
    )
    of_points, params = sql.among("m.supply_point_id", point_ids)
    rows = sql.select(
        f"SELECT {register_of.columns}, {meter_of.columns}, {reading_of.columns} "  # noqa: S608 - the models' tables
        f"FROM {Register._meta.db_table} r JOIN {Meter._meta.db_table} m ON m.id = r.meter_id "
        f"LEFT JOIN {RegisterReading._meta.db_table} rr ON rr.register_id = r.id AND rr.status = %s "
        "AND rr.read_at <= %s "
        f"WHERE r.is_settlement_register AND {of_points} AND (m.removed_at IS NULL OR m.removed_at > %s) "
        "ORDER BY m.installed_at, r.id, rr.read_at, rr.id",
        [RegisterReading.Status.ACCEPTED, until, *params, since],
    )
    registers: dict[int, list[Register]] = {}
    readings: dict[int, list[_Reading]] = {}
    first_reading = register_of.width + meter_of.width
    for row in rows:
        register_id = row[0]
        if register_id not in readings:
            register = register_of.build(row)
            meter = meter_of.build(row, register_of.width)
            sql.attach(register, "meter", meter)
            registers.setdefault(meter.supply_point_id, []).append(register)
            readings[register_id] = []
        if row[first_reading] is not None:
            reading = reading_of.build(row, first_reading)
            readings[register_id].append(_Reading(reading.pk, reading.read_at, reading.value, reading.kind))
    return registers, readings


def _intervals(point_ids: list[int], since: object, until: object) -> dict[int, list[tuple[datetime, Decimal]]]:
    """Each point's half-hours in ``[since, until)`` (start, kWh), in time order, in one query."""
    of_points, params = sql.among("m.supply_point_id", point_ids)
    interval_of = sql.reader(IntervalConsumption, "i")
    intervals: dict[int, list[tuple[datetime, Decimal]]] = {}
    for point_id, interval_start, kwh in sql.select(
        f"SELECT m.supply_point_id, i.interval_start, i.kwh "  # noqa: S608 - the models' tables
        f"FROM {IntervalConsumption._meta.db_table} i JOIN {Meter._meta.db_table} m ON m.id = i.meter_id "
        f"WHERE i.interval_start >= %s AND i.interval_start < %s AND {of_points} ORDER BY i.interval_start",
        [since, until, *params],
    ):
        intervals.setdefault(point_id, []).append(
            (interval_of.value("interval_start", interval_start), interval_of.value("kwh", kwh))
        )
    return intervals


def _local_days(valid_from: datetime, valid_to: datetime | None, start_date: date, end_date: date) -> tuple[date, date]:
    end = end_date if valid_to is None else min(end_date, calendar.local_date(valid_to))
    return max(start_date, calendar.local_date(valid_from)), end


def _spans(
    reads: _Reads, point_id: int, start_date: date, end_date: date, *, band: str | None
) -> list[calculation.RateSpan]:
    """The prices (unit rates of ``band``, or standing charges) of the tariffs in force over the days, as the
    billing core takes them."""
    spans = []
    for agreement in reads.agreements.get(point_id, ()):
        on_from, on_to = _local_days(agreement.valid_from, agreement.valid_to, start_date, end_date)
        rows: Sequence[tariff_queries.PriceRow] = (
            reads.standing.get(agreement.tariff_id, ())
            if band is None
            else [rate for rate in reads.unit_rates.get(agreement.tariff_id, ()) if rate.band == band]
        )
        for row in rows:
            begins, ends = _local_days(row.valid_from, row.valid_to, on_from, on_to)
            if begins < ends:
                spans.append(calculation.RateSpan(begins, ends, Decimal(row.value_exc_vat), row.pk))
    return spans


def _band(register: Register, tariff: Tariff | None) -> str:
    """A two-rate tariff charges the day and night registers at their own rates; every other tariff, one rate."""
    if tariff is not None and tariff.structure == Tariff.Structure.TWO_RATE:
        return str(register.rate)
    return calculation.STANDARD_BAND


def _kwh(register: Register, fuel: str, start: _Reading, end: _Reading) -> Decimal:
    units = Decimal(end.value) - Decimal(start.value)
    if units < 0:  # the dial went round
        units += Decimal(10) ** register.digits
    if fuel != Fuel.GAS:
        return units
    imperial = register.meter.gas_units == Meter.GasUnits.IMPERIAL
    return calculation.gas_kwh(units, conversion.default_calorific_value(), imperial).kwh


@dataclass(frozen=True, slots=True)
class _Energy:
    start_date: date
    end_date: date
    charges: tuple[calculation.EnergyCharge, ...]
    estimated: bool


def _register_energy(
    reads: _Reads, point: SupplyPoint, tariff: Tariff | None, month: date, end_at: datetime
) -> _Energy | None:
    """Each register's advance from its latest reading at or before the month's start to its latest in the month."""
    month_at = calendar.day_starts_at(month)
    pieces: list[tuple[Register, _Reading, _Reading]] = []
    for register in reads.registers.get(point.pk, ()):
        readings = reads.readings.get(register.pk, [])
        start = next((r for r in reversed(readings) if r.read_at <= month_at), None)
        end = next((r for r in reversed(readings) if month_at < r.read_at <= end_at), None)
        if start is None or end is None:
            return None
        pieces.append((register, start, end))
    if not pieces:
        return None
    start_date = max(calendar.local_date(start.read_at) for _, start, _ in pieces)
    end_date = min(calendar.local_date(end.read_at) for _, _, end in pieces)
    if end_date <= start_date:
        return None
    charges: list[calculation.EnergyCharge] = []
    for register, start, end in pieces:
        band = _band(register, tariff)
        charges += calculation.split_by_rates(
            kwh=_kwh(register, point.fuel, start, end),
            start_date=start_date,
            end_date=end_date,
            band=band,
            rates=_spans(reads, point.pk, start_date, end_date, band=band),
            sources={"readings": [start.pk, end.pk]},
        )
    estimated = any(r.kind == RegisterReading.Kind.ESTIMATED for _, start, end in pieces for r in (start, end))
    return _Energy(start_date, end_date, tuple(charges), estimated)


def _interval_energy(reads: _Reads, point: SupplyPoint, tariff: Tariff | None, month: date) -> _Energy | None:
    """The month's half-hours, banded by Economy 7's night window or at one rate, from its first to last day."""
    month_at, next_at = calendar.day_starts_at(month), calendar.day_starts_at(calendar.next_month_start(month))
    half_hours = [(at, kwh) for at, kwh in reads.intervals.get(point.pk, ()) if month_at <= at < next_at]
    if not half_hours or (tariff is not None and tariff.structure not in _PRICED_BY_BAND):
        return None
    start_date = calendar.local_date(half_hours[0][0])
    end_date = calendar.local_date(half_hours[-1][0]) + timedelta(days=1)
    if tariff is not None and tariff.structure == Tariff.Structure.TWO_RATE:
        assert tariff.night_starts_at is not None  # a database constraint
        assert tariff.night_ends_at is not None
        bands = calculation.economy_7_bands(night_starts_at=tariff.night_starts_at, night_ends_at=tariff.night_ends_at)
        charges = calculation.time_of_use_charges(
            intervals=half_hours,
            bands=bands,
            rates={b.name: _spans(reads, point.pk, start_date, end_date, band=b.name) for b in bands},
        )
    else:
        charges = calculation.split_by_rates(
            kwh=sum((kwh for _, kwh in half_hours), Decimal(0)),
            start_date=start_date,
            end_date=end_date,
            band=calculation.STANDARD_BAND,
            rates=_spans(reads, point.pk, start_date, end_date, band=calculation.STANDARD_BAND),
            sources={"half_hours": len(half_hours)},
        )
    return _Energy(start_date, end_date, tuple(charges), False)


_PRICED_BY_BAND = (Tariff.Structure.SINGLE_RATE, Tariff.Structure.TWO_RATE)
"""Structures priced here; a time-of-use or dynamic tariff's month is left to its bill."""


def _tariff_at(reads: _Reads, point_id: int, at: datetime) -> Tariff | None:
    return next(
        (
            a.tariff
            for a in reversed(reads.agreements.get(point_id, ()))
            if a.valid_from <= at and (a.valid_to is None or a.valid_to > at)
        ),
        None,
    )


def _month(reads: _Reads, month: date, end_at: datetime, *, is_business: bool) -> MonthUsage:
    supplies: list[calculation.SupplyCharges] = []
    first: date | None = None
    last: date | None = None
    estimated = False
    month_end_at = min(end_at, calendar.day_starts_at(calendar.next_month_start(month)))
    for point in reads.supply_points:
        tariff = _tariff_at(reads, point.pk, month_end_at - timedelta(microseconds=1))
        energy = _interval_energy(reads, point, tariff, month) or _register_energy(
            reads, point, tariff, month, month_end_at
        )
        if energy is None:
            continue
        try:
            standing = calculation.standing_days(
                start_date=energy.start_date,
                end_date=energy.end_date,
                rates=_spans(reads, point.pk, energy.start_date, energy.end_date, band=None),
            )
        except calculation.BillingCalculationError:
            continue
        days = (energy.end_date - energy.start_date).days
        kwh = sum((charge.kwh for charge in energy.charges), Decimal(0))
        supplies.append(
            calculation.SupplyCharges(
                fuel=calculation.Fuel(point.fuel.lower()),
                is_business=is_business,
                label=str(point),
                energy=energy.charges,
                standing=standing,
                daily_average_kwh=kwh / days,
            )
        )
        first = energy.start_date if first is None else min(first, energy.start_date)
        last = energy.end_date if last is None else max(last, energy.end_date)
        estimated = estimated or energy.estimated
    if not supplies:
        return MonthUsage(month, None, None, Decimal(0), Decimal("0.00"), False)
    lines = calculation.bill_lines(supplies)
    kwh = sum((charge.kwh for supply in supplies for charge in supply.energy), Decimal(0))
    return MonthUsage(month, first, last, kwh, calculation.bill_total(lines), estimated)


def usage_summary(account: Account, *, now: datetime) -> UsageSummary:
    """This month so far and last month of the account's current supply points (local months, UK time).

    A month whose prices leave a day unpriced, or whose tariff is time-of-use or dynamic, has no figures here (its
    bill has them). Four queries whatever the number of readings or half-hours.
    """
    this = calendar.local_date(now).replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    reads = _read(account, last, now)
    is_business = account.customer.kind == Customer.Kind.ORGANISATION
    months = []
    for month in (this, last):
        try:
            months.append(_month(reads, month, now, is_business=is_business))
        except calculation.BillingCalculationError:
            months.append(MonthUsage(month, None, None, Decimal(0), Decimal("0.00"), False))
    return UsageSummary(this_month=months[0], last_month=months[1])
