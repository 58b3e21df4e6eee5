"""Raise, answer and close complaints (T&C 20), and the daily clocks: every step a timeline event, a letter where
the customer is told something, and an audit event."""

from datetime import date, datetime
from typing import Final

from django.db import IntegrityError, transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.complaints.models import Complaint, ComplaintEvent
from hearth.data.identity.models import User
from hearth.domain.audit import operations as audit
from hearth.domain.complaints import clocks
from hearth.domain.complaints import letters as complaint_letters
from hearth.domain.documents import letters

SUMMARY_LENGTH: Final = 200


class ComplaintRefused(Exception):
    """The complaint, or the step asked for, cannot be taken; the message says why."""


def _audit(complaint: Complaint, *, action: str, actor: User | None, now: datetime, **after: str) -> None:
    audit.record(
        actor=actor,
        action=f"complaints.{action}",
        subject=f"complaint {complaint.reference}",
        customer=complaint.account.customer,
        after={"status": complaint.status, **after},
        at=now,
    )


def _event(
    complaint: Complaint,
    kind: ComplaintEvent.Kind,
    *,
    at: datetime,
    actor: User | None = None,
    text: str = "",
    letter: letters.Letter | None = None,
) -> ComplaintEvent:
    document = letters.issue_letter(letter=letter, now=at) if letter is not None else None
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, at=at, actor=actor, text=text, document=document
    )


@transaction.atomic
def raise_complaint(
    *,
    account: Account,
    channel: Complaint.Channel,
    summary: str,
    description: str,
    received_at: datetime,
    raised_by: User | None,
    now: datetime,
) -> Complaint:
    """Record a complaint received at ``received_at`` (the portal: now; care: when the call, letter or chat came)
    with its clocks, and acknowledge it in writing by the account's delivery rules.

    :raises ComplaintRefused: no summary or description, or a receipt time in the future.
    """
    summary, description = " ".join(summary.split())[:SUMMARY_LENGTH], description.strip()
    if not summary:
        raise ComplaintRefused("Say in a few words what the complaint is about.")
    if not description:
        raise ComplaintRefused("Describe the complaint: what happened, and what the customer wants us to do.")
    if received_at > now:
        when = received_at.astimezone(calendar.LONDON)
        raise ComplaintRefused(f"The complaint cannot have been received in the future ({when:%-d %B %Y %H:%M}).")
    complaint = Complaint.objects.create(
        account=account,
        channel=channel,
        summary=summary,
        description=description,
        received_at=received_at,
        response_due_date=clocks.response_due_date(received_at),
        ombudsman_date=clocks.ombudsman_date(received_at),
        raised_by=raised_by,
    )
    _event(complaint, ComplaintEvent.Kind.RECEIVED, at=received_at, actor=raised_by)
    _event(complaint, ComplaintEvent.Kind.ACKNOWLEDGED, at=now, letter=complaint_letters.acknowledgement(complaint))
    _audit(
        complaint,
        action="raised",
        actor=raised_by,
        now=now,
        channel=channel,
        response_due_date=complaint.response_due_date.isoformat(),
        ombudsman_date=complaint.ombudsman_date.isoformat(),
    )
    return complaint


def _open(complaint: Complaint) -> Complaint:
    """The complaint locked for a change, refused if a final response already closed it."""
    locked = Complaint.objects.select_for_update().select_related("account__customer").get(pk=complaint.pk)
    if locked.status in Complaint.CLOSED:
        raise ComplaintRefused(f"Complaint {locked.reference} is closed: its final response has been sent.")
    return locked


def _text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise ComplaintRefused(f"Write the {what}: it is printed in the letter to the customer.")
    return text


@transaction.atomic
def add_note(*, complaint: Complaint, text: str, actor: User, now: datetime) -> ComplaintEvent:
    """A note for care's timeline only (a call back, what was checked): the customer is not sent it.

    :raises ComplaintRefused: an empty note.
    """
    text = text.strip()
    if not text:
        raise ComplaintRefused("Write the note.")
    event = _event(complaint, ComplaintEvent.Kind.NOTE, at=now, actor=actor, text=text)
    _audit(complaint, action="note_added", actor=actor, now=now)
    return event


@transaction.atomic
def respond(*, complaint: Complaint, text: str, actor: User, now: datetime) -> ComplaintEvent:
    """Send the customer a response (20.2) that leaves the complaint open; the first one stops the 5-day clock.

    :raises ComplaintRefused: no text, or the complaint is closed.
    """
    text = _text(text, "response")
    complaint = _open(complaint)
    number = complaint.events.filter(kind=ComplaintEvent.Kind.RESPONDED).count() + 1
    letter = complaint_letters.response(complaint, text=text, number=number)
    event = _event(complaint, ComplaintEvent.Kind.RESPONDED, at=now, actor=actor, text=text, letter=letter)
    complaint.status = Complaint.Status.RESPONDED
    complaint.responded_at = complaint.responded_at or now
    complaint.save(update_fields=["status", "responded_at"])
    _audit(complaint, action="responded", actor=actor, now=now, letter=letter.reference)
    return event


@transaction.atomic
def give_final_response(
    *, complaint: Complaint, resolved: bool, text: str, actor: User, now: datetime
) -> ComplaintEvent:
    """Close the complaint with our final response (20.3): resolved, or a deadlock letter. Either names the Energy
    Ombudsman and the 12 months the customer has from today to go to them.

    :raises ComplaintRefused: no text, or the complaint is already closed.
    """
    text = _text(text, "final response")
    complaint = _open(complaint)
    letter = complaint_letters.final_response(
        complaint, text=text, resolved=resolved, issue_date=calendar.local_date(now)
    )
    kind = ComplaintEvent.Kind.RESOLVED if resolved else ComplaintEvent.Kind.DEADLOCK
    event = _event(complaint, kind, at=now, actor=actor, text=text, letter=letter)
    complaint.status = Complaint.Status.RESOLVED if resolved else Complaint.Status.DEADLOCKED
    complaint.responded_at = complaint.responded_at or now
    complaint.final_response_at = now
    complaint.save(update_fields=["status", "responded_at", "final_response_at"])
    _audit(complaint, action="resolved" if resolved else "deadlocked", actor=actor, now=now, letter=letter.reference)
    return event


def _once(
    complaint: Complaint,
    kind: ComplaintEvent.Kind,
    *,
    now: datetime,
    letter: letters.Letter | None = None,
    **step: str,
) -> bool:
    """Take a once-only step of the daily clocks; False if a run before this one took it (the constraint)."""
    try:
        with transaction.atomic():
            _event(complaint, kind, at=now, text=step.get("text", ""), letter=letter)
            _audit(complaint, action=kind.lower(), actor=None, now=now, **step)
    except IntegrityError:
        return False
    return True


def flag_overdue_responses(*, day: date, now: datetime) -> list[Complaint]:
    """Flag, once, each complaint still waiting for its first response after its due date has ended."""
    waiting = (
        Complaint.objects.filter(status=Complaint.Status.OPEN, response_due_date__lt=day)
        .exclude(events__kind=ComplaintEvent.Kind.RESPONSE_OVERDUE)
        .select_related("account__customer")
        .order_by("response_due_date", "id")
    )
    return [
        complaint
        for complaint in waiting
        if _once(
            complaint,
            ComplaintEvent.Kind.RESPONSE_OVERDUE,
            now=now,
            text=f"No response by {complaint.response_due_date:%-d %B %Y}",
        )
    ]


def send_eight_week_letters(*, day: date, now: datetime) -> list[Complaint]:
    """Tell each customer whose complaint has no final response 8 weeks after we received it about the Energy
    Ombudsman (day 56 or later: a missed day is caught up), once."""
    due = (
        Complaint.objects.exclude(status__in=Complaint.CLOSED)
        .filter(ombudsman_date__lte=day)
        .exclude(events__kind=ComplaintEvent.Kind.EIGHT_WEEKS)
        .select_related("account__customer", "account__billing_property")
        .order_by("ombudsman_date", "id")
    )
    return [
        complaint
        for complaint in due
        if _once(complaint, ComplaintEvent.Kind.EIGHT_WEEKS, now=now, letter=complaint_letters.eight_weeks(complaint))
    ]
