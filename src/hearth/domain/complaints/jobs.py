"""The complaints area's daily jobs (run in the order of ``interfaces/tasks/daily.py``); each is safe to run twice:
a message is kept once by its digest, and each clock's step once by a constraint on the complaint's timeline."""

from datetime import date, datetime

from django.conf import settings

from hearth.domain.complaints import mail, operations
from hearth.domain.scheduling.jobs import DailyJob, JobReport


def read_mail(*, day: date, now: datetime, report: JobReport) -> None:
    """Read the complaints mailbox (also read through the day by ``hearth read_complaint_mail``)."""
    for message in mail.read_mailbox(folder=settings.HEARTH_COMPLAINTS_MAILDIR, now=now):
        subject = f"complaint e-mail {message.pk}"
        if message.complaint is not None:
            report.done(subject, f"Complaint {message.complaint.reference} raised and acknowledged")
        else:
            report.failed(subject, f"{message.get_status_display()}: {message.reason} Waiting in Complaint e-mails.")


def clocks(*, day: date, now: datetime, report: JobReport) -> None:
    """Flag responses overdue (T&C 20.2) and send the 8-week letters naming the Energy Ombudsman (20.3)."""
    for complaint in operations.flag_overdue_responses(day=day, now=now):
        report.done(complaint.reference, f"Response overdue since {complaint.response_due_date:%-d %B %Y}")
    for complaint in operations.send_eight_week_letters(day=day, now=now):
        report.done(complaint.reference, "8 weeks: letter about the Energy Ombudsman sent")


MAIL = DailyJob("complaints.mail", "Read the complaints mailbox into complaints", read_mail)
CLOCKS = DailyJob("complaints.clocks", "Complaints: flag overdue responses, send 8-week Ombudsman letters", clocks)
