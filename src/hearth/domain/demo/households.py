"""One way to add a demo household: a person in Reading with an electricity credit meter, signed up three weeks
before the first of this month and supplied on the demo's Standard Variable Tariff (region H, Direct Debit) since
then, with an opening reading and an activated portal login. The households that show one journey (moving out, the
Priority Services Register) start here and add their own part."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import AccountLink
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.tariffs.models import PaymentMethod, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.demo import supplier
from hearth.domain.metering import readings as metering_readings
from hearth.domain.tariffs import contracts as contract_states


@dataclass(frozen=True)
class ReadingHousehold:
    """Who and where: the details that differ between the demo's Reading households."""

    name: str
    email: str
    account_number: str
    mpan: str
    address_line_1: str
    postcode: str
    meter_serial: str
    opening_reading: Decimal
    annual_kwh: Decimal
    channel: str = Contract.Channel.WEB


def add_reading_household(household: ReadingHousehold, *, now: datetime) -> Account:
    """The household's customer, electricity account, meter, LIVE contract since the first of ``now``'s month,
    opening reading and activated login (password ``DEMO_PASSWORD``)."""
    start = calendar.local_date(now).replace(day=1)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name=household.name, contact_email=household.email, now=now
    )
    home = accounts_ops.create_property(
        address_line_1=household.address_line_1, town="Reading", postcode=household.postcode, nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number=household.account_number
    )
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY,
        identifier=household.mpan,
        supply_property=home,
        profile_class="01",
        annual_consumption_kwh=household.annual_kwh,
    )
    meter = accounts_ops.install_meter(
        supply_point=point,
        serial_number=household.meter_serial,
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
        channel=household.channel,
        commencement_date=signed_up,
        cooling_off_end_date=signed_up + timedelta(days=14),
        now=calendar.day_starts_at(signed_up) + timedelta(hours=9),
    )
    contract_states.start_supply(contract=contract, start_date=start, placements=[(point, tariff)], now=now)
    metering_readings.record_register_reading(
        register=meter.registers.get(),
        read_at=calendar.day_starts_at(start),
        value=household.opening_reading,
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.OPENING,
        received_at=calendar.day_starts_at(start),
    )
    supplier._activated_login(email=household.email, account=account, role=AccountLink.Role.HOLDER, now=now)
    return account
