"""Running a daily job: its run recorded RUNNING then FINISHED, or FAILED with the reason; what it did and failed to
do kept item by item with the counts; never two runs of one job for one day at once; a run whose process died
replaced after the running limit; and the console's reads of the runs."""

import itertools
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import User
from hearth.data.scheduling.models import JobRun, JobRunItem
from hearth.domain.scheduling import jobs, queries
from hearth.domain.scheduling import operations as scheduling_ops

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
MORNING = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 06:00 in London (GMT)


def ticking(start: datetime = MORNING):
    """A clock that moves on a second each time it is read."""
    seconds = itertools.count()
    return lambda: start + timedelta(seconds=next(seconds))


def job_doing(body, name: str = "testing.job") -> jobs.DailyJob:
    return jobs.DailyJob(name=name, title="Test the scheduler", run=body)


def run(job: jobs.DailyJob, *, day: date = MONDAY, now: datetime = MORNING, clock=None) -> JobRun:
    return scheduling_ops.run_job(job=job, day=day, now=now, started_by="a test", clock=clock or ticking(now))


def items(job_run: JobRun) -> list[tuple[str, str, str]]:
    return list(job_run.items.order_by("id").values_list("outcome", "subject", "message"))


def test_a_job_that_finishes_is_recorded_finished_with_what_it_did_and_what_failed():
    seen = []

    def body(*, day, now, report):
        seen.append((day, now))
        report.done("1000000011", "Bill INV-1 issued")
        report.failed("1000000012", "No reading for the period end")
        report.done("1000000013", "Bill INV-3 issued")

    job_run = run(job_doing(body))

    assert seen == [(MONDAY, MORNING)]
    assert (job_run.job, job_run.run_date, job_run.started_by) == ("testing.job", MONDAY, "a test")
    assert job_run.status == JobRun.Status.FINISHED
    assert (job_run.done_count, job_run.failed_count, job_run.error) == (2, 1, "")
    assert job_run.started_at == MORNING
    assert job_run.finished_at is not None
    assert job_run.finished_at > job_run.started_at
    assert items(job_run) == [
        ("DONE", "1000000011", "Bill INV-1 issued"),
        ("FAILED", "1000000012", "No reading for the period end"),
        ("DONE", "1000000013", "Bill INV-3 issued"),
    ]


def test_the_run_is_recorded_running_while_the_job_works():
    during = []

    def body(*, day, now, report):
        during.append(JobRun.objects.get(job="testing.job").status)

    run(job_doing(body))
    assert during == [JobRun.Status.RUNNING]


def test_a_job_that_raises_is_recorded_failed_with_the_reason_logged_and_its_items_kept(caplog):
    def body(*, day, now, report):
        report.done("2000000021", "Bill INV-21 issued")
        raise ValueError("the tariff table is empty")

    with caplog.at_level(logging.ERROR, logger="hearth.domain.scheduling.operations"):
        job_run = run(job_doing(body))

    assert job_run.status == JobRun.Status.FAILED
    assert job_run.error == "ValueError: the tariff table is empty"
    assert job_run.finished_at is not None
    assert (job_run.done_count, job_run.failed_count) == (1, 0)
    assert items(job_run) == [("DONE", "2000000021", "Bill INV-21 issued")]
    [record] = [r for r in caplog.records if "testing.job" in r.getMessage()]
    assert record.exc_info is not None
    assert "the tariff table is empty" in str(record.exc_info[1])


def test_an_interrupted_job_is_recorded_failed_and_goes_on_stopping_the_process():
    def body(*, day, now, report):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(job_doing(body))

    job_run = JobRun.objects.get()
    assert (job_run.status, job_run.error) == (JobRun.Status.FAILED, "Interrupted (KeyboardInterrupt)")
    run(job_doing(lambda **kwargs: None))  # the day can be run again at once
    assert JobRun.objects.filter(status=JobRun.Status.FINISHED).count() == 1


def test_a_job_reporting_thousands_of_items_keeps_them_all_and_the_counts_right():
    def body(*, day, now, report):
        for number in range(1, 1001):
            if number % 7 == 0:
                report.failed(f"{number:010d}", "failed")
            else:
                report.done(f"{number:010d}", "done")

    job_run = run(job_doing(body))

    failed = 1000 // 7  # 142 multiples of 7 up to 1,000
    assert (job_run.done_count, job_run.failed_count) == (1000 - failed, failed)
    assert job_run.items.filter(outcome=JobRunItem.Outcome.FAILED).count() == failed
    assert job_run.items.count() == 1000


def test_long_subjects_and_messages_are_cut_to_what_the_record_holds():
    job_run = run(job_doing(lambda *, day, now, report: report.failed("S" * 200, "M" * 900)))
    [(_outcome, subject, message)] = items(job_run)
    assert (len(subject), len(message)) == (120, 500)


def test_a_day_with_nothing_to_do_is_a_finished_run_without_items():
    job_run = run(job_doing(lambda **kwargs: None))
    assert (job_run.status, job_run.done_count, job_run.failed_count, items(job_run)) == ("FINISHED", 0, 0, [])


def test_a_second_start_while_the_first_runs_is_refused_saying_who_started_it_when():
    def body(*, day, now, report):
        with pytest.raises(scheduling_ops.JobAlreadyRunning) as refused:
            scheduling_ops.run_job(job=job, day=MONDAY, now=now, started_by="Celery beat")
        report.done("refusal", str(refused.value))

    job = job_doing(body)
    job_run = run(job)

    [(_, _, message)] = items(job_run)
    assert message == (
        "Test the scheduler for 7 December 2026 is already running: started at 06:00 on 7 December 2026 by a test. "
        "Wait for it to finish, then run it again if needed; if its process has died (killed, or its machine lost), "
        "take over with `hearth run_daily --take-over`."
    )
    assert JobRun.objects.count() == 1


def test_the_same_job_for_another_day_or_another_job_may_run_meanwhile():
    def body(*, day, now, report):
        other_day = run(job_doing(lambda **kwargs: None), day=MONDAY - timedelta(days=1))
        other_job = run(job_doing(lambda **kwargs: None, name="testing.other"))
        report.done("others", f"{other_day.status} {other_job.status}")

    job_run = run(job_doing(body))
    assert items(job_run) == [("DONE", "others", "FINISHED FINISHED")]


def test_the_database_allows_one_running_run_per_job_and_day():
    JobRun.objects.create(job="testing.job", run_date=MONDAY, started_at=MORNING, started_by="one")
    JobRun.objects.create(job="testing.job", run_date=MONDAY, started_at=MORNING, started_by="done", status="FINISHED")
    with pytest.raises(IntegrityError), transaction.atomic():
        JobRun.objects.create(job="testing.job", run_date=MONDAY, started_at=MORNING, started_by="two")


def test_a_run_whose_process_died_is_replaced_once_past_the_running_limit():
    dead = JobRun.objects.create(job="testing.job", run_date=MONDAY, started_at=MORNING, started_by="a killed worker")
    job = job_doing(lambda **kwargs: None)

    with pytest.raises(scheduling_ops.JobAlreadyRunning):  # five hours on, it may still be working
        run(job, now=MORNING + timedelta(hours=5))
    later = MORNING + timedelta(hours=6, seconds=1)
    job_run = run(job, now=later)

    dead.refresh_from_db()
    assert dead.status == JobRun.Status.FAILED
    assert dead.finished_at == later
    assert dead.error.startswith("Stopped without finishing: still running 6 hours after it started")
    assert job_run.status == JobRun.Status.FINISHED


def test_an_operator_who_knows_the_process_died_takes_over_at_once_without_waiting_for_the_limit():
    dead = JobRun.objects.create(job="testing.job", run_date=MONDAY, started_at=MORNING, started_by="a killed worker")
    minutes_later = MORNING + timedelta(minutes=10)  # before the Bacs cut-off, long before the 6-hour limit

    job_run = scheduling_ops.run_job(
        job=job_doing(lambda **kwargs: None), day=MONDAY, now=minutes_later, started_by="an operator", take_over=True
    )

    dead.refresh_from_db()
    assert (dead.status, dead.finished_at) == (JobRun.Status.FAILED, minutes_later)
    assert dead.error == "Stopped without finishing: an operator took over, saying its process had died."
    assert job_run.status == JobRun.Status.FINISHED


def test_running_a_day_again_after_it_finished_is_a_new_run():
    job = job_doing(lambda *, day, now, report: report.done("x", "done"))
    first = run(job)
    second = run(job, now=MORNING + timedelta(minutes=5))
    assert first.pk != second.pk
    assert JobRun.objects.filter(job="testing.job", run_date=MONDAY, status="FINISHED").count() == 2


def test_a_day_to_come_is_refused():
    with pytest.raises(scheduling_ops.JobRefused, match="8 December 2026: that day has not come yet"):
        run(job_doing(lambda **kwargs: None), day=MONDAY + timedelta(days=1))
    assert not JobRun.objects.exists()


def test_the_uk_day_decides_what_today_is():
    # 23:30 UTC on 30 June is already 1 July in London (BST): 1 July may run, 2 July may not.
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    scheduling_ops.check_day(day=date(2026, 7, 1), now=late)
    with pytest.raises(scheduling_ops.JobRefused):
        scheduling_ops.check_day(day=date(2026, 7, 2), now=late)


def test_a_request_from_care_staff_is_audited(build):
    staff = build.staff_login("agent.jobs@hearth.example", "Console4Jobs9")
    job = job_doing(lambda **kwargs: None)

    scheduling_ops.record_run_request(job=job, day=MONDAY, actor=staff, now=MORNING)

    event = AuditEvent.objects.get(action="daily_job.run_requested")
    assert (event.actor, event.subject, event.at) == (staff, "testing.job for 2026-12-07", MORNING)
    assert event.after == {"job": "testing.job", "day": "2026-12-07"}
    with pytest.raises(scheduling_ops.JobRefused):
        scheduling_ops.record_run_request(job=job, day=MONDAY + timedelta(days=1), actor=staff, now=MORNING)
    assert AuditEvent.objects.filter(action="daily_job.run_requested").count() == 1
    assert isinstance(event.actor, User)


# --- What the console reads ---------------------------------------------------------------------------------------


def test_the_latest_run_of_each_job_is_the_one_started_last():
    for job_name, day, hour in [("a.one", MONDAY, 6), ("a.one", MONDAY - timedelta(days=1), 9), ("b.two", MONDAY, 7)]:
        JobRun.objects.create(
            job=job_name, run_date=day, status="FINISHED", started_at=MORNING.replace(hour=hour), started_by="t"
        )

    latest = queries.latest_runs(job_names=["a.one", "b.two", "c.never"])

    assert {name: (run.run_date, run.started_at.hour) for name, run in latest.items()} == {
        "a.one": (MONDAY - timedelta(days=1), 9),  # run again later for the day before
        "b.two": (MONDAY, 7),
    }


def test_a_jobs_recent_runs_are_newest_first():
    for hour in (6, 8, 7):
        JobRun.objects.create(
            job="a.one", run_date=MONDAY, status="FINISHED", started_at=MORNING.replace(hour=hour), started_by="t"
        )
    assert [r.started_at.hour for r in queries.recent_runs(job_name="a.one", limit=2)] == [8, 7]


def test_a_runs_items_come_failures_first_a_page_at_a_time():
    def body(*, day, now, report):
        for number in range(1, 8):
            (report.failed if number in (3, 6) else report.done)(f"item {number}", "")

    job_run = run(job_doing(body))

    def page(number):
        return [item.subject for item in queries.items_of(run=job_run, page_number=number, per_page=3)]

    assert page(1) == ["item 3", "item 6", "item 1"]
    assert page(2) == ["item 2", "item 4", "item 5"]
    assert page(3) == ["item 7"]
    assert page("99") == ["item 7"]  # past the end: the last page
    assert page("x") == page(1)
