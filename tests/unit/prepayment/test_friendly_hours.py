"""Friendly hours: the supply stays on without credit from 16:00 to 10:00 UK time, and all day at weekends and on
bank holidays of England, Scotland or Wales. Dates checked by hand against the 2026 calendar."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hearth.domain.prepayment import friendly_hours
from hearth.domain.prepayment.friendly_hours import SupplyState


@pytest.mark.parametrize(
    ("at", "friendly"),
    [
        # Tuesday 8 December 2026, GMT (UK time is UTC)
        (datetime(2026, 12, 8, 9, 59, 59, tzinfo=UTC), True),
        (datetime(2026, 12, 8, 10, 0, tzinfo=UTC), False),
        (datetime(2026, 12, 8, 15, 59, 59, tzinfo=UTC), False),
        (datetime(2026, 12, 8, 16, 0, tzinfo=UTC), True),
        (datetime(2026, 12, 8, 23, 30, tzinfo=UTC), True),
        # Wednesday 1 July 2026, BST: 09:00 UTC is 10:00 in the UK, 08:59 UTC is 09:59
        (datetime(2026, 7, 1, 8, 59, tzinfo=UTC), True),
        (datetime(2026, 7, 1, 9, 0, tzinfo=UTC), False),
        (datetime(2026, 7, 1, 15, 0, tzinfo=UTC), True),  # 16:00 BST
        # Saturday 12 December 2026 at noon
        (datetime(2026, 12, 12, 12, 0, tzinfo=UTC), True),
        # Christmas Day (Friday) and the Boxing Day substitute (Monday 28 December) at noon; Tuesday 29th is working
        (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), True),
        (datetime(2026, 12, 28, 12, 0, tzinfo=UTC), True),
        (datetime(2026, 12, 29, 12, 0, tzinfo=UTC), False),
        # St Andrew's Day, Monday 30 November 2026: a Scottish bank holiday counts everywhere
        (datetime(2026, 11, 30, 12, 0, tzinfo=UTC), True),
    ],
)
def test_friendly_hours_begin_at_4pm_end_at_10am_and_cover_weekends_and_bank_holidays(at, friendly):
    assert friendly_hours.in_friendly_hours(at) is friendly


def test_without_credit_the_supply_goes_off_only_outside_friendly_hours():
    working_noon = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    evening = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
    assert friendly_hours.supply_state(balance=Decimal("0.01"), at=working_noon) == SupplyState.ON
    assert friendly_hours.supply_state(balance=Decimal("0.00"), at=working_noon) == SupplyState.OFF
    assert friendly_hours.supply_state(balance=Decimal("-2.40"), at=evening) == SupplyState.FRIENDLY
