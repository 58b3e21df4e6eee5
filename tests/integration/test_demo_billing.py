"""The demo supplier's billing history: monthly readings, a bill run the day after each month, Direct Debit paid."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from hearth.data.billing.models import Bill, LedgerEntry
from hearth.domain.billing import queries as billing_queries
from hearth.domain.demo import supplier
from tests.integration.billing.invoice_support import use_documents_folder

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # October's bills issued on 2 November, due on the 16th
ACCOUNTS = ("1000000011", "1000000012", "2000000021", "2000000022", "3000000031")


@pytest.fixture
def demo(db, monkeypatch, tmp_path) -> None:
    use_documents_folder(monkeypatch, tmp_path)
    supplier.load_demo_supplier(now=NOW)


def test_the_demo_bills_each_month_from_april_with_pdfs_estimates_and_direct_debits(demo):
    """One demo load (it renders 35 PDFs) checked for everything its history promises."""
    for number in ACCOUNTS:
        bills = list(Bill.objects.filter(account__number=number).order_by("period_start_date"))
        assert [bill.period_start_date for bill in bills] == [date(2026, month, 1) for month in range(4, 11)]
        assert [bill.issue_date for bill in bills] == [date(2026, month, 2) for month in range(5, 12)]
        assert all(bill.document is not None for bill in bills)

    # The bakery's electricity and Sam Patel pay each bill by bank transfer on its due date. October's bills (due 16
    # November) are not due yet; Sam has left September's (due 16 October) unpaid.
    unpaid = {
        "2000000021": {"INV-2000000021-20261001"},
        "3000000031": {"INV-3000000031-20260901", "INV-3000000031-20261001"},
    }
    for number, left in unpaid.items():
        bills = list(Bill.objects.filter(account__number=number))
        paid = {
            entry.external_reference for entry in LedgerEntry.objects.filter(account__number=number, kind="PAYMENT")
        }
        assert paid == {f"BANK-{bill.reference}" for bill in bills if bill.reference not in left}
        assert billing_queries.balance_of(bills[0].account) == sum(
            (bill.total for bill in bills if bill.reference in left), Decimal("0.00")
        )

    # Direct Debit accounts pay a collection a month from May on their payment day (the 5th, or the bakery's gas on
    # the 20th), moved to the next Bacs day: 5 May ... 5 November for the household (7), 20 May ... 20 October for the
    # bakery (6); every payment is a collected collection's.
    for number, expected in {"1000000011": 7, "1000000012": 7, "2000000022": 6}.items():
        payments = LedgerEntry.objects.filter(account__number=number, kind="PAYMENT")
        assert payments.count() == expected
        assert all(entry.collection.mandate.account.number == number for entry in payments)

    # Only the household's electricity misses its latest reading, so of the history only that bill is estimated; the
    # household on the debt path has had no reading since its opening one, so its one bill (August's) is estimated.
    estimated = set(Bill.objects.filter(is_estimated=True).values_list("reference", flat=True))
    assert estimated == {"INV-1000000011-20261001", "INV-7200000072-20260801"}

    # Cardiff flat, Standard Variable Tariff at 26.11p/kWh and 57.19p/day with VAT (24.8667p and 54.4667p without).
    # Readings 7731 on 1 April and 7874 on 1 May (1,800 kWh a year x 0.95 / 12 = 142.5, rounded to the even unit):
    # 143 kWh x 24.8667p = £35.56; 30 days x 54.4667p = £16.34; VAT 5% of £51.90 = £2.595 -> £2.60; £54.50.
    assert Bill.objects.get(reference="INV-3000000031-20260401").total == Decimal("54.50")
