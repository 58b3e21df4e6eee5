"""The care console's Daily jobs pages: each job with its latest run, a job's recent runs, a run's items (failures
first, a page at a time), and "Run now" for a chosen day.

"Run now" is audited, then handed to ``settings.HEARTH_DAILY_JOB_DISPATCHER``, chosen the way document e-mails'
dispatcher is: with a broker a worker runs the job (the page says it is queued); without one it runs in the request
and the page shows its run.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST

from hearth.common import calendar
from hearth.data.scheduling.models import JobRun
from hearth.domain.scheduling import operations as scheduling_ops
from hearth.domain.scheduling import queries as scheduling_queries
from hearth.interfaces.care import access, forms_jobs
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.tasks import daily

RUNS_SHOWN = 30
"""How many of a job's latest runs its page lists."""
ITEMS_PER_PAGE = 50


@dataclass(frozen=True)
class JobRow:
    job: daily.DailyJob
    latest: JobRun | None
    form: forms_jobs.RunJobForm


def _job_or_404(name: str) -> daily.DailyJob:
    return care_views._found(daily.job_named(name), "No such daily job")


def _form(job: daily.DailyJob, data: dict[str, str] | None = None) -> forms_jobs.RunJobForm:
    return forms_jobs.RunJobForm(data, job_name=job.name, today=calendar.local_date(timezone.now()))


@access.staff_required
def daily_jobs(request: CareRequest) -> HttpResponse:
    latest = scheduling_queries.latest_runs(job_names=[job.name for job in daily.DAILY_JOBS])
    rows = [JobRow(job, latest.get(job.name), _form(job)) for job in daily.DAILY_JOBS]
    context = {"rows": rows, "daily_at": settings.HEARTH_DAILY_JOBS_AT}
    return care_views._render(request, "care/jobs/list.html", context)


def _job_page(request: CareRequest, job: daily.DailyJob, form: forms_jobs.RunJobForm) -> HttpResponse:
    context = {
        "job": job,
        "runs": scheduling_queries.recent_runs(job_name=job.name, limit=RUNS_SHOWN),
        "form": form,
        "daily_at": settings.HEARTH_DAILY_JOBS_AT,
    }
    return care_views._render(request, "care/jobs/job.html", context, status=400 if form.errors else 200)


@access.staff_required
def daily_job(request: CareRequest, name: str) -> HttpResponse:
    job = _job_or_404(name)
    return _job_page(request, job, _form(job))


@require_POST
@access.staff_required
def start_daily_job(request: CareRequest, name: str) -> HttpResponse:
    job = _job_or_404(name)
    form = _form(job, request.POST)
    if not form.is_valid():
        return _job_page(request, job, form)
    day = form.cleaned_data["day"]
    dispatch = import_string(settings.HEARTH_DAILY_JOB_DISPATCHER)
    try:
        scheduling_ops.record_run_request(job=job, day=day, actor=request.user, now=timezone.now())
        run: JobRun | None = dispatch(job, day, f"{request.user.email} (care console)")
    except scheduling_ops.JobRefused as exc:
        form.add_error("day", str(exc))
        return _job_page(request, job, form)
    if run is None:
        messages.success(request, f"{job.title} for {day:%-d %B %Y} is queued: a worker runs it. Reload to see it.")
        return redirect("care:daily_job", name=job.name)
    counts = f"{run.done_count} done, {run.failed_count} failed"
    if run.status == JobRun.Status.FAILED:
        messages.error(request, f"{job.title} for {day:%-d %B %Y} stopped by an error ({counts}): {run.error}")
    else:
        messages.success(request, f"{job.title} for {day:%-d %B %Y} ran: {counts}.")
    return redirect("care:daily_job_run", run_id=run.pk)


@access.staff_required
def daily_job_run(request: CareRequest, run_id: int) -> HttpResponse:
    run = care_views._found(scheduling_queries.run_by_id(run_id), "No such run")
    page = scheduling_queries.items_of(run=run, page_number=request.GET.get("page"), per_page=ITEMS_PER_PAGE)
    context = {"run": run, "job": daily.job_named(run.job), "page": page}
    return care_views._render(request, "care/jobs/run.html", context)
