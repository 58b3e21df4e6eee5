"""When Celery beat sends the daily jobs: at HEARTH_DAILY_JOBS_AT (06:00 by default), UK time on both sides of the
clock changes; and which jobs run, in what order."""

import os
from datetime import UTC, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from hearth import settings as hearth_settings
from hearth.interfaces.tasks import daily
from hearth.interfaces.tasks.app import app, daily_schedule

LONDON = ZoneInfo("Europe/London")


def _next_sending(*, last: datetime, now: datetime) -> datetime:
    schedule = daily_schedule()
    assert isinstance(schedule, crontab)
    schedule.nowfun = lambda: now
    return (now + schedule.remaining_estimate(last)).astimezone(LONDON)


def test_beat_sends_the_daily_jobs_task_at_six_by_default():
    at = hearth_settings.HEARTH_DAILY_JOBS_AT
    assert (at.hour, at.minute) == (6, 0)
    assert app.conf.beat_schedule["daily-jobs"]["task"] == daily.run_daily.name == "hearth.run_daily"


@pytest.mark.parametrize(
    ("last", "now", "expected"),
    [
        pytest.param(  # the clocks go forward at 01:00 GMT on Sunday 29 March 2026: 06:00 BST is 05:00 UTC
            datetime(2026, 3, 28, 6, 0, tzinfo=LONDON),
            datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
            datetime(2026, 3, 29, 5, 0, tzinfo=UTC),
            id="spring",
        ),
        pytest.param(  # and back at 01:00 GMT on Sunday 25 October 2026: 06:00 GMT is 06:00 UTC
            datetime(2026, 10, 24, 6, 0, tzinfo=LONDON),
            datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 6, 0, tzinfo=UTC),
            id="autumn",
        ),
    ],
)
def test_the_daily_jobs_are_sent_at_six_uk_time_across_the_clock_changes(last, now, expected):
    sent = _next_sending(last=last, now=now)
    assert sent == expected
    assert (sent.hour, sent.minute) == (6, 0)


def test_a_day_missed_while_beat_was_down_is_sent_as_soon_as_it_starts():
    schedule = daily_schedule()
    assert isinstance(schedule, crontab)
    schedule.nowfun = lambda: datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # Monday, beat started late
    assert schedule.is_due(datetime(2026, 12, 6, 6, 0, tzinfo=LONDON)).is_due


def test_tests_can_have_the_daily_jobs_sent_every_few_seconds(settings):
    settings.HEARTH_DAILY_JOBS_EVERY_SECONDS = 2
    assert daily_schedule() == timedelta(seconds=2)


@given(st.integers(0, 23), st.integers(0, 59))
def test_a_time_written_hh_mm_is_read_as_that_time_of_day(hour, minute):
    with mock.patch.dict(os.environ, {"HEARTH_TEST_AT": f"{hour:02d}:{minute:02d}"}):
        assert hearth_settings._time_of_day("HEARTH_TEST_AT", "06:00") == time(hour, minute)


@pytest.mark.parametrize("text", ["6:00", "06.00", "0600", "24:00", "06:60", "06:00:00", "six", "", "+6:00"])
def test_a_time_not_written_hh_mm_on_the_24_hour_clock_is_refused_naming_the_setting(text):
    with (
        mock.patch.dict(os.environ, {"HEARTH_DAILY_JOBS_AT": text}),
        pytest.raises(ImproperlyConfigured, match="HEARTH_DAILY_JOBS_AT must be a time of day as HH:MM"),
    ):
        hearth_settings._time_of_day("HEARTH_DAILY_JOBS_AT", "06:00")


def test_each_daily_job_has_its_own_name_starting_with_its_area():
    names = [job.name for job in daily.DAILY_JOBS]
    assert len(set(names)) == len(names)
    assert all(name.count(".") == 1 and name.islower() for name in names)
    assert all(job.title and job.title[0].isupper() for job in daily.DAILY_JOBS)


def test_the_bill_run_comes_before_the_print_batch_so_its_letters_go_out_the_same_day():
    names = [job.name for job in daily.DAILY_JOBS]
    assert names.index("billing.bill_run") < names.index("documents.print_batch")
