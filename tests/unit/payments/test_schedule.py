"""Direct Debit schedules (T&C 9.1, 9.4, 12.2, 22.3 and the Direct Debit Guarantee) on their boundary days.

Collection days here are Bacs processing days: weekdays that are not bank holidays in England and Wales, built from
the ``holidays`` package. Notice periods count T&C working days, which also leave out Scotland's holidays. Each
expected date was worked out by hand from the calendar; the comment beside it counts the days. Holidays used:
2026: Mon 30 Nov St Andrew's Day (Scotland only), Fri 25 Dec, Sat 26 Dec with its substitute Mon 28 Dec.
2027: Fri 1 Jan, Sat 2 Jan (Scotland only) with its substitute Mon 4 Jan, Good Friday 26 Mar, Easter Monday 29 Mar
(England and Wales), Mon 3 May. 2028 is a leap year (29 Feb is a Tuesday).
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import calendar
from hearth.domain.payments import schedule
from hearth.domain.payments.schedule import ScheduleRefused

_ENGLAND_AND_WALES = holidays.country_holidays("GB", subdiv="ENG")


def is_collection_day(day: date) -> bool:
    """A Bacs processing day: a weekday that is not an England-and-Wales bank holiday."""
    return day.weekday() < 5 and day not in _ENGLAND_AND_WALES


def months_from(first: date, count: int) -> list[date]:
    months = [first.replace(day=1)]
    while len(months) < count:
        months.append(calendar.next_month_start(months[-1]))
    return months


days_2026_to_2030 = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))
payment_days = st.integers(min_value=1, max_value=28)
pennies = st.decimals(min_value=0, max_value=5000, places=2)


def test_the_calendars_of_these_tests_match_the_published_holidays() -> None:
    # The fixtures below rely on these: Scotland's holidays are working-day holidays but collection days.
    assert not is_collection_day(date(2026, 12, 28))  # Boxing Day substitute
    assert not is_collection_day(date(2027, 3, 29))  # Easter Monday
    for scottish_only in (date(2026, 11, 30), date(2027, 1, 4)):  # St Andrew's Day; substitute for 2 January
        assert is_collection_day(scottish_only)
        assert not calendar.is_working_day(scottish_only)


# 1. Standard monthly amount (T&C 9.4.1, 9.4.4)


@pytest.mark.parametrize(
    ("annual_cost", "balance", "months", "expected"),
    [
        ("1200.00", "0.00", 12, "100.00"),  # 1200 / 12 = 100 exactly: nothing to round
        ("1000.00", "0.00", 12, "83.34"),  # 83.333... rounded up, not down to 83.33
        ("1000.01", "0.00", 12, "83.34"),  # 83.334166...
        ("1200.00", "120.00", 12, "110.00"),  # owes 120: 100 + 120 / 12
        ("1200.00", "-60.00", 12, "95.00"),  # 60 in credit: 100 - 60 / 12
        ("1200.00", "60.00", 6, "110.00"),  # a debt of 60 recovered over 6 months: 100 + 60 / 6
        ("1200.00", "-1200.00", 12, "0.00"),  # a year's credit: nothing to collect
        ("600.00", "-900.00", 12, "0.00"),  # 50 - 75 would be negative: never below zero
        ("14.75", "-3.71", 12, "0.92"),  # owes 11.04 = 12 x 0.92 exactly: not rounded up to 0.93
    ],
)
def test_standard_monthly_amount_covers_the_year_and_the_balance(
    annual_cost: str, balance: str, months: int, expected: str
) -> None:
    amount = schedule.standard_monthly_amount(annual_cost=Decimal(annual_cost), balance=Decimal(balance), months=months)
    assert amount == Decimal(expected)
    assert amount.as_tuple().exponent == -2


@given(annual_cost=pennies, balance=st.decimals(min_value=-3000, max_value=3000, places=2))
def test_standard_monthly_amount_twelve_collections_cover_the_cost_by_less_than_twelve_pence(
    annual_cost: Decimal, balance: Decimal
) -> None:
    amount = schedule.standard_monthly_amount(annual_cost=annual_cost, balance=balance)
    owed = annual_cost + balance
    if owed <= 0:
        assert amount == 0
    else:
        assert owed <= 12 * amount < owed + Decimal("0.12")


def test_standard_monthly_amount_refuses_a_negative_cost_or_no_months() -> None:
    with pytest.raises(ScheduleRefused, match="annual cost cannot be negative"):
        schedule.standard_monthly_amount(annual_cost=Decimal("-1"), balance=Decimal(0))
    with pytest.raises(ScheduleRefused, match="at least one month"):
        schedule.standard_monthly_amount(annual_cost=Decimal(100), balance=Decimal(0), months=0)


# 2. Seasonal Direct Debit (T&C 9.1.2)


def test_seasonal_winter_is_raised_and_summer_lowered_by_the_percentage() -> None:
    months = months_from(date(2026, 10, 1), 12)  # October 2026 to September 2027
    amounts = schedule.seasonal_amounts(standard=Decimal("100.00"), percent=20, months=months)
    # October-March: 100 + 20 % = 120; April-September: 100 - 20 % = 80.
    assert amounts == [Decimal("120.00")] * 6 + [Decimal("80.00")] * 6
    assert sum(amounts) == Decimal("1200.00")


def test_seasonal_year_adds_up_to_twelve_standard_months_despite_rounding() -> None:
    months = months_from(date(2027, 1, 1), 12)
    amounts = schedule.seasonal_amounts(standard=Decimal("83.34"), percent=15, months=months)
    # Winter 83.34 x 1.15 = 95.841 -> 95.84. Summer exactly 83.34 x 0.85 = 70.839 -> 70.84, which is also
    # 2 x 83.34 - 95.84. Year: 6 x 95.84 + 6 x 70.84 = 575.04 + 425.04 = 1000.08 = 12 x 83.34.
    by_month = dict(zip((month.month for month in months), amounts, strict=True))
    assert by_month[1] == by_month[3] == by_month[10] == by_month[12] == Decimal("95.84")
    assert by_month[4] == by_month[9] == Decimal("70.84")
    assert sum(amounts) == Decimal("1000.08")


def test_seasonal_half_penny_tie_keeps_the_year_exact_and_no_month_negative() -> None:
    months = months_from(date(2027, 4, 1), 12)
    amounts = schedule.seasonal_amounts(standard=Decimal("0.03"), percent=50, months=months)
    # Winter 0.045 -> 0.05 (half up); summer 0.06 - 0.05 = 0.01; year 6 x 0.05 + 6 x 0.01 = 0.36 = 12 x 0.03.
    assert set(amounts) == {Decimal("0.05"), Decimal("0.01")}
    assert sum(amounts) == Decimal("0.36")


def test_seasonal_nought_percent_is_the_standard_amount() -> None:
    months = months_from(date(2026, 7, 1), 12)
    assert schedule.seasonal_amounts(standard=Decimal("64.10"), percent=0, months=months) == [Decimal("64.10")] * 12


def test_seasonal_fifty_percent_is_the_most_allowed() -> None:
    amounts = schedule.seasonal_amounts(standard=Decimal("90.00"), percent=50, months=[date(2027, 1, 1)])
    assert amounts == [Decimal("135.00")]
    for percent in (51, -1):
        with pytest.raises(ScheduleRefused, match=f"from 0 % to 50 %.*{percent} % was asked"):
            schedule.seasonal_amounts(standard=Decimal("90.00"), percent=percent, months=[date(2027, 1, 1)])


def test_seasonal_refuses_a_standard_amount_in_fractions_of_a_penny() -> None:
    with pytest.raises(ScheduleRefused, match="whole pennies"):
        schedule.seasonal_amounts(standard=Decimal("90.005"), percent=10, months=[date(2027, 1, 1)])


@given(
    standard=pennies,
    percent=st.integers(min_value=0, max_value=50),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2035, 12, 1)),
    length=st.integers(min_value=12, max_value=36),
)
def test_seasonal_any_twelve_consecutive_months_collect_twelve_standard_months(
    standard: Decimal, percent: int, start: date, length: int
) -> None:
    months = months_from(start, length)
    amounts = schedule.seasonal_amounts(standard=standard, percent=percent, months=months)
    for first in range(length - 11):
        assert sum(amounts[first : first + 12]) == 12 * standard
    share = Decimal(percent) / 100
    for month, amount in zip(months, amounts, strict=True):
        exact = standard * (1 + share if month.month in (10, 11, 12, 1, 2, 3) else 1 - share)
        assert amount >= 0
        assert abs(amount - exact) <= Decimal("0.005")


# 3. Initial Direct Debit (T&C 9.1.5)


@pytest.mark.parametrize(
    ("signed_up", "payment_day", "expected"),
    [
        pytest.param(
            date(2026, 12, 4),
            1,
            # Signed up Fri 4 Dec 2026. Day 16 = Sun 20 Dec -> Mon 21 Dec.
            # Days 22-42 = Sat 26 Dec - Fri 15 Jan; the 1st in it: Fri 1 Jan (New Year) -> Sat, Sun -> Mon 4 Jan
            # (a holiday in Scotland only: still a collection day).
            # Third: a 1st on or after 4 Jan + 14 = 18 Jan: Mon 1 Feb; then Mon 1 Mar, Thu 1 Apr.
            [date(2026, 12, 21), date(2027, 1, 4), date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 1)],
            id="christmas-new-year-payment-day-in-window",
        ),
        pytest.param(
            date(2026, 12, 4),
            20,
            # Signed up Fri 4 Dec 2026. Day 16 -> Mon 21 Dec. Days 22-42 = 26 Dec - 15 Jan hold no 20th, so day 22:
            # Sat 26 Dec -> Sun 27, Mon 28 (Boxing Day substitute) -> Tue 29 Dec.
            # Third: a 20th on or after 29 Dec + 14 = 12 Jan: Wed 20 Jan; Sat 20 Feb -> Mon 22 Feb;
            # Sat 20 Mar -> Mon 22 Mar.
            [date(2026, 12, 21), date(2026, 12, 29), date(2027, 1, 20), date(2027, 2, 22), date(2027, 3, 22)],
            id="christmas-no-payment-day-in-window",
        ),
        pytest.param(
            date(2027, 3, 10),
            5,
            # Signed up Wed 10 Mar 2027. Day 16 = Fri 26 Mar (Good Friday) -> Sat, Sun, Mon 29 (Easter Monday)
            # -> Tue 30 Mar. Days 22-42 = Thu 1 Apr - Wed 21 Apr; the 5th: Mon 5 Apr.
            # Third: a 5th on or after 5 Apr + 14 = 19 Apr: Wed 5 May (after the Mon 3 May holiday).
            [date(2027, 3, 30), date(2027, 4, 5), date(2027, 5, 5)],
            id="easter-2027",
        ),
        pytest.param(
            date(2027, 1, 15),
            28,
            # Signed up Fri 15 Jan 2027. Day 16 = Sun 31 Jan -> Mon 1 Feb.
            # Days 22-42 = Sat 6 Feb - Fri 26 Feb: 28 Jan is before, 28 Feb after, so day 22: Sat 6 Feb -> Mon 8 Feb.
            # Third: a 28th on or after 8 Feb + 14 = 22 Feb: Sun 28 Feb -> Mon 1 Mar;
            # then Sun 28 Mar -> Mon 29 Mar (Easter Monday) -> Tue 30 Mar.
            [date(2027, 2, 1), date(2027, 2, 8), date(2027, 3, 1), date(2027, 3, 30)],
            id="31-january-and-end-of-february",
        ),
        pytest.param(
            date(2028, 1, 31),
            28,
            # Signed up Mon 31 Jan 2028 (leap year). Day 16 = Wed 16 Feb.
            # Days 22-42 = Tue 22 Feb - Mon 13 Mar (29 days in February); the 28th: Mon 28 Feb.
            # Third: a 28th on or after 28 Feb + 14 = 13 Mar: Tue 28 Mar; then Fri 28 Apr.
            [date(2028, 2, 16), date(2028, 2, 28), date(2028, 3, 28), date(2028, 4, 28)],
            id="signed-up-31-january-leap-year",
        ),
        pytest.param(
            date(2028, 2, 13),
            26,
            # Signed up Sun 13 Feb 2028. Day 16 = Tue 29 Feb (leap day).
            # Days 22-42 = Mon 6 Mar - Sun 26 Mar; the 26th is day 42, a Sunday. The next collection day, Mon 27 Mar,
            # would be day 43, so the collection day before: Fri 24 Mar.
            # Third: a 26th on or after 24 Mar + 14 = 7 Apr: Wed 26 Apr; then Fri 26 May.
            [date(2028, 2, 29), date(2028, 3, 24), date(2028, 4, 26), date(2028, 5, 26)],
            id="day-42-on-a-sunday-goes-back-to-friday",
        ),
        pytest.param(
            date(2026, 12, 1),
            12,
            # Signed up Tue 1 Dec 2026. Day 16 = Thu 17 Dec. Days 22-42 = Wed 23 Dec - Tue 12 Jan; the 12th is day 42,
            # a Tuesday: collected on day 42 itself. Third: a 12th on or after 26 Jan: Fri 12 Feb.
            [date(2026, 12, 17), date(2027, 1, 12), date(2027, 2, 12)],
            id="day-42-is-in-the-window",
        ),
        pytest.param(
            date(2026, 12, 1),
            13,
            # Signed up Tue 1 Dec 2026. 13 Jan would be day 43, outside the window, so day 22: Wed 23 Dec.
            # Third: a 13th on or after 23 Dec + 14 = 6 Jan: Wed 13 Jan.
            [date(2026, 12, 17), date(2026, 12, 23), date(2027, 1, 13)],
            id="day-43-is-not",
        ),
    ],
)
def test_initial_collection_is_day_16_then_days_22_to_42_then_the_payment_day(
    signed_up: date, payment_day: int, expected: list[date]
) -> None:
    dates = schedule.initial_collection_dates(
        signed_up=signed_up, payment_day=payment_day, count=len(expected), is_collection_day=is_collection_day
    )
    assert dates == expected


def test_initial_third_collection_is_at_least_14_days_after_the_second() -> None:
    # With real holidays the window's 21 days keep the third well clear of the second; a long closure (here a
    # made-up one from Tue 23 Mar to Fri 2 Apr 2027) shows the rule. Signed up Mon 1 Mar 2027: day 16 = Wed 17 Mar.
    # Days 22-42 = Tue 23 Mar - Mon 12 Apr hold no 13th (13 Apr is day 43), so day 22, closed -> Mon 5 Apr (day 35).
    # The 13th after it, Tue 13 Apr, is only 8 days later: the third is Thu 13 May (on or after 5 Apr + 14 = 19 Apr).
    def closed_for_eleven_days(day: date) -> bool:
        return is_collection_day(day) and not date(2027, 3, 23) <= day <= date(2027, 4, 2)

    dates = schedule.initial_collection_dates(
        signed_up=date(2027, 3, 1), payment_day=13, count=3, is_collection_day=closed_for_eleven_days
    )
    assert dates == [date(2027, 3, 17), date(2027, 4, 5), date(2027, 5, 13)]


def test_initial_collection_count_limits_the_dates() -> None:
    # Signed up Fri 4 Dec 2026, payment day 1: Mon 21 Dec, Mon 4 Jan (worked out above).
    def first(count: int) -> list[date]:
        return schedule.initial_collection_dates(
            signed_up=date(2026, 12, 4), payment_day=1, count=count, is_collection_day=is_collection_day
        )

    assert first(0) == []
    assert first(1) == [date(2026, 12, 21)]
    assert first(2) == [date(2026, 12, 21), date(2027, 1, 4)]


@pytest.mark.parametrize("payment_day", [0, 29, 31])
def test_initial_collection_refuses_a_payment_day_outside_1_to_28(payment_day: int) -> None:
    with pytest.raises(ScheduleRefused, match=f"1st to the 28th.*{payment_day} was asked"):
        schedule.initial_collection_dates(
            signed_up=date(2027, 1, 4), payment_day=payment_day, count=3, is_collection_day=is_collection_day
        )


def test_a_calendar_without_collection_days_is_refused() -> None:
    with pytest.raises(ScheduleRefused, match="no collection day within 14 days"):
        schedule.initial_collection_dates(
            signed_up=date(2027, 1, 4), payment_day=1, count=3, is_collection_day=lambda day: False
        )


@given(signed_up=days_2026_to_2030, payment_day=payment_days)
def test_initial_collection_dates_keep_every_rule(signed_up: date, payment_day: int) -> None:
    dates = schedule.initial_collection_dates(
        signed_up=signed_up, payment_day=payment_day, count=6, is_collection_day=is_collection_day
    )
    day = {n: signed_up + timedelta(days=n) for n in (16, 22, 42)}
    assert all(is_collection_day(collection) for collection in dates)
    assert dates == sorted(set(dates))
    assert day[16] <= dates[0] < day[16] + timedelta(days=5)
    assert day[22] <= dates[1] <= day[42]
    assert dates[2] >= dates[1] + timedelta(days=14)
    for collection in dates[2:]:
        # On the payment day, or the first collection day after it.
        due = collection.replace(day=payment_day) if collection.day >= payment_day else None
        if due is None:  # moved into the next month
            due = (collection.replace(day=1) - timedelta(days=1)).replace(day=payment_day)
        assert all(not is_collection_day(due + timedelta(days=n)) for n in range((collection - due).days))


# 4. Standard and seasonal monthly collections


def test_monthly_collections_move_to_the_next_collection_day() -> None:
    dates = schedule.monthly_collection_dates(
        first_on_or_after=date(2026, 11, 29), payment_day=28, count=4, is_collection_day=is_collection_day
    )
    # Mon 28 Dec 2026 (Boxing Day substitute) -> Tue 29 Dec; Thu 28 Jan; Sun 28 Feb -> Mon 1 Mar;
    # Sun 28 Mar -> Mon 29 Mar (Easter Monday) -> Tue 30 Mar.
    assert dates == [date(2026, 12, 29), date(2027, 1, 28), date(2027, 3, 1), date(2027, 3, 30)]


def test_monthly_collections_start_on_the_payment_day_itself() -> None:
    dates = schedule.monthly_collection_dates(
        first_on_or_after=date(2027, 1, 15), payment_day=15, count=3, is_collection_day=is_collection_day
    )
    # Fri 15 Jan 2027, Mon 15 Feb, Mon 15 Mar.
    assert dates == [date(2027, 1, 15), date(2027, 2, 15), date(2027, 3, 15)]


def test_monthly_collections_refuse_a_negative_count() -> None:
    with pytest.raises(ScheduleRefused, match="cannot be negative"):
        schedule.monthly_collection_dates(
            first_on_or_after=date(2027, 1, 15), payment_day=15, count=-1, is_collection_day=is_collection_day
        )


@given(first_on_or_after=days_2026_to_2030, payment_day=payment_days)
def test_monthly_collections_are_collection_days_one_a_month(first_on_or_after: date, payment_day: int) -> None:
    dates = schedule.monthly_collection_dates(
        first_on_or_after=first_on_or_after, payment_day=payment_day, count=13, is_collection_day=is_collection_day
    )
    assert all(is_collection_day(collection) for collection in dates)
    assert dates[0] >= first_on_or_after
    assert dates[0] - first_on_or_after < timedelta(days=31 + 5)
    for earlier, later in itertools.pairwise(dates):
        assert timedelta(days=28 - 5) <= later - earlier <= timedelta(days=31 + 5)


# 5. Advance notice (the Direct Debit Guarantee, T&C 22.3)


def test_posted_notice_over_christmas_allows_collection_ten_working_days_after_delivery() -> None:
    # Posted Fri 18 Dec 2026: deemed delivered Mon 21 (1), Tue 22 Dec (2).
    # Then Wed 23 (1), Thu 24 (2), [Fri 25, Sat 26, Sun 27, Mon 28 Boxing Day substitute], Tue 29 (3), Wed 30 (4),
    # Thu 31 (5), [Fri 1 Jan, Sat 2, Sun 3, Mon 4 Scottish substitute for 2 Jan], Tue 5 (6), Wed 6 (7), Thu 7 (8),
    # Fri 8 (9), [weekend], Mon 11 Jan 2027 (10).
    assert schedule.earliest_collection_after_notice(notice_sent=date(2026, 12, 18), by_post=True) == date(2027, 1, 11)


def test_emailed_notice_counts_from_the_day_it_is_sent() -> None:
    # E-mailed Fri 18 Dec 2026, delivered that day. Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu 24 (4),
    # [25-28 Dec], Tue 29 (5), Wed 30 (6), Thu 31 (7), [1-4 Jan], Tue 5 (8), Wed 6 (9), Thu 7 Jan 2027 (10).
    assert schedule.earliest_collection_after_notice(notice_sent=date(2026, 12, 18), by_post=False) == date(2027, 1, 7)


def test_scottish_holiday_lengthens_notice_but_is_a_collection_day() -> None:
    # E-mailed Mon 16 Nov 2026: Tue 17 (1), Wed 18 (2), Thu 19 (3), Fri 20 (4), Mon 23 (5), Tue 24 (6),
    # Wed 25 (7), Thu 26 (8), Fri 27 (9), [Mon 30 Nov St Andrew's Day, Scotland], Tue 1 Dec (10).
    earliest = schedule.earliest_collection_after_notice(notice_sent=date(2026, 11, 16), by_post=False)
    assert earliest == date(2026, 12, 1)
    # Mon 30 Nov is a Bacs day, but the notice does not allow it.
    assert is_collection_day(date(2026, 11, 30))
    allowed = schedule.first_date_allowed(
        wanted=date(2026, 11, 30), notice_sent=date(2026, 11, 16), by_post=False, is_collection_day=is_collection_day
    )
    assert allowed == date(2026, 12, 1)


def test_first_date_allowed_is_the_wanted_day_when_notice_is_long_enough() -> None:
    # E-mailed 18 Dec 2026 allows Thu 7 Jan 2027; wanted Sat 16 Jan -> Mon 18 Jan.
    allowed = schedule.first_date_allowed(
        wanted=date(2027, 1, 16), notice_sent=date(2026, 12, 18), by_post=False, is_collection_day=is_collection_day
    )
    assert allowed == date(2027, 1, 18)


def test_first_date_allowed_waits_for_the_notice() -> None:
    # Posted 18 Dec 2026 allows Mon 11 Jan 2027; wanted Mon 4 Jan is too soon.
    allowed = schedule.first_date_allowed(
        wanted=date(2027, 1, 4), notice_sent=date(2026, 12, 18), by_post=True, is_collection_day=is_collection_day
    )
    assert allowed == date(2027, 1, 11)


@given(wanted=days_2026_to_2030, notice_sent=days_2026_to_2030, by_post=st.booleans())
def test_first_date_allowed_is_a_collection_day_after_ten_working_days_notice(
    wanted: date, notice_sent: date, by_post: bool
) -> None:
    allowed = schedule.first_date_allowed(
        wanted=wanted, notice_sent=notice_sent, by_post=by_post, is_collection_day=is_collection_day
    )
    assert is_collection_day(allowed)
    assert allowed >= wanted
    delivered = calendar.add_working_days(notice_sent, 2) if by_post else notice_sent
    working_days_between = sum(
        calendar.is_working_day(delivered + timedelta(days=n)) for n in range(1, (allowed - delivered).days + 1)
    )
    assert working_days_between >= 10


# 6. Changing the payment day (T&C 9.1.6)


@pytest.mark.parametrize(("payments_taken", "allowed"), [(0, False), (1, False), (2, True), (3, True)])
def test_payment_day_can_change_from_the_third_payment(payments_taken: int, allowed: bool) -> None:
    assert schedule.payment_day_change_allowed(payments_taken=payments_taken) is allowed


def test_payment_day_change_refusal_says_why() -> None:
    assert "third payment" in schedule.PAYMENT_DAY_CHANGE_REFUSED
    assert "9.1.6" in schedule.PAYMENT_DAY_CHANGE_REFUSED
    with pytest.raises(ScheduleRefused, match="cannot be negative"):
        schedule.payment_day_change_allowed(payments_taken=-1)


# 7. Annual payment and cooling-off (T&C 9.1.3, 9.1.4, 9.2.1)


def test_annual_amount_is_the_term_cost_to_the_penny() -> None:
    assert schedule.annual_amount(term_cost=Decimal("1234.565")) == Decimal("1234.57")
    assert schedule.annual_amount(term_cost=Decimal("1234.5649")) == Decimal("1234.56")
    with pytest.raises(ScheduleRefused, match="cannot be negative"):
        schedule.annual_amount(term_cost=Decimal("-0.01"))


@pytest.mark.parametrize(
    ("commencement", "last_day"),
    [
        (date(2027, 3, 1), date(2027, 3, 15)),  # 1 Mar not counted: 2 Mar (1) ... 15 Mar (14)
        (date(2026, 12, 17), date(2026, 12, 31)),  # 18 Dec (1) ... 31 Dec (14): holidays count, calendar days
        (date(2028, 2, 15), date(2028, 2, 29)),  # leap year: 16 Feb (1) ... 29 Feb (14)
        (date(2027, 2, 15), date(2027, 3, 1)),  # 16 Feb (1) ... 28 Feb (13), 1 Mar (14)
    ],
)
def test_cooling_off_ends_fourteen_days_after_commencement(commencement: date, last_day: date) -> None:
    assert schedule.cooling_off_ends(commencement) == last_day
    assert schedule.annual_due_date(commencement=commencement) == last_day


# 8. Refunds (T&C 12.2)


@pytest.mark.parametrize(
    ("credit", "monthly", "paid", "kept"),
    [
        ("150.00", "100.00", "50.00", "100.00"),  # credit less one month's Direct Debit
        ("100.00", "100.00", "0.00", "100.00"),  # exactly one month: nothing to pay
        ("80.00", "100.00", "0.00", "80.00"),  # less than a month: never negative
        ("0.00", "100.00", "0.00", "0.00"),
        ("150.00", None, "150.00", "0.00"),  # not paying by Direct Debit: all of it
    ],
)
def test_refund_keeps_back_one_months_direct_debit(credit: str, monthly: str | None, paid: str, kept: str) -> None:
    result = schedule.refund_amount(
        credit=Decimal(credit), monthly_direct_debit=None if monthly is None else Decimal(monthly)
    )
    assert result == (Decimal(paid), Decimal(kept))


@given(credit=pennies, monthly=st.none() | pennies)
def test_refund_paid_and_kept_add_up_to_the_credit(credit: Decimal, monthly: Decimal | None) -> None:
    paid, kept = schedule.refund_amount(credit=credit, monthly_direct_debit=monthly)
    assert paid >= 0
    assert kept >= 0
    assert paid + kept == credit


def test_refund_refuses_a_negative_credit() -> None:
    with pytest.raises(ScheduleRefused, match="credit to refund cannot be negative"):
        schedule.refund_amount(credit=Decimal("-5.00"), monthly_direct_debit=None)


# 9. Six-monthly review (T&C 9.4.4)


@pytest.mark.parametrize(
    ("current", "recommended", "changed"),
    [
        ("100.00", "105.00", False),  # £5.00 is not more than £5
        ("100.00", "110.00", False),  # £10.00 is not more than 10 % of £100
        ("100.00", "110.01", True),  # £10.01: more than both
        ("100.00", "89.99", True),  # down by £10.01
        ("100.00", "90.00", False),
        ("30.00", "35.00", False),  # 10 % is £3, but £5.00 is not more than £5
        ("30.00", "35.01", True),  # £5.01: more than £5 and more than £3
        ("0.00", "5.01", True),  # no Direct Debit yet: the £5 threshold alone
        ("0.00", "5.00", False),
    ],
)
def test_review_changes_the_amount_only_beyond_five_pounds_and_ten_percent(
    current: str, recommended: str, changed: bool
) -> None:
    outcome = schedule.review_outcome(current=Decimal(current), recommended=Decimal(recommended))
    assert outcome.changed is changed
    assert outcome.new_amount == Decimal(recommended if changed else current)
    assert f"£{current}" in outcome.reason


def test_review_reason_says_which_way_and_how_much() -> None:
    outcome = schedule.review_outcome(current=Decimal("100.00"), recommended=Decimal("125.00"))
    assert outcome.reason.startswith("The Direct Debit goes up from £100.00 to £125.00")
    assert "£25.00" in outcome.reason
    kept = schedule.review_outcome(current=Decimal("100.00"), recommended=Decimal("104.00"))
    assert kept.reason.startswith("The Direct Debit stays at £100.00")


# 10. The Direct Debit simulator

_COSTS_2027 = [
    (date(2027, month, 1), Decimal(cost))
    for month, cost in enumerate(["150", "130", "110", "80", "60", "50", "45", "45", "55", "90", "120", "145"], start=1)
]
"""A year of costs heavier in winter: 1,080 in all, 90 a month on average."""


def test_simulator_standard_direct_debit_month_by_month() -> None:
    months = schedule.simulate_year(
        monthly_costs=_COSTS_2027,
        opening_balance=Decimal("0.00"),
        method="STANDARD_DIRECT_DEBIT",
        standard=Decimal("90.00"),
        seasonal_percent=0,
        annual_amount=Decimal("0.00"),
    )
    # Balance: +150-90=60, +130-90=100, +110-90=120, +80-90=110, +60-90=80, +50-90=40, +45-90=-5, -50,
    # +55-90=-85, +90-90=-85, +120-90=-55, +145-90=0.
    assert [month.collection for month in months] == [Decimal("90.00")] * 12
    assert [month.balance_after for month in months] == [
        Decimal(v) for v in ["60", "100", "120", "110", "80", "40", "-5", "-50", "-85", "-85", "-55", "0"]
    ]


def test_simulator_seasonal_direct_debit_follows_the_seasons() -> None:
    months = schedule.simulate_year(
        monthly_costs=_COSTS_2027,
        opening_balance=Decimal("0.00"),
        method="SEASONAL_DIRECT_DEBIT",
        standard=Decimal("90.00"),
        seasonal_percent=20,
        annual_amount=Decimal("0.00"),
    )
    # Winter 90 + 20 % = 108 (Jan-Mar, Oct-Dec), summer 72 (Apr-Sep).
    # Balance: 150-108=42, +22=64, +2=66, +8=74, -12=62, -22=40, -27=13, -27=-14, -17=-31, -18=-49, +12=-37, +37=0.
    assert [month.collection for month in months] == [Decimal(108)] * 3 + [Decimal(72)] * 6 + [Decimal(108)] * 3
    assert [month.balance_after for month in months] == [
        Decimal(v) for v in ["42", "64", "66", "74", "62", "40", "13", "-14", "-31", "-49", "-37", "0"]
    ]


def test_simulator_annual_direct_debit_collects_once_in_the_first_month() -> None:
    months = schedule.simulate_year(
        monthly_costs=_COSTS_2027,
        opening_balance=Decimal("20.00"),
        method="ANNUAL_DIRECT_DEBIT",
        standard=Decimal("0.00"),
        seasonal_percent=0,
        annual_amount=Decimal("1080.00"),
    )
    # Owed 20 at the start: 20 + 150 - 1080 = -910 after January; year end 20 + 1080 - 1080 = 20.
    assert [month.collection for month in months] == [Decimal("1080.00")] + [Decimal("0.00")] * 11
    assert months[0].balance_after == Decimal("-910.00")
    assert months[-1].balance_after == Decimal("20.00")


def test_simulator_compares_only_the_direct_debit_methods() -> None:
    with pytest.raises(ScheduleRefused, match="'PREPAYMENT' is not one of them"):
        schedule.simulate_year(
            monthly_costs=_COSTS_2027,
            opening_balance=Decimal("0.00"),
            method="PREPAYMENT",
            standard=Decimal("90.00"),
            seasonal_percent=0,
            annual_amount=Decimal("0.00"),
        )


@given(
    costs=st.lists(pennies, min_size=1, max_size=24),
    opening=st.decimals(min_value=-500, max_value=500, places=2),
    method=st.sampled_from(["STANDARD_DIRECT_DEBIT", "SEASONAL_DIRECT_DEBIT", "ANNUAL_DIRECT_DEBIT"]),
    standard=pennies,
    percent=st.integers(min_value=0, max_value=50),
    annual=pennies,
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 1)),
)
def test_simulator_year_end_balance_is_opening_plus_costs_less_collections(
    costs: list[Decimal],
    opening: Decimal,
    method: str,
    standard: Decimal,
    percent: int,
    annual: Decimal,
    start: date,
) -> None:
    monthly_costs = list(zip(months_from(start, len(costs)), costs, strict=True))
    months = schedule.simulate_year(
        monthly_costs=monthly_costs,
        opening_balance=opening,
        method=method,
        standard=standard,
        seasonal_percent=percent,
        annual_amount=annual,
    )
    assert [month.month for month in months] == [month for month, _ in monthly_costs]
    assert [month.cost for month in months] == costs
    collected = sum(month.collection for month in months)
    assert months[-1].balance_after == opening + sum(costs) - collected
