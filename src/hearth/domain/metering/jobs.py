"""Metering's daily job (ADR 0012, 0014): the smart-meter commands whose day has come are sent."""

from datetime import date, datetime
from typing import Final

from hearth.domain.metering import smart_meters
from hearth.domain.scheduling.jobs import DailyJob, JobReport


def send_commands(*, day: date, now: datetime, report: JobReport) -> None:
    """Send every waiting command due by ``day``; each sent or failed command is one line of the report."""
    for command in smart_meters.send_due_commands(today=day, now=now):
        subject = f"meter {command.meter.serial_number}"
        words = f"{command.get_kind_display()} ({command.reason})"
        if command.status == command.Status.FAILED:
            report.failed(subject, f"{words} failed: {command.outcome}")
        else:
            report.done(subject, f"{words} sent, reference {command.reference}.")


SMART_METER_COMMANDS: Final = DailyJob(
    name="metering.smart_meter_commands", title="Smart-meter commands whose notice has ended", run=send_commands
)
