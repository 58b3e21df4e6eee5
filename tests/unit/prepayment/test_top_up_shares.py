"""How a top-up is shared out (T&C 10.1.1): emergency credit first, then friendly-hours use, then debt recovery at
the set share within the week's cap, the rest credit. Expected figures are worked out by hand in each docstring."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hearth.domain.prepayment import recovery

PENNY = Decimal("0.01")


def shares(amount: str, *, emergency="0", friendly="0", percent="0", cap: str | None = None, debt="0"):
    return recovery.share_top_up(
        amount=Decimal(amount),
        emergency_owed=Decimal(emergency),
        friendly_owed=Decimal(friendly),
        recovery_percent=Decimal(percent),
        weekly_cap_left=None if cap is None else Decimal(cap),
        debt_owed=Decimal(debt),
    )


def test_a_top_up_smaller_than_the_emergency_credit_owed_all_goes_to_repay_it():
    """£5 against £10 of emergency credit: all £5 repays it; nothing towards the £50 debt, nothing credited."""
    assert shares("5.00", emergency="10.00", percent="25", debt="50.00") == recovery.TopUpShares(
        emergency_repaid=Decimal("5.00"), debt_recovered=Decimal("0.00"), credited=Decimal("0.00")
    )


def test_emergency_credit_then_friendly_use_are_covered_before_debt_is_recovered():
    """£20: £10 repays emergency credit; of the £10 left, £3 covers friendly-hours use (credit at -£3), and 25 % of
    the remaining £7 (£1.75) goes to the debt; credited £10 - £1.75 = £8.25."""
    assert shares("20.00", emergency="10.00", friendly="3.00", percent="25", debt="100.00") == recovery.TopUpShares(
        emergency_repaid=Decimal("10.00"), debt_recovered=Decimal("1.75"), credited=Decimal("8.25")
    )


def test_the_share_is_rounded_down_to_the_penny():
    """25 % of £10.01 is £2.5025: £2.50 is taken, never £2.51."""
    assert shares("10.01", percent="25", debt="100").debt_recovered == Decimal("2.50")


def test_recovery_stops_at_what_is_left_of_the_weeks_cap():
    """25 % of £40 is £10, but only £3.60 of the week's cap is left."""
    assert shares("40.00", percent="25", cap="3.60", debt="100").debt_recovered == Decimal("3.60")


def test_a_cap_already_used_up_takes_nothing():
    assert shares("40.00", percent="25", cap="0.00", debt="100").debt_recovered == Decimal("0.00")


def test_recovery_never_takes_more_than_is_owed():
    """25 % of £40 is £10; only £4.20 is owed."""
    assert shares("40.00", percent="25", debt="4.20") == recovery.TopUpShares(
        emergency_repaid=Decimal("0.00"), debt_recovered=Decimal("4.20"), credited=Decimal("35.80")
    )


def test_the_week_runs_monday_to_sunday():
    """Monday 7 December 2026 starts the week of Sunday 13 December; Monday 14 December starts the next."""
    assert recovery.week_starting(date(2026, 12, 13)) == date(2026, 12, 7)
    assert recovery.week_starting(date(2026, 12, 7)) == date(2026, 12, 7)
    assert recovery.week_starting(date(2026, 12, 14)) == date(2026, 12, 14)


def pounds(high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=0, max_value=high).map(lambda pence: Decimal(pence) * PENNY)


@given(
    amount=st.integers(min_value=1, max_value=100_000).map(lambda pence: Decimal(pence) * PENNY),
    emergency=pounds(2_000),
    friendly=pounds(5_000),
    percent=st.integers(min_value=0, max_value=10_000).map(lambda hundredths: Decimal(hundredths) * PENNY),
    cap=st.none() | pounds(5_000),
    debt=pounds(100_000),
)
def test_recovery_never_exceeds_the_share_the_cap_or_the_debt_and_the_shares_add_up(
    amount, emergency, friendly, percent, cap, debt
):
    got = recovery.share_top_up(
        amount=amount,
        emergency_owed=emergency,
        friendly_owed=friendly,
        recovery_percent=percent,
        weekly_cap_left=cap,
        debt_owed=debt,
    )
    assert got.emergency_repaid + got.debt_recovered + got.credited == amount  # to the penny
    assert min(got.emergency_repaid, got.debt_recovered, got.credited) >= 0
    assert got.debt_recovered * 100 <= amount * percent  # never more than the set share of the top-up
    assert got.debt_recovered <= debt
    assert cap is None or got.debt_recovered <= cap
    assert got.emergency_repaid == min(amount, emergency)
    for part in (got.emergency_repaid, got.debt_recovered, got.credited):
        assert part == part.quantize(PENNY)
