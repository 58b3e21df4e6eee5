"""The demo supplier's price plans (T&C 4.7: a Standard Variable Tariff per meter type) and its agreements."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from hearth.data.tariffs.models import Agreement, PaymentMethod, Product, StandingCharge, UnitRate
from hearth.domain.demo import supplier

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo(db) -> None:
    supplier.load_demo_supplier(now=NOW)


def test_the_demo_has_a_standard_variable_tariff_for_credit_and_for_prepayment_meters_and_a_fixed_product(demo):
    svt = {(p.code, tuple(p.meter_kinds)) for p in Product.objects.filter(is_standard_variable=True)}
    assert svt == {("HEARTH-SVT", ("CREDIT", "SMART", "AMR")), ("HEARTH-SVT-PP", ("PREPAYMENT",))}
    fixed = Product.objects.get(kind=Product.Kind.FIXED, code="HEARTH-FIX-12M-26-04")
    assert fixed.term_months == 12
    # Morgan Lee's product (the household with a Statement of Renewal due): fixed until 46 days after 1 June 2026.
    until = Product.objects.get(kind=Product.Kind.FIXED, code="HEARTH-FIX-TO-26-07-17")
    assert (until.fixed_until_date, until.term_months) == (date(2026, 7, 17), None)


def test_every_demo_tariff_is_priced_at_the_domain_demo_prices_stored_excluding_vat(demo):
    # 26.11 / 1.05 = 24.8667, 57.19 / 1.05 = 54.4667, 7.33 / 1.05 = 6.9810, 29.04 / 1.05 = 27.6571 (4 places)
    units = {(r.tariff.fuel, r.value_exc_vat) for r in UnitRate.objects.select_related("tariff")}
    standing = {(r.tariff.fuel, r.value_exc_vat) for r in StandingCharge.objects.select_related("tariff")}
    assert units == {("ELECTRICITY", Decimal("24.8667")), ("GAS", Decimal("6.9810"))}
    assert standing == {("ELECTRICITY", Decimal("54.4667")), ("GAS", Decimal("27.6571"))}
    prepayment = Product.objects.get(code="HEARTH-SVT-PP").tariffs.all()
    assert {t.payment_method for t in prepayment} == {PaymentMethod.PREPAYMENT}
    assert {t.region for t in prepayment} == {"H", "N", "K"}


def test_each_demo_supply_point_is_on_a_tariff_of_its_region_from_its_supply_start(demo):
    placed = {
        (a.supply_point.identifier, a.tariff.code, a.valid_from, a.valid_to)
        for a in Agreement.objects.select_related("supply_point", "tariff")
    }
    start = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # 1 April 2026, midnight in London (BST)
    assert placed == {
        ("1200023305967", "E-1R-HEARTH-FIX-12M-26-04-H", start, None),  # Reading: Southern
        ("3938424403", "G-1R-HEARTH-FIX-12M-26-04-H", start, None),
        ("1030051828896", "E-1R-HEARTH-SVT-N", start, None),  # Edinburgh: South Scotland
        ("7412345678", "G-1R-HEARTH-SVT-N", start, None),
        ("1312345678907", "E-1R-HEARTH-SVT-K", start, None),  # Cardiff: South Wales
        # Casey Brook, moving out: Reading, supplied from the first of the demo's month (1 June 2026, BST)
        ("2000000041410", "E-1R-HEARTH-SVT-H", datetime(2026, 5, 31, 23, 0, tzinfo=UTC), None),
        # Morgan Lee, Reading, since the first of the demo's month: 1 June 2026, midnight in London (BST).
        ("2000456123787", "E-1R-HEARTH-FIX-TO-26-07-17-H", datetime(2026, 5, 31, 23, 0, tzinfo=UTC), None),
        # Margaret Hughes, on the Priority Services Register: Reading, since the first of the demo's month.
        ("2000000091918", "E-1R-HEARTH-SVT-H", datetime(2026, 5, 31, 23, 0, tzinfo=UTC), None),
        # Jordan Reid, on the debt path: Southampton, paying on receipt of bills, since 1 March 2026 (GMT).
        ("2000720000728", "E-1R-HEARTH-SVT-H-STANDARD_CREDIT", datetime(2026, 3, 1, 0, 0, tzinfo=UTC), None),
        # Taylor Quinn's prepayment flat, Reading, since the first of the demo's month: the prepayment SVT
        ("2000000071016", "E-1R-HEARTH-SVT-PP-H-PREPAYMENT", datetime(2026, 5, 31, 23, 0, tzinfo=UTC), None),
    }
