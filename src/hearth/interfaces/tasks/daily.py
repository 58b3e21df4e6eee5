"""The daily jobs: which run, in what order, and the Celery tasks that run them.

Celery beat sends ``hearth.run_daily`` once a day (``HEARTH_DAILY_JOBS_AT``, the schedule is in ``app.py``); a worker
runs every job of :data:`DAILY_JOBS` for that (Europe/London) day, one after another. ``hearth.run_daily_job`` runs
one job, for an operator or the care console's "Run now". Without a broker the same code runs inline: ``hearth
run_daily``, and "Run now" in the request.

The list names jobs of several domain areas, so it lives here, above them all. A new job is written in its area
(``hearth.domain.<area>.jobs``, following ``hearth.domain.scheduling.jobs``) and added here with one line, where it
should run in the day's order.
"""

import logging
from datetime import date

from django.utils import timezone

from hearth.common import calendar
from hearth.data.scheduling.models import JobRun
from hearth.domain.billing import jobs as billing_jobs
from hearth.domain.complaints import jobs as complaints_jobs
from hearth.domain.contracts import jobs_moves as contracts_moves_jobs
from hearth.domain.contracts import jobs_renewals as contracts_renewals
from hearth.domain.contracts import switching_jobs
from hearth.domain.debt import jobs as debt_jobs
from hearth.domain.documents import jobs as documents_jobs
from hearth.domain.meter_services import jobs as meter_services_jobs
from hearth.domain.metering import jobs as metering_jobs
from hearth.domain.payments import jobs as payments_jobs
from hearth.domain.prepayment import jobs as prepayment_jobs
from hearth.domain.priority import network_share as priority_network_share
from hearth.domain.privacy import jobs as privacy_jobs
from hearth.domain.scheduling import jobs as scheduling_jobs
from hearth.domain.scheduling import operations as scheduling_ops
from hearth.interfaces.tasks.app import app

logger = logging.getLogger(__name__)

DailyJob = scheduling_jobs.DailyJob

DAILY_JOBS: list[DailyJob] = [
    payments_jobs.COLLECT,
    switching_jobs.SWITCHING,
    contracts_moves_jobs.MOVE_OUTS,
    DailyJob("billing.bill_run", "Bill every period that has ended", billing_jobs.bill_run),
    payments_jobs.REVIEW,
    payments_jobs.CHASE,
    debt_jobs.PATH,
    payments_jobs.TARIFF_MOVES,
    contracts_renewals.CONTRACT_STARTS,
    contracts_renewals.RENEWAL_STATEMENTS,
    contracts_renewals.LARGE_SUPPLIES,
    privacy_jobs.SUBJECT_ACCESS,
    privacy_jobs.ERASURES,
    priority_network_share.NETWORK_SHARE,
    complaints_jobs.MAIL,
    complaints_jobs.CLOCKS,
    meter_services_jobs.VISIT_REMINDERS,
    prepayment_jobs.DAILY_CHARGES,
    metering_jobs.SMART_METER_COMMANDS,
    metering_jobs.INTERVAL_PARTITIONS,
    DailyJob("documents.deliver_pending", "Send the document e-mails still waiting", documents_jobs.deliver_pending),
    DailyJob("documents.print_batch", "Make the day's print batch for the post", documents_jobs.print_batch),
]
"""In the order they run: collections first, so bills carry the payments taken up to their day; switching and
move-outs before the bill run, so a supply ended that day by a completed switch away or a move out gets its final bill
the same day; reviews and reminders after the bill run, which they read; the debt path after the reminders, whose
final notices it reads; contract starts, Statements of Renewal and flags after the payment jobs, so their letters
join the day's; erasures after the bill run, so a final bill paid that day no longer delays one; the register's share
to network operators after move-outs and switches, which end supplies it reports; complaints (mail read, then the
clocks) and engineer-visit reminders before the deliveries, so their letters go the same day; prepayment's daily
charges, then the smart-meter commands whose notice has ended (after every job that may ask for one today); the
coming months' partitions of half-hourly consumption (PostgreSQL; any time of the day would do); the print
batch last, so every letter of the day is in it."""

BEAT = "Celery beat (the daily schedule)"


def job_named(name: str) -> DailyJob | None:
    return next((job for job in DAILY_JOBS if job.name == name), None)


def run_one(job: DailyJob, *, day: date, started_by: str, take_over: bool = False) -> JobRun:
    """Run ``job`` for ``day`` here and now (see ``scheduling.operations.run_job`` for what it refuses)."""
    return scheduling_ops.run_job(
        job=job, day=day, now=timezone.now(), started_by=started_by, clock=timezone.now, take_over=take_over
    )


@app.task(name="hearth.run_daily", acks_late=True)
def run_daily(started_by: str = BEAT) -> None:
    """Run every daily job for today, in order. A job already running for today (another run of the day, or one
    started from the console) is left to that run and the next job goes ahead."""
    day = calendar.local_date(timezone.now())
    for job in DAILY_JOBS:
        try:
            run = run_one(job, day=day, started_by=started_by)
        except scheduling_ops.JobRefused as exc:
            logger.warning("%s", exc)
            continue
        logger.info("%s for %s: %s, %s done, %s failed", job.name, day, run.status, run.done_count, run.failed_count)


@app.task(name="hearth.run_daily_job", acks_late=True)
def run_daily_job(name: str, day: str = "", started_by: str = "Celery task") -> None:
    """Run one daily job by name for ``day`` (YYYY-MM-DD; today when empty)."""
    job = job_named(name)
    if job is None:
        raise LookupError(f"There is no daily job {name!r}; the jobs are {', '.join(j.name for j in DAILY_JOBS)}.")
    when = date.fromisoformat(day) if day else calendar.local_date(timezone.now())
    try:
        run_one(job, day=when, started_by=started_by)
    except scheduling_ops.JobRefused as exc:
        logger.warning("%s", exc)


def run_job_now(job: DailyJob, day: date, started_by: str) -> JobRun | None:
    """The dispatcher without a broker: run the job in this process (the demo, a single machine)."""
    return run_one(job, day=day, started_by=started_by)


def queue_job(job: DailyJob, day: date, started_by: str) -> JobRun | None:
    """The dispatcher with a broker: a worker runs it; the caller does not wait."""
    run_daily_job.delay(job.name, day.isoformat(), started_by)
    return None
