"""The demo's household with an open complaint (T&C 20): Robin Hale rang two days before the demo's day about an
estimated bill; care recorded the call, the acknowledgement went by e-mail, and the clock runs: the response is due
5 working days after the call, and the Energy Ombudsman can be asked 8 weeks after it."""

from datetime import datetime, timedelta
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Customer, Fuel, Nation
from hearth.data.complaints.models import Complaint
from hearth.data.identity.models import AccountLink, User
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.complaints import operations as complaints_ops
from hearth.domain.demo import supplier

COMPLAINANT_EMAIL: Final = "robin.hale@example.com"
COMPLAINANT_ACCOUNT: Final = "8000000081"


def load_household_with_a_complaint(*, now: datetime) -> Complaint:
    """Robin Hale's electricity account, its login, and the complaint care recorded from a call two days ago."""
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Robin Hale", contact_email=COMPLAINANT_EMAIL, now=now
    )
    home = accounts_ops.create_property(
        address_line_1="27 Elm Road", town="Reading", postcode="RG1 5PL", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number=COMPLAINANT_ACCOUNT
    )
    supplier._activated_login(email=COMPLAINANT_EMAIL, account=account, role=AccountLink.Role.HOLDER, now=now)
    agent = User.objects.get(email=supplier.STAFF_EMAIL)
    called_at = min(calendar.day_starts_at(calendar.local_date(now) - timedelta(days=2)) + timedelta(hours=11), now)
    complaint = complaints_ops.raise_complaint(
        account=account,
        channel=Complaint.Channel.PHONE,
        summary="Estimated bill although I sent a reading",
        description=(
            "Robin rang to say last month's bill was estimated although they gave a meter reading online two days "
            "before the bill date. They want the bill reissued on the actual reading."
        ),
        received_at=called_at,
        raised_by=agent,
        now=called_at,
    )
    complaints_ops.add_note(
        complaint=complaint,
        text="Asked metering to check why the customer's reading was not used.",
        actor=agent,
        now=called_at + timedelta(minutes=20),
    )
    return complaint
