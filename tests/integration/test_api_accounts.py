"""The account endpoint in Octopus Energy's shape, scoped to the key's login; and the served OpenAPI schema and docs."""

import base64
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hearth.data.accounts.models import Fuel, Supply, SupplyPoint
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter, Register
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.identity import api_keys
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.conftest import Builder, Site


def basic(key: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


@pytest.fixture
def key(build: Builder, customer_login: User) -> str:
    return api_keys.create_api_key(user=customer_login, name="accounts", now=build.now())[1]


def _tariff(product_code: str, fuel: Fuel, *, fixed: bool = False) -> Tariff:
    product = tariff_ops.create_product(
        code=product_code,
        full_name=product_code,
        display_name=product_code,
        description="",
        kind=Product.Kind.FIXED if fixed else Product.Kind.VARIABLE,
        term_months=12 if fixed else None,
        available_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=fuel,
        region="M",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal("54.4667"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("24.8667")},
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_an_electricity_account_has_the_octopus_shape(client, household, key):
    meter = household.electricity_meter
    point = meter.supply_point
    # On the variable tariff from 1 June (BST) until 1 November (GMT), then on a fixed one with no end.
    tariff_ops.place_on_tariff(
        supply_point=point,
        tariff=_tariff("VAR", Fuel.ELECTRICITY),
        valid_from=datetime(2026, 5, 31, 23, 0, tzinfo=UTC),
        valid_to=datetime(2026, 11, 1, 0, 0, tzinfo=UTC),
    )
    tariff_ops.place_on_tariff(
        supply_point=point,
        tariff=_tariff("FIX", Fuel.ELECTRICITY, fixed=True),
        valid_from=datetime(2026, 11, 1, 0, 0, tzinfo=UTC),
    )
    SupplyPoint.objects.filter(pk=point.pk).update(annual_consumption_kwh=Decimal("2700.0"))
    Supply.objects.filter(account=household.electricity).update(valid_from=date(2026, 6, 1))
    response = client.get(f"/api/v1/accounts/{household.electricity.number}/", **basic(key))
    assert response.status_code == 200
    premises = household.electricity.billing_property
    assert response.json() == {
        "number": household.electricity.number,
        "properties": [
            {
                "id": premises.pk,
                "moved_in_at": "2026-06-01T00:00:00+01:00",
                "moved_out_at": None,
                "address_line_1": premises.address_line_1,
                "address_line_2": "",
                "address_line_3": "",
                "town": "Leeds",
                "county": "",
                "postcode": "LS1 4AP",
                "electricity_meter_points": [
                    {
                        "mpan": point.identifier,
                        "profile_class": 3,
                        "consumption_standard": 2700.0,
                        "is_export": False,
                        "meters": [
                            {
                                "serial_number": meter.serial_number,
                                "registers": [{"identifier": "S", "rate": "STANDARD", "is_settlement_register": True}],
                            }
                        ],
                        "agreements": [
                            {
                                "tariff_code": "E-1R-VAR-M",
                                "valid_from": "2026-06-01T00:00:00+01:00",
                                "valid_to": "2026-11-01T00:00:00+00:00",
                            },
                            {"tariff_code": "E-1R-FIX-M", "valid_from": "2026-11-01T00:00:00+00:00", "valid_to": None},
                        ],
                    }
                ],
                "gas_meter_points": [],
            }
        ],
    }


def test_a_gas_account_lists_its_meter_point_and_meters(client, household, key):
    meter = household.gas_meter
    tariff_ops.place_on_tariff(
        supply_point=meter.supply_point,
        tariff=_tariff("VAR", Fuel.GAS),
        valid_from=datetime(2026, 5, 31, 23, 0, tzinfo=UTC),
    )
    response = client.get(f"/api/v1/accounts/{household.gas.number}", **basic(key))  # no trailing slash
    assert response.status_code == 200
    (premises,) = response.json()["properties"]
    assert premises["electricity_meter_points"] == []
    assert premises["gas_meter_points"] == [
        {
            "mprn": meter.supply_point.identifier,
            "consumption_standard": None,
            "meters": [{"serial_number": meter.serial_number}],
            "agreements": [{"tariff_code": "G-1R-VAR-M", "valid_from": "2026-06-01T00:00:00+01:00", "valid_to": None}],
        }
    ]


def test_a_meter_exchange_lists_both_meters_and_a_move_out_closes_the_property(client, build, household, key):
    old = household.electricity_meter
    # Fixed dates inside the supply [1 Jan, 1 Dec 2026), so the test does not depend on today's date.
    exchanged_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    Meter.objects.filter(pk=old.pk).update(installed_at=datetime(2026, 1, 1, tzinfo=UTC), removed_at=exchanged_at)
    new = accounts_ops.install_meter(
        supply_point=old.supply_point,
        serial_number="NEW0001",
        kind=Meter.Kind.SMART,
        installed_at=exchanged_at,
        registers=[("DY", Register.Rate.DAY), ("NT", Register.Rate.NIGHT)],
    )
    Supply.objects.filter(account=household.electricity).update(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 1))
    (premises,) = client.get(f"/api/v1/accounts/{household.electricity.number}/", **basic(key)).json()["properties"]
    assert premises["moved_in_at"] == "2026-01-01T00:00:00+00:00"
    assert premises["moved_out_at"] == "2026-12-01T00:00:00+00:00"
    meters = premises["electricity_meter_points"][0]["meters"]
    assert [m["serial_number"] for m in meters] == [old.serial_number, new.serial_number]
    assert [r["identifier"] for r in meters[1]["registers"]] == ["DY", "NT"]
    assert [r["rate"] for r in meters[1]["registers"]] == ["DAY", "NIGHT"]


def test_one_key_reads_every_account_linked_to_its_login(client, household, key):
    for account in (household.electricity, household.gas):
        assert client.get(f"/api/v1/accounts/{account.number}/", **basic(key)).status_code == 200


def test_another_logins_account_gets_the_same_404_as_an_unknown_number(client, build, household, key):
    other: Site = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.CREDIT,
        gas_meter=Meter.Kind.CREDIT,
    )
    build.activated_login("oscar@other.example", other.electricity)
    for suffix in ("/", ""):
        theirs = client.get(f"/api/v1/accounts/{other.electricity.number}{suffix}", **basic(key))
        unknown = client.get(f"/api/v1/accounts/1999999999{suffix}", **basic(key))
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.content == unknown.content
        assert other.customer.name.encode() not in theirs.content


def test_an_account_number_with_control_characters_is_simply_not_found(client, household, key):
    unknown = client.get("/api/v1/accounts/1999999999/", **basic(key))
    for number in ("%00", "10%0000", "%1b%5b"):
        response = client.get(f"/api/v1/accounts/{number}/", **basic(key))
        assert (response.status_code, response.content) == (404, unknown.content), number
    meter = household.electricity_meter
    response = client.get(
        f"/api/v1/electricity-meter-points/{meter.supply_point.identifier}/meters/A%00B/consumption/", **basic(key)
    )
    assert (response.status_code, response.content) == (404, unknown.content)


def test_unlinking_an_account_takes_it_out_of_reach_at_once(client, household, customer_login, key):
    customer_login.account_links.filter(account=household.gas).delete()
    assert client.get(f"/api/v1/accounts/{household.gas.number}/", **basic(key)).status_code == 404
    assert client.get(f"/api/v1/accounts/{household.electricity.number}/", **basic(key)).status_code == 200


# --- The schema and the docs page ---------------------------------------------------------------------------------


def test_the_openapi_schema_lists_every_operation_with_its_parameters_responses_and_basic_security(client):
    schema = client.get("/api/v1/openapi.json").json()
    # The public price lists (/api/v1/products/...) need no key: tests/integration/test_api_products.py.
    keyed = {path: ops for path, ops in schema["paths"].items() if not path.startswith("/api/v1/products/")}
    assert set(keyed) == {
        "/api/v1/electricity-meter-points/{mpan}/meters/{serial}/consumption/",
        "/api/v1/gas-meter-points/{mprn}/meters/{serial}/consumption/",
        "/api/v1/accounts/{number}/",
    }
    schemes = schema["components"]["securitySchemes"]
    assert [(s["type"], s["scheme"]) for s in schemes.values()] == [("http", "basic")]
    (scheme_name,) = schemes
    for path, operations in keyed.items():
        operation = operations["get"]
        assert operation["security"] == [{scheme_name: []}], path
        assert {"200", "401", "404"} <= set(operation["responses"]), path
        names = {p["name"] for p in operation["parameters"]}
        if "consumption" in path:
            assert names >= {"period_from", "period_to", "page_size", "page", "order_by", "group_by", "serial"}, path
            assert {"400", "422"} <= set(operation["responses"]), path
    page = schema["components"]["schemas"]["ConsumptionPageOut"]
    assert list(page["properties"]) == ["count", "next", "previous", "results"]
    result = schema["components"]["schemas"]["ConsumptionOut"]
    assert {"consumption", "interval_start", "interval_end"} <= set(result["required"])
    assert result["properties"]["consumption"]["type"] == "number"
    account = schema["components"]["schemas"]["PropertyOut"]
    assert {"electricity_meter_points", "gas_meter_points", "moved_in_at"} <= set(account["properties"])


def test_the_docs_page_loads_everything_from_hearth_itself_with_no_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the docs page loads something from elsewhere"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    for attributes, body in scripts:
        assert 'src="' in attributes or 'type="application/json"' in attributes, "inline script"
        if 'src="' in attributes:
            assert not body.strip()
    for asset in re.findall(r'(?:src|href)="(/api/v1/docs/assets/[^"]+)"', html):
        served = Client().get(asset)
        assert served.status_code == 200, asset
        assert served.content
    assert Client().get("/api/v1/docs/assets/..%2F..%2Fsettings.py").status_code == 404
    assert Client().get("/api/v1/docs/assets/not-an-asset.js").status_code == 404
