"""What customers and care staff do with payments, each as one operation: the portal and the console call these.

Each operation does all its steps in one transaction (the arrangement, the mandate, the new schedule and its
advance notice), so a failure leaves the account as it was.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.identity.models import User
from hearth.data.payments.models import Collection, IndemnityClaim, Mandate, PaymentArrangement
from hearth.domain.audit import operations as audit
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries
from hearth.domain.documents import letters
from hearth.domain.payments import arrangements, collections, estimates, methods
from hearth.domain.payments.arrangements import BankDetails, PaymentRefused

Method = PaymentArrangement.Method

__all__ = [
    "BankDetails",
    "PaymentRefused",
    "cancel_direct_debit",
    "change_payment_day",
    "record_indemnity_claim",
    "set_up_direct_debit",
]


def set_up_direct_debit(
    *,
    account: Account,
    method: str,
    payment_day: int | None,
    details: BankDetails,
    actor: User | None,
    now: datetime,
    estimate: estimates.AnnualEstimate | None = None,
) -> Mandate:
    """Pay by Direct Debit from the given bank account: a new instruction, the amounts, the schedule and its notice.

    ``estimate`` is the expected use of an account not supplied yet (sign-up), as ``arrangements.set_payment_method``
    takes it.

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
            estimate=estimate,
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


DDICA_REASONS = {
    "1": "Amount differs from the advance notice",
    "2": "Date differs from the advance notice",
    "3": "No advance notice received",
    "4": "Instruction cancelled by the payer before the collection",
    "5": "Amount or date differs from the one agreed",
    "6": "Not authorised (no instruction signed)",
    "7": "Collected after the instruction was cancelled",
    "8": "Other",
}
"""Direct Debit Indemnity Claim Advice (DDICA) reasons, from the public descriptions of the DDIC service."""


def record_indemnity_claim(
    *,
    collection: Collection,
    reason_code: str,
    received_date: date,
    is_false_claim: bool,
    note: str,
    actor: User,
    now: datetime,
) -> IndemnityClaim:
    """The payer's bank refunded a collection under the Direct Debit Guarantee (a DDIC): record it.

    The bank has already refunded the payer, so Hearth never refunds them directly: the collection's payment is
    reversed. A claim Hearth disputes as false leaves the sum owed (T&C 10.3: the customer "is still liable to pay
    the sum plus any additional charges"); a genuine claim (our error) is credited back, so nothing is owed for it.

    :raises PaymentRefused: an unknown DDICA reason, a collection that was not collected, one already claimed, or a
        false claim without a note saying why.
    """
    if reason_code not in DDICA_REASONS:
        raise PaymentRefused(f"Choose a DDICA reason code from 1 to 8; got {reason_code!r}.")
    if is_false_claim and not note.strip():
        raise PaymentRefused("Say why the claim is false: the customer is told and it is kept with the claim.")
    with transaction.atomic():
        locked = (
            Collection.objects.select_for_update().select_related("account__customer", "mandate").get(pk=collection.pk)
        )
        if locked.status != Collection.Status.COLLECTED:
            raise PaymentRefused("Only a collected payment can be claimed back through the Guarantee.")
        if IndemnityClaim.objects.filter(collection=locked).exists():
            raise PaymentRefused("This collection's indemnity claim is already recorded.")
        reason = DDICA_REASONS[reason_code]
        collections.mark_unpaid(
            collection=locked,
            description=f"Direct Debit refunded by your bank (indemnity claim: {reason.lower()})",
            outcome=f"Indemnity claim (DDICA {reason_code}): {reason}",
            now=now,
        )
        if not is_false_claim:
            billing_ops.record_credit(
                account=locked.account,
                amount=locked.amount,
                reason=f"Indemnity claim upheld: {reason}",
                actor=actor,
                now=now,
            )
        claim = IndemnityClaim.objects.create(
            collection=locked,
            amount=locked.amount,
            reason_code=reason_code,
            received_date=received_date,
            is_false_claim=is_false_claim,
            still_owed=locked.amount if is_false_claim else Decimal("0.00"),
            note=note.strip()[:300],
            recorded_at=now,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="payments.indemnity_claim_recorded",
            subject=f"account {locked.account.number}",
            customer=locked.account.customer,
            at=now,
            after={
                "collection": locked.pk,
                "amount": str(locked.amount),
                "reason_code": reason_code,
                "false_claim": is_false_claim,
                "still_owed": str(claim.still_owed),
            },
        )
    return claim
