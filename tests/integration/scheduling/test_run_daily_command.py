"""`hearth run_daily [--date] [--job]`: a line per job as it ends, a summary of done and failed per job, and exit
status 1 when any job failed, stopped or could not run; the jobs after a failing one still run."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from hearth.data.scheduling.models import JobRun
from hearth.domain.scheduling import jobs
from hearth.interfaces.commands.management.commands import run_daily as run_daily_command
from hearth.interfaces.tasks import daily

pytestmark = pytest.mark.django_db

TUESDAY_MORNING = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)


def _quiet(*, day, now, report):
    return None


def _bills(*, day, now, report):
    report.done("1000000011", f"Bill for {day.isoformat()} issued")
    report.failed("1000000012", "No reading for the period end")


def _broken(*, day, now, report):
    raise RuntimeError("the mailing house's folder is not mounted")


@pytest.fixture
def test_jobs(monkeypatch: pytest.MonkeyPatch) -> list[jobs.DailyJob]:
    listed = [
        jobs.DailyJob("testing.bills", "Issue the bills", _bills),
        jobs.DailyJob("testing.broken", "Post the letters", _broken),
        jobs.DailyJob("testing.quiet", "Tidy up", _quiet),
    ]
    monkeypatch.setattr(daily, "DAILY_JOBS", listed)
    return listed


def run_daily(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        with time_machine.travel(TUESDAY_MORNING, tick=False):
            call_command("run_daily", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_each_job_runs_in_order_with_a_line_then_a_summary_and_exit_status_1_after_a_failure(test_jobs):
    out, error = run_daily()

    runs = {run.job: run for run in JobRun.objects.order_by("id")}
    assert list(runs) == ["testing.bills", "testing.broken", "testing.quiet"]  # in order, and on after the failure
    assert all(run.run_date == date(2026, 12, 8) and run.started_by == "hearth run_daily" for run in runs.values())
    assert out.splitlines() == [
        "Daily jobs for Tuesday 8 December 2026",
        "[1/3] Issue the bills (testing.bills) ... finished, 1 done, 1 failed",
        "[2/3] Post the letters (testing.broken) ... stopped by an error after 0 done, 0 failed: "
        "RuntimeError: the mailing house's folder is not mounted",
        "[3/3] Tidy up (testing.quiet) ... finished, nothing to do",
        "",
        "Job                                     Done  Failed  Status",
        f"testing.bills                              1       1  Finished (run {runs['testing.bills'].pk})",
        f"testing.broken                             0       0  Stopped by an error (run {runs['testing.broken'].pk})",
        f"testing.quiet                              0       0  Finished (run {runs['testing.quiet'].pk})",
    ]
    assert error is not None
    assert error.returncode == 1
    assert str(error).startswith("2 of 3 job(s) failed or did not run")


def test_a_day_where_every_job_finishes_cleanly_exits_0(test_jobs, monkeypatch):
    monkeypatch.setattr(daily, "DAILY_JOBS", [test_jobs[2]])
    out, error = run_daily()
    assert error is None
    assert out.splitlines()[1] == "[1/1] Tidy up (testing.quiet) ... finished, nothing to do"


def test_one_job_runs_alone_for_the_day_asked(test_jobs):
    out, error = run_daily("--job", "testing.bills", "--date", "2026-12-01")
    run = JobRun.objects.get()
    assert (run.job, run.run_date) == ("testing.bills", date(2026, 12, 1))
    assert run.items.filter(outcome="DONE").get().message == "Bill for 2026-12-01 issued"
    assert out.splitlines()[0] == "Daily jobs for Tuesday 1 December 2026"
    assert error is not None  # the job reported a failure


def test_a_job_already_running_for_the_day_is_not_run_and_counts_as_a_failure(test_jobs):
    JobRun.objects.create(
        job="testing.quiet", run_date=date(2026, 12, 8), started_at=TUESDAY_MORNING, started_by="beat"
    )
    out, error = run_daily("--job", "testing.quiet")
    assert "[1/1] Tidy up (testing.quiet) ... not run. Tidy up for 8 December 2026 is already running" in out
    assert "testing.quiet                              -       -  not run: Tidy up for 8 December 2026" in out
    assert error is not None
    assert JobRun.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "8/12/2026"], "--date: expected a date as YYYY-MM-DD (for example 2026-12-01); got '8/12/2026'."),
        (["--date", "2026-02-30"], "--date: expected a date as YYYY-MM-DD (for example 2026-12-01); got '2026-02-30'."),
        (
            ["--date", "2026-12-09"],
            "--date: The daily jobs cannot run for 9 December 2026: that day has not come yet "
            "(today is 8 December 2026).",
        ),
        (
            ["--job", "billing.bil_run"],
            "--job: there is no daily job 'billing.bil_run'; the jobs are testing.bills, testing.broken, "
            "testing.quiet.",
        ),
    ],
)
def test_what_cannot_be_run_is_refused_before_anything_runs(test_jobs, args, message):
    out, error = run_daily(*args)
    assert error is not None
    assert str(error) == message
    assert out == ""
    assert not JobRun.objects.exists()


def test_the_help_lists_the_daily_jobs_by_name():
    parser = run_daily_command.Command().create_parser("hearth", "run_daily")
    help_text = " ".join(parser.format_help().split())
    assert (
        "payments.collect, contracts.switching, contracts.move_outs, billing.bill_run, payments.review, "
        "payments.chase, debt.path, payments.tariff_moves, contracts.contract_starts, contracts.renewal_statements, "
        "contracts.large_supplies, privacy.subject_access, privacy.erasures, priority.network_share, "
        "complaints.mail, complaints.clocks, meter_services.visit_reminders, prepayment.daily_charges, "
        "metering.smart_meter_commands, metering.interval_partitions, documents.deliver_pending, documents.print_batch"
        in help_text
    )
