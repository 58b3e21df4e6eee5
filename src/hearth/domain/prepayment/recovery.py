"""How a top-up is shared out on the meter (T&C 10.1.1): plain values in, plain values out.

The order, and why (docs/prepayment.md):

1. **Emergency credit** still owed is repaid first: the meter lent it, and until it is repaid the customer has none
   to fall back on next time.
2. **Friendly-hours credit** (energy used after credit ran out in friendly hours, a balance below zero) is covered
   next, as ordinary credit: debt recovery never takes money the meter needs to put the supply back on.
3. **Debt recovery** takes the prepayment's ``recovery_percent`` of what is left, rounded **down** to the penny, and
   never more than is left of the week's cap or than is still owed.
4. The rest is credit.

So the recovered share is never more than the set share of the top-up, the week's cap or the debt, and the shares
add up to the top-up to the penny.

A **week** for the cap is a calendar week in UK time, from Monday 00:00 to the next Monday 00:00 (Europe/London):
the week a customer reads on their statement and the meter's own weekly recovery counter uses.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Final

from hearth.common.money import PENNY

HUNDRED: Final = Decimal(100)
ZERO: Final = Decimal("0.00")


@dataclass(frozen=True)
class TopUpShares:
    """Where a top-up went: emergency credit repaid, debt recovered, and credit (which covers friendly-hours use)."""

    emergency_repaid: Decimal
    debt_recovered: Decimal
    credited: Decimal


def share_top_up(
    *,
    amount: Decimal,
    emergency_owed: Decimal,
    friendly_owed: Decimal,
    recovery_percent: Decimal,
    weekly_cap_left: Decimal | None,
    debt_owed: Decimal,
) -> TopUpShares:
    """Share ``amount`` (pounds, whole pence, positive) out in the order of the module's docstring.

    ``friendly_owed`` is how far the balance is below zero; ``weekly_cap_left`` None means no weekly cap.
    """
    repaid = min(amount, max(emergency_owed, ZERO))
    rest = amount - repaid
    towards_debt = rest - min(rest, max(friendly_owed, ZERO))
    limits = [(towards_debt * recovery_percent / HUNDRED).quantize(PENNY, rounding=ROUND_DOWN), max(debt_owed, ZERO)]
    if weekly_cap_left is not None:
        limits.append(max(weekly_cap_left, ZERO))
    recovered = min(limits)
    return TopUpShares(
        emergency_repaid=repaid.quantize(PENNY), debt_recovered=recovered.quantize(PENNY), credited=rest - recovered
    )


def week_starting(day: date) -> date:
    """The Monday of the (Monday to Sunday) week ``day`` falls in: the week the recovery cap counts over."""
    return day - timedelta(days=day.weekday())
