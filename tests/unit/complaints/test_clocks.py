"""A complaint's clocks (T&C 20.2, 20.3): the expected dates below were worked out by hand from the 2026/27 calendars.

Bank holidays used: Friday 25 and Monday 28 December 2026 (Boxing Day on a Saturday), Friday 1 January 2027, Monday
4 January 2027 (Scotland only: 2 January falls on a Saturday), Good Friday 26 March and Easter Monday 29 March 2027
(Easter Monday: England and Wales). Clocks go forward on Sunday 28 March 2027.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import calendar
from hearth.domain.complaints import clocks


def _uk(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=calendar.LONDON)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Thursday 24 Dec, 10:00: 29, 30, 31 Dec, (1 Jan holiday, weekend, 4 Jan Scotland) 5, 6 Jan.
        (_uk(2026, 12, 24, 10), date(2027, 1, 6)),
        # The same day at 17:00: counted from Tuesday 29 Dec: 30, 31 Dec, 5, 6, 7 Jan.
        (_uk(2026, 12, 24, 17), date(2027, 1, 7)),
        # One minute before close of business still counts the 24th.
        (_uk(2026, 12, 24, 16, 59), date(2027, 1, 6)),
        # Christmas Day is no working day: counted from Tuesday 29 Dec, as after hours on the 24th.
        (_uk(2026, 12, 25, 11), date(2027, 1, 7)),
        # Wednesday 30 Dec: 31 Dec, 5, 6, 7, 8 Jan (Scotland's 4 January is skipped for everyone).
        (_uk(2026, 12, 30, 9), date(2027, 1, 8)),
        # Monday 4 Jan (Scotland's holiday): counted from Tuesday 5 Jan: 6, 7, 8, 11, 12 Jan.
        (_uk(2027, 1, 4, 9), date(2027, 1, 12)),
        # Wednesday 24 March 2027: 25 Mar, (Good Friday, weekend, Easter Monday) 30, 31 Mar, 1, 2 Apr.
        (_uk(2027, 3, 24, 12), date(2027, 4, 2)),
        # Thursday 25 March: 30, 31 Mar, 1, 2, 5 Apr.
        (_uk(2027, 3, 25, 12), date(2027, 4, 5)),
        # Thursday 25 March after hours: counted from Tuesday 30 Mar: 31 Mar, 1, 2, 5, 6 Apr.
        (_uk(2027, 3, 25, 18), date(2027, 4, 6)),
        # Easter Sunday, the night the clocks change: counted from Tuesday 30 Mar, due Tuesday 6 Apr.
        (_uk(2027, 3, 28, 3), date(2027, 4, 6)),
    ],
)
def test_response_is_due_five_working_days_after_the_day_of_receipt(received: datetime, due: date) -> None:
    assert clocks.response_due_date(received) == due


def test_after_hours_is_reckoned_in_uk_time_in_summer() -> None:
    """16:30 UTC on Thursday 1 April 2027 is 17:30 BST: after hours, so counted from Friday 2 April
    (5, 6, 7, 8, 9 April), not from the 1st (which would give Thursday 8 April)."""
    assert clocks.response_due_date(datetime(2027, 4, 1, 16, 30, tzinfo=UTC)) == date(2027, 4, 9)


def test_a_complaint_late_on_a_summer_evening_falls_on_the_next_uk_day() -> None:
    """23:30 UTC on Friday 2 April 2027 is 00:30 BST on Saturday 3 April: the 8 weeks run from the 3rd."""
    assert clocks.ombudsman_date(datetime(2027, 4, 2, 23, 30, tzinfo=UTC)) == date(2027, 5, 29)


@pytest.mark.parametrize(
    ("received", "day_56"),
    [
        # Friday 30 October 2026 + 56 days (Oct 31, Nov 30 days, Dec 25) = Friday 25 December: a bank holiday does
        # not move the Ombudsman's day, it is calendar weeks.
        (_uk(2026, 10, 30, 10), date(2026, 12, 25)),
        # After hours does not move it either: the customer's 8 weeks started when it reached us.
        (_uk(2026, 10, 30, 20), date(2026, 12, 25)),
        # Thursday 4 February 2027 + 56 days = Thursday 1 April 2027 (Feb has 28 days; across Easter).
        (_uk(2027, 2, 4, 9), date(2027, 4, 1)),
    ],
)
def test_the_ombudsman_can_be_asked_on_day_56_not_day_55(received: datetime, day_56: date) -> None:
    assert clocks.ombudsman_date(received) == day_56
    assert (day_56 - calendar.local_date(received)).days == 56


@pytest.mark.parametrize(
    ("final", "eight_weeks", "last_day"),
    [
        (date(2027, 3, 10), date(2027, 4, 1), date(2028, 3, 9)),  # 12 months from the final response
        (None, date(2027, 4, 1), date(2028, 3, 31)),  # no final response: 12 months from the 8 weeks
        (date(2028, 2, 29), date(2028, 3, 1), date(2029, 2, 28)),  # a leap day: no 29 February 2029
    ],
)
def test_the_ombudsman_window_is_twelve_months(final: date | None, eight_weeks: date, last_day: date) -> None:
    assert clocks.ombudsman_deadline(final_response_date=final, ombudsman_from=eight_weeks) == last_day


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_the_response_date_is_a_working_day_five_working_days_on(received: datetime) -> None:
    due = clocks.response_due_date(received)
    start = clocks.counted_from(received)
    assert calendar.is_working_day(due)
    assert start >= calendar.local_date(received)
    working_days_between = sum(
        calendar.is_working_day(start + timedelta(days=n)) for n in range(1, (due - start).days + 1)
    )
    assert working_days_between == clocks.RESPONSE_WORKING_DAYS
    assert clocks.ombudsman_date(received) > due
