"""The tariff an account is moved to when it is not on one it chose, and how a tariff's prices are quoted to it.

Several flows put a customer on the Standard Variable Tariff without them choosing a product: a move for not paying
by the tariff's method (T&C 9.2, 10.2, ``payments.tariff_moves``), the rollover at the end of a fixed term (6.2,
14.6) and a move after refusing a smart meter (15.6, both in ``hearth.domain.contracts``). Each needs the same
choice (the variable tariff for the point's meter type, fuel, region and rate structure, paid the way the account
pays) and each letter quotes prices the same way, so both live here, below the flows that use them.
"""

from collections.abc import Set
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from hearth.data.accounts.models import Account, Customer, SupplyPoint
from hearth.data.payments.models import PaymentArrangement
from hearth.data.tariffs.models import Tariff, UnitRate
from hearth.domain.billing import calculation
from hearth.domain.payments import methods
from hearth.domain.tariffs import queries as tariff_queries

Method = PaymentArrangement.Method
PENCE: Final = Decimal("0.01")


class TariffQuoteProblem(Exception):
    """No tariff fits, or a tariff has no prices to quote; the message says why and what care staff must do."""


def meter_kinds(supply_point: SupplyPoint) -> set[str]:
    """The kinds of the point's meters in place (SMART, CREDIT, PREPAYMENT...)."""
    return set(supply_point.meters.filter(removed_at__isnull=True).values_list("kind", flat=True))


def standard_variable_tariff(
    *,
    supply_point: SupplyPoint,
    like: Tariff,
    method: str,
    is_business: bool,
    at: datetime,
    kinds: Set[str] | None = None,
) -> Tariff:
    """The Standard Variable Tariff for ``supply_point``: a product on sale at ``at`` that allows the point's meter
    kinds (``kinds``, when read already) and paying by ``method`` (a ``PaymentArrangement.Method``), with a tariff
    for ``like``'s fuel, region and rate structure sold for that method.

    :raises TariffQuoteProblem: none fits.
    """
    kinds = meter_kinds(supply_point) if kinds is None else kinds
    products = (
        tariff_queries.available_products(at=at)
        .filter(is_standard_variable=True, is_business=is_business)
        .order_by("id")
    )
    tariff_method = methods.TARIFF_METHOD[Method(method)]
    for product in products:
        if product.meter_kinds and not kinds <= set(product.meter_kinds):
            continue
        if not methods.product_allows(product, method):
            continue
        tariff = Tariff.objects.filter(
            product=product,
            fuel=like.fuel,
            region=like.region,
            structure=like.structure,
            payment_method=tariff_method,
        ).first()
        if tariff is not None:
            tariff.product = product  # read already: its name is printed next
            return tariff
    meters = " and ".join(sorted(kinds)).lower() or "no"
    raise TariffQuoteProblem(
        f"There is no Standard Variable Tariff for a {like.get_fuel_display().lower()} supply in region "
        f"{like.region} with a {meters} meter ({like.get_structure_display().lower()}) paid by "
        f"{Method(method).label.lower()}: care staff must choose the tariff."
    )


def quoted_vat_rate(account: Account) -> Decimal:
    """The rate quoted: domestic supplies pay 5 %; a business's prices are quoted at the 20 % most of them pay."""
    if account.customer.kind == Customer.Kind.ORGANISATION:
        return calculation.STANDARD_VAT_RATE
    return calculation.REDUCED_VAT_RATE


def pence_with_vat(value_exc_vat: Decimal, vat_rate: Decimal) -> str:
    """A price in pence as quoted to customers: with VAT, rounded to a hundredth of a penny."""
    with_vat = tariff_queries.inc_vat(value_exc_vat, vat_rate).quantize(PENCE, rounding=ROUND_HALF_UP)
    return f"{with_vat}p"


def price_rows(tariff: Tariff, *, vat_rate: Decimal, at: datetime) -> tuple[tuple[str, str], ...]:
    """The tariff's prices in force at ``at`` as (charge, price with VAT) rows: the standing charge, then each band.

    :raises TariffQuoteProblem: the tariff has no prices in force.
    """
    return rows_of(tariff, tariff_queries.rates_at(tariff=tariff, at=at), vat_rate=vat_rate)


def rows_of(tariff: Tariff, rates: tariff_queries.RatesAt, *, vat_rate: Decimal) -> tuple[tuple[str, str], ...]:
    """:func:`price_rows` from the tariff's prices read already.

    :raises TariffQuoteProblem: the tariff has no prices in force.
    """
    if rates.standing_charge is None or not rates.unit_rates:
        raise TariffQuoteProblem(f"Tariff {tariff.code} has no prices in force: it cannot be offered.")
    rows = [("Standing charge", f"{pence_with_vat(rates.standing_charge.value_exc_vat, vat_rate)} a day")]
    for band, rate in sorted(rates.unit_rates.items()):
        rows.append((band_name(band), f"{pence_with_vat(rate.value_exc_vat, vat_rate)} per kWh"))
    return tuple(rows)


def band_name(band: str | None) -> str:
    """A price's name in a letter: "Standing charge", "Unit rate", "Unit rate (day)"."""
    if band is None:
        return "Standing charge"
    return "Unit rate" if band == UnitRate.STANDARD else f"Unit rate ({band.lower().replace('_', ' ')})"
