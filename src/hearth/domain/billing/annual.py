"""What a UK bill says about a supply's year: its annual consumption, the projected cost on its tariff, the tariff's
end date and exit fee, and whether another tariff on sale would cost less for the same energy.

Everything is worked out as the bill stood when it was issued (the bill's period end, its issue time, the tariffs on
sale then), so printing the bill again prints the same figures. The annual consumption is the kWh on the account's
live bills over the twelve months to the end of this bill; with less history than that it is estimated from the days
billed, scaled to a year by the seasonal profile (:mod:`hearth.common.profile`), and the bill says so. Prices are
pence excluding VAT (as stored); a year's cost adds VAT once at the end and is rounded to the penny once.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from django.db.models import Q

from hearth.common import calendar, profile
from hearth.common.money import to_pennies
from hearth.data.accounts.models import Fuel, SupplyPoint
from hearth.data.billing.models import Bill, BillConsumption
from hearth.data.metering.models import Meter
from hearth.data.tariffs.models import Agreement, Product, Tariff
from hearth.domain.tariffs import contracts as tariff_contracts
from hearth.domain.tariffs import queries as tariff_queries

DAYS_IN_A_YEAR: Final = 365
"""A projected year pays 365 days' standing charge, as the quote page counts it."""

WORTH_SWITCHING: Final = Decimal("1.00")
"""A tariff is named as cheaper only when it saves at least this much a year."""


@dataclass(frozen=True, slots=True)
class AnnualConsumption:
    """A supply's kWh over a year, per register band, and whether it was measured or estimated."""

    kwh_by_band: dict[str, Decimal]
    estimated: bool
    days_billed: int

    @property
    def kwh(self) -> Decimal:
        return sum(self.kwh_by_band.values(), Decimal(0))


@dataclass(frozen=True, slots=True)
class Cheaper:
    """A tariff on sale that would have cost less for the same year's energy."""

    tariff: Tariff
    annual_cost: Decimal
    saving: Decimal


@dataclass(frozen=True, slots=True)
class SupplyYear:
    """The year figures a bill prints for one supply point."""

    consumption: AnnualConsumption | None
    projected_cost: Decimal | None
    tariff_end_date: date | None
    exit_fee: Decimal
    cheaper: Cheaper | None
    cheapest_known: bool
    """True when the tariffs on sale were compared and none is cheaper (the customer is on the cheapest)."""


def annual_consumption(bill: Bill, supply_point: SupplyPoint) -> AnnualConsumption | None:
    """The kWh the account was billed for ``supply_point`` in the year to the end of ``bill`` (``bill`` included,
    even if cancelled since), or None when nothing was billed for it."""
    end = bill.period_end_date
    year_before = end - timedelta(days=DAYS_IN_A_YEAR)
    rows = BillConsumption.objects.filter(
        Q(bill__status=Bill.Status.ISSUED) | Q(bill=bill),
        bill__account_id=bill.account_id,
        supply_point=supply_point,
        bill__period_start_date__gte=year_before,
        bill__period_end_date__lte=end,
    ).values_list("band", "kwh", "bill__period_start_date")
    by_band: dict[str, Decimal] = defaultdict(Decimal)
    starts = []
    for band, kwh, start in rows:
        by_band[band] += kwh
        starts.append(start)
    if not starts:
        return None
    first = min(starts)
    days = (end - first).days
    if days >= DAYS_IN_A_YEAR:
        return AnnualConsumption(kwh_by_band=dict(by_band), estimated=False, days_billed=days)
    share = profile.share_of_year(first, end, supply_point.fuel)
    scaled = {band: (kwh / share).quantize(Decimal("1")) for band, kwh in by_band.items()}
    return AnnualConsumption(kwh_by_band=scaled, estimated=True, days_billed=days)


def _priced_bands(kwh_by_band: dict[str, Decimal], rate_bands: Iterable[str]) -> dict[str, Decimal] | None:
    """The year's kWh on the tariff's bands: band by band, or all on a single-rate tariff's one band; None when the
    two do not match (half-hourly use, or Economy 7 use on a tariff of other bands)."""
    bands = set(rate_bands)
    if kwh_by_band.keys() <= bands:
        return kwh_by_band
    if len(bands) == 1:
        return {bands.pop(): sum(kwh_by_band.values(), Decimal(0))}
    return None


def annual_cost(tariff: Tariff, kwh_by_band: dict[str, Decimal], *, vat_rate: Decimal, bill: Bill) -> Decimal | None:
    """A year on ``tariff`` at the prices in force when ``bill`` was issued, in pounds with VAT: 365 days' standing
    charge plus each band's kWh at its unit rate; None when the tariff has no price for the energy."""
    return annual_cost_at(tariff_queries.rates_at(tariff=tariff, at=bill.issued_at), kwh_by_band, vat_rate=vat_rate)


def annual_cost_at(
    rates: tariff_queries.RatesAt, kwh_by_band: dict[str, Decimal], *, vat_rate: Decimal
) -> Decimal | None:
    """``annual_cost`` at prices already read (``tariff_queries.rates_at`` or ``rates_of_tariffs_at``)."""
    if rates.standing_charge is None or not rates.unit_rates:
        return None
    kwh = _priced_bands(kwh_by_band, rates.unit_rates)
    if kwh is None or not kwh.keys() <= rates.unit_rates.keys():
        return None
    pence = sum((kwh[band] * rates.unit_rates[band].value_exc_vat for band in kwh), Decimal(0))
    pence += DAYS_IN_A_YEAR * rates.standing_charge.value_exc_vat
    return to_pennies(pence / 100 * (1 + vat_rate))


def _on_sale_for(current: Tariff, supply_point: SupplyPoint, bill: Bill) -> list[Tariff]:
    """Tariffs on sale when the bill was issued for the same fuel, region, rate structure and way of paying, from
    products that allow the point's meters (the current tariff among them if it is still sold)."""
    kinds = set(Meter.objects.filter(supply_point=supply_point, removed_at__isnull=True).values_list("kind", flat=True))
    products = tariff_queries.available_products(at=bill.issued_at).filter(is_business=current.product.is_business)
    candidates = Tariff.objects.filter(
        product__in=products,
        fuel=current.fuel,
        region=current.region,
        structure=current.structure,
        payment_method=current.payment_method,
    ).select_related("product")
    return [t for t in candidates if not t.product.meter_kinds or kinds <= set(t.product.meter_kinds)]


def tariff_end_date(agreement: Agreement) -> date | None:
    """The last day of the tariff: the agreement's own end if it has one, else a fixed product's term end; None for
    a variable tariff with no end."""
    if agreement.valid_to is not None:
        return calendar.local_date(agreement.valid_to) - timedelta(days=1)
    return tariff_contracts.fixed_term_end_date(agreement.tariff.product, calendar.local_date(agreement.valid_from))


def exit_fee(product: Product, fuel: str, end_date: date | None, on: date) -> Decimal:
    """The product's exit fee for ``fuel`` while its fixed term runs; nothing once it has ended (or if none)."""
    if end_date is None or end_date < on:
        return Decimal("0.00")
    return product.exit_fee_electricity if fuel == Fuel.ELECTRICITY else product.exit_fee_gas


def supply_year(bill: Bill, supply_point: SupplyPoint, agreement: Agreement | None, vat_rate: Decimal) -> SupplyYear:
    """The year figures of one supply on ``bill``: consumption, projected cost, tariff end, exit fee, cheaper tariff."""
    consumption = annual_consumption(bill, supply_point)
    if agreement is None:
        return SupplyYear(consumption, None, None, Decimal("0.00"), None, cheapest_known=False)
    tariff = agreement.tariff
    end = tariff_end_date(agreement)
    fee = exit_fee(tariff.product, supply_point.fuel, end, bill.issue_date)
    if consumption is None:
        return SupplyYear(consumption, None, end, fee, None, cheapest_known=False)
    on_sale = _on_sale_for(tariff, supply_point, bill)
    rates = tariff_queries.rates_of_tariffs_at(tariffs=[tariff, *on_sale], at=bill.issued_at)
    projected = annual_cost_at(rates[tariff.pk], consumption.kwh_by_band, vat_rate=vat_rate)
    if projected is None:
        return SupplyYear(consumption, None, end, fee, None, cheapest_known=False)
    priced = []
    for other in on_sale:
        cost = annual_cost_at(rates[other.pk], consumption.kwh_by_band, vat_rate=vat_rate)
        if cost is not None:
            priced.append((cost, other.product.display_name, other))
    if not priced:
        return SupplyYear(consumption, projected, end, fee, None, cheapest_known=False)
    cost, _, cheapest = min(priced, key=lambda found: (found[0], found[1]))
    if projected - cost < WORTH_SWITCHING:
        return SupplyYear(consumption, projected, end, fee, None, cheapest_known=True)
    cheaper = Cheaper(tariff=cheapest, annual_cost=cost, saving=projected - cost)
    return SupplyYear(consumption, projected, end, fee, cheaper, cheapest_known=False)
