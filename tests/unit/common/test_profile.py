"""The seasonal profile: positive daily weights that share out exactly one year's use, more of it in winter.

Expectations come from the profile's definition (a cosine peaking on 15 January), computed here in floats
independently of the module's cumulative Decimal sums.
"""

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import profile

FUELS = st.sampled_from(["ELECTRICITY", "GAS"])
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
YEARS = st.integers(min_value=2000, max_value=2099)


@given(day=DAYS, fuel=FUELS)
def test_every_day_has_a_positive_weight(day: date, fuel: str) -> None:
    assert profile.daily_weight(day, fuel) > 0


@given(year=YEARS, fuel=FUELS)
def test_the_days_of_a_year_share_out_exactly_its_annual_use(year: int, fuel: str) -> None:
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    by_day = sum((profile.daily_weight(date(year, 1, 1) + timedelta(days=n), fuel) for n in range(days)), Decimal(0))
    assert abs(by_day - 1) < Decimal("1e-9")
    assert abs(profile.share_of_year(date(year, 1, 1), date(year + 1, 1, 1), fuel) - 1) < Decimal("1e-9")


@given(first=DAYS, lengths=st.tuples(st.integers(0, 800), st.integers(0, 800)), fuel=FUELS)
def test_a_range_split_in_two_shares_the_same_as_the_whole(first: date, lengths: tuple[int, int], fuel: str) -> None:
    middle = first + timedelta(days=lengths[0])
    last = middle + timedelta(days=lengths[1])
    whole = profile.share_of_year(first, last, fuel)
    assert profile.share_of_year(first, middle, fuel) + profile.share_of_year(middle, last, fuel) == whole


@given(start=DAYS, length=st.integers(0, 400), fuel=FUELS)
def test_a_share_is_the_sum_of_its_days_weights(start: date, length: int, fuel: str) -> None:
    days = [start + timedelta(days=n) for n in range(length)]
    expected = sum((profile.daily_weight(day, fuel) for day in days), Decimal(0))
    assert profile.share_of_year(start, start + timedelta(days=length), fuel) == expected


def _reference_weight(day: date, swing: float) -> float:
    """c_d from the definition: (1 + swing cos(2π (d - 15) / N)) / N, the cosine summing to 0 over the year."""
    days_in_year = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days
    d = day.timetuple().tm_yday
    return (1 + swing * math.cos(2 * math.pi * (d - 15) / days_in_year)) / days_in_year


@pytest.mark.parametrize(
    ("day", "fuel", "swing"),
    [
        (date(2026, 1, 15), "GAS", 0.6),
        (date(2026, 7, 16), "GAS", 0.6),
        (date(2026, 4, 1), "ELECTRICITY", 0.2),
        (date(2028, 2, 29), "ELECTRICITY", 0.2),
    ],
)
def test_a_days_weight_follows_the_cosine_through_mid_january(day: date, fuel: str, swing: float) -> None:
    assert float(profile.daily_weight(day, fuel)) == pytest.approx(_reference_weight(day, swing), rel=1e-10)


def test_a_winter_month_weighs_more_than_a_summer_month_and_gas_swings_further() -> None:
    gas_january = profile.share_of_year(date(2026, 1, 1), date(2026, 2, 1), "GAS")
    gas_july = profile.share_of_year(date(2026, 7, 1), date(2026, 8, 1), "GAS")
    electricity_january = profile.share_of_year(date(2026, 1, 1), date(2026, 2, 1), "ELECTRICITY")
    electricity_july = profile.share_of_year(date(2026, 7, 1), date(2026, 8, 1), "ELECTRICITY")
    assert gas_january > electricity_january > electricity_july > gas_july
    # Mid-January against mid-July, half a year from the peak: (1 + 0.6) / (1 - 0.6) = 4 for gas, 1.2 / 0.8 for
    # electricity (to within the half-day the trough sits from 16 July).
    assert float(profile.daily_weight(date(2026, 1, 15), "GAS") / profile.daily_weight(date(2026, 7, 16), "GAS")) == (
        pytest.approx(4, rel=1e-3)
    )
    ratio = profile.daily_weight(date(2026, 1, 15), "ELECTRICITY") / profile.daily_weight(
        date(2026, 7, 16), "ELECTRICITY"
    )
    assert float(ratio) == pytest.approx(1.5, rel=1e-3)


def test_an_empty_range_shares_nothing_and_a_backwards_one_is_refused() -> None:
    assert profile.share_of_year(date(2026, 3, 1), date(2026, 3, 1), "GAS") == 0
    with pytest.raises(ValueError, match="must not end before it starts"):
        profile.share_of_year(date(2026, 3, 2), date(2026, 3, 1), "GAS")


def test_an_unknown_fuel_is_refused() -> None:
    with pytest.raises(ValueError, match="No seasonal profile for fuel 'OIL'"):
        profile.share_of_year(date(2026, 3, 1), date(2026, 4, 1), "OIL")
