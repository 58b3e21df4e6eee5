"""Refunds of credit (T&C 12): a recent reading first (12.1), one month's Direct Debit kept back from a current
Direct Debit customer (12.2), a leaver refunded after the final bill (12.3), paid within 28 days (12.4), and bank
details checked, sealed and written whole only in the bank's refund file.
"""

import csv
import io
import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Supply
from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import Bill, BillLine, LedgerEntry
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter
from hearth.data.payments.models import Refund, RefundBatch
from hearth.domain.billing import queries as billing_queries
from hearth.domain.payments import refunds
from tests.integration.billing.invoice_support import Line, make_bill
from tests.integration.payments.account_support import (
    at,
    bacs_folder_fixture,  # noqa: F401  (a fixture)
    in_credit,
    monthly_direct_debit,
    post,
    read_meter,
    supplied_account,
    tariff,
)
from tests.integration.payments.support import FAILS_MODULUS, JO, SAM

pytestmark = pytest.mark.django_db

Destination = Refund.Destination
Status = Refund.Status
TODAY = date(2026, 10, 29)  # a Thursday
NOW = at(TODAY)
PAID_IN = at(date(2026, 10, 1))


@pytest.fixture
def agent() -> User:
    return User.objects.create_user("casey@hearth.example", kind=User.Kind.STAFF)


def smart_account(credit: str | None = None):
    account = supplied_account(tariff(), meter=Meter.Kind.SMART)
    if credit is not None:
        in_credit(account, credit, PAID_IN)
    return account


def ask(account, destination=Destination.CHEQUE, *, bank=None, now=NOW):
    return refunds.request_refund(
        account=account,
        destination=destination,
        payee_name="",
        bank_details=bank.details() if bank else None,
        cheque_address="",
        actor=None,
        now=now,
    )


def test_a_direct_debit_customer_is_refunded_the_credit_less_one_months_direct_debit():
    account = smart_account(credit="200.00")
    monthly_direct_debit(account, amount="85.40")
    quote = refunds.quote(account=account, now=NOW)
    # £200.00 credit - £85.40 kept back = £114.60.
    assert (quote.credit, quote.kept_back, quote.amount) == (Decimal("200.00"), Decimal("85.40"), Decimal("114.60"))
    refund = ask(account, Destination.DIRECT_DEBIT_ACCOUNT)
    assert (refund.amount, refund.kept_back, refund.credit_at_request) == (
        Decimal("114.60"),
        Decimal("85.40"),
        Decimal("200.00"),
    )
    assert (refund.sort_code, refund.account_number_last2) == (JO.sort_code, "58")


def test_a_credit_no_more_than_one_months_direct_debit_is_all_kept_back_and_never_negative():
    account = smart_account(credit="60.00")
    monthly_direct_debit(account, amount="85.40")
    quote = refunds.quote(account=account, now=NOW)
    assert (quote.kept_back, quote.amount) == (Decimal("60.00"), Decimal("0.00"))
    with pytest.raises(refunds.RefundRefused, match=r"no more than one month's Direct Debit \(£85.40\).*T&C 12.2"):
        ask(account)
    assert not Refund.objects.exists()


def test_an_account_not_in_credit_has_nothing_to_refund():
    account = smart_account()
    post(account, LedgerEntry.Kind.CHARGE, "12.00", PAID_IN)
    with pytest.raises(refunds.RefundRefused, match="not in credit"):
        ask(account)


def test_without_a_smart_meter_a_reading_from_the_last_14_days_is_needed_first():
    account = supplied_account(tariff(), meter=Meter.Kind.CREDIT)
    in_credit(account, "150.00", PAID_IN)
    read_meter(account, at(TODAY - timedelta(days=40)))
    assert refunds.quote(account=account, now=NOW).needs_reading
    with pytest.raises(refunds.RefundRefused, match=r"meter reading first \(T&C 12.1\)"):
        ask(account)
    read_meter(account, at(TODAY - timedelta(days=2)), value="12400")
    refund = ask(account)
    assert (refund.status, refund.amount) == (Status.REQUESTED, Decimal("150.00"))
    assert refund.reading is not None
    assert refund.reading.value == Decimal("12400")


@pytest.mark.parametrize(
    ("read_at", "recent"),
    [
        # Thu 15 Oct is 14 days before Thu 29 Oct: within the last 14 days, early in the morning or not.
        (at(date(2026, 10, 15), hour=8), True),
        # Wed 14 Oct is 15 days before, even late in the evening.
        (at(date(2026, 10, 14), hour=23), False),
    ],
)
def test_a_reading_14_days_old_is_recent_and_one_15_days_old_is_not(read_at, recent):
    account = supplied_account(tariff(), meter=Meter.Kind.CREDIT)
    in_credit(account, "150.00", PAID_IN)
    read_meter(account, read_at)
    assert refunds.quote(account=account, now=NOW).needs_reading is not recent


def test_a_refund_is_due_28_days_after_the_request_and_only_one_is_open_at_a_time():
    account = smart_account(credit="150.00")
    refund = ask(account)
    # 29 October + 28 days: 2 days to the end of October, 26 in November = 26 November 2026.
    assert refund.due_date == date(2026, 11, 26)
    assert refunds.days_left(refund, TODAY) == 28
    with pytest.raises(refunds.RefundRefused, match="already have a refund on its way"):
        ask(account)
    assert Refund.objects.count() == 1


def test_another_bank_account_is_modulus_checked_and_only_its_last_two_digits_are_kept_readable():
    account = smart_account(credit="150.00")
    with pytest.raises(refunds.RefundRefused, match="do not match"):
        ask(account, Destination.OTHER_ACCOUNT, bank=FAILS_MODULUS)
    refund = ask(account, Destination.OTHER_ACCOUNT, bank=SAM)
    assert (refund.sort_code, refund.account_number_last2, refund.payee_name) == ("107999", "91", "SAM PATEL")
    texts = [str(value) for value in Refund.objects.filter(pk=refund.pk).values().get().values()]
    assert not [text for text in texts if SAM.number in text]
    assert refund.account_number_sealed  # kept, sealed, for the bank file
    assert not AuditEvent.objects.filter(after__icontains=SAM.number).exists()
    assert AuditEvent.objects.get(action="payments.refund_requested").after["account_number"] == "ending 91"


def test_paying_into_the_direct_debit_account_needs_an_active_direct_debit():
    account = smart_account(credit="150.00")
    with pytest.raises(refunds.RefundRefused, match="no active Direct Debit"):
        ask(account, Destination.DIRECT_DEBIT_ACCOUNT)


def leaving(account, *, supply_ended: date) -> None:
    Supply.objects.filter(account=account).update(valid_to=supply_ended)


def final_bill(account) -> Bill:
    bill = make_bill(
        account,
        lines=[Line(BillLine.Kind.ENERGY, "Electricity used", Decimal("100"), "kWh", Decimal("0.25"))],
        period=(date(2026, 10, 1), date(2026, 10, 20)),
        issue_date=date(2026, 11, 20),
        due_date=date(2026, 12, 4),
        reference=f"FIN-{account.number}",
    )
    Bill.objects.filter(pk=bill.pk).update(is_final=True)
    return bill


def test_a_customer_switching_away_is_refunded_after_the_final_bill():
    account = supplied_account(tariff(), meter=Meter.Kind.CREDIT)
    in_credit(account, "150.00", PAID_IN)
    monthly_direct_debit(account, amount="85.40")
    leaving(account, supply_ended=date(2026, 10, 20))
    quote = refunds.quote(account=account, now=NOW)
    # 12.3, not 12.1 or 12.2: the final bill's reading is the one that counts, and a leaver is not a current Direct
    # Debit customer, so nothing is kept back for a next month.
    assert (quote.waits_for_final_bill, quote.needs_reading) == (True, False)
    assert (quote.kept_back, quote.amount) == (Decimal("0.00"), Decimal("150.00"))
    refund = ask(account)
    assert refund.status == Status.WAITING_FINAL_BILL
    assert refunds.release_after_final_bill(now=NOW) == []
    final_bill(account)  # £25.00 of energy: the credit is now £125.00
    released = refunds.release_after_final_bill(now=at(date(2026, 11, 20)))
    assert [r.pk for r in released] == [refund.pk]
    assert Refund.objects.get(pk=refund.pk).status == Status.REQUESTED
    assert AuditEvent.objects.filter(action="payments.refund_final_bill_issued").count() == 1
    approved = refunds.approve_refund(refund=refund, actor=User.objects.create_user("a@h.example"), now=NOW)
    assert (approved.amount, approved.kept_back) == (Decimal("125.00"), Decimal("0.00"))


def test_a_refund_waiting_for_the_final_bill_cannot_be_approved_before_it(agent):
    account = smart_account(credit="150.00")
    leaving(account, supply_ended=date(2026, 10, 20))
    refund = ask(account)
    with pytest.raises(refunds.RefundRefused, match="final bill has not been issued"):
        refunds.approve_refund(refund=refund, actor=agent, now=NOW)


def test_approval_works_the_amount_out_again_from_the_balance_that_day(agent):
    account = smart_account(credit="200.00")
    monthly_direct_debit(account, amount="85.40")
    refund = ask(account, Destination.DIRECT_DEBIT_ACCOUNT)
    assert refund.amount == Decimal("114.60")
    post(account, LedgerEntry.Kind.CHARGE, "45.50", at(TODAY + timedelta(days=3)))
    approved = refunds.approve_refund(refund=refund, actor=agent, now=at(TODAY + timedelta(days=5)))
    # The credit is now £200.00 - £45.50 = £154.50; less £85.40 kept back = £69.10.
    assert (approved.status, approved.amount, approved.kept_back) == (
        Status.APPROVED,
        Decimal("69.10"),
        Decimal("85.40"),
    )
    assert approved.decided_by == agent
    event = AuditEvent.objects.get(action="payments.refund_approved")
    assert (event.before["amount"], event.after["amount"], event.actor) == ("114.60", "69.10", agent)


def test_approval_is_refused_when_no_credit_is_left(agent):
    account = smart_account(credit="100.00")
    refund = ask(account)
    post(account, LedgerEntry.Kind.CHARGE, "100.00", at(TODAY + timedelta(days=1)))
    with pytest.raises(refunds.RefundRefused, match="no credit left"):
        refunds.approve_refund(refund=refund, actor=agent, now=at(TODAY + timedelta(days=2)))
    assert Refund.objects.get(pk=refund.pk).status == Status.REQUESTED


def test_declining_needs_a_reason_the_customer_is_told(agent):
    account = smart_account(credit="100.00")
    refund = ask(account)
    with pytest.raises(refunds.RefundRefused, match="Give the reason"):
        refunds.reject_refund(refund=refund, reason="   ", actor=agent, now=NOW)
    declined = refunds.reject_refund(refund=refund, reason="The credit was a billing error", actor=agent, now=NOW)
    assert (declined.status, declined.decision_reason) == (Status.REJECTED, "The credit was a billing error")
    assert AuditEvent.objects.get(action="payments.refund_declined").after["reason"] == "The credit was a billing error"
    with pytest.raises(refunds.RefundRefused, match="declined; it cannot be approved"):
        refunds.approve_refund(refund=declined, actor=agent, now=NOW)


def read_csv(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_approved_refunds_are_paid_in_a_bank_file_and_a_cheque_list_each_posting_one_refund(agent, bacs_folder, caplog):
    caplog.set_level(logging.DEBUG)
    by_direct_debit = smart_account(credit="200.00")
    monthly_direct_debit(by_direct_debit, amount="85.40", bank=JO)
    elsewhere = smart_account(credit="75.25")
    by_cheque = smart_account(credit="40.00")
    asked = [
        ask(by_direct_debit, Destination.DIRECT_DEBIT_ACCOUNT),
        ask(elsewhere, Destination.OTHER_ACCOUNT, bank=SAM),
        ask(by_cheque, Destination.CHEQUE),
    ]
    for refund in asked:
        refunds.approve_refund(refund=refund, actor=agent, now=NOW)
    paid_at = at(TODAY + timedelta(days=1))

    bank = refunds.pay_approved(kind=RefundBatch.Kind.BANK, created_by=agent.email, now=paid_at)
    assert bank is not None
    # £114.60 (200.00 - 85.40 kept back) + £75.25 = £189.85.
    assert (bank.refund_count, bank.total) == (2, Decimal("189.85"))
    rows = read_csv(refunds.batch_file(bank))
    assert [(r["sort_code"], r["account_number"], r["amount"]) for r in rows] == [
        ("089999", "66374958", "114.60"),
        ("107999", "88837491", "75.25"),
    ]
    assert Refund.objects.get(pk=asked[2].pk).status == Status.APPROVED  # the cheque is not in the bank file
    assert refunds.pay_approved(kind=RefundBatch.Kind.BANK, created_by=agent.email, now=paid_at) is None

    cheques = refunds.pay_approved(kind=RefundBatch.Kind.CHEQUE, created_by=agent.email, now=paid_at)
    assert cheques is not None
    assert (cheques.refund_count, cheques.total) == (1, Decimal("40.00"))
    cheque_rows = read_csv(refunds.batch_file(cheques))
    assert [(r["payee"], r["amount"]) for r in cheque_rows] == [("Jo Bloggs", "40.00")]
    assert "LS1 4AP" in cheque_rows[0]["address"]

    for refund in asked:
        refund.refresh_from_db()
        assert refund.status == Status.PAID
        entries = LedgerEntry.objects.filter(account=refund.account, kind=LedgerEntry.Kind.REFUND)
        assert [entry.amount for entry in entries] == [refund.amount]
        assert refund.ledger_entry == entries.get()
    # What stays on each account is what was kept back: -£85.40, and nothing for the others.
    assert [billing_queries.balance_of(r.account) for r in asked] == [
        Decimal("-85.40"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    actions = AuditEvent.objects.filter(subject=f"account {by_direct_debit.number}").values_list("action", flat=True)
    assert list(actions.order_by("id")) == [
        "payments.refund_requested",
        "payments.refund_approved",
        "payments.refund_paid",
    ]
    # The whole account numbers are in the bank's file and nowhere else: not in the rows, the audit or the logs.
    for number in (JO.number, SAM.number):
        assert number not in caplog.text
        assert not AuditEvent.objects.filter(after__icontains=number).exists()
        assert not Refund.objects.filter(account_number_sealed__contains=number).exists()
        assert not LedgerEntry.objects.filter(description__contains=number).exists()
        assert number not in refunds.batch_file(cheques).read_text()
