"""Metering's daily jobs: the smart-meter commands whose day has come are sent (ADR 0012, 0014), and the coming
months' partitions of half-hourly consumption are made (ADR 0009)."""

from datetime import date, datetime
from typing import Final

from hearth.domain.metering import partitions, smart_meters
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


PARTITION_MONTHS_AHEAD: Final = 3


def make_interval_partitions(*, day: date, now: datetime, report: JobReport) -> None:
    """Make the monthly partitions of interval consumption up to three months ahead, and move any month found in the
    default partition into its own (ADR 0009); nothing to do on SQLite."""
    for made in partitions.ensure_partitions(today=day, months_ahead=PARTITION_MONTHS_AHEAD):
        moved = f", {made.rows_moved:,} rows moved out of the default partition" if made.rows_moved else ""
        report.done(made.name, f"Partition for {made.month:%B %Y} made{moved}.")


INTERVAL_PARTITIONS: Final = DailyJob(
    name="metering.interval_partitions",
    title="Monthly partitions of half-hourly consumption for the coming months",
    run=make_interval_partitions,
)
