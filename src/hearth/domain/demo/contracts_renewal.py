"""The demo household with a Statement of Renewal due: Morgan Lee, Reading, electricity 6000000061 on a smart meter.

Morgan switched to us at the start of the demo's month on a fixed product whose prices are fixed until 46 days
after the demo's day, so the fixed term's last day is 45 days away: within the Statement of Renewal's window (49 to
42 days before, T&C 2), and `hearth run_daily` sends the statement that day by e-mail. The demo's 12-month fixed
product cannot end so soon (its prices start on 1 April 2026), hence a product fixed until a date. Morgan pays by
monthly Direct Debit, as that product requires, and can renew in one click at /services/contract/renew/.

The supply starts on the first of the month so no billing period has ended yet: the daily bill run has nothing of
Morgan's to bill.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import AccountLink
from hearth.data.metering.models import Meter, Register
from hearth.data.payments.models import Mandate, PaymentArrangement
from hearth.data.tariffs.models import MeterKind, PaymentMethod, Product
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.demo import supplier
from hearth.domain.payments import arrangements as payment_arrangements
from hearth.domain.payments import schedule as payment_schedule
from hearth.domain.tariffs import contracts as contract_states
from hearth.domain.tariffs import operations as tariff_ops

EMAIL: Final = "morgan.lee@example.com"
ACCOUNT_NUMBER: Final = "6000000061"
DAYS_TO_END: Final = 45
"""The fixed term's last day is this many days after the demo's day: inside the 42-to-49-day window."""


def add_renewal_household(*, now: datetime) -> Contract:
    """Morgan Lee's household, supplied from the first of the demo's month under a live contract whose fixed term
    ends :data:`DAYS_TO_END` days after ``now``'s day."""
    today = calendar.local_date(now)
    start = today.replace(day=1)
    until = today + timedelta(days=DAYS_TO_END + 1)
    product = tariff_ops.create_product(
        code=f"HEARTH-FIX-TO-{until:%y-%m-%d}",
        full_name=f"Hearth Fixed to {until:%-d %B %Y}",
        display_name=f"Hearth Fixed to {until:%B %Y}",
        description="Prices fixed until a date, whatever day your supply starts.",
        kind=Product.Kind.FIXED,
        available_from=calendar.day_starts_at(start - timedelta(days=30)),
        available_to=calendar.day_starts_at(start),
        fixed_until_date=until,
        payment_methods=(PaymentMethod.DIRECT_DEBIT,),
        meter_kinds=(MeterKind.CREDIT, MeterKind.SMART),
        exit_fee_electricity=Decimal("30.00"),
        exit_fee_gas=Decimal("30.00"),
    )
    tariff = supplier._demo_tariffs(
        product=product, payment_method=PaymentMethod.DIRECT_DEBIT, valid_from=calendar.day_starts_at(start)
    )[(str(Fuel.ELECTRICITY), supplier.READING)]
    customer = accounts_ops.create_customer(kind=Customer.Kind.PERSON, name="Morgan Lee", contact_email=EMAIL, now=now)
    home = accounts_ops.create_property(
        address_line_1="7 Kennet Walk", town="Reading", postcode="RG1 3DP", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number=ACCOUNT_NUMBER
    )
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY,
        identifier="2000456123787",
        supply_property=home,
        profile_class="01",
        annual_consumption_kwh=Decimal("3100"),
    )
    accounts_ops.install_meter(
        supply_point=point,
        serial_number="22L5550041",
        kind=Meter.Kind.SMART,
        installed_at=calendar.day_starts_at(start),
        registers=[("S", Register.Rate.STANDARD)],
    )
    signed_up = start - timedelta(days=21)
    contract = contract_states.enter_contract(
        account=account,
        product=product,
        payment_method=PaymentArrangement.Method.STANDARD_DIRECT_DEBIT,
        origin=Contract.Origin.SIGN_UP,
        channel=Contract.Channel.WEB,
        commencement_date=signed_up,
        cooling_off_end_date=payment_schedule.cooling_off_ends(signed_up),
        now=calendar.day_starts_at(signed_up) + timedelta(hours=9),
    )
    contract = contract_states.start_supply(contract=contract, start_date=start, placements=[(point, tariff)], now=now)
    _pays_by_direct_debit(account=account, signed_up=signed_up, start=start)
    supplier._activated_login(email=EMAIL, account=account, role=AccountLink.Role.HOLDER, now=now)
    return contract


def _pays_by_direct_debit(*, account: Account, signed_up: date, start: date) -> None:
    """A live mandate since before the supply began and a monthly Direct Debit on the 12th (Vocalink's published
    example bank details, which belong to nobody)."""
    mandate = payment_arrangements.set_up_mandate(
        account=account,
        details=payment_arrangements.BankDetails("M LEE", "08-99-99", "66374958"),
        actor=None,
        now=calendar.day_starts_at(signed_up) + timedelta(hours=9),
    )
    Mandate.objects.filter(pk=mandate.pk).update(status=Mandate.Status.LIVE, live_date=signed_up + timedelta(days=6))
    payment_arrangements.set_payment_method(
        account=account,
        method=PaymentArrangement.Method.STANDARD_DIRECT_DEBIT,
        payment_day=12,
        signed_up_date=signed_up,
        balance=Decimal("0.00"),
        actor=None,
        now=calendar.day_starts_at(start),
    )
