"""Importing the bank's Bacs reports (ARUDD, ADDACS, AUDDIS) and acting on each entry by its reason code.

The file is kept as received, sealed like the account numbers it carries, and imported once (its SHA-256 is
unique). Each entry becomes a ``BacsReportItem``
saying what was done; an entry that cannot be acted on (no such reference, no matching collection, an unreadable
entry) is ``KEPT`` with the reason, for care staff to replay after putting things right, or to dismiss with a reason.
Nothing in a report is ever dropped.

What each reason code does is a table here (``ARUDD_ACTIONS``, ``ADDACS_ACTIONS``), from the public descriptions of
the codes (``common/bacs/reports.py`` cites them):
- an unpaid collection (ARUDD) always reverses its ledger payment; where the customer's side caused it (refer to
  payer, instruction cancelled, account closed) the product's missed-payment fee (T&C 10.1.2) and the bank's charge
  (T&C 10.1.7, ``HEARTH_BACS['unpaid_bank_charge']``) are added; "refer to payer" is re-presented once; codes that
  mean the instruction is gone end the mandate, move the account to standard credit and tell the customer; codes
  that question our own notice or amount leave the mandate and ask care staff to check.
- ADDACS cancellations end the mandate the same way; transfers and amendments update the bank details; a
  re-instatement makes the mandate live again.
- AUDDIS rejections mark the mandate rejected, cancel its collections and tell the customer.
"""

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction

from hearth.common import calendar, sealed
from hearth.common.bacs import calendar as bacs_calendar
from hearth.common.bacs import reports
from hearth.data.billing.models import AdditionalCharge
from hearth.data.identity.models import User
from hearth.data.payments.models import BacsReport, BacsReportItem, Collection, Mandate
from hearth.data.tariffs.models import Agreement
from hearth.domain.audit import operations as audit
from hearth.domain.billing import operations as billing_ops
from hearth.domain.payments import arrangements, collections, operations


class ReportRefused(Exception):
    """The file cannot be imported (not a Bacs report), or the entry cannot be dismissed; the message says why."""


@dataclass(frozen=True, slots=True)
class UnpaidAction:
    """What an ARUDD reason code does besides reversing the payment."""

    customer_caused: bool
    re_present: bool
    ends_mandate: bool
    care_check: bool


ARUDD_ACTIONS: Final = {
    "0": UnpaidAction(customer_caused=True, re_present=True, ends_mandate=False, care_check=False),
    "1": UnpaidAction(customer_caused=True, re_present=False, ends_mandate=True, care_check=False),
    "2": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=True, care_check=True),
    "3": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=True, care_check=False),
    "4": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=False, care_check=True),
    "5": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=True, care_check=False),
    "6": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=True, care_check=False),
    "7": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=False, care_check=True),
    "8": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=False, care_check=True),
    "9": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=False, care_check=True),
    "A": UnpaidAction(customer_caused=False, re_present=False, ends_mandate=True, care_check=True),
    "B": UnpaidAction(customer_caused=True, re_present=False, ends_mandate=True, care_check=False),
}
"""ARUDD reason code -> action. Every public code is here (a test holds the table to ``reports.ARUDD_REASONS``)."""

ADDACS_CANCELS: Final = frozenset({"0", "1", "2", "B", "D"})
"""ADDACS codes that end the instruction (D, a disputed notice, also asks care staff to check the notice)."""

ADDACS_AMENDS: Final = frozenset({"3", "C", "E"})
"""ADDACS codes that carry new details for the instruction (moved bank or branch, amended)."""

ADDACS_REINSTATES: Final = frozenset({"R"})

CARE_CHECK: Final = "care staff to check"


def _pounds(pence: int | None) -> Decimal | None:
    return None if pence is None else (Decimal(pence) / 100).quantize(Decimal("0.01"))


_ACCOUNT_NUMBER: Final = re.compile(r"(?<![0-9])[0-9]{6}([0-9]{2})(?![0-9])")
"""Eight digits on their own: an account number, however the entry holds it (read or not)."""


def _masked(text: str) -> str:
    """``text`` with every account number cut to its last two digits."""
    return _ACCOUNT_NUMBER.sub(r"******\1", text)


def _details(item: reports.ReportItem) -> dict[str, Any]:
    """The entry's fields for replay; a new account number only sealed."""
    kept: dict[str, Any] = {}
    for name, value in dataclasses.asdict(item).items():
        if value is None or name in {"line", "raw", "payer_account_number"}:
            continue
        if name == "new_account_number":
            kept["new_account_number_sealed"] = arrangements.seal_account_number(value)
            continue
        kept[name] = value.isoformat() if isinstance(value, date) else value
    return kept


def import_report(*, file_name: str, data: bytes, imported_by: str, now: datetime) -> BacsReport:
    """Keep the report and act on each entry; importing the same file again returns the first import, acting only
    on entries a failure part-way left undone (each entry is acted on and recorded in one transaction).

    :raises ReportRefused: the file is not one of the Bacs reports (nothing is stored then: it is not a report).
    """
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        parsed = reports.parse_report(data)
    except reports.ReportUnreadable as exc:
        raise ReportRefused(f"{file_name} cannot be read as a Bacs report: {exc}") from exc
    report = BacsReport.objects.filter(sha256=sha256).first()
    if report is None:
        try:
            with transaction.atomic():
                report = BacsReport.objects.create(
                    kind=parsed.kind,
                    file_name=file_name[:200],
                    sha256=sha256,
                    raw=sealed.seal_bytes(data, keys=settings.HEARTH_BANK_DETAILS_KEYS),
                    report_date=parsed.report_date,
                    received_at=now,
                    imported_by=imported_by[:150],
                )
                audit.record(
                    actor=None,
                    action="payments.bacs_report_imported",
                    subject=report.file_name,
                    at=now,
                    after={
                        "by": imported_by,
                        "kind": report.kind,
                        "entries": len(parsed.items),
                        "problems": len(parsed.problems),
                    },
                )
        except IntegrityError:
            return BacsReport.objects.get(sha256=sha256)  # another import of the same file is acting on it
    done = set(report.items.values_list("line", flat=True))
    for position, entry in _entries(parsed):
        if position not in done:
            _record(report, position, entry, now)
    return report


Entry = reports.ReportItem | reports.ReportProblem | reports.SubmissionOutcome


def _entries(parsed: reports.Report) -> list[tuple[int, Entry]]:
    """Every entry of the report numbered by its place in the file (1 = first), so that each is recorded once even
    when the file is written on one line: file outcomes (AUDDIS), then entries and unreadable entries, by line."""
    found: list[tuple[int, int, int, Entry]] = [
        *((outcome.line, 0, index, outcome) for index, outcome in enumerate(parsed.submissions)),
        *((item.line, 1, index, item) for index, item in enumerate(parsed.items)),
        *((problem.line, 1, len(parsed.items) + index, problem) for index, problem in enumerate(parsed.problems)),
    ]
    found.sort(key=lambda each: each[:3])
    return [(position, entry) for position, (*_, entry) in enumerate(found, start=1)]


def _record(report: BacsReport, position: int, entry: Entry, now: datetime) -> None:
    if isinstance(entry, reports.ReportItem):
        _handle(report, position, entry, now)
    elif isinstance(entry, reports.ReportProblem):
        BacsReportItem.objects.create(
            report=report,
            line=position,
            raw=_masked(entry.raw),
            outcome=BacsReportItem.Outcome.KEPT,
            action=f"Could not be read: {entry.reason}"[:500],
            handled_at=now,
        )
    elif entry.rejected or entry.rejected_instructions:
        BacsReportItem.objects.create(
            report=report,
            line=position,
            reference=entry.file_serial,
            raw=f"file {entry.file_serial} {entry.file_type} {' '.join(entry.errors)}"[:2000],
            outcome=BacsReportItem.Outcome.KEPT,
            action=(
                f"Submission {entry.file_serial} was {'rejected' if entry.rejected else 'accepted'} with "
                f"{entry.rejected_instructions} instructions rejected: {CARE_CHECK}. {' '.join(entry.errors)}"
            )[:500],
            handled_at=now,
        )


def report_file(report: BacsReport) -> bytes:
    """The report file as received (kept sealed: it carries payers' account numbers)."""
    return sealed.unseal_bytes(bytes(report.raw), keys=settings.HEARTH_BANK_DETAILS_KEYS)


def _handle(report: BacsReport, position: int, entry: reports.ReportItem, now: datetime) -> BacsReportItem:
    item = BacsReportItem(
        report=report,
        line=position,
        reference=entry.reference[:40],
        reason_code=entry.reason_code[:4],
        amount=_pounds(entry.amount_pence),
        raw=_masked(
            f"{report.kind} {entry.reference} {entry.reason_code} {entry.reason} {entry.amount_pence or ''} "
            f"{entry.due_date or ''} {entry.payer_name} {entry.payer_account_number or ''} "
            f"{entry.new_account_number or ''}"
        ),
        details=_details(entry),
        handled_at=now,
    )
    return _apply(item, now)


def _apply(item: BacsReportItem, now: datetime) -> BacsReportItem:
    """Act on the entry in one transaction; whatever cannot be done is kept with its reason (and nothing changes)."""
    try:
        with transaction.atomic():
            action = _act(item, now)
            item.outcome, item.action = BacsReportItem.Outcome.APPLIED, action[:500]
            item.save()
    except _Keep as keep:
        item.outcome, item.action = BacsReportItem.Outcome.KEPT, str(keep)[:500]
        item.save()
    return item


class _Keep(Exception):
    """The entry cannot be acted on; the message is why (shown to care staff)."""


def _mandate(item: BacsReportItem) -> Mandate:
    """The instruction the entry is about, recorded on the entry for care staff."""
    mandate = Mandate.objects.filter(reference=item.reference.strip()).select_related("account__customer").first()
    if mandate is None:
        raise _Keep(f"No Direct Debit has the reference {item.reference!r}.")
    item.mandate = mandate
    return mandate


def _act(item: BacsReportItem, now: datetime) -> str:
    kind = item.report.kind
    if kind == BacsReport.Kind.ARUDD:
        return _unpaid(item, now)
    if kind == BacsReport.Kind.ADDACS:
        return _amendment(item, now)
    return _rejected_instruction(item, now)


def _collection_for(item: BacsReportItem, mandate: Mandate) -> Collection:
    candidates = Collection.objects.filter(
        mandate=mandate, status__in=[Collection.Status.SUBMITTED, Collection.Status.COLLECTED]
    )
    if item.amount is not None:
        candidates = candidates.filter(amount=item.amount)
    due = item.details.get("due_date") or item.details.get("original_processing_date")
    if due:
        # ARUDD names the original processing day (day 2, the file's UHL1 date): collected the Bacs day after it.
        # A bank quoting the collection day itself is matched as well.
        when = date.fromisoformat(due)
        candidates = candidates.filter(collection_date__in=[when, bacs_calendar.add_processing_days(when, 1)])
    collection = candidates.order_by("-collection_date", "-id").first()
    if collection is None:
        raise _Keep(
            f"No collection of {mandate.reference} for £{item.amount} {('on ' + due) if due else ''} is waiting to "
            "be paid: it may already be marked unpaid, or the amount differs."
        )
    return collection


def _fee(account_id: int, collection: Collection, now: datetime) -> list[str]:
    """The T&C's charges for a missed payment the customer caused: the product's fee and the bank's charge."""
    done: list[str] = []
    at = calendar.day_starts_at(collection.collection_date)
    agreement = (
        Agreement.objects.filter(supply_point__supplies__account_id=account_id, valid_from__lte=at)
        .exclude(valid_to__lte=at)
        .select_related("tariff__product")
        .order_by("-valid_from")
        .first()
    )
    today = calendar.local_date(now)
    charges = [
        (
            AdditionalCharge.Kind.MISSED_PAYMENT_FEE,
            agreement.tariff.product.missed_payment_fee if agreement else 0,
            "Missed Direct Debit payment (T&C 10.1.2)",
        ),
        (
            AdditionalCharge.Kind.BANK_CHARGES,
            Decimal(settings.HEARTH_BACS["unpaid_bank_charge"]),
            "Bank charge for the returned Direct Debit (T&C 10.1.7)",
        ),
    ]
    for kind, amount, reason in charges:
        if amount and amount > 0:
            billing_ops.raise_additional_charge(
                account=collection.account,
                kind=kind,
                amount=Decimal(amount),
                incurred_date=today,
                reason=reason,
                meter_proved_accurate=None,
                actor=None,
                now=now,
            )
            done.append(f"{AdditionalCharge.Kind(kind).label} £{amount}")
    return done


def _re_present(collection: Collection, reason: str, now: datetime) -> str:
    """Present a returned collection once more (Bacs code 18), announced by a notice, on the first day it allows."""
    if collection.purpose == Collection.Purpose.RE_PRESENTATION:
        return "not re-presented again (it was already a re-presentation)"
    account, mandate = collection.account, collection.mandate
    when = bacs_calendar.next_processing_day_on_or_after(collections.first_day_after_notice(account=account, now=now))
    taken = set(
        Collection.objects.filter(mandate=mandate)
        .exclude(status=Collection.Status.CANCELLED)
        .values_list("collection_date", flat=True)
    )
    while when in taken:  # one collection a day per instruction: not on a monthly collection's day
        when = bacs_calendar.add_processing_days(when, 1)
    planned = collections.PlannedCollection(when, collection.amount, Collection.Purpose.RE_PRESENTATION, "18")
    notice = collections.announce(
        account=account,
        planned=[planned],
        mandate=mandate,
        why=(
            f"Your bank did not pay the Direct Debit of £{collection.amount:,.2f} due on "
            f"{collection.collection_date:%-d %B %Y} ({reason.lower()}). We will ask your bank for it once more."
        ),
        now=now,
    )
    again = Collection.objects.create(
        account=account,
        mandate=mandate,
        purpose=planned.purpose,
        transaction_code=planned.transaction_code,
        amount=planned.amount,
        collection_date=planned.collection_date,
        scheduled_at=now,
        represents=collection,
        notice=notice,
    )
    return f"re-presented for {again.collection_date:%-d %b %Y}, customer told"


def _unpaid(item: BacsReportItem, now: datetime) -> str:
    action = ARUDD_ACTIONS.get(item.reason_code)
    if action is None:
        raise _Keep(f"Unknown ARUDD reason code {item.reason_code!r}.")
    mandate = _mandate(item)
    collection = _collection_for(item, mandate)
    item.collection = collection
    reason = reports.ARUDD_REASONS[item.reason_code]
    done = []
    if collections.mark_unpaid(
        collection=collection,
        description=f"Direct Debit returned unpaid: {reason}",
        outcome=f"Returned unpaid: {reason} (ARUDD {item.reason_code})",
        now=now,
    ):
        done.append(f"payment of £{collection.amount} reversed")
    if action.customer_caused:
        done.extend(_fee(collection.account_id, collection, now))
    if action.re_present and not action.ends_mandate:
        done.append(_re_present(collection, reason, now))
    if action.ends_mandate and mandate.status in (Mandate.Status.LODGED, Mandate.Status.LIVE, Mandate.Status.PENDING):
        operations.cancel_direct_debit(
            mandate=mandate,
            reason=f"your bank returned a payment: {reason.lower()}.",
            by_bank=True,
            actor=None,
            now=now,
        )
        done.append("Direct Debit ended, account moved to pay on receipt of bill, customer told")
    if action.care_check:
        done.append(CARE_CHECK)
    audit.record(
        actor=None,
        action="payments.collection_unpaid",
        subject=f"account {collection.account.number}",
        customer=collection.account.customer,
        at=now,
        after={"collection": collection.pk, "reason_code": item.reason_code, "done": done},
    )
    return f"{reason}: " + "; ".join(done)


def _amendment(item: BacsReportItem, now: datetime) -> str:
    code = item.reason_code
    if code not in reports.ADDACS_REASONS:
        raise _Keep(f"Unknown ADDACS reason code {code!r}.")
    mandate = _mandate(item)
    reason = reports.ADDACS_REASONS[code]
    if code in ADDACS_CANCELS:
        if mandate.status in (Mandate.Status.CANCELLED, Mandate.Status.REJECTED):
            return f"{reason}: the Direct Debit had already ended"
        operations.cancel_direct_debit(
            mandate=mandate, reason=f"your bank told us: {reason.lower()}.", by_bank=True, actor=None, now=now
        )
        return f"{reason}: Direct Debit ended, account moved to pay on receipt of bill, customer told" + (
            f"; {CARE_CHECK} the advance notice" if code == "D" else ""
        )
    if code in ADDACS_AMENDS:
        before = {"sort_code": mandate.sort_code, "account_number": f"ending {mandate.account_number_last2}"}
        if item.details.get("new_sort_code"):
            mandate.sort_code = item.details["new_sort_code"]
        sealed_number = item.details.get("new_account_number_sealed")
        if sealed_number:
            number = sealed.unseal(sealed_number, keys=settings.HEARTH_BANK_DETAILS_KEYS)
            mandate.account_number_sealed = arrangements.seal_account_number(number)
            mandate.account_number_last2 = number[-2:]
        if item.details.get("new_name"):
            mandate.holder_name = str(item.details["new_name"])[:18]
        mandate.save(update_fields=["sort_code", "account_number_sealed", "account_number_last2", "holder_name"])
        audit.record(
            actor=None,
            action="payments.mandate_amended",
            subject=f"account {mandate.account.number}",
            customer=mandate.account.customer,
            at=now,
            before=before,
            after={
                "sort_code": mandate.sort_code,
                "account_number": f"ending {mandate.account_number_last2}",
                "reason": reason,
            },
        )
        return f"{reason}: bank details updated"
    if mandate.status != Mandate.Status.CANCELLED:
        return f"{reason}: the Direct Debit was not cancelled; nothing to do"
    newer = (
        Mandate.objects.filter(
            account=mandate.account, status__in=[Mandate.Status.PENDING, Mandate.Status.LODGED, Mandate.Status.LIVE]
        )
        .exclude(pk=mandate.pk)
        .first()
    )
    if newer is not None:  # one Direct Debit per account: the customer has set up another since
        raise _Keep(
            f"{reason}, but the account now pays by Direct Debit {newer.reference}: {CARE_CHECK} with the customer "
            "which instruction to keep (the bank can be asked to cancel this one)."
        )
    mandate.status, mandate.ended_at, mandate.end_reason = Mandate.Status.LIVE, None, ""
    mandate.save(update_fields=["status", "ended_at", "end_reason"])
    return f"{reason}: Direct Debit live again; {CARE_CHECK} the payment method and schedule"


def _rejected_instruction(item: BacsReportItem, now: datetime) -> str:
    mandate = _mandate(item)
    reason = reports.AUDDIS_REASONS.get(item.reason_code, f"code {item.reason_code}")
    if mandate.status in (Mandate.Status.CANCELLED, Mandate.Status.REJECTED):
        return f"{reason}: the Direct Debit had already ended"
    operations.cancel_direct_debit(
        mandate=mandate, reason=f"your bank could not set it up: {reason.lower()}.", by_bank=True, actor=None, now=now
    )
    Mandate.objects.filter(pk=mandate.pk).update(status=Mandate.Status.REJECTED)
    return f"{reason}: Direct Debit rejected, account moved to pay on receipt of bill, customer told"


def replay_item(*, item: BacsReportItem, actor: User, now: datetime) -> BacsReportItem:
    """Try a kept entry again (after care staff put right what stopped it); an applied one is left as it is."""
    if item.outcome != BacsReportItem.Outcome.KEPT:
        return item
    if not item.reference:
        item.action = f"{item.action} (an unreadable entry cannot be replayed: dismiss it once dealt with)"[:500]
        item.save(update_fields=["action"])
        return item
    item.handled_at = now
    result = _apply(item, now)
    audit.record(
        actor=actor,
        action="payments.bacs_item_replayed",
        subject=f"{item.report.file_name} entry {item.line}",
        at=now,
        after={"outcome": result.outcome, "action": result.action},
    )
    return result


def dismiss_item(*, item: BacsReportItem, reason: str, actor: User, now: datetime) -> BacsReportItem:
    """Care staff close a kept entry they dealt with by hand.

    :raises ReportRefused: no reason, or the entry was not kept.
    """
    reason = reason.strip()
    if not reason:
        raise ReportRefused("Give the reason for dismissing the entry.")
    if item.outcome != BacsReportItem.Outcome.KEPT:
        raise ReportRefused("Only an entry kept for care can be dismissed.")
    item.outcome = BacsReportItem.Outcome.DISMISSED
    item.action = f"Dismissed by {actor.email}: {reason}"[:500]
    item.handled_at = now
    item.save(update_fields=["outcome", "action", "handled_at"])
    audit.record(
        actor=actor,
        action="payments.bacs_item_dismissed",
        subject=f"{item.report.file_name} entry {item.line}",
        at=now,
        after={"reason": reason},
    )
    return item
