"""Quote arithmetic and the postcode-area region table, without a database: costs worked out by hand."""

from decimal import Decimal

import pytest

from hearth.data.accounts.models import Fuel, Nation
from hearth.data.tariffs.models import MeterKind
from hearth.domain.contracts import quotes


@pytest.mark.parametrize(
    ("postcode", "region", "nation"),
    [
        ("LS1 4AP", "M", Nation.ENGLAND),  # Leeds: Yorkshire
        ("RG1 7AB", "H", Nation.ENGLAND),  # Reading: Southern
        ("EH6 6QU", "N", Nation.SCOTLAND),  # Edinburgh: South Scotland
        ("AB10 1AA", "P", Nation.SCOTLAND),  # Aberdeen: North Scotland
        ("CF10 1BT", "K", Nation.WALES),  # Cardiff: South Wales
        ("LL57 2DG", "D", Nation.WALES),  # Bangor: Merseyside and North Wales, in Wales
        ("L1 8JQ", "D", Nation.ENGLAND),  # Liverpool: the same region, in England
        ("E1 6AN", "C", Nation.ENGLAND),  # "E" alone is London's area
        ("EC1A 1BB", "C", Nation.ENGLAND),
        ("SW1A 1AA", "C", Nation.ENGLAND),
        ("N1 9GU", "C", Nation.ENGLAND),
        ("NE1 4ST", "F", Nation.ENGLAND),  # Newcastle: "NE", not London's "N"
        ("M1 1AE", "G", Nation.ENGLAND),  # Manchester: North Western
        ("B1 1BB", "E", Nation.ENGLAND),  # Birmingham: West Midlands
        ("BS1 4DJ", "L", Nation.ENGLAND),  # Bristol: South Western
        ("NG1 5FS", "B", Nation.ENGLAND),  # Nottingham: East Midlands
        ("CB2 1TN", "A", Nation.ENGLAND),  # Cambridge: Eastern
        ("BN1 1AA", "J", Nation.ENGLAND),  # Brighton: South Eastern
    ],
)
def test_postcode_areas_spot_checks(postcode: str, region: str, nation: Nation) -> None:
    place = quotes.region_of_postcode(postcode)
    assert (place.region, place.nation, place.from_mpan) == (region, nation, False)


def test_every_gb_postcode_area_has_a_region_and_every_region_an_area() -> None:
    assert len(quotes.AREA_REGIONS) == 120  # Great Britain's postcode areas (124 in the UK less BT, GY, JE, IM)
    assert set(quotes.AREA_REGIONS.values()) == set("ABCDEFGHJKLMNP")


def test_the_postcode_is_normalised_and_its_area_read() -> None:
    assert quotes.region_of_postcode(" ls14ap ").postcode == "LS1 4AP"
    assert quotes.postcode_area("W1A 1AA") == "W"
    assert quotes.postcode_area("WC2N 5DU") == "WC"


@pytest.mark.parametrize(("postcode", "where"), [("BT1 1AA", "Northern Ireland"), ("JE2 3AB", "Jersey")])
def test_places_we_do_not_supply_are_refused(postcode: str, where: str) -> None:
    with pytest.raises(quotes.QuoteRefused, match=where) as refused:
        quotes.region_of_postcode(postcode)
    assert refused.value.field == "postcode"


def test_a_bad_postcode_is_refused_naming_the_field() -> None:
    with pytest.raises(quotes.QuoteRefused) as refused:
        quotes.region_of_postcode("LS1")
    assert refused.value.field == "postcode"


def test_the_mpan_distributor_decides_the_region() -> None:
    # MPAN core 2300000000019: distributor 23 = Yorkshire (M), although RG is Southern (H).
    place = quotes.region_of_postcode("RG1 7AB", mpan="2300000000019")
    assert (place.region, place.from_mpan) == ("M", True)
    # An independent network's MPAN (distributor 25) lies inside the postcode's region.
    assert quotes.region_of_postcode("RG1 7AB", mpan="2500000000018").region == "H"
    with pytest.raises(quotes.QuoteRefused) as refused:
        quotes.region_of_postcode("RG1 7AB", mpan="2300000000010")  # the check digit is 9
    assert refused.value.field == "mpan"


def test_single_rate_cost_by_hand() -> None:
    # 3,100 kWh x 24.8667p = 77,086.77p; 365 x 54.4667p = 19,880.3455p; total 96,967.1155p = £969.671155;
    # x 1.05 = £1,018.1547... -> £1,018.15.
    cost = quotes.fuel_cost(
        annual_kwh=Decimal(3100),
        unit_rates_exc_vat={"STANDARD": Decimal("24.8667")},
        standing_exc_vat=Decimal("54.4667"),
    )
    assert cost == Decimal("1018.15")


def test_economy_7_cost_by_hand() -> None:
    # 3,400 kWh: night 42% = 1,428 kWh at 10p = 14,280p; day 1,972 kWh at 30p = 59,160p;
    # 365 x 50p = 18,250p; total 91,690p = £916.90; x 1.05 = £962.745 -> £962.75 (half up).
    cost = quotes.fuel_cost(
        annual_kwh=Decimal(3400),
        unit_rates_exc_vat={"DAY": Decimal(30), "NIGHT": Decimal(10)},
        standing_exc_vat=Decimal(50),
    )
    assert cost == Decimal("962.75")


def test_usage_not_given_is_ofgems_typical_value() -> None:
    usage = quotes.Usage(fuels=(Fuel.ELECTRICITY, Fuel.GAS), meter=MeterKind.CREDIT, economy_7=True)
    assert usage.annual_kwh(Fuel.ELECTRICITY) == Decimal(3400)  # multi-rate TDCV
    assert usage.annual_kwh(Fuel.GAS) == Decimal(9500)
    plain = quotes.Usage(fuels=(Fuel.ELECTRICITY,), meter=MeterKind.CREDIT, electricity_kwh=Decimal(1800))
    assert plain.annual_kwh(Fuel.ELECTRICITY) == Decimal(1800)
    assert plain.structure(Fuel.ELECTRICITY) == "SINGLE_RATE"
    assert usage.structure(Fuel.ELECTRICITY) == "TWO_RATE"
    assert usage.structure(Fuel.GAS) == "SINGLE_RATE"


def test_only_tariffs_paid_on_receipt_of_the_bill_need_a_credit_check() -> None:
    assert quotes.needs_credit_check("STANDARD_CREDIT")
    assert not quotes.needs_credit_check("DIRECT_DEBIT")
    assert not quotes.needs_credit_check("ANNUAL_DIRECT_DEBIT")
    assert not quotes.needs_credit_check("PREPAYMENT")
