"""The demo's Priority Services Register household (T&C 20.4): Margaret Hughes, of pensionable age, on oxygen at
night and home from hospital, registered by care on her word with consent to share with her network operator, a
sealed health note and a password for visits. Her electricity is on the demo's SVT since the start of the month.

The demo has two care logins to show who sees health details (ADR 0019): ``care@hearth.example`` is in the
vulnerability team (made by the supplier loader); ``agent@hearth.example``, made here, is a care agent who sees the
needs but not the health details. Both use the demo's TOTP key, so ``hearth demo_otp`` gives either's code.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import User
from hearth.data.priority.models import Registration
from hearth.domain.demo import households, supplier
from hearth.domain.identity import operations as identity_ops
from hearth.domain.priority import operations as priority_ops

PSR_EMAIL: Final = "margaret.hughes@example.com"
PSR_ACCOUNT: Final = "9000000091"
PSR_MPAN: Final = "2000000091918"
"""Southern Electric's distributor (20: region H, as Reading), with a good check digit."""
AGENT_EMAIL: Final = "agent@hearth.example"
AGENT_PASSWORD: Final = "AgentConsole2026"
VISIT_PASSWORD: Final = "bluebell"


def load_priority_household(*, now: datetime) -> Registration:
    """Margaret Hughes's electricity and her registration; the care agent login without the health-details role."""
    today = calendar.local_date(now)
    account = households.add_reading_household(
        households.ReadingHousehold(
            name="Margaret Hughes",
            email=PSR_EMAIL,
            account_number=PSR_ACCOUNT,
            mpan=PSR_MPAN,
            address_line_1="7 Primrose Terrace",
            postcode="RG4 5BN",
            meter_serial="E12C09191",
            opening_reading=Decimal("48210"),
            annual_kwh=Decimal("3100"),
            channel=Contract.Channel.CARE,
        ),
        now=now,
    )
    identity_ops.create_staff_login(
        email=AGENT_EMAIL,
        full_name="Ash Agent",
        password=AGENT_PASSWORD,
        now=now,
        totp_key=supplier.STAFF_TOTP_KEY,
        care_role=User.CareRole.AGENT,
    )
    return priority_ops.register(
        customer=account.customer,
        needs=["14", "26", "33"],
        needs_until={"33": today + timedelta(days=60)},
        consent=True,
        share_consent=True,
        consent_note="On the phone to care when she joined",
        health_details="COPD; uses an oxygen concentrator overnight. Discharged from hospital last week.",
        visit_password=VISIT_PASSWORD,
        source=Registration.Source.CARE,
        actor=User.objects.get(email=supplier.STAFF_EMAIL),
        now=now,
    )
