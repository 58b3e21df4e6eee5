"""Direct Debit collections: working out the schedule, telling the customer in advance, posting what was collected.

A schedule is worked out from the arrangement (``schedule.py`` does the arithmetic), never typed in. Whenever new
collections are made or their amount or date changes, the customer gets an advance notice (the Direct Debit
Guarantee: 10 working days before the first collection it announces, counted from when the notice is deemed
delivered, T&C 22.3). Collections inside that window were announced by an earlier notice and stay as they are.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import connection, transaction
from django.db.models import F

from hearth.common import calendar
from hearth.common.bacs import calendar as bacs_calendar
from hearth.data.accounts.models import Account
from hearth.data.billing.models import LedgerEntry
from hearth.data.documents.models import Document, DocumentType
from hearth.data.payments.models import Collection, Mandate, PaymentArrangement
from hearth.domain.audit import operations as audit
from hearth.domain.billing import operations as billing_ops
from hearth.domain.documents import delivery, letters, rules
from hearth.domain.payments import methods, schedule

Method = PaymentArrangement.Method

AHEAD: Final = 12
"""Monthly collections kept scheduled ahead; the daily job tops the schedule up at the same amounts."""

TOP_UP_BELOW: Final = 3
"""The daily job adds collections when fewer than this many are still to come."""

NOTICE_CLAUSE: Final = "9.1"

POSTED_AT_A_TIME: Final = 5000
"""Collections paid in one transaction: few commits (each waits for the disk), locks held briefly, and the lot's ids
well within the parameters a statement takes (32,766 on SQLite from 3.32)."""


class ScheduleRefused(Exception):
    """No schedule can be made (no live mandate, no amount); the message says why."""


@dataclass(frozen=True, slots=True)
class PlannedCollection:
    collection_date: date
    amount: Decimal
    purpose: str
    transaction_code: str


def _live_mandate(account: Account) -> Mandate | None:
    return (
        Mandate.objects.filter(
            account=account, status__in=[Mandate.Status.PENDING, Mandate.Status.LODGED, Mandate.Status.LIVE]
        )
        .order_by("-id")
        .first()
    )


def _first_code(mandate: Mandate) -> str:
    """Bacs code 01 for a mandate's first collection, 17 after (one sent before, or still to be sent, counts)."""
    earlier = Collection.objects.filter(mandate=mandate).exclude(status=Collection.Status.CANCELLED).exists()
    return "17" if earlier else "01"


def _not_before(dates: Sequence[date], earliest: date) -> list[date]:
    """``dates`` moved to ``earliest`` where the notice does not allow them sooner, each still on a day of its own.

    A notice that reaches the customer late (by post, over Christmas) can push the initial Direct Debit's day-16
    collection onto or past its second; the second then follows on the next Bacs day, still well inside days 22-42.
    """
    moved: list[date] = []
    for when in dates:
        when = max(when, earliest)
        if moved and when <= moved[-1]:
            when = bacs_calendar.add_processing_days(moved[-1], 1)
        moved.append(when)
    return moved


def plan(arrangement: PaymentArrangement, mandate: Mandate, earliest: date, count: int) -> list[PlannedCollection]:
    """The collections the arrangement asks for from ``earliest`` on (Bacs collection days only)."""
    method = arrangement.method
    day = bacs_calendar.is_processing_day
    if method in methods.ANNUAL_METHODS:
        when = bacs_calendar.next_processing_day_on_or_after(max(arrangement.annual_due_date or earliest, earliest))
        amount = arrangement.annual_amount or Decimal(0)
        return [PlannedCollection(when, amount, Collection.Purpose.ANNUAL, _first_code(mandate))] if amount else []
    if arrangement.regular_amount is None or arrangement.payment_day is None:
        raise ScheduleRefused("The arrangement has no monthly amount or payment day.")
    if (
        method == Method.INITIAL_DIRECT_DEBIT
        and not Collection.objects.filter(account=arrangement.account, purpose=Collection.Purpose.INITIAL)
        .exclude(status=Collection.Status.CANCELLED)
        .exists()
    ):
        dates = schedule.initial_collection_dates(
            signed_up=arrangement.signed_up_date,
            payment_day=arrangement.payment_day,
            count=count,
            is_collection_day=day,
        )
        dates = _not_before(dates, earliest)
        purposes = [Collection.Purpose.INITIAL] * 2 + [Collection.Purpose.MONTHLY] * (count - 2)
    else:
        dates = schedule.monthly_collection_dates(
            first_on_or_after=earliest, payment_day=arrangement.payment_day, count=count, is_collection_day=day
        )
        purposes = [
            Collection.Purpose.SEASONAL if method == Method.SEASONAL_DIRECT_DEBIT else Collection.Purpose.MONTHLY
        ] * count
    if method == Method.SEASONAL_DIRECT_DEBIT:
        amounts = schedule.seasonal_amounts(
            standard=arrangement.regular_amount, percent=arrangement.seasonal_percent, months=dates
        )
    else:
        amounts = [arrangement.regular_amount] * len(dates)
    first = _first_code(mandate)
    return [
        PlannedCollection(when, amount, purpose, first if index == 0 else "17")
        for index, (when, amount, purpose) in enumerate(zip(dates, amounts, purposes, strict=True))
        if amount > 0
    ]


def notice_reaches_by_post(account: Account) -> bool:
    """Whether a payment notice would go only by post (no login takes it by e-mail): it then needs 2 more days."""
    notice_type = DocumentType.objects.get(code="PAYMENT_NOTICE")
    return not any(
        rules.channels_for(user=user, account=account, document_type=notice_type).email_notification
        for user in delivery.receiving_logins(account)
    )


def _notice(
    account: Account, planned: Sequence[PlannedCollection], mandate: Mandate, why: str, now: datetime
) -> letters.Letter:
    first = planned[0]
    rows = tuple((f"{p.collection_date:%a %-d %b %Y}", f"£{p.amount:,.2f}") for p in planned)
    return letters.Letter(
        account=account,
        type_code="PAYMENT_NOTICE",
        # Unique however close together two notices are (a set-up and a re-presentation in one second): the moment
        # it is issued and the first collection it announces; at most 40 characters with a 16-character account.
        reference=f"DDN-{account.number}-{now:%y%m%d%H%M%S}-{first.collection_date:%y%m%d}",
        title="Your Direct Debit payments",
        paragraphs=(
            why,
            f"We will collect these payments by Direct Debit from the bank account ending "
            f"{mandate.account_number_last2} under the reference {mandate.reference}, which your bank statement will "
            "show beside each payment.",
        ),
        after_table=(
            "You are protected by the Direct Debit Guarantee: if an error is made in the amount or date of your Direct "
            "Debit, you are entitled to a full and immediate refund from your bank. You can cancel a Direct Debit at "
            "any time by contacting your bank.",
        ),
        facts=(
            ("Direct Debit reference", mandate.reference),
            ("First payment", f"£{first.amount:,.2f} on {first.collection_date:%-d %B %Y}"),
            ("Frequency", "Once" if len(planned) == 1 else "Monthly"),
        ),
        table=letters.Table(header=("Date", "Amount"), rows=rows),
        amount=sum((p.amount for p in planned), Decimal(0)),
        clause=NOTICE_CLAUSE,
    )


def first_day_after_notice(*, account: Account, now: datetime) -> date:
    """The first day a collection may be taken after a payment notice issued to ``account`` at ``now``."""
    today = calendar.local_date(now)
    by_post = notice_reaches_by_post(account)
    sent = calendar.add_working_days(today, 0) if by_post else today  # letters are posted on working days
    return schedule.earliest_collection_after_notice(notice_sent=sent, by_post=by_post)


def announce(
    *, account: Account, planned: Sequence[PlannedCollection], mandate: Mandate, why: str, now: datetime
) -> Document:
    """Issue the payment notice of ``planned`` collections (the Direct Debit Guarantee's advance notice)."""
    return letters.issue_letter(letter=_notice(account, planned, mandate, why, now), now=now)


def reschedule(*, account: Account, why: str, actor_label: str, now: datetime) -> list[Collection]:
    """Replace the account's scheduled collections from the first day a new notice allows, and send that notice.

    Collections before that day were announced by an earlier notice and are kept. Returns the new collections
    (none for an account that does not pay by Direct Debit).

    :raises ScheduleRefused: a Direct Debit arrangement without a live mandate or without amounts.
    """
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    if arrangement is None or arrangement.method not in methods.DIRECT_DEBIT_METHODS:
        return []
    mandate = _live_mandate(account)
    if mandate is None:
        raise ScheduleRefused(f"Account {account.number} has no Direct Debit instruction to collect from.")
    earliest = first_day_after_notice(account=account, now=now)
    earliest = max(earliest, mandate.live_date or earliest)
    with transaction.atomic():
        PaymentArrangement.objects.select_for_update().filter(pk=arrangement.pk).first()  # one reschedule at a time
        Collection.objects.filter(
            account=account, status=Collection.Status.SCHEDULED, collection_date__gte=earliest
        ).update(status=Collection.Status.CANCELLED, outcome=f"Replaced by a new schedule: {why}"[:300])
        kept = set(
            Collection.objects.filter(mandate=mandate)
            .exclude(status=Collection.Status.CANCELLED)
            .values_list("collection_date", flat=True)
        )
        planned = [p for p in plan(arrangement, mandate, earliest, AHEAD) if p.collection_date not in kept]
        if not planned:
            return []
        document = announce(account=account, planned=planned, mandate=mandate, why=why, now=now)
        created = Collection.objects.bulk_create(
            [
                Collection(
                    account=account,
                    mandate=mandate,
                    purpose=p.purpose,
                    transaction_code=p.transaction_code,
                    amount=p.amount,
                    collection_date=p.collection_date,
                    scheduled_at=now,
                    notice=document,
                )
                for p in planned
            ]
        )
        audit.record(
            actor=None,
            action="payments.schedule_made",
            subject=f"account {account.number}",
            customer=account.customer,
            at=now,
            after={
                "by": actor_label,
                "why": why,
                "collections": [f"{p.collection_date.isoformat()} £{p.amount}" for p in planned],
                "notice": document.reference,
            },
        )
    return created


def top_up_schedule(*, account: Account, now: datetime) -> list[Collection]:
    """Add monthly collections at the amounts already announced when fewer than ``TOP_UP_BELOW`` remain.

    The notice that announced the schedule covers further collections of the same amount, day and frequency, so
    they cite it and no new notice is sent.
    """
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    mandate = _live_mandate(account)
    if arrangement is None or mandate is None or arrangement.method not in methods.MONTHLY_METHODS:
        return []
    upcoming = list(
        Collection.objects.filter(mandate=mandate, status=Collection.Status.SCHEDULED).order_by("collection_date")
    )
    if len(upcoming) >= TOP_UP_BELOW or not upcoming:
        return []
    last = upcoming[-1]
    planned = plan(arrangement, mandate, last.collection_date + timedelta(days=1), AHEAD - len(upcoming))
    return Collection.objects.bulk_create(
        [
            Collection(
                account=account,
                mandate=mandate,
                purpose=p.purpose,
                transaction_code="17",
                amount=p.amount,
                collection_date=p.collection_date,
                scheduled_at=now,
                notice=last.notice,
            )
            for p in planned
        ]
    )


def post_collected(*, day: date, now: datetime) -> list[Collection]:
    """Collections sent to the bank whose day has come are paid: each posts one ledger payment (its own day).

    ``POSTED_AT_A_TIME`` at a time, each lot in its own transaction: its collections are locked, those still
    ``SUBMITTED`` get their payment (a ledger entry and its audit event each, written together) and are marked
    ``COLLECTED`` with it, so a run racing this one finds them paid and pays none twice.
    """
    done: list[Collection] = []
    due = list(
        Collection.objects.filter(status=Collection.Status.SUBMITTED, collection_date__lte=day)
        .order_by("collection_date", "id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(due), POSTED_AT_A_TIME):
        with transaction.atomic():
            locked = list(
                Collection.objects.select_for_update(of=("self",))
                .filter(pk__in=due[start : start + POSTED_AT_A_TIME], status=Collection.Status.SUBMITTED)
                .select_related("account")
                .annotate(mandate_reference=F("mandate__reference"))
                .order_by("collection_date", "id")
            )
            if not locked:
                continue  # another run paid the whole lot
            entries = billing_ops.record_payments(
                payments=[
                    billing_ops.PaymentReceived(
                        account=collection.account,
                        amount=collection.amount,
                        reference=collection.mandate_reference,
                        reason="Direct Debit collected",
                    )
                    for collection in locked
                ],
                actor=None,
                now=now,
            )
            for collection, entry in zip(locked, entries, strict=True):
                collection.status = Collection.Status.COLLECTED
                collection.payment = entry
            _mark_collected(locked)
            done.extend(locked)
    return done


def _mark_collected(collections: Sequence[Collection]) -> None:
    """Write each collection's status and its own payment, by id, in one go.

    ``bulk_update`` would write each row's payment as a branch of a CASE, costing more to build than the payment
    itself. PostgreSQL takes the ids and payments as two arrays in one UPDATE (a statement per row is parsed and
    planned each time there); SQLite runs one prepared UPDATE over them all.
    """
    table = Collection._meta.db_table
    ids = [collection.pk for collection in collections]
    payments = [collection.payment_id for collection in collections]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} SET status = %s, payment_id = paid.payment_id "  # noqa: S608
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS payment_id) AS paid "
                f"WHERE {table}.id = paid.id",
                [Collection.Status.COLLECTED, ids, payments],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, payment_id = %s WHERE id = %s",  # noqa: S608
                [(Collection.Status.COLLECTED, payment, pk) for pk, payment in zip(ids, payments, strict=True)],
            )


def mark_unpaid(*, collection: Collection, description: str, outcome: str, now: datetime) -> bool:
    """The bank took a collection back (returned unpaid, or refunded under the Guarantee): its ledger payment, if one
    was posted, is reversed (a ``PAYMENT_REVERSAL`` whose description the customer reads), and it is ``UNPAID``.

    Returns whether a payment was reversed (none was posted when it came back before its day).
    """
    reversed_payment = collection.payment_id is not None
    if reversed_payment:
        collection.reversal = LedgerEntry.objects.create(
            account=collection.account,
            kind=LedgerEntry.Kind.PAYMENT_REVERSAL,
            amount=collection.amount,
            posted_at=now,
            description=description[:200],
            external_reference=collection.mandate.reference,
        )
    collection.status = Collection.Status.UNPAID
    collection.outcome = outcome[:300]
    collection.save(update_fields=["status", "outcome", "reversal"])
    return reversed_payment
