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
from hearth.data.accounts.models import Customer, Fuel, Nation
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.priority.models import Registration
from hearth.data.tariffs.models import PaymentMethod, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.demo import supplier
from hearth.domain.identity import operations as identity_ops
from hearth.domain.metering import readings as metering_readings
from hearth.domain.priority import operations as priority_ops
from hearth.domain.tariffs import contracts as contract_states

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
    start = today.replace(day=1)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Margaret Hughes", contact_email=PSR_EMAIL, now=now
    )
    home = accounts_ops.create_property(
        address_line_1="7 Primrose Terrace", town="Reading", postcode="RG4 5BN", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number=PSR_ACCOUNT
    )
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY,
        identifier=PSR_MPAN,
        supply_property=home,
        profile_class="01",
        annual_consumption_kwh=Decimal("3100"),
    )
    meter = accounts_ops.install_meter(
        supply_point=point,
        serial_number="E12C09191",
        kind=Meter.Kind.CREDIT,
        installed_at=calendar.day_starts_at(start) - timedelta(days=365),
        registers=[("S", Register.Rate.STANDARD)],
    )
    tariff = Tariff.objects.get(
        product__code=supplier.SVT_CODE, fuel=Fuel.ELECTRICITY, region="H", payment_method=PaymentMethod.DIRECT_DEBIT
    )
    signed_up = start - timedelta(days=21)
    contract = contract_states.enter_contract(
        account=account,
        product=tariff.product,
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=Contract.Origin.SIGN_UP,
        channel=Contract.Channel.CARE,
        commencement_date=signed_up,
        cooling_off_end_date=signed_up + timedelta(days=14),
        now=calendar.day_starts_at(signed_up) + timedelta(hours=9),
    )
    contract_states.start_supply(contract=contract, start_date=start, placements=[(point, tariff)], now=now)
    metering_readings.record_register_reading(
        register=meter.registers.get(),
        read_at=calendar.day_starts_at(start),
        value=Decimal("48210"),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.OPENING,
        received_at=calendar.day_starts_at(start),
    )
    supplier._activated_login(email=PSR_EMAIL, account=account, role=AccountLink.Role.HOLDER, now=now)
    identity_ops.create_staff_login(
        email=AGENT_EMAIL,
        full_name="Ash Agent",
        password=AGENT_PASSWORD,
        now=now,
        totp_key=supplier.STAFF_TOTP_KEY,
        care_role=User.CareRole.AGENT,
    )
    return priority_ops.register(
        customer=customer,
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
