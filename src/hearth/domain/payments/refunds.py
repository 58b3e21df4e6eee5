"""Refunds of credit (T&C 12): asked for by the customer, approved by care, paid in a file or by cheque in 28 days.

- 12.1: a customer without a smart meter gives a recent meter reading first (``RECENT_READING_DAYS``).
- 12.2: a Direct Debit customer gets the credit less one month's Direct Debit.
- 12.3: a customer switching away is refunded after the final bill: the request waits for it.
- 12.4: paid within 28 days of the request to the Direct Debit bank account, another account, or by cheque.
Every step is audited, the ledger records the refund when it is paid, and care staff see each request's clock.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import IntegrityError, transaction

from hearth.common import calendar, sealed
from hearth.data.accounts.models import Account
from hearth.data.billing.models import Bill, LedgerEntry
from hearth.data.identity.models import User
from hearth.data.metering.models import RegisterReading
from hearth.data.payments.models import Mandate, PaymentArrangement, Refund, RefundBatch
from hearth.domain.audit import operations as audit
from hearth.domain.billing import queries as billing_queries
from hearth.domain.documents import delivery
from hearth.domain.payments import arrangements, estimates, methods, schedule, submissions

REFUND_DAYS: Final = 28
"""T&C 12.4: a refund is usually paid within 28 days of the request."""

RECENT_READING_DAYS: Final = 14
"""T&C 12.1 asks for a "recent" reading: one taken in the last 14 days, counted in days, so a reading taken at any
time 14 days ago still counts (Hearth's reading of "recent")."""

REFUNDS_FOLDER: Final = "refunds"
"""Where refund files go, under the Bacs folder."""

Destination = Refund.Destination


class RefundRefused(Exception):
    """The refund cannot be asked for or approved; the message says why in plain words, and ``field`` which of the
    bank details typed is wrong (None when the refusal is not about them)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class RefundQuote:
    """What a request now would pay: the credit, what is kept back and why, and whether a reading is needed."""

    credit: Decimal
    kept_back: Decimal
    amount: Decimal
    monthly_direct_debit: Decimal | None
    needs_reading: bool
    waits_for_final_bill: bool


def _recent_reading(account: Account, now: datetime) -> RegisterReading | None:
    since = calendar.day_starts_at(calendar.local_date(now) - timedelta(days=RECENT_READING_DAYS))
    return (
        RegisterReading.objects.filter(
            register__meter__supply_point__supplies__account=account,
            read_at__gte=since,
            status=RegisterReading.Status.ACCEPTED,
        )
        .exclude(kind=RegisterReading.Kind.ESTIMATED)
        .order_by("-read_at", "-id")
        .first()
    )


def _leaving(account: Account) -> bool:
    """An account whose supply has ended (or is ending): a leaver, refunded under T&C 12.3."""
    ending = account.status == Account.Status.CLOSED or account.supplies.filter(valid_to__isnull=False).exists()
    return ending and not account.supplies.filter(valid_to__isnull=True).exists()


def _switching_away(account: Account) -> bool:
    """A leaver whose final bill is not yet issued (T&C 12.3)."""
    return _leaving(account) and not _final_bill_issued(account)


def _final_bill_issued(account: Account) -> bool:
    return Bill.objects.filter(account=account, is_final=True, status=Bill.Status.ISSUED).exists()


def _never_supplied(account: Account) -> bool:
    """An account we never supplied (a sign-up cancelled in its cooling-off period before supply started): an
    annual payment it made is refunded whole (T&C 9.2.2), with no reading to take and no final bill to wait for."""
    return not account.supplies.exists()


def quote(*, account: Account, now: datetime) -> RefundQuote:
    """What the customer would get back if they asked now (T&C 12.1-12.3).

    A leaver is refunded after the final bill, whose closing reading (from the new supplier) stands for the recent
    reading of 12.1, and is not a current Direct Debit customer, so 12.2 keeps nothing back. An account never
    supplied needs no reading (T&C 9.2.2).
    """
    balance = billing_queries.balance_of(account)
    credit = -balance if balance < 0 else Decimal("0.00")
    leaving = _leaving(account)
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    monthly = (
        arrangement.regular_amount
        if not leaving and arrangement is not None and arrangement.method in methods.MONTHLY_METHODS
        else None
    )
    amount, kept_back = schedule.refund_amount(credit=credit, monthly_direct_debit=monthly)
    return RefundQuote(
        credit=credit,
        kept_back=kept_back,
        amount=amount,
        monthly_direct_debit=monthly,
        needs_reading=not leaving
        and not _never_supplied(account)
        and not estimates.meter_is_smart(account)
        and _recent_reading(account, now) is None,
        waits_for_final_bill=leaving and not _final_bill_issued(account),
    )


def request_refund(
    *,
    account: Account,
    destination: str,
    payee_name: str,
    bank_details: arrangements.BankDetails | None,
    cheque_address: str,
    actor: User | None,
    now: datetime,
) -> Refund:
    """Record the customer's request for their credit back, with the day it is due (T&C 12.4).

    :raises RefundRefused: no credit to refund, no recent reading (12.1), nothing left after one month's Direct
        Debit (12.2), a refund already open, no Direct Debit account to pay into, or bad bank details.
    """
    offer = quote(account=account, now=now)
    if offer.credit <= 0:
        raise RefundRefused("Your account is not in credit, so there is nothing to refund.")
    if offer.needs_reading:
        raise RefundRefused(
            f"Please give us a meter reading first (T&C 12.1): we need one from the last {RECENT_READING_DAYS} days "
            "to be sure the credit is really yours."
        )
    if offer.amount <= 0 and not offer.waits_for_final_bill:
        raise RefundRefused(
            f"Your credit of £{offer.credit:,.2f} is no more than one month's Direct Debit "
            f"(£{offer.monthly_direct_debit or 0:,.2f}), which we keep to cover your next bill (T&C 12.2)."
        )
    sort_code, sealed_number, last2, address = "", "", "", ""
    if destination == Destination.DIRECT_DEBIT_ACCOUNT:
        mandate = Mandate.objects.filter(account=account, status=Mandate.Status.LIVE).order_by("-id").first()
        if mandate is None:
            raise RefundRefused("There is no active Direct Debit to pay the refund into: choose another way.")
        sort_code, sealed_number, last2 = (
            mandate.sort_code,
            mandate.account_number_sealed,
            mandate.account_number_last2,
        )
        payee_name = payee_name or mandate.holder_name
    elif destination == Destination.OTHER_ACCOUNT:
        if bank_details is None:
            raise RefundRefused("Give the bank account the refund should go to.")
        try:
            checked = arrangements.checked_bank_details(bank_details)
        except arrangements.PaymentRefused as exc:
            raise RefundRefused(str(exc), field=exc.field) from exc
        sort_code, last2 = checked.sort_code, checked.account_number[-2:]
        sealed_number = arrangements.seal_account_number(checked.account_number)
        payee_name = checked.holder_name
    elif destination == Destination.CHEQUE:
        address = cheque_address.strip() or delivery.postal_address(account)
    else:
        raise RefundRefused("Choose how you would like to be paid.")
    payee_name = payee_name.strip() or account.customer.name
    status = Refund.Status.WAITING_FINAL_BILL if offer.waits_for_final_bill else Refund.Status.REQUESTED
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                account=account,
                status=status,
                requested_at=now,
                requested_by=actor,
                due_date=calendar.local_date(now) + timedelta(days=REFUND_DAYS),
                credit_at_request=offer.credit,
                kept_back=offer.kept_back,
                amount=offer.amount,
                destination=destination,
                payee_name=payee_name[:200],
                sort_code=sort_code,
                account_number_sealed=sealed_number,
                account_number_last2=last2,
                cheque_address=address,
                reading=_recent_reading(account, now),
            )
            _audit(refund, "payments.refund_requested", actor, now, {})
    except IntegrityError as exc:
        raise RefundRefused("You already have a refund on its way; we will tell you when it is paid.") from exc
    return refund


def _audit(refund: Refund, action: str, actor: User | None, now: datetime, before: dict[str, str]) -> None:
    audit.record(
        actor=actor,
        action=action,
        subject=f"account {refund.account.number}",
        customer=refund.account.customer,
        at=now,
        before=before,
        after={
            "refund": str(refund.pk),
            "status": refund.status,
            "amount": str(refund.amount),
            "kept_back": str(refund.kept_back),
            "destination": refund.destination,
            "due_date": refund.due_date.isoformat(),
            **({"account_number": f"ending {refund.account_number_last2}"} if refund.account_number_last2 else {}),
            **({"reason": refund.decision_reason} if refund.decision_reason else {}),
        },
    )


def approve_refund(*, refund: Refund, actor: User, now: datetime) -> Refund:
    """Care staff approve a request: the amount is worked out again now, never more than the credit today.

    :raises RefundRefused: not waiting for approval, or no credit left.
    """
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status not in (Refund.Status.REQUESTED, Refund.Status.WAITING_FINAL_BILL):
            raise RefundRefused(f"This refund is {locked.get_status_display().lower()}; it cannot be approved.")
        offer = quote(account=locked.account, now=now)
        if offer.waits_for_final_bill:
            raise RefundRefused("The final bill has not been issued yet (T&C 12.3); approve it after that bill.")
        if offer.amount <= 0:
            raise RefundRefused("There is no credit left to refund after one month's Direct Debit (T&C 12.2).")
        before = {"status": locked.status, "amount": str(locked.amount)}
        locked.amount, locked.kept_back = offer.amount, offer.kept_back
        locked.status = Refund.Status.APPROVED
        locked.decided_at, locked.decided_by = now, actor
        locked.save(update_fields=["amount", "kept_back", "status", "decided_at", "decided_by"])
        _audit(locked, "payments.refund_approved", actor, now, before)
    return locked


def reject_refund(*, refund: Refund, reason: str, actor: User, now: datetime) -> Refund:
    """Care staff decline a request, with the reason the customer is told.

    :raises RefundRefused: no reason, or a refund already decided.
    """
    reason = reason.strip()
    if not reason:
        raise RefundRefused("Give the reason: the customer is told it.")
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status not in (Refund.Status.REQUESTED, Refund.Status.WAITING_FINAL_BILL):
            raise RefundRefused(f"This refund is {locked.get_status_display().lower()}; it cannot be declined.")
        before = {"status": locked.status}
        locked.status = Refund.Status.REJECTED
        locked.decided_at, locked.decided_by, locked.decision_reason = now, actor, reason[:300]
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        _audit(locked, "payments.refund_declined", actor, now, before)
    return locked


def release_after_final_bill(*, now: datetime) -> list[Refund]:
    """Requests waiting for a final bill (T&C 12.3) move on to approval once that bill is issued."""
    released = [
        r for r in Refund.objects.filter(status=Refund.Status.WAITING_FINAL_BILL) if not _switching_away(r.account)
    ]
    for refund in released:
        refund.status = Refund.Status.REQUESTED
        refund.save(update_fields=["status"])
        _audit(refund, "payments.refund_final_bill_issued", None, now, {"status": Refund.Status.WAITING_FINAL_BILL})
    return released


def _batch_rows(refunds: list[Refund], kind: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if kind == RefundBatch.Kind.BANK:
        writer.writerow(["reference", "payee", "sort_code", "account_number", "amount"])
        for refund in refunds:
            number = sealed.unseal(refund.account_number_sealed, keys=settings.HEARTH_BANK_DETAILS_KEYS)
            writer.writerow([f"REFUND-{refund.pk}", refund.payee_name, refund.sort_code, number, f"{refund.amount}"])
    else:
        writer.writerow(["reference", "payee", "address", "amount"])
        for refund in refunds:
            writer.writerow(
                [
                    f"REFUND-{refund.pk}",
                    refund.payee_name,
                    refund.cheque_address.replace("\n", ", "),
                    f"{refund.amount}",
                ]
            )
    return out.getvalue().encode()


def pay_approved(*, kind: str, created_by: str, now: datetime) -> RefundBatch | None:
    """Gather approved refunds into a bank file (both bank destinations) or a cheque list, post them to the ledger.

    The ledger's REFUND entry and the PAID status are written with the batch in one transaction; the file is
    written after it commits (its name and SHA-256 are on the batch). Returns None when nothing is waiting.
    """
    bank = kind == RefundBatch.Kind.BANK
    destinations = [Destination.DIRECT_DEBIT_ACCOUNT, Destination.OTHER_ACCOUNT] if bank else [Destination.CHEQUE]
    with transaction.atomic():
        refunds = list(
            Refund.objects.select_for_update()
            .filter(status=Refund.Status.APPROVED, destination__in=destinations)
            .select_related("account__customer")
            .order_by("id")
        )
        if not refunds:
            return None
        data = _batch_rows(refunds, kind)
        name = f"refunds-{kind.lower()}-{now:%Y%m%d-%H%M%S}.csv"
        batch = RefundBatch.objects.create(
            kind=kind,
            file_name=name,
            sha256=hashlib.sha256(data).hexdigest(),
            refund_count=len(refunds),
            total=sum((r.amount for r in refunds), Decimal("0.00")),
            created_at=now,
            created_by=created_by,
        )
        for refund in refunds:
            refund.ledger_entry = LedgerEntry.objects.create(
                account=refund.account,
                kind=LedgerEntry.Kind.REFUND,
                amount=refund.amount,
                posted_at=now,
                description=f"Refund REFUND-{refund.pk}",
                external_reference=f"REFUND-{refund.pk}",
            )
            refund.status, refund.paid_at, refund.batch = Refund.Status.PAID, now, batch
            refund.save(update_fields=["ledger_entry", "status", "paid_at", "batch"])
            _audit(refund, "payments.refund_paid", None, now, {"status": Refund.Status.APPROVED})
    submissions.write_file(subfolder=REFUNDS_FOLDER, name=name, data=data)
    return batch


def batch_file(batch: RefundBatch) -> Path:
    return submissions.folder() / REFUNDS_FOLDER / batch.file_name


def days_left(refund: Refund, today: date) -> int:
    """Days until the refund is due (negative: overdue), for care's clock."""
    return (refund.due_date - today).days
