"""The demo's household moving out (T&C 13): Casey Brook, supplied since the start of the month, told us a few days
ago that they move out ten days from now; the move is recorded through ``contracts.moves.record_move_out`` with a
forwarding address, so the portal's moving-home page shows it and the daily job ends the supply on the day."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Customer, Fuel, Nation
from hearth.data.contracts.models import Contract, HomeMove
from hearth.data.identity.models import AccountLink
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.tariffs.models import PaymentMethod, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.contracts import moves
from hearth.domain.demo import supplier
from hearth.domain.metering import readings as metering_readings
from hearth.domain.tariffs import contracts as contract_states

MOVER_EMAIL: Final = "casey.brook@example.com"
MOVER_ACCOUNT: Final = "4000000041"
MOVER_MPAN: Final = "2000000041410"
"""Southern Electric's distributor (20: region H, as Reading), with a good check digit."""


def load_household_moving_out(*, now: datetime) -> HomeMove:
    """Casey Brook's electricity, supplied on the demo's SVT from the first of this month, moving out in ten days."""
    today = calendar.local_date(now)
    start = today.replace(day=1)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Casey Brook", contact_email=MOVER_EMAIL, now=now
    )
    home = accounts_ops.create_property(
        address_line_1="5 Willow Close", town="Reading", postcode="RG2 7HB", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number=MOVER_ACCOUNT
    )
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY,
        identifier=MOVER_MPAN,
        supply_property=home,
        profile_class="01",
        annual_consumption_kwh=Decimal("2900"),
    )
    meter = accounts_ops.install_meter(
        supply_point=point,
        serial_number="E12C04141",
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
        channel=Contract.Channel.WEB,
        commencement_date=signed_up,
        cooling_off_end_date=signed_up + timedelta(days=14),
        now=calendar.day_starts_at(signed_up) + timedelta(hours=9),
    )
    contract_states.start_supply(contract=contract, start_date=start, placements=[(point, tariff)], now=now)
    metering_readings.record_register_reading(
        register=meter.registers.get(),
        read_at=calendar.day_starts_at(start),
        value=Decimal("20417"),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.OPENING,
        received_at=calendar.day_starts_at(start),
    )
    supplier._activated_login(email=MOVER_EMAIL, account=account, role=AccountLink.Role.HOLDER, now=now)
    return moves.record_move_out(
        account=account,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=now - timedelta(days=3),
        move_out_date=today + timedelta(days=10),
        forwarding_address=moves.Address(line_1="22 Kingsway", town="Cardiff", postcode="CF10 3DP", nation="WALES"),
    )
