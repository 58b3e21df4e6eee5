"""Load the demo supplier: customers, accounts, meters, portal logins and a care-staff login.

Everything is fixed (numbers, addresses, passwords, the staff TOTP key) so the README can list it,
except the temporary password e-mailed to the not-yet-activated login, which waits in the outbox.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction

from hearth.common import calendar
from hearth.common.bacs import calendar as bacs_calendar
from hearth.common.bacs import reports as bacs_report_files
from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Property
from hearth.data.billing.models import Bill
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import AmrDevice, Meter, ReadingSource, Register, RegisterReading
from hearth.data.payments.models import Collection, Mandate, PaymentArrangement
from hearth.data.tariffs.models import MeterKind, PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries
from hearth.domain.billing import runs as billing_runs
from hearth.domain.demo import complaints, contracts_moving, contracts_renewal, contracts_switching
from hearth.domain.demo import debt as demo_debt
from hearth.domain.demo import prepayment as demo_prepayment
from hearth.domain.demo import priority as demo_priority
from hearth.domain.demo.contracts_signup import load_cooling_off_household
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries
from hearth.domain.metering import conversion as metering_conversion
from hearth.domain.metering import readings as metering_readings
from hearth.domain.payments import arrangements as payment_arrangements
from hearth.domain.payments import bacs_reports, refunds
from hearth.domain.payments import collections as payment_collections
from hearth.domain.payments import schedule as payment_schedule
from hearth.domain.tariffs import contracts as contract_states
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
    DemoLogin(
        "casey.brook@example.com",
        DEMO_PASSWORD,
        "household moving out in ten days (Moving home page)",
    ),
    DemoLogin("riley.shaw@example.com", DEMO_PASSWORD, "household switching to us: contract waiting to start"),
    DemoLogin("morgan.lee@example.com", DEMO_PASSWORD, "household: fixed prices end in 45 days, Statement of Renewal"),
    DemoLogin("sam.patel@example.com", "(temporary password in the outbox e-mail)", "not yet activated"),
    DemoLogin(
        "jamie.cole@example.com", DEMO_PASSWORD, "signed up 3 days ago: in the cooling-off period, switch pending"
    ),
    DemoLogin("margaret.hughes@example.com", DEMO_PASSWORD, "household on the Priority Services Register"),
    DemoLogin("robin.hale@example.com", DEMO_PASSWORD, "household with an open complaint and its clock"),
    DemoLogin("taylor.quinn@example.com", DEMO_PASSWORD, "prepayment flat: smart meter, debt recovered from top-ups"),
    DemoLogin(STAFF_EMAIL, STAFF_PASSWORD, "care console at /care/, vulnerability team — code from `hearth demo_otp`"),
    DemoLogin("agent@hearth.example", "AgentConsole2026", "care console, care agent: no health details — same code"),
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
        missed_payment_fee=Decimal("5.00"),
    )
    # Paid on receipt of each bill too: the tariff a new occupier's deemed contract starts on (T&C 4.7, 9.3).
    _demo_tariffs(product=svt, payment_method=PaymentMethod.STANDARD_CREDIT, valid_from=start)
    return {
        SVT_CODE: _demo_tariffs(product=svt, payment_method=PaymentMethod.DIRECT_DEBIT, valid_from=start),
        SVT_PREPAYMENT_CODE: _demo_tariffs(
            product=prepayment, payment_method=PaymentMethod.PREPAYMENT, valid_from=start
        ),
        FIXED_CODE: _demo_tariffs(product=fixed, payment_method=PaymentMethod.DIRECT_DEBIT, valid_from=start),
    }


@dataclass(frozen=True)
class DemoSupply:
    """One demo account with its supply point, meter and tariff; the numbers are printed in the README."""

    number: str
    fuel: Fuel
    identifier: str
    serial: str
    kind: Meter.Kind
    product: str
    region: str
    annual_kwh: Decimal
    first_reading: Decimal


HOUSEHOLD_SUPPLIES: Final = (
    DemoSupply(
        "1000000011",
        Fuel.ELECTRICITY,
        "1200023305967",
        "22L4381920",
        Meter.Kind.SMART,
        FIXED_CODE,
        READING,
        Decimal("2700"),
        Decimal("18204"),
    ),
    DemoSupply(
        "1000000012",
        Fuel.GAS,
        "3938424403",
        "G4A0087612",
        Meter.Kind.SMART,
        FIXED_CODE,
        READING,
        Decimal("11500"),
        Decimal("4310"),
    ),
)
BAKERY_SUPPLIES: Final = (
    DemoSupply(
        "2000000021",
        Fuel.ELECTRICITY,
        "1030051828896",
        "E10BG50331",
        Meter.Kind.AMR,
        SVT_CODE,
        EDINBURGH,
        Decimal("9000"),
        Decimal("52880"),
    ),
    DemoSupply(
        "2000000022",
        Fuel.GAS,
        "7412345678",
        "G0021198",
        Meter.Kind.CREDIT,
        SVT_CODE,
        EDINBURGH,
        Decimal("30000"),
        Decimal("12650"),
    ),
)
FLAT_SUPPLIES: Final = (
    DemoSupply(
        "3000000031",
        Fuel.ELECTRICITY,
        "1312345678907",
        "K99A12345",
        Meter.Kind.CREDIT,
        SVT_CODE,
        CARDIFF,
        Decimal("1800"),
        Decimal("07731"),
    ),
)

# How a month's use compares with an average month (more in winter), for the demo's monthly meter readings.
MONTH_WEIGHTS: Final = {
    1: "1.30",
    2: "1.20",
    3: "1.10",
    4: "0.95",
    5: "0.85",
    6: "0.75",
    7: "0.75",
    8: "0.75",
    9: "0.85",
    10: "1.00",
    11: "1.20",
    12: "1.30",
}
READING_SOURCES: Final = {Meter.Kind.SMART: ReadingSource.SMART, Meter.Kind.AMR: ReadingSource.AMR}


def _open_supply(
    *,
    customer: Customer,
    home: Property,
    supply: DemoSupply,
    products: dict[str, dict[tuple[str, str], Tariff]],
    start: date,
    now: datetime,
) -> tuple[Account, Meter]:
    """Open the account, fit a single-rate meter at its point and supply it from ``start`` under a contract entered
    into on :data:`SIGNED_UP` (the switch to us completed that day), through the contract state machine."""
    account = accounts_ops.open_account(
        customer=customer, fuel=supply.fuel, billing_property=home, now=now, number=supply.number
    )
    is_gas = supply.fuel == Fuel.GAS
    supply_point = accounts_ops.register_supply_point(
        fuel=supply.fuel,
        identifier=supply.identifier,
        supply_property=home,
        profile_class="" if is_gas else "01",
        annual_consumption_kwh=supply.annual_kwh,
    )
    meter = accounts_ops.install_meter(
        supply_point=supply_point,
        serial_number=supply.serial,
        kind=supply.kind,
        installed_at=calendar.day_starts_at(start),
        registers=[("G" if is_gas else "S", Register.Rate.STANDARD)],
        gas_units=Meter.GasUnits.METRIC if is_gas else None,
    )
    tariff = products[supply.product][(str(supply.fuel), supply.region)]
    contract = contract_states.enter_contract(
        account=account,
        product=tariff.product,
        payment_method=DEMO_PAYERS[supply.number].method,
        origin=Contract.Origin.SIGN_UP,
        channel=Contract.Channel.WEB,
        commencement_date=SIGNED_UP,
        cooling_off_end_date=payment_schedule.cooling_off_ends(SIGNED_UP),
        now=calendar.day_starts_at(SIGNED_UP) + timedelta(hours=9),
    )
    contract_states.start_supply(contract=contract, start_date=start, placements=[(supply_point, tariff)], now=now)
    return account, meter


def _monthly_readings(*, meter: Meter, supply: DemoSupply, start: date, today: date, skip_last: bool) -> None:
    """An opening reading at the supply start, then an actual one at the start of each month since, for the bills.

    With ``skip_last`` the latest month has no reading, so its bill is estimated.
    """
    days = [start]
    while calendar.next_month_start(days[-1]) <= today:
        days.append(calendar.next_month_start(days[-1]))
    if skip_last and len(days) > 1:
        days.pop()
    register = meter.registers.get()
    source = READING_SOURCES.get(Meter.Kind(meter.kind), ReadingSource.INDUSTRY)
    per_month = supply.annual_kwh / 12
    if supply.fuel == Fuel.GAS:
        per_month /= metering_conversion.gas_kwh(cubic_metres=Decimal(1))
    value = supply.first_reading
    for index, day in enumerate(days):
        read_at = calendar.day_starts_at(day)
        kind = RegisterReading.Kind.ACTUAL if index else RegisterReading.Kind.OPENING
        metering_readings.record_register_reading(
            register=register, read_at=read_at, value=value, source=source, kind=kind, received_at=read_at
        )
        value = (value + per_month * Decimal(MONTH_WEIGHTS[day.month])).quantize(Decimal(1))


def demo_loaded() -> bool:
    return User.objects.filter(email=STAFF_EMAIL).exists()


@dataclass(frozen=True)
class DemoPayer:
    """How a demo account pays (T&C 9.1): its method, payment day and (for Direct Debit) the bank account.

    The bank details are Vocalink's published modulus-checking examples: they pass the check and belong to nobody.
    """

    method: PaymentArrangement.Method
    payment_day: int | None = None
    holder_name: str = ""
    sort_code: str = ""
    account_number: str = ""


Method = PaymentArrangement.Method
DEMO_PAYERS: Final = {
    "1000000011": DemoPayer(Method.STANDARD_DIRECT_DEBIT, 5, "A MORGAN", "08-99-99", "66374958"),
    "1000000012": DemoPayer(Method.STANDARD_DIRECT_DEBIT, 5, "A MORGAN", "08-99-99", "66374958"),
    "2000000021": DemoPayer(Method.STANDARD_CREDIT),
    "2000000022": DemoPayer(Method.SEASONAL_DIRECT_DEBIT, 20, "BRIGHTWELL BAKERY", "10-79-99", "88837491"),
    "3000000031": DemoPayer(Method.STANDARD_CREDIT),
}
PAYING_BY_TRANSFER: Final = ("2000000021", "3000000031")
"""Accounts that pay each bill by bank transfer on its due date (Sam Patel's latest bill due more than a week ago is
not paid yet: the daily jobs send its reminder)."""
SIGNED_UP: Final = date(2026, 3, 11)
"""The demo customers signed up three weeks before their supplies began on 1 April 2026."""


def _arrange_payments(*, accounts: list[Account], start: date) -> None:
    """Each demo account's payment method and, for Direct Debit, a mandate live since before the supply began."""
    signed_up_at = calendar.day_starts_at(SIGNED_UP) + timedelta(hours=9)
    for account in accounts:
        payer = DEMO_PAYERS[account.number]
        if payer.sort_code:
            mandate = payment_arrangements.set_up_mandate(
                account=account,
                details=payment_arrangements.BankDetails(payer.holder_name, payer.sort_code, payer.account_number),
                actor=None,
                now=signed_up_at,
            )
            lodged = bacs_calendar.next_processing_day_on_or_after(SIGNED_UP + timedelta(days=1))
            Mandate.objects.filter(pk=mandate.pk).update(
                status=Mandate.Status.LIVE, lodged_date=lodged, live_date=bacs_calendar.collection_date_for(lodged)
            )
        payment_arrangements.set_payment_method(
            account=account,
            method=payer.method,
            payment_day=payer.payment_day,
            signed_up_date=SIGNED_UP,
            balance=Decimal("0.00"),
            actor=None,
            now=calendar.day_starts_at(start),
        )


class _DirectDebitHistory:
    """The Direct Debits a demo account has paid each month since May, recorded month by month as the bill runs
    go, so each bill's balance box counts the collections made before it (as a real month would)."""

    def __init__(self, *, account: Account, today: date) -> None:
        self.account = account
        self.mandate = Mandate.objects.get(account=account, status=Mandate.Status.LIVE)
        planned = payment_collections.plan(
            PaymentArrangement.objects.get(account=account), self.mandate, date(2026, 5, 1), 12
        )
        self.upcoming = next((p for p in planned if p.collection_date >= today), None)
        self.waiting = [p for p in planned if p.collection_date < today]
        self.recorded = 0

    def collect_before(self, moment: datetime) -> None:
        """Record each collection made before ``moment``: a ledger payment and its collected Collection."""
        while self.waiting:
            item = self.waiting[0]
            collected_at = calendar.day_starts_at(item.collection_date) + timedelta(hours=10)
            if collected_at >= moment:
                return
            self.waiting.pop(0)
            payment = billing_ops.record_payment(
                account=self.account,
                amount=item.amount,
                reference=self.mandate.reference,
                reason="Direct Debit collected",
                actor=None,
                now=collected_at,
            )
            Collection.objects.create(
                account=self.account,
                mandate=self.mandate,
                purpose=item.purpose,
                transaction_code="01" if self.recorded == 0 else "17",
                amount=item.amount,
                collection_date=item.collection_date,
                status=Collection.Status.COLLECTED,
                scheduled_at=calendar.day_starts_at(SIGNED_UP),
                payment=payment,
            )
            self.recorded += 1

    def finish(self, *, now: datetime) -> None:
        """The rest collected, the next one announced by the schedule sent at sign-up, and the schedule renewed."""
        self.collect_before(now)
        if self.upcoming is not None:
            Collection.objects.create(
                account=self.account,
                mandate=self.mandate,
                purpose=self.upcoming.purpose,
                transaction_code="17",
                amount=self.upcoming.amount,
                collection_date=self.upcoming.collection_date,
                scheduled_at=calendar.day_starts_at(SIGNED_UP),
            )
        payment_collections.reschedule(
            account=self.account,
            why="Here are your next Direct Debit payments.",
            actor_label="hearth load_demo",
            now=now,
        )


def _returned_collection(*, account: Account, now: datetime) -> None:
    """The latest collection from the household's gas comes back unpaid ("refer to payer"), through an ARUDD report
    read by the same import care staff use: the payment is reversed, the fee added and the collection re-presented."""
    collection = Collection.objects.filter(account=account, status=Collection.Status.COLLECTED).latest(
        "collection_date"
    )
    report = bacs_report_files.Report(
        kind="ARUDD",
        report_date=bacs_calendar.add_processing_days(collection.collection_date, 2),
        items=[
            bacs_report_files.ReportItem(
                line=1,
                reference=collection.mandate.reference,
                reason_code="0",
                reason=bacs_report_files.ARUDD_REASONS["0"],
                amount_pence=int(collection.amount * 100),
                transaction_code=collection.transaction_code,
                due_date=collection.collection_date,
                payer_name=collection.mandate.holder_name,
            )
        ],
    )
    bacs_reports.import_report(
        file_name=f"ARUDD-{collection.collection_date:%Y%m%d}.xml",
        data=bacs_report_files.write_report(report),
        imported_by="hearth load_demo",
        now=now,
    )


def _refund_in_progress(*, account: Account, now: datetime) -> None:
    """The household's electricity is in credit after a goodwill credit, and Alex has asked for it back."""
    balance = billing_queries.balance_of(account)
    billing_ops.record_credit(
        account=account,
        amount=max(balance, Decimal("0.00")) + Decimal("120.00"),
        reason="Goodwill credit: an engineer visit was missed by our meter operator",
        actor=User.objects.get(email=STAFF_EMAIL),
        now=now - timedelta(hours=2),
    )
    refunds.request_refund(
        account=account,
        destination=refunds.Destination.DIRECT_DEBIT_ACCOUNT,
        payee_name="",
        bank_details=None,
        cheque_address="",
        actor=User.objects.get(email="alex.morgan@example.com"),
        now=now - timedelta(hours=1),
    )


def _left_unpaid(bill: Bill, today: date) -> bool:
    """Whether ``bill`` is the one Sam Patel has not paid: the last whose due date is more than a week ago."""
    return today - timedelta(days=35) < bill.due_date <= today - timedelta(days=7)


def _billed_demo(*, accounts_and_meters: list[tuple[Account, Meter, DemoSupply]], start: date, now: datetime) -> None:
    """Monthly readings since the supply start, then a month-by-month history: each month's bill run the day after
    the month ends. Direct Debit accounts pay their monthly collections; the bakery's electricity and Sam Patel pay each
    bill on its due date by bank transfer, except Sam's last one due more than a week ago.

    Only the latest month's bills are delivered (e-mail by the logins' rules, post where an account has no activated
    login), so the outbox holds one month, not the whole history. The household's electricity has no reading for the
    latest month, so its latest bill is estimated.
    """
    today = calendar.local_date(now)
    for account, meter, supply in accounts_and_meters:
        _monthly_readings(
            meter=meter, supply=supply, start=start, today=today, skip_last=account.number == "1000000011"
        )
    direct_debits = [
        _DirectDebitHistory(account=account, today=today)
        for account, _meter, _supply in accounts_and_meters
        if DEMO_PAYERS[account.number].sort_code
    ]
    month_end = calendar.next_month_start(start)
    while month_end < today:
        run_at = calendar.day_starts_at(month_end + timedelta(days=1)) + timedelta(hours=6)
        for history in direct_debits:
            history.collect_before(run_at)
        run = billing_runs.start_run(as_of_date=month_end, account_number="", started_by="hearth load_demo", now=run_at)
        latest = calendar.next_month_start(month_end) >= today
        billing_runs.bill_accounts(
            run=run, account_ids=billing_runs.accounts_of(run), now=run_at, with_pdf=True, deliver=latest
        )
        billing_runs.finish_run(run=run, now=run_at)
        for bill in Bill.objects.filter(run=run, account__number__in=PAYING_BY_TRANSFER).select_related("account"):
            paid_at = calendar.day_starts_at(bill.due_date) + timedelta(hours=10)
            if paid_at < now and not (bill.account.number == "3000000031" and _left_unpaid(bill, today)):
                billing_ops.record_payment(
                    account=bill.account,
                    amount=bill.total,
                    reference=f"BANK-{bill.reference}",
                    reason="Bank transfer",
                    actor=None,
                    now=paid_at,
                )
        month_end = calendar.next_month_start(month_end)
    for history in direct_debits:
        history.finish(now=now)


@transaction.atomic
def load_demo_supplier(*, now: datetime) -> None:
    """Create the demo supplier's records (DEMO_LOGINS lists the logins) and bill them up to ``now``. Call only on
    an empty database."""
    start = date(2026, 4, 1)
    products = _demo_products(start=calendar.day_starts_at(start))
    opened: list[tuple[Account, Meter, DemoSupply]] = []

    def open_supplies(customer: Customer, home: Property, supplies: tuple[DemoSupply, ...]) -> list[Account]:
        accounts = []
        for supply in supplies:
            account, meter = _open_supply(
                customer=customer, home=home, supply=supply, products=products, start=start, now=now
            )
            opened.append((account, meter, supply))
            accounts.append(account)
        return accounts

    household = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Alex Morgan", contact_email="alex.morgan@example.com", now=now
    )
    home = accounts_ops.create_property(
        address_line_1="12 Orchard Lane", town="Reading", postcode="RG1 7AB", nation=Nation.ENGLAND
    )
    home_electricity, home_gas = open_supplies(household, home, HOUSEHOLD_SUPPLIES)
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
    bakery_electricity, bakery_gas = open_supplies(bakery, bakehouse, BAKERY_SUPPLIES)
    accounts_ops.fit_amr_device(
        meter=opened[2][1],
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
    [flat_electricity] = open_supplies(newcomer, flat, FLAT_SUPPLIES)
    identity_ops.create_portal_login(
        account=flat_electricity, email="sam.patel@example.com", role=AccountLink.Role.HOLDER, actor=None, now=now
    )

    identity_ops.create_staff_login(
        email=STAFF_EMAIL,
        full_name="Casey Care",
        password=STAFF_PASSWORD,
        now=now,
        totp_key=STAFF_TOTP_KEY,
        care_role=User.CareRole.VULNERABILITY,
    )
    _arrange_payments(accounts=[account for account, _meter, _supply in opened], start=start)
    _billed_demo(accounts_and_meters=opened, start=start, now=now)
    _returned_collection(account=home_gas, now=now)
    _refund_in_progress(account=home_electricity, now=now)
    contracts_moving.load_household_moving_out(now=now)
    contracts_switching.load_switching_household(
        product=products[FIXED_CODE][("ELECTRICITY", READING)].product, activate=_activated_login, now=now
    )
    load_cooling_off_household(
        now=now, product_code=FIXED_CODE, password=DEMO_PASSWORD, security_answer=SECURITY_ANSWER
    )
    contracts_renewal.add_renewal_household(now=now)
    demo_priority.load_priority_household(now=now)
    demo_debt.load_household_in_debt(now=now)
    complaints.load_household_with_a_complaint(now=now)
    demo_prepayment.load_prepayment_flat(now=now)
