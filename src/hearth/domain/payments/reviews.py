"""The six-monthly Direct Debit review (T&C 9.4.4) and the six-monthly reconciliation of annual payments (9.4.2).

A monthly Direct Debit is worked out again from the latest expected use and the balance; it changes only when the
difference passes the threshold in ``schedule.review_outcome``, and then the customer gets a notice saying why, with
the figures, at least 10 working days before the first new amount. Every review is recorded with its workings, so
the portal can show why an amount changed (or did not).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import IntegrityError, transaction

from hearth.data.accounts.models import Account
from hearth.data.payments.models import DirectDebitReview, PaymentArrangement
from hearth.domain.billing import queries as billing_queries
from hearth.domain.documents import letters
from hearth.domain.payments import collections, estimates, methods, operations, schedule
from hearth.domain.payments import queries as payment_queries

REVIEW_EVERY_DAYS: Final = 182
"""T&C 9.4.4 "at least once every six months": a review is due 182 days after the last (or after sign-up)."""


class ReviewSkipped(Exception):
    """The account cannot be reviewed today (no estimate possible); the message says why."""


def due_for_review(arrangement: PaymentArrangement, today: date) -> bool:
    last = arrangement.last_reviewed_date or arrangement.signed_up_date
    return (today - last).days >= REVIEW_EVERY_DAYS


def review_account(*, account: Account, today: date, now: datetime) -> DirectDebitReview:
    """Review one account's Direct Debit or annual payment; change it and tell the customer only past the threshold.

    Reviewing the same account twice on one day returns the first review.

    :raises ReviewSkipped: no arrangement that is reviewed, or no estimate can be made.
    """
    existing = DirectDebitReview.objects.filter(account=account, review_date=today).first()
    if existing is not None:
        return existing
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    if arrangement is None or (
        arrangement.method not in methods.MONTHLY_METHODS and arrangement.method not in methods.ANNUAL_METHODS
    ):
        raise ReviewSkipped(f"Account {account.number} does not pay by Direct Debit or annual payment.")
    try:
        estimate = estimates.annual_estimate(account=account, at=now)
    except estimates.EstimateUnavailable as exc:
        raise ReviewSkipped(str(exc)) from exc
    refunding = payment_queries.open_refund_of(account)
    # Credit already on its way back to the customer (T&C 12) is not there to pay for the coming year.
    balance = billing_queries.balance_of(account) + (refunding.amount if refunding is not None else Decimal("0.00"))
    annual = arrangement.method in methods.ANNUAL_METHODS
    current = (arrangement.annual_amount if annual else arrangement.regular_amount) or Decimal("0.00")
    if annual:
        # 9.4.2: an annual payer's balance is reconciled; a debit is asked for, a credit offered back.
        recommended = max(balance, Decimal("0.00"))
        outcome = schedule.review_outcome(current=Decimal("0.00"), recommended=recommended)
    else:
        recommended = schedule.standard_monthly_amount(annual_cost=estimate.annual_cost, balance=balance)
        outcome = schedule.review_outcome(current=current, recommended=recommended)
    workings = {
        "annual_kwh": str(estimate.annual_kwh),
        "annual_cost": str(estimate.annual_cost),
        "balance": str(balance),
        "refund_on_its_way": str(refunding.amount) if refunding is not None else "0.00",
        "months": 12,
        "tariffs": list(estimate.tariffs),
        "reason": outcome.reason,
    }
    try:
        with transaction.atomic():
            review = DirectDebitReview.objects.create(
                account=account,
                review_date=today,
                previous_amount=current,
                recommended_amount=recommended,
                changed=outcome.changed and not annual,
                workings=workings,
                reviewed_at=now,
            )
            arrangement.last_reviewed_date = today
            fields = ["last_reviewed_date"]
            if outcome.changed and not annual:
                arrangement.regular_amount = outcome.new_amount
                fields.append("regular_amount")
            arrangement.save(update_fields=fields)
            if outcome.changed and not annual:
                why = (
                    f"We have reviewed your Direct Debit (T&C 9.4.4). We expect your energy to cost "
                    f"£{estimate.annual_cost:,.2f} over the next 12 months, and your balance is "
                    f"{operations.balance_words(balance)}, so your monthly payment changes from £{current:,.2f} to "
                    f"£{outcome.new_amount:,.2f}."
                )
                made = collections.reschedule(account=account, why=why, actor_label="six-monthly review", now=now)
                review.notice = made[0].notice if made else None
            if annual:
                review.notice = letters.issue_letter(letter=_reconciliation(account, balance, today), now=now)
            review.save(update_fields=["notice"])
    except IntegrityError:
        return DirectDebitReview.objects.get(account=account, review_date=today)
    return review


def _reconciliation(account: Account, balance: Decimal, today: date) -> letters.Letter:
    """T&C 9.4.2: every six months an annual payer is told where their balance stands and what happens next."""
    if balance > 0:
        next_step = (
            f"Your account has £{balance:,.2f} to pay: your use has been more than your annual payment covered. "
            "Please pay it by card in your online account (Payments → Pay by card) or by bank transfer."
        )
    elif balance < 0:
        next_step = (
            f"Your account is £{-balance:,.2f} in credit. We carry it forward to your next bills, or you can ask "
            "for it back in your online account (Payments → Ask for a refund)."
        )
    else:
        next_step = "Your account is exactly up to date: nothing is owed either way."
    return letters.Letter(
        account=account,
        type_code="PAYMENT_NOTICE",
        reference=f"REC-{account.number}-{today:%Y%m%d}",
        title="Your six-monthly payment review",
        paragraphs=(
            "You pay for your energy once a year in advance. Every six months we compare what you paid with what "
            "you used and tell you where your balance stands (T&C 9.4.2).",
            next_step,
        ),
        facts=(("Balance", operations.balance_words(balance)), ("Reviewed on", f"{today:%-d %B %Y}")),
        amount=abs(balance),
        clause="9.4.2",
    )


def arrangements_due(today: date) -> list[PaymentArrangement]:
    """Arrangements whose six-monthly review has come."""
    reviewed = [*methods.MONTHLY_METHODS, *methods.ANNUAL_METHODS]
    horizon = today - timedelta(days=REVIEW_EVERY_DAYS)
    return [
        arrangement
        for arrangement in PaymentArrangement.objects.filter(method__in=reviewed, signed_up_date__lte=horizon)
        .select_related("account__customer")
        .order_by("id")
        if due_for_review(arrangement, today)
    ]


def latest_review(account: Account) -> DirectDebitReview | None:
    return DirectDebitReview.objects.filter(account=account).order_by("-review_date", "-id").first()
