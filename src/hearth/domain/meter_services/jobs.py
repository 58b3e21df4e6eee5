"""The meter services' daily job (ADR 0012): reminders of engineer visits, in time to cancel free (T&C 11.1.8)."""

from datetime import date, datetime

from hearth.domain.documents import letters
from hearth.domain.meter_services import operations
from hearth.domain.scheduling import jobs


def visit_reminders(*, day: date, now: datetime, report: jobs.JobReport) -> None:
    """Remind every customer whose visit's reminder is due by ``day``. Idempotent: a visit reminded keeps its letter,
    so a second run finds nothing."""
    for appointment in operations.reminders_due(day):
        number = appointment.account.number
        try:
            document = operations.send_visit_reminder(appointment=appointment, now=now)
        except letters.LetterRefused as exc:
            report.failed(number, f"Visit on {appointment.visit_date:%-d %b %Y}: reminder not sent: {exc}")
            continue
        report.done(number, f"Reminded of the visit on {appointment.visit_date:%-d %b %Y} ({document.reference})")


VISIT_REMINDERS = jobs.DailyJob(
    "meter_services.visit_reminders",
    "Remind customers of engineer visits before the last day to cancel free",
    visit_reminders,
)
