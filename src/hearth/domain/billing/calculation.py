"""The arithmetic of a bill: charge lines, VAT, Climate Change Levy and the gas volume-to-energy conversion.

Plain values in, plain values out (no Django, no database) so the numbers a customer and a regulator see can be tested
against an independent Decimal reference. Rules, from ``DOMAIN.md`` "Charges, VAT and levies":

- every amount is in pounds, a :class:`~decimal.Decimal`, rounded half-up to the penny **once per line** (via
  :func:`hearth.common.money.to_pennies`); rates keep full precision, so a line reads ``quantity x rate = amount``;
- a bill's total is the sum of its lines and nothing else, so the printed lines always add up.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from hearth.common import gas
from hearth.common.money import to_pennies

__all__ = [
    "CCL_EFFECTIVE_FROM",
    "CCL_RATE_POUNDS_PER_KWH",
    "DE_MINIMIS_KWH_PER_DAY",
    "GAS_CORRECTION_FACTOR",
    "HCF_TO_M3",
    "REDUCED_VAT_RATE",
    "STANDARD_VAT_RATE",
    "BillingCalculationError",
    "ChargeLine",
    "Fuel",
    "GasConversion",
    "LineKind",
    "PeriodUsage",
    "RatePeriod",
    "SupplyCharges",
    "Usage",
    "additional_charge_line",
    "bill_total",
    "charge_lines",
    "gas_kwh",
    "split_usage",
    "supply_lines",
    "supply_vat_rate",
    "vat_lines",
]

REDUCED_VAT_RATE: Final = Decimal("0.05")
"""VAT on domestic fuel and power (and business use below de minimis)."""

STANDARD_VAT_RATE: Final = Decimal("0.20")
"""VAT on business use above de minimis and on every other charge (missed appointments, meter tests...)."""

KWH_QUANTUM: Final = Decimal("0.001")
"""kWh are kept to the watt-hour: fine enough never to move a penny, short enough to print."""


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
    VAT = "vat"


@dataclass(frozen=True, slots=True)
class RatePeriod:
    """Prices in force over ``[start_date, end_date)`` (end exclusive), in pence excluding VAT.

    Rates are stored excluding VAT (``DOMAIN.md``): VAT depends on who the customer is, the price does not.
    """

    start_date: date
    end_date: date
    unit_rate_pence_exc_vat: Decimal
    standing_charge_pence_exc_vat: Decimal

    def __post_init__(self) -> None:
        if self.end_date <= self.start_date:
            raise BillingCalculationError(
                f"A rate period must end after it starts; got {self.start_date} to {self.end_date}."
            )

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days


@dataclass(frozen=True, slots=True)
class Usage:
    """Energy used over a number of days: the input to the de minimis test and to :func:`split_usage`."""

    kwh: Decimal
    days: int

    def __post_init__(self) -> None:
        if self.days <= 0:
            raise BillingCalculationError(f"Usage must cover at least one day; got {self.days}.")

    @property
    def daily_average_kwh(self) -> Decimal:
        return self.kwh / self.days


@dataclass(frozen=True, slots=True)
class PeriodUsage:
    """kWh charged at one rate period's prices."""

    period: RatePeriod
    kwh: Decimal


@dataclass(frozen=True, slots=True)
class SupplyCharges:
    """What one supply point is charged on over a bill period.

    ``daily_average_kwh`` is separate from the periods because the de minimis test uses the supply's average use,
    which for a short or part-estimated period may come from more than the kWh on this bill.
    """

    fuel: Fuel
    is_business: bool
    periods: tuple[PeriodUsage, ...]
    daily_average_kwh: Decimal


@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One printed line of a bill: ``quantity`` ``unit`` x ``rate`` (pounds per unit) = ``amount`` (pounds, 2 dp).

    ``vat_rate`` is the VAT the line attracts; VAT lines themselves carry ``None``.
    """

    kind: LineKind
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    vat_rate: Decimal | None


def _line(
    kind: LineKind, description: str, quantity: Decimal, unit: str, rate: Decimal, vat_rate: Decimal | None
) -> ChargeLine:
    """Build a line whose amount is ``quantity x rate`` rounded once, so every printed line can be re-checked."""
    return ChargeLine(kind, description, quantity, unit, rate, to_pennies(quantity * rate), vat_rate)


def split_usage(*, usage: Usage, start_date: date, rate_periods: Sequence[RatePeriod]) -> tuple[PeriodUsage, ...]:
    """Share ``usage`` over the prices in force, pro rata by days, clipping each rate period to the bill period.

    Used when readings give one figure for the bill period but the price changed inside it (T&C 8.3). The last part
    takes the remainder, so the parts always add up to exactly the kWh read.

    :raises BillingCalculationError: if the rate periods leave a day of the bill period unpriced or overlap.
    """
    end_date = date.fromordinal(start_date.toordinal() + usage.days)
    parts: list[RatePeriod] = []
    cursor = start_date
    for period in sorted(rate_periods, key=lambda p: p.start_date):
        if period.end_date <= cursor or period.start_date >= end_date:
            continue
        if period.start_date > cursor:
            raise BillingCalculationError(f"No prices for {cursor} to {period.start_date} in the bill period.")
        if period.start_date < cursor and parts:
            raise BillingCalculationError(f"Rate periods overlap on {period.start_date}.")
        clipped_end = min(period.end_date, end_date)
        parts.append(
            RatePeriod(cursor, clipped_end, period.unit_rate_pence_exc_vat, period.standing_charge_pence_exc_vat)
        )
        cursor = clipped_end
    if cursor < end_date:
        raise BillingCalculationError(f"No prices for {cursor} to {end_date} in the bill period.")
    shares: list[PeriodUsage] = []
    remaining = usage.kwh
    for index, part in enumerate(parts):
        if index == len(parts) - 1:
            kwh = remaining
        else:
            kwh = (usage.kwh * part.days / usage.days).quantize(KWH_QUANTUM, rounding=ROUND_HALF_UP)
            remaining -= kwh
        shares.append(PeriodUsage(part, kwh))
    return tuple(shares)


def supply_vat_rate(*, fuel: Fuel, is_business: bool, daily_average_kwh: Decimal) -> Decimal:
    """5% for domestic supplies; business supplies pay 5% at or below de minimis daily use and 20% above it."""
    if not is_business or daily_average_kwh <= DE_MINIMIS_KWH_PER_DAY[fuel]:
        return REDUCED_VAT_RATE
    return STANDARD_VAT_RATE


def supply_lines(supply: SupplyCharges) -> list[ChargeLine]:
    """Energy and standing-charge lines for each rate period, then the Climate Change Levy for business supplies.

    The levy is its own line and attracts VAT at the supply's rate: HMRC treats CCL as part of the value of the
    supply for VAT, so leaving it outside VAT would under-charge and putting it at 20% would over-charge.

    :raises BillingCalculationError: if a business supply has a rate period before the levy rate held here.
    """
    vat_rate = supply_vat_rate(
        fuel=supply.fuel, is_business=supply.is_business, daily_average_kwh=supply.daily_average_kwh
    )
    lines: list[ChargeLine] = []
    for part in supply.periods:
        period = part.period
        span = f"{period.start_date:%d %b %Y} to {period.end_date:%d %b %Y} (end exclusive)"
        lines.append(
            _line(
                LineKind.ENERGY,
                f"{supply.fuel.value.capitalize()} used {span}",
                part.kwh,
                "kWh",
                period.unit_rate_pence_exc_vat / 100,
                vat_rate,
            )
        )
        lines.append(
            _line(
                LineKind.STANDING,
                f"Standing charge {span}",
                Decimal(period.days),
                "days",
                period.standing_charge_pence_exc_vat / 100,
                vat_rate,
            )
        )
    if supply.is_business and supply.periods:
        first = min(part.period.start_date for part in supply.periods)
        if first < CCL_EFFECTIVE_FROM:
            raise BillingCalculationError(
                f"No Climate Change Levy rate is held before {CCL_EFFECTIVE_FROM}; the bill period starts {first}."
            )
        kwh = sum((part.kwh for part in supply.periods), Decimal(0))
        lines.append(_line(LineKind.LEVY, "Climate Change Levy", kwh, "kWh", CCL_RATE_POUNDS_PER_KWH, vat_rate))
    return lines


def additional_charge_line(description: str, amount: Decimal) -> ChargeLine:
    """An additional charge under T&C 11 (e.g. £70 missed appointment), always at 20% VAT."""
    return _line(LineKind.ADDITIONAL, description, Decimal(1), "charge", amount, STANDARD_VAT_RATE)


def vat_lines(lines: Iterable[ChargeLine]) -> list[ChargeLine]:
    """One VAT line per rate, on the sum of the (already rounded) lines at that rate, rounded once.

    Summing before rounding keeps VAT within half a penny of the exact figure however many lines there are.
    """
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.vat_rate is not None:
            bases[line.vat_rate] = bases.get(line.vat_rate, Decimal(0)) + line.amount
    return [
        _line(LineKind.VAT, f"VAT at {rate * 100:.0f}%", base, "£", rate, None) for rate, base in sorted(bases.items())
    ]


def charge_lines(supply: SupplyCharges, *, additional: Sequence[ChargeLine] = ()) -> list[ChargeLine]:
    """Every line of a one-supply bill: supply lines, additional charges, then the VAT lines on them all."""
    lines = supply_lines(supply) + list(additional)
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
