"""T&C 22.3: a posted notice is deemed delivered two working days after posting, an e-mailed one the same day.

Working days leave out weekends and the bank holidays of England, Scotland and Wales together, so a holiday in
Scotland only moves the date for every customer. Each expected date below was worked out by hand from the published
bank holidays (gov.uk); the comment beside it counts the days.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import calendar
from hearth.data.documents.models import Delivery
from hearth.domain.documents import post

POST = Delivery.Channel.POST
EMAIL = Delivery.Channel.EMAIL


@pytest.mark.parametrize(
    ("posted", "deemed"),
    [
        # Tuesday -> Wednesday (1), Thursday (2): an ordinary week.
        (date(2026, 11, 10), date(2026, 11, 12)),
        # Friday -> Saturday, Sunday skipped; Monday (1), Tuesday (2).
        (date(2026, 11, 6), date(2026, 11, 10)),
        # Thursday -> Friday (1), Saturday and Sunday skipped, Monday (2).
        (date(2026, 11, 12), date(2026, 11, 16)),
    ],
    ids=["midweek", "friday-over-the-weekend", "thursday-over-the-weekend"],
)
def test_a_posted_notice_is_deemed_delivered_two_working_days_later(posted: date, deemed: date) -> None:
    assert post.deemed_delivered(channel=POST, sent_on=posted) == deemed


@pytest.mark.parametrize(
    ("posted", "deemed"),
    [
        # Thursday 2 April 2026 -> Good Friday 3rd, weekend, Easter Monday 6th (England and Wales) skipped;
        # Tuesday 7th (1), Wednesday 8th (2).
        (date(2026, 4, 2), date(2026, 4, 8)),
        # Thursday 24 December 2026 -> Christmas Friday 25th, weekend, Boxing Day's substitute Monday 28th skipped;
        # Tuesday 29th (1), Wednesday 30th (2).
        (date(2026, 12, 24), date(2026, 12, 30)),
        # Friday 24 December 2027 -> Christmas and Boxing Day fall on the weekend; their substitutes Monday 27th and
        # Tuesday 28th skipped; Wednesday 29th (1), Thursday 30th (2).
        (date(2027, 12, 24), date(2027, 12, 30)),
        # Friday 28 August 2026 -> weekend, Monday 31st (late summer holiday in England and Wales) skipped;
        # Tuesday 1 September (1), Wednesday 2nd (2).
        (date(2026, 8, 28), date(2026, 9, 2)),
    ],
    ids=["easter", "christmas-2026", "christmas-2027-substitutes", "late-august-england-and-wales"],
)
def test_bank_holidays_of_every_nation_are_not_counted(posted: date, deemed: date) -> None:
    assert post.deemed_delivered(channel=POST, sent_on=posted) == deemed


@pytest.mark.parametrize(
    ("posted", "deemed"),
    [
        # Wednesday 31 December 2025 -> New Year's Day Thursday 1st, 2 January Friday (Scotland only), weekend
        # skipped; Monday 5th (1), Tuesday 6th (2). Without Scotland's holiday it would be Monday 5th.
        (date(2025, 12, 31), date(2026, 1, 6)),
        # Friday 27 November 2026 -> weekend, St Andrew's Day Monday 30th (Scotland only) skipped;
        # Tuesday 1 December (1), Wednesday 2nd (2).
        (date(2026, 11, 27), date(2026, 12, 2)),
        # Friday 28 November 2025 -> weekend, St Andrew's Day (Sunday 30th) observed on Monday 1 December in
        # Scotland only, skipped; Tuesday 2nd (1), Wednesday 3rd (2).
        (date(2025, 11, 28), date(2025, 12, 3)),
        # Friday 31 July 2026 -> weekend, Monday 3 August (Scotland's summer holiday, the first Monday) skipped;
        # Tuesday 4th (1), Wednesday 5th (2).
        (date(2026, 7, 31), date(2026, 8, 5)),
        # Thursday 30 December 2027 -> Friday 31st (1); weekend; 1 January 2028 (Saturday) observed Monday 3rd
        # everywhere and 2 January (Sunday) observed Tuesday 4th in Scotland only, both skipped; Wednesday 5th (2).
        (date(2027, 12, 30), date(2028, 1, 5)),
    ],
    ids=["2-january", "st-andrews-day", "st-andrews-day-substitute", "scottish-summer-holiday", "new-year-2028"],
)
def test_a_holiday_in_scotland_only_is_not_a_working_day_for_anyone(posted: date, deemed: date) -> None:
    assert post.deemed_delivered(channel=POST, sent_on=posted) == deemed


def test_the_holiday_days_above_are_holidays_in_scotland_only() -> None:
    """The cases above test what they say only if these days are Scottish holidays and English and Welsh work days."""
    scotland_only = [date(2026, 1, 2), date(2026, 11, 30), date(2025, 12, 1), date(2026, 8, 3), date(2028, 1, 4)]
    for day in scotland_only:
        assert day in calendar.bank_holidays(day.year, "SCOTLAND"), day
        assert day not in calendar.bank_holidays(day.year, "ENGLAND"), day
        assert day not in calendar.bank_holidays(day.year, "WALES"), day
        assert day.weekday() < 5, day


@pytest.mark.parametrize(
    "sent_on",
    [date(2026, 11, 10), date(2026, 11, 7), date(2026, 12, 25), date(2026, 11, 30)],
    ids=["working-day", "saturday", "christmas-day", "st-andrews-day"],
)
def test_an_emailed_notice_is_deemed_delivered_the_day_it_is_sent(sent_on: date) -> None:
    assert post.deemed_delivered(channel=EMAIL, sent_on=sent_on) == sent_on


def test_a_letter_posted_on_a_day_off_counts_from_the_next_working_days() -> None:
    # Saturday 7 November 2026 -> Monday 9th (1), Tuesday 10th (2).
    assert post.deemed_delivered(channel=POST, sent_on=date(2026, 11, 7)) == date(2026, 11, 10)


def test_an_unknown_channel_has_no_deemed_delivery_date() -> None:
    with pytest.raises(ValueError, match="FAX"):
        post.deemed_delivered(channel="FAX", sent_on=date(2026, 11, 10))


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_a_posted_notice_lands_on_the_second_working_day_after_posting(posted: date) -> None:
    deemed = post.deemed_delivered(channel=POST, sent_on=posted)

    days_between = [posted + timedelta(days=n) for n in range(1, (deemed - posted).days + 1)]
    assert calendar.is_working_day(deemed)
    assert sum(calendar.is_working_day(day) for day in days_between) == 2
