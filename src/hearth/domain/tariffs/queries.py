"""Reading products, tariffs and rates; the VAT-inclusive figure, derived only here, at the edge.

Rates are stored in pence excluding VAT at 4 decimal places. The inclusive figure is ``value * (1 + VAT rate)``
rounded half-up to 4 decimal places (a hundredth of a hundredth of a penny), so that a price set from an inclusive
figure shows that figure again: 26.11p inc VAT is stored as 24.8667p, which shows as 26.1100p.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.db.models import CharField, Q, QuerySet, TimeField, Value

from hearth.data.accounts.models import Fuel, SupplyPoint
from hearth.data.tariffs.models import Agreement, Product, StandingCharge, Tariff, UnitRate

DOMESTIC_VAT_RATE: Final = Decimal("0.05")
"""VAT on domestic energy and standing charges (HMRC Notice 701/19)."""

RATE_PLACES: Final = Decimal("0.0001")


def inc_vat(value_exc_vat: Decimal, vat_rate: Decimal) -> Decimal:
    """``value_exc_vat`` with VAT at ``vat_rate`` (0.05 for 5%) added, rounded half-up to 4 decimal places."""
    return (value_exc_vat * (1 + vat_rate)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def exc_vat(value_inc_vat: Decimal, vat_rate: Decimal) -> Decimal:
    """The price excluding VAT whose inclusive figure is ``value_inc_vat``, rounded half-up to 4 decimal places."""
    return (value_inc_vat / (1 + vat_rate)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RatePage:
    count: int
    results: Sequence[StandingCharge | UnitRate]


def _in_force(at: datetime) -> Q:
    return Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=at))


@dataclass(frozen=True, slots=True)
class PriceRow:
    """A unit rate of ``band``, or a standing charge (``band`` None), of a tariff over ``[valid_from, valid_to)``,
    in pence excluding VAT (per kWh, or per day)."""

    pk: int
    tariff_id: int
    band: str | None
    band_starts_at: time | None
    band_ends_at: time | None
    value_exc_vat: Decimal
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True)
class RatesAt:
    """A tariff's prices at one instant: the standing charge (or None) and the unit rate per band."""

    standing_charge: PriceRow | None
    unit_rates: dict[str, PriceRow]


_PRICE_COLUMNS: Final = (
    "id",
    "tariff_id",
    "band",
    "band_starts_at",
    "band_ends_at",
    "value_exc_vat",
    "valid_from",
    "valid_to",
)


def price_rows(*, tariff_ids: Iterable[int], when: Q | None = None) -> list[PriceRow]:
    """The tariffs' unit rates and standing charges (those meeting ``when``, a condition on ``valid_from`` and
    ``valid_to``), ordered by ``valid_from`` and id: one query (``UNION ALL``) where reading each table cost one."""
    ids = list(dict.fromkeys(tariff_ids))
    condition = Q(tariff_id__in=ids) & (when or Q())
    unit_rates = UnitRate.objects.filter(condition).values_list(*_PRICE_COLUMNS)
    standing = (
        StandingCharge.objects.filter(condition)
        .annotate(
            band=Value(None, CharField()),
            band_starts_at=Value(None, TimeField()),
            band_ends_at=Value(None, TimeField()),
        )
        .values_list(*_PRICE_COLUMNS)
    )
    return [PriceRow(*row) for row in unit_rates.union(standing, all=True).order_by("valid_from", "id")]


def _available(at: datetime, via: str = "") -> Q:
    """A product that can be taken out at ``at``, reached from the model queried through ``via`` ("product__")."""
    return Q(**{f"{via}available_from__lte": at}) & (
        Q(**{f"{via}available_to__isnull": True}) | Q(**{f"{via}available_to__gt": at})
    )


def available_products(*, at: datetime) -> QuerySet[Product]:
    """Products that can be taken out at ``at``, by code."""
    return Product.objects.filter(_available(at)).order_by("code")


def tariffs_on_sale(*, at: datetime) -> QuerySet[Tariff]:
    """The tariffs of the products that can be taken out at ``at``, each with its product: a join, which Django builds
    in three quarters of the time of ``product__in=available_products(at=at)``'s subquery."""
    return Tariff.objects.filter(_available(at, "product__")).select_related("product")


def product_by_code(code: str) -> Product | None:
    return Product.objects.filter(code=code).first()


def tariffs_of(product: Product) -> list[Tariff]:
    """The product's tariffs in a stable order, sorted here so tariffs prefetched by ``all_products`` are reused."""
    return sorted(product.tariffs.all(), key=lambda t: (t.fuel, t.structure, t.region, t.payment_method))


def tariff_of(*, product_code: str, tariff_code: str, fuel: Fuel) -> Tariff | None:
    """The tariff ``tariff_code`` of the product ``product_code`` for ``fuel``, or None if there is none."""
    return Tariff.objects.filter(product__code=product_code, code=tariff_code, fuel=fuel).first()


def rates_at(*, tariff: Tariff, at: datetime) -> RatesAt:
    """The standing charge and the unit rates of ``tariff`` in force at ``at``."""
    return rates_of_tariffs(tariff_ids=[tariff.pk], at=at)[tariff.pk]


def rates_of_tariffs(*, tariff_ids: Iterable[int], at: datetime) -> dict[int, RatesAt]:
    """:func:`rates_at` for each of the tariffs, by tariff id, in one query however many (a bill run's chunk)."""
    ids = list(dict.fromkeys(tariff_ids))
    standing: dict[int, PriceRow] = {}
    unit_rates: dict[int, dict[str, PriceRow]] = {tariff_id: {} for tariff_id in ids}
    for row in sorted(price_rows(tariff_ids=ids, when=_in_force(at)), key=lambda row: row.pk):
        if row.band is None:
            standing.setdefault(row.tariff_id, row)
        else:
            unit_rates[row.tariff_id][row.band] = row
    return {
        tariff_id: RatesAt(standing_charge=standing.get(tariff_id), unit_rates=unit_rates[tariff_id])
        for tariff_id in ids
    }


def rate_history(
    *,
    tariff: Tariff,
    band: str | None,
    period_from: datetime | None = None,
    period_to: datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> RatePage:
    """Rate rows of one band (None: the standing charge), newest first, overlapping ``[period_from, period_to)``."""
    rows: QuerySet[StandingCharge] | QuerySet[UnitRate] = (
        StandingCharge.objects.filter(tariff=tariff)
        if band is None
        else UnitRate.objects.filter(tariff=tariff, band=band)
    )
    if period_from is not None:
        rows = rows.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=period_from))
    if period_to is not None:
        rows = rows.filter(valid_from__lt=period_to)
    rows = rows.order_by("-valid_from")
    return RatePage(count=rows.count(), results=list(rows[offset : offset + limit]))


def all_products() -> QuerySet[Product]:
    """Every product, available or not, by code, with its tariffs fetched alongside."""
    return Product.objects.order_by("code").prefetch_related("tariffs")


def product_by_id(product_id: int) -> Product | None:
    return Product.objects.filter(pk=product_id).first()


def tariff_by_id(tariff_id: int) -> Tariff | None:
    return Tariff.objects.select_related("product").filter(pk=tariff_id).first()


def bands_of(tariff: Tariff) -> list[str]:
    """The unit-rate bands ``tariff`` has ever had, in name order."""
    return sorted(set(UnitRate.objects.filter(tariff=tariff).values_list("band", flat=True)))


def agreements_of(supply_point: SupplyPoint) -> list[Agreement]:
    """The agreements placing ``supply_point`` on tariffs, oldest first, with their tariffs."""
    return list(Agreement.objects.filter(supply_point=supply_point).select_related("tariff").order_by("valid_from"))


def agreement_at(*, supply_point: SupplyPoint, at: datetime) -> Agreement | None:
    """The agreement of ``supply_point`` in force at ``at`` (its tariff and product selected), or None."""
    return (
        Agreement.objects.filter(supply_point=supply_point, valid_from__lte=at)
        .exclude(valid_to__lte=at)
        .select_related("tariff__product")
        .order_by("-valid_from", "id")
        .first()
    )
