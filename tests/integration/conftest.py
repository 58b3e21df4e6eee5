"""Shared set-up for the portal's integration tests: customers, accounts, meters and logins.

Records are made through the domain operations, the way care staff and the demo supplier
(`hearth.domain.demo.supplier`) make them, so a test sees what a real customer would.

What a test gets:

- ``build``: a :class:`Builder` making customers, accounts (with meters, AMR devices) and logins.
- ``household`` / ``business``: two ready-made customers, each with an electricity and a gas account.
- ``sign_in(client, email, password)``: posts the sign-in form as a person would.
- ``read_mail``: finds the temporary password and the links in the e-mails a customer received.
- ``remove_csrf``: a page's HTML with the per-request CSRF token taken out, to compare two answers.
- ``copy_database``: copies of the test database that another process can open (``database_copies.py``).
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.utils import timezone

from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import AmrDevice, Meter, Register
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries
from tests.integration.database_copies import copy_database  # noqa: F401 (a fixture, for every integration test)
from tests.support import Inbox

# A password that meets the portal's rules (8+ characters, a capital, letters and numbers).
PASSWORD = "Kettle4Lamp9"
SECURITY_ANSWER = "Hillside Primary"

_MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)


def _mpan_core(serial: int) -> str:
    """A well-formed MPAN core (distributor 23) for test data; the check digit as the MRA defines it."""
    first_twelve = f"23{serial:010d}"
    check = sum(int(d) * w for d, w in zip(first_twelve, _MPAN_WEIGHTS, strict=True)) % 11 % 10
    return f"{first_twelve}{check}"


@functools.cache
def _argon2_hash(password: str) -> str:
    """The real (Argon2id) hash of `password`, made once per test run: signing in still checks it for real."""
    return make_password(password)


@dataclass(frozen=True)
class Site:
    """A customer with an electricity and a gas account at one property."""

    customer: Customer
    electricity: Account
    gas: Account
    electricity_meter: Meter
    gas_meter: Meter


class Builder:
    """Records for one test, made through the domain operations."""

    def __init__(self) -> None:
        self._serials = count(1)

    @staticmethod
    def now() -> datetime:
        return timezone.now()

    def customer(self, *, name: str, email: str, kind: Customer.Kind = Customer.Kind.PERSON) -> Customer:
        return accounts_ops.create_customer(kind=kind, name=name, contact_email=email, now=self.now())

    def account(self, customer: Customer, *, fuel: Fuel, postcode: str = "LS1 4AP") -> Account:
        home = accounts_ops.create_property(
            address_line_1=f"{next(self._serials)} Mill Street", town="Leeds", postcode=postcode, nation=Nation.ENGLAND
        )
        return accounts_ops.open_account(customer=customer, fuel=fuel, billing_property=home, now=self.now())

    def meter(self, account: Account, *, kind: Meter.Kind) -> Meter:
        gas = account.fuel == Fuel.GAS
        serial = next(self._serials)
        supply_point = accounts_ops.add_supply_point(
            account=account,
            identifier=f"{9100000000 + serial}" if gas else _mpan_core(serial),
            supply_property=account.billing_property,
            supply_start_date=self.now().date(),
            profile_class="" if gas else "03",
        )
        return accounts_ops.install_meter(
            supply_point=supply_point,
            serial_number=f"M{serial:07d}",
            kind=kind,
            installed_at=self.now(),
            registers=[("G" if gas else "S", Register.Rate.STANDARD)],
            gas_units=Meter.GasUnits.METRIC if gas else None,
        )

    def amr_device(self, meter: Meter) -> AmrDevice:
        return accounts_ops.fit_amr_device(
            meter=meter,
            serial_number=f"AMR-{next(self._serials):05d}",
            sim_phone_number="+447700900123",
            pulse_weight=Decimal("0.01"),
            unit=AmrDevice.Unit.KWH,
            installed_at=self.now(),
        )

    def site(
        self,
        *,
        name: str,
        email: str,
        postcode: str,
        electricity_meter: Meter.Kind,
        gas_meter: Meter.Kind,
        kind: Customer.Kind = Customer.Kind.PERSON,
    ) -> Site:
        customer = self.customer(name=name, email=email, kind=kind)
        electricity = self.account(customer, fuel=Fuel.ELECTRICITY, postcode=postcode)
        gas = self.account(customer, fuel=Fuel.GAS, postcode=postcode)
        return Site(
            customer=customer,
            electricity=electricity,
            gas=gas,
            electricity_meter=self.meter(electricity, kind=electricity_meter),
            gas_meter=self.meter(gas, kind=gas_meter),
        )

    def new_login(self, account: Account, email: str, role: AccountLink.Role = AccountLink.Role.HOLDER) -> User:
        """A login as care staff create it: not activated, its login details e-mailed."""
        return identity_ops.create_portal_login(account=account, email=email, role=role, actor=None, now=self.now())

    def activated_login(
        self,
        email: str,
        *accounts: Account,
        password: str = PASSWORD,
        role: AccountLink.Role = AccountLink.Role.HOLDER,
    ) -> User:
        """A login that has already walked activation (as the demo supplier makes them)."""
        now = self.now()
        user = User.objects.create_user(email, kind=User.Kind.CUSTOMER)
        user.password = _argon2_hash(password)
        user.save(update_fields=["password"])
        for account in accounts:
            identity_ops.link_account(user=user, account=account, role=role, actor=None, now=now)
        identity_ops.accept_conditions(user=user, version=identity_queries.current_conditions().version, now=now)
        identity_ops.set_security_answer(
            user=user, question=User.SecurityQuestion.FIRST_SCHOOL, answer=SECURITY_ANSWER, now=now
        )
        identity_ops.record_sign_in(user=user, now=now)
        user.refresh_from_db()
        return user

    def staff_login(self, email: str, password: str) -> User:
        identity_ops.create_staff_login(email=email, full_name="Casey Care", password=password, now=self.now())
        return User.objects.get(email=email)


@pytest.fixture
def build(db: None) -> Builder:
    return Builder()


@pytest.fixture
def household(build: Builder) -> Site:
    """A household: smart electricity meter, ordinary (credit) gas meter, no AMR."""
    return build.site(
        name="Jo Bloggs",
        email="jo.bloggs@example.com",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.CREDIT,
    )


@pytest.fixture
def business(build: Builder) -> Site:
    """A business: an AMR device on its electricity meter, an ordinary gas meter."""
    site = build.site(
        name="Brightwell Bakery Ltd",
        email="accounts@brightwell.example",
        postcode="EH6 6QU",
        electricity_meter=Meter.Kind.AMR,
        gas_meter=Meter.Kind.CREDIT,
        kind=Customer.Kind.ORGANISATION,
    )
    build.amr_device(site.electricity_meter)
    return site


@pytest.fixture
def customer_login(build: Builder, household: Site) -> User:
    """An activated login, holder of the household's electricity and gas accounts, password PASSWORD."""
    return build.activated_login("jo.bloggs@example.com", household.electricity, household.gas)


def sign_in(client: Client, email: str, password: str, **extra: Any) -> Any:
    """Post the sign-in form as a person would (no redirect followed); returns the test client's response."""
    return client.post("/login/", {"username": email, "password": password}, **extra)


@pytest.fixture(name="sign_in")
def sign_in_fixture() -> Callable[..., Any]:
    return sign_in


@pytest.fixture
def signed_in(client: Client, customer_login: User) -> Client:
    """The test client, signed in as ``customer_login`` through the sign-in page."""
    response = sign_in(client, customer_login.email, PASSWORD)
    assert response.status_code == 302, "the fixture login could not sign in"
    return client


@pytest.fixture
def read_mail(mailoutbox: list[mail.EmailMessage]) -> Inbox:
    return Inbox(mailoutbox)


_CSRF_VALUE = re.compile(r'(csrfmiddlewaretoken" value=")[^"]*(")')


def remove_csrf(html: str) -> str:
    return _CSRF_VALUE.sub(r"\1\2", html)


@pytest.fixture(name="remove_csrf")
def remove_csrf_fixture() -> Callable[[str], str]:
    return remove_csrf


@pytest.fixture
def failure_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


@pytest.fixture
def password() -> str:
    """The password of ``customer_login`` (and of every login ``build.activated_login`` makes)."""
    return PASSWORD


@pytest.fixture
def security_answer() -> str:
    """The security answer every login ``build.activated_login`` makes has set."""
    return SECURITY_ANSWER
