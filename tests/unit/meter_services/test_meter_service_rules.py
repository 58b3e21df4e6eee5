"""The numbers of meter work on their boundaries: accuracy tolerances (T&C 11.1.1) and the two working days' notice
of a cancelled engineer visit (11.1.8). Expected dates are worked out by hand from the bank holiday lists."""

from datetime import date
from decimal import Decimal

import pytest

from hearth.common import calendar
from hearth.domain.meter_services import rules


@pytest.mark.parametrize(
    ("fuel", "error", "accurate"),
    [
        ("ELECTRICITY", "2.50", True),
        ("ELECTRICITY", "2.51", False),
        ("ELECTRICITY", "-3.50", True),
        ("ELECTRICITY", "-3.51", False),
        ("ELECTRICITY", "0.00", True),
        ("ELECTRICITY", "-2.51", True),  # under-recording up to 3.5 % is allowed for electricity
        ("GAS", "2.00", True),
        ("GAS", "2.01", False),
        ("GAS", "-2.00", True),
        ("GAS", "-2.01", False),
        ("GAS", "-3.50", False),
    ],
)
def test_accuracy_test_tolerance_includes_its_boundaries(fuel: str, error: str, accurate: bool) -> None:
    assert rules.within_tolerance(fuel=fuel, error_percent=Decimal(error)) is accurate


def test_prices_are_shown_with_vat_at_twenty_per_cent() -> None:
    assert rules.with_vat(Decimal("50.00")) == Decimal("60.00")
    assert rules.with_vat(Decimal("70.00")) == Decimal("84.00")
    assert rules.with_vat(Decimal("0.03")) == Decimal("0.04")  # 3.6p rounds half-up to 4p


@pytest.mark.parametrize(
    ("visit", "last_free"),
    [
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March are bank holidays everywhere.
        (date(2027, 3, 30), date(2027, 3, 24)),  # Tue: Thu 25 is the 1st working day before, Wed 24 the 2nd
        (date(2027, 3, 31), date(2027, 3, 25)),  # Wed: Tue 30 the 1st, then back over Mon 29, the weekend, Fri 26
        (date(2027, 4, 1), date(2027, 3, 30)),  # Thu: Wed 31, Tue 30
        # St Andrew's Day, Monday 30 November 2026, is a bank holiday in Scotland only: still not a working day.
        (date(2026, 12, 2), date(2026, 11, 27)),  # Wed: Tue 1 Dec the 1st, back over Mon 30 and the weekend to Fri 27
        # Scotland's summer bank holiday, Monday 2 August 2027 (England's is 30 August).
        (date(2027, 8, 4), date(2027, 7, 30)),
        (date(2027, 1, 5), date(2026, 12, 30)),  # Tue 5 Jan: back over Mon 4 (Scotland), Fri 1; Thu 31 Dec, Wed 30
    ],
)
def test_the_last_free_day_to_cancel_is_the_second_working_day_before_the_visit(visit: date, last_free: date) -> None:
    assert rules.last_free_cancellation_date(visit) == last_free


@pytest.mark.parametrize(
    ("told_on", "in_time"),
    [
        (date(2027, 3, 23), True),
        (date(2027, 3, 24), True),  # the last free day itself
        (date(2027, 3, 25), False),  # Thursday before Easter: only one working day's notice
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
    ],
)
def test_cancelling_a_visit_on_tuesday_after_easter_2027(told_on: date, in_time: bool) -> None:
    assert rules.notice_in_time(told_on=told_on, visit_date=date(2027, 3, 30)) is in_time


@pytest.mark.parametrize(
    ("told_on", "in_time"),
    [
        (date(2026, 11, 27), True),
        (date(2026, 11, 28), False),
        (date(2026, 11, 30), False),  # an English-only reckoning would count St Andrew's Day and call this in time
    ],
)
def test_a_scottish_bank_holiday_counts_against_the_notice(told_on: date, in_time: bool) -> None:
    assert rules.notice_in_time(told_on=told_on, visit_date=date(2026, 12, 2)) is in_time


def test_working_day_before_counts_back_without_the_day_itself() -> None:
    assert calendar.working_day_before(date(2026, 12, 9), 2) == date(2026, 12, 7)
    assert calendar.working_day_before(date(2026, 12, 7), 1) == date(2026, 12, 4)  # Monday: back to Friday
    with pytest.raises(ValueError, match="at least one"):
        calendar.working_day_before(date(2026, 12, 9), 0)
