"""A subject-access request is due one month from receipt (UK GDPR art. 12(3), as the ICO reads it): the same date
next month; the last day of next month when it has no such date; then the next working day (weekends and England,
Scotland or Wales bank holidays). Every expected date below was worked out by hand from a calendar (ADR 0016)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import calendar
from hearth.domain.privacy.subject_access import due_date


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        (date(2026, 9, 2), date(2026, 10, 2), "the same date next month, a Friday"),
        (date(2026, 3, 31), date(2026, 4, 30), "April has no 31st: its last day, a Thursday"),
        (date(2026, 1, 31), date(2026, 3, 2), "28 Feb 2026 is a Saturday: Monday 2 March"),
        (date(2028, 1, 31), date(2028, 2, 29), "a leap year: 29 Feb 2028, a Tuesday"),
        (date(2026, 1, 30), date(2026, 3, 2), "30 Jan: February's last day again, the same Saturday"),
        (date(2026, 4, 30), date(2026, 6, 1), "30 May 2026 is a Saturday: Monday 1 June"),
        (date(2026, 11, 25), date(2026, 12, 29), "Christmas Friday, weekend, Boxing Day moved to Monday 28th"),
        (date(2026, 12, 2), date(2027, 1, 5), "2 Jan 2027 a Saturday; Scotland's 2 January moves to Monday the 4th"),
        (date(2026, 12, 1), date(2027, 1, 5), "New Year's Day (Fri), weekend, Scotland's bank holiday on Monday"),
        (date(2026, 12, 31), date(2027, 2, 1), "31 Jan 2027 is a Sunday: Monday 1 February"),
    ],
)
def test_a_subject_access_request_is_due_one_month_later_on_a_working_day(received, due, why):
    assert due_date(received) == due, why


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31)))
def test_the_due_date_is_a_working_day_in_the_next_month_or_just_after(received):
    due = due_date(received)
    assert calendar.is_working_day(due)
    month_later = date(received.year + received.month // 12, received.month % 12 + 1, 1)
    assert due >= month_later  # never before the next month starts
    # No more than the days a long weekend of bank holidays can add after the same (or last) date next month.
    assert due - received <= timedelta(days=31 + 5)
