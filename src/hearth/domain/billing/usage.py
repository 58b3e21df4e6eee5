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

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.db.models import Q, QuerySet

from hearth.common import profile
from hearth.common.calendar import LONDON, day_starts_at, local_date
from hearth.data.accounts.models import Fuel, SupplyPoint
from hearth.data.billing.models import Bill, BillConsumption
from hearth.data.metering.models import IntervalConsumption, Meter, Register, RegisterReading
from hearth.domain.billing import calculation
from hearth.domain.metering import conversion
from hearth.domain.metering import readings as metering_readings

__all__ = [
    "END_READING_WINDOW",
    "ReadingUsed",
    "RegisterAdvance",
    "UsageUnavailable",
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


def _start_reading(register: Register, start_date: date, end_at: datetime) -> RegisterReading:
    billed = (
        BillConsumption.objects.filter(
            register=register,
            bill__status=Bill.Status.ISSUED,
            bill__period_end_date__lte=start_date,
            end_reading__isnull=False,
        )
        .select_related("end_reading")
        .order_by("-bill__period_end_date", "-id")
        .first()
    )
    if billed is not None and billed.end_reading is not None:
        return billed.end_reading
    before_end = _accepted(register).filter(read_at__lt=end_at)
    first = (
        before_end.filter(kind=Kind.OPENING).order_by("read_at", "id").first()
        or before_end.order_by("read_at", "id").first()
    )
    if first is None:
        raise UsageUnavailable(
            f"There is no reading to start from for {_name(register)}: no opening reading and no earlier bill."
        )
    return first


def _final_reading(register: Register, start: RegisterReading, end_at: datetime) -> RegisterReading:
    final = (
        _accepted(register)
        .filter(kind=Kind.FINAL, read_at__gt=start.read_at, read_at__lte=end_at)
        .order_by("-read_at", "-id")
        .first()
    )
    if final is None:
        removed_at = register.meter.removed_at
        removed = f" on {_day(local_date(removed_at))}" if removed_at else ""
        raise UsageUnavailable(
            f"Meter {register.meter.serial_number} was removed{removed} but register {register.identifier} has no "
            "final reading. Record the final reading to bill it."
        )
    return final


def _end_reading(register: Register, start: RegisterReading, end_date: date) -> RegisterReading | None:
    window_at = day_starts_at(end_date - END_READING_WINDOW)
    candidates = _accepted(register).filter(
        read_at__gt=start.read_at, read_at__gte=window_at, read_at__lte=day_starts_at(end_date)
    )
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


def _meters_in(supply_point: SupplyPoint, start_at: datetime, end_at: datetime) -> list[Meter]:
    return list(
        Meter.objects.filter(supply_point=supply_point, installed_at__lt=end_at)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=start_at))
        .order_by("installed_at", "id")
    )


def register_advances(
    *, supply_point: SupplyPoint, start_date: date, end_date: date, now: datetime
) -> list[RegisterAdvance]:
    """The advance of every settlement register of every meter on the supply point over ``[start_date, end_date)``.

    Stores an estimated reading at the period end for a register with no reading near it (see the module
    docstring); ``now`` is when that estimate is recorded as received.

    :raises UsageUnavailable: no meter was fitted, a register has no reading to start from, a removed meter has no
        final reading, or there is neither a reading near the end nor an annual consumption to estimate one.
    """
    if end_date <= start_date:
        raise ValueError(f"A bill period must end after it starts; got {start_date} to {end_date}.")
    start_at, end_at = day_starts_at(start_date), day_starts_at(end_date)
    advances = []
    for meter in _meters_in(supply_point, start_at, end_at):
        meter.supply_point = supply_point
        registers = list(meter.registers.filter(is_settlement_register=True).order_by("identifier", "id"))
        removed_inside = meter.removed_at is not None and meter.removed_at <= end_at
        for register in registers:
            register.meter = meter
            start = _start_reading(register, start_date, end_at)
            if removed_inside:
                end = _final_reading(register, start, end_at)
            else:
                end = _end_reading(register, start, end_date) or _estimate(
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


def _half_hour_of(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % 30, second=0, microsecond=0)


def has_estimated_half_hours(*, supply_point: SupplyPoint, start_date: date, end_date: date) -> bool:
    """Whether any interval of the supply point in ``[start_date, end_date)`` is an estimate (the bill says so)."""
    return IntervalConsumption.objects.filter(
        meter__supply_point=supply_point,
        interval_start__gte=day_starts_at(start_date),
        interval_start__lt=day_starts_at(end_date),
        quality=IntervalConsumption.Quality.ESTIMATED,
    ).exists()


def interval_usage(*, supply_point: SupplyPoint, start_date: date, end_date: date) -> list[tuple[datetime, Decimal]]:
    """Every half-hour of ``[start_date, end_date)`` as ``(UTC start, kWh)``, summed over the supply point's meters.

    A local day has 48 half-hours, 46 on the last Sunday of March and 50 on the last Sunday of October. Finer
    intervals are added up into their half-hour; an hourly one is halved between its two. Intervals marked missing
    do not count.

    :raises UsageUnavailable: some half-hours have no data; the message says how many and the first one.
    """
    if end_date <= start_date:
        raise ValueError(f"A bill period must end after it starts; got {start_date} to {end_date}.")
    start_at, end_at = day_starts_at(start_date), day_starts_at(end_date)
    kwh: defaultdict[datetime, Decimal] = defaultdict(Decimal)
    minutes: defaultdict[datetime, int] = defaultdict(int)
    rows = (
        IntervalConsumption.objects.filter(
            meter__supply_point=supply_point, interval_start__gte=start_at, interval_start__lt=end_at
        )
        .exclude(quality=IntervalConsumption.Quality.MISSING)
        .values_list("interval_start", "interval_minutes", "kwh")
    )
    for interval_start, interval_minutes, interval_kwh in rows:
        parts = max(1, interval_minutes // 30)
        for part in range(parts):
            slot = _half_hour_of(interval_start) + part * HALF_HOUR
            kwh[slot] += interval_kwh / parts
            minutes[slot] += min(interval_minutes, 30)
    expected = [start_at + n * HALF_HOUR for n in range(int((end_at - start_at) / HALF_HOUR))]
    missing = [slot for slot in expected if minutes[slot] < 30]
    if missing:
        first = missing[0].astimezone(LONDON)
        raise UsageUnavailable(
            f"{len(missing)} of the {len(expected)} half-hours of {supply_point} for {_days(start_date, end_date)} "
            f"have no reading; the first missing one starts {_day(first.date())} at {first:%H:%M}."
        )
    return [(slot, kwh[slot]) for slot in expected]
