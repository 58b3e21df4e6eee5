"""The demo's household on the debt path (ADR 0015): Jordan Reid, Southampton, electricity 7200000072 on a smart meter,
paying by bank transfer, with a £186.40 bill a month past its due date and nothing paid. Loading the demo opens the
case (overdue); ``make run``'s daily jobs send the final notice (``payments.chase``) and move the case on to
"reminded" (``debt.path``), so care's **Debt path** page offers the next step: a repayment plan on the customer's
ability to pay."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Nation, SupplyPoint
from hearth.data.billing.models import Bill, BillLine, LedgerEntry
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.tariffs.models import Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.debt import operations as debt
from hearth.domain.demo import supplier
from hearth.domain.metering import readings as metering_readings
from hearth.domain.tariffs import operations as tariff_ops

DEBTOR_ACCOUNT: Final = "7200000072"
DEBTOR_MPAN: Final = "2000720000728"
"""Southern Electric's distributor (20, region H, where the demo's tariffs are), with a good check digit."""

OWED: Final = Decimal("186.40")
DAYS_OVERDUE: Final = 30


def load_household_in_debt(*, now: datetime) -> None:
    """Jordan Reid's account, supplied from the month its unpaid bill covers; the bill is 30 days past its due date."""
    today = calendar.local_date(now)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Jordan Reid", contact_email="jordan.reid@example.com", now=now
    )
    home = accounts_ops.create_property(
        address_line_1="27 Bedford Place", town="Southampton", postcode="SO15 2DB", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number=DEBTOR_ACCOUNT
    )
    due = today - timedelta(days=DAYS_OVERDUE)
    start = _period_of_bill_due(due)[0]
    point = accounts_ops.add_supply_point(
        account=account,
        identifier=DEBTOR_MPAN,
        supply_property=home,
        supply_start_date=start,
        profile_class="01",
        annual_consumption_kwh=Decimal("2700"),
    )
    meter = accounts_ops.install_meter(
        supply_point=point,
        serial_number="20S0072072",
        kind=Meter.Kind.SMART,
        installed_at=calendar.day_starts_at(start) - timedelta(days=200),
        registers=[("S", Register.Rate.STANDARD)],
    )
    tariff = Tariff.objects.filter(product__code=supplier.SVT_CODE, fuel=Fuel.ELECTRICITY).order_by("id").first()
    if tariff is not None:
        tariff_ops.place_on_tariff(supply_point=point, tariff=tariff, valid_from=calendar.day_starts_at(start))
    metering_readings.record_register_reading(
        register=meter.registers.get(),
        read_at=calendar.day_starts_at(start),
        value=Decimal("8815"),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.OPENING,
        received_at=calendar.day_starts_at(start),
    )
    _unpaid_bill(account=account, supply_point=point, due=due)
    debt.open_case(account=account, day=due + timedelta(days=1), now=now)


def _period_of_bill_due(due: date) -> tuple[date, date]:
    """The month billed by a bill issued 14 days before ``due`` (end exclusive): the month before the issue."""
    end = (due - timedelta(days=14)).replace(day=1)
    return (end - timedelta(days=1)).replace(day=1), end


def _unpaid_bill(*, account: Account, supply_point: SupplyPoint, due: date) -> Bill:
    """The bill left unpaid: one energy line for the month before it was issued, posted to the ledger."""
    issue = due - timedelta(days=14)
    period_start, period_end = _period_of_bill_due(due)
    issued_at = datetime.combine(issue, time(6), tzinfo=calendar.LONDON)
    bill = Bill.objects.create(
        account=account,
        reference=f"INV-{account.number}-{period_start:%Y%m%d}",
        period_start_date=period_start,
        period_end_date=period_end,
        issued_at=issued_at,
        issue_date=issue,
        due_date=due,
        is_estimated=False,
        total=OWED,
        previous_balance=Decimal("0.00"),
        payments_and_credits=Decimal("0.00"),
        balance_carried_forward=OWED,
    )
    BillLine.objects.create(
        bill=bill,
        position=1,
        supply_point=supply_point,
        kind=BillLine.Kind.ENERGY,
        description="Electricity used",
        quantity=Decimal("699.0"),
        unit="kWh",
        rate=Decimal("0.266667"),
        amount=OWED,
    )
    LedgerEntry.objects.create(
        account=account,
        kind=LedgerEntry.Kind.CHARGE,
        amount=OWED,
        posted_at=issued_at,
        description=bill.reference,
        bill=bill,
    )
    return bill
