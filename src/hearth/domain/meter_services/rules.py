"""The numbers of meter work, as plain values: accuracy tolerances (11.1.1), the two working days' notice of a
cancelled visit (11.1.8) and prices shown with VAT.

**Tolerance** (Ofgem's meter accuracy limits, DOMAIN.md): a meter's error is how much more (+) or less (-) it records
than the energy that passed through it, in per cent to two decimal places. Electricity is within tolerance from
-3.50 % to +2.50 %, gas from -2.00 % to +2.00 %, **both ends included**: +2.50 is within (the test is charged), +2.51
is not (the meter is replaced and the test is free).

**Notice** (11.1.8, "at least two working days' notice"): a visit on day V may be cancelled or moved free of charge
up to the end of the second working day before V, V itself not counted (as a move-out's notice in 13.1). A visit on
Tuesday 30 March 2027, after Easter: Monday 29 (Easter Monday), the weekend and Friday 26 (Good Friday) are not
working days, so Thursday 25 is the first working day before and Wednesday 24 March the second: cancelled on
Wednesday 24, free; on Thursday 25, the £70 charge.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.common.money import to_pennies
from hearth.data.accounts.models import Fuel

VAT_RATE: Final = Decimal("0.20")
"""VAT on meter tests, repairs, moves and missed appointments: the standard rate (DOMAIN.md), as billing charges it."""

NOTICE_WORKING_DAYS: Final = 2
"""11.1.8: cancel or move a visit at least two working days before it, or pay the meter operator's charge."""


@dataclass(frozen=True)
class Tolerance:
    """How far a meter may over-record (``over``, positive) or under-record (``under``, negative), ends included."""

    over: Decimal
    under: Decimal

    def allows(self, error_percent: Decimal) -> bool:
        return self.under <= error_percent <= self.over

    def __str__(self) -> str:
        return f"+{self.over} % to {self.under} %"


TOLERANCES: Final = {
    Fuel.ELECTRICITY: Tolerance(over=Decimal("2.50"), under=Decimal("-3.50")),
    Fuel.GAS: Tolerance(over=Decimal("2.00"), under=Decimal("-2.00")),
}


def within_tolerance(*, fuel: str, error_percent: Decimal) -> bool:
    """Whether a meter of ``fuel`` that records ``error_percent`` too much (negative: too little) is accurate."""
    return TOLERANCES[Fuel(fuel)].allows(error_percent)


def with_vat(price: Decimal) -> Decimal:
    """A price excluding VAT as the customer pays it, VAT at 20 % rounded to the penny."""
    return to_pennies(price * (1 + VAT_RATE))


def last_free_cancellation_date(visit_date: date) -> date:
    """The last day a visit on ``visit_date`` can be cancelled or moved without the missed-appointment charge."""
    return calendar.working_day_before(visit_date, NOTICE_WORKING_DAYS)


def notice_in_time(*, told_on: date, visit_date: date) -> bool:
    """Whether telling us on ``told_on`` (London date) gives at least two working days' notice of the visit."""
    return told_on <= last_free_cancellation_date(visit_date)
