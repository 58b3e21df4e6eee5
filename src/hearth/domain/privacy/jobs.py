"""The personal-data area's daily jobs: subject-access exports made and expired, delayed erasures tried again.

Each does everything due by its day and is safe to run twice: a request is made into an export only while it is
RECEIVED (checked under a row lock), an export deleted only while READY, an erasure tried only while DELAYED.
"""

from datetime import date, datetime

from hearth.data.privacy.models import ErasureRequest
from hearth.domain.privacy import erasure, subject_access
from hearth.domain.scheduling.jobs import DailyJob, JobReport


def subject_access_exports(*, day: date, now: datetime, report: JobReport) -> None:
    """Make the export of every request received, and delete those whose download period has ended."""
    del day  # everything received so far is made, whatever the day
    for request in subject_access.waiting().iterator(chunk_size=100):
        try:
            made = subject_access.make_export(request=request, now=now)
        except (OSError, ValueError) as exc:
            report.failed(request.reference, f"The export could not be made: {exc.__class__.__name__}")
            continue
        report.done(request.reference, f"Export made: {made.table_count} tables, {made.row_count} rows")
    for request in subject_access.expired_by(now).iterator(chunk_size=100):
        subject_access.expire_export(request=request, now=now)
        report.done(request.reference, "Export deleted at the end of its download period")


def erasures(*, day: date, now: datetime, report: JobReport) -> None:
    """Try again each erasure delayed by a supply or a debt; carry it out once neither stands in the way."""
    del day
    for request in erasure.delayed().iterator(chunk_size=100):
        try:
            done = erasure.try_erasure(request=request, now=now)
        except erasure.ErasureFailed as exc:
            report.failed(f"Erasure {request.pk}", str(exc))
            continue
        if done.status == ErasureRequest.Status.DONE:
            report.done(f"Erasure {request.pk}", "Personal data erased; financial records kept anonymised")


SUBJECT_ACCESS = DailyJob(
    "privacy.subject_access", "Make subject-access exports and delete expired ones", subject_access_exports
)
ERASURES = DailyJob("privacy.erasures", "Carry out erasures no longer delayed by a supply or a debt", erasures)
