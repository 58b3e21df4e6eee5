"""Load the demo supplier: customers, accounts, meters, portal logins and a care-staff login.

Everything is fixed (numbers, addresses, passwords, the staff TOTP key) so the README can list it,
except the temporary password e-mailed to the not-yet-activated login, which waits in the outbox.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import AmrDevice, Meter, Register
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries

DEMO_PASSWORD = "HearthDemo2026"
STAFF_EMAIL = "care@hearth.example"
STAFF_PASSWORD = "CareConsole2026"
# Demo only: a fixed TOTP secret so the README can say how to get codes (`hearth demo_otp`).
STAFF_TOTP_KEY = "3132333435363738393031323334353637383930"
SECURITY_ANSWER = "Hearth Primary"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    description: str


DEMO_LOGINS = [
    DemoLogin("alex.morgan@example.com", DEMO_PASSWORD, "household, dual fuel, smart meters: one login, two accounts"),
    DemoLogin("owner@brightwell.example", DEMO_PASSWORD, "business account holder: gas and electricity, AMR device"),
    DemoLogin("finance@brightwell.example", DEMO_PASSWORD, "business: authorised person"),
    DemoLogin("office@brightwell.example", DEMO_PASSWORD, "business: viewer"),
    DemoLogin("sam.patel@example.com", "(temporary password in the outbox e-mail)", "not yet activated"),
    DemoLogin(STAFF_EMAIL, STAFF_PASSWORD, "care console at /care/ — code from `hearth demo_otp`"),
]


def _activated_login(*, email: str, account: Account, role: AccountLink.Role, now: datetime) -> None:
    """A login that has already walked activation, so the demo can sign straight in."""
    user = User.objects.create_user(email, DEMO_PASSWORD, kind=User.Kind.CUSTOMER)
    identity_ops.link_account(user=user, account=account, role=role, actor=None, now=now)
    identity_ops.accept_conditions(user=user, version=identity_queries.current_conditions().version, now=now)
    identity_ops.set_security_answer(
        user=user, question=User.SecurityQuestion.FIRST_SCHOOL, answer=SECURITY_ANSWER, now=now
    )
    identity_ops.record_sign_in(user=user, now=now)


def _single_rate_meter(
    *, supply_point_account: Account, identifier: str, serial: str, kind: Meter.Kind, start: date, now: datetime
) -> Meter:
    supply_point = accounts_ops.add_supply_point(
        account=supply_point_account,
        identifier=identifier,
        supply_property=supply_point_account.billing_property,
        supply_start_date=start,
        profile_class="01" if supply_point_account.fuel == Fuel.ELECTRICITY else "",
    )
    is_gas = supply_point_account.fuel == Fuel.GAS
    return accounts_ops.install_meter(
        supply_point=supply_point,
        serial_number=serial,
        kind=kind,
        installed_at=now,
        registers=[("S" if not is_gas else "G", Register.Rate.STANDARD)],
        gas_units=Meter.GasUnits.METRIC if is_gas else None,
    )


def demo_loaded() -> bool:
    return User.objects.filter(email=STAFF_EMAIL).exists()


@transaction.atomic
def load_demo_supplier(*, now: datetime) -> None:
    """Create the demo supplier's records (DEMO_LOGINS lists the logins). Call only on an empty database."""
    start = date(2026, 4, 1)

    household = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Alex Morgan", contact_email="alex.morgan@example.com", now=now
    )
    home = accounts_ops.create_property(
        address_line_1="12 Orchard Lane", town="Reading", postcode="RG1 7AB", nation=Nation.ENGLAND
    )
    home_electricity = accounts_ops.open_account(
        customer=household, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number="1000000011"
    )
    home_gas = accounts_ops.open_account(
        customer=household, fuel=Fuel.GAS, billing_property=home, now=now, number="1000000012"
    )
    _single_rate_meter(
        supply_point_account=home_electricity,
        identifier="1200023305967",
        serial="22L4381920",
        kind=Meter.Kind.SMART,
        start=start,
        now=now,
    )
    _single_rate_meter(
        supply_point_account=home_gas,
        identifier="3938424403",
        serial="G4A0087612",
        kind=Meter.Kind.SMART,
        start=start,
        now=now,
    )
    _activated_login(email="alex.morgan@example.com", account=home_electricity, role=AccountLink.Role.HOLDER, now=now)
    alex = User.objects.get(email="alex.morgan@example.com")
    identity_ops.link_account(user=alex, account=home_gas, role=AccountLink.Role.HOLDER, actor=None, now=now)

    bakery = accounts_ops.create_customer(
        kind=Customer.Kind.ORGANISATION,
        name="Brightwell Bakery Ltd",
        contact_email="accounts@brightwell.example",
        now=now,
    )
    bakehouse = accounts_ops.create_property(
        address_line_1="Unit 4, Mill Yard", town="Edinburgh", postcode="EH6 6QU", nation=Nation.SCOTLAND
    )
    bakery_electricity = accounts_ops.open_account(
        customer=bakery, fuel=Fuel.ELECTRICITY, billing_property=bakehouse, now=now, number="2000000021"
    )
    bakery_gas = accounts_ops.open_account(
        customer=bakery, fuel=Fuel.GAS, billing_property=bakehouse, now=now, number="2000000022"
    )
    bakery_meter = _single_rate_meter(
        supply_point_account=bakery_electricity,
        identifier="1030051828896",
        serial="E10BG50331",
        kind=Meter.Kind.AMR,
        start=start,
        now=now,
    )
    _single_rate_meter(
        supply_point_account=bakery_gas,
        identifier="7412345678",
        serial="G0021198",
        kind=Meter.Kind.CREDIT,
        start=start,
        now=now,
    )
    accounts_ops.fit_amr_device(
        meter=bakery_meter,
        serial_number="AMR-00042",
        sim_phone_number="+447700900042",
        pulse_weight=Decimal("0.01"),
        unit=AmrDevice.Unit.KWH,
        installed_at=now,
    )
    for email, role in [
        ("owner@brightwell.example", AccountLink.Role.HOLDER),
        ("finance@brightwell.example", AccountLink.Role.AUTHORISED),
        ("office@brightwell.example", AccountLink.Role.VIEWER),
    ]:
        _activated_login(email=email, account=bakery_electricity, role=role, now=now)
        identity_ops.link_account(
            user=User.objects.get(email=email), account=bakery_gas, role=role, actor=None, now=now
        )

    newcomer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Sam Patel", contact_email="sam.patel@example.com", now=now
    )
    flat = accounts_ops.create_property(
        address_line_1="Flat 3, 40 Castle Street", town="Cardiff", postcode="CF10 1BT", nation=Nation.WALES
    )
    flat_electricity = accounts_ops.open_account(
        customer=newcomer, fuel=Fuel.ELECTRICITY, billing_property=flat, now=now, number="3000000031"
    )
    _single_rate_meter(
        supply_point_account=flat_electricity,
        identifier="1312345678907",
        serial="K99A12345",
        kind=Meter.Kind.CREDIT,
        start=start,
        now=now,
    )
    identity_ops.create_portal_login(
        account=flat_electricity, email="sam.patel@example.com", role=AccountLink.Role.HOLDER, actor=None, now=now
    )

    identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Casey Care", password=STAFF_PASSWORD, now=now, totp_key=STAFF_TOTP_KEY
    )
