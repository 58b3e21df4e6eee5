"""Late payment (T&C 10.1): overdue bills found each day, reminders and final notices, interest, debt referrals.

A bill is overdue once its due date has passed and part of it is still unpaid. Payments clear the oldest bills
first, so what the customer owes now is allocated to their newest bills: a bill's unpaid part is what remains of the
balance after the newer bills took theirs. Accounts paying by a working Direct Debit are not chased: their schedule
pays their bills (a returned collection puts them back in scope). The debt itself stays on the account and is
carried to the next bill as its balance brought forward (T&C 10.1.1).
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import IntegrityError, transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.billing.models import AdditionalCharge, Bill
from hearth.data.identity.models import User
from hearth.data.payments.models import Collection, DebtReferral, Mandate, PaymentArrangement, PaymentReminder
from hearth.domain.audit import operations as audit
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries
from hearth.domain.documents import delivery, letters
from hearth.domain.payments import methods, submissions

REMINDER_AFTER_DAYS: Final = 7
"""A reminder goes 7 days after the due date."""

FINAL_NOTICE_AFTER_DAYS: Final = 21
"""A final notice goes 21 days after the due date, 14 days after the reminder."""

INTEREST_EVERY_DAYS: Final = 28
"""Interest (T&C 10.1.8) is charged on a bill still unpaid 28 days after its due date, then every 28 days."""

RETURNED_LOOKBACK_DAYS: Final = 60
"""A Direct Debit customer with a collection returned unpaid in this many days is chased like any other."""

STAGE_DAYS: Final = {
    PaymentReminder.Stage.REMINDER: REMINDER_AFTER_DAYS,
    PaymentReminder.Stage.FINAL_NOTICE: FINAL_NOTICE_AFTER_DAYS,
}


class ReferralRefused(Exception):
    """The account cannot be referred to a debt collection agency; the message says why."""


@dataclass(frozen=True, slots=True)
class OverdueBill:
    bill: Bill
    unpaid: Decimal
    days_overdue: int


def _paying_by_direct_debit(account: Account, today: date) -> bool:
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    if arrangement is None or arrangement.method not in methods.DIRECT_DEBIT_METHODS:
        return False
    if not Mandate.objects.filter(account=account, status=Mandate.Status.LIVE).exists():
        return False
    returned_since = today - timedelta(days=RETURNED_LOOKBACK_DAYS)
    return not Collection.objects.filter(
        account=account, status=Collection.Status.UNPAID, collection_date__gte=returned_since
    ).exists()


class BillStatus(StrEnum):
    """Where a bill stands for the customer: the bills list, the bill page and the dashboard all say this."""

    PAID = "PAID"
    DUE = "DUE"
    OVERDUE = "OVERDUE"
    CANCELLED = "CANCELLED"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def _allocate(balance: Decimal, issued_newest_first: Iterable[Bill]) -> list[tuple[Bill, Decimal]]:
    """The bills still (partly) unpaid, newest first, each with its unpaid part: ``balance`` allocated to the newest
    live bills first because payments clear the oldest first."""
    remaining = balance
    parts: list[tuple[Bill, Decimal]] = []
    for bill in issued_newest_first:
        if remaining <= 0:
            break
        unpaid = min(bill.total, remaining)
        remaining -= unpaid
        if unpaid > 0:
            parts.append((bill, unpaid))
    return parts


def _unpaid_parts(account: Account) -> list[tuple[Bill, Decimal]]:
    """The live bills still (partly) unpaid, newest first, each with its unpaid part."""
    issued, balance = billing_queries.live_bills_and_balance(account)
    return _allocate(balance, issued)


def overdue_bills_of(account: Account, today: date) -> list[OverdueBill]:
    """The account's overdue bills, oldest first, each with the part still unpaid."""
    return [
        OverdueBill(bill=bill, unpaid=unpaid, days_overdue=(today - bill.due_date).days)
        for bill, unpaid in reversed(_unpaid_parts(account))
        if bill.due_date < today
    ]


def _status(status: str, unpaid: bool, due_date: date, today: date) -> BillStatus:
    if status == Bill.Status.CANCELLED:
        return BillStatus.CANCELLED
    if not unpaid:
        return BillStatus.PAID
    return BillStatus.OVERDUE if due_date < today else BillStatus.DUE


def bill_statuses(account: Account, today: date) -> dict[int, BillStatus]:
    """Every bill of the account (by id) with its status, in three queries, for a list of bills."""
    unpaid = {bill.pk for bill, _ in _unpaid_parts(account)}
    return {
        pk: _status(status, pk in unpaid, due_date, today)
        for pk, status, due_date in Bill.objects.filter(account=account).values_list("pk", "status", "due_date")
    }


def bill_status(bill: Bill, today: date) -> BillStatus:
    """Paid, Due or Overdue (or Cancelled) on ``today``: a bill is paid once the payments since cover it, overdue
    when part of it is unpaid after its due date."""
    if bill.status == Bill.Status.CANCELLED:
        return BillStatus.CANCELLED
    unpaid = {part.pk for part, _ in _unpaid_parts(bill.account)}
    return _status(bill.status, bill.pk in unpaid, bill.due_date, today)


@dataclass(frozen=True, slots=True)
class Standing:
    """An account at a glance: what it owes now (negative: in credit) and its latest live bill with that bill's
    status (``billing_queries.latest_bill`` and ``bill_status``, read together)."""

    balance: Decimal
    latest_bill: Bill | None
    bill_status: BillStatus | None


def standings_of(accounts: Sequence[Account], today: date) -> dict[int, Standing]:
    """Each account's ``Standing`` by account id, in one query however many accounts and bills: every account's live
    bills with its balance beside them (``billing_queries.live_bills_and_balances``)."""
    by_id = {account.pk: account for account in accounts}
    issued = billing_queries.live_bills_and_balances(list(by_id))
    standings = {}
    for pk, (bills, balance) in issued.items():
        for bill in bills:
            bill.account = by_id[pk]
        latest = max(bills, key=lambda bill: (bill.period_start_date, bill.pk), default=None)
        status = None
        if latest is not None:
            unpaid = {bill.pk for bill, _ in _allocate(balance, bills)}
            status = _status(latest.status, latest.pk in unpaid, latest.due_date, today)
        standings[pk] = Standing(balance, latest, status)
    return standings


def accounts_with_overdue_bills(today: date) -> Iterator[Account]:
    """Accounts owing money with a bill past its due date, not paying by a working Direct Debit (the debt path
    opens its cases from these too)."""
    candidates = (
        Account.objects.filter(bills__status=Bill.Status.ISSUED, bills__due_date__lt=today)
        .distinct()
        .select_related("customer", "billing_property")
        .order_by("id")
    )
    for account in candidates.iterator(chunk_size=500):
        if billing_queries.balance_of(account) > 0 and not _paying_by_direct_debit(account, today):
            yield account


def _reminder_letter(overdue: OverdueBill, stage: str) -> letters.Letter:
    bill = overdue.bill
    brand = settings.HEARTH_BRAND
    final = stage == PaymentReminder.Stage.FINAL_NOTICE
    paragraphs = [
        f"Your bill {bill.reference} was due on {bill.due_date:%-d %B %Y} and £{overdue.unpaid:,.2f} of it is still "
        "unpaid. If you have paid in the last few days, thank you: please ignore this letter.",
        f"If you are having trouble paying, please call us on {brand['care_phone']} (T&C 8.2): we can agree a "
        "payment plan you can afford, check you are on the best tariff and payment method, and tell you about help "
        "you may be entitled to.",
        "Interest may be charged on overdue amounts at 4% a year above the Bank of England base rate (T&C 10.1.8).",
    ]
    if final:
        paragraphs.append(
            "If we do not hear from you, we may refer the debt to a debt collection agency (T&C 10.1.3), and may "
            "install a prepayment meter or switch your smart meter to prepayment mode after giving you notice "
            "(T&C 10.1.4)."
        )
    return letters.Letter(
        account=bill.account,
        type_code="PAYMENT_REMINDER",
        reference=f"{'FIN' if final else 'REM'}-{bill.reference}",
        title="Final notice: your bill is overdue" if final else "Reminder: your bill is overdue",
        paragraphs=tuple(paragraphs),
        facts=(
            ("Bill", bill.reference),
            ("Due date", f"{bill.due_date:%-d %B %Y}"),
            ("Still to pay", f"£{overdue.unpaid:,.2f}"),
        ),
        amount=overdue.unpaid,
        clause="10.1",
    )


def send_reminders(*, today: date, now: datetime) -> list[PaymentReminder]:
    """Send each overdue bill's reminder and then its final notice when their day has come, each once."""
    sent: list[PaymentReminder] = []
    for account in accounts_with_overdue_bills(today):
        for overdue in overdue_bills_of(account, today):
            stage = _stage_due(overdue)
            if stage is None:
                continue
            reminder = _send(overdue, stage, now)
            if reminder is not None:
                sent.append(reminder)
    return sent


def _stage_due(overdue: OverdueBill) -> str | None:
    """The latest stage whose day has come, if it was not sent: a bill found long overdue (a missed day, a first
    run) gets its final notice alone, never a reminder after it."""
    sent = set(PaymentReminder.objects.filter(bill=overdue.bill).values_list("stage", flat=True))
    due = [stage for stage, days in STAGE_DAYS.items() if overdue.days_overdue >= days]
    if not due or due[-1] in sent:
        return None
    return due[-1]


def _send(overdue: OverdueBill, stage: str, now: datetime) -> PaymentReminder | None:
    try:
        with transaction.atomic():
            document = letters.issue_letter(letter=_reminder_letter(overdue, stage), now=now)
            return PaymentReminder.objects.create(
                bill=overdue.bill, stage=stage, overdue_amount=overdue.unpaid, document=document, sent_at=now
            )
    except IntegrityError:
        return None  # another run sent it first


def _interest_charged_to(bill: Bill) -> date:
    """The day interest on ``bill`` has been charged up to (its due date when none has been)."""
    ends = [
        date.fromisoformat(charge.details["end_date"])
        for charge in AdditionalCharge.objects.filter(
            account=bill.account, kind=AdditionalCharge.Kind.LATE_PAYMENT_INTEREST, details__bill=bill.pk
        )
    ]
    return max(ends, default=bill.due_date)


def charge_interest(*, today: date, now: datetime) -> list[AdditionalCharge]:
    """Interest on each bill still unpaid ``INTEREST_EVERY_DAYS`` after its due date or its last interest."""
    charged: list[AdditionalCharge] = []
    for account in accounts_with_overdue_bills(today):
        for overdue in overdue_bills_of(account, today):
            start = _interest_charged_to(overdue.bill)
            if (today - start).days < INTEREST_EVERY_DAYS:
                continue
            try:
                with transaction.atomic():
                    charge = billing_ops.apply_late_payment_interest(
                        account=account, principal=overdue.unpaid, start_date=start, end_date=today, actor=None, now=now
                    )
                    charge.details = {**charge.details, "bill": overdue.bill.pk}
                    charge.save(update_fields=["details"])
            except billing_ops.BillingRefused:
                continue  # less than a penny, or no base rate held: nothing to charge today
            charged.append(charge)
    return charged


def refer_to_agency(*, account: Account, reason: str, actor: User, now: datetime) -> DebtReferral:
    """Care staff refer an account's overdue debt to a debt collection agency (T&C 10.1.3).

    :raises ReferralRefused: no reason, nothing overdue, or a referral not yet exported.
    """
    reason = reason.strip()
    if not reason:
        raise ReferralRefused("Give the reason for the referral: it goes in the file and the audit trail.")
    today = calendar.local_date(now)
    overdue = overdue_bills_of(account, today)
    if not overdue:
        raise ReferralRefused(f"Account {account.number} has no overdue bill to refer.")
    if DebtReferral.objects.filter(account=account, exported_at__isnull=True).exists():
        raise ReferralRefused(f"Account {account.number} is already waiting to be sent to the agency.")
    with transaction.atomic():
        referral = DebtReferral.objects.create(
            account=account,
            amount=sum((o.unpaid for o in overdue), Decimal("0.00")),
            oldest_due_date=overdue[0].bill.due_date,
            reason=reason[:300],
            referred_at=now,
            referred_by=actor,
        )
        audit.record(
            actor=actor,
            action="payments.debt_referred",
            subject=f"account {account.number}",
            customer=account.customer,
            at=now,
            after={
                "amount": str(referral.amount),
                "oldest_due_date": referral.oldest_due_date.isoformat(),
                "reason": referral.reason,
            },
        )
    return referral


def export_referrals(*, now: datetime) -> Path | None:
    """Write the referrals not yet sent into one CSV for the agency; None when there are none."""
    with transaction.atomic():
        waiting = list(
            DebtReferral.objects.select_for_update()
            .filter(exported_at__isnull=True)
            .select_related("account__customer", "account__billing_property")
            .order_by("id")
        )
        if not waiting:
            return None
        name = f"debt-referrals-{now:%Y%m%d-%H%M%S}.csv"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["account", "name", "address", "email", "phone", "amount", "oldest_due_date", "reason"])
        for referral in waiting:
            customer = referral.account.customer
            writer.writerow(
                [
                    referral.account.number,
                    customer.name,
                    delivery.postal_address(referral.account).replace("\n", ", "),
                    customer.contact_email,
                    customer.contact_phone,
                    f"{referral.amount}",
                    referral.oldest_due_date.isoformat(),
                    referral.reason,
                ]
            )
        DebtReferral.objects.filter(pk__in=[r.pk for r in waiting]).update(exported_at=now, export_file_name=name)
    return submissions.write_file(subfolder="referrals", name=name, data=out.getvalue().encode())
