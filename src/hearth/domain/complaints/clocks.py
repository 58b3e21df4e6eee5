"""A complaint's clocks (T&C 20.2, 20.3; ADR 0018), as plain dates worked out from the moment it was received.

- **Response, 5 working days** (20.2). The day of receipt is day 0 and is never counted. A complaint received on a
  working day after :data:`CLOSE_OF_BUSINESS` (UK time), or on a weekend or bank holiday, is taken as received on
  the next working day, which is then day 0. Working days are ``hearth.common.calendar``'s: no weekend, and no bank
  holiday in England, Scotland or Wales.
- **Energy Ombudsman, 8 weeks.** Counted in calendar days from the UK date it actually reached us (after hours or
  not: the customer's 8 weeks started then), bank holidays included: on day 56 (the same weekday 8 weeks later) 8
  weeks have passed and the customer may go to the Ombudsman; on day 55 not yet.
- **12 months to go to the Ombudsman**, from our final response (a resolution or a deadlock letter); where we sent
  none, from the day the 8 weeks ended.
"""

from datetime import date, datetime, time, timedelta
from typing import Final

from hearth.common import calendar

RESPONSE_WORKING_DAYS: Final = 5
"""T&C 20.2: "the typical response is normally 5 working days"."""

OMBUDSMAN_AFTER_DAYS: Final = 56
"""8 weeks: on this day after receipt the customer may take an unresolved complaint to the Energy Ombudsman."""

CLOSE_OF_BUSINESS: Final = time(17, 0)
"""A complaint reaching us at or after 17:00 UK time is treated as received the next working day."""


def counted_from(received_at: datetime) -> date:
    """Day 0 of the response clock: the UK day it arrived, or the next working day if that day was not a working day
    or it arrived after close of business."""
    local = received_at.astimezone(calendar.LONDON)
    day = local.date()
    if calendar.is_working_day(day) and local.time() < CLOSE_OF_BUSINESS:
        return day
    return calendar.add_working_days(day, 1)


def response_due_date(received_at: datetime) -> date:
    """The last day we respond by: the 5th working day after day 0 (:func:`counted_from`)."""
    return calendar.add_working_days(counted_from(received_at), RESPONSE_WORKING_DAYS)


def ombudsman_date(received_at: datetime) -> date:
    """The day 8 weeks have passed since the complaint reached us (its UK date + 56 days)."""
    return calendar.local_date(received_at) + timedelta(days=OMBUDSMAN_AFTER_DAYS)


def ombudsman_deadline(*, final_response_date: date | None, ombudsman_from: date) -> date:
    """The last day the customer can go to the Energy Ombudsman, within 12 months of the final response, or of the
    day the 8 weeks ended if there was none: the day before the same date a year later."""
    start = final_response_date or ombudsman_from
    try:
        a_year_later = start.replace(year=start.year + 1)
    except ValueError:  # from 29 February, the year that follows has none: the window runs to 28 February
        return date(start.year + 1, 2, 28)
    return a_year_later - timedelta(days=1)
