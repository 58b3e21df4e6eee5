"""Bill runs through real Celery workers on Redis: bills per second with one worker process and with --workers.

The same accounts as bench/bill_run.py (its generator: single-rate, Economy 7 and half-hourly electricity accounts,
one in ten a business, October 2026 with its clock change). Then, for 1 and for --workers worker processes: the
billing tables are emptied, `celery -A hearth.interfaces.tasks.app worker --concurrency K` is started, and
`hearth bill_run --as-of 2026-11-01 --no-pdf` runs as an operator runs it with a broker: one task per chunk of
--chunk-size accounts, followed until every account has its record. The figures: bills per second at each worker
count, the speed-up and its efficiency (speed-up / workers), the cost of one chunk on one worker, and from them the
plan docs/scale.md gives for --plan-meters (30 million): bills a second needed, workers, and the size of a month's
partition of half-hourly data (bytes per row measured on the rows generated here).

Needs PostgreSQL (SQLite would serialise the workers' writes) and a broker:

    psql -h 127.0.0.1 -U postgres -c 'create database hearth_bench_workers'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hearth_bench_workers \\
        .venv/bin/python bench/bill_run_workers.py --accounts 2000 --workers 2

CELERY_BROKER_URL defaults to redis://127.0.0.1:6379/15 (its queue is purged first). The benchmark empties its
database, so it refuses one whose name does not contain "bench".
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from typing import Any

import bill_run
import support

DEFAULT_BROKER = "redis://127.0.0.1:6379/15"
READY_SECONDS = 60


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1000, help="accounts to bill (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the parallel run (default 2)")
    parser.add_argument("--chunk-size", type=int, help="accounts per task (default: hearth bill_run's)")
    parser.add_argument("--seed", type=int, default=20261025)
    parser.add_argument("--plan-meters", type=int, default=30_000_000, help="meters the plan is for (default 30M)")
    parser.add_argument("--billing-days", type=int, default=20, help="working days a month's bills spread over")
    parser.add_argument("--window-hours", type=float, default=6.0, help="hours a night the bill run may take")
    parser.add_argument("--smart-share", type=float, default=0.7, help="share of meters sending half-hours")
    arguments = parser.parse_args()
    # bill_run's generator reads these from its own arguments
    arguments.economy7_share, arguments.half_hourly_share, arguments.business_every = 0.25, 0.10, 10
    return arguments


def _empty_billing_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE billing_billrunitem, billing_billline, billing_billconsumption, billing_ledgerentry, "
            "billing_bill, billing_billrun CASCADE"
        )
        cursor.execute("VACUUM ANALYZE")


def _start_workers(concurrency: int, scratch: Path) -> subprocess.Popen[bytes]:
    """A Celery worker with ``concurrency`` processes, ready when every process answers a ping."""
    from hearth.interfaces.tasks.app import app

    app.control.purge()
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "hearth.interfaces.tasks.app",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            f"--hostname=bench-{concurrency}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env=os.environ | {"HEARTH_DATA_DIR": str(scratch)},
        stdout=subprocess.DEVNULL,
        stderr=open(scratch / f"worker-{concurrency}.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            sys.exit(f"the Celery worker stopped at start: see {scratch / f'worker-{concurrency}.log'}")
        if app.control.ping(timeout=1.0):
            return worker
    worker.kill()
    sys.exit(f"the Celery worker did not answer within {READY_SECONDS} s")


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _run_with(workers: int, arguments: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    from django.core.management import call_command

    from hearth.data.billing.models import Bill

    _empty_billing_tables()
    worker = _start_workers(workers, scratch)
    try:
        out = StringIO()
        started = time.perf_counter()
        call_command(
            "bill_run",
            "--as-of",
            bill_run.PERIOD_END.isoformat(),
            "--no-pdf",
            "--chunk-size",
            str(arguments.chunk_size),
            stdout=out,
            stderr=StringIO(),
        )
        seconds = time.perf_counter() - started
    finally:
        _stop(worker)
    bills = Bill.objects.count()
    if "Failed 0" not in out.getvalue() or bills == 0:
        sys.exit(f"the run with {workers} worker(s) did not bill every account:\n{out.getvalue()}")
    chunks = -(-bills // arguments.chunk_size)
    return {
        "workers": workers,
        "bills": bills,
        "seconds": round(seconds, 2),
        "bills_per_s": round(bills / seconds, 1),
        "chunks": chunks,
        "seconds_per_chunk_per_worker": round(seconds * workers / chunks, 3),
    }


def _interval_bytes_per_row() -> float:
    """Bytes per stored half-hour (table and key, all partitions), from what the generator stored."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_total_relation_size(inhrelid)), (SELECT count(*) FROM metering_intervalconsumption) "
            "FROM pg_inherits WHERE inhparent = 'metering_intervalconsumption'::regclass"
        )
        size, rows = cursor.fetchone()
    return float(size) / max(1, rows)


def _plan(
    arguments: argparse.Namespace, one: dict[str, Any], efficiency: float, bytes_per_row: float
) -> dict[str, Any]:
    """What billing ``--plan-meters`` meters takes, worked out from this run's per-chunk cost (not guessed):
    bills are spread over the month's billing days and must fit the night's window; a worker bills
    ``chunk_size / seconds_per_chunk`` accounts a second alone, times the efficiency measured here when there are
    several. Interval storage grows by one month's half-hours of the smart share each month."""
    per_worker = arguments.chunk_size / one["seconds_per_chunk_per_worker"]
    needed = arguments.plan_meters / (arguments.billing_days * arguments.window_hours * 3600)
    workers = -(-needed // (per_worker * max(efficiency, 0.01)))
    rows_per_month = arguments.plan_meters * arguments.smart_share * 48 * 365.25 / 12
    return {
        "meters": arguments.plan_meters,
        "bills_per_night": round(arguments.plan_meters / arguments.billing_days),
        "bills_per_s_needed": round(needed, 1),
        "bills_per_s_per_worker": round(per_worker, 1),
        "workers_needed": int(workers),
        "interval_rows_per_month": round(rows_per_month),
        "interval_bytes_per_row": round(bytes_per_row, 1),
        "interval_gib_per_month_partition": round(rows_per_month * bytes_per_row / 2**30, 1),
    }


def main() -> None:
    arguments = _arguments()
    os.environ.setdefault("CELERY_BROKER_URL", DEFAULT_BROKER)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/bill_run_workers.py needs DATABASE_URL to name a PostgreSQL database (see its docstring).")
    rng = random.Random(arguments.seed)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-workers-") as folder:
        scratch = Path(folder)
        support.set_up_django(scratch, script="bill_run_workers.py", environment={"HEARTH_DEBUG": "0"})
        from django.db import connection

        from hearth.domain.billing import runs as billing_runs

        arguments.chunk_size = arguments.chunk_size or billing_runs.CHUNK_SIZE
        kinds = bill_run._kinds(arguments, rng)
        bill_run._accounts(kinds, bill_run._tariffs(), arguments.business_every, rng)
        bill_run._analyze()
        bytes_per_row = _interval_bytes_per_row()
        connection.close()  # the workers open their own; this process's comes back for the command
        one = _run_with(1, arguments, scratch)
        many = _run_with(arguments.workers, arguments, scratch)
        speed_up = many["bills_per_s"] / one["bills_per_s"]
        result = {
            "benchmark": "bill_run_workers",
            "database": connection.vendor,
            "broker": os.environ["CELERY_BROKER_URL"].split("@")[-1],
            "accounts": arguments.accounts,
            "chunk_size": arguments.chunk_size,
            "cores": os.cpu_count(),
            "one_worker": one,
            "workers": many,
            "speed_up": round(speed_up, 2),
            "efficiency": round(speed_up / arguments.workers, 2),
        }
        result["plan"] = _plan(arguments, one, result["efficiency"], bytes_per_row)
        print(
            f"{arguments.accounts} accounts, chunks of {arguments.chunk_size}, {os.cpu_count()} cores shared with "
            f"PostgreSQL and Redis: 1 worker {one['bills_per_s']} bills/s; {arguments.workers} workers "
            f"{many['bills_per_s']} bills/s; speed-up {result['speed_up']} (efficiency {result['efficiency']}); "
            f"one chunk on one worker {one['seconds_per_chunk_per_worker']} s"
        )
        plan = result["plan"]
        print(
            f"plan for {plan['meters']:,} meters over {arguments.billing_days} billing days, "
            f"{arguments.window_hours} h a night: {plan['bills_per_s_needed']} bills/s, "
            f"{plan['workers_needed']} workers at "
            f"{plan['bills_per_s_per_worker']} bills/s each; {plan['interval_rows_per_month']:,} half-hours a month, "
            f"{plan['interval_gib_per_month_partition']} GiB a monthly partition"
        )
        print(json.dumps(result))


if __name__ == "__main__":
    main()
