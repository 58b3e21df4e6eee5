"""Working days (England, Scotland and Wales together) and London local dates, on the awkward days on purpose.

The expected holidays were checked against the installed ``holidays`` package's output for 2026.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import calendar


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 12, 25), "Christmas Day, a Friday"),
        (date(2026, 12, 26), "Boxing Day, a Saturday"),
        (date(2026, 12, 28), "Boxing Day substitute, Monday"),
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 2), "2 January, Scotland only"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday: England and Wales, not Scotland"),
        (date(2026, 8, 3), "Summer bank holiday, Scotland only"),
        (date(2026, 8, 31), "Late summer bank holiday: England and Wales"),
        (date(2026, 11, 30), "St Andrew's Day, a Monday, Scotland only"),
        (date(2026, 6, 6), "a Saturday"),
        (date(2026, 6, 7), "a Sunday"),
    ],
)
def test_days_that_are_not_working_days(day: date, why: str) -> None:
    assert not calendar.is_working_day(day), why


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 12, 29), "Tuesday after the Christmas holidays"),
        (date(2026, 3, 17), "St Patrick's Day: Northern Ireland only"),
        (date(2026, 7, 13), "Battle of the Boyne substitute: Northern Ireland only"),
        (date(2026, 6, 5), "an ordinary Friday"),
    ],
)
def test_days_that_are_working_days(day: date, why: str) -> None:
    assert calendar.is_working_day(day), why


def test_bank_holidays_differ_by_nation() -> None:
    scotland = calendar.bank_holidays(2026, "SCOTLAND")
    england = calendar.bank_holidays(2026, calendar.Nation.ENGLAND)
    wales = calendar.bank_holidays(2026, "WALES")
    northern_ireland = calendar.bank_holidays(2026, "NORTHERN_IRELAND")
    assert date(2026, 1, 2) in scotland
    assert date(2026, 1, 2) not in england
    assert date(2026, 11, 30) in scotland
    assert date(2026, 11, 30) not in wales
    assert date(2026, 4, 6) in england
    assert date(2026, 4, 6) not in scotland
    assert date(2026, 3, 17) in northern_ireland
    assert date(2026, 3, 17) not in england
    # Both Boxing Day (Saturday) and its substitute Monday are there.
    assert {date(2026, 12, 26), date(2026, 12, 28)} <= england
    assert all(day.year == 2026 for day in england)


def test_an_unknown_nation_is_refused() -> None:
    with pytest.raises(ValueError, match="ENG"):
        calendar.bank_holidays(2026, "ENG")


def test_two_working_days_after_a_friday_is_the_tuesday() -> None:
    assert calendar.add_working_days(date(2026, 6, 5), 2) == date(2026, 6, 9)


def test_a_letter_posted_on_christmas_eve_2026_is_delivered_on_the_30th() -> None:
    # 25 Fri holiday, 26 Sat, 27 Sun, 28 Mon substitute Boxing Day, 29 Tue (1st working day), 30 Wed (2nd).
    assert calendar.add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 30)


def test_scotland_only_holidays_are_skipped_when_counting() -> None:
    # Fri 27 Nov + 1 working day: Mon 30 Nov is St Andrew's Day, so Tue 1 Dec.
    assert calendar.add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 1)
    # Wed 31 Dec 2025 + 1: 1 and 2 January are holidays, 3-4 the weekend, so Mon 5 January 2026.
    assert calendar.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


def test_zero_working_days_is_the_day_itself_or_the_next_working_day() -> None:
    assert calendar.add_working_days(date(2026, 6, 5), 0) == date(2026, 6, 5)
    assert calendar.add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 29)


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="forwards only"):
        calendar.add_working_days(date(2026, 6, 5), -1)


def test_a_datetime_is_not_taken_for_a_date() -> None:
    with pytest.raises(TypeError):
        calendar.is_working_day(datetime(2026, 6, 5, 12, tzinfo=UTC))


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@given(days, st.integers(min_value=0, max_value=40))
def test_adding_working_days_always_lands_on_a_working_day(start: date, count: int) -> None:
    result = calendar.add_working_days(start, count)
    assert calendar.is_working_day(result)
    assert result.weekday() < 5
    assert result >= start
    between = [start + timedelta(days=n) for n in range(1, (result - start).days + 1)]
    if count:
        assert sum(calendar.is_working_day(day) for day in between) == count


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Spring forward, Sunday 29 March 2026: GMT until 01:00 UTC, then BST (UTC+1).
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 28)),  # 23:30 GMT on the 28th
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), date(2026, 3, 29)),  # 00:30 GMT
        (datetime(2026, 3, 29, 22, 59, tzinfo=UTC), date(2026, 3, 29)),  # 23:59 BST
        (datetime(2026, 3, 29, 23, 0, tzinfo=UTC), date(2026, 3, 30)),  # 00:00 BST on the 30th
        # Fall back, Sunday 25 October 2026: BST until 01:00 UTC, then GMT.
        (datetime(2026, 10, 24, 22, 59, tzinfo=UTC), date(2026, 10, 24)),  # 23:59 BST on the 24th
        (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), date(2026, 10, 25)),  # 00:00 BST on the 25th
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25)),  # 00:30 BST
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), date(2026, 10, 25)),  # 01:30 GMT (after the change)
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 25)),  # 23:30 GMT, still the 25th
        (datetime(2026, 10, 26, 0, 0, tzinfo=UTC), date(2026, 10, 26)),  # 00:00 GMT on the 26th
        # Any aware zone works: 01:30 at UTC+2 is 23:30 UTC the day before, 00:30 BST in London.
        (datetime(2026, 7, 2, 1, 30, tzinfo=timezone(timedelta(hours=2))), date(2026, 7, 2)),
    ],
)
def test_local_date_on_the_clock_change_days(at: datetime, expected: date) -> None:
    assert calendar.local_date(at) == expected


def test_local_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        calendar.local_date(datetime(2026, 10, 25, 1, 30))


def test_london_is_the_europe_london_zone() -> None:
    assert str(calendar.LONDON) == "Europe/London"
