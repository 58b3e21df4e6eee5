"""The demo's household switching to us (T&C 5): Riley Shaw signed up eight days before the demo's day, the switch
was sent and accepted with a start date four days after it, so ``/care/switching/`` shows real messages and a switch
under way, and Riley's portal shows a contract waiting to start.

Everything goes through the domain: the contract (``tariffs.contracts.enter_contract``), the switch
(``contracts.registrations.open_gain``), the request written to the outbox and the service's acceptance read from an
inbox file by the file adapter (``contracts.switching_flow``), as the daily job does.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import AccountLink
from hearth.data.metering.models import Meter, Register
from hearth.data.tariffs.models import Product
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.contracts import registrations, switching_flow
from hearth.domain.contracts.switching import FileSwitching, Message
from hearth.domain.payments import schedule as payment_schedule
from hearth.domain.tariffs import contracts as contract_states

EMAIL: Final = "riley.shaw@example.com"
ACCOUNT_NUMBER: Final = "5000000051"
MPAN: Final = "2000044123457"
"""An MPAN core of the Southern distributor (20, region H), as Reading is; its check digit is right."""

SIGNED_UP_DAYS_AGO: Final = 8
STARTS_IN_DAYS: Final = 4


def load_switching_household(*, product: Product, activate: Callable[..., None], now: datetime) -> Account:
    """Riley Shaw's electricity account, switching to ``product``; ``activate`` makes the demo's activated portal
    login (``supplier._activated_login``)."""
    signed_up_on = calendar.local_date(now) - timedelta(days=SIGNED_UP_DAYS_AGO)
    signed_up_at = calendar.day_starts_at(signed_up_on) + timedelta(hours=19)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Riley Shaw", contact_email=EMAIL, now=signed_up_at
    )
    home = accounts_ops.create_property(
        address_line_1="7 Kennet Walk", town="Reading", postcode="RG1 3JF", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=signed_up_at, number=ACCOUNT_NUMBER
    )
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY,
        identifier=MPAN,
        supply_property=home,
        profile_class="01",
        annual_consumption_kwh=Decimal("2900"),
    )
    accounts_ops.install_meter(
        supply_point=point,
        serial_number="19M0554213",
        kind=Meter.Kind.CREDIT,
        installed_at=calendar.day_starts_at(signed_up_on) - timedelta(days=900),
        registers=[("S", Register.Rate.STANDARD)],
    )
    cooling_off_end = payment_schedule.cooling_off_ends(signed_up_on)
    contract = contract_states.enter_contract(
        account=account,
        product=product,
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=Contract.Origin.SIGN_UP,
        channel=Contract.Channel.WEB,
        commencement_date=signed_up_on,
        cooling_off_end_date=cooling_off_end,
        now=signed_up_at,
        supply_requested_early=True,
    )
    registration = registrations.open_gain(
        contract=contract,
        supply_point=point,
        requested_start_date=registrations.switch_start_date(
            commencement_date=signed_up_on, cooling_off_end_date=cooling_off_end, early=True
        ),
        now=signed_up_at,
        other_supplier="BGAS",
    )
    activate(email=EMAIL, account=account, role=AccountLink.Role.HOLDER, now=signed_up_at)
    service = FileSwitching()
    switching_flow.send_owed(service, now=signed_up_at + timedelta(hours=12))
    answered_at = now - timedelta(days=2)
    starts_on = calendar.local_date(now) + timedelta(days=STARTS_IN_DAYS)
    service.drop_in_inbox(
        f"CSS-{answered_at:%Y%m%d}-0001.txt",
        [Message("REGISTRATION_ACCEPTED", registration.reference, MPAN, starts_on)],
        now=answered_at,
    )
    switching_flow.receive_all(service, now=answered_at)
    return account
