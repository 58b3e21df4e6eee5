"""What a daily job is, and the report it writes as it goes.

A job is run for one (Europe/London) day. To be safe on a schedule it must:

- be idempotent on its own: its writes are guarded by database constraints or worked out afresh from what is
  stored, so running it twice for a day (a re-run, a redelivered task) does each thing once;
- do everything due by its day, not only what fell due on it, so a day that was missed is caught up by the next;
- catch each item's error and report it with :meth:`JobReport.failed`, then carry on: one bad account must never
  stop the others. An exception that escapes the job stops the run, which is recorded as stopped by an error.

A day with nothing to do is a run with no items, not a failure.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from django.db import transaction
from django.db.models import F

from hearth.data.scheduling.models import JobRun, JobRunItem


class JobBody(Protocol):
    """The work of a job for ``day``, as of ``now``, telling ``report`` what it did and what failed."""

    def __call__(self, *, day: date, now: datetime, report: "JobReport") -> None: ...


@dataclass(frozen=True)
class DailyJob:
    """A job the scheduler runs every day: its name (the area first, ``billing.bill_run``), what it does in plain
    words for care staff, and its work."""

    name: str
    title: str
    run: JobBody


class JobReport:
    """A run's record of each thing done or failed, written as ``JobRunItem`` rows with the run's counts.

    Items are written a batch at a time (:data:`BATCH`), so a job reporting 100,000 bills costs a few thousand
    queries, not 200,000; the scheduler writes the last batch when the job ends, however it ends.
    """

    BATCH = 100

    def __init__(self, *, run: JobRun, clock: Callable[[], datetime]) -> None:
        self._run = run
        self._clock = clock
        self._waiting: list[JobRunItem] = []

    def done(self, subject: str, message: str) -> None:
        """Record one thing the job did: ``subject`` is what it was done to (an account number, a document
        reference), ``message`` what was done, in words care staff read."""
        self._add(JobRunItem.Outcome.DONE, subject, message)

    def failed(self, subject: str, message: str) -> None:
        """Record one thing the job could not do and why; the job carries on with the next."""
        self._add(JobRunItem.Outcome.FAILED, subject, message)

    def _add(self, outcome: str, subject: str, message: str) -> None:
        self._waiting.append(
            JobRunItem(
                run=self._run, outcome=outcome, subject=subject[:120], message=message[:500], recorded_at=self._clock()
            )
        )
        if len(self._waiting) >= self.BATCH:
            self.write()

    def write(self) -> None:
        """Write the items reported since the last write, and add them to the run's counts, together."""
        if not self._waiting:
            return
        failed = sum(1 for item in self._waiting if item.outcome == JobRunItem.Outcome.FAILED)
        with transaction.atomic():
            JobRunItem.objects.bulk_create(self._waiting)
            JobRun.objects.filter(pk=self._run.pk).update(
                done_count=F("done_count") + len(self._waiting) - failed,
                failed_count=F("failed_count") + failed,
            )
        self._waiting = []
