"""The care console's billing pages: an account's bills and ledger with a running balance, payments, credits,
additional charges, late-payment interest and obstruction recorded with a reason; a bill with its readings, lines and
where each figure came from; cancelling (asked first) and reissuing a bill; bill runs with progress, failures and
skips. Staff walk them as they would: from the customer's page and the menu, through the forms."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfWriter

from hearth.data.accounts.models import Account
from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import (
    AdditionalCharge,
    BaseRate,
    Bill,
    BillingObstruction,
    BillLine,
    BillRun,
    BillRunItem,
    LedgerEntry,
)
from hearth.data.identity.models import User
from hearth.data.metering.models import ReadingSource, RegisterReading
from hearth.domain.billing import operations as billing_ops
from hearth.domain.documents import operations as documents_ops
from hearth.domain.identity import operations as identity_ops
from tests.integration.billing import run_support
from tests.integration.billing.invoice_support import Line, Used, at_local, make_bill, reading, use_documents_folder
from tests.integration.conftest import Site

STAFF_EMAIL = "agent.billing@hearth.example"
STAFF_PASSWORD = "Console4Billing9"


def words(response) -> str:
    """The page's words as a screen reader reads them: tags (table cells too) taken out, spaces collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def error_beside(response, field_id: str) -> str:
    """The error shown beside the form field with the id ``field_id`` ("" if none)."""
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).replace("Error:", "").strip() if match else ""


def error_summary(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))) if match else ""


def billing_url(account: Account) -> str:
    return f"/care/accounts/{account.number}/billing/"


def bill_url(bill: Bill) -> str:
    return f"/care/accounts/{bill.account.number}/bills/{bill.pk}/"


@pytest.fixture
def care(db) -> Client:
    """A client signed in to the care console through its sign-in page, with the second factor."""
    device: TOTPDevice = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Billing Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


@pytest.fixture
def agent(care: Client) -> User:
    return User.objects.get(email=STAFF_EMAIL)


def gas_bill(site: Site, **extra) -> Bill:
    """October's gas bill (across the clock change): an actual start reading, an estimated end, converted to kWh.

    100 m³ x 1.02264 x 39.5 MJ/m³ / 3.6 = 1122.063 kWh; 1122.063 x 6.5p = £72.93; 31 days x 30p = £9.30; VAT 5%
    of £82.23 = £4.11 (4.1115 rounded half-up); total £86.34.
    """
    register = site.gas_meter.registers.get()
    start = reading(register, "1200", RegisterReading.Kind.ACTUAL, date(2026, 10, 1))
    end = reading(register, "1300", RegisterReading.Kind.ESTIMATED, date(2026, 11, 1))
    supply_point = site.gas_meter.supply_point
    lines = [
        Line(
            BillLine.Kind.ENERGY,
            "Gas used",
            Decimal("1122.063"),
            "kWh",
            Decimal("0.065"),
            Decimal("5"),
            supply_point,
            {"consumption": [1], "unit_rate": 7},
        ),
        Line(
            BillLine.Kind.STANDING,
            "Standing charge",
            Decimal("31"),
            "days",
            Decimal("0.30"),
            Decimal("5"),
            supply_point,
            {"standing_charge": 3, "days": 31},
        ),
        Line(BillLine.Kind.VAT, "VAT at 5%", Decimal("82.23"), "£", Decimal("0.05")),
    ]
    used = Used(
        register,
        start,
        end,
        Decimal("100"),
        "m3",
        Decimal("1122.063"),
        volume_m3=Decimal("100"),
        correction_factor=Decimal("1.02264"),
        calorific_value=Decimal("39.5"),
    )
    return make_bill(site.gas, lines=lines, used=[used], estimated=True, **extra)


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Getting there -------------------------------------------------------------------------------------------------


def test_the_customer_page_links_each_account_to_its_billing_page(care, household):
    page = care.get(f"/care/customers/{household.customer.pk}/").content.decode()
    for account in (household.electricity, household.gas):
        assert f'href="{billing_url(account)}"' in page


def test_the_menu_leads_to_the_bill_runs(care):
    page = care.get("/care/")
    assert '<a href="/care/bill-runs/">Billing</a>' in page.content.decode()


def test_an_unknown_account_is_not_found(care, household):
    assert care.get("/care/accounts/1999999999/billing/").status_code == 404


# --- The account's billing page ------------------------------------------------------------------------------------


def test_the_billing_page_lists_bills_and_the_ledger_with_a_running_balance_in_uk_time(care, household, agent):
    bill = gas_bill(household)
    # Posted on the spring clock-change day: 01:30 UTC is 02:30 BST.
    LedgerEntry.objects.create(
        account=household.gas,
        kind=LedgerEntry.Kind.PAYMENT,
        amount=Decimal("-50.00"),
        posted_at=datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        description="Payment received",
        external_reference="BACS-778",
        recorded_by=agent,
    )
    LedgerEntry.objects.create(
        account=household.gas,
        kind=LedgerEntry.Kind.CREDIT,
        amount=Decimal("-10.00"),
        posted_at=datetime(2027, 3, 28, 9, 0, tzinfo=UTC),
        description="Credit",
        reason="Goodwill for the missed visit",
        recorded_by=agent,
    )
    page = care.get(billing_url(household.gas))
    assert page.status_code == 200
    text = words(page)
    assert f"{bill.reference} 1 Oct 2026 to 31 Oct 2026 2 Nov 2026 86.34 Issued Estimated" in text
    # 86.34, then 86.34 - 50.00 = 36.34, then 36.34 - 10.00 = 26.34.
    assert "86.34 86.34" in text
    assert "28 Mar 2027, 02:30 Payment: Payment received -50.00 36.34 Reference BACS-778" in text
    assert "Credit: Credit -10.00 26.34 Goodwill for the missed visit" in text
    assert "Balance now £26.34 owed by the customer" in text
    assert f'href="{bill_url(bill)}"' in page.content.decode()


def test_a_payment_lowers_the_balance_with_its_reference_and_who_recorded_it(care, household, agent):
    response = care.post(
        f"{billing_url(household.electricity)}payments/",
        {"amount": "£1,250.50", "reference": "FPS 99812", "reason": "Paid by bank transfer"},
    )
    assert response.status_code == 302
    assert response["Location"] == billing_url(household.electricity)
    entry = LedgerEntry.objects.get(account=household.electricity)
    assert (entry.kind, entry.amount, entry.external_reference, entry.recorded_by) == (
        LedgerEntry.Kind.PAYMENT,
        Decimal("-1250.50"),
        "FPS 99812",
        agent,
    )
    assert AuditEvent.objects.filter(actor=agent, customer=household.customer).exists()
    page = care.get(billing_url(household.electricity))
    assert "Balance now £1,250.50 in credit" in words(page)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter the amount in pounds and pence, like 25.00."),
        ("0", "Enter an amount more than £0.00: amounts are entered as positive numbers."),
        ("-20.00", "Enter an amount more than £0.00: amounts are entered as positive numbers."),
        ("12.345", "Enter the amount with at most 2 decimal places (pounds and pence), like 25.50."),
        ("twelve", "Enter the amount as a number of pounds and pence, like 25.00."),
        ("NaN", "Enter the amount as a number of pounds and pence, like 25.00."),
        ("1e400", "The amount must be less than £100,000,000."),
    ],
)
def test_an_amount_must_be_positive_pounds_and_pence_or_the_field_says_why(care, household, typed, error):
    response = care.post(f"{billing_url(household.gas)}credits/", {"amount": typed, "reason": "Goodwill"})
    assert response.status_code == 400
    assert error_beside(response, "credit-amount") == error
    assert error in error_summary(response)
    assert not LedgerEntry.objects.exists()


def test_a_credit_needs_a_reason(care, household):
    response = care.post(f"{billing_url(household.gas)}credits/", {"amount": "15.00", "reason": " "})
    assert response.status_code == 400
    assert error_beside(response, "credit-reason") == "Say why: the reason is kept with the record."
    assert not LedgerEntry.objects.exists()


def test_a_credit_lowers_the_balance(care, household, agent):
    response = care.post(f"{billing_url(household.gas)}credits/", {"amount": "15.00", "reason": "Goodwill"})
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(account=household.gas)
    assert (entry.kind, entry.amount, entry.reason, entry.recorded_by) == (
        LedgerEntry.Kind.CREDIT,
        Decimal("-15.00"),
        "Goodwill",
        agent,
    )


def charge_form(**changes: str) -> dict[str, str]:
    form = {
        "kind": "MISSED_APPOINTMENT",
        "amount": "",
        "incurred_date": "2026-11-03",
        "reason": "Engineer called; nobody home, no notice given",
    }
    form.update(changes)
    return form


def test_a_missed_appointment_is_the_fixed_70_pounds_waiting_for_the_next_bill(care, household, agent):
    response = care.post(f"{billing_url(household.electricity)}charges/", charge_form())
    assert response.status_code == 302
    charge = AdditionalCharge.objects.get(account=household.electricity)
    assert (charge.kind, charge.amount, charge.incurred_date, charge.bill, charge.raised_by) == (
        AdditionalCharge.Kind.MISSED_APPOINTMENT,
        Decimal("70.00"),
        date(2026, 11, 3),
        None,
        agent,
    )
    assert "Missed appointment on 3 Nov 2026 70.00" in words(care.get(billing_url(household.electricity)))


def test_a_fixed_charge_at_another_amount_is_refused_on_the_form(care, household):
    response = care.post(f"{billing_url(household.electricity)}charges/", charge_form(amount="50.00"))
    assert response.status_code == 400
    assert "fixed £70.00" in error_summary(response)
    assert not AdditionalCharge.objects.exists()


def test_a_meter_accuracy_test_is_charged_only_when_the_meter_proved_accurate(care, household):
    url = f"{billing_url(household.electricity)}charges/"
    test = charge_form(kind="METER_ACCURACY_TEST", amount="95.00", reason="Customer disputed the meter")
    refused = care.post(url, test)
    assert refused.status_code == 400
    assert "only when the meter was found accurate" in error_summary(refused)
    assert not AdditionalCharge.objects.exists()
    assert care.post(url, {**test, "meter_proved_accurate": "on"}).status_code == 302
    assert AdditionalCharge.objects.get().amount == Decimal("95.00")


def test_late_payment_interest_is_4_percent_above_base_rate_for_the_days_overdue(care, household):
    BaseRate.objects.all().delete()  # the migrations' rates: this test sets its own
    BaseRate.objects.create(effective_date=date(2025, 12, 18), percent=Decimal("3.75"))
    # 31 days in January 2026 at 3.75% + 4% = 7.75% a year: 1000 x 0.0775 x 31 / 365 = 6.5822 -> £6.58.
    response = care.post(
        f"{billing_url(household.electricity)}interest/",
        {"principal": "1000.00", "start_date": "2026-01-01", "end_date": "2026-02-01"},
    )
    assert response.status_code == 302
    charge = AdditionalCharge.objects.get()
    assert (charge.kind, charge.amount) == (AdditionalCharge.Kind.LATE_PAYMENT_INTEREST, Decimal("6.58"))


def test_interest_must_end_after_it_starts(care, household):
    response = care.post(
        f"{billing_url(household.electricity)}interest/",
        {"principal": "100.00", "start_date": "2026-02-01", "end_date": "2026-02-01"},
    )
    assert response.status_code == 400
    assert error_beside(response, "interest-end_date") == "Interest must end on a later day than it starts."


def test_interest_without_a_base_rate_is_refused_with_the_reason(care, household):
    BaseRate.objects.all().delete()
    response = care.post(
        f"{billing_url(household.electricity)}interest/",
        {"principal": "100.00", "start_date": "2026-01-01", "end_date": "2026-02-01"},
    )
    assert response.status_code == 400
    assert "No Bank of England base rate is held for 1 Jan 2026" in error_summary(response)


def test_an_obstruction_is_recorded_with_its_reason_and_listed(care, household, agent):
    response = care.post(
        f"{billing_url(household.gas)}obstructions/",
        {"from_date": "2025-01-01", "to_date": "2025-07-01", "reason": "Refused access to read the meter"},
    )
    assert response.status_code == 302
    obstruction = BillingObstruction.objects.get(account=household.gas)
    assert (obstruction.from_date, obstruction.to_date, obstruction.recorded_by) == (
        date(2025, 1, 1),
        date(2025, 7, 1),
        agent,
    )
    assert "1 Jan 2025 until 1 Jul 2025: Refused access to read the meter" in words(
        care.get(billing_url(household.gas))
    )


def test_an_obstruction_must_end_after_it_starts(care, household):
    response = care.post(
        f"{billing_url(household.gas)}obstructions/",
        {"from_date": "2025-07-01", "to_date": "2025-01-01", "reason": "Refused access"},
    )
    assert response.status_code == 400
    assert error_beside(response, "obstruction-to_date") == "The obstruction must end on a later day than it starts."
    assert not BillingObstruction.objects.exists()


# --- A bill --------------------------------------------------------------------------------------------------------


def test_the_bill_page_shows_readings_gas_conversion_lines_and_where_each_came_from(care, household):
    bill = gas_bill(household)
    page = care.get(bill_url(bill))
    assert page.status_code == 200
    text = words(page)
    meter = household.gas_meter.serial_number
    assert f"1 {meter}" in text
    assert "1200 Actual 1 Oct 2026 1300 Estimated 1 Nov 2026 100 m3" in text
    conversion = "100 m³ × 1.02264 (correction factor) × 39.500 MJ/m³ (calorific value) ÷ 3.6 1122.063"  # noqa: RUF001 - as printed
    assert conversion in text
    assert "Gas used Energy 1122.063 kWh 0.065 72.93 5% Readings (consumption rows): 1 Unit rate row: 7" in text
    assert "Standing charge Standing charge 31 days 0.3 9.30 5% Standing charge row: 3 Days: 31" in text
    assert "VAT at 5% VAT 82.23 £ 0.05 4.11" in text
    assert "Total, including VAT 86.34" in text
    assert "Estimated readings" in text
    assert 'href="#consumption-1"' in page.content.decode()
    assert 'id="consumption-1"' in page.content.decode()


def test_a_month_of_half_hourly_prices_is_cited_by_its_ends_and_count_and_interest_by_its_parts(care, household):
    prices = list(range(5001, 6489))  # 1,488 price rows, one per half-hour of a 31-day month
    parts = [{"start_date": "2026-01-01", "days": 31, "base_rate_percent": "3.75"}]
    lines = [
        Line(
            BillLine.Kind.ENERGY,
            "Electricity used",
            Decimal("300"),
            "kWh",
            Decimal("0.2"),
            Decimal("5"),
            None,
            {"half_hourly_prices": prices, "half_hours": 1488},
        ),
        Line(
            BillLine.Kind.INTEREST,
            "Late-payment interest",
            Decimal("1"),
            "charge",
            Decimal("6.58"),
            None,
            None,
            {"additional_charge": 9, "parts": parts},
        ),
    ]
    bill = make_bill(household.electricity, lines=lines)
    text = words(care.get(bill_url(bill)))
    assert "Half-hours: 1488 Half-hourly price rows: 1488 rows, 5001 to 6488" in text
    assert "5002" not in text
    assert (
        "Additional charge: 9 Interest at each base rate: base rate percent: 3.75; days: 31; start date: 2026-01-01"
        in text
    )


def test_a_bill_of_another_account_is_not_found(care, household):
    bill = gas_bill(household)
    assert care.get(f"/care/accounts/{household.electricity.number}/bills/{bill.pk}/").status_code == 404


def test_the_pdf_is_downloaded_by_staff_never_cached(care, household, monkeypatch, tmp_path):
    use_documents_folder(monkeypatch, tmp_path)
    bill = gas_bill(household)
    pdf = a_pdf()
    bill.document = documents_ops.store_document(
        account=household.gas,
        type_code="INVOICE",
        reference=bill.reference,
        issued_at=bill.issued_at,
        issue_date=bill.issue_date,
        period_start_date=bill.period_start_date,
        period_end_date=bill.period_end_date,
        amount=bill.total,
        pdf=pdf,
    )
    bill.save(update_fields=["document"])
    assert f'href="{bill_url(bill)}invoice.pdf"' in care.get(bill_url(bill)).content.decode()
    response = care.get(f"{bill_url(bill)}invoice.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert f'filename="{bill.reference}.pdf"' in response["Content-Disposition"]


def test_a_bill_without_a_pdf_has_no_download(care, household):
    bill = gas_bill(household)
    assert "invoice.pdf" not in care.get(bill_url(bill)).content.decode()
    assert care.get(f"{bill_url(bill)}invoice.pdf").status_code == 404
    assert care.get(f"{bill_url(bill)}credit-note.pdf").status_code == 404


def test_cancelling_asks_first_then_a_credit_note_reverses_the_bill(care, household, agent, monkeypatch, tmp_path):
    use_documents_folder(monkeypatch, tmp_path)
    bill = gas_bill(household)
    confirm = care.get(f"{bill_url(bill)}cancel/")
    assert confirm.status_code == 200
    assert "A credit note of £86.34 reverses the bill in the ledger" in words(confirm)
    bill.refresh_from_db()
    assert bill.status == Bill.Status.ISSUED

    no_reason = care.post(f"{bill_url(bill)}cancel/", {"reason": ""})
    assert no_reason.status_code == 400
    assert error_beside(no_reason, "cancel-reason") == "Say why: the reason is kept with the record."

    done = care.post(f"{bill_url(bill)}cancel/", {"reason": "End reading was wrong"})
    assert done.status_code == 302
    assert done["Location"] == bill_url(bill)
    bill.refresh_from_db()
    assert (bill.status, bill.cancel_reason, bill.cancelled_by) == (
        Bill.Status.CANCELLED,
        "End reading was wrong",
        agent,
    )
    credit_note = LedgerEntry.objects.get(bill=bill, kind=LedgerEntry.Kind.CREDIT_NOTE)
    assert credit_note.amount == Decimal("-86.34")
    assert bill.credit_note is not None, "the credit note PDF is made as the bill is cancelled"
    assert (bill.credit_note.document_type.code, bill.credit_note.amount) == ("CREDIT_NOTE", Decimal("-86.34"))
    text = words(care.get(bill_url(bill)))
    assert "Cancelled" in text
    assert "End reading was wrong" in text
    assert "Reissue bill" in text
    assert "Balance now £0.00 (nothing owed)" in words(care.get(billing_url(household.gas)))

    again = care.post(f"{bill_url(bill)}cancel/", {"reason": "Twice"})
    assert again.status_code == 400
    assert "This bill is already cancelled." in words(again)
    assert LedgerEntry.objects.filter(bill=bill, kind=LedgerEntry.Kind.CREDIT_NOTE).count() == 1


def test_a_live_bill_cannot_be_reissued(care, household):
    bill = gas_bill(household)
    response = care.post(f"{bill_url(bill)}reissue/", follow=True)
    assert f"Bill {bill.reference} was not reissued: Bill {bill.reference} is still live" in words(response)
    assert Bill.objects.count() == 1


def test_a_cancelled_bill_is_reissued_from_the_corrected_readings(care, db, monkeypatch, tmp_path):
    """September 2026 on 50p a day and 25p a kWh (exc VAT): read 1250, then corrected to 1200.

    First bill: 250 kWh x 25p = £62.50, 30 days x 50p = £15.00, VAT 5% of £77.50 = £3.875 -> £3.88; £81.38.
    Reissued: 200 kWh x 25p = £50.00 + £15.00, VAT 5% of £65.00 = £3.25; £68.25.
    """
    use_documents_folder(monkeypatch, tmp_path)
    tariff = run_support.single_rate_tariff(valid_from_date=date(2026, 9, 1))
    account = run_support.billable_account(
        tariff, number="7000000001", supply_start_date=date(2026, 9, 1), readings=[(date(2026, 10, 1), Decimal(1250))]
    )
    first = billing_ops.issue_bill(
        account=account,
        period_start_date=date(2026, 9, 1),
        period_end_date=date(2026, 10, 1),
        now=at_local(date(2026, 10, 2)),
    )
    assert first.total == Decimal("81.38")
    assert care.post(f"{bill_url(first)}cancel/", {"reason": "Reading 1250 mistyped; it is 1200"}).status_code == 302
    wrong = RegisterReading.objects.get(value=Decimal(1250))
    RegisterReading.objects.filter(pk=wrong.pk).update(status=RegisterReading.Status.REJECTED)
    RegisterReading.objects.create(
        register=wrong.register,
        read_at=wrong.read_at,
        value=Decimal(1200),
        source=ReadingSource.CARE,
        kind=RegisterReading.Kind.ACTUAL,
        status=RegisterReading.Status.ACCEPTED,
        received_at=timezone.now(),
    )
    response = care.post(f"{bill_url(first)}reissue/")
    new = Bill.objects.get(replaces=first)
    assert response.status_code == 302
    assert response["Location"] == bill_url(new)
    assert (new.status, new.total) == (Bill.Status.ISSUED, Decimal("68.25"))
    assert new.document is not None, "the reissue's invoice is made at once"
    assert new.document.amount == Decimal("68.25")
    text = words(care.get(bill_url(new)))
    assert f"Reissue of {first.reference}" in text
    assert f"Reissued as {new.reference}" in words(care.get(bill_url(first)))
    # 81.38 charged, 81.38 credited, 68.25 charged.
    assert "Balance now £68.25 owed by the customer" in words(care.get(billing_url(account)))


# --- Bill runs -----------------------------------------------------------------------------------------------------


def test_bill_runs_show_their_counts_progress_failures_and_skips_by_reason(care, household, business):
    started = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, half an hour before the clocks go back
    run = BillRun.objects.create(
        as_of_date=date(2026, 10, 1), started_at=started, accounts_total=5, started_by="ops@hearth.example"
    )
    bill = gas_bill(household, reference="INV-RUN-1")
    items = [
        (household.gas, BillRunItem.Outcome.BILLED, "", bill),
        (household.electricity, BillRunItem.Outcome.SKIPPED, "no period due", None),
        (business.gas, BillRunItem.Outcome.SKIPPED, "no period due", None),
        (business.electricity, BillRunItem.Outcome.FAILED, "No tariff agreement covers 1 Sep 2026.", None),
    ]
    for account, outcome, reason, made in items:
        BillRunItem.objects.create(
            run=run,
            account=account,
            period_start_date=date(2026, 9, 1),
            outcome=outcome,
            reason=reason,
            bill=made,
            recorded_at=started,
        )
    listing = words(care.get("/care/bill-runs/"))
    assert f"Run {run.pk} 1 Oct 2026 25 Oct 2026, 01:30 ops@hearth.example Running 1 2 1" in listing

    page = care.get(f"/care/bill-runs/{run.pk}/")
    assert page.status_code == 200
    text = words(page)
    assert "4 of 5 accounts done" in text
    assert '<progress id="run-progress" max="5" value="4">' in page.content.decode()
    assert f"{business.electricity.number} 1 Sep 2026 No tariff agreement covers 1 Sep 2026." in text
    assert "No period due 2" in text
    assert f'href="{billing_url(business.electricity)}"' in page.content.decode()


def test_an_unknown_bill_run_is_not_found(care):
    assert care.get("/care/bill-runs/999999/").status_code == 404
