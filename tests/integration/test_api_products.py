"""The public products and rates API, in Octopus Energy's shapes, prices in pence excluding and including VAT."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hearth.data.accounts.models import Fuel
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.tariffs import operations as tariff_ops

JULY = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)  # 1 July 2026, midnight in London
OCTOBER = datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
CODE = "HEARTH-VAR-26-07"
# DOMAIN.md's demo prices, published including VAT; stored excluding it, to 4 places, half-up.
ELECTRICITY_UNIT_EXC = (Decimal("26.11") / Decimal("1.05")).quantize(Decimal("0.0001"))  # 24.8667
ELECTRICITY_STANDING_EXC = (Decimal("57.19") / Decimal("1.05")).quantize(Decimal("0.0001"))  # 54.4667
GAS_UNIT_EXC = (Decimal("7.33") / Decimal("1.05")).quantize(Decimal("0.0001"))
GAS_STANDING_EXC = (Decimal("29.04") / Decimal("1.05")).quantize(Decimal("0.0001"))


def _product(code: str = CODE, *, available_to: datetime | None = None) -> Product:
    return tariff_ops.create_product(
        code=code,
        full_name=f"Hearth Flexible {code}",
        display_name="Hearth Flexible",
        description="Prices follow the cap.",
        kind=Product.Kind.VARIABLE,
        available_from=datetime(2026, 1, 1, tzinfo=UTC),
        available_to=available_to,
    )


def _tariff(product: Product, fuel: Fuel, unit: Decimal, standing: Decimal) -> Tariff:
    return tariff_ops.create_tariff(
        product=product,
        fuel=fuel,
        region="A",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=standing,
        unit_rates_exc_vat={UnitRate.STANDARD: unit},
        valid_from=JULY,
    )


@pytest.fixture
def demo(db):
    product = _product()
    electricity = _tariff(product, Fuel.ELECTRICITY, ELECTRICITY_UNIT_EXC, ELECTRICITY_STANDING_EXC)
    gas = _tariff(product, Fuel.GAS, GAS_UNIT_EXC, GAS_STANDING_EXC)
    return product, electricity, gas


def _rates_url(fuel: str, tariff: str, rates: str, product: str = CODE) -> str:
    return f"/api/v1/products/{product}/{fuel}-tariffs/{tariff}/{rates}/"


def test_the_demo_prices_round_trip_to_their_published_inclusive_figures(client, demo):
    body = client.get(f"/api/v1/products/{CODE}/", {"tariffs_active_at": "2026-07-15T12:00:00Z"}).json()
    electricity = body["single_register_electricity_tariffs"]["_A"]["direct_debit_monthly"]
    gas = body["single_register_gas_tariffs"]["_A"]["direct_debit_monthly"]
    assert electricity["code"] == f"E-1R-{CODE}-A"
    assert round(electricity["standard_unit_rate_inc_vat"], 2) == 26.11
    assert round(electricity["standing_charge_inc_vat"], 2) == 57.19
    assert round(gas["standard_unit_rate_inc_vat"], 2) == 7.33
    assert round(gas["standing_charge_inc_vat"], 2) == 29.04
    assert Decimal(str(electricity["standard_unit_rate_exc_vat"])) == ELECTRICITY_UNIT_EXC
    assert body["dual_register_electricity_tariffs"] == {}
    assert body["is_variable"] is True
    assert body["code"] == CODE


def test_value_inc_vat_is_the_stored_rate_plus_five_percent(client, demo):
    _, electricity, _gas = demo
    result = client.get(_rates_url("electricity", electricity.code, "standard-unit-rates")).json()["results"][0]
    expected = (ELECTRICITY_UNIT_EXC * Decimal("1.05")).quantize(Decimal("0.0001"))
    assert Decimal(str(result["value_exc_vat"])) == ELECTRICITY_UNIT_EXC
    assert Decimal(str(result["value_inc_vat"])) == expected
    assert result["payment_method"] == "DIRECT_DEBIT"
    assert result["valid_from"] == "2026-07-01T00:00:00+01:00"
    assert result["valid_to"] is None


def test_rates_are_listed_newest_first_and_filtered_by_period(client, demo):
    _, electricity, _gas = demo
    now = JULY + timedelta(days=1)
    tariff_ops.schedule_price_change(
        tariff=electricity, band=UnitRate.STANDARD, value_exc_vat=Decimal("22"), valid_from=OCTOBER, now=now
    )
    url = _rates_url("electricity", electricity.code, "standard-unit-rates")
    body = client.get(url).json()
    assert body["count"] == 2
    assert [r["value_exc_vat"] for r in body["results"]] == [22.0, float(ELECTRICITY_UNIT_EXC)]
    assert body["results"][1]["valid_to"] == "2026-10-01T00:00:00+01:00"
    before = client.get(url, {"period_from": "2026-07-10T00:00", "period_to": "2026-08-01T00:00"}).json()
    assert [r["value_exc_vat"] for r in before["results"]] == [float(ELECTRICITY_UNIT_EXC)]
    after = client.get(url, {"period_from": "2026-10-01T00:00"}).json()  # London midnight: the new price only
    assert [r["value_exc_vat"] for r in after["results"]] == [22.0]


def test_standing_charges_and_gas_rates_are_served(client, demo):
    _, electricity, gas = demo
    standing = client.get(_rates_url("electricity", electricity.code, "standing-charges")).json()
    assert [Decimal(str(r["value_exc_vat"])) for r in standing["results"]] == [ELECTRICITY_STANDING_EXC]
    gas_units = client.get(_rates_url("gas", gas.code, "standard-unit-rates").rstrip("/")).json()
    assert [Decimal(str(r["value_exc_vat"])) for r in gas_units["results"]] == [GAS_UNIT_EXC]


def test_the_products_list_is_paginated(client, demo):
    for n in range(4):
        _product(f"HEARTH-EXTRA-{n}")
    _product("HEARTH-WITHDRAWN", available_to=timezone.now() - timedelta(days=1))
    first = client.get("/api/v1/products/", {"page_size": 2}).json()
    assert first["count"] == 5
    assert [p["code"] for p in first["results"]] == ["HEARTH-EXTRA-0", "HEARTH-EXTRA-1"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [p["code"] for p in second["results"]] == ["HEARTH-EXTRA-2", "HEARTH-EXTRA-3"]
    assert second["previous"] is not None
    last = client.get("/api/v1/products", {"page_size": 2, "page": 3}).json()
    assert [p["code"] for p in last["results"]] == [CODE]
    assert last["next"] is None
    assert set(last["results"][0]) >= {
        "code", "full_name", "display_name", "description", "is_variable", "is_green", "term",
        "available_from", "available_to", "brand",
    }  # fmt: skip
    assert client.get("/api/v1/products/", {"page": 4, "page_size": 2}).status_code == 400


def test_an_unknown_product_or_tariff_is_404(client, demo):
    _, electricity, gas = demo
    assert client.get("/api/v1/products/NO-SUCH-PRODUCT/").status_code == 404
    assert client.get(_rates_url("electricity", "E-1R-NO-SUCH-A", "standard-unit-rates")).status_code == 404
    assert client.get(_rates_url("electricity", electricity.code, "day-unit-rates")).json()["count"] == 0
    # A gas tariff asked for as electricity, or under another product, is not found either.
    assert client.get(_rates_url("electricity", gas.code, "standard-unit-rates")).status_code == 404
    other = _product("HEARTH-OTHER")
    assert client.get(_rates_url("gas", gas.code, "standing-charges", other.code)).status_code == 404


def test_bad_parameters_are_400_naming_the_parameter(client, demo):
    _, electricity, _gas = demo
    url = _rates_url("electricity", electricity.code, "standard-unit-rates")
    response = client.get(url, {"period_from": "2026-08-01T00:00", "period_to": "2026-07-01T00:00"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("period_to:")
    assert client.get(url, {"page_size": 0}).json()["detail"].startswith("page_size:")
    assert client.get(url, {"period_from": "yesterday"}).status_code == 422


def test_the_openapi_schema_lists_the_product_operations_as_needing_no_key(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    products = {path: ops["get"] for path, ops in paths.items() if path.startswith("/api/v1/products/")}
    base = "/api/v1/products/{product_code}"
    assert set(products) == {
        "/api/v1/products/",
        f"{base}/",
        *(f"{base}/electricity-tariffs/{{tariff_code}}/{r}/" for r in ("standard-unit-rates", "day-unit-rates")),
        *(f"{base}/electricity-tariffs/{{tariff_code}}/{r}/" for r in ("night-unit-rates", "standing-charges")),
        *(f"{base}/gas-tariffs/{{tariff_code}}/{r}/" for r in ("standard-unit-rates", "standing-charges")),
    }
    for path, operation in products.items():
        assert "security" not in operation, path
        assert {"200", "404"} <= set(operation["responses"]), path
