"""Subject-access requests (UK GDPR art. 15): received, made into an export by a daily job, downloaded, expired.

The due date follows the ICO's reading of art. 12(3) "within one month of receipt": the same date in the next
month; where the next month has no such date (a request of 31 January), its last day; and where that day is not a
working day, the next working day (``hearth.common.calendar``: weekends and England, Scotland or Wales bank
holidays). Worked examples are in ADR 0016 and its tests.
"""

from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from hearth.common import calendar
from hearth.data.accounts.models import Customer
from hearth.data.identity.models import User
from hearth.data.privacy.models import Channel, SubjectAccessRequest
from hearth.domain.audit import operations as audit
from hearth.domain.privacy import export as exporting
from hearth.domain.tariffs import operations as tariffs_ops

DOWNLOAD_DAYS = 30
"""How long an export may be downloaded before it is deleted: long enough to fetch, short enough not to linger."""

PSR_APP = "priority"
"""The register's data app: an export holding its rows is an access to PSR data, and is audited as one."""


class RequestRefused(Exception):
    """The request cannot be taken; the message says why, in words a customer understands."""


def due_date(received: date) -> date:
    """One month from ``received``: the same date next month, or its last day, moved on to a working day."""
    due = tariffs_ops.add_months(received, 1)
    while not calendar.is_working_day(due):
        due += timedelta(days=1)
    return due


def raise_request(
    *, customer: Customer, channel: Channel, raised_by: User, requester: User | None, now: datetime
) -> SubjectAccessRequest:
    """Record a request received ``now``, due one month later; the export follows from the daily job.

    :raises RequestRefused: if one is already being made for the customer.
    """
    received = calendar.local_date(now)
    try:
        with transaction.atomic():
            request = SubjectAccessRequest.objects.create(
                customer=customer,
                channel=channel,
                raised_by=raised_by,
                requester=requester,
                received_at=now,
                received_date=received,
                due_date=due_date(received),
            )
    except IntegrityError:
        raise RequestRefused(
            "A copy of your data is already being prepared; we will tell you when it is ready."
        ) from None
    audit.record(
        actor=raised_by,
        action="privacy.subject_access_requested",
        subject=f"Subject-access request {request.pk}",
        customer=customer,
        after={"channel": channel, "received_date": received.isoformat(), "due_date": request.due_date.isoformat()},
        at=now,
    )
    return request


def make_export(*, request: SubjectAccessRequest, now: datetime) -> exporting.Export:
    """Build and store the export of a received request, and make it downloadable until ``DOWNLOAD_DAYS`` later."""
    made = exporting.build_export(customer=request.customer, reference=request.reference, made_at=now)
    with transaction.atomic():
        locked = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != SubjectAccessRequest.Status.RECEIVED:
            return made  # another run made it meanwhile
        locked.export.save(f"{locked.pk}/{locked.reference}.zip", ContentFile(made.content), save=False)
        locked.export_sha256 = made.sha256
        locked.status = SubjectAccessRequest.Status.READY
        locked.ready_at = now
        locked.expires_at = now + timedelta(days=DOWNLOAD_DAYS)
        locked.save(update_fields=["export", "export_sha256", "status", "ready_at", "expires_at"])
        audit.record(
            actor=None,
            action="privacy.subject_access_export_made",
            subject=locked.reference,
            customer=locked.customer,
            after={"tables": made.table_count, "rows": made.row_count, "sha256": made.sha256},
            at=now,
        )
        if any(label.startswith(f"{PSR_APP}.") for label in made.labels):
            audit.record(
                actor=None,
                action="priority.data_accessed",
                subject=f"{locked.reference}: the register's records put in a subject-access export",
                customer=locked.customer,
                at=now,
            )
    request.refresh_from_db()
    return made


def expire_export(*, request: SubjectAccessRequest, now: datetime) -> None:
    """Delete an export whose download period has ended; the request stays as the record that it was answered."""
    with transaction.atomic():
        locked = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != SubjectAccessRequest.Status.READY:
            return
        if locked.export:
            locked.export.delete(save=False)
        locked.status = SubjectAccessRequest.Status.EXPIRED
        locked.save(update_fields=["export", "status"])
        audit.record(
            actor=None,
            action="privacy.subject_access_export_deleted",
            subject=locked.reference,
            customer=locked.customer,
            at=now,
        )


def record_download(*, request: SubjectAccessRequest, by: User, now: datetime) -> None:
    """Audit a download: the export holds everything about the person (and their register entry, if any)."""
    audit.record(
        actor=by,
        action="privacy.subject_access_export_downloaded",
        subject=request.reference,
        customer=request.customer,
        at=now,
    )


def downloadable(request: SubjectAccessRequest, now: datetime) -> bool:
    return (
        request.status == SubjectAccessRequest.Status.READY
        and bool(request.export)
        and (request.expires_at is not None and now < request.expires_at)
    )


def requests_of(customer: Customer) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(customer=customer).order_by("-received_at", "-id")


def request_for_requester(*, request_id: int, user: User) -> SubjectAccessRequest | None:
    """The request if ``user`` is the login that may download it; None for any other, as for one that is not."""
    return SubjectAccessRequest.objects.filter(pk=request_id, requester=user).select_related("customer").first()


def waiting() -> QuerySet[SubjectAccessRequest]:
    """Requests still to be answered, soonest due first (so the overdue lead)."""
    return (
        SubjectAccessRequest.objects.filter(status=SubjectAccessRequest.Status.RECEIVED)
        .select_related("customer")
        .order_by("due_date", "received_at", "id")
    )


def expired_by(now: datetime) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(status=SubjectAccessRequest.Status.READY, expires_at__lte=now).order_by(
        "id"
    )
