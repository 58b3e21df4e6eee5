"""Bacs processing days (England and Wales) and the 3-day cycle, on the awkward days on purpose.

Each expected date was worked out by hand from the bank holidays gov.uk publishes for England and Wales and for
Scotland; the comment beside it counts the days. Days 1, 2 and 3 are input, processing and entry (collection).
"""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import calendar as working_days
from hearth.common.bacs import calendar

ENGLISH_HOLIDAYS_2026_27 = {
    date(2026, 12, 25),  # Christmas Day, Friday
    date(2026, 12, 28),  # Boxing Day substitute (26th is a Saturday)
    date(2027, 1, 1),  # New Year's Day, Friday
    date(2027, 3, 26),  # Good Friday
    date(2027, 3, 29),  # Easter Monday
    date(2027, 5, 31),  # Spring bank holiday (last Monday of May)
    date(2027, 8, 30),  # Summer bank holiday (last Monday of August)
    date(2027, 12, 27),  # Christmas Day substitute (25th is a Saturday)
    date(2027, 12, 28),  # Boxing Day substitute (26th is a Sunday)
}


@pytest.mark.parametrize("day", sorted(ENGLISH_HOLIDAYS_2026_27))
def test_an_english_bank_holiday_is_not_a_processing_day(day: date) -> None:
    assert not calendar.is_processing_day(day)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 11, 30), "St Andrew's Day, a Monday: Scotland only"),
        (date(2027, 1, 4), "the substitute for Scotland's 2 January (a Saturday in 2027): Scotland only"),
        (date(2026, 1, 2), "Scotland's 2 January holiday, a Friday"),
        (date(2026, 8, 3), "Scotland's summer bank holiday (first Monday of August)"),
        (date(2026, 6, 15), "a one-off Scottish holiday for the FIFA World Cup final"),
    ],
)
def test_a_scottish_only_holiday_is_still_a_processing_day(day: date, why: str) -> None:
    assert calendar.is_processing_day(day), why
    assert not working_days.is_working_day(day), "the T&C's working day does leave it out"


def test_weekends_are_not_processing_days() -> None:
    assert not calendar.is_processing_day(date(2026, 6, 6))  # Saturday
    assert not calendar.is_processing_day(date(2026, 6, 7))  # Sunday
    assert calendar.is_processing_day(date(2026, 6, 8))  # Monday


def test_is_processing_day_refuses_a_datetime() -> None:
    with pytest.raises(TypeError, match="takes a date"):
        calendar.is_processing_day(datetime(2026, 6, 8, 12))


@pytest.mark.parametrize(
    ("input_day", "collection"),
    [
        # Tue 10 Nov 2026: processing Wed 11, entry Thu 12.
        (date(2026, 11, 10), date(2026, 11, 12)),
        # Thu 12 Nov: processing Fri 13, weekend, entry Mon 16.
        (date(2026, 11, 12), date(2026, 11, 16)),
        # Fri 27 Nov: weekend, processing Mon 30 (St Andrew's, a Bacs day), entry Tue 1 Dec.
        (date(2026, 11, 27), date(2026, 12, 1)),
        # Wed 23 Dec: processing Thu 24; Fri 25 Christmas, 26-27 weekend, Mon 28 Boxing Day substitute; entry Tue 29.
        (date(2026, 12, 23), date(2026, 12, 29)),
        # Thu 24 Dec: processing Tue 29 (25, 26, 27, 28 skipped), entry Wed 30.
        (date(2026, 12, 24), date(2026, 12, 30)),
        # Thu 31 Dec: Fri 1 Jan holiday, weekend; processing Mon 4 Jan (Scotland's substitute, a Bacs day); entry Tue 5.
        (date(2026, 12, 31), date(2027, 1, 5)),
        # Sat 26 Dec is no input day: input moves to Tue 29, processing Wed 30, entry Thu 31.
        (date(2026, 12, 26), date(2026, 12, 31)),
        # Easter 2027. Thu 25 Mar: Good Friday 26, weekend, Easter Monday 29; processing Tue 30, entry Wed 31.
        (date(2027, 3, 25), date(2027, 3, 31)),
        # Wed 24 Mar: processing Thu 25; 26-29 skipped; entry Tue 30.
        (date(2027, 3, 24), date(2027, 3, 30)),
        # Late May 2027. Thu 27 May: processing Fri 28; weekend, Mon 31 May holiday; entry Tue 1 Jun.
        (date(2027, 5, 27), date(2027, 6, 1)),
        # Late May 2026 (Mon 25 May). Fri 22 May: weekend, holiday; processing Tue 26, entry Wed 27.
        (date(2026, 5, 22), date(2026, 5, 27)),
        # August 2026 (Mon 31 Aug). Thu 27 Aug: processing Fri 28; weekend, Mon 31 holiday; entry Tue 1 Sep.
        (date(2026, 8, 27), date(2026, 9, 1)),
        # August 2027 (Mon 30 Aug). Fri 27 Aug: weekend, holiday; processing Tue 31 Aug, entry Wed 1 Sep.
        (date(2027, 8, 27), date(2027, 9, 1)),
        # Scotland's August holiday (Mon 3 Aug 2026) is a Bacs day. Fri 31 Jul: processing Mon 3, entry Tue 4.
        (date(2026, 7, 31), date(2026, 8, 4)),
    ],
)
def test_collection_is_on_day_three_of_the_cycle(input_day: date, collection: date) -> None:
    assert calendar.collection_date_for(input_day) == collection


@pytest.mark.parametrize(
    ("collection", "latest_input"),
    [
        # Tue 5 Jan 2027: back one processing day Mon 4 Jan (Scottish-only holiday, a Bacs day);
        # back two: Fri 1 Jan holiday and the weekend skipped, Thu 31 Dec 2026.
        (date(2027, 1, 5), date(2026, 12, 31)),
        # Mon 4 Jan 2027: back one Thu 31 Dec, back two Wed 30 Dec.
        (date(2027, 1, 4), date(2026, 12, 30)),
        # Tue 29 Dec 2026: back one Thu 24 Dec (28, 27, 26, 25 skipped), back two Wed 23 Dec.
        (date(2026, 12, 29), date(2026, 12, 23)),
        # Tue 30 Mar 2027: back one Thu 25 Mar (Easter Monday 29, weekend, Good Friday 26), back two Wed 24 Mar.
        (date(2027, 3, 30), date(2027, 3, 24)),
        # Tue 1 Jun 2027: back one Fri 28 May (Mon 31 May holiday, weekend), back two Thu 27 May.
        (date(2027, 6, 1), date(2027, 5, 27)),
        # Tue 31 Aug 2027: back one Fri 27 Aug (Mon 30 Aug holiday, weekend), back two Thu 26 Aug.
        (date(2027, 8, 31), date(2027, 8, 26)),
        # Sat 2 Jan 2027 is no entry day: taken Mon 4 Jan, so as for Mon 4 Jan: Wed 30 Dec.
        (date(2027, 1, 2), date(2026, 12, 30)),
    ],
)
def test_latest_input_day_is_two_processing_days_before_collection(collection: date, latest_input: date) -> None:
    assert calendar.latest_input_day_for(collection) == latest_input


@pytest.mark.parametrize(
    ("collection", "processing"),
    [
        (date(2027, 1, 5), date(2027, 1, 4)),  # the Monday before is a Bacs day in spite of Scotland's holiday
        (date(2026, 12, 29), date(2026, 12, 24)),  # Mon 28 (Boxing Day substitute) back to Thu 24
        (date(2027, 3, 30), date(2027, 3, 25)),  # Easter Monday and Good Friday skipped
    ],
)
def test_processing_day_is_the_processing_day_before_collection(collection: date, processing: date) -> None:
    assert calendar.processing_day_for(collection) == processing


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 25), date(2026, 12, 29)),  # Fri Christmas, weekend, Mon substitute Boxing Day
        (date(2026, 12, 29), date(2026, 12, 29)),  # already a processing day
        (date(2027, 12, 25), date(2027, 12, 29)),  # Sat Christmas, Sun Boxing Day, Mon 27 and Tue 28 substitutes
    ],
)
def test_next_processing_day_on_or_after(day: date, expected: date) -> None:
    assert calendar.next_processing_day_on_or_after(day) == expected


def test_adding_processing_days_does_not_count_the_start() -> None:
    # Thu 24 Dec 2026 + 2: Tue 29 (1), Wed 30 (2).
    assert calendar.add_processing_days(date(2026, 12, 24), 2) == date(2026, 12, 30)
    # Saturday start: Mon 8 Jun 2026 (1).
    assert calendar.add_processing_days(date(2026, 6, 6), 1) == date(2026, 6, 8)
    # Backwards from Tue 29 Dec 2026: Thu 24 (1).
    assert calendar.add_processing_days(date(2026, 12, 29), -1) == date(2026, 12, 24)


DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31))


@given(day=DAYS, count=st.integers(min_value=-40, max_value=40))
def test_adding_processing_days_lands_on_a_processing_day(day: date, count: int) -> None:
    result = calendar.add_processing_days(day, count)
    assert result.weekday() < 5
    assert result not in working_days.bank_holidays(result.year, "ENGLAND")
    if count > 0:
        assert result > day
    elif count < 0:
        assert result < day


@given(day=DAYS, count=st.integers(min_value=1, max_value=40))
def test_counting_forward_then_back_returns_to_a_processing_day(day: date, count: int) -> None:
    start = calendar.next_processing_day_on_or_after(day)
    assert calendar.add_processing_days(calendar.add_processing_days(start, count), -count) == start


@given(day=DAYS)
def test_the_latest_input_day_for_a_collection_leads_back_to_it(day: date) -> None:
    collection = calendar.collection_date_for(day)
    latest = calendar.latest_input_day_for(collection)
    assert latest == calendar.next_processing_day_on_or_after(day)
    assert calendar.collection_date_for(latest) == collection
    assert latest < calendar.processing_day_for(collection) < collection
    # Two processing-day steps, each skipping at most four closed days (Christmas 2027: Saturday to Tuesday).
    assert collection - latest <= timedelta(days=10)
