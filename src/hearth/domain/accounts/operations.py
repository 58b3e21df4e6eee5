"""Create and change customers, properties, accounts and their supply points and meters."""

import secrets
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from hearth.common import identifiers
from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Property, Supply, SupplyPoint
from hearth.data.metering.models import AmrDevice, Meter, Register


class InvalidSupplyPoint(Exception):
    """The supply point cannot be added; the message says which check failed."""


def create_customer(
    *, kind: Customer.Kind, name: str, contact_email: str, contact_phone: str = "", now: datetime
) -> Customer:
    """Create a customer record (without any login: see identity.operations.create_customer_with_login)."""
    return Customer.objects.create(
        kind=kind,
        name=name.strip(),
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone,
        created_at=now,
    )


def create_property(
    *,
    address_line_1: str,
    town: str,
    postcode: str,
    nation: Nation,
    address_line_2: str = "",
    address_line_3: str = "",
    county: str = "",
) -> Property:
    """Create a property; the postcode is validated and normalised (raises InvalidIdentifier)."""
    return Property.objects.create(
        address_line_1=address_line_1,
        address_line_2=address_line_2,
        address_line_3=address_line_3,
        town=town,
        county=county,
        postcode=identifiers.normalise_postcode(postcode),
        nation=nation,
    )


def _new_account_number() -> str:
    """Ten digits, random so numbers reveal nothing about how many customers there are."""
    while True:
        number = str(secrets.randbelow(9 * 10**9) + 10**9)
        if not Account.objects.filter(number=number).exists():
            return number


def open_account(
    *, customer: Customer, fuel: Fuel, billing_property: Property, now: datetime, number: str | None = None
) -> Account:
    """Open an account for one fuel; the number is generated unless given (imports and the demo give it)."""
    return Account.objects.create(
        number=number or _new_account_number(),
        customer=customer,
        fuel=fuel,
        billing_property=billing_property,
        opened_at=now,
    )


def validated_identifier(*, fuel: Fuel, identifier: str) -> str:
    """The normalised MPAN core or MPRN, or InvalidSupplyPoint naming the failed check."""
    try:
        if fuel == Fuel.ELECTRICITY:
            return identifiers.normalise_mpan_core(identifier)
        return identifiers.normalise_mprn(identifier)
    except identifiers.InvalidIdentifier as exc:
        raise InvalidSupplyPoint(str(exc)) from exc


def register_supply_point(
    *,
    fuel: Fuel,
    identifier: str,
    supply_property: Property,
    profile_class: str = "",
    annual_consumption_kwh: Decimal | None = None,
) -> SupplyPoint:
    """The supply point ``identifier`` at ``supply_property``, registered if we have not met it before, without
    supplying it to anyone (a switch to us supplies it when it completes).

    :raises InvalidSupplyPoint: a bad MPAN core or MPRN.
    """
    normalised = validated_identifier(fuel=fuel, identifier=identifier)
    supply_point, _ = SupplyPoint.objects.get_or_create(
        fuel=fuel,
        identifier=normalised,
        defaults={
            "supply_property": supply_property,
            "profile_class": profile_class if fuel == Fuel.ELECTRICITY else "",
            "annual_consumption_kwh": annual_consumption_kwh,
        },
    )
    return supply_point


@transaction.atomic
def add_supply_point(
    *,
    account: Account,
    identifier: str,
    supply_property: Property,
    supply_start_date: date,
    profile_class: str = "",
    annual_consumption_kwh: Decimal | None = None,
) -> SupplyPoint:
    """Register a supply point at a property and supply it to `account` from `supply_start_date`.

    :raises InvalidSupplyPoint: a bad MPAN core or MPRN, or a point already supplied to another account.
    """
    supply_point = register_supply_point(
        fuel=Fuel(account.fuel),
        identifier=identifier,
        supply_property=supply_property,
        profile_class=profile_class,
        annual_consumption_kwh=annual_consumption_kwh,
    )
    if Supply.objects.filter(supply_point=supply_point, valid_to__isnull=True).exclude(account=account).exists():
        raise InvalidSupplyPoint(f"{supply_point} is already supplied to another account.")
    Supply.objects.get_or_create(
        account=account, supply_point=supply_point, valid_to=None, defaults={"valid_from": supply_start_date}
    )
    return supply_point


def install_meter(
    *,
    supply_point: SupplyPoint,
    serial_number: str,
    kind: Meter.Kind,
    installed_at: datetime,
    registers: list[tuple[str, Register.Rate]],
    gas_units: Meter.GasUnits | None = None,
) -> Meter:
    """Fit a meter with its registers; gas meters must say whether they are metric or imperial."""
    if supply_point.fuel == Fuel.GAS and gas_units is None:
        raise InvalidSupplyPoint("A gas meter must be metric or imperial.")
    meter = Meter.objects.create(
        supply_point=supply_point,
        serial_number=serial_number.strip(),
        kind=kind,
        gas_units=gas_units or "",
        installed_at=installed_at,
    )
    for register_id, rate in registers:
        Register.objects.create(meter=meter, identifier=register_id, rate=rate)
    return meter


def fit_amr_device(
    *,
    meter: Meter,
    serial_number: str,
    sim_phone_number: str,
    pulse_weight: Decimal,
    unit: AmrDevice.Unit,
    installed_at: datetime,
) -> AmrDevice:
    """Fit an AMR device to a meter (the metering area replaces and retires them)."""
    return AmrDevice.objects.create(
        meter=meter,
        serial_number=serial_number,
        sim_phone_number=sim_phone_number,
        pulse_weight=pulse_weight,
        unit=unit,
        installed_at=installed_at,
    )
