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
        # Paid by Direct Debit on each due date; October's bill (due 16 November) is still owed.
        assert billing_queries.balance_of(bills[-1].account) == bills[-1].total
        assert LedgerEntry.objects.filter(account=bills[-1].account, kind=LedgerEntry.Kind.PAYMENT).count() == 6

    # Only the household's electricity misses its latest reading, so only that bill is estimated.
    estimated = set(Bill.objects.filter(is_estimated=True).values_list("reference", flat=True))
    assert estimated == {"INV-1000000011-20261001"}

    # Cardiff flat, Standard Variable Tariff at 26.11p/kWh and 57.19p/day with VAT (24.8667p and 54.4667p without).
    # Readings 7731 on 1 April and 7874 on 1 May (1,800 kWh a year x 0.95 / 12 = 142.5, rounded to the even unit):
    # 143 kWh x 24.8667p = £35.56; 30 days x 54.4667p = £16.34; VAT 5% of £51.90 = £2.595 -> £2.60; £54.50.
    assert Bill.objects.get(reference="INV-3000000031-20260401").total == Decimal("54.50")
