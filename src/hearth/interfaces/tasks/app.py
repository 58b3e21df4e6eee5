"""The Celery application (`celery -A hearth.interfaces.tasks.app worker`, and `... beat` for the daily jobs)."""

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init
from django.conf import settings

from hearth.common import processes

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")

app = Celery("hearth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["hearth.interfaces.tasks"], related_name="mail")
app.autodiscover_tasks(["hearth.interfaces.tasks"], related_name="billing")
app.autodiscover_tasks(["hearth.interfaces.tasks"], related_name="documents")
app.autodiscover_tasks(["hearth.interfaces.tasks"], related_name="daily")


@worker_process_init.connect
def _settle_worker_process(**_: object) -> None:
    """Each worker process bills chunks and runs the daily jobs: its garbage collector is settled before the first."""
    processes.settle_for_batch_work()


def daily_schedule() -> crontab | timedelta:
    """When beat sends the daily jobs: each day at ``HEARTH_DAILY_JOBS_AT`` (UK time, as ``CELERY_TIMEZONE`` is
    Europe/London), or every ``HEARTH_DAILY_JOBS_EVERY_SECONDS`` when that is set (tests only)."""
    if settings.HEARTH_DAILY_JOBS_EVERY_SECONDS:
        return timedelta(seconds=settings.HEARTH_DAILY_JOBS_EVERY_SECONDS)
    at = settings.HEARTH_DAILY_JOBS_AT
    return crontab(hour=at.hour, minute=at.minute, app=app)


# A static schedule: `celery -A hearth.interfaces.tasks.app beat` is the scheduler (ADR 0012).
app.conf.beat_schedule = {"daily-jobs": {"task": "hearth.run_daily", "schedule": daily_schedule()}}
