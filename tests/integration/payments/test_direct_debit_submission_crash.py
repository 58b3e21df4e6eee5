"""The day's Bacs submission made by ``hearth run_daily --job payments.collect``, killed with SIGKILL part-way and run
again, leaves exactly what one clean run leaves: one submission, each collection in one record, one file.

Payers with live Direct Debits and a collection each due from the last Bacs day before today are built in the test
database, which is then copied. On one copy the job runs to the end (the clean run). On another it is killed at
random moments before the clean run's commit time, then run to the end. On a third it is killed at each point where
a crash could split the work, held there by the machine rather than by a hook in the code:

- inside the submission's transaction: the test holds a lock the transaction's commit (SQLite) or its insert
  (PostgreSQL) must wait for;
- after the commit, before the file: the temporary file's name is a named pipe, whose opening waits for a reader;
- after the file, before its manifest: the same for the manifest.

A run killed mid-way stays RUNNING in the scheduler's records; between attempts it is aged past the scheduler's limit,
as an operator would find it hours later. The copies are read back with plain SQL, the files with
``standard18.read_submission``.
"""

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.utils import timezone

from hearth.common.bacs import calendar as bacs_calendar
from hearth.common.bacs import standard18
from hearth.data.payments.models import Collection, Mandate
from hearth.domain.payments import arrangements, submissions
from tests.integration.database_copies import Copy
from tests.integration.payments.support import ALEX, JO, SAM, at, payer

pytestmark = pytest.mark.django_db(transaction=True)

PAYERS = 200
RANDOM_KILLS = 4
RUN_TIMEOUT_SECONDS = 180
POLL_SECONDS = 0.002
BLOCKED_SECONDS = 0.3
"""How long a run must sit waiting before it is taken to be held where the test holds it."""

NOTHING = "nothing committed"
ROWS = "rows committed, no file"
FILE = "file written, no manifest"
DONE = "done"

RECORDS_OF_SUBMISSIONS = "payments_submissionrecord r JOIN payments_bacssubmission s ON s.id = r.submission_id"


def _last_bacs_day_before_today() -> date:
    return bacs_calendar.add_processing_days(timezone.localdate(), -1)


class Day:
    """The day's submission on one copy: its process, where it got to, and its state read back."""

    def __init__(self, copy: Copy, folder: Path, day: date) -> None:
        self.copy, self.folder, self.day = copy, folder, day
        self.file = folder / f"bacs-{day:%Y%m%d}.std18"
        self.manifest = folder / f"bacs-{day:%Y%m%d}.manifest.json"

    def start(self) -> subprocess.Popen[str]:
        """``hearth run_daily --job payments.collect`` as its own process on the copy, its Bacs files in the folder."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("HEARTH_", "DATABASE_URL", "DJANGO_", "CELERY_"))
        }
        env.update(
            {
                "DATABASE_URL": self.copy.url,
                "HEARTH_DATA_DIR": str(self.folder.with_name(self.folder.name + "-data")),
                "HEARTH_BACS_FOLDER": str(self.folder),
                "HEARTH_BANK_DETAILS_KEYS": ",".join(settings.HEARTH_BANK_DETAILS_KEYS),
                # The test holds the commit with a reader's shared lock, which only a rollback journal honours
                # (in write-ahead-log mode readers never block a commit).
                "HEARTH_SQLITE_JOURNAL_MODE": "DELETE",
            }
        )
        command = ["run_daily", "--job", "payments.collect", "--date", self.day.isoformat()]
        return subprocess.Popen(
            [sys.executable, "-m", "hearth.manage", *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self) -> None:
        process = self.start()
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
        assert process.returncode == 0, f"run_daily failed ({process.returncode}):\n{stdout}\n{stderr}"

    def committed(self) -> bool:
        sql = f"SELECT COUNT(*) FROM payments_bacssubmission WHERE processing_date = '{self.day}'"  # noqa: S608
        return self.copy.count(sql) > 0

    def started(self) -> bool:
        return self.copy.count("SELECT COUNT(*) FROM scheduling_jobrun WHERE status = 'RUNNING'") > 0

    def stage(self) -> str:
        """How far the day's submission got."""
        if not self.committed():
            return NOTHING
        if not self.file.exists():
            return ROWS
        return DONE if self.manifest.exists() else FILE

    def after_kill(self) -> None:
        """What six hours do to a run whose process died: the scheduler then lets the day run again."""
        earlier = "datetime(started_at, '-7 hours')" if self.copy.sqlite_path else "started_at - interval '7 hours'"
        self.copy.rows(f"UPDATE scheduling_jobrun SET started_at = {earlier} WHERE status = 'RUNNING' RETURNING id")  # noqa: S608
        assert self.state()["collections in two records"] == 0
        assert self.state()["submissions"] <= 1

    def state(self) -> dict[str, int]:
        on_day = f"s.processing_date = '{self.day}'"
        return {
            "submissions": self.copy.count(f"SELECT COUNT(*) FROM payments_bacssubmission s WHERE {on_day}"),  # noqa: S608
            "records": self.copy.count(f"SELECT COUNT(*) FROM {RECORDS_OF_SUBMISSIONS} WHERE {on_day}"),  # noqa: S608
            "collections in two records": self.copy.count(
                "SELECT COUNT(*) FROM (SELECT collection_id FROM payments_submissionrecord "
                "WHERE collection_id IS NOT NULL GROUP BY collection_id HAVING COUNT(*) > 1) twice"
            ),
            "collections submitted": self.copy.count(
                "SELECT COUNT(*) FROM payments_collection WHERE status = 'SUBMITTED'"
            ),
            "collections without their record": self.copy.count(
                "SELECT COUNT(*) FROM payments_collection c WHERE c.status = 'SUBMITTED' AND NOT EXISTS "
                "(SELECT 1 FROM payments_submissionrecord r WHERE r.collection_id = c.id "
                "AND r.submission_id = c.submission_id)"
            ),
        }

    def sha256(self) -> str:
        sql = f"SELECT sha256 FROM payments_bacssubmission WHERE processing_date = '{self.day}'"  # noqa: S608
        return str(self.copy.rows(sql)[0][0])


def _kill(process: subprocess.Popen[str]) -> bool:
    """SIGKILL the run; False if it had already ended by itself."""
    if process.poll() is not None:
        process.communicate()
        return False
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=10)
    return process.returncode == -signal.SIGKILL


def _wait_for(process: subprocess.Popen[str], seen: Callable[[], bool]) -> bool:
    """Wait until ``seen()`` (True), or the run ends first (False)."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while not seen():
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(POLL_SECONDS)
    return True


def _held(process: subprocess.Popen[str], waiting: Callable[[], bool]) -> bool:
    """Whether the run is held: ``waiting()`` has stayed true for ``BLOCKED_SECONDS`` while it still runs."""
    if not _wait_for(process, waiting):
        return False
    time.sleep(BLOCKED_SECONDS)
    return waiting() and process.poll() is None


@contextmanager
def _transaction_held(day: Day, process: subprocess.Popen[str]) -> Iterator[Callable[[], bool]]:
    """Hold the submission's transaction before it commits; yields "the run is waiting inside it".

    SQLite: once the run has started (its job record is committed), a read transaction keeps a shared lock, so the
    submission can write its pages but not commit them. PostgreSQL: a SHARE lock on the submissions table makes the
    submission's insert wait.
    """
    copy = day.copy
    if copy.sqlite_path is not None:
        journal = Path(f"{copy.sqlite_path}-journal")
        _wait_for(process, day.started)
        reader = sqlite3.connect(copy.sqlite_path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM payments_bacssubmission").fetchall()
        try:
            yield journal.exists
        finally:
            reader.execute("COMMIT")
            reader.close()
        return
    assert copy.postgres is not None
    with psycopg.connect(**copy.postgres) as locker:
        locker.execute("LOCK TABLE payments_bacssubmission IN SHARE MODE")

        def waiting() -> bool:
            return (
                copy.count(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                > 0
            )

        yield waiting
        locker.rollback()


@contextmanager
def _pipe_at(path: Path) -> Iterator[None]:
    """A named pipe where a temporary file will be written: opening it for writing waits for a reader that never
    comes, as a stalled disk would hold the write."""
    os.mkfifo(path)
    try:
        yield
    finally:
        path.unlink()


@pytest.fixture
def due(bacs_folder: Path, tariff: Any) -> tuple[date, dict[str, int]]:
    """``PAYERS`` live Direct Debits, each with a first collection due from the last Bacs day before today.

    Returns that day and the amount in pence each reference is due to collect.
    """
    day = _last_bacs_day_before_today()
    lodging = bacs_calendar.add_processing_days(day, -3)  # live two Bacs days after the next input day: ``day``
    banks = (JO, SAM, ALEX)
    mandates = [
        arrangements.set_up_mandate(
            account=payer(tariff, notices_by="none"), details=banks[n % 3].details(), actor=None, now=at(lodging, 6)
        )
        for n in range(PAYERS)
    ]
    submissions.make_submission(processing_date=lodging, now=at(lodging, 7), started_by="test")
    submissions.activate_lodged_mandates(day=day, now=at(day, 6))
    assert Mandate.objects.filter(status=Mandate.Status.LIVE).count() == PAYERS
    collection_day = bacs_calendar.collection_date_for(day)
    expected = {}
    for n, mandate in enumerate(mandates):
        amount = Decimal(40 + n) + Decimal(n % 100) / 100
        Collection.objects.create(
            account=mandate.account,
            mandate=mandate,
            purpose=Collection.Purpose.MONTHLY,
            transaction_code="01",
            amount=amount,
            collection_date=collection_day,
            scheduled_at=at(lodging, 6),
        )
        expected[mandate.reference] = int(amount * 100)
    return day, expected


def _check_against_clean(day: Day, clean: Day, expected: dict[str, int]) -> None:
    state = day.state()
    assert state == clean.state()
    assert state == {
        "submissions": 1,
        "records": PAYERS,
        "collections in two records": 0,
        "collections submitted": PAYERS,
        "collections without their record": 0,
    }
    data = day.file.read_bytes()
    assert hashlib.sha256(data).hexdigest() == day.sha256()
    assert data == clean.file.read_bytes()
    assert sorted(p.name for p in day.folder.glob(f"bacs-{day.day:%Y%m%d}*")) == [day.manifest.name, day.file.name]
    sent = standard18.read_submission(data)
    assert {r.reference: r.amount_pence for r in sent.instructions} == expected
    assert {r.transaction_code for r in sent.instructions} == {"01"}


@pytest.fixture
def clean(due: tuple[date, dict[str, int]], copy_database: Any, tmp_path: Path) -> tuple[Day, float]:
    """The job run to the end on its own copy, and how long it took from its start to the submission's commit."""
    day = Day(copy_database("clean"), tmp_path / "clean-bacs", due[0])
    started = time.monotonic()
    process = day.start()
    assert _wait_for(process, day.committed)
    committed_after = time.monotonic() - started
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
    assert process.returncode == 0, f"run_daily failed ({process.returncode}):\n{stdout}\n{stderr}"
    return day, committed_after


def test_a_submission_killed_at_random_moments_and_run_again_is_made_once(
    due: tuple[date, dict[str, int]], clean: tuple[Day, float], copy_database: Any, tmp_path: Path
) -> None:
    reference, committed_after = clean
    day = Day(copy_database("random"), tmp_path / "random-bacs", due[0])
    chance = random.Random()

    stages = []
    for _ in range(RANDOM_KILLS):
        process = day.start()
        time.sleep(chance.uniform(0, committed_after))
        if _kill(process):
            stages.append(day.stage())
        day.after_kill()
    day.run()

    assert stages, "every run ended before it could be killed"
    _check_against_clean(day, reference, due[1])


def test_a_submission_killed_inside_its_transaction_before_its_file_and_before_its_manifest_is_made_once(
    due: tuple[date, dict[str, int]], clean: tuple[Day, float], copy_database: Any, tmp_path: Path
) -> None:
    reference, _ = clean
    day = Day(copy_database("points"), tmp_path / "points-bacs", due[0])
    day.folder.mkdir()
    stages = []

    process = day.start()
    with _transaction_held(day, process) as waiting:
        assert _held(process, waiting), "the submission did not wait for the lock the test holds"
        assert _kill(process)
    stages.append(day.stage())
    day.after_kill()

    for temporary, reached in (
        (day.file.with_name(day.file.name + ".tmp"), day.committed),
        (day.manifest.with_name(day.manifest.name + ".tmp"), day.file.exists),
    ):
        with _pipe_at(temporary):
            process = day.start()
            assert _held(process, reached), f"the run did not reach {temporary.name}"
            assert _kill(process)
        stages.append(day.stage())
        day.after_kill()
    day.run()

    assert stages == [NOTHING, ROWS, FILE]
    _check_against_clean(day, reference, due[1])
