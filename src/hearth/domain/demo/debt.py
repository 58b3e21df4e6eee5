"""The demo's household on the debt path (ADR 0015): Jordan Reid, Southampton, electricity 7200000072 on a smart meter,
paying on receipt of bills, with an estimated bill (made by the real bill run) 30 days past its due date and nothing
paid. Loading the demo opens the
case (overdue); ``make run``'s daily jobs send the final notice (``payments.chase``) and move the case on to
"reminded" (``debt.path``), so care's **Debt path** page offers the next step: a repayment plan on the customer's
ability to pay."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.tariffs.models import PaymentMethod, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import runs as billing_runs
from hearth.domain.debt import operations as debt
from hearth.domain.demo import supplier
from hearth.domain.metering import readings as metering_readings
from hearth.domain.tariffs import operations as tariff_ops

DEBTOR_ACCOUNT: Final = "7200000072"
DEBTOR_MPAN: Final = "2000720000728"
"""Southern Electric's distributor (20, region H, where the demo's tariffs are), with a good check digit."""

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
    issue = due - timedelta(days=billing_ops.DEFAULT_PAYMENT_TERMS_DAYS)
    start, period_end = _period_billed_on(issue)
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
    tariff = Tariff.objects.get(
        product__code=supplier.SVT_CODE,
        fuel=Fuel.ELECTRICITY,
        region="H",
        payment_method=PaymentMethod.STANDARD_CREDIT,
    )
    tariff_ops.place_on_tariff(supply_point=point, tariff=tariff, valid_from=calendar.day_starts_at(start))
    metering_readings.record_register_reading(
        register=meter.registers.get(),
        read_at=calendar.day_starts_at(start),
        value=Decimal("8815"),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.OPENING,
        received_at=calendar.day_starts_at(start),
    )
    _unpaid_bill(account=account, period_end=period_end, issue=issue)
    debt.open_case(account=account, day=due + timedelta(days=1), now=now)


def _period_billed_on(issue: date) -> tuple[date, date]:
    """The month a bill issued on ``issue`` covers (end exclusive): the month before the issue's month."""
    end = issue.replace(day=1)
    return (end - timedelta(days=1)).replace(day=1), end


def _unpaid_bill(*, account: Account, period_end: date, issue: date) -> None:
    """The month's bill, made by the real bill run on its issue day (an estimate: no reading since the opening one),
    with its PDF, sent by post (no login), and left unpaid."""
    run_at = calendar.day_starts_at(issue) + timedelta(hours=6)
    run = billing_runs.start_run(
        as_of_date=period_end, account_number=account.number, started_by="hearth load_demo", now=run_at
    )
    billing_runs.bill_accounts(run=run, account_ids=billing_runs.accounts_of(run), now=run_at, with_pdf=True)
    billing_runs.finish_run(run=run, now=run_at)
