"""When a mover's contract ends (T&C 13.1, 13.2), on the boundary days, worked out by hand.

13.1: told on or before the second working day before the move-out day (that day not counted) → the contract ends on
the move-out day. 13.2: told later → two working days after the day told, never before the move-out day; told by the
new occupier → their move-in day. A working day is not a weekend nor a bank holiday in England, Scotland or Wales.
"""

from datetime import date

import pytest

from hearth.data.contracts.models import HomeMove
from hearth.domain.contracts import moves

CUSTOMER, NEW_OCCUPIER = HomeMove.ToldBy.CUSTOMER, HomeMove.ToldBy.NEW_OCCUPIER


def end(told_on: date, move_out: date, told_by: str = CUSTOMER, move_in: date | None = None) -> date:
    return moves.contract_end_date(
        told_by=told_by, told_on=told_on, move_out_date=move_out, new_occupier_move_in_date=move_in
    )


def test_two_working_days_before_ends_on_the_move_out_day_and_one_is_late() -> None:
    # Moving out on Wednesday 9 December 2026: Tuesday 8th is one working day before, Monday 7th two.
    assert moves.second_working_day_before(date(2026, 12, 9)) == date(2026, 12, 7)
    assert end(date(2026, 12, 7), date(2026, 12, 9)) == date(2026, 12, 9)
    # Told on Tuesday 8th: late; two working days after it are Wednesday 9th and Thursday 10th.
    assert end(date(2026, 12, 8), date(2026, 12, 9)) == date(2026, 12, 10)


def test_a_weekend_move_counts_back_over_the_weekend() -> None:
    # Moving out on Saturday 12 December 2026: Friday 11th is one working day before, Thursday 10th two.
    assert end(date(2026, 12, 10), date(2026, 12, 12)) == date(2026, 12, 12)
    # Told on Friday 11th: late; two working days after it are Monday 14th and Tuesday 15th.
    assert end(date(2026, 12, 11), date(2026, 12, 12)) == date(2026, 12, 15)


def test_told_after_moving_ends_two_working_days_after_being_told() -> None:
    # Moved out on Wednesday 9 December 2026, told on Friday 11th: Monday 14th and Tuesday 15th are the two.
    assert end(date(2026, 12, 11), date(2026, 12, 9)) == date(2026, 12, 15)
    # Told on Thursday 24 December 2026: Friday 25th and Monday 28th (Boxing Day's substitute) are holidays, so
    # Tuesday 29th and Wednesday 30th.
    assert end(date(2026, 12, 24), date(2026, 12, 20)) == date(2026, 12, 30)


def test_the_new_occupier_telling_us_ends_it_on_their_move_in_day() -> None:
    # The new occupier calls on Friday 11 December 2026 and moved in on Thursday 10th.
    assert end(date(2026, 12, 11), date(2026, 12, 10), NEW_OCCUPIER, date(2026, 12, 10)) == date(2026, 12, 10)
    # Without a move-in day it is two working days after the call: Monday 14th, Tuesday 15th.
    assert end(date(2026, 12, 11), date(2026, 12, 10), NEW_OCCUPIER) == date(2026, 12, 15)


def test_over_easter_good_friday_and_easter_monday_do_not_count() -> None:
    # Moving out on Tuesday 30 March 2027. Counting back: Monday 29th is Easter Monday, Sunday 28th Easter Day,
    # Saturday 27th, Friday 26th Good Friday, so Thursday 25th is one working day before and Wednesday 24th two.
    assert moves.second_working_day_before(date(2027, 3, 30)) == date(2027, 3, 24)
    assert end(date(2027, 3, 24), date(2027, 3, 30)) == date(2027, 3, 30)
    # Told on Thursday 25th: late; after it Good Friday, the weekend and Easter Monday do not count, so Tuesday 30th
    # is the first working day and Wednesday 31 March the second.
    assert not moves.told_in_time(told_on=date(2027, 3, 25), move_out_date=date(2027, 3, 30))
    assert end(date(2027, 3, 25), date(2027, 3, 30)) == date(2027, 3, 31)


@pytest.mark.parametrize(
    ("move_out", "in_time_by", "late_on", "late_end"),
    [
        # Scotland's 2 January: moving out on Tuesday 6 January 2026, Monday 5th is one working day before; Friday
        # 2nd (Scotland) and Thursday 1st (New Year's Day) are holidays; Wednesday 31 December 2025 is two. Told on
        # Monday 5th: Tuesday 6th, Wednesday 7th.
        (date(2026, 1, 6), date(2025, 12, 31), date(2026, 1, 2), date(2026, 1, 6)),
        # St Andrew's Day, Monday 30 November 2026 (Scotland): moving out Wednesday 2 December, Tuesday 1st is one
        # working day before, Friday 27 November two. Told on St Andrew's Day: Tuesday 1st, Wednesday 2nd.
        (date(2026, 12, 2), date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 2)),
        # Scotland's summer holiday, Monday 3 August 2026: moving out Wednesday 5 August, Tuesday 4th is one,
        # Friday 31 July two. Told on Monday 3rd: Tuesday 4th, Wednesday 5th.
        (date(2026, 8, 5), date(2026, 7, 31), date(2026, 8, 3), date(2026, 8, 5)),
        # England and Wales's summer holiday, Monday 31 August 2026: moving out Wednesday 2 September, Tuesday 1st is
        # one, Friday 28 August two. Told on Monday 31st: Tuesday 1st, Wednesday 2nd.
        (date(2026, 9, 2), date(2026, 8, 28), date(2026, 8, 31), date(2026, 9, 2)),
    ],
)
def test_each_nations_bank_holidays_are_not_working_days(
    move_out: date, in_time_by: date, late_on: date, late_end: date
) -> None:
    assert moves.second_working_day_before(move_out) == in_time_by
    assert end(in_time_by, move_out) == move_out
    assert not moves.told_in_time(told_on=late_on, move_out_date=move_out)
    assert end(late_on, move_out) == late_end


def test_scotlands_2_january_told_on_the_5th_ends_two_working_days_later() -> None:
    # Told on Monday 5 January 2026 for Tuesday 6th: Tuesday 6th and Wednesday 7th are the two working days.
    assert end(date(2026, 1, 5), date(2026, 1, 6)) == date(2026, 1, 7)
