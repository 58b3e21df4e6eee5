"""The arithmetic of a bill: charge lines, VAT, Climate Change Levy, back-billing, interest and the gas conversion.

Plain values in, plain values out (no Django, no database) so the numbers a customer and a regulator see can be tested
against an independent Decimal reference. Rules, from ``DOMAIN.md`` "Charges, VAT and levies":

- every amount is in pounds, a :class:`~decimal.Decimal`, rounded half-up to the penny **once per line** (via
  :func:`hearth.common.money.to_pennies`); rates keep full precision, so a line reads ``quantity x rate = amount``
  (except a half-hourly energy line, see :class:`ChargeLine`);
- a bill's total is the sum of its lines and nothing else, so the printed lines always add up;
- periods are half-open ``[start_date, end_date)``; descriptions print the last day included, as customers read.
"""

import operator
from bisect import bisect_left
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Final

from hearth.common import gas
from hearth.common.calendar import LONDON, day_starts_at
from hearth.common.money import to_pennies

__all__ = [
    "CCL_EFFECTIVE_FROM",
    "CCL_RATE_POUNDS_PER_KWH",
    "DAY_BAND",
    "DE_MINIMIS_KWH_PER_DAY",
    "GAS_CORRECTION_FACTOR",
    "HCF_TO_M3",
    "INTEREST_DAYS_PER_YEAR",
    "LATE_PAYMENT_MARGIN_PERCENT",
    "NIGHT_BAND",
    "REDUCED_VAT_RATE",
    "STANDARD_BAND",
    "STANDARD_VAT_RATE",
    "Band",
    "BillingCalculationError",
    "ChargeLine",
    "EnergyCharge",
    "Fuel",
    "GasConversion",
    "HalfHourlyCharge",
    "LineKind",
    "RateSpan",
    "StandingDays",
    "SupplyCharges",
    "additional_charge_line",
    "back_billing_cutoff",
    "bill_lines",
    "bill_total",
    "economy_7_bands",
    "gas_kwh",
    "half_hourly_charge",
    "interest_line",
    "late_payment_interest",
    "limit_back_billing",
    "printed_dates",
    "split_by_rates",
    "standing_days",
    "supply_lines",
    "supply_vat_rate",
    "time_of_use_charges",
    "vat_lines",
]

REDUCED_VAT_RATE: Final = Decimal("0.05")
"""VAT on domestic fuel and power (and business use below de minimis)."""

STANDARD_VAT_RATE: Final = Decimal("0.20")
"""VAT on business use above de minimis and on every other charge (missed appointments, meter tests...)."""

KWH_QUANTUM: Final = Decimal("0.001")
"""kWh are kept to the watt-hour: fine enough never to move a penny, short enough to print."""

RATE_QUANTUM: Final = Decimal("0.00000001")
"""A derived rate (the average of half-hourly prices) is kept to 8 places of a pound, as bill lines store rates."""

STANDARD_BAND: Final = "STANDARD"
DAY_BAND: Final = "DAY"
NIGHT_BAND: Final = "NIGHT"
"""Unit-rate bands as tariffs and registers name them; any other name is a time-of-use band."""

LATE_PAYMENT_MARGIN_PERCENT: Final = Decimal(4)
"""T&C 10.1.8: late-payment interest runs at 4% a year above the Bank of England base rate."""

INTEREST_DAYS_PER_YEAR: Final = 365


class BillingCalculationError(ValueError):
    """The inputs cannot make a correct bill (a gap in the prices, a negative day count...); the message says which."""


class Fuel(StrEnum):
    ELECTRICITY = "electricity"
    GAS = "gas"


DE_MINIMIS_KWH_PER_DAY: Final = {Fuel.ELECTRICITY: Decimal("33"), Fuel.GAS: Decimal("145")}
"""HMRC de minimis daily use at or below which a business supply pays 5% VAT.

Unconfirmed: configuration later. The figures are those in ``DOMAIN.md`` (gas is "about" 145 kWh/day); they belong in
effective-dated configuration once the tariffs area holds it.
"""

CCL_RATE_POUNDS_PER_KWH: Final = Decimal("0.00801")
CCL_EFFECTIVE_FROM: Final = date(2026, 4, 1)
"""Climate Change Levy main rate, the same for electricity and gas, from 1 April 2026.

Earlier rates are not held, so a business period starting before this date is refused rather than mis-charged.
"""

GAS_CORRECTION_FACTOR: Final = gas.VOLUME_CORRECTION
HCF_TO_M3: Final = gas.CUBIC_METRES_PER_HCF


class LineKind(StrEnum):
    ENERGY = "energy"
    STANDING = "standing"
    LEVY = "levy"
    ADDITIONAL = "additional"
    INTEREST = "interest"
    VAT = "vat"


def _require_span(start_date: date, end_date: date, what: str) -> None:
    if end_date <= start_date:
        raise BillingCalculationError(f"{what} must end after it starts; got {start_date} to {end_date}.")


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
"""The parts of pairs (a half-hour's start and kWh, its kWh and price), taken in C: a month has 1,490 half-hours."""


@dataclass(frozen=True, slots=True)
class RateSpan:
    """One price in force over ``[start_date, end_date)``: a unit rate in p/kWh or a standing charge in p/day.

    Prices are excluding VAT (``DOMAIN.md``): VAT depends on who the customer is, the price does not. ``rate_id`` is
    the tariff row the price came from, kept so a bill line can say where its rate came from.
    """

    start_date: date
    end_date: date
    pence_exc_vat: Decimal
    rate_id: int | None = None

    def __post_init__(self) -> None:
        _require_span(self.start_date, self.end_date, "A rate")

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days


@dataclass(frozen=True, slots=True)
class Band:
    """A time-of-use band by local (Europe/London) start and end time; ``starts_at > ends_at`` wraps midnight.

    Customers and tariffs speak in clock time, so 00:30-07:30 stays 00:30-07:30 on the clock-change days even though
    its UTC hours move (and the night is an hour shorter in March and longer in October).
    """

    name: str
    starts_at: time
    ends_at: time

    def __post_init__(self) -> None:
        if self.starts_at == self.ends_at:
            raise BillingCalculationError(f"The {self.name} band starts and ends at {self.starts_at}: no window.")

    def contains(self, local_time: time) -> bool:
        """Say whether a local clock time falls in the band (start included, end excluded)."""
        if self.starts_at < self.ends_at:
            return self.starts_at <= local_time < self.ends_at
        return local_time >= self.starts_at or local_time < self.ends_at


@dataclass(frozen=True, slots=True)
class EnergyCharge:
    """kWh charged at one unit rate over ``[start_date, end_date)``; ``sources`` are the ids behind the figures."""

    band: str
    start_date: date
    end_date: date
    kwh: Decimal
    unit_rate_pence_exc_vat: Decimal
    sources: Mapping[str, Any]

    def __post_init__(self) -> None:
        _require_span(self.start_date, self.end_date, "An energy charge")

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days


@dataclass(frozen=True, slots=True)
class HalfHourlyCharge:
    """A dynamic tariff: each half-hour's kWh at its own price (pence excluding VAT), printed as one line.

    ``starts_at`` holds each half-hour's start, in the order of ``half_hours``, so the back-billing limit can drop
    the half-hours of the days it must not charge; it may be empty for a charge that never needs cutting.
    """

    start_date: date
    end_date: date
    half_hours: tuple[tuple[Decimal, Decimal], ...]
    sources: Mapping[str, Any]
    starts_at: tuple[datetime, ...] = ()
    total_kwh: Decimal = field(init=False, repr=False, compare=False)
    total_pence: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_span(self.start_date, self.end_date, "A half-hourly charge")
        if self.starts_at and len(self.starts_at) != len(self.half_hours):
            raise BillingCalculationError("A half-hourly charge needs one start time per half-hour.")
        # Summed once here: a month's 1,490 half-hours are asked for their kWh and amount several times per bill.
        kwhs = list(map(_FIRST, self.half_hours))
        pence = sum(map(operator.mul, kwhs, map(_SECOND, self.half_hours)), Decimal(0))
        object.__setattr__(self, "total_kwh", sum(kwhs, Decimal(0)))
        object.__setattr__(self, "total_pence", pence)

    @classmethod
    def totalled(
        cls,
        start_date: date,
        end_date: date,
        *,
        half_hours: int,
        kwh: Decimal,
        pence: Decimal,
        sources: Mapping[str, Any],
    ) -> "HalfHourlyCharge":
        """The charge of ``half_hours`` half-hours priced and summed elsewhere (by the database): ``kwh`` and ``pence``
        (excluding VAT, unrounded) as :func:`half_hourly_charge` would sum them. It holds no half-hours, so the
        back-billing limit cannot cut it: only for a period the limit does not reach."""
        charge = cls(start_date, end_date, (), {**sources, "unit_rate": "half-hourly", "half_hours": half_hours})
        object.__setattr__(charge, "total_kwh", kwh)
        object.__setattr__(charge, "total_pence", pence)
        return charge

    @property
    def kwh(self) -> Decimal:
        return self.total_kwh

    @property
    def amount(self) -> Decimal:
        """Every half-hour's kWh x price summed exactly, then rounded to the penny once."""
        return to_pennies(self.total_pence / 100)

    @property
    def average_rate(self) -> Decimal:
        """The kWh-weighted average price in pounds per kWh, to 8 places (what a bill line's rate holds)."""
        if not self.total_kwh:
            return Decimal(0).quantize(RATE_QUANTUM)
        return (self.total_pence / self.total_kwh / 100).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class StandingDays:
    """Days x a daily standing charge over ``[start_date, end_date)``."""

    start_date: date
    end_date: date
    pence_per_day_exc_vat: Decimal
    sources: Mapping[str, Any]

    def __post_init__(self) -> None:
        _require_span(self.start_date, self.end_date, "A standing charge")

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days


@dataclass(frozen=True, slots=True)
class SupplyCharges:
    """What one supply point is charged on over a bill period; ``label`` names it on the bill.

    ``daily_average_kwh`` is separate from the charges because the de minimis test uses the supply's average use,
    which for a short or part-estimated period may come from more than the kWh on this bill.
    """

    fuel: Fuel
    is_business: bool
    label: str
    energy: tuple[EnergyCharge | HalfHourlyCharge, ...]
    standing: tuple[StandingDays, ...]
    daily_average_kwh: Decimal


@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One printed line of a bill: ``quantity`` ``unit`` x ``rate`` (pounds per unit) = ``amount`` (pounds, 2 dp).

    ``vat_rate`` is the VAT the line attracts; VAT and interest lines carry ``None``. ``sources`` says where each
    number came from (reading, rate and line ids, days) as JSON-ready values; ``supply_label`` names the supply point
    a line belongs to ("" for additional charges, interest and VAT).

    A half-hourly energy line is the one exception to ``quantity x rate = amount``: its amount is each half-hour's
    kWh at that half-hour's price, rounded once, and its rate is the weighted average price to 8 places, so
    ``quantity x rate`` can differ from the amount by a fraction of a penny.
    """

    kind: LineKind
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    vat_rate: Decimal | None
    sources: Mapping[str, Any] = field(default_factory=dict)
    supply_label: str = ""


def _line(
    kind: LineKind,
    description: str,
    quantity: Decimal,
    unit: str,
    rate: Decimal,
    vat_rate: Decimal | None,
    *,
    sources: Mapping[str, Any],
    supply_label: str = "",
) -> ChargeLine:
    """Build a line whose amount is ``quantity x rate`` rounded once, so every printed line can be re-checked."""
    return ChargeLine(
        kind, description, quantity, unit, rate, to_pennies(quantity * rate), vat_rate, dict(sources), supply_label
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def printed_dates(start_date: date, end_date: date) -> str:
    """The days ``[start_date, end_date)`` as a customer reads them: the last day printed is ``end_date`` minus one.

    Periods are half-open inside Hearth, but "1 Jun 2026 to 30 Jun 2026" is how a bill says June; one day reads
    "1 Jun 2026".
    """
    last = end_date - timedelta(days=1)
    return _day(start_date) if last == start_date else f"{_day(start_date)} to {_day(last)}"


def _moment(at: datetime) -> str:
    """An instant in London clock time with its zone, so the repeated October hour is unambiguous."""
    local = at.astimezone(LONDON)
    return f"{_day(local.date())} {local:%H:%M %Z}"


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise BillingCalculationError(f"The half-hour starting {at.isoformat()} has no time zone.")
    return at


def _local(at: datetime) -> datetime:
    return _aware(at).astimezone(LONDON)


def _in_force(start_date: date, end_date: date, rates: Sequence[RateSpan], what: str) -> list[RateSpan]:
    """The rate spans covering ``[start_date, end_date)``, clipped to it and in date order.

    :raises BillingCalculationError: if a day is unpriced or two spans overlap: guessing either would mis-charge.
    """
    _require_span(start_date, end_date, "A bill period")
    parts: list[RateSpan] = []
    cursor = start_date
    in_period = (rate for rate in rates if rate.start_date < end_date and rate.end_date > start_date)
    for rate in sorted(in_period, key=lambda rate: rate.start_date):
        begins = max(rate.start_date, start_date)
        if begins > cursor:
            raise BillingCalculationError(f"No {what} for {printed_dates(cursor, begins)} in the bill period.")
        if begins < cursor:
            raise BillingCalculationError(f"Two {what}s are in force on {_day(begins)}.")
        cursor = min(rate.end_date, end_date)
        parts.append(RateSpan(begins, cursor, rate.pence_exc_vat, rate.rate_id))
    if cursor < end_date:
        raise BillingCalculationError(f"No {what} for {printed_dates(cursor, end_date)} in the bill period.")
    return parts


def split_by_rates(
    *,
    kwh: Decimal,
    start_date: date,
    end_date: date,
    band: str,
    rates: Sequence[RateSpan],
    sources: Mapping[str, Any],
) -> tuple[EnergyCharge, ...]:
    """Share kWh read over ``[start_date, end_date)`` among the unit rates in force, pro rata by days (T&C 8.3).

    Readings give one figure for the period but the price may change inside it. Each share is rounded to the
    watt-hour and the last takes the remainder, so the parts always add up to exactly the kWh read.

    :raises BillingCalculationError: if the rates leave a day unpriced or overlap.
    """
    parts = _in_force(start_date, end_date, rates, "unit rate")
    days = (end_date - start_date).days
    charges: list[EnergyCharge] = []
    remaining = kwh
    for index, part in enumerate(parts):
        if index == len(parts) - 1:
            share = remaining
        else:
            share = (kwh * part.days / days).quantize(KWH_QUANTUM, rounding=ROUND_HALF_UP)
            remaining -= share
        part_sources = {**sources, "unit_rate": part.rate_id, "days": part.days}
        charges.append(EnergyCharge(band, part.start_date, part.end_date, share, part.pence_exc_vat, part_sources))
    return tuple(charges)


def standing_days(*, start_date: date, end_date: date, rates: Sequence[RateSpan]) -> tuple[StandingDays, ...]:
    """Days of standing charge over ``[start_date, end_date)``, one part per standing charge in force.

    :raises BillingCalculationError: if the rates leave a day unpriced or overlap.
    """
    return tuple(
        StandingDays(
            part.start_date,
            part.end_date,
            part.pence_exc_vat,
            {"standing_charge": part.rate_id, "days": part.days},
        )
        for part in _in_force(start_date, end_date, rates, "standing charge")
    )


def economy_7_bands(*, night_starts_at: time, night_ends_at: time) -> tuple[Band, Band]:
    """Economy 7 as time-of-use bands: NIGHT is the tariff's window, DAY the rest of the day."""
    return Band(NIGHT_BAND, night_starts_at, night_ends_at), Band(DAY_BAND, night_ends_at, night_starts_at)


def time_of_use_charges(
    *,
    intervals: Sequence[tuple[datetime, Decimal]],
    bands: Sequence[Band],
    rates: Mapping[str, Sequence[RateSpan]],
    sources: Mapping[str, Any] | None = None,
) -> tuple[EnergyCharge, ...]:
    """Charge half-hours by band: one charge per band per unit rate in force, in the order of ``bands``.

    ``intervals`` are ``(UTC start, kWh)``. A half-hour's band is chosen by its London clock start time and its price
    by its London date, because tariffs are set in local time. The charges' dates are the rate's days clipped to the
    local days the intervals cover.

    :raises BillingCalculationError: if a half-hour falls in no band or in two, or a band has no unit rate on a day.
    """
    if not intervals:
        return ()
    local = [(_local(at), kwh) for at, kwh in intervals]
    first_date = min(at.date() for at, _ in local)
    end_date = max(at.date() for at, _ in local) + timedelta(days=1)
    in_force: dict[str, list[RateSpan]] = {}
    totals: dict[tuple[str, int], tuple[Decimal, int]] = {}
    for at, kwh in local:
        matching = [band.name for band in bands if band.contains(at.time())]
        if len(matching) != 1:
            found = " and ".join(matching) or "no band"
            raise BillingCalculationError(f"The half-hour starting {_moment(at)} falls in {found}.")
        name = matching[0]
        if name not in in_force:
            if name not in rates:
                raise BillingCalculationError(f"No unit rate is held for the {name} band.")
            in_force[name] = _in_force(first_date, end_date, rates[name], f"{name} unit rate")
        span = next(i for i, part in enumerate(in_force[name]) if part.start_date <= at.date() < part.end_date)
        kwh_so_far, count = totals.get((name, span), (Decimal(0), 0))
        totals[(name, span)] = (kwh_so_far + kwh, count + 1)
    charges: list[EnergyCharge] = []
    for band in bands:
        for index, part in enumerate(in_force.get(band.name, ())):
            if (band.name, index) in totals:
                kwh, count = totals[(band.name, index)]
                part_sources = {**(sources or {}), "unit_rate": part.rate_id, "half_hours": count}
                charges.append(
                    EnergyCharge(band.name, part.start_date, part.end_date, kwh, part.pence_exc_vat, part_sources)
                )
    return tuple(charges)


def half_hourly_charge(
    *,
    intervals: Sequence[tuple[datetime, Decimal]],
    prices: Mapping[datetime, tuple[Decimal, int | None]],
    start_date: date,
    end_date: date,
    sources: Mapping[str, Any] | None = None,
) -> HalfHourlyCharge:
    """Price each half-hour of ``[start_date, end_date)`` at its own price (dynamic tariffs), for one printed line.

    ``prices`` maps each half-hour's start instant to (pence per kWh excluding VAT, price row id or None). The line's
    amount is the exact sum of kWh x price rounded once; its quantity is the total kWh and its rate the weighted
    average, so ``quantity x rate`` is not exactly the amount (see :class:`ChargeLine`). Sources say "half-hourly".

    :raises BillingCalculationError: naming the first half-hour with no price, or one outside the period.
    """
    # The period's local days as UTC instants: a half-hour is inside when its start is, without a time-zone
    # conversion per half-hour (a month has about 1,490). In start order, so only the ends need checking against
    # the period, and the first half-hour in error is the one named.
    start_at, end_at = day_starts_at(start_date), day_starts_at(end_date)
    ordered = sorted(intervals, key=_FIRST)
    starts_at = list(map(_FIRST, ordered))
    naive = next((at for at in starts_at if at.tzinfo is None), None)
    if naive is not None:
        _aware(naive)  # says so
    inside = len(starts_at)  # the half-hours before this one are inside the period
    if starts_at and starts_at[0] < start_at:
        inside = 0
    elif starts_at and starts_at[-1] >= end_at:
        inside = bisect_left(starts_at, end_at)
    priced = list(map(prices.get, starts_at if inside == len(starts_at) else starts_at[:inside]))
    if None in priced:
        at = starts_at[priced.index(None)]
        raise BillingCalculationError(f"No half-hourly price is held for the half-hour starting {_moment(at)}.")
    if inside < len(starts_at):
        raise BillingCalculationError(
            f"The half-hour starting {_moment(starts_at[inside])} is outside {printed_dates(start_date, end_date)}."
        )
    half_hours = tuple(zip(map(_SECOND, ordered), map(_FIRST, priced), strict=True))  # type: ignore[arg-type]
    price_ids = {price[1] for price in priced if price[1] is not None}  # type: ignore[index]
    charge_sources: dict[str, Any] = {**(sources or {}), "unit_rate": "half-hourly", "half_hours": len(half_hours)}
    if price_ids:
        charge_sources["half_hourly_prices"] = sorted(price_ids)
    return HalfHourlyCharge(start_date, end_date, half_hours, charge_sources, tuple(starts_at))


def back_billing_cutoff(issue_date: date) -> date:
    """The first day whose energy a bill issued on ``issue_date`` may charge: the same day 12 months earlier.

    Ofgem SLC 21BA: energy used more than 12 months before the bill cannot be charged. 29 February goes back to 28
    February, the last day that is still 12 months back.
    """
    year = issue_date.year - 1
    return issue_date.replace(year=year, day=min(issue_date.day, monthrange(year, issue_date.month)[1]))


def _merged(ranges: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _chargeable(
    start_date: date, end_date: date, cutoff: date, obstructed: Sequence[tuple[date, date]]
) -> list[tuple[date, date]]:
    """The parts of ``[start_date, end_date)`` that may be charged: from the cutoff on, or while obstructed."""
    parts = [(max(start_date, cutoff), end_date)] if end_date > cutoff else []
    for from_date, to_date in obstructed:
        begins, ends = max(from_date, start_date), min(to_date, end_date, cutoff)
        if begins < ends:
            parts.append((begins, ends))
    return _merged(parts)


def _dropped(start_date: date, end_date: date, kept: list[tuple[date, date]]) -> list[tuple[date, date]]:
    gaps: list[tuple[date, date]] = []
    cursor = start_date
    for begins, ends in kept:
        if begins > cursor:
            gaps.append((cursor, begins))
        cursor = ends
    if cursor < end_date:
        gaps.append((cursor, end_date))
    return gaps


def _days(start_date: date, end_date: date) -> int:
    return (end_date - start_date).days


def limit_back_billing(
    supply: SupplyCharges, *, cutoff: date, obstructed: Sequence[tuple[date, date]]
) -> tuple[SupplyCharges, list[str]]:
    """Drop the energy and standing charge of days before ``cutoff`` unless billing was obstructed on them.

    A charge crossing the cutoff keeps its kWh pro rata by the days it may still charge (half-hourly charges keep
    the half-hours of those days). ``obstructed`` are the ``[from_date, to_date)`` periods care staff recorded. The
    notes, printed on the bill, say in plain words what was not charged and what was charged only because billing
    was obstructed; a supply with nothing before the cutoff comes back unchanged, without notes.

    :raises BillingCalculationError: if a half-hourly charge to be cut has no half-hour start times.
    """
    energy: list[EnergyCharge | HalfHourlyCharge] = []
    standing: list[StandingDays] = []
    dropped_kwh = Decimal(0)
    dropped_days = 0
    dropped_ranges: list[tuple[date, date]] = []
    for charge in supply.energy:
        kept = _chargeable(charge.start_date, charge.end_date, cutoff, obstructed)
        if kept == [(charge.start_date, charge.end_date)]:
            energy.append(charge)
            continue
        dropped_ranges += _dropped(charge.start_date, charge.end_date, kept)
        pieces: Sequence[EnergyCharge | HalfHourlyCharge]
        if isinstance(charge, HalfHourlyCharge):
            pieces = _cut_half_hourly(charge, kept)
        else:
            pieces = [
                replace(
                    charge,
                    start_date=begins,
                    end_date=ends,
                    kwh=(charge.kwh * _days(begins, ends) / charge.days).quantize(KWH_QUANTUM, rounding=ROUND_HALF_UP),
                    sources={**charge.sources, "days": _days(begins, ends), "back_billing_days_of": charge.days},
                )
                for begins, ends in kept
            ]
        dropped_kwh += charge.kwh - sum((piece.kwh for piece in pieces), Decimal(0))
        energy += pieces
    for days in supply.standing:
        kept = _chargeable(days.start_date, days.end_date, cutoff, obstructed)
        if kept == [(days.start_date, days.end_date)]:
            standing.append(days)
            continue
        dropped_ranges += _dropped(days.start_date, days.end_date, kept)
        dropped_days += days.days - sum(_days(begins, ends) for begins, ends in kept)
        standing += [
            replace(days, start_date=begins, end_date=ends, sources={**days.sources, "days": _days(begins, ends)})
            for begins, ends in kept
        ]
    notes: list[str] = []
    if dropped_ranges:
        when = " and ".join(printed_dates(begins, ends) for begins, ends in _merged(dropped_ranges))
        notes.append(
            f"{supply.label}: {dropped_kwh.normalize():,f} kWh used and {dropped_days} days of standing charge from "
            f"{when} are not charged, because they are more than 12 months before this bill."
        )
    first_day = min((charge.start_date for charge in (*supply.energy, *supply.standing)), default=cutoff)
    lifted = _chargeable(first_day, cutoff, date.max, obstructed) if first_day < cutoff else []
    if lifted:
        when = " and ".join(printed_dates(begins, ends) for begins, ends in lifted)
        notes.append(
            f"{supply.label}: energy used from {when} is charged although it is more than 12 months before this "
            "bill, because we recorded that billing was obstructed then."
        )
    return replace(supply, energy=tuple(energy), standing=tuple(standing)), notes


def _cut_half_hourly(charge: HalfHourlyCharge, kept: list[tuple[date, date]]) -> list[HalfHourlyCharge]:
    if not charge.starts_at:
        raise BillingCalculationError(
            f"The half-hourly charge for {printed_dates(charge.start_date, charge.end_date)} has no half-hour times, "
            "so the back-billing limit cannot be applied to it."
        )
    pieces: list[HalfHourlyCharge] = []
    for begins, ends in kept:
        chosen = [
            (at, half_hour)
            for at, half_hour in zip(charge.starts_at, charge.half_hours, strict=True)
            if begins <= _local(at).date() < ends
        ]
        sources = {**charge.sources, "half_hours": len(chosen)}
        pieces.append(
            HalfHourlyCharge(
                begins, ends, tuple(half_hour for _, half_hour in chosen), sources, tuple(at for at, _ in chosen)
            )
        )
    return pieces


def supply_vat_rate(*, fuel: Fuel, is_business: bool, daily_average_kwh: Decimal) -> Decimal:
    """5% for domestic supplies; business supplies pay 5% at or below de minimis daily use and 20% above it."""
    if not is_business or daily_average_kwh <= DE_MINIMIS_KWH_PER_DAY[fuel]:
        return REDUCED_VAT_RATE
    return STANDARD_VAT_RATE


def _band_words(band: str) -> str:
    return "" if band == STANDARD_BAND else f", {band.lower().replace('_', ' ')} rate"


def _energy_line(
    charge: EnergyCharge | HalfHourlyCharge, fuel: str, vat_rate: Decimal, supply_label: str
) -> ChargeLine:
    dates = printed_dates(charge.start_date, charge.end_date)
    if isinstance(charge, HalfHourlyCharge):
        return ChargeLine(
            LineKind.ENERGY,
            f"{fuel} used, half-hourly prices, {dates}",
            charge.kwh,
            "kWh",
            charge.average_rate,
            charge.amount,
            vat_rate,
            dict(charge.sources),
            supply_label,
        )
    return _line(
        LineKind.ENERGY,
        f"{fuel} used{_band_words(charge.band)}, {dates}",
        charge.kwh,
        "kWh",
        charge.unit_rate_pence_exc_vat / 100,
        vat_rate,
        sources=charge.sources,
        supply_label=supply_label,
    )


def supply_lines(supply: SupplyCharges) -> list[ChargeLine]:
    """Energy lines, then standing-charge lines, then the Climate Change Levy for business supplies above de minimis.

    Descriptions print the last day included ("1 Jun 2026 to 30 Jun 2026" for ``[1 Jun, 1 Jul)``). A business
    supply at or below the de minimis daily use counts as domestic use for the levy as for VAT (HMRC CCL1/3), so it
    pays neither 20% VAT nor the levy. The levy is its own line and attracts VAT at the supply's rate: HMRC treats
    CCL as part of the value of the supply for VAT.

    :raises BillingCalculationError: if a business supply has energy before the levy rate held here.
    """
    vat_rate = supply_vat_rate(
        fuel=supply.fuel, is_business=supply.is_business, daily_average_kwh=supply.daily_average_kwh
    )
    fuel = supply.fuel.value.capitalize()
    lines = [_energy_line(charge, fuel, vat_rate, supply.label) for charge in supply.energy]
    lines += [
        _line(
            LineKind.STANDING,
            f"{fuel} standing charge, {printed_dates(days.start_date, days.end_date)}",
            Decimal(days.days),
            "days",
            days.pence_per_day_exc_vat / 100,
            vat_rate,
            sources=days.sources,
            supply_label=supply.label,
        )
        for days in supply.standing
    ]
    if vat_rate == STANDARD_VAT_RATE and supply.energy:  # a business supply above de minimis
        first = min(charge.start_date for charge in supply.energy)
        if first < CCL_EFFECTIVE_FROM:
            raise BillingCalculationError(
                f"No Climate Change Levy rate is held before {_day(CCL_EFFECTIVE_FROM)}; the energy charged starts "
                f"{_day(first)}."
            )
        last = max(charge.end_date for charge in supply.energy)
        kwh = sum((charge.kwh for charge in supply.energy), Decimal(0))
        lines.append(
            _line(
                LineKind.LEVY,
                f"Climate Change Levy, {printed_dates(first, last)}",
                kwh,
                "kWh",
                CCL_RATE_POUNDS_PER_KWH,
                vat_rate,
                sources={"levy_rate_from": CCL_EFFECTIVE_FROM.isoformat(), "energy_lines": len(supply.energy)},
                supply_label=supply.label,
            )
        )
    return lines


def additional_charge_line(
    description: str, amount: Decimal, *, sources: Mapping[str, Any] | None = None
) -> ChargeLine:
    """An additional charge under T&C 11 (e.g. £70 missed appointment), always at 20% VAT."""
    return _line(
        LineKind.ADDITIONAL, description, Decimal(1), "charge", amount, STANDARD_VAT_RATE, sources=sources or {}
    )


def late_payment_interest(
    *, principal: Decimal, start_date: date, end_date: date, base_rate_percent: Decimal
) -> Decimal:
    """Simple interest on an overdue amount over ``[start_date, end_date)`` (T&C 10.1.8), rounded to the penny once.

    ``principal x (base rate + 4)% x days / 365``; the year is always 365 days, leap or not, as the T&C's "4% a
    year" is read.

    :raises BillingCalculationError: if the principal is negative or the period runs backwards.
    """
    if principal < 0:
        raise BillingCalculationError(f"Interest is charged on an amount owed; got {principal}.")
    if end_date < start_date:
        raise BillingCalculationError(f"Interest cannot run from {start_date} back to {end_date}.")
    annual_percent = base_rate_percent + LATE_PAYMENT_MARGIN_PERCENT
    return to_pennies(principal * annual_percent / 100 * _days(start_date, end_date) / INTEREST_DAYS_PER_YEAR)


def exit_fee_line(description: str, amount: Decimal, *, sources: Mapping[str, Any]) -> ChargeLine:
    """An exit fee (T&C 14.4) as its own line, without VAT: we treat it as compensation for a contract ended early,
    outside the scope of VAT (``hearth.domain.contracts.exit_fees``)."""
    return _line(LineKind.ADDITIONAL, description, Decimal(1), "charge", amount, None, sources=sources)


def interest_line(description: str, amount: Decimal, *, sources: Mapping[str, Any]) -> ChargeLine:
    """Late-payment interest as its own line, without VAT: interest is outside the scope of VAT."""
    return _line(LineKind.INTEREST, description, Decimal(1), "charge", amount, None, sources=sources)


def vat_lines(lines: Iterable[ChargeLine]) -> list[ChargeLine]:
    """One VAT line per rate, on the sum of the (already rounded) lines at that rate, rounded once.

    Summing before rounding keeps VAT within half a penny of the exact figure however many lines there are. Each VAT
    line's sources list the positions (from 1, in the order of ``lines``) of the lines it is charged on, which are
    the stored bill lines' positions when a bill keeps that order.
    """
    bases: dict[Decimal, Decimal] = {}
    taxed: dict[Decimal, list[int]] = {}
    for position, line in enumerate(lines, start=1):
        if line.vat_rate is not None:
            bases[line.vat_rate] = bases.get(line.vat_rate, Decimal(0)) + line.amount
            taxed.setdefault(line.vat_rate, []).append(position)
    return [
        _line(LineKind.VAT, f"VAT at {rate * 100:.0f}%", base, "£", rate, None, sources={"lines": taxed[rate]})
        for rate, base in sorted(bases.items())
    ]


def bill_lines(supplies: Sequence[SupplyCharges], *, additional: Sequence[ChargeLine] = ()) -> list[ChargeLine]:
    """Every line of a bill: each supply's lines, then additional charges and interest, then one VAT line per rate.

    :raises BillingCalculationError: as :func:`supply_lines` does.
    """
    lines = [line for supply in supplies for line in supply_lines(supply)] + list(additional)
    return lines + vat_lines(lines)


def bill_total(lines: Iterable[ChargeLine]) -> Decimal:
    """The bill total is the sum of its lines and nothing else, so the printed lines always add up."""
    return sum((line.amount for line in lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class GasConversion:
    """The steps from a gas meter's volume to kWh, printed on the bill (customers check them)."""

    volume_read: Decimal
    volume_unit: str
    volume_m3: Decimal
    correction_factor: Decimal
    calorific_value: Decimal
    kwh: Decimal


def gas_kwh(volume: Decimal, calorific_value: Decimal, imperial: bool = False) -> GasConversion:
    """Convert a gas volume to kWh: ``m³ x 1.02264 x CV ÷ 3.6``, imperial hundreds of cubic feet x 2.83 first.

    kWh are rounded half-up to the watt-hour once, at the end, so the printed steps reproduce the printed kWh.
    """
    volume_m3 = gas.hcf_to_cubic_metres(volume) if imperial else volume
    kwh = gas.kwh_of_gas(cubic_metres=volume_m3, calorific_value=calorific_value).quantize(
        KWH_QUANTUM, rounding=ROUND_HALF_UP
    )
    return GasConversion(
        volume_read=volume,
        volume_unit="hcf" if imperial else "m³",
        volume_m3=volume_m3,
        correction_factor=GAS_CORRECTION_FACTOR,
        calorific_value=calorific_value,
        kwh=kwh,
    )
