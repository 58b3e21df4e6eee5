"""What consumption cost, priced as a bill prices it: each half-hour or local day at the tariff in force then.

For the portal's consumption pages (issue 13), which show pounds beside kWh. The prices are the bill's: the supply
point's tariff agreements, their unit rates by band and standing charges (stored excluding VAT), Economy 7's night
window and time-of-use bands chosen by local clock time (:class:`calculation.Band`), a dynamic tariff's own
half-hourly prices; the arithmetic is the bill core's (:mod:`hearth.domain.billing.calculation`).

Amounts include VAT at the supply's rate (:func:`calculation.supply_vat_rate`: 5% for a household), as customers buy
energy, and each figure is rounded half-up to the penny once, so a period's total is the sum of the figures shown.
The standing charge is a cost per day whatever is used, so it is kept apart from the energy costs. A figure is not
a bill: no Climate Change Levy, and the kWh are those the meter sent, not the readings a bill uses.

A cost is None where it cannot be worked out honestly: no tariff agreement that day, no price held for a half-hour
of a dynamic tariff, or a day with only a daily total on a tariff priced by time of day (its night use is unknown).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from hearth.common import calendar
from hearth.common.money import to_pennies
from hearth.data.accounts.models import SupplyPoint
from hearth.data.metering.models import Meter
from hearth.data.tariffs.models import Agreement, HalfHourlyPrice, Tariff
from hearth.domain.billing import calculation
from hearth.domain.metering import consumption as metering_consumption
from hearth.domain.tariffs import queries as tariff_queries

__all__ = ["Prices", "day_costs", "half_hour_costs", "prices_for"]

HUNDRED: Final = Decimal(100)
PENCE_SHOWN: Final = Decimal("0.01")

_STRUCTURE_WORDS: Final = {
    Tariff.Structure.SINGLE_RATE: "one price for every kWh",
    Tariff.Structure.TWO_RATE: "Economy 7: a night price and a day price",
    Tariff.Structure.TIME_OF_USE: "a price for each time of day",
    Tariff.Structure.HALF_HOURLY: "a price for each half-hour",
}


@dataclass(frozen=True)
class Prices:
    """The supply point's prices over some local days: by band and day, by half-hour, and the standing charge.

    ``bands`` is empty for a single-rate tariff (every kWh at the ``STANDARD`` rate) and for a dynamic one, whose
    prices are in ``half_hourly`` (pence per kWh excluding VAT, by the half-hour's UTC start).
    """

    structure: str
    tariff_names: tuple[str, ...]
    bands: tuple[calculation.Band, ...]
    unit_rates: Mapping[str, Sequence[calculation.RateSpan]]
    standing: Sequence[calculation.RateSpan]
    half_hourly: Mapping[datetime, Decimal]
    vat_rate: Decimal

    @property
    def structure_words(self) -> str:
        return _STRUCTURE_WORDS.get(Tariff.Structure(self.structure), self.structure.lower())

    def unit_rate(self, band: str, day: date) -> Decimal | None:
        """The band's price on a local day, in pence per kWh excluding VAT; None if none is held."""
        return _on(self.unit_rates.get(band, ()), day)

    def pence_at(self, at: datetime) -> Decimal | None:
        """The price of the half-hour starting at ``at`` (pence per kWh excluding VAT), chosen as the bill chooses it:
        its own price on a dynamic tariff, else its band by local clock time and the band's rate by local date."""
        if self.structure == Tariff.Structure.HALF_HOURLY:
            return self.half_hourly.get(at)
        local = at.astimezone(calendar.LONDON)
        band = next((band.name for band in self.bands if band.contains(local.time())), calculation.STANDARD_BAND)
        return self.unit_rate(band, local.date())

    def standing_pence_with_vat(self, day: date) -> Decimal | None:
        """The standing charge on a local day in pence with VAT, to two places as customers are quoted it."""
        pence = _on(self.standing, day)
        return None if pence is None else (pence * (1 + self.vat_rate)).quantize(PENCE_SHOWN, rounding=ROUND_HALF_UP)

    def standing_over(self, days: Sequence[date]) -> Decimal | None:
        """The standing charge for ``days`` in pounds with VAT, rounded once as a bill rounds it; None if a day has
        no standing charge."""
        pence = [_on(self.standing, day) for day in days]
        if None in pence:
            return None
        return self.with_vat(sum((value for value in pence if value is not None), Decimal(0)))

    def exact_with_vat(self, pence_exc_vat: Decimal) -> Decimal:
        """Pence excluding VAT as pounds including it, unrounded (a half-hour's cost is a fraction of a penny)."""
        return pence_exc_vat * (1 + self.vat_rate) / HUNDRED

    def with_vat(self, pence_exc_vat: Decimal) -> Decimal:
        """Pence excluding VAT as pounds including it, to the penny (once)."""
        return to_pennies(self.exact_with_vat(pence_exc_vat))


def _on(spans: Sequence[calculation.RateSpan], day: date) -> Decimal | None:
    return next((span.pence_exc_vat for span in spans if span.start_date <= day < span.end_date), None)


def _days_of(valid_from: datetime, valid_to: datetime | None, first: date, after: date) -> tuple[date, date]:
    """A ``[valid_from, valid_to)`` period as the local days it covers, clipped to ``[first, after)``."""
    end = after if valid_to is None else min(after, calendar.local_date(valid_to))
    return max(first, calendar.local_date(valid_from)), end


def prices_for(
    *, supply_point: SupplyPoint, first_day: date, last_day: date, is_business: bool, daily_average_kwh: Decimal
) -> Prices | None:
    """The prices of ``supply_point`` over the local days ``first_day`` to ``last_day``; None with no agreement.

    Like a bill, one rate structure per period: if the structure changed inside it, the latest agreement's structure
    is used and the days on the other one have no price (a bill refuses such a period outright).
    """
    after = last_day + timedelta(days=1)
    start_at, end_at = calendar.day_starts_at(first_day), calendar.day_starts_at(after)
    agreements = list(
        Agreement.objects.filter(supply_point=supply_point, valid_from__lt=end_at)
        .exclude(valid_to__lte=start_at)
        .select_related("tariff__product")
        .order_by("valid_from", "id")
    )
    if not agreements:
        return None
    tariff = agreements[-1].tariff
    on_tariff = [
        (agreement.tariff, *_days_of(agreement.valid_from, agreement.valid_to, first_day, after))
        for agreement in agreements
        if (agreement.tariff.structure, agreement.tariff.night_starts_at, agreement.tariff.night_ends_at)
        == (tariff.structure, tariff.night_starts_at, tariff.night_ends_at)
    ]
    tariff_ids = [chosen.pk for chosen, _, _ in on_tariff]
    unit_rates: dict[str, list[calculation.RateSpan]] = {}
    bands: dict[str, calculation.Band] = {}
    rows = tariff_queries.price_rows(tariff_ids=tariff_ids)
    for row in rows:
        if row.band is None:
            continue
        if tariff.structure == Tariff.Structure.TIME_OF_USE and row.band_starts_at and row.band_ends_at:
            bands[row.band] = calculation.Band(row.band, row.band_starts_at, row.band_ends_at)
        unit_rates.setdefault(row.band, []).extend(_spans(row, on_tariff))
    if tariff.structure == Tariff.Structure.TWO_RATE and tariff.night_starts_at and tariff.night_ends_at:
        bands = {
            band.name: band
            for band in calculation.economy_7_bands(
                night_starts_at=tariff.night_starts_at, night_ends_at=tariff.night_ends_at
            )
        }
    standing = [span for row in rows if row.band is None for span in _spans(row, on_tariff)]
    half_hourly: dict[datetime, Decimal] = {}
    if tariff.structure == Tariff.Structure.HALF_HOURLY:
        for chosen, start, end in on_tariff:
            half_hourly.update(
                HalfHourlyPrice.objects.filter(
                    tariff=chosen,
                    interval_start__gte=calendar.day_starts_at(start),
                    interval_start__lt=calendar.day_starts_at(end),
                ).values_list("interval_start", "value_exc_vat")
            )
    fuel = calculation.Fuel(supply_point.fuel.lower())
    return Prices(
        structure=tariff.structure,
        tariff_names=tuple(dict.fromkeys(chosen.product.display_name for chosen, _, _ in on_tariff)),
        bands=tuple(bands.values()),
        unit_rates=unit_rates,
        standing=standing,
        half_hourly=half_hourly,
        vat_rate=calculation.supply_vat_rate(fuel=fuel, is_business=is_business, daily_average_kwh=daily_average_kwh),
    )


def _spans(row: tariff_queries.PriceRow, on_tariff: Sequence[tuple[Tariff, date, date]]) -> list[calculation.RateSpan]:
    """A price row as the rate spans of the days it is in force while its tariff is the supply point's."""
    spans = []
    for chosen, start, end in on_tariff:
        if chosen.pk == row.tariff_id:
            begins, ends = _days_of(row.valid_from, row.valid_to, start, end)
            if begins < ends:
                spans.append(calculation.RateSpan(begins, ends, Decimal(row.value_exc_vat), row.pk))
    return spans


def day_costs(
    *,
    meter: Meter,
    prices: Prices,
    day_kwh: Mapping[date, Decimal],
    within: Sequence[metering_consumption.Window] | None = None,
) -> dict[date, Decimal | None]:
    """The energy cost of each day in ``day_kwh`` (the day's kWh as shown), in pounds with VAT.

    A single-rate day is its kWh at the day's rate. On Economy 7 or time-of-use prices the kWh of each band are
    totalled in SQL; on a dynamic tariff each half-hour is priced at its own price. Either way a day priced by time of
    day needs its half-hours: a day known only by its daily total has no cost.
    """
    days = sorted(day_kwh)
    energy: dict[date, Decimal | None] = {}
    if not days:
        return energy
    start_at, end_at = calendar.day_starts_at(days[0]), calendar.day_starts_at(days[-1] + timedelta(days=1))
    if prices.structure == Tariff.Structure.SINGLE_RATE:
        for day in days:
            rate = prices.unit_rate(calculation.STANDARD_BAND, day)
            energy[day] = None if rate is None else prices.with_vat(day_kwh[day] * rate)
    elif prices.structure == Tariff.Structure.HALF_HOURLY:
        pence: dict[date, Decimal | None] = {}
        for row in metering_consumption.intervals(
            meter=meter, period_from=start_at, period_to=end_at, include_missing=False, within=within
        ):
            day = calendar.local_date(row.interval_start)
            price, so_far = prices.pence_at(row.interval_start), pence.get(day, Decimal(0))
            pence[day] = None if price is None or so_far is None else so_far + row.kwh * price
        energy = {day: _maybe(pence.get(day), prices) for day in days}
    else:
        by_band = metering_consumption.kwh_by_day_and_band(
            meter=meter,
            period_from=start_at,
            period_to=end_at,
            bands=[(band.name, band.starts_at, band.ends_at) for band in prices.bands],
            within=within,
        )
        for day in days:
            priced = [
                (kwh, prices.unit_rate(band.name, day))
                for band in prices.bands
                if (kwh := by_band.get((day, band.name))) is not None
            ]
            amounts = [kwh * rate for kwh, rate in priced if rate is not None]
            energy[day] = prices.with_vat(sum(amounts, Decimal(0))) if priced and len(amounts) == len(priced) else None
    return energy


def _maybe(pence_exc_vat: Decimal | None, prices: Prices) -> Decimal | None:
    return None if pence_exc_vat is None else prices.with_vat(pence_exc_vat)


def half_hour_costs(*, prices: Prices, half_hours: Sequence[tuple[datetime, Decimal]]) -> list[Decimal | None]:
    """The cost of each ``(UTC start, kWh shown)`` half-hour at its price, in pounds with VAT, unrounded (None if
    unpriced): a day's half-hours rounded to the penny once add up to the day's cost on the daily page."""
    costs: list[Decimal | None] = []
    for at, kwh in half_hours:
        pence = prices.pence_at(at)
        costs.append(None if pence is None else prices.exact_with_vat(kwh * pence))
    return costs
