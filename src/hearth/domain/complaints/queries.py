"""Read complaints: the customer's own, care's queue (overdue first), the e-mails waiting for care, and a
complaint's clock in words."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.complaints.models import Complaint, ComplaintEvent, InboundMail
from hearth.domain.complaints import clocks


def complaints_of(*, account: Account) -> QuerySet[Complaint]:
    return Complaint.objects.filter(account=account).order_by("-received_at", "-id")


def complaint_of(*, account: Account, complaint_id: int) -> Complaint | None:
    """The account's complaint with this id; another account's answers None, like one that does not exist."""
    return Complaint.objects.filter(account=account, pk=complaint_id).first()


def complaint_by_id(*, complaint_id: int) -> Complaint | None:
    return Complaint.objects.filter(pk=complaint_id).select_related("account__customer", "raised_by").first()


def queue(*, today: date, include_closed: bool = False) -> QuerySet[Complaint]:
    """Care's queue: responses overdue first, then waiting for a response, then responded, each by its due date."""
    found = Complaint.objects.select_related("account__customer")
    if not include_closed:
        found = found.exclude(status__in=Complaint.CLOSED)
    urgency = Case(
        When(status=Complaint.Status.OPEN, response_due_date__lt=today, then=Value(0)),
        When(status=Complaint.Status.OPEN, then=Value(1)),
        When(status=Complaint.Status.RESPONDED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return found.annotate(urgency=urgency).order_by("urgency", "response_due_date", "received_at", "id")


def timeline(*, complaint: Complaint, with_notes: bool = True) -> QuerySet[ComplaintEvent]:
    """The complaint's steps in order; the customer's view leaves out care's notes."""
    events = complaint.events.select_related("document__document_type", "actor").order_by("at", "id")
    return events if with_notes else events.exclude(kind=ComplaintEvent.Kind.NOTE)


def waiting_mail() -> QuerySet[InboundMail]:
    """Complaint e-mails care must look at: unreadable or unmatched, oldest first."""
    return InboundMail.objects.filter(
        status__in=[InboundMail.Status.UNREADABLE, InboundMail.Status.UNMATCHED]
    ).order_by("received_at", "id")


def mail_by_id(*, mail_id: int) -> InboundMail | None:
    return InboundMail.objects.filter(pk=mail_id).select_related("complaint").first()


@dataclass(frozen=True)
class Clock:
    """Where a complaint stands on its clocks, for the portal and the console."""

    received_date: date
    respond_by: date
    responded: bool
    response_overdue: bool
    ombudsman_from: date
    ombudsman_until: date | None
    closed: bool
    next_step: str


def clock(*, complaint: Complaint, today: date) -> Clock:
    """The complaint's clocks on ``today`` and what happens next, in the customer's words."""
    closed = complaint.status in Complaint.CLOSED
    responded = complaint.responded_at is not None
    final_date = calendar.local_date(complaint.final_response_at) if complaint.final_response_at else None
    ombudsman_from = final_date if final_date and final_date < complaint.ombudsman_date else complaint.ombudsman_date
    until = (
        clocks.ombudsman_deadline(final_response_date=final_date, ombudsman_from=complaint.ombudsman_date)
        if final_date or today >= complaint.ombudsman_date
        else None
    )
    if closed:
        next_step = (
            "We have sent our final response. If you are not happy with it, you can ask the Energy Ombudsman to "
            "look at your complaint."
        )
    elif today >= complaint.ombudsman_date:
        next_step = (
            "It is 8 weeks since we received your complaint: you can ask the Energy Ombudsman to look at it now, "
            "while we keep working on it."
        )
    elif responded:
        next_step = (
            "We have responded and are still working on your complaint. We will send you our final response; "
            f"if it is not resolved by {complaint.ombudsman_date:%-d %B %Y}, you can go to the Energy Ombudsman."
        )
    elif today > complaint.response_due_date:
        next_step = (
            f"We should have responded by {complaint.response_due_date:%-d %B %Y}. We are sorry for the delay: "
            "our complaints team has been told, and will contact you."
        )
    else:
        next_step = (
            f"Our complaints team is looking into it and will respond by {complaint.response_due_date:%-d %B %Y}."
        )
    return Clock(
        received_date=calendar.local_date(complaint.received_at),
        respond_by=complaint.response_due_date,
        responded=responded,
        response_overdue=not responded and today > complaint.response_due_date,
        ombudsman_from=ombudsman_from,
        ombudsman_until=until,
        closed=closed,
        next_step=next_step,
    )
