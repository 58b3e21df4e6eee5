"""The care console's payment pages as staff use them: an account's payments, the refunds queue (approve, decline
with a reason, pay in a file), and the Direct Debit page's reports: a file that is not a report refused with the
reason, entries nothing could be done with kept to be replayed after a fix or dismissed with a reason.
"""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.common.bacs import reports
from hearth.data.billing.models import BillLine, LedgerEntry
from hearth.data.metering.models import Meter
from hearth.data.payments.models import BacsReport, BacsReportItem, Collection, Mandate, Refund, RefundBatch
from hearth.domain.identity import operations as identity_ops
from hearth.domain.payments import refunds
from tests.integration.billing.invoice_support import Line, make_bill
from tests.integration.payments.account_support import (
    JO,
    bacs_folder_fixture,  # noqa: F401  (a fixture)
    documents_in_tmp_fixture,  # noqa: F401  (a fixture)
    in_credit,
    monthly_direct_debit,
    supplied_account,
    tariff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp", "bacs_folder")]

STAFF_EMAIL = "agent.payments@hearth.example"
STAFF_PASSWORD = "Console4Payments9"
KEPT, APPLIED, DISMISSED = BacsReportItem.Outcome.KEPT, BacsReportItem.Outcome.APPLIED, BacsReportItem.Outcome.DISMISSED


def words(response) -> str:
    text = re.sub(r"</?(span|strong|a|abbr)\b[^>]*>", "", response.content.decode())
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


@pytest.fixture
def care(db) -> Client:
    """A client signed in to the care console through its sign-in page, with the second factor."""
    device: TOTPDevice = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Payments Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def smart_account(credit: str | None = None, name: str = "Jo Bloggs"):
    account = supplied_account(tariff(), meter=Meter.Kind.SMART, name=name)
    if credit is not None:
        in_credit(account, credit, timezone.now() - timedelta(days=5))
    return account


def ask_refund(account, destination=Refund.Destination.CHEQUE) -> Refund:
    return refunds.request_refund(
        account=account,
        destination=destination,
        payee_name="",
        bank_details=None,
        cheque_address="",
        actor=None,
        now=timezone.now(),
    )


def test_an_accounts_payments_page_shows_the_direct_debit_schedule_refunds_and_overdue_bills(care):
    account = smart_account(credit="200.00")
    mandate = monthly_direct_debit(account, amount="85.40", payment_day=1, bank=JO)
    next_month = timezone.localdate() + timedelta(days=20)
    Collection.objects.create(
        account=account,
        mandate=mandate,
        purpose=Collection.Purpose.MONTHLY,
        transaction_code="17",
        amount=Decimal("85.40"),
        collection_date=next_month,
        scheduled_at=timezone.now(),
    )
    ask_refund(account, Refund.Destination.DIRECT_DEBIT_ACCOUNT)
    page = words(care.get(f"/care/accounts/{account.number}/payments/"))
    assert "Payment method Monthly Direct Debit" in page
    assert "Balance £200.00 in credit" in page
    assert f"{mandate.reference}: JO BLOGGS, sort code 089999, account ending 58 — Active" in page
    assert f"{next_month:%a} {next_month.day} {next_month:%b %Y} £85.40 17 Monthly Scheduled" in page
    # £200.00 credit, £85.40 kept back: £114.60.
    assert "£114.60 (credit £200.00, kept back £85.40)" in page
    assert "Waiting for approval — The bank account I pay by Direct Debit from ending 58" in page
    assert "No overdue bills." in page
    assert JO.number not in page


def test_an_overdue_bill_is_listed_with_its_unpaid_part_and_days_overdue(care):
    account = smart_account()
    due = timezone.localdate() - timedelta(days=10)
    bill = make_bill(
        account,
        lines=[Line(BillLine.Kind.ENERGY, "Electricity used", Decimal("120.00"), "kWh", Decimal("1"))],
        period=(date(2026, 9, 1), date(2026, 10, 1)),
        issue_date=due - timedelta(days=14),
        due_date=due,
    )
    page = words(care.get(f"/care/accounts/{account.number}/payments/"))
    assert f"{bill.reference}: £120.00 unpaid, 10 days overdue" in page
    assert "Refer to agency" in page


def test_staff_approve_a_refund_and_pay_it_in_the_bank_file(care, bacs_folder):
    account = smart_account(credit="200.00")
    monthly_direct_debit(account, amount="85.40", bank=JO)
    refund = ask_refund(account, Refund.Destination.DIRECT_DEBIT_ACCOUNT)
    queue = words(care.get("/care/refunds/"))
    assert f"{account.number} Jo Bloggs £114.60 £85.40 kept back" in queue
    assert "28 days left" in queue
    response = care.post(f"/care/refunds/{refund.pk}/approve/", follow=True)
    assert f"Refund to account {account.number} approved." in words(response)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED
    assert refund.decided_by is not None
    assert refund.decided_by.email == STAFF_EMAIL
    response = care.post("/care/refunds/pay/", {"kind": "BANK"}, follow=True)
    batch = RefundBatch.objects.get()
    assert f"1 refunds (£114.60) written to {batch.file_name}." in words(response)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PAID
    assert LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.REFUND).count() == 1
    assert JO.number in refunds.batch_file(batch).read_text()
    again = care.post("/care/refunds/pay/", {"kind": "BANK"}, follow=True)
    assert "No approved refunds are waiting to be paid that way." in words(again)
    assert care.post("/care/refunds/pay/", {"kind": "CASH"}).status_code == 404


def test_declining_a_refund_needs_the_reason_the_customer_is_told(care):
    account = smart_account(credit="50.00")
    refund = ask_refund(account)
    response = care.post(f"/care/refunds/{refund.pk}/decline/", {"reason": ""}, follow=True)
    assert "Give the reason: the customer is told it." in words(response)
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.REQUESTED
    response = care.post(f"/care/refunds/{refund.pk}/decline/", {"reason": "Credit from a billing error"}, follow=True)
    assert f"Refund to account {account.number} declined." in words(response)
    refund.refresh_from_db()
    assert (refund.status, refund.decision_reason) == (Refund.Status.REJECTED, "Credit from a billing error")
    assert "No refunds are waiting." in words(care.get("/care/refunds/"))


def test_a_file_that_is_not_a_bacs_report_is_refused_with_the_reason_and_not_kept(care):
    upload = SimpleUploadedFile("statement.csv", b"date,amount\n2026-12-01,10.00\n", content_type="text/csv")
    response = care.post("/care/bacs/reports/upload/", {"file": upload}, follow=True)
    assert response.redirect_chain[-1][0] == "/care/bacs/"
    assert "statement.csv cannot be read as a Bacs report" in words(response)
    assert not BacsReport.objects.exists()
    nothing = care.post("/care/bacs/reports/upload/", {})
    assert nothing.status_code == 400
    assert "Choose the report file the bank sent." in words(nothing)


def addacs(*references: str) -> bytes:
    """An ADDACS report from the payer's bank: each reference's instruction cancelled (reason code 1)."""
    return reports.write_report(
        reports.Report(
            kind="ADDACS",
            report_date=timezone.localdate(),
            service_user_number="123456",
            service_user_name="HEARTH ENERGY",
            items=[
                reports.ReportItem(
                    line=0,
                    reference=reference,
                    reason_code="1",
                    reason=reports.ADDACS_REASONS["1"],
                    payer_name="JO BLOGGS",
                    effective_date=timezone.localdate(),
                    record_type="A",
                )
                for reference in references
            ],
        )
    )


def test_report_entries_nothing_could_be_done_with_are_kept_then_replayed_or_dismissed(care):
    account = smart_account()
    reference = f"HRTH{account.number}-1"  # the Direct Debit care will find was never set up here
    upload = SimpleUploadedFile("addacs.xml", addacs(reference, "HRTH0000000000-9"), content_type="text/xml")
    response = care.post("/care/bacs/reports/upload/", {"file": upload}, follow=True)
    report = BacsReport.objects.get()
    assert response.redirect_chain[-1][0] == f"/care/bacs/reports/{report.pk}/"
    first, second = BacsReportItem.objects.filter(report=report).order_by("line")
    assert (first.outcome, second.outcome) == (KEPT, KEPT)
    page = words(response)
    assert f"{reference} 1 \u2013 Kept for care staff No Direct Debit has the reference '{reference}'." in page
    assert "Replay" in page
    assert "Dismiss" in page
    assert f"addacs.xml entry {first.line}: No Direct Debit has the reference" in words(care.get("/care/bacs/"))

    response = care.post(f"/care/bacs/items/{first.pk}/replay/", follow=True)
    assert f"Still cannot act on entry {first.line}: No Direct Debit has the reference" in words(response)
    first.refresh_from_db()
    assert first.outcome == KEPT

    mandate = monthly_direct_debit(account, amount="60.00", bank=JO)  # care put the missing instruction right
    assert mandate.reference == reference
    response = care.post(f"/care/bacs/items/{first.pk}/replay/", follow=True)
    first.refresh_from_db()
    assert first.outcome == APPLIED
    assert f"Entry {first.line}: Instruction cancelled by the payer: Direct Debit ended" in words(response)
    assert Mandate.objects.get(pk=mandate.pk).status == Mandate.Status.CANCELLED

    response = care.post(f"/care/bacs/items/{second.pk}/dismiss/", {"reason": " "}, follow=True)
    assert "Give the reason for dismissing the entry." in words(response)
    second.refresh_from_db()
    assert second.outcome == KEPT
    care.post(f"/care/bacs/items/{second.pk}/dismiss/", {"reason": "Not one of ours: told the bank"})
    second.refresh_from_db()
    assert (second.outcome, second.action) == (DISMISSED, f"Dismissed by {STAFF_EMAIL}: Not one of ours: told the bank")
    assert "Nothing is waiting." in words(care.get("/care/bacs/"))
