"""What customers and care staff do with payments, each as one operation: the portal and the console call these.

Each operation does all its steps in one transaction (the arrangement, the mandate, the new schedule and its
advance notice), so a failure leaves the account as it was.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.identity.models import User
from hearth.data.payments.models import Collection, Mandate, PaymentArrangement
from hearth.domain.billing import queries as billing_queries
from hearth.domain.documents import letters
from hearth.domain.payments import arrangements, collections, methods
from hearth.domain.payments.arrangements import BankDetails, PaymentRefused

Method = PaymentArrangement.Method

__all__ = ["BankDetails", "PaymentRefused", "cancel_direct_debit", "change_payment_day", "set_up_direct_debit"]


def set_up_direct_debit(
    *, account: Account, method: str, payment_day: int | None, details: BankDetails, actor: User | None, now: datetime
) -> Mandate:
    """Pay by Direct Debit from the given bank account: a new instruction, the amounts, the schedule and its notice.

    :raises PaymentRefused: a method that is not a Direct Debit, one the tariff does not allow, bad bank details,
        or no schedule possible.
    """
    if method not in methods.DIRECT_DEBIT_METHODS:
        raise PaymentRefused("Choose one of the Direct Debit options.")
    existing = PaymentArrangement.objects.filter(account=account).first()
    signed_up = existing.signed_up_date if existing is not None else calendar.local_date(now)
    with transaction.atomic():
        mandate = arrangements.set_up_mandate(account=account, details=details, actor=actor, now=now)
        arrangements.set_payment_method(
            account=account,
            method=method,
            payment_day=payment_day,
            signed_up_date=signed_up,
            balance=billing_queries.balance_of(account),
            actor=actor,
            now=now,
        )
        try:
            collections.reschedule(
                account=account,
                why=f"You have set up a {Method(method).label} with us.",
                actor_label=actor.email if actor else "system",
                now=now,
            )
        except collections.ScheduleRefused as exc:
            raise PaymentRefused(str(exc)) from exc
    return mandate


def change_payment_day(*, account: Account, payment_day: int, actor: User | None, now: datetime) -> list[Collection]:
    """Move the monthly Direct Debit to another day (T&C 9.1.6), with a notice of the new dates.

    :raises PaymentRefused: no monthly Direct Debit, a bad day, or fewer than two payments taken.
    """
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    if arrangement is None:
        raise PaymentRefused("This account does not pay by Direct Debit.")
    with transaction.atomic():
        arrangements.change_payment_day(arrangement=arrangement, payment_day=payment_day, actor=actor, now=now)
        try:
            return collections.reschedule(
                account=account,
                why=f"You asked for your payments to be taken on day {payment_day} of each month.",
                actor_label=actor.email if actor else "system",
                now=now,
            )
        except collections.ScheduleRefused as exc:
            raise PaymentRefused(str(exc)) from exc


def _ended_letter(account: Account, mandate: Mandate, reason: str, now: datetime) -> letters.Letter:
    return letters.Letter(
        account=account,
        type_code="PAYMENT_NOTICE",
        reference=f"DDX-{mandate.reference}",
        title="Your Direct Debit has ended",
        paragraphs=(
            f"Your Direct Debit {mandate.reference} from the bank account ending {mandate.account_number_last2} has "
            f"ended: {reason}",
            "No further payments will be taken by Direct Debit. From now on you will pay each bill when you receive "
            "it, by card in your online account or by bank transfer. If your tariff needs a Direct Debit, set one up "
            "again in your online account or call us, or we may need to move you to another tariff with 42 days' "
            "notice (T&C 9.2, 10.2).",
        ),
        facts=(
            ("Direct Debit reference", mandate.reference),
            ("Balance now", f"£{billing_queries.balance_of(account):,.2f}"),
        ),
        amount=None,
        clause="9.2",
    )


def cancel_direct_debit(*, mandate: Mandate, reason: str, by_bank: bool, actor: User | None, now: datetime) -> Mandate:
    """End a Direct Debit (the customer, care or the bank): the account pays by standard credit and is told so.

    :raises PaymentRefused: the Direct Debit has already ended.
    """
    with transaction.atomic():
        arrangements.cancel_mandate(mandate=mandate, reason=reason, by_bank=by_bank, actor=actor, now=now)
        letters.issue_letter(letter=_ended_letter(mandate.account, mandate, reason, now), now=now)
    return mandate


def balance_words(balance: Decimal) -> str:
    """A balance as a customer reads it: "£12.34 to pay", "£5.00 in credit"."""
    if balance > 0:
        return f"£{balance:,.2f} to pay"
    if balance < 0:
        return f"£{-balance:,.2f} in credit"
    return "£0.00"
