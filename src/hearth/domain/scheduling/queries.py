"""Reading the daily jobs' runs: the latest of each job, a job's recent runs, and a run's items a page at a time."""

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When

from hearth.data.scheduling.models import JobRun, JobRunItem


def latest_runs(*, job_names: Sequence[str]) -> dict[str, JobRun]:
    """The latest-started run of each named job that has run, by job name, in one query."""
    latest_id = JobRun.objects.filter(job=OuterRef("job")).order_by("-started_at", "-id").values("id")[:1]
    runs = JobRun.objects.filter(job__in=job_names, id=Subquery(latest_id))
    return {run.job: run for run in runs}


def recent_runs(*, job_name: str, limit: int) -> list[JobRun]:
    """The job's latest ``limit`` runs, newest first."""
    return list(JobRun.objects.filter(job=job_name).order_by("-started_at", "-id")[:limit])


def run_by_id(run_id: int) -> JobRun | None:
    return JobRun.objects.filter(pk=run_id).first()


def items_of(*, run: JobRun, page_number: int | str | None, per_page: int) -> Page[JobRunItem]:
    """One page of what the run did, failures first (what care staff act on), each group in the order recorded.

    A page number that is not a number, or past the end, gives the nearest page (Django's ``get_page``).
    """
    failures_first = Case(
        When(outcome=JobRunItem.Outcome.FAILED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    items = JobRunItem.objects.filter(run=run).order_by(failures_first, "id")
    return Paginator(items, per_page).get_page(page_number)
