"""Public products and rates, as Octopus Energy's API serves them: no key needed, prices in pence.

Rates are stored excluding VAT; ``value_inc_vat`` is derived here with domestic VAT (5%) by
``hearth.domain.tariffs.queries.inc_vat``, rounded half-up to 4 decimal places. Every path answers with and
without its trailing slash. An unknown product, tariff, or a tariff of another product or fuel is answered 404.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Final

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from hearth.data.accounts.models import Fuel
from hearth.data.tariffs.models import PaymentMethod, Product, StandingCharge, Tariff, UnitRate
from hearth.domain.tariffs import queries as tariff_queries
from hearth.interfaces.api import paging, schemas

router = Router(tags=["products"])

VAT: Final = tariff_queries.DOMESTIC_VAT_RATE
MAX_PAGE_SIZE: Final = 1500
DEFAULT_PAGE_SIZE: Final = 100

# Octopus's keys for a tariff's payment method in a product's tariff tables.
_PAYMENT_KEYS: Final = {
    PaymentMethod.DIRECT_DEBIT: "direct_debit_monthly",
    PaymentMethod.ANNUAL_DIRECT_DEBIT: "direct_debit_annual",
    PaymentMethod.STANDARD_CREDIT: "porob",
    PaymentMethod.PREPAYMENT: "prepayment",
}


def _pence(value: Decimal) -> float:
    return float(value.quantize(tariff_queries.RATE_PLACES))


Pence = Annotated[
    Decimal,
    PlainSerializer(_pence, return_type=float),
    WithJsonSchema({"type": "number", "description": "Pence, to 4 decimal places"}),
]


class ProductOut(BaseModel):
    code: str
    full_name: str
    display_name: str
    description: str
    is_variable: bool
    is_green: bool
    is_tracker: bool
    is_prepay: bool
    is_business: bool
    is_restricted: bool
    term: int | None = Field(description="Fixed term in months, or null")
    available_from: schemas.LondonTime
    available_to: schemas.LondonTime | None
    brand: str


class ProductPageOut(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[ProductOut]


class TariffOut(BaseModel):
    code: str
    standing_charge_exc_vat: Pence | None
    standing_charge_inc_vat: Pence | None
    online_discount_exc_vat: Pence
    online_discount_inc_vat: Pence
    dual_fuel_discount_exc_vat: Pence
    dual_fuel_discount_inc_vat: Pence
    exit_fees_exc_vat: Pence
    exit_fees_inc_vat: Pence
    exit_fees_type: str
    standard_unit_rate_exc_vat: Pence | None = None
    standard_unit_rate_inc_vat: Pence | None = None
    day_unit_rate_exc_vat: Pence | None = None
    day_unit_rate_inc_vat: Pence | None = None
    night_unit_rate_exc_vat: Pence | None = None
    night_unit_rate_inc_vat: Pence | None = None
    links: list[dict[str, str]]


TariffTable = dict[str, dict[str, TariffOut]]


class ProductDetailOut(ProductOut):
    tariffs_active_at: schemas.LondonTime
    single_register_electricity_tariffs: TariffTable
    dual_register_electricity_tariffs: TariffTable
    single_register_gas_tariffs: TariffTable


class RateOut(BaseModel):
    value_exc_vat: Pence
    value_inc_vat: Pence
    valid_from: schemas.LondonTime
    valid_to: schemas.LondonTime | None
    payment_method: str | None


class RatePageOut(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[RateOut]


class PageQuery(Schema):
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        description=f"Results per page, 1 to {MAX_PAGE_SIZE}",
        json_schema_extra=schemas.PAGE_SIZE_LIMITS,
    )
    page: int = Field(1, description="Page number, from 1", json_schema_extra=schemas.PAGE_LIMITS)


class ProductQuery(Schema):
    tariffs_active_at: schemas.TimeParameter | None = Field(
        None, description="Show the prices in force at this instant (default: now). Without an offset: London time."
    )


class RateQuery(PageQuery):
    period_from: schemas.TimeParameter | None = Field(
        None, description="Prices in force at or after this instant (RFC 3339). Without an offset: London time."
    )
    period_to: schemas.TimeParameter | None = Field(
        None, description="Prices in force before this instant (exclusive). Without an offset: London time."
    )


def _responses(ok: type[BaseModel]) -> dict[int, type[BaseModel]]:
    return {200: ok, 400: schemas.ErrorOut, 404: schemas.ErrorOut, 422: schemas.ValidationErrorOut}


def _offset(query: PageQuery) -> int:
    return paging.offset(page=query.page, page_size=query.page_size, max_page_size=MAX_PAGE_SIZE)


def _page(request: HttpRequest, query: PageQuery, count: int, results: list[Any]) -> dict[str, Any]:
    return paging.answer(request, page=query.page, page_size=query.page_size, count=count, results=results)


def _product(product: Product) -> dict[str, Any]:
    return {
        "code": product.code,
        "full_name": product.full_name,
        "display_name": product.display_name,
        "description": product.description,
        "is_variable": product.kind == Product.Kind.VARIABLE,
        "is_green": False,
        "is_tracker": False,
        "is_prepay": product.payment_methods == [PaymentMethod.PREPAYMENT],
        "is_business": product.is_business,
        "is_restricted": False,
        "term": product.term_months,
        "available_from": product.available_from,
        "available_to": product.available_to,
        "brand": product.brand,
    }


@router.get(
    "/products/",
    auth=None,
    response=_responses(ProductPageOut),
    url_name="products",
    operation_id="products",
    summary="Products on sale",
    description="The products (price plans) that can be taken out now, by code.",
)
@router.get(
    "/products", auth=None, response=_responses(ProductPageOut), url_name="products_no_slash", include_in_schema=False
)
def products(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    offset = _offset(query)
    available = tariff_queries.available_products(at=timezone.now())
    return _page(request, query, available.count(), [_product(p) for p in available[offset : offset + query.page_size]])


def _tariff(request: HttpRequest, tariff: Tariff, at: datetime) -> dict[str, Any]:
    rates = tariff_queries.rates_at(tariff=tariff, at=at)
    product = tariff.product
    exit_fee = product.exit_fee_electricity if tariff.fuel == Fuel.ELECTRICITY else product.exit_fee_gas
    exit_pence = exit_fee * 100
    zero = Decimal(0)
    out: dict[str, Any] = {
        "code": tariff.code,
        "standing_charge_exc_vat": rates.standing_charge.value_exc_vat if rates.standing_charge else None,
        "standing_charge_inc_vat": (
            tariff_queries.inc_vat(rates.standing_charge.value_exc_vat, VAT) if rates.standing_charge else None
        ),
        "online_discount_exc_vat": zero,
        "online_discount_inc_vat": zero,
        "dual_fuel_discount_exc_vat": zero,
        "dual_fuel_discount_inc_vat": zero,
        "exit_fees_exc_vat": exit_pence,
        "exit_fees_inc_vat": exit_pence,  # exit fees are not a supply of energy: no VAT
        "exit_fees_type": "PER_FUEL" if exit_fee else "NONE",
    }
    for band, rate in rates.unit_rates.items():
        key = band.lower()
        out[f"{key}_unit_rate_exc_vat"] = rate.value_exc_vat
        out[f"{key}_unit_rate_inc_vat"] = tariff_queries.inc_vat(rate.value_exc_vat, VAT)
    fuel_path = "electricity-tariffs" if tariff.fuel == Fuel.ELECTRICITY else "gas-tariffs"
    base = f"/api/v1/products/{product.code}/{fuel_path}/{tariff.code}"
    bands = {
        Tariff.Structure.SINGLE_RATE: ["standard-unit-rates"],
        Tariff.Structure.TWO_RATE: ["day-unit-rates", "night-unit-rates"],
    }.get(Tariff.Structure(tariff.structure), [])
    out["links"] = [
        {"href": request.build_absolute_uri(f"{base}/{rel}/"), "method": "GET", "rel": rel.replace("-", "_")}
        for rel in [*bands, "standing-charges"]
    ]
    return out


_TABLES: Final = {
    (Fuel.ELECTRICITY, Tariff.Structure.SINGLE_RATE): "single_register_electricity_tariffs",
    (Fuel.ELECTRICITY, Tariff.Structure.TWO_RATE): "dual_register_electricity_tariffs",
    (Fuel.GAS, Tariff.Structure.SINGLE_RATE): "single_register_gas_tariffs",
}


@router.get(
    "/products/{product_code}/",
    auth=None,
    response=_responses(ProductDetailOut),
    url_name="product",
    operation_id="product",
    summary="One product with its tariffs",
    description=(
        "The product and its tariffs per region (`_A` to `_P`) and payment method, with the prices in force at "
        "`tariffs_active_at` (default now), in pence excluding and including VAT."
    ),
)
@router.get(
    "/products/{product_code}",
    auth=None,
    response=_responses(ProductDetailOut),
    url_name="product_no_slash",
    include_in_schema=False,
)
def product(request: HttpRequest, product_code: str, query: Query[ProductQuery]) -> dict[str, Any]:
    found = tariff_queries.product_by_code(product_code) if product_code.isprintable() else None
    if found is None:
        raise HttpError(404, paging.NOT_FOUND)
    at = paging.aware(query.tariffs_active_at, "tariffs_active_at") or timezone.now()
    out: dict[str, Any] = {**_product(found), "tariffs_active_at": at, **{name: {} for name in _TABLES.values()}}
    for tariff in tariff_queries.tariffs_of(found):
        table = _TABLES.get((Fuel(tariff.fuel), Tariff.Structure(tariff.structure)))
        if table is None:
            continue  # time-of-use and half-hourly tariffs have no place in these tables
        region = out[table].setdefault(f"_{tariff.region}", {})
        region[_PAYMENT_KEYS[PaymentMethod(tariff.payment_method)]] = _tariff(request, tariff, at)
    return out


def _rates(
    request: HttpRequest, *, fuel: Fuel, product_code: str, tariff_code: str, band: str | None, query: RateQuery
) -> dict[str, Any]:
    offset = _offset(query)
    period_from = paging.aware(query.period_from, "period_from")
    period_to = paging.aware(query.period_to, "period_to")
    if period_from is not None and period_to is not None and period_to <= period_from:
        raise HttpError(
            400,
            f"period_to: must be after period_from ({period_to.isoformat()} is not after {period_from.isoformat()}).",
        )
    tariff = (
        tariff_queries.tariff_of(product_code=product_code, tariff_code=tariff_code, fuel=fuel)
        if (product_code + tariff_code).isprintable()
        else None
    )
    if tariff is None:
        raise HttpError(404, paging.NOT_FOUND)
    page = tariff_queries.rate_history(
        tariff=tariff,
        band=band,
        period_from=period_from,
        period_to=period_to,
        offset=offset,
        limit=query.page_size,
    )
    payment_method = str(tariff.payment_method)
    results = [_rate(row, payment_method) for row in page.results]
    return _page(request, query, page.count, results)


def _rate(row: StandingCharge | UnitRate, payment_method: str) -> dict[str, Any]:
    return {
        "value_exc_vat": row.value_exc_vat,
        "value_inc_vat": tariff_queries.inc_vat(row.value_exc_vat, VAT),
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "payment_method": payment_method,
    }


def _register_rates(fuel: Fuel, fuel_path: str, rate_path: str, band: str | None) -> None:
    path = f"/products/{{product_code}}/{fuel_path}/{{tariff_code}}/{rate_path}"
    name = f"{fuel.lower()}_{rate_path.replace('-', '_')}"
    what = "standing charges" if band is None else f"{band.lower()} unit rates"

    def view(request: HttpRequest, product_code: str, tariff_code: str, query: Query[RateQuery]) -> dict[str, Any]:
        return _rates(request, fuel=fuel, product_code=product_code, tariff_code=tariff_code, band=band, query=query)

    view.__name__ = name
    decorate: Callable[..., Any] = router.get(
        path + "/",
        auth=None,
        response=_responses(RatePageOut),
        url_name=name,
        operation_id=name,
        summary=f"{Fuel(fuel).label} tariff {what}",
        description=f"The tariff's {what} in pence, newest first, that were in force in the period asked for.",
    )
    decorate(view)
    router.get(path, auth=None, response=_responses(RatePageOut), url_name=f"{name}_no_slash", include_in_schema=False)(
        view
    )


for _fuel, _fuel_path, _rate_path, _band in (
    (Fuel.ELECTRICITY, "electricity-tariffs", "standard-unit-rates", UnitRate.STANDARD),
    (Fuel.ELECTRICITY, "electricity-tariffs", "day-unit-rates", UnitRate.DAY),
    (Fuel.ELECTRICITY, "electricity-tariffs", "night-unit-rates", UnitRate.NIGHT),
    (Fuel.ELECTRICITY, "electricity-tariffs", "standing-charges", None),
    (Fuel.GAS, "gas-tariffs", "standard-unit-rates", UnitRate.STANDARD),
    (Fuel.GAS, "gas-tariffs", "standing-charges", None),
):
    _register_rates(_fuel, _fuel_path, _rate_path, _band)
