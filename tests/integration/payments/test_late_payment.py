"""Late payment (T&C 10.1): a reminder 7 days after the due date and a final notice after 21, once each; payments
clear the oldest bill first; a working Direct Debit is not chased; interest at 4 % above base rate every 28 days
(10.1.8); referral to a debt collection agency (10.1.3) and the agency's file.
"""

import csv
import io
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import AdditionalCharge, BaseRate, BillLine, LedgerEntry
from hearth.data.documents.models import Delivery, Document
from hearth.data.identity.models import User
from hearth.data.payments.models import Collection, DebtReferral, PaymentReminder
from hearth.domain.payments import late_payment
from tests.integration.billing.invoice_support import Line, make_bill
from tests.integration.payments.account_support import (
    PENNY,
    at,
    bacs_folder_fixture,  # noqa: F401  (a fixture)
    documents_in_tmp_fixture,  # noqa: F401  (a fixture)
    monthly_direct_debit,
    pdf_text,
    post,
    supplied_account,
    tariff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

Stage = PaymentReminder.Stage
DUE = date(2026, 11, 16)


def bill(account, pounds: str, *, due: date = DUE, month: int = 10):
    """An issued bill of ``pounds`` for the month ``month`` of 2026 (a kWh at £1 a kWh, so the total is exact)."""
    return make_bill(
        account,
        lines=[Line(BillLine.Kind.ENERGY, "Electricity used", Decimal(pounds), "kWh", Decimal("1"))],
        period=(date(2026, month, 1), date(2026, month + 1, 1)),
        issue_date=due - timedelta(days=14),
        due_date=due,
        reference=f"INV-{account.number}-{month}",
    )


def remind(today: date) -> list[PaymentReminder]:
    return late_payment.send_reminders(today=today, now=at(today, hour=6))


def test_a_reminder_goes_7_days_after_the_due_date_and_a_final_notice_after_21_each_once():
    account = supplied_account(tariff())
    overdue = bill(account, "250.00")
    assert remind(DUE + timedelta(days=6)) == []  # Sun 22 Nov: 6 days late
    sent = remind(DUE + timedelta(days=7))  # Mon 23 Nov
    assert [(r.bill, r.stage, r.overdue_amount) for r in sent] == [(overdue, Stage.REMINDER, Decimal("250.00"))]
    assert remind(DUE + timedelta(days=7)) == []  # the job run again that day
    assert remind(DUE + timedelta(days=20)) == []
    final = remind(DUE + timedelta(days=21))  # Mon 7 Dec
    assert [(r.stage, r.overdue_amount) for r in final] == [(Stage.FINAL_NOTICE, Decimal("250.00"))]
    assert remind(DUE + timedelta(days=21)) == []
    assert remind(DUE + timedelta(days=22)) == []
    documents = Document.objects.filter(account=account, document_type__code="PAYMENT_REMINDER").order_by("id")
    assert [d.reference for d in documents] == [f"REM-{overdue.reference}", f"FIN-{overdue.reference}"]
    for document in documents:  # no login on the account: each goes by post
        assert list(Delivery.objects.filter(document=document).values_list("channel", flat=True)) == ["POST"]
    reminder_words, final_words = (pdf_text(d) for d in documents)
    assert "£250.00" in reminder_words
    assert "16 November 2026" in reminder_words
    assert "debt collection agency" in final_words
    assert "debt collection agency" not in reminder_words


@pytest.mark.parametrize(
    ("paid", "unpaid"),
    [
        # Bills of £100.00 (due 16 Nov) and £80.00 (due 16 Dec). £120.00 paid clears the £100.00 first and leaves
        # £80.00 - £20.00 = £60.00 of the second.
        ("120.00", [("INV-11", Decimal("60.00"))]),
        # £50.00 paid leaves £50.00 of the first and all £80.00 of the second.
        ("50.00", [("INV-10", Decimal("50.00")), ("INV-11", Decimal("80.00"))]),
    ],
)
def test_payments_clear_the_oldest_bill_first(paid, unpaid):
    account = supplied_account(tariff())
    bill(account, "100.00", due=date(2026, 11, 16), month=10)
    bill(account, "80.00", due=date(2026, 12, 16), month=11)
    post(account, LedgerEntry.Kind.PAYMENT, f"-{paid}", at(date(2026, 12, 1)))
    overdue = late_payment.overdue_bills_of(account, date(2026, 12, 24))
    assert [(o.bill.reference.replace(f"-{account.number}", ""), o.unpaid) for o in overdue] == unpaid


def returned_unpaid(mandate, day: date) -> Collection:
    return Collection.objects.create(
        account=mandate.account,
        mandate=mandate,
        purpose=Collection.Purpose.MONTHLY,
        transaction_code="17",
        amount=Decimal("80.00"),
        collection_date=day,
        status=Collection.Status.UNPAID,
        scheduled_at=at(day - timedelta(days=20)),
        outcome="ARUDD 0: refer to payer",
    )


def test_an_account_paying_by_a_working_direct_debit_is_not_chased():
    account = supplied_account(tariff())
    monthly_direct_debit(account, amount="80.00")
    bill(account, "250.00")
    assert remind(DUE + timedelta(days=7)) == []
    assert late_payment.charge_interest(today=DUE + timedelta(days=28), now=at(DUE + timedelta(days=28))) == []


@pytest.mark.parametrize(
    ("returned_days_before", "chased"),
    [(60, True), (61, False)],  # a collection returned in the last 60 days puts the account back in scope
)
def test_a_direct_debit_with_a_collection_returned_in_the_last_60_days_is_chased(returned_days_before, chased):
    account = supplied_account(tariff())
    mandate = monthly_direct_debit(account, amount="80.00")
    bill(account, "250.00")
    today = DUE + timedelta(days=7)
    returned_unpaid(mandate, today - timedelta(days=returned_days_before))
    assert len(remind(today)) == (1 if chased else 0)


@pytest.fixture
def base_rate() -> Decimal:
    """Only the base rate this test sets (the migration seeds the Bank's real ones): 3.75 % all along."""
    BaseRate.objects.all().delete()
    BaseRate.objects.create(effective_date=date(2026, 1, 1), percent=Decimal("3.75"))
    return Decimal("3.75")


def interest(principal: str, percent: Decimal, days: int) -> Decimal:
    """Simple interest at ``percent`` + 4 % a year over ``days`` of a 365-day year, to the nearest penny."""
    exact = Decimal(principal) * (percent + 4) / 100 * days / 365
    return exact.quantize(PENNY, rounding=ROUND_HALF_UP)


def test_interest_at_4_percent_above_base_rate_is_charged_28_days_after_the_due_date_then_every_28_days(base_rate):
    account = supplied_account(tariff())
    overdue = bill(account, "250.00")

    def charge(days_after_due: int) -> list[AdditionalCharge]:
        today = DUE + timedelta(days=days_after_due)
        return late_payment.charge_interest(today=today, now=at(today, hour=6))

    assert charge(27) == []
    first = charge(28)  # Mon 14 Dec 2026: 16 Nov to 13 Dec, 28 days
    # £250.00 x 7.75 % x 28 / 365 = £1.48630... -> £1.49.
    assert interest("250.00", base_rate, 28) == Decimal("1.49")
    assert [(c.kind, c.amount, c.details["bill"]) for c in first] == [
        (AdditionalCharge.Kind.LATE_PAYMENT_INTEREST, Decimal("1.49"), overdue.pk)
    ]
    assert (first[0].details["start_date"], first[0].details["end_date"]) == ("2026-11-16", "2026-12-14")
    assert charge(28) == []
    assert charge(29) == []
    assert charge(55) == []
    second = charge(56)  # Mon 11 Jan 2027: 14 Dec to 10 Jan, 28 more days at the same rate
    assert [(c.amount, c.details["start_date"], c.details["end_date"]) for c in second] == [
        (interest("250.00", base_rate, 28), "2026-12-14", "2027-01-11")
    ]


@pytest.fixture
def agent() -> User:
    return User.objects.create_user("casey@hearth.example", kind=User.Kind.STAFF)


def test_a_referral_needs_a_reason_and_an_overdue_bill(agent):
    account = supplied_account(tariff())
    with pytest.raises(late_payment.ReferralRefused, match="Give the reason"):
        late_payment.refer_to_agency(account=account, reason=" ", actor=agent, now=at(DUE + timedelta(days=40)))
    bill(account, "250.00")
    with pytest.raises(late_payment.ReferralRefused, match="no overdue bill"):
        late_payment.refer_to_agency(account=account, reason="No contact", actor=agent, now=at(DUE))
    assert not DebtReferral.objects.exists()


def test_referrals_are_written_to_one_file_for_the_agency_and_not_again(agent, bacs_folder):
    account = supplied_account(tariff(), name="Sam Debtor")
    bill(account, "100.00", due=date(2026, 11, 16), month=10)
    bill(account, "80.00", due=date(2026, 12, 16), month=11)
    post(account, LedgerEntry.Kind.PAYMENT, "-30.00", at(date(2026, 12, 1)))
    now = at(date(2027, 1, 20))
    referral = late_payment.refer_to_agency(
        account=account, reason="No reply to the final notice", actor=agent, now=now
    )
    # £100.00 + £80.00 - £30.00 = £150.00 unpaid, the oldest part due 16 November 2026.
    assert (referral.amount, referral.oldest_due_date) == (Decimal("150.00"), date(2026, 11, 16))
    with pytest.raises(late_payment.ReferralRefused, match="already waiting"):
        late_payment.refer_to_agency(account=account, reason="Again", actor=agent, now=now)
    assert AuditEvent.objects.get(action="payments.debt_referred").after["amount"] == "150.00"
    path = late_payment.export_referrals(now=now)
    assert path is not None
    assert path.parent == bacs_folder / "referrals"
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [(r["account"], r["name"], r["amount"], r["oldest_due_date"]) for r in rows] == [
        (account.number, "Sam Debtor", "150.00", "2026-11-16")
    ]
    assert late_payment.export_referrals(now=at(date(2027, 1, 21))) is None
    assert len(list((bacs_folder / "referrals").iterdir())) == 1
