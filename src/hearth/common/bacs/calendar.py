"""Bacs processing days and the 3-day cycle.

Bacs moves money on *processing days*: not a Saturday, a Sunday or a bank holiday in England and Wales (DOMAIN.md,
"Payments and Direct Debit"). This is narrower than the T&C's working day in :mod:`hearth.common.calendar`, which
also leaves out Scotland's holidays: St Andrew's Day or Scotland's 2 January holiday is not a working day for a
customer's notice, but it is a Bacs processing day, and Bacs collects on it.

A submission follows the 3-day cycle:

- day 1, **input**: the file reaches Bacs (07:00-22:00);
- day 2, **processing**: Bacs sorts it (the date written in the file's UHL1 label);
- day 3, **entry**: money leaves the payer's account and new instructions are live. This is the collection date.

The bank holidays come from :func:`hearth.common.calendar.bank_holidays` (the ``holidays`` package, England, with the
substitute weekdays), so both calendars read one source.
"""

from datetime import date, datetime, timedelta

from hearth.common import calendar

__all__ = [
    "add_processing_days",
    "collection_date_for",
    "is_processing_day",
    "latest_input_day_for",
    "next_processing_day_on_or_after",
    "processing_day_for",
]

_SATURDAY = 5
_PROCESSING_TO_ENTRY = 1
_INPUT_TO_ENTRY = 2


def is_processing_day(day: date) -> bool:
    """Say whether Bacs processes on ``day``: not a Saturday, Sunday or bank holiday in England and Wales."""
    if isinstance(day, datetime):
        raise TypeError("is_processing_day takes a date; convert a datetime with calendar.local_date() first.")
    return day.weekday() < _SATURDAY and day not in calendar.bank_holidays(day.year, calendar.Nation.ENGLAND)


def next_processing_day_on_or_after(day: date) -> date:
    """``day`` if Bacs processes on it, otherwise the first processing day after it."""
    while not is_processing_day(day):
        day += timedelta(days=1)
    return day


def add_processing_days(day: date, count: int) -> date:
    """Return the ``count``-th processing day after ``day`` (before it, for a negative ``count``).

    ``day`` itself is never counted, whether or not it is a processing day: two processing days after Thursday
    24 December 2026 is Wednesday 30 December (25th and 28th are bank holidays, 26th and 27th a weekend).
    With ``count == 0`` the answer is :func:`next_processing_day_on_or_after`.
    """
    if count == 0:
        return next_processing_day_on_or_after(day)
    step = timedelta(days=1 if count > 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_processing_day(day):
            remaining -= 1
    return day


def collection_date_for(input_day: date) -> date:
    """The entry day (day 3) of a file input on ``input_day``: when its collections leave payers' accounts.

    A file that arrives on a day Bacs does not process (a weekend) is input on the next processing day.
    """
    return add_processing_days(next_processing_day_on_or_after(input_day), _INPUT_TO_ENTRY)


def latest_input_day_for(collection_date: date) -> date:
    """The last day a file can reach Bacs for its collections to be taken on ``collection_date``: the processing day
    two processing days before it.

    A collection date that is not a processing day cannot be an entry day; it is taken on the next processing day,
    and the answer is counted back from that.
    """
    return add_processing_days(next_processing_day_on_or_after(collection_date), -_INPUT_TO_ENTRY)


def processing_day_for(collection_date: date) -> date:
    """The processing day (day 2) whose date goes in the file's UHL1 label for collections on ``collection_date``."""
    return add_processing_days(next_processing_day_on_or_after(collection_date), -_PROCESSING_TO_ENTRY)
