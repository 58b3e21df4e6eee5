"""Register readings: the one way a cumulative meter reading gets into Hearth, and how to read them back.

Whoever sends a reading (the portal, care staff, an industry flow, an AMR device), it goes through
:func:`record_register_reading`, which applies the same rules:

- **Backwards.** A reading lower than the register's last accepted reading is refused, unless
  - the dial has gone round (a *roll-over*): the last reading was in the top :data:`ROLLOVER_WINDOW` of the dial
    (``10 ** register.digits``) and the new one is in the bottom part; the advance is then
    ``value + 10 ** digits - last``; or
  - the sender says the meter was replaced (``meter_replaced=True``): the reading is kept with status
    ``FOR_REVIEW`` and a note, for care staff to fit the new meter (a new meter has its own registers, so its
    readings are never compared with the old meter's).
  A reading slotted in before a later one must not be higher than that later one either.
- **Far above expected.** An advance more than :data:`FAR_ABOVE_FACTOR` times the expected use since the last
  reading, plus a floor of :data:`FAR_ABOVE_FLOOR_DAYS` days' expected use, raises :class:`ReadingNeedsConfirmation`
  unless the sender confirms it (``confirmed_high=True``); a confirmed one is stored with a note. Expected use is the
  supply point's annual consumption (or the Typical Domestic Consumption Value for the fuel, :data:`TYPICAL_ANNUAL_KWH`,
  when none is known) spread evenly over the days since the last reading. Industry flows never confirm: their import
  keeps such a line as rejected ("advance far above expected") for care staff to check and replay.
- **Once per source and time.** The same register, time and source again with the same value returns the stored
  reading (replays change nothing); with a different value it is refused.
- **Fitted.** The meter must have been fitted at the time read, and the time must not be in the future.
- **Audited.** A reading a person sent (a customer in the portal, a care agent) is written to the customer's audit
  trail as ``reading.recorded``, with who sent it (``actor``), the register, the value and the status.

Messages are written for the customer who typed the reading; care staff see the same words.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from hearth.common.calendar import LONDON
from hearth.data.accounts.models import Customer, Fuel, Supply
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.domain.audit import operations as audit
from hearth.domain.metering import conversion

__all__ = [
    "AUDITED_SOURCES",
    "FAR_ABOVE_FACTOR",
    "FAR_ABOVE_FLOOR_DAYS",
    "ROLLOVER_WINDOW",
    "TYPICAL_ANNUAL_KWH",
    "ReadingNeedsConfirmation",
    "ReadingRejected",
    "customer_of_register",
    "existing_reading",
    "expected_use",
    "last_reading",
    "readings_for_meter",
    "record_estimated_reading",
    "record_register_reading",
]

FAR_ABOVE_FACTOR: Final = Decimal(3)
"""How many times the expected use an advance may reach before it is "far above expected" and needs confirming.

Three times covers a cold snap, guests or a new electric heater without asking; a misread digit (a 1 read as a 7,
an extra digit) is usually ten times or more.
"""

FAR_ABOVE_FLOOR_DAYS: Final = Decimal(7)
"""A floor added to the limit, in days of expected use: readings a few hours apart are not flagged for a few kWh."""

ROLLOVER_WINDOW: Final = Decimal("0.1")
"""A lower reading is a roll-over when the last one was in the top tenth of the dial and the new one in the bottom."""

FUTURE_TOLERANCE: Final = timedelta(minutes=10)
"""A reading may be timed this far after it was received (clocks differ a little), never more."""

TYPICAL_ANNUAL_KWH: Final = {
    (Fuel.ELECTRICITY, False): Decimal(2500),
    (Fuel.ELECTRICITY, True): Decimal(3400),
    (Fuel.GAS, False): Decimal(9500),
    (Fuel.GAS, True): Decimal(9500),
}
"""Ofgem's Typical Domestic Consumption Values from 1 July 2026, by (fuel, multi-rate meter): used when the supply
point has no annual consumption. Electricity 2,500 kWh single-rate and 3,400 kWh multi-rate; gas 9,500 kWh."""

AUDITED_SOURCES: Final = frozenset({ReadingSource.CUSTOMER, ReadingSource.CARE})
"""Readings a person sent: each is written to the customer's audit trail (machines' readings are too many)."""

_DAY_SECONDS: Final = Decimal(86400)


class ReadingRejected(Exception):
    """The reading cannot be accepted; the message says why, in words a customer understands."""


class ReadingNeedsConfirmation(ReadingRejected):
    """The reading means far more was used than expected: the sender must check it and confirm it.

    ``expected`` and ``advance`` are in the register's unit (kWh, m³ or hundreds of cubic feet).
    """

    def __init__(self, expected: Decimal, advance: Decimal, message: str = "") -> None:
        self.expected = expected
        self.advance = advance
        super().__init__(
            message
            or f"This reading means {_show(advance)} was used, far more than the {_show(expected)} we expected. "
            "Check the reading and confirm it if it is right."
        )


# --- Words -------------------------------------------------------------------------------------------------------


def _show(value: Decimal) -> str:
    """A reading or quantity as a person writes it: 56311, 56311.5 (no trailing zeros, no exponent)."""
    if value == value.to_integral_value():
        return f"{value.to_integral_value():,f}".replace(",", "")
    return f"{value.normalize():f}"


def _day(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


def _when(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def unit_of(register: Register) -> str:
    """The unit a register counts in: kWh for electricity, m³ or hundreds of cubic feet for gas."""
    meter = register.meter
    if meter.supply_point.fuel == Fuel.GAS:
        return "hundreds of cubic feet" if meter.gas_units == Meter.GasUnits.IMPERIAL else "m³"
    return "kWh"


# --- Queries -----------------------------------------------------------------------------------------------------


def last_reading(*, register: Register, before: datetime | None = None) -> RegisterReading | None:
    """The register's latest accepted reading (before ``before`` if given), whatever its source."""
    readings = RegisterReading.objects.filter(register=register, status=RegisterReading.Status.ACCEPTED)
    if before is not None:
        readings = readings.filter(read_at__lt=before)
    return readings.order_by("-read_at", "-id").first()


def readings_for_meter(*, meter: Meter) -> QuerySet[RegisterReading]:
    """Every reading of the meter's registers (held ones too), oldest first."""
    return (
        RegisterReading.objects.filter(register__meter=meter)
        .select_related("register")
        .order_by("read_at", "register__identifier", "id")
    )


def existing_reading(*, register: Register, read_at: datetime, source: ReadingSource) -> RegisterReading | None:
    """The reading already stored for this register, time and source, if any."""
    return RegisterReading.objects.filter(register=register, read_at=read_at, source=source).first()


def _annual_kwh(register: Register) -> Decimal:
    meter = register.meter
    supply_point = meter.supply_point
    if supply_point.annual_consumption_kwh:
        return supply_point.annual_consumption_kwh
    multi_rate = meter.registers.count() > 1
    return TYPICAL_ANNUAL_KWH[(Fuel(supply_point.fuel), multi_rate)]


def _kwh_per_unit(register: Register) -> Decimal:
    meter = register.meter
    if meter.supply_point.fuel != Fuel.GAS:
        return Decimal(1)
    cubic_metres = Decimal(1)
    if meter.gas_units == Meter.GasUnits.IMPERIAL:
        cubic_metres = conversion.hcf_to_cubic_metres(Decimal(1))
    return conversion.gas_kwh(cubic_metres=cubic_metres)


def expected_use(*, register: Register, since: datetime, until: datetime) -> Decimal:
    """The use expected on the register between two times, in its own unit: annual consumption spread evenly."""
    days = Decimal((until - since).total_seconds()) / _DAY_SECONDS
    return max(Decimal(0), _annual_kwh(register) / Decimal(365) * days / _kwh_per_unit(register))


# --- Rules -------------------------------------------------------------------------------------------------------


def _advance(register: Register, earlier: Decimal, later: Decimal) -> Decimal | None:
    """The advance from ``earlier`` to ``later``, through a roll-over if the dial went round; None if backwards."""
    if later >= earlier:
        return later - earlier
    dial = Decimal(10) ** register.digits
    if earlier >= dial * (1 - ROLLOVER_WINDOW) and later < dial * ROLLOVER_WINDOW:
        return later + dial - earlier
    return None


def _far_above_limit(register: Register, expected: Decimal, since: datetime) -> Decimal:
    """FAR_ABOVE_FACTOR times the expected use, plus FAR_ABOVE_FLOOR_DAYS days of it."""
    floor = expected_use(register=register, since=since, until=since + timedelta(days=int(FAR_ABOVE_FLOOR_DAYS)))
    return FAR_ABOVE_FACTOR * expected + floor


def _check_fitted(register: Register, read_at: datetime, received_at: datetime) -> None:
    meter = register.meter
    if read_at > received_at + FUTURE_TOLERANCE:
        raise ReadingRejected(f"The reading is dated {_when(read_at)}, which is in the future.")
    if read_at < meter.installed_at:
        raise ReadingRejected(
            f"Meter {meter.serial_number} was fitted on {_day(meter.installed_at)}, after the reading's date "
            f"{_day(read_at)}."
        )
    if meter.removed_at is not None and read_at > meter.removed_at:
        raise ReadingRejected(
            f"Meter {meter.serial_number} was removed on {_day(meter.removed_at)}, before the reading's date "
            f"{_day(read_at)}."
        )


@dataclass
class _Decision:
    status: str
    note: str


def _decide(
    *,
    register: Register,
    read_at: datetime,
    value: Decimal,
    source: str,
    meter_replaced: bool,
    confirmed_high: bool,
) -> _Decision:
    unit = unit_of(register)
    # Estimates are checked against nothing: the next real reading trues them up, even when it is lower.
    taken = RegisterReading.objects.filter(register=register, status=RegisterReading.Status.ACCEPTED).exclude(
        kind__in=[RegisterReading.Kind.ESTIMATED, RegisterReading.Kind.DEEMED]
    )
    previous = taken.filter(read_at__lte=read_at).order_by("-read_at", "-id").first()
    following = taken.filter(read_at__gt=read_at).order_by("read_at", "id").first()
    notes = []
    if previous is not None:
        advance = _advance(register, previous.value, value)
        if advance is None:
            lower = (
                f"lower than the last reading {_show(previous.value)} on {_day(previous.read_at)}"
                if previous.read_at < read_at
                else f"lower than the reading {_show(previous.value)} already recorded for the same time"
            )
            if meter_replaced:
                return _Decision(
                    RegisterReading.Status.FOR_REVIEW,
                    f"Meter replaced, says the sender: {_show(value)} is {lower}. Fit the new meter and move this "
                    "reading to it.",
                )
            raise ReadingRejected(
                f"This reading ({_show(value)}) is {lower}. Check the numbers on the meter; if the meter has been "
                "replaced, say so."
            )
        if advance != value - previous.value:
            notes.append(f"The dial went round: an advance of {_show(advance)} {unit}.")
        expected = expected_use(register=register, since=previous.read_at, until=read_at)
        if advance > _far_above_limit(register, expected, previous.read_at):
            shown_expected = expected.quantize(Decimal(1))
            if not confirmed_high:
                raise ReadingNeedsConfirmation(
                    shown_expected,
                    advance,
                    f"This reading means {_show(advance)} {unit} was used since the last reading on "
                    f"{_day(previous.read_at)}, far more than the {_show(shown_expected)} {unit} we expected. "
                    "Check the reading and confirm it if it is right.",
                )
            notes.append(
                f"Far above expected ({_show(advance)} {unit} used, about {_show(shown_expected)} expected); "
                f"confirmed by the sender ({ReadingSource(source).label})."
            )
    if following is not None and _advance(register, value, following.value) is None:
        raise ReadingRejected(
            f"This reading ({_show(value)}) is higher than the later reading {_show(following.value)} on "
            f"{_day(following.read_at)}. Check the numbers on the meter."
        )
    return _Decision(RegisterReading.Status.ACCEPTED, " ".join(notes))


def customer_of_register(register: Register) -> Customer | None:
    """The customer whose account is (or was last) supplied through the register's supply point."""
    supply = (
        Supply.objects.filter(supply_point_id=register.meter.supply_point_id)
        .select_related("account__customer")
        .order_by("-valid_from", "-id")
        .first()
    )
    return supply.account.customer if supply else None


def _audit_recorded(reading: RegisterReading, actor: User | None, now: datetime) -> None:
    register = reading.register
    audit.record(
        actor=actor,
        action="reading.recorded",
        subject=f"Meter {register.meter.serial_number} register {register.identifier}",
        at=now,
        customer=customer_of_register(register),
        after={
            "register": register.identifier,
            "meter": register.meter.serial_number,
            "value": _show(Decimal(reading.value)),
            "read_at": reading.read_at.isoformat(),
            "source": reading.source,
            "status": reading.status,
        },
    )


def _same_or_refused(existing: RegisterReading, value: Decimal) -> RegisterReading:
    if existing.value == value:
        return existing
    raise ReadingRejected(
        f"A {ReadingSource(existing.source).label.lower()} reading for {_when(existing.read_at)} is already "
        f"recorded as {_show(existing.value)}; it cannot be changed to {_show(value)}. Contact customer care if "
        "the recorded one is wrong."
    )


def record_register_reading(
    *,
    register: Register,
    read_at: datetime,
    value: Decimal,
    source: ReadingSource,
    kind: RegisterReading.Kind,
    received_at: datetime,
    meter_replaced: bool = False,
    confirmed_high: bool = False,
    reference: str = "",
    actor: User | None = None,
) -> RegisterReading:
    """Validate and store one register reading (the rules are in the module docstring).

    ``actor`` is the login that sent it (a customer or care agent), for the audit trail; a new reading from the
    customer or care is audited (a replay of a stored one is not).

    :returns: the stored reading; the one already stored if this is a replay with the same value.
    :raises ReadingNeedsConfirmation: the advance is far above expected and ``confirmed_high`` is not set.
    :raises ReadingRejected: it goes backwards without a roll-over or a meter exchange, is negative, is dated
        when the meter was not fitted or in the future, or differs from a reading already stored for the same time
        and source.
    """
    if read_at.tzinfo is None or read_at.utcoffset() is None:
        raise ValueError("read_at must be an aware datetime")
    if value < 0:
        raise ReadingRejected("A meter reading cannot be negative.")
    with transaction.atomic():
        # One reading of a register at a time, so two arriving together are checked against each other.
        locked = Register.objects.select_for_update().select_related("meter__supply_point").get(pk=register.pk)
        existing = existing_reading(register=locked, read_at=read_at, source=source)
        if existing is not None:
            return _same_or_refused(existing, value)
        _check_fitted(locked, read_at, received_at)
        decision = _decide(
            register=locked,
            read_at=read_at,
            value=value,
            source=source,
            meter_replaced=meter_replaced,
            confirmed_high=confirmed_high,
        )
        try:
            with transaction.atomic():
                reading = RegisterReading.objects.create(
                    register=locked,
                    read_at=read_at,
                    value=value,
                    source=source,
                    kind=kind,
                    status=decision.status,
                    received_at=received_at,
                    note=decision.note[:300],
                    reference=reference[:100],
                )
        except IntegrityError:
            # The same reading arrived at the same moment through another process (SQLite does not lock rows).
            existing = existing_reading(register=locked, read_at=read_at, source=source)
            if existing is None:
                raise
            return _same_or_refused(existing, value)
        if source in AUDITED_SOURCES:
            _audit_recorded(reading, actor, received_at)
        return reading


def record_estimated_reading(
    *, register: Register, read_at: datetime, value: Decimal, note: str, received_at: datetime
) -> RegisterReading:
    """Store the reading Hearth estimated for a register at ``read_at`` (source and kind ESTIMATED, accepted).

    Estimates skip the customer-facing rules above: Hearth made them, from the annual consumption, and the next
    actual reading trues them up whatever they were. Asking again for the same register and time returns the estimate
    already stored, unchanged, so a bill worked out twice uses the same figure.
    """
    if read_at.tzinfo is None or read_at.utcoffset() is None:
        raise ValueError("read_at must be an aware datetime")
    existing = existing_reading(register=register, read_at=read_at, source=ReadingSource.ESTIMATED)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return RegisterReading.objects.create(
                register=register,
                read_at=read_at,
                value=value,
                source=ReadingSource.ESTIMATED,
                kind=RegisterReading.Kind.ESTIMATED,
                status=RegisterReading.Status.ACCEPTED,
                received_at=received_at,
                note=note[:300],
            )
    except IntegrityError:
        # Another process stored the same estimate at the same moment.
        existing = existing_reading(register=register, read_at=read_at, source=ReadingSource.ESTIMATED)
        if existing is None:
            raise
        return existing
