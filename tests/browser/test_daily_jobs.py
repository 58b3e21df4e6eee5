"""Care staff open Daily jobs from the menu, run a job now for today, and read what it did, failures first; every
page passes axe-core, and the run's page fits a phone."""

import re

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from hearth.data.scheduling.models import JobRun
from hearth.domain.identity import operations as identity_ops
from hearth.domain.scheduling import jobs
from hearth.interfaces.tasks import daily

from .support import PHONE, check_accessibility, fits_width, heading

STAFF_EMAIL = "jo.jobs@hearth.example"
STAFF_PASSWORD = "Console82Morning"


def _reminders(*, day, now, report):
    report.done("1000000011", "Reminder e-mailed to alex.morgan@example.com")
    report.failed("2000000021", "No e-mail address and no postal address: nothing sent")


@pytest.fixture
def reminders(monkeypatch: pytest.MonkeyPatch) -> jobs.DailyJob:
    job = jobs.DailyJob("testing.reminders", "Send the payment reminders", _reminders)
    monkeypatch.setattr(daily, "DAILY_JOBS", [*daily.DAILY_JOBS, job])
    return job


def test_care_staff_run_a_daily_job_now_and_read_its_failures_first(page: Page, reminders: jobs.DailyJob) -> None:
    device = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Jo Jobs", password=STAFF_PASSWORD, now=timezone.now()
    )
    page.goto("/care/login/")
    page.get_by_label("E-mail address").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Authenticator code").fill(f"{totp(bytes.fromhex(device.key)):06d}")
    page.get_by_role("button", name="Sign in").click()
    heading(page, "Find a customer")

    page.get_by_role("link", name="Daily jobs").click()
    heading(page, "Daily jobs")
    for job in daily.DAILY_JOBS:
        expect(page.get_by_role("heading", name=job.title)).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name=re.compile("^Run now.*Send the payment reminders$")).click()
    run = JobRun.objects.get()
    heading(page, f"Send the payment reminders: run {run.pk}")
    run_url = page.url
    expect(page.get_by_role("status")).to_contain_text("ran: 1 done, 1 failed")
    rows = page.get_by_role("table", name=f"What run {run.pk} did and failed to do, failures first, times in UK time")
    expect(rows.get_by_role("row").nth(1)).to_contain_text("2000000021")
    expect(rows.get_by_role("row").nth(2)).to_contain_text("1000000011")
    check_accessibility(page)

    page.get_by_role("link", name="All runs of this job").click()
    heading(page, "Send the payment reminders")
    expect(page.get_by_role("table")).to_contain_text(f"{STAFF_EMAIL} (care console)")
    check_accessibility(page)

    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    page.goto(run_url)
    heading(page, f"Send the payment reminders: run {run.pk}")
    assert fits_width(page), "the run's page scrolls sideways on a phone"
