"""Load the demo supplier: customers, accounts, meters, portal logins and a care-staff login.

Everything is fixed (numbers, addresses, passwords, the staff TOTP key) so the README can list it,
except the temporary password e-mailed to the not-yet-activated login, which waits in the outbox.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Final

from django.db import transaction

from hearth.common.calendar import LONDON
from hearth.data.accounts.models import Account, Customer, Fuel, Nation, SupplyPoint
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import AmrDevice, Meter, Register
from hearth.data.tariffs.models import MeterKind, PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries
from hearth.domain.tariffs import operations as tariff_ops
from hearth.domain.tariffs import queries as tariff_queries

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


# The demo's regions, by where its properties are (GSP groups, see hearth.data.tariffs.models): Reading is in
# Southern (_H), Edinburgh in South Scotland (_N), Cardiff in South Wales (_K). Gas uses the same letters.
READING, EDINBURGH, CARDIFF = "H", "N", "K"
DEMO_REGIONS: Final = (READING, EDINBURGH, CARDIFF)

# DOMAIN.md's demo prices (GB cap average, Direct Debit, VAT included), pence: (unit rate per kWh, standing charge
# per day). Every demo tariff uses them, in every region; they are stored excluding VAT.
DEMO_PRICES_INC_VAT: Final = {
    Fuel.ELECTRICITY: (Decimal("26.11"), Decimal("57.19")),
    Fuel.GAS: (Decimal("7.33"), Decimal("29.04")),
}
SVT_CODE, SVT_PREPAYMENT_CODE, FIXED_CODE = "HEARTH-SVT", "HEARTH-SVT-PP", "HEARTH-FIX-12M-26-04"


def _demo_tariffs(
    *, product: Product, payment_method: PaymentMethod, valid_from: datetime
) -> dict[tuple[str, str], Tariff]:
    """Single-rate electricity and gas tariffs of ``product`` in every demo region, keyed by (fuel, region)."""
    tariffs = {}
    for fuel, (unit, standing) in DEMO_PRICES_INC_VAT.items():
        for region in DEMO_REGIONS:
            tariffs[(str(fuel), region)] = tariff_ops.create_tariff(
                product=product,
                fuel=fuel,
                region=region,
                structure=Tariff.Structure.SINGLE_RATE,
                payment_method=payment_method,
                standing_charge_exc_vat=tariff_queries.exc_vat(standing, tariff_queries.DOMESTIC_VAT_RATE),
                unit_rates_exc_vat={UnitRate.STANDARD: tariff_queries.exc_vat(unit, tariff_queries.DOMESTIC_VAT_RATE)},
                valid_from=valid_from,
            )
    return tariffs


def _demo_products(*, start: datetime) -> dict[str, dict[tuple[str, str], Tariff]]:
    """A Standard Variable Tariff for credit, smart and AMR meters, one for prepayment meters (T&C 4.7), and a
    12-month fixed product, each with its tariffs; keyed by product code."""
    credit_methods = (PaymentMethod.DIRECT_DEBIT, PaymentMethod.ANNUAL_DIRECT_DEBIT, PaymentMethod.STANDARD_CREDIT)
    svt = tariff_ops.create_product(
        code=SVT_CODE,
        full_name="Hearth Standard Variable Tariff",
        display_name="Hearth Standard",
        description="Our Standard Variable Tariff: prices may change with at least 30 days' notice.",
        kind=Product.Kind.VARIABLE,
        available_from=start,
        is_standard_variable=True,
        payment_methods=credit_methods,
        meter_kinds=(MeterKind.CREDIT, MeterKind.SMART, MeterKind.AMR),
    )
    prepayment = tariff_ops.create_product(
        code=SVT_PREPAYMENT_CODE,
        full_name="Hearth Standard Variable Tariff (Prepayment)",
        display_name="Hearth Standard Prepayment",
        description="Our Standard Variable Tariff for prepayment meters.",
        kind=Product.Kind.VARIABLE,
        available_from=start,
        is_standard_variable=True,
        payment_methods=(PaymentMethod.PREPAYMENT,),
        meter_kinds=(MeterKind.PREPAYMENT,),
    )
    fixed = tariff_ops.create_product(
        code=FIXED_CODE,
        full_name="Hearth Fixed 12 Months April 2026",
        display_name="Hearth Fixed 12M",
        description="Prices fixed for 12 months from the start of your agreement.",
        kind=Product.Kind.FIXED,
        available_from=start,
        term_months=12,
        payment_methods=(PaymentMethod.DIRECT_DEBIT,),
        meter_kinds=(MeterKind.CREDIT, MeterKind.SMART),
        exit_fee_electricity=Decimal("50.00"),
        exit_fee_gas=Decimal("50.00"),
    )
    return {
        SVT_CODE: _demo_tariffs(product=svt, payment_method=PaymentMethod.DIRECT_DEBIT, valid_from=start),
        SVT_PREPAYMENT_CODE: _demo_tariffs(
            product=prepayment, payment_method=PaymentMethod.PREPAYMENT, valid_from=start
        ),
        FIXED_CODE: _demo_tariffs(product=fixed, payment_method=PaymentMethod.DIRECT_DEBIT, valid_from=start),
    }


def _place(supply_point: SupplyPoint, tariffs: dict[tuple[str, str], Tariff], region: str, start: datetime) -> None:
    tariff_ops.place_on_tariff(
        supply_point=supply_point, tariff=tariffs[(str(supply_point.fuel), region)], valid_from=start
    )


def demo_loaded() -> bool:
    return User.objects.filter(email=STAFF_EMAIL).exists()


@transaction.atomic
def load_demo_supplier(*, now: datetime) -> None:
    """Create the demo supplier's records (DEMO_LOGINS lists the logins). Call only on an empty database."""
    start = date(2026, 4, 1)
    start_at = datetime.combine(start, time(0), tzinfo=LONDON)
    products = _demo_products(start=start_at)

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
    home_electricity_meter = _single_rate_meter(
        supply_point_account=home_electricity,
        identifier="1200023305967",
        serial="22L4381920",
        kind=Meter.Kind.SMART,
        start=start,
        now=now,
    )
    home_gas_meter = _single_rate_meter(
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
    bakery_gas_meter = _single_rate_meter(
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
    flat_meter = _single_rate_meter(
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

    # Agreements from the supply start: the household fixed, the bakery and the flat on the Standard Variable Tariff.
    _place(home_electricity_meter.supply_point, products[FIXED_CODE], READING, start_at)
    _place(home_gas_meter.supply_point, products[FIXED_CODE], READING, start_at)
    _place(bakery_meter.supply_point, products[SVT_CODE], EDINBURGH, start_at)
    _place(bakery_gas_meter.supply_point, products[SVT_CODE], EDINBURGH, start_at)
    _place(flat_meter.supply_point, products[SVT_CODE], CARDIFF, start_at)

    identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Casey Care", password=STAFF_PASSWORD, now=now, totp_key=STAFF_TOTP_KEY
    )
