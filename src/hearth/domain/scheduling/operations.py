"""Running a daily job for a day, with its record: when, by whom, how it ended, what it did and what failed.

Two runs of one job for one day never run at the same time: the run is recorded RUNNING before the job starts, and
a partial unique constraint allows one RUNNING run per job and day, so a second start (a second beat, a redelivered
task, a care user pressing "Run now") is refused in the database whichever machine it comes from. A run whose
process died (``kill -9``, a lost machine) stays RUNNING; after :data:`RUNNING_LIMIT` it is taken to have died and
the next start for its day replaces it. Running a job again for the same day is allowed once the first run ended:
the job's own idempotence keeps its results single.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction

from hearth.common import calendar
from hearth.data.identity.models import User
from hearth.data.scheduling.models import JobRun
from hearth.domain.audit import operations as audit_ops
from hearth.domain.scheduling import jobs

logger = logging.getLogger(__name__)

RUNNING_LIMIT = timedelta(hours=6)
"""A run still RUNNING this long after it started is taken to have died with its process. Longer than any daily
job should take (and than Redis's one-hour visibility timeout, after which a worker's task is handed to another
worker: that second delivery is refused while the first still runs)."""


class JobRefused(Exception):
    """The job cannot be run as asked; the message says why."""


class JobAlreadyRunning(JobRefused):
    """Another run of the job for the same day has not finished yet."""


def check_day(*, day: date, now: datetime) -> None:
    """A job may run for today or a day gone by, never ahead: a day to come has nothing due yet.

    :raises JobRefused: ``day`` is after today (UK time).
    """
    today = calendar.local_date(now)
    if day > today:
        raise JobRefused(
            f"The daily jobs cannot run for {day:%-d %B %Y}: that day has not come yet (today is {today:%-d %B %Y})."
        )


def _retire_dead_runs(*, job: jobs.DailyJob, day: date, now: datetime, take_over: bool, started_by: str) -> None:
    """Runs whose process died stay RUNNING: past RUNNING_LIMIT they are taken to be dead; with ``take_over`` an
    operator who knows the process is gone (a ``kill -9``, a lost machine) says so at once."""
    dead = JobRun.objects.filter(job=job.name, run_date=day, status=JobRun.Status.RUNNING)
    if take_over:
        error = f"Stopped without finishing: {started_by} took over, saying its process had died."
    else:
        dead = dead.filter(started_at__lt=now - RUNNING_LIMIT)
        error = (
            f"Stopped without finishing: still running {RUNNING_LIMIT.total_seconds() / 3600:g} hours after it "
            "started, so its process is taken to have died (a worker or machine stopped). A later run replaced it."
        )
    dead.update(status=JobRun.Status.FAILED, finished_at=now, error=error)


def _start(*, job: jobs.DailyJob, day: date, now: datetime, started_by: str, take_over: bool) -> JobRun:
    _retire_dead_runs(job=job, day=day, now=now, take_over=take_over, started_by=started_by)
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=job.name, run_date=day, status=JobRun.Status.RUNNING, started_at=now, started_by=started_by[:150]
            )
    except IntegrityError:
        running = JobRun.objects.filter(job=job.name, run_date=day, status=JobRun.Status.RUNNING).first()
        if running is None:  # it finished between our insert and this look
            raise
        started = running.started_at.astimezone(calendar.LONDON)
        raise JobAlreadyRunning(
            f"{job.title} for {day:%-d %B %Y} is already running: started at {started:%H:%M} on "
            f"{started:%-d %B %Y} by {running.started_by}. Wait for it to finish, then run it again if needed; if its "
            "process has died (killed, or its machine lost), take over with `hearth run_daily --take-over`."
        ) from None


def _end(run: JobRun, report: jobs.JobReport, *, status: str, error: str, at: datetime) -> JobRun:
    report.write()
    run.status, run.error, run.finished_at = status, error, at
    run.save(update_fields=["status", "error", "finished_at"])
    run.refresh_from_db()
    return run


def run_job(
    *,
    job: jobs.DailyJob,
    day: date,
    now: datetime,
    started_by: str,
    clock: Callable[[], datetime] | None = None,
    take_over: bool = False,
) -> JobRun:
    """Run ``job`` for ``day`` as of ``now`` and return its run, FINISHED or FAILED.

    The run is recorded RUNNING first. An exception escaping the job is logged with its traceback and recorded on
    the run (FAILED, with the exception's text); it is not raised again, so the jobs after it still run. An
    interruption (Ctrl-C, the process told to exit) is recorded the same way and then goes on stopping the process,
    so the day can be run again at once. Items the job reported before it stopped are kept. ``clock`` stamps the
    items and the end (the interface passes the real clock; without one, everything is stamped ``now``).
    ``take_over`` first marks a run of the job for ``day`` still recorded RUNNING as stopped: for an operator who
    knows its process died, so the day's work (a Bacs file before its cut-off) need not wait for RUNNING_LIMIT.

    :raises JobRefused: ``day`` is after today.
    :raises JobAlreadyRunning: a run of the job for ``day`` has not finished yet.
    """
    check_day(day=day, now=now)
    run = _start(job=job, day=day, now=now, started_by=started_by, take_over=take_over)
    tick = clock or (lambda: now)
    report = jobs.JobReport(run=run, clock=tick)
    try:
        job.run(day=day, now=now, report=report)
    except Exception as exc:
        logger.exception("Daily job %s for %s stopped by an error", job.name, day.isoformat())
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return _end(run, report, status=JobRun.Status.FAILED, error=reason, at=tick())
    except BaseException as exc:
        _end(run, report, status=JobRun.Status.FAILED, error=f"Interrupted ({type(exc).__name__})", at=tick())
        raise
    return _end(run, report, status=JobRun.Status.FINISHED, error="", at=tick())


def record_run_request(*, job: jobs.DailyJob, day: date, actor: User, now: datetime) -> None:
    """Audit that care staff asked for ``job`` to run for ``day`` (the run itself records who started it).

    :raises JobRefused: ``day`` is after today.
    """
    check_day(day=day, now=now)
    audit_ops.record(
        actor=actor,
        action="daily_job.run_requested",
        subject=f"{job.name} for {day.isoformat()}",
        at=now,
        after={"job": job.name, "day": day.isoformat()},
    )
