"""The real scheduler: `celery beat` sends the daily jobs through Redis and a `celery worker` runs them on the
database, each its own process as in production, with the schedule every 2 seconds instead of at 06:00
(HEARTH_DAILY_JOBS_EVERY_SECONDS, for tests). Both are stopped with SIGTERM at the end, as a supervisor stops them,
and killed if they do not stop in time.

Redis database 14 is this test's own: it is emptied first, so no message left by an earlier run can pass for one
beat sent. The processes open a copy of the test database (``copy_database``), read back with plain SQL.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from hearth.common import calendar
from hearth.interfaces.tasks import daily
from tests.conftest import missing_service
from tests.integration.database_copies import Copy

REDIS_URL = "redis://127.0.0.1:6379/14"
WAIT_SECONDS = 90
STOP_SECONDS = 30


@pytest.fixture
def broker() -> Iterator[None]:
    """Redis database 14, emptied before and after; skips (or fails under HEARTH_REQUIRE) without Redis."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        missing_service("redis", f"no Redis at {REDIS_URL}: {exc}")
    client.flushdb()
    yield
    client.flushdb()


def _celery(copy: Copy, folder: Path, name: str, *args: str) -> subprocess.Popen[bytes]:
    """`celery -A hearth.interfaces.tasks.app ARGS` on ``copy`` with Redis as broker, its output in ``name``.log."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HEARTH_", "DATABASE_URL", "DJANGO_", "CELERY_"))
    }
    env.update(
        DATABASE_URL=copy.url,
        HEARTH_DATA_DIR=str(folder / "data"),
        CELERY_BROKER_URL=REDIS_URL,
        HEARTH_DAILY_JOBS_EVERY_SECONDS="2",
    )
    with (folder / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hearth.interfaces.tasks.app", *args],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes]) -> bool:
    """SIGTERM, then SIGKILL if it has not ended within STOP_SECONDS; True if it stopped by itself."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_SECONDS)
        return False
    return True


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}" for path in folder.glob("*.log"))


@pytest.mark.django_db(transaction=True)
def test_celery_beat_sends_the_daily_jobs_and_a_worker_runs_them_through_redis(broker, copy_database, tmp_path):
    copy = copy_database("beat")
    worker = _celery(copy, tmp_path, "worker", "worker", "--pool=solo", "--loglevel=INFO", "--without-mingle")
    beat = _celery(
        copy,
        tmp_path,
        "beat",
        "beat",
        "--loglevel=INFO",
        f"--schedule={tmp_path / 'celerybeat-schedule'}",
        f"--pidfile={tmp_path / 'celerybeat.pid'}",
    )
    expected = [job.name for job in daily.DAILY_JOBS]
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        finished: list[tuple[str, str, str]] = []
        while time.monotonic() < deadline:
            assert worker.poll() is None, f"the worker stopped:\n{_logs(tmp_path)}"
            assert beat.poll() is None, f"beat stopped:\n{_logs(tmp_path)}"
            finished = copy.rows(
                "SELECT job, run_date, started_by FROM scheduling_jobrun WHERE status = 'FINISHED' ORDER BY id"
            )
            if len(finished) >= len(expected):
                break
            time.sleep(0.5)
    finally:
        stopped = {"worker": _stop(worker), "beat": _stop(beat)}

    assert len(finished) >= len(expected), f"no daily jobs ran within {WAIT_SECONDS} s:\n{_logs(tmp_path)}"
    today = calendar.local_date(timezone.now()).isoformat()
    assert [(job, str(day), by) for job, day, by in finished[: len(expected)]] == [
        (name, today, daily.BEAT) for name in expected
    ]  # beat's first sending, each job in the day's order
    assert stopped == {"worker": True, "beat": True}, f"not stopped by SIGTERM:\n{_logs(tmp_path)}"
