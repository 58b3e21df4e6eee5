"""The working-day calendar and UK local time.

The T&C count notice periods, deemed delivery of post and appointment notice in *working days*: any day that is not a
Saturday, a Sunday or a bank holiday in England, Scotland or Wales. Because the definition takes the union of the
three nations, a day that is a holiday in Scotland only (2 January, St Andrew's Day) is not a working day for any
customer, wherever they live. Bank holidays come from the ``holidays`` package, which also carries one-off holidays
proclaimed by the governments.

Everything customer-facing is Europe/London local time; instants are stored in UTC and turned into local dates here.
"""

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "LONDON",
    "Nation",
    "add_working_days",
    "bank_holidays",
    "day_starts_at",
    "is_working_day",
    "local_date",
    "next_month_start",
    "working_day_before",
]

LONDON = ZoneInfo("Europe/London")
"""The zone every customer-facing date and time is shown in (GMT in winter, BST in summer)."""

_SATURDAY = 5


class Nation(StrEnum):
    """The UK nations whose bank holidays differ."""

    ENGLAND = "ENGLAND"
    SCOTLAND = "SCOTLAND"
    WALES = "WALES"
    NORTHERN_IRELAND = "NORTHERN_IRELAND"


_SUBDIVISIONS: dict[Nation, str] = {
    Nation.ENGLAND: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.WALES: "WLS",
    Nation.NORTHERN_IRELAND: "NIR",
}

_WORKING_DAY_NATIONS = (Nation.ENGLAND, Nation.SCOTLAND, Nation.WALES)
"""The T&C's definition leaves out Northern Ireland: Hearth supplies Great Britain."""


@lru_cache(maxsize=512)
def _bank_holidays(year: int, nation: Nation) -> frozenset[date]:
    # observed=True keeps both the holiday and its substitute weekday (Boxing Day on a Saturday and the Monday
    # after): both dates are needed, and the weekend one is not a working day anyway.
    calendar = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[nation], years=year, observed=True)
    return frozenset(calendar.keys())


def bank_holidays(year: int, nation: str) -> frozenset[date]:
    """Return the bank holidays of one nation in one year, including substitute days ("observed").

    :param nation: one of ``ENGLAND``, ``SCOTLAND``, ``WALES``, ``NORTHERN_IRELAND`` (a :class:`Nation` or its value).
    :raises ValueError: if ``nation`` is not one of those.
    """
    return _bank_holidays(year, Nation(nation))


@lru_cache(maxsize=512)
def _non_working_holidays(year: int) -> frozenset[date]:
    return frozenset().union(*(_bank_holidays(year, nation) for nation in _WORKING_DAY_NATIONS))


def is_working_day(day: date) -> bool:
    """Say whether ``day`` is a working day: not a Saturday, Sunday or bank holiday in England, Scotland or Wales."""
    if isinstance(day, datetime):
        raise TypeError("is_working_day takes a date; convert a datetime with local_date() first.")
    return day.weekday() < _SATURDAY and day not in _non_working_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """Return the ``count``-th working day after ``start``.

    ``start`` itself is never counted, whether or not it is a working day: a letter posted on Thursday 24 December
    2026 is deemed delivered 2 working days later, on Wednesday 30 December (25th, 28th are bank holidays).
    With ``count == 0`` the answer is ``start`` if it is a working day, otherwise the next working day: "the
    earliest working day on or after ``start``".

    :raises ValueError: if ``count`` is negative.
    """
    if count < 0:
        raise ValueError(f"add_working_days counts forwards only; count was {count}.")
    day = start
    if count == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_day_before(day: date, count: int) -> date:
    """Return the ``count``-th working day before ``day``, ``day`` itself never counted: the last day to give
    "``count`` working days' notice" of something happening on ``day`` (2 before Wednesday 9 December 2026 is
    Monday 7 December).

    :raises ValueError: if ``count`` is not positive.
    """
    if count < 1:
        raise ValueError(f"working_day_before counts back at least one working day; count was {count}.")
    remaining, candidate = count, day
    while remaining:
        candidate -= timedelta(days=1)
        if is_working_day(candidate):
            remaining -= 1
    return candidate


def local_date(at: datetime) -> date:
    """Return the Europe/London calendar date of an aware instant.

    An instant just before midnight UTC in summer already falls on the next day in London (BST is UTC+1).

    :raises ValueError: if ``at`` is naive, because its instant (and so its London date) is unknown.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"local_date needs an aware datetime; {at.isoformat()} has no time zone.")
    return at.astimezone(LONDON).date()


@lru_cache(maxsize=4096)
def day_starts_at(day: date) -> datetime:
    """The UTC instant a local (Europe/London) day starts: a period of local days ``[start, end)`` runs from
    ``day_starts_at(start)`` to ``day_starts_at(end)``, 23 or 25 hours longer or shorter across a clock change.

    Remembered: a bill run asks for its period's few days thousands of times, and the zone conversion is slow."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def next_month_start(day: date) -> date:
    """The first day of the calendar month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
