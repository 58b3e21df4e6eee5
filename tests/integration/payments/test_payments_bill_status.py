"""A bill's status for the customer (Paid / Due / Overdue / Cancelled): payments clear the oldest bill first, and a
bill with any part unpaid after its due date is overdue."""

from datetime import date
from decimal import Decimal

import pytest

from hearth.data.billing.models import Bill, BillLine, LedgerEntry
from hearth.domain.payments import late_payment
from hearth.domain.payments.late_payment import BillStatus
from tests.integration.billing.invoice_support import Line, make_bill
from tests.integration.payments.account_support import (
    at,
    documents_in_tmp_fixture,  # noqa: F401  (a fixture)
    post,
    supplied_account,
    tariff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]


def bill(account, pounds: str, *, due: date, month: int) -> Bill:
    return make_bill(
        account,
        lines=[Line(BillLine.Kind.ENERGY, "Electricity used", Decimal(pounds), "kWh", Decimal("1"))],
        period=(date(2026, month, 1), date(2026, month + 1, 1)),
        issue_date=date(2026, month + 1, 2),
        due_date=due,
        reference=f"INV-{account.number}-{month}",
    )


@pytest.mark.parametrize(
    ("paid", "today", "october", "november"),
    [
        # £100.00 due 16 Nov and £80.00 due 16 Dec. Nothing paid: on 10 Dec the first is late, the second not yet.
        (None, date(2026, 12, 10), BillStatus.OVERDUE, BillStatus.DUE),
        # £50.00 paid leaves £50.00 of October's bill unpaid after its due date.
        ("50.00", date(2026, 12, 10), BillStatus.OVERDUE, BillStatus.DUE),
        # £100.00 paid clears October's bill exactly; November's is untouched and due.
        ("100.00", date(2026, 12, 10), BillStatus.PAID, BillStatus.DUE),
        # £120.00 paid: October's is paid and £60.00 of November's is unpaid after 16 Dec, so overdue on 17 Dec...
        ("120.00", date(2026, 12, 17), BillStatus.PAID, BillStatus.OVERDUE),
        # ... but still only due on its due date itself.
        ("120.00", date(2026, 12, 16), BillStatus.PAID, BillStatus.DUE),
        # £180.00 (or more: a credit) pays both.
        ("180.00", date(2026, 12, 24), BillStatus.PAID, BillStatus.PAID),
        ("200.00", date(2026, 12, 24), BillStatus.PAID, BillStatus.PAID),
    ],
)
def test_payments_clear_the_oldest_bill_first(paid, today, october, november):
    account = supplied_account(tariff())
    first = bill(account, "100.00", due=date(2026, 11, 16), month=10)
    second = bill(account, "80.00", due=date(2026, 12, 16), month=11)
    if paid:
        post(account, LedgerEntry.Kind.PAYMENT, f"-{paid}", at(date(2026, 12, 1)))
    assert (late_payment.bill_status(first, today), late_payment.bill_status(second, today)) == (october, november)
    assert late_payment.bill_statuses(account, today) == {first.pk: october, second.pk: november}


def test_a_cancelled_bill_says_so_and_owes_nothing():
    account = supplied_account(tariff())
    first = bill(account, "100.00", due=date(2026, 11, 16), month=10)
    Bill.objects.filter(pk=first.pk).update(status=Bill.Status.CANCELLED, cancelled_at=at(date(2026, 11, 20)))
    post(account, LedgerEntry.Kind.CREDIT, "-100.00", at(date(2026, 11, 20)))
    first.refresh_from_db()
    assert late_payment.bill_status(first, date(2026, 12, 1)) == BillStatus.CANCELLED
    assert BillStatus.OVERDUE.label == "Overdue"
