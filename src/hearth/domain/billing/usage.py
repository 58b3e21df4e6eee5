"""What a supply point used over a bill period: register advances from readings, or half-hours from interval data.

A bill period is local days ``[start_date, end_date)``; it ends at local (Europe/London) midnight at the start of
``end_date``. For each settlement register of each meter fitted during the period:

- **Start**: the end reading the register had on the latest issued bill ending on or before ``start_date`` (so bills
  chain without gap or overlap, even when that reading was an estimate), else its opening (or first) accepted reading.
- **End**: the best accepted reading in the :data:`END_READING_WINDOW` up to the period end, actual or final over
  customer over the rest, nearest to the end; for a meter removed inside the period, its final reading (the new
  meter starts at its opening reading: one advance per meter).
- **Estimate**: with no such reading, Hearth stores an estimated reading at the period end: the start reading plus
  the supply point's annual consumption times the share of the year between them by the seasonal profile
  (:mod:`hearth.common.profile`). The next bill starts from it and the next actual reading trues it up, down as well as
  up: a fall from an over-estimate is a negative advance, not the dial going round.
- **Roll-over**: an end below the start between two readings taken from the dial means the dial went round past
  ``10 ** digits``.

Gas volumes become kWh through :func:`calculation.gas_kwh` with the default calorific value (daily values by
distribution zone are not held yet).
"""

import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.db.models import QuerySet

from hearth.common import profile
from hearth.common.calendar import LONDON, day_starts_at, local_date
from hearth.data.accounts.models import Fuel, SupplyPoint
from hearth.data.billing.models import Bill, BillConsumption
from hearth.data.metering.models import IntervalConsumption, Meter, Register, RegisterReading
from hearth.domain.billing import calculation, sql
from hearth.domain.metering import conversion
from hearth.domain.metering import readings as metering_readings

__all__ = [
    "END_READING_WINDOW",
    "MeterHistory",
    "ReadingUsed",
    "RegisterAdvance",
    "UsageUnavailable",
    "gather_meter_history",
    "half_hour_starts",
    "has_estimated_half_hours",
    "interval_usage",
    "register_advances",
]

END_READING_WINDOW: Final = timedelta(days=7)
"""How many local days before the period end a reading may be taken and still end the period (not an estimate).

Counted in local days, so a clock change inside them moves the window's start by an hour, not a reading's day.
"""

HALF_HOUR: Final = timedelta(minutes=30)

KWH_QUANTUM: Final = Decimal("0.001")
"""Advances and kWh are kept to the watt-hour, as ``BillConsumption`` stores them."""

KWH_PLACES: Final = 4
"""Interval kWh are stored to four places: read as whole ten-thousandths of a kWh."""

Kind = RegisterReading.Kind

FROM_THE_DIAL: Final = frozenset({Kind.ACTUAL, Kind.FINAL, Kind.OPENING, Kind.CUSTOMER})
"""Readings someone took from the meter: between two of them a fall can only be the dial going round."""

_END_PREFERENCE: Final = {Kind.ACTUAL: 0, Kind.FINAL: 0, Kind.CUSTOMER: 1}
"""Lower is better; every other kind ranks after these."""

_GAS_UNIT: Final = {Meter.GasUnits.METRIC: "m3", Meter.GasUnits.IMPERIAL: "hcf"}


class UsageUnavailable(Exception):
    """The usage cannot be worked out; the message says what is missing, in words care staff understand."""


@dataclass(frozen=True, slots=True)
class ReadingUsed:
    """A reading a bill used, as printed: when, what the dial said, and its kind (``RegisterReading.Kind``)."""

    reading_id: int
    read_at: datetime
    value: Decimal
    kind: str


@dataclass(frozen=True, slots=True)
class RegisterAdvance:
    """The units one register advanced between two readings, and their kWh (with the gas conversion steps)."""

    supply_point_id: int
    meter_id: int
    meter_serial_number: str
    register_id: int
    band: str
    start: ReadingUsed
    end: ReadingUsed
    units: Decimal
    unit: str
    kwh: Decimal
    gas: calculation.GasConversion | None
    start_date: date
    end_date: date

    @property
    def estimated(self) -> bool:
        """Whether either reading was estimated (or deemed): the bill must say so."""
        return self.start.kind not in FROM_THE_DIAL or self.end.kind not in FROM_THE_DIAL


def _unit_of(meter: Meter) -> str:
    """What the meter counts: kWh, or for gas m3 or hcf (hundreds of cubic feet)."""
    return _GAS_UNIT.get(Meter.GasUnits(meter.gas_units), "kWh") if meter.gas_units else "kWh"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _days(start_date: date, end_date: date) -> str:
    return f"{_day(start_date)} to {_day(end_date - timedelta(days=1))}"


def _show(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _used(reading: RegisterReading) -> ReadingUsed:
    return ReadingUsed(
        reading_id=reading.pk, read_at=reading.read_at, value=Decimal(reading.value), kind=str(reading.kind)
    )


def _name(register: Register) -> str:
    return f"meter {register.meter.serial_number} register {register.identifier}"


def _accepted(register: Register) -> QuerySet[RegisterReading]:
    return RegisterReading.objects.filter(register=register, status=RegisterReading.Status.ACCEPTED)


@dataclass(frozen=True, slots=True)
class UsageWindow:
    """A supply point whose usage a bill needs over the local days ``[start_date, end_date)``."""

    supply_point_id: int
    start_date: date
    end_date: date


@dataclass
class MeterHistory:
    """What the usage rules read of some supply points' meters, gathered in a fixed number of queries.

    Gathered for a whole chunk of bills at once (or for one supply point), so that the rules below pick each bill's
    readings from memory: the meters fitted in the periods with all their registers, each settlement register's end
    readings on earlier issued bills (latest first), its accepted readings that can start or end a period, and,
    once :meth:`load_intervals` is asked, the half-hours of the supply points billed from them.
    ``before_estimate`` is called before an estimate is stored (the batch path opens a savepoint there).
    """

    meters: dict[int, list[Meter]] = field(default_factory=dict)
    registers: dict[int, list[Register]] = field(default_factory=dict)
    billed_ends: dict[int, list[tuple[date, RegisterReading]]] = field(default_factory=dict)
    readings: dict[int, list[RegisterReading]] = field(default_factory=dict)
    intervals: dict[int, list[tuple[int, int, int, int, int]]] = field(default_factory=dict)
    origin: datetime | None = None
    before_estimate: Callable[[], None] | None = None
    _picked: tuple[tuple[int, int, int] | None, list[tuple[int, int, int, int, int]]] = (None, [])

    def meters_in(self, supply_point_id: int, start_at: datetime, end_at: datetime) -> list[Meter]:
        """The supply point's meters fitted at some time in ``[start_at, end_at)``, in the order they were fitted."""
        return [
            meter
            for meter in self.meters.get(supply_point_id, ())
            if meter.installed_at < end_at and (meter.removed_at is None or meter.removed_at > start_at)
        ]

    def settlement_registers(self, meter: Meter) -> list[Register]:
        return [register for register in self.registers.get(meter.pk, ()) if register.is_settlement_register]

    def accepted(self, register: Register) -> list[RegisterReading]:
        return self.readings.get(register.pk, [])

    def load_intervals(self, windows: Iterable[UsageWindow]) -> None:
        """Gather the half-hours of these supply points over their windows (one query), as plain numbers, each row as
        the driver made it: the supply point, the interval's half-hour counted from :attr:`origin` (the first
        window's first instant), its minutes, its kWh in ten-thousandths and whether it is estimated (1 or 0).
        Intervals marked missing are left out."""
        windows = list(windows)
        if not windows:
            return
        self.origin = day_starts_at(min(w.start_date for w in windows))
        at_points, point_params = sql.among("m.supply_point_id", sorted({w.supply_point_id for w in windows}))
        rows = sql.select(
            f"SELECT m.supply_point_id, {sql.half_hour_index('i.interval_start')}, i.interval_minutes, "  # noqa: S608
            f"{sql.in_units('i.kwh', KWH_PLACES)}, CASE WHEN i.quality = %s THEN 1 ELSE 0 END "
            f"FROM {IntervalConsumption._meta.db_table} i JOIN {Meter._meta.db_table} m ON m.id = i.meter_id "
            f"WHERE {at_points} AND i.interval_start >= %s AND i.interval_start < %s AND i.quality <> %s",
            [
                sql.instant(self.origin),
                IntervalConsumption.Quality.ESTIMATED,
                *point_params,
                sql.instant(self.origin),
                sql.instant(day_starts_at(max(w.end_date for w in windows))),
                IntervalConsumption.Quality.MISSING,
            ],
        )
        for row in rows:  # kept as the driver made them: no tuple of its own per half-hour
            self.intervals.setdefault(row[0], []).append(row)

    def intervals_in(self, supply_point_id: int, first: int, end: int) -> list[tuple[int, int, int, int, int]]:
        """The supply point's intervals in half-hours ``[first, end)`` counted from :attr:`origin` (picked once per
        window: a bill asks for them twice, for their estimates and their kWh)."""
        key = (supply_point_id, first, end)
        if self._picked[0] != key:
            picked = [row for row in self.intervals.get(supply_point_id, ()) if first <= row[1] < end]
            self._picked = (key, picked)
        return self._picked[1]

    def index_of(self, at: datetime) -> int:
        """The half-hour starting at ``at`` counted from :attr:`origin`."""
        if self.origin is None:
            raise ValueError("No half-hours were gathered.")
        return int((at - self.origin) / HALF_HOUR)


def gather_meter_history(windows: Sequence[UsageWindow]) -> MeterHistory:
    """The meters, registers and readings the rules need for these windows, in four queries whatever their number.

    Readings gathered for a register: those in the :data:`END_READING_WINDOW` of its period's end; every one up to
    the end when no earlier issued bill gives the start; and the final readings of a meter removed by the end.
    """
    history = MeterHistory()
    if not windows:
        return history
    by_supply_point: dict[int, UsageWindow] = {}
    for w in windows:  # a supply point twice (two supplies, two accounts) is gathered over both its windows
        seen = by_supply_point.get(w.supply_point_id, w)
        by_supply_point[w.supply_point_id] = UsageWindow(
            w.supply_point_id, min(seen.start_date, w.start_date), max(seen.end_date, w.end_date)
        )
    first_at = day_starts_at(min(w.start_date for w in windows))
    last_at = day_starts_at(max(w.end_date for w in windows))
    at_points, point_params = sql.among("t.supply_point_id", sorted(by_supply_point))
    meters = sql.objects(
        Meter,
        f"{at_points} AND t.installed_at < %s AND (t.removed_at IS NULL OR t.removed_at > %s)",
        [*point_params, sql.instant(last_at), sql.instant(first_at)],
        order_by="t.installed_at, t.id",
    )
    meter_window: dict[int, UsageWindow] = {}
    for meter in meters:
        history.meters.setdefault(meter.supply_point_id, []).append(meter)
        meter_window[meter.pk] = by_supply_point[meter.supply_point_id]
    if not meter_window:
        return history
    register_window: dict[int, UsageWindow] = {}
    removed: set[int] = set()
    for register in sql.objects(Register, *sql.among("t.meter_id", list(meter_window)), order_by="t.identifier, t.id"):
        history.registers.setdefault(register.meter_id, []).append(register)
        if register.is_settlement_register:
            window = meter_window[register.meter_id]
            register_window[register.pk] = window
    for meters_of_point in history.meters.values():
        for meter in meters_of_point:
            if meter.removed_at is not None and meter.removed_at <= day_starts_at(meter_window[meter.pk].end_date):
                removed.update(r.pk for r in history.registers.get(meter.pk, ()) if r.is_settlement_register)
    if not register_window:
        return history
    in_registers, register_params = sql.among("c.register_id", list(register_window))
    reading = sql.reader(RegisterReading, "r")
    bill = sql.reader(Bill, "b")
    billed = sql.select(
        f"SELECT c.register_id, b.period_end_date, {reading.columns} "  # noqa: S608 - the models' tables
        f"FROM {BillConsumption._meta.db_table} c JOIN {Bill._meta.db_table} b ON b.id = c.bill_id "
        f"JOIN {RegisterReading._meta.db_table} r ON r.id = c.end_reading_id "
        f"WHERE {in_registers} AND b.status = %s AND b.period_end_date <= %s "
        "ORDER BY b.period_end_date DESC, c.id DESC",
        [*register_params, Bill.Status.ISSUED, sql.day(max(w.start_date for w in windows))],
    )
    for row in billed:
        end_date = bill.value("period_end_date", row[1])
        history.billed_ends.setdefault(row[0], []).append((end_date, reading.build(row, 2)))
    unstarted = [
        register_id
        for register_id, window in register_window.items()
        if _billed_start(history, register_id, window.start_date) is None
    ]
    near_ends, near_params = sql.among("t.register_id", list(register_window))
    conditions = [f"({near_ends} AND t.read_at >= %s AND t.read_at <= %s)"]
    params: list[object] = [
        *near_params,
        sql.instant(day_starts_at(min(w.end_date for w in windows) - END_READING_WINDOW)),
        sql.instant(last_at),
    ]
    if unstarted:  # from the start
        from_start, start_params = sql.among("t.register_id", unstarted)
        conditions.append(f"({from_start} AND t.read_at < %s)")
        params += [*start_params, sql.instant(last_at)]
    if removed:  # finals
        finals, final_params = sql.among("t.register_id", sorted(removed))
        conditions.append(f"({finals} AND t.kind = %s AND t.read_at <= %s)")
        params += [*final_params, Kind.FINAL, sql.instant(last_at)]
    for row in sql.objects(
        RegisterReading,
        f"t.status = %s AND ({' OR '.join(conditions)})",
        [RegisterReading.Status.ACCEPTED, *params],
        order_by="t.read_at, t.id",
    ):
        history.readings.setdefault(row.register_id, []).append(row)
    return history


def _billed_start(history: MeterHistory, register_id: int, start_date: date) -> RegisterReading | None:
    """The end reading of the register on the latest issued bill ending on or before ``start_date``."""
    return next(
        (reading for end_date, reading in history.billed_ends.get(register_id, ()) if end_date <= start_date), None
    )


def _start_reading(history: MeterHistory, register: Register, start_date: date, end_at: datetime) -> RegisterReading:
    billed = _billed_start(history, register.pk, start_date)
    if billed is not None:
        return billed
    before_end = [reading for reading in history.accepted(register) if reading.read_at < end_at]
    first = next((reading for reading in before_end if reading.kind == Kind.OPENING), None) or next(
        iter(before_end), None
    )
    if first is None:
        raise UsageUnavailable(
            f"There is no reading to start from for {_name(register)}: no opening reading and no earlier bill."
        )
    return first


def _final_reading(
    history: MeterHistory, register: Register, start: RegisterReading, end_at: datetime
) -> RegisterReading:
    final = next(
        (
            reading
            for reading in reversed(history.accepted(register))
            if reading.kind == Kind.FINAL and start.read_at < reading.read_at <= end_at
        ),
        None,
    )
    if final is None:
        removed_at = register.meter.removed_at
        removed = f" on {_day(local_date(removed_at))}" if removed_at else ""
        raise UsageUnavailable(
            f"Meter {register.meter.serial_number} was removed{removed} but register {register.identifier} has no "
            "final reading. Record the final reading to bill it."
        )
    return final


def _end_reading(
    history: MeterHistory, register: Register, start: RegisterReading, end_date: date
) -> RegisterReading | None:
    window_at = day_starts_at(end_date - END_READING_WINDOW)
    end_at = day_starts_at(end_date)
    candidates = [
        reading
        for reading in history.accepted(register)
        if reading.read_at > start.read_at and window_at <= reading.read_at <= end_at
    ]
    return min(
        candidates,
        key=lambda r: (_END_PREFERENCE.get(Kind(r.kind), 2), -r.read_at.timestamp(), -r.pk),
        default=None,
    )


def _observed_advance(register: Register, end_at: datetime) -> Decimal:
    """The advance between the register's first and last readings from the dial, up to ``end_at`` (0 if unknown)."""
    dial = _accepted(register).filter(kind__in=FROM_THE_DIAL, read_at__lte=end_at)
    first = dial.order_by("read_at", "id").first()
    last = dial.order_by("-read_at", "-id").first()
    if first is None or last is None:
        return Decimal(0)
    return max(Decimal(0), Decimal(last.value) - Decimal(first.value))


def _register_share(register: Register, registers: Sequence[Register], end_at: datetime) -> Decimal:
    """The register's part of its meter's use (Economy 7 day and night), from what they advanced so far.

    With no history on every register the meter's use is split evenly between them until an actual reading exists;
    unconfirmed, like the profile, and trued up by the next actual reading.
    """
    if len(registers) == 1:
        return Decimal(1)
    observed = {r.pk: _observed_advance(r, end_at) for r in registers}
    total = sum(observed.values(), Decimal(0))
    if total <= 0 or any(advance <= 0 for advance in observed.values()):
        return Decimal(1) / len(registers)
    return observed[register.pk] / total


def _kwh_per_unit(meter: Meter, fuel: str, calorific_value: Decimal) -> Decimal:
    if fuel != Fuel.GAS:
        return Decimal(1)
    cubic_metres = Decimal(1)
    if meter.gas_units == Meter.GasUnits.IMPERIAL:
        cubic_metres = conversion.hcf_to_cubic_metres(cubic_metres)
    return conversion.gas_kwh(cubic_metres=cubic_metres, calorific_value=calorific_value)


def _estimate(
    *,
    history: MeterHistory,
    supply_point: SupplyPoint,
    register: Register,
    registers: Sequence[Register],
    start: RegisterReading,
    end_date: date,
    end_at: datetime,
    now: datetime,
) -> RegisterReading:
    annual_kwh = supply_point.annual_consumption_kwh
    if not annual_kwh:
        raise UsageUnavailable(
            f"There is no reading of {_name(register)} in the {END_READING_WINDOW.days} days to {_day(end_date)}, "
            f"and no annual consumption for {supply_point} to estimate one from. Ask for a reading or record the "
            "annual consumption."
        )
    if end_at > now:
        raise UsageUnavailable(f"The period has not ended: it ends at the start of {_day(end_date)}.")
    meter = register.meter
    calorific_value = conversion.default_calorific_value()
    from_date = local_date(start.read_at)
    share = profile.share_of_year(from_date, end_date, supply_point.fuel)
    register_share = _register_share(register, registers, end_at)
    units = Decimal(annual_kwh) * share * register_share / _kwh_per_unit(meter, supply_point.fuel, calorific_value)
    dial = Decimal(10) ** register.digits
    value = (Decimal(start.value) + units).quantize(Decimal(1), rounding=ROUND_HALF_UP) % dial
    unit = _unit_of(meter)
    part = f", {register_share:.0%} of it on this register" if register_share != 1 else ""
    shown_units = _show(units.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    note = (
        f"Estimated: {_show(Decimal(start.value))} on {_day(from_date)} plus {shown_units} "
        f"{unit}, the annual consumption of {_show(Decimal(annual_kwh))} kWh{part} spread over the "
        f"{(end_date - from_date).days} days by Hearth's seasonal profile."
    )
    if history.before_estimate is not None:
        history.before_estimate()
    reading = metering_readings.record_estimated_reading(
        register=register, read_at=end_at, value=value, note=note, received_at=now
    )
    if reading.status != RegisterReading.Status.ACCEPTED:
        raise UsageUnavailable(
            f"The estimated reading of {_name(register)} for {_day(end_date)} is "
            f"{RegisterReading.Status(reading.status).label.lower()}; record an actual reading to bill it."
        )
    return reading


def _units(start: ReadingUsed, end: ReadingUsed, digits: int) -> Decimal:
    """The advance in meter units; through a roll-over only where the dial can have gone round.

    Between two readings from the dial a fall means the dial went round. With an estimate at either end a fall is
    normally the true-up of an over-estimate (negative); only a fall of more than half the dial is taken as the dial
    having gone round (an estimate stored just past the top of the dial).
    """
    advance = end.value - start.value
    if advance >= 0:
        return advance
    wrapped = advance + Decimal(10) ** digits
    if (start.kind in FROM_THE_DIAL and end.kind in FROM_THE_DIAL) or wrapped < -advance:
        return wrapped
    return advance


def _advance(
    *,
    supply_point: SupplyPoint,
    register: Register,
    start: RegisterReading,
    end: RegisterReading,
    start_date: date,
    end_date: date,
    removed_inside: bool,
) -> RegisterAdvance:
    meter = register.meter
    start_used, end_used = _used(start), _used(end)
    units = _units(start_used, end_used, register.digits).quantize(KWH_QUANTUM, rounding=ROUND_HALF_UP)
    gas: calculation.GasConversion | None = None
    kwh = units
    if supply_point.fuel == Fuel.GAS:
        imperial = meter.gas_units == Meter.GasUnits.IMPERIAL
        gas = calculation.gas_kwh(units, conversion.default_calorific_value(), imperial)
        kwh = gas.kwh
    covers_from = max(start_date, local_date(start.read_at))
    covers_to = end_date
    if removed_inside:
        # The exchange day counts for both meters, so each advance covers at least a day.
        covers_to = max(min(end_date, local_date(end.read_at) + timedelta(days=1)), covers_from + timedelta(days=1))
    return RegisterAdvance(
        supply_point_id=supply_point.pk,
        meter_id=meter.pk,
        meter_serial_number=meter.serial_number,
        register_id=register.pk,
        band=str(register.rate),
        start=start_used,
        end=end_used,
        units=units,
        unit=_unit_of(meter),
        kwh=kwh,
        gas=gas,
        start_date=covers_from,
        end_date=covers_to,
    )


def register_advances(
    *, supply_point: SupplyPoint, start_date: date, end_date: date, now: datetime, history: MeterHistory | None = None
) -> list[RegisterAdvance]:
    """The advance of every settlement register of every meter on the supply point over ``[start_date, end_date)``.

    Stores an estimated reading at the period end for a register with no reading near it (see the module
    docstring); ``now`` is when that estimate is recorded as received. ``history`` is what
    :func:`gather_meter_history` gathered for a chunk of bills including this one (gathered here when None).

    :raises UsageUnavailable: no meter was fitted, a register has no reading to start from, a removed meter has no
        final reading, or there is neither a reading near the end nor an annual consumption to estimate one.
    """
    if end_date <= start_date:
        raise ValueError(f"A bill period must end after it starts; got {start_date} to {end_date}.")
    if history is None:
        history = gather_meter_history([UsageWindow(supply_point.pk, start_date, end_date)])
    start_at, end_at = day_starts_at(start_date), day_starts_at(end_date)
    advances = []
    for meter in history.meters_in(supply_point.pk, start_at, end_at):
        meter.supply_point = supply_point
        registers = history.settlement_registers(meter)
        removed_inside = meter.removed_at is not None and meter.removed_at <= end_at
        for register in registers:
            register.meter = meter
            start = _start_reading(history, register, start_date, end_at)
            if removed_inside:
                end = _final_reading(history, register, start, end_at)
            else:
                end = _end_reading(history, register, start, end_date) or _estimate(
                    history=history,
                    supply_point=supply_point,
                    register=register,
                    registers=registers,
                    start=start,
                    end_date=end_date,
                    end_at=end_at,
                    now=now,
                )
            advances.append(
                _advance(
                    supply_point=supply_point,
                    register=register,
                    start=start,
                    end=end,
                    start_date=start_date,
                    end_date=end_date,
                    removed_inside=removed_inside,
                )
            )
    if not advances:
        raise UsageUnavailable(
            f"{supply_point} had no meter with a register to bill for {_days(start_date, end_date)}."
        )
    return advances


def _intervals(
    supply_point: SupplyPoint, start_date: date, end_date: date, history: MeterHistory | None
) -> tuple[int, list[tuple[int, int, int, int, int]]]:
    """The window's first half-hour counted from the history's origin, and its intervals (gathered when no history)."""
    if history is None:
        history = MeterHistory()
        history.load_intervals([UsageWindow(supply_point.pk, start_date, end_date)])
    if history.origin is None:  # no half-hours were gathered: every one is missing
        return 0, []
    first = history.index_of(day_starts_at(start_date))
    return first, history.intervals_in(supply_point.pk, first, history.index_of(day_starts_at(end_date)))


def has_estimated_half_hours(
    *, supply_point: SupplyPoint, start_date: date, end_date: date, history: MeterHistory | None = None
) -> bool:
    """Whether any interval of the supply point in ``[start_date, end_date)`` is an estimate (the bill says so)."""
    return any(map(_ESTIMATED, _intervals(supply_point, start_date, end_date, history)[1]))


_ESTIMATED = operator.itemgetter(4)


@functools.lru_cache(maxsize=64)
def half_hour_starts(first_at: datetime, count: int) -> tuple[datetime, ...]:
    """The UTC starts of ``count`` half-hours from ``first_at`` (the same month for every account of a run)."""
    return tuple(first_at + n * HALF_HOUR for n in range(count))


@functools.lru_cache(maxsize=4096)
def _kwh(units: int) -> Decimal:
    return Decimal(units).scaleb(-KWH_PLACES)


def interval_usage(
    *, supply_point: SupplyPoint, start_date: date, end_date: date, history: MeterHistory | None = None
) -> list[tuple[datetime, Decimal]]:
    """Every half-hour of ``[start_date, end_date)`` as ``(UTC start, kWh)``, summed over the supply point's meters.

    A local day has 48 half-hours, 46 on the last Sunday of March and 50 on the last Sunday of October. Finer
    intervals are added up into their half-hour; an hourly one is halved between its two. Intervals marked missing
    do not count. ``history`` holds the half-hours gathered for a chunk of bills (gathered here when None).

    The sums are whole ten-thousandths of a kWh, as stored; only an interval longer than half an hour whose kWh do
    not halve exactly makes a slot's sum a Decimal of them.

    :raises UsageUnavailable: some half-hours have no data; the message says how many and the first one.
    """
    if end_date <= start_date:
        raise ValueError(f"A bill period must end after it starts; got {start_date} to {end_date}.")
    first, rows = _intervals(supply_point, start_date, end_date, history)
    start_at = day_starts_at(start_date)
    count = int((day_starts_at(end_date) - start_at) / HALF_HOUR)
    units: list[int | Decimal] = [0] * count
    minutes = [0] * count
    whole = True  # every sum a whole number of ten-thousandths
    for _, index, interval_minutes, interval_units, _ in rows:
        slot = index - first
        if interval_minutes <= 30:
            units[slot] += interval_units
            minutes[slot] += interval_minutes
            continue
        parts = interval_minutes // 30
        share = interval_units // parts if interval_units % parts == 0 else Decimal(interval_units) / parts
        whole = whole and isinstance(share, int)
        for part in range(parts):
            if slot + part < count:
                units[slot + part] += share
                minutes[slot + part] += 30
    if count and min(minutes) < 30:
        missing = [slot for slot in range(count) if minutes[slot] < 30]
        first_missing = (start_at + missing[0] * HALF_HOUR).astimezone(LONDON)
        raise UsageUnavailable(
            f"{len(missing)} of the {count} half-hours of {supply_point} for {_days(start_date, end_date)} "
            f"have no reading; the first missing one starts {_day(first_missing.date())} at {first_missing:%H:%M}."
        )
    starts = half_hour_starts(start_at, count)
    if whole:  # the usual case: each of the month's few hundred distinct values made a Decimal once
        kwh = {value: _kwh(value) for value in set(units)}
        return list(zip(starts, map(kwh.__getitem__, units), strict=True))
    return [
        (at, _kwh(value) if isinstance(value, int) else value.scaleb(-KWH_PLACES))
        for at, value in zip(starts, units, strict=True)
    ]
