"""`hearth run_daily [--date YYYY-MM-DD] [--job NAME]`: run the daily jobs here and now, in their order.

What Celery beat has a worker do each morning, in this process: for the scheduler-less set-up (`make run` runs it
once on start-up), and to run a day again by hand. A line per job as it ends, then a summary; the exit status is 1
when any job failed, stopped or was refused. Every job is idempotent, so running a day again does only what is
still to do.
"""

import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hearth.common import calendar, processes
from hearth.data.scheduling.models import JobRun
from hearth.domain.scheduling import operations as scheduling_ops
from hearth.interfaces.tasks import daily

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(text: str) -> date:
    try:
        if _ISO_DATE.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise CommandError(f"--date: expected a date as YYYY-MM-DD (for example 2026-12-01); got {text!r}.")


class Command(BaseCommand):
    help = (
        "Run the daily jobs (bill run, waiting e-mails, print batch...) for a day, in order, and say what each did. "
        "Safe to run again for the same day. Exits 1 if any job failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", metavar="YYYY-MM-DD", help="the day to run for (default: today)")
        parser.add_argument(
            "--job",
            default="",
            metavar="NAME",
            help=f"run only this job: {', '.join(job.name for job in daily.DAILY_JOBS)}",
        )
        parser.add_argument(
            "--take-over",
            action="store_true",
            help="first mark as stopped a run of the job(s) still recorded as running for the day, when you know "
            "its process died (killed, or its machine lost)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        processes.settle_for_batch_work()
        now = timezone.now()
        day = _day(options["date"]) if options["date"] else calendar.local_date(now)
        try:
            scheduling_ops.check_day(day=day, now=now)
        except scheduling_ops.JobRefused as exc:
            raise CommandError(f"--date: {exc}") from exc
        jobs = daily.DAILY_JOBS
        if options["job"]:
            job = daily.job_named(options["job"].strip())
            if job is None:
                names = ", ".join(job.name for job in daily.DAILY_JOBS)
                raise CommandError(f"--job: there is no daily job {options['job']!r}; the jobs are {names}.")
            jobs = [job]
        self.stdout.write(f"Daily jobs for {day:%A %-d %B %Y}")
        outcomes: list[tuple[daily.DailyJob, JobRun | None, str]] = []
        for position, job in enumerate(jobs, start=1):
            self.stdout.write(f"[{position}/{len(jobs)}] {job.title} ({job.name}) ... ", ending="")
            self.stdout.flush()
            try:
                run = daily.run_one(job, day=day, started_by="hearth run_daily", take_over=options["take_over"])
            except scheduling_ops.JobRefused as exc:
                outcomes.append((job, None, str(exc)))
                self.stdout.write(self.style.ERROR(f"not run. {exc}"))
                continue
            outcomes.append((job, run, ""))
            self.stdout.write(self._outcome(run))
        self._write_summary(outcomes)

    def _outcome(self, run: JobRun) -> str:
        counts = f"{run.done_count} done, {run.failed_count} failed"
        if run.status == JobRun.Status.FAILED:
            return self.style.ERROR(f"stopped by an error after {counts}: {run.error}")
        style = self.style.WARNING if run.failed_count else self.style.SUCCESS
        return style(f"finished, {counts}" if run.done_count or run.failed_count else "finished, nothing to do")

    def _write_summary(self, outcomes: list[tuple[daily.DailyJob, JobRun | None, str]]) -> None:
        self.stdout.write("\nJob                                     Done  Failed  Status")
        troubled = 0
        for job, run, refusal in outcomes:
            if run is None:
                troubled += 1
                self.stdout.write(f"{job.name:<40}{'-':>4}  {'-':>6}  not run: {refusal}")
                continue
            if run.status != JobRun.Status.FINISHED or run.failed_count:
                troubled += 1
            status = run.get_status_display()
            self.stdout.write(f"{job.name:<40}{run.done_count:>4}  {run.failed_count:>6}  {status} (run {run.pk})")
        if troubled:
            raise CommandError(
                f"{troubled} of {len(outcomes)} job(s) failed or did not run; the care console's Daily jobs page "
                "lists each failure.",
                returncode=1,
            )
