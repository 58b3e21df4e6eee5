"""The six-monthly Direct Debit review (T&C 9.4.4): due 182 days after sign-up or the last review; the amount changes
only past the threshold, either way, and then the customer gets a notice saying why, with the figures.

The recommended amount is steered by the balance: with the year's expected cost A, a balance of 12 x R - A makes the
monthly amount (A + balance) / 12 exactly R.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hearth.data.billing.models import LedgerEntry
from hearth.data.documents.models import Document
from hearth.data.payments.models import Collection, DirectDebitReview, PaymentArrangement, Refund
from hearth.domain.payments import estimates, reviews
from tests.integration.payments.account_support import (
    at,
    documents_in_tmp_fixture,  # noqa: F401  (a fixture)
    monthly_direct_debit,
    pdf_text,
    post,
    supplied_account,
    tariff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

SIGNED_UP = date(2026, 1, 5)
REVIEW_DAY = date(2026, 7, 6)  # a Monday, 182 days after 5 January 2026
NOW = at(REVIEW_DAY)


def test_a_review_is_due_182_days_after_sign_up_and_then_182_days_after_the_last_review():
    account = supplied_account(tariff())
    monthly_direct_debit(account, amount="100.00", signed_up=SIGNED_UP)
    arrangement = PaymentArrangement.objects.get(account=account)
    # 5 January + 181 days: 26 days to the end of January, then 28 + 31 + 30 + 31 + 30 = 176, 5 into July.
    assert not reviews.due_for_review(arrangement, date(2026, 7, 5))
    assert reviews.arrangements_due(date(2026, 7, 5)) == []
    assert reviews.due_for_review(arrangement, REVIEW_DAY)
    assert reviews.arrangements_due(REVIEW_DAY) == [arrangement]
    reviews.review_account(account=account, today=REVIEW_DAY, now=NOW)
    arrangement.refresh_from_db()
    assert arrangement.last_reviewed_date == REVIEW_DAY
    # 6 July + 182 days: 25 to the end of July, then 31 + 30 + 31 + 30 + 31 = 178, 4 into January 2027.
    assert reviews.arrangements_due(date(2027, 1, 3)) == []
    assert reviews.arrangements_due(date(2027, 1, 4)) == [arrangement]


def balance_for(account, recommended: str) -> Decimal:
    """Post the balance that makes the recommended monthly amount exactly ``recommended``; return it."""
    annual_cost = estimates.annual_estimate(account=account, at=NOW).annual_cost
    balance = 12 * Decimal(recommended) - annual_cost
    post(account, LedgerEntry.Kind.CHARGE if balance > 0 else LedgerEntry.Kind.PAYMENT, str(balance), at(SIGNED_UP))
    return balance


@pytest.mark.parametrize(
    ("current", "recommended", "changes"),
    [
        # From £100.00, 10 % (£10.00) is the larger threshold: a difference must be more than it, either way.
        ("100.00", "110.00", False),
        ("100.00", "110.01", True),
        ("100.00", "90.00", False),
        ("100.00", "89.99", True),
        # From £40.00, £5.00 is the larger threshold (10 % is £4.00).
        ("40.00", "45.00", False),
        ("40.00", "45.01", True),
        ("40.00", "35.00", False),
        ("40.00", "34.99", True),
    ],
)
def test_the_amount_changes_only_when_the_difference_passes_both_thresholds(current, recommended, changes):
    account = supplied_account(tariff())
    monthly_direct_debit(account, amount=current, payment_day=20, signed_up=SIGNED_UP)
    balance_for(account, recommended)
    review = reviews.review_account(account=account, today=REVIEW_DAY, now=NOW)
    assert (review.previous_amount, review.recommended_amount, review.changed) == (
        Decimal(current),
        Decimal(recommended),
        changes,
    )
    arrangement = PaymentArrangement.objects.get(account=account)
    assert arrangement.regular_amount == Decimal(recommended if changes else current)
    notices = Document.objects.filter(account=account, document_type__code="PAYMENT_NOTICE")
    assert notices.count() == (1 if changes else 0)
    assert (review.notice is not None) is changes


def test_a_changed_amount_is_collected_after_a_notice_that_gives_the_expected_cost_and_the_balance():
    account = supplied_account(tariff())
    mandate = monthly_direct_debit(account, amount="100.00", payment_day=20, signed_up=SIGNED_UP)
    announced = [
        Collection.objects.create(
            account=account,
            mandate=mandate,
            purpose=Collection.Purpose.MONTHLY,
            transaction_code="17",
            amount=Decimal("100.00"),
            collection_date=day,
            scheduled_at=at(date(2026, 6, 1)),
        )
        for day in (date(2026, 7, 20), date(2026, 8, 20))
    ]
    balance = balance_for(account, "125.50")
    annual_cost = estimates.annual_estimate(account=account, at=NOW).annual_cost
    review = reviews.review_account(account=account, today=REVIEW_DAY, now=NOW)
    assert review.changed
    assert review.notice is not None
    # The notice is posted on Mon 6 July (no login takes it by e-mail), deemed delivered Wed 8 July; ten working
    # days later is Wed 22 July. 20 July was announced before and stays at £100.00; 20 August onwards is £125.50.
    kept, replaced = (Collection.objects.get(pk=c.pk) for c in announced)
    assert (kept.status, kept.amount) == (Collection.Status.SCHEDULED, Decimal("100.00"))
    assert replaced.status == Collection.Status.CANCELLED
    upcoming = Collection.objects.filter(account=account, status=Collection.Status.SCHEDULED).order_by(
        "collection_date"
    )
    assert [(c.collection_date, c.amount) for c in upcoming[:3]] == [
        (date(2026, 7, 20), Decimal("100.00")),
        (date(2026, 8, 20), Decimal("125.50")),
        (date(2026, 9, 21), Decimal("125.50")),  # 20 September 2026 is a Sunday
    ]
    words = pdf_text(review.notice)
    assert f"£{annual_cost:,.2f} over the next 12 months" in words
    assert f"your balance is £{balance:,.2f} to pay" in words
    assert "from £100.00 to £125.50" in words
    assert review.workings["annual_cost"] == str(annual_cost)
    assert review.workings["balance"] == str(balance)


def test_credit_already_being_refunded_does_not_lower_the_new_amount():
    account = supplied_account(tariff())
    monthly_direct_debit(account, amount="60.00", payment_day=20, signed_up=SIGNED_UP)
    balance = balance_for(account, "90.00")  # (A + balance) / 12 = 90.00 exactly
    Refund.objects.create(
        account=account,
        status=Refund.Status.REQUESTED,
        requested_at=at(date(2026, 7, 1)),
        due_date=date(2026, 7, 29),
        credit_at_request=Decimal("200.00"),
        amount=Decimal("60.00"),
        destination=Refund.Destination.CHEQUE,
        payee_name="A customer",
        cheque_address="1 Test Street",
    )
    review = reviews.review_account(account=account, today=REVIEW_DAY, now=NOW)
    # The £60.00 being refunded leaves the account, so the year needs (A + balance + 60) / 12 = 90.00 + 5.00.
    assert review.recommended_amount == Decimal("95.00")
    assert review.workings["balance"] == str(balance + Decimal("60.00"))
    assert review.workings["refund_on_its_way"] == "60.00"


def test_reviewing_twice_the_same_day_returns_the_first_review():
    account = supplied_account(tariff())
    monthly_direct_debit(account, amount="100.00", payment_day=20, signed_up=SIGNED_UP)
    balance_for(account, "130.00")
    first = reviews.review_account(account=account, today=REVIEW_DAY, now=NOW)
    again = reviews.review_account(account=account, today=REVIEW_DAY, now=NOW + timedelta(hours=3))
    assert again.pk == first.pk
    assert DirectDebitReview.objects.count() == 1
    assert Document.objects.filter(account=account, document_type__code="PAYMENT_NOTICE").count() == 1


def test_an_account_paying_on_receipt_of_bill_is_not_reviewed():
    account = supplied_account(tariff())
    with pytest.raises(reviews.ReviewSkipped, match="does not pay by Direct Debit"):
        reviews.review_account(account=account, today=REVIEW_DAY, now=NOW)
