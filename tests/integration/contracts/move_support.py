"""What the home-move tests share: a household supplied under a live contract, with a meter and an opening reading,
on known prices; and a Standard Variable Tariff for deemed contracts."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Nation, SupplyPoint
from hearth.data.contracts.models import Contract
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.tariffs import contracts
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.payments.account_support import LONDON, midnight

_serials = count(1)
_MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
PRICES_FROM = date(2025, 1, 1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=hour), tzinfo=LONDON)


def london_mpan(serial: int) -> str:
    """An MPAN core of the London distributor (12: region C) with a good check digit."""
    first_twelve = f"12{serial:010d}"
    check = sum(int(d) * w for d, w in zip(first_twelve, _MPAN_WEIGHTS, strict=True)) % 11 % 10
    return f"{first_twelve}{check}"


def product_tariff(
    *,
    code: str,
    standard_variable: bool = False,
    payment_method: PaymentMethod = PaymentMethod.DIRECT_DEBIT,
    exit_fee: str = "0",
    kind: Product.Kind = Product.Kind.VARIABLE,
    fuel: Fuel = Fuel.ELECTRICITY,
) -> Tariff:
    """An electricity product sold in region C from :data:`PRICES_FROM` at 25p a kWh and 50p a day."""
    product = Product.objects.filter(code=code).first() or tariff_ops.create_product(
        code=code,
        full_name=code,
        display_name=code.title(),
        description="For the home-move tests.",
        kind=kind,
        available_from=midnight(PRICES_FROM),
        is_standard_variable=standard_variable,
        term_months=12 if kind == Product.Kind.FIXED else None,
        exit_fee_electricity=Decimal(exit_fee),
    )
    existing = Tariff.objects.filter(product=product, payment_method=payment_method, fuel=fuel).first()
    if existing is not None:
        return existing
    return tariff_ops.create_tariff(
        product=product,
        fuel=fuel,
        region="C",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=payment_method,
        standing_charge_exc_vat=Decimal("50"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("25")},
        valid_from=midnight(PRICES_FROM),
    )


def household(
    on_tariff: Tariff,
    *,
    supply_start: date,
    meter_kind: Meter.Kind = Meter.Kind.CREDIT,
    name: str = "Casey Brook",
    opening: str = "1000",
    **contract_fields: Any,
) -> tuple[Account, Contract, Register]:
    """A customer supplied from ``supply_start`` under a live SIGN_UP contract, with a meter and an opening
    reading at the supply start."""
    serial = next(_serials)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name=name, contact_email=f"mover{serial}@example.com", now=midnight(supply_start)
    )
    home = accounts_ops.create_property(
        address_line_1=f"{serial} Elm Row", town="London", postcode="SE1 7PB", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=midnight(supply_start)
    )
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY,
        identifier=london_mpan(serial),
        supply_property=home,
        profile_class="01",
        annual_consumption_kwh=Decimal("3100"),
    )
    meter = accounts_ops.install_meter(
        supply_point=point,
        serial_number=f"M{serial:07d}",
        kind=meter_kind,
        installed_at=midnight(supply_start) - timedelta(days=30),
        registers=[("S", Register.Rate.STANDARD)],
    )
    contract = contracts.enter_contract(
        account=account,
        product=on_tariff.product,
        payment_method=contract_fields.get("payment_method", "STANDARD_DIRECT_DEBIT"),
        origin=Contract.Origin.SIGN_UP,
        commencement_date=supply_start - timedelta(days=20),
        cooling_off_end_date=supply_start - timedelta(days=6),
        now=midnight(supply_start - timedelta(days=20)),
    )
    contracts.start_supply(
        contract=contract, start_date=supply_start, placements=[(point, on_tariff)], now=midnight(supply_start)
    )
    register = meter.registers.get()
    RegisterReading.objects.create(
        register=register,
        read_at=calendar.day_starts_at(supply_start),
        value=Decimal(opening),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.OPENING,
        status=RegisterReading.Status.ACCEPTED,
        received_at=calendar.day_starts_at(supply_start),
    )
    contract.refresh_from_db()
    return account, contract, register


def point_of(account: Account) -> SupplyPoint:
    return SupplyPoint.objects.filter(supplies__account=account).order_by("id").first()  # type: ignore[return-value]
