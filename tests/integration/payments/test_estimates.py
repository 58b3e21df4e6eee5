"""What an account's next twelve months are expected to cost (T&C 9.4.1): the figure every Direct Debit starts from.

Each month is the annual consumption's share for that month priced at today's rates with VAT, rounded to the penny,
so the twelve months together must come to the whole year's energy plus a standing charge for each of the year's
days, with VAT, within a penny a month (each month's rounding). The references below are worked on paper in pence.
"""

from datetime import date
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Customer, Fuel
from hearth.data.tariffs.models import UnitRate
from hearth.domain.payments import estimates
from tests.integration.payments.account_support import at, supplied_account, supply_point_of, tariff

pytestmark = pytest.mark.django_db

A_PENNY_A_MONTH = Decimal("0.12")


def year_cost(*, kwh: str, pence_per_kwh: str, days: int, pence_per_day: str, vat: str) -> Decimal:
    """(kWh x unit rate + days x standing charge) in pence, with VAT, in pounds: the obviously correct reference."""
    pence = Decimal(kwh) * Decimal(pence_per_kwh) + days * Decimal(pence_per_day)
    return pence * (1 + Decimal(vat)) / 100


def assert_within_a_penny_a_month(estimate: estimates.AnnualEstimate, expected: Decimal) -> None:
    assert len(estimate.months) == 12
    assert abs(estimate.annual_cost - expected) <= A_PENNY_A_MONTH, (estimate.annual_cost, expected)
    assert all(month.cost == month.cost.quantize(Decimal("0.01")) for month in estimate.months)


@pytest.mark.parametrize(
    ("asked_on", "first_month", "days", "expected"),
    [
        # Asked on 15 Oct 2026: November 2026 to October 2027, no 29 February: 365 days.
        # 3,100 kWh x 25p = 77,500p; 365 x 50p = 18,250p; 95,750p x 1.05 = 100,537.5p = £1,005.375.
        (date(2026, 10, 15), date(2026, 11, 1), 365, Decimal("1005.375")),
        # Asked on 10 Dec 2027: January to December 2028, a leap year: 366 days.
        # 77,500p + 366 x 50p = 95,800p; x 1.05 = 100,590p = £1,005.90.
        (date(2027, 12, 10), date(2028, 1, 1), 366, Decimal("1005.90")),
    ],
)
def test_a_single_rate_electricity_year_is_its_energy_and_a_standing_charge_a_day_with_5_percent_vat(
    asked_on, first_month, days, expected
):
    account = supplied_account(tariff(pence_per_kwh="25", pence_per_day="50"), annual_kwh="3100")
    estimate = estimates.annual_estimate(account=account, at=at(asked_on))
    assert expected == year_cost(kwh="3100", pence_per_kwh="25", days=days, pence_per_day="50", vat="0.05")
    assert_within_a_penny_a_month(estimate, expected)
    assert estimate.months[0].month == first_month
    assert estimate.annual_kwh == Decimal("3100")
    # The months' kWh (each to 0.1 kWh) are the year's consumption spread, not more or less of it.
    assert abs(sum(month.kwh for month in estimate.months) - Decimal("3100")) <= Decimal("0.6")


def test_a_gas_year_is_priced_the_same_way_and_weighs_winter_over_summer():
    account = supplied_account(tariff(fuel=Fuel.GAS, pence_per_kwh="6.5", pence_per_day="30"), annual_kwh="11000")
    estimate = estimates.annual_estimate(account=account, at=at(date(2026, 10, 15)))
    # 11,000 kWh x 6.5p = 71,500p; 365 x 30p = 10,950p; 82,450p x 1.05 = 86,572.5p = £865.725.
    assert_within_a_penny_a_month(
        estimate, year_cost(kwh="11000", pence_per_kwh="6.5", days=365, pence_per_day="30", vat="0.05")
    )
    by_month = {month.month: month for month in estimate.months}
    january, july = by_month[date(2027, 1, 1)], by_month[date(2027, 7, 1)]
    assert january.kwh > 2 * july.kwh  # heating: a January uses far more gas than a July
    assert january.cost > july.cost


def test_economy_7_is_priced_at_58_percent_day_and_42_percent_night():
    e7 = tariff(pence_per_kwh={UnitRate.DAY: "30", UnitRate.NIGHT: "15"}, pence_per_day="60")
    account = supplied_account(e7, annual_kwh="4200")
    estimate = estimates.annual_estimate(account=account, at=at(date(2026, 10, 15)))
    # 0.58 x 30p + 0.42 x 15p = 17.4p + 6.3p = 23.7p a kWh; 4,200 x 23.7p = 99,540p; 365 x 60p = 21,900p;
    # 121,440p x 1.05 = 127,512p = £1,275.12.
    expected = year_cost(kwh="4200", pence_per_kwh="23.7", days=365, pence_per_day="60", vat="0.05")
    assert expected == Decimal("1275.12")
    assert_within_a_penny_a_month(estimate, expected)


def test_a_business_above_de_minimis_pays_the_climate_change_levy_and_20_percent_vat_and_one_below_it_5_percent():
    prices = tariff(pence_per_kwh="25", pence_per_day="50")
    # 20,000 kWh a year is at least 20,000 x 0.8 / 365 = 43.8 kWh a day in the lightest month: above 33 kWh a day.
    large = supplied_account(prices, annual_kwh="20000", customer_kind=Customer.Kind.ORGANISATION)
    # 5,000 kWh a year is at most 5,000 x 1.2 / 365 = 16.4 kWh a day in the heaviest month: below 33 kWh a day.
    small = supplied_account(prices, annual_kwh="5000", customer_kind=Customer.Kind.ORGANISATION)
    asked = at(date(2026, 10, 15))
    # With the levy of 0.801p a kWh on the energy: 20,000 x 25.801p = 516,020p + 18,250p = 534,270p; x 1.20 =
    # 641,124p = £6,411.24.
    assert_within_a_penny_a_month(
        estimates.annual_estimate(account=large, at=asked),
        year_cost(kwh="20000", pence_per_kwh="25.801", days=365, pence_per_day="50", vat="0.20"),
    )
    # 5,000 x 25p = 125,000p + 18,250p = 143,250p; x 1.05 = 150,412.5p = £1,504.125.
    assert_within_a_penny_a_month(
        estimates.annual_estimate(account=small, at=asked),
        year_cost(kwh="5000", pence_per_kwh="25", days=365, pence_per_day="50", vat="0.05"),
    )


def test_without_an_annual_consumption_the_typical_2500_kwh_is_used():
    account = supplied_account(tariff(pence_per_kwh="25", pence_per_day="50"), annual_kwh=None)
    estimate = estimates.annual_estimate(account=account, at=at(date(2026, 10, 15)))
    # Ofgem's typical single-rate electricity: 2,500 kWh x 25p = 62,500p + 18,250p = 80,750p; x 1.05 = £847.875.
    assert estimate.annual_kwh == Decimal("2500")
    assert_within_a_penny_a_month(
        estimate, year_cost(kwh="2500", pence_per_kwh="25", days=365, pence_per_day="50", vat="0.05")
    )


def test_a_supply_point_on_no_tariff_has_no_estimate_and_says_why():
    account = supplied_account(None)
    with pytest.raises(estimates.EstimateUnavailable) as refused:
        estimates.annual_estimate(account=account, at=at(date(2026, 10, 15)))
    assert str(refused.value) == f"{supply_point_of(account)} is not on a tariff."
