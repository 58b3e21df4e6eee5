"""The demo's household moving out (T&C 13): Casey Brook, supplied since the start of the month, told us a few days
ago that they move out ten days from now; the move is recorded through ``contracts.moves.record_move_out`` with a
forwarding address, so the portal's moving-home page shows it and the daily job ends the supply on the day."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.contracts.models import HomeMove
from hearth.domain.contracts import moves
from hearth.domain.demo import households

MOVER_EMAIL: Final = "casey.brook@example.com"
MOVER_ACCOUNT: Final = "4000000041"
MOVER_MPAN: Final = "2000000041410"
"""Southern Electric's distributor (20: region H, as Reading), with a good check digit."""


def load_household_moving_out(*, now: datetime) -> HomeMove:
    """Casey Brook's electricity, supplied on the demo's SVT from the first of this month, moving out in ten days."""
    today = calendar.local_date(now)
    account = households.add_reading_household(
        households.ReadingHousehold(
            name="Casey Brook",
            email=MOVER_EMAIL,
            account_number=MOVER_ACCOUNT,
            mpan=MOVER_MPAN,
            address_line_1="5 Willow Close",
            postcode="RG2 7HB",
            meter_serial="E12C04141",
            opening_reading=Decimal("20417"),
            annual_kwh=Decimal("2900"),
        ),
        now=now,
    )
    return moves.record_move_out(
        account=account,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=now - timedelta(days=3),
        move_out_date=today + timedelta(days=10),
        forwarding_address=moves.Address(line_1="22 Kingsway", town="Cardiff", postcode="CF10 3DP", nation="WALES"),
    )
