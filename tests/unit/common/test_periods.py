"""Half-open periods: the start day is in, the end day is out, and an open period runs on for ever."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common.periods import Period

JULY = Period(date(2026, 7, 1), date(2026, 8, 1))
FROM_AUGUST = Period(date(2026, 8, 1), None)


def test_the_start_day_is_in_and_the_end_day_is_out() -> None:
    assert JULY.contains(date(2026, 7, 1))
    assert JULY.contains(date(2026, 7, 31))
    assert not JULY.contains(date(2026, 8, 1))
    assert not JULY.contains(date(2026, 6, 30))


def test_an_open_period_contains_every_later_day() -> None:
    assert FROM_AUGUST.is_open
    assert FROM_AUGUST.contains(date(2099, 1, 1))
    assert not FROM_AUGUST.contains(date(2026, 7, 31))


def test_periods_that_only_touch_do_not_overlap() -> None:
    assert not JULY.overlaps(FROM_AUGUST)
    assert not FROM_AUGUST.overlaps(JULY)


def test_overlapping_periods() -> None:
    mid_july_on = Period(date(2026, 7, 15), None)
    assert JULY.overlaps(mid_july_on)
    assert mid_july_on.overlaps(JULY)
    assert FROM_AUGUST.overlaps(mid_july_on)
    assert JULY.overlaps(JULY)
    assert JULY.overlaps(Period(date(2026, 7, 10), date(2026, 7, 11)))


def test_days_counts_the_days_charged() -> None:
    assert JULY.days() == 31
    assert Period(date(2026, 12, 31), date(2027, 1, 1)).days() == 1


def test_an_open_period_has_no_number_of_days() -> None:
    with pytest.raises(ValueError, match="open-ended"):
        FROM_AUGUST.days()


@pytest.mark.parametrize("end", [date(2026, 7, 1), date(2026, 6, 30)])
def test_a_period_must_end_after_it_starts(end: date) -> None:
    with pytest.raises(ValueError, match="must end after it starts"):
        Period(date(2026, 7, 1), end)


def test_a_period_holds_dates_not_datetimes() -> None:
    with pytest.raises(TypeError):
        Period(datetime(2026, 7, 1, 12), None)


def test_periods_are_values() -> None:
    assert Period(date(2026, 7, 1), date(2026, 8, 1)) == JULY
    assert len({JULY, Period(date(2026, 7, 1), date(2026, 8, 1))}) == 1


def _period(start: date, length: int | None) -> Period:
    return Period(start, None if length is None else start + (date(2000, 1, 2) - date(2000, 1, 1)) * length)


periods = st.builds(
    _period,
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
)


@given(periods, periods)
def test_overlap_is_symmetric_and_means_a_shared_day(first: Period, second: Period) -> None:
    assert first.overlaps(second) == second.overlaps(first)
    later_start = max(first.start, second.start)
    assert first.overlaps(second) == (first.contains(later_start) and second.contains(later_start))
