"""Friendly hours: when a prepayment meter that has run out of credit keeps the supply on (docs/prepayment.md).

The hours chosen, in UK time (Europe/London), are **from 16:00 to 10:00 the next morning, and all day on Saturdays,
Sundays and bank holidays** (England, Scotland or Wales, as ``hearth.common.calendar`` counts them): the only time
outside them is 10:00 to 16:00 on a working day. Why: that is when customer care and the shops that sell top-ups
are open and a customer can top up, while evenings, nights, weekends and holidays are when they cannot — and when a
household without heat or light is most at risk. The energy used then is taken from the next top-up as ordinary
credit (``recovery``), before any debt recovery.
"""

import enum
from datetime import datetime, time
from decimal import Decimal
from typing import Final

from hearth.common import calendar

UNFRIENDLY_FROM: Final = time(10, 0)
"""On a working day, a meter without credit may go off from 10:00 UK time..."""
UNFRIENDLY_UNTIL: Final = time(16, 0)
"""...until 16:00, when friendly hours begin again."""


def in_friendly_hours(at: datetime) -> bool:
    """Whether ``at`` (aware) falls in friendly hours, read in UK time."""
    local = at.astimezone(calendar.LONDON)
    if not calendar.is_working_day(local.date()):
        return True
    return not (UNFRIENDLY_FROM <= local.time() < UNFRIENDLY_UNTIL)


class SupplyState(enum.StrEnum):
    """What the meter does with the supply at a moment, given its credit."""

    ON = "ON"
    FRIENDLY = "FRIENDLY"
    OFF = "OFF"


SUPPLY_WORDS: Final = {
    SupplyState.ON: "On",
    SupplyState.FRIENDLY: "On in friendly hours: your credit has run out, so top up before 10am on the next "
    "working day",
    SupplyState.OFF: "Off until you top up: your credit has run out",
}


def supply_state(*, balance: Decimal, at: datetime) -> SupplyState:
    """On while there is credit (emergency credit included); without it, on only in friendly hours."""
    if balance > 0:
        return SupplyState.ON
    return SupplyState.FRIENDLY if in_friendly_hours(at) else SupplyState.OFF
