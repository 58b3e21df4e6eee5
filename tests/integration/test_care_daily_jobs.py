"""The care console's Daily jobs: each job with its latest run, a job's runs, a run's items failures first a page at a
time, and Run now for a chosen day (audited; run in the request without a broker, queued for a worker with one)."""

import html
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hearth.common import calendar
from hearth.data.audit.models import AuditEvent
from hearth.data.scheduling.models import JobRun
from hearth.domain.scheduling import jobs
from hearth.interfaces.care import views_jobs
from hearth.interfaces.tasks import daily
from tests.integration.documents.delivery_support import STAFF_EMAIL, care_client, words

pytestmark = pytest.mark.django_db


def _accounts(*, day, now, report):
    report.done("1000000011", "Bill INV-1000000011-20261101 issued")
    report.failed("1000000012", "No reading for the period end")
    report.done("1000000013", "Bill INV-1000000013-20261101 issued")


def _broken(*, day, now, report):
    raise RuntimeError("the documents folder is not mounted")


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> list[jobs.DailyJob]:
    test_jobs = [
        jobs.DailyJob("testing.accounts", "Bill the accounts", _accounts),
        jobs.DailyJob("testing.broken", "Post the letters", _broken),
    ]
    monkeypatch.setattr(daily, "DAILY_JOBS", test_jobs)
    return test_jobs


@pytest.fixture
def care() -> Client:
    return care_client()


def today() -> date:
    return calendar.local_date(timezone.now())


def error_beside(response: Any, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).replace("Error:", "").strip() if match else ""


def test_the_menu_leads_to_each_daily_job_with_its_latest_run(care, listed):
    older = JobRun.objects.create(
        job="testing.accounts",
        run_date=date(2026, 12, 6),
        status="FINISHED",
        started_at=datetime(2026, 12, 6, 6, 0, tzinfo=UTC),
        started_by="Celery beat (the daily schedule)",
        done_count=5,
    )
    latest = JobRun.objects.create(
        job="testing.accounts",
        run_date=date(2026, 12, 7),
        status="FINISHED",
        started_at=datetime(2026, 12, 7, 6, 0, tzinfo=UTC),
        started_by="Celery beat (the daily schedule)",
        done_count=12,
        failed_count=2,
    )

    assert 'href="/care/jobs/">Daily jobs</a>' in care.get("/care/").content.decode()
    page = care.get("/care/jobs/")

    assert page.status_code == 200
    text = words(page)
    assert "The scheduler runs these jobs every day at 06:00 (UK time)" in text
    accounts_card = text[text.index("Bill the accounts") : text.index("Post the letters")]
    broken_card = text[text.index("Post the letters") :]
    assert (
        f"Latest run Run {latest.pk} For the day Monday 7 Dec 2026 Started (UK time) 7 Dec 2026, 06:00 by Celery beat "
        "(the daily schedule) Status Finished Done 12 Failed 2"
    ) in accounts_card
    assert f"Run {older.pk}" not in accounts_card
    assert "Not run yet." in broken_card
    assert f'href="/care/jobs/runs/{latest.pk}/"' in page.content.decode()


def test_a_jobs_page_lists_its_runs_newest_first(care, listed):
    for day in (date(2026, 12, 5), date(2026, 12, 7), date(2026, 12, 6)):
        JobRun.objects.create(
            job="testing.accounts",
            run_date=day,
            status="FINISHED",
            started_at=calendar.day_starts_at(day) + timedelta(hours=6),
            started_by="Celery beat",
        )
    text = words(care.get("/care/jobs/testing.accounts/"))
    assert text.index("Mon 7 Dec 2026") < text.index("Sun 6 Dec 2026") < text.index("Sat 5 Dec 2026")
    assert care.get("/care/jobs/testing.nothing/").status_code == 404


def test_run_now_runs_the_job_in_the_request_without_a_broker_and_shows_its_run_failures_first(care, listed):
    response = care.post("/care/jobs/testing.accounts/run/", {"day": today().isoformat()}, follow=True)

    run = JobRun.objects.get()
    assert response.redirect_chain == [(f"/care/jobs/runs/{run.pk}/", 302)]
    assert (run.job, run.run_date, run.started_by) == ("testing.accounts", today(), f"{STAFF_EMAIL} (care console)")
    text = words(response)
    assert f"Bill the accounts for {today():%-d %B %Y} ran: 2 done, 1 failed." in text
    rows = text[text.index("What happened At (UK time)") :]
    assert rows.index("Failed 1000000012") < rows.index("Done 1000000011") < rows.index("Done 1000000013")
    event = AuditEvent.objects.get(action="daily_job.run_requested")
    assert event.actor is not None
    assert (event.actor.email, event.subject) == (STAFF_EMAIL, f"testing.accounts for {today().isoformat()}")


def test_a_job_stopped_by_an_error_says_why(care, listed):
    response = care.post("/care/jobs/testing.broken/run/", {"day": today().isoformat()}, follow=True)
    text = words(response)
    assert "stopped by an error (0 done, 0 failed): RuntimeError: the documents folder is not mounted" in text
    assert "Why it stopped RuntimeError: the documents folder is not mounted" in text
    assert "Nothing was recorded before it stopped." in text


def test_run_now_is_queued_for_a_worker_with_a_broker(care, listed, settings, monkeypatch):
    settings.HEARTH_DAILY_JOB_DISPATCHER = "hearth.interfaces.tasks.daily.queue_job"
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(daily.run_daily_job, "delay", lambda *args: queued.append(args))

    response = care.post("/care/jobs/testing.accounts/run/", {"day": "2026-12-01"}, follow=True)

    assert response.redirect_chain == [("/care/jobs/testing.accounts/", 302)]
    assert "Bill the accounts for 1 December 2026 is queued: a worker runs it. Reload to see it." in words(response)
    assert queued == [("testing.accounts", "2026-12-01", f"{STAFF_EMAIL} (care console)")]
    assert not JobRun.objects.exists()
    assert AuditEvent.objects.filter(action="daily_job.run_requested").count() == 1


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("", "Enter the day to run the job for."),
        ("2026-02-30", "Enter a real date, like 2026-11-30."),
        ("tomorrow", "Enter a real date, like 2026-11-30."),
    ],
)
def test_a_day_that_is_not_a_date_is_asked_for_again_beside_the_field(care, listed, day, expected):
    response = care.post("/care/jobs/testing.accounts/run/", {"day": day})
    assert response.status_code == 400
    assert error_beside(response, "testing-accounts-day") == expected
    assert "There is a problem" in words(response)
    assert not JobRun.objects.exists()
    assert not AuditEvent.objects.filter(action="daily_job.run_requested").exists()


def test_a_day_to_come_is_refused_beside_the_field(care, listed):
    tomorrow = today() + timedelta(days=1)
    response = care.post("/care/jobs/testing.accounts/run/", {"day": tomorrow.isoformat()})
    assert response.status_code == 400
    assert error_beside(response, "testing-accounts-day") == (
        f"The daily jobs cannot run for {tomorrow:%-d %B %Y}: that day has not come yet (today is {today():%-d %B %Y})."
    )
    assert not JobRun.objects.exists()
    assert not AuditEvent.objects.filter(action="daily_job.run_requested").exists()


def test_a_job_already_running_for_the_day_is_refused_beside_the_field(care, listed):
    JobRun.objects.create(job="testing.accounts", run_date=today(), started_at=timezone.now(), started_by="beat")
    response = care.post("/care/jobs/testing.accounts/run/", {"day": today().isoformat()})
    assert response.status_code == 400
    assert error_beside(response, "testing-accounts-day").startswith(
        f"Bill the accounts for {today():%-d %B %Y} is already running: started at"
    )
    assert JobRun.objects.count() == 1


def test_a_long_run_is_read_a_page_at_a_time_with_its_failures_on_the_first(care, listed, monkeypatch):
    monkeypatch.setattr(views_jobs, "ITEMS_PER_PAGE", 4)

    def many(*, day, now, report):
        for number in range(1, 10):
            (report.failed if number in (8, 9) else report.done)(f"item {number}", f"message {number}")

    job = jobs.DailyJob("testing.many", "Do many things", many)
    monkeypatch.setattr(daily, "DAILY_JOBS", [job])
    run = daily.run_one(job, day=today(), started_by="a test")

    first = words(care.get(f"/care/jobs/runs/{run.pk}/"))
    third = words(care.get(f"/care/jobs/runs/{run.pk}/?page=3"))

    assert re.findall(r"(Failed|Done) item (\d)", first) == [
        ("Failed", "8"),
        ("Failed", "9"),
        ("Done", "1"),
        ("Done", "2"),
    ]
    assert "Page 1 of 3 Next page" in first
    assert re.findall(r"(Failed|Done) item (\d)", third) == [("Done", "7")]
    assert "Previous page Page 3 of 3" in third
    assert care.get("/care/jobs/runs/999999/").status_code == 404


def test_a_run_with_nothing_to_do_says_so(care, listed):
    run = JobRun.objects.create(
        job="testing.accounts", run_date=today(), status="FINISHED", started_at=timezone.now(), started_by="beat"
    )
    assert "Nothing to do: the run did nothing and nothing failed." in words(care.get(f"/care/jobs/runs/{run.pk}/"))
