"""`hearth bill_run --as-of DATE [--account NUMBER] [--no-pdf] [--chunk-size N]`: bill every period that has ended.

Bills each account's periods (monthly, or quarterly per account) that ended on or before DATE, with a progress bar
and a summary: billed, skipped by reason, failed with each account and reason. With a task broker configured
(CELERY_BROKER_URL) the accounts are shared out in chunks over Celery workers and the bar follows their records;
without one they are billed here. Killed at any moment and run again, it issues exactly the bills still missing.
"""

import re
import sys
import time
from datetime import date
from typing import Any

from celery.backends.base import DisabledBackend
from celery.result import AsyncResult
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from hearth.common import processes
from hearth.data.billing.models import BillRun
from hearth.domain.billing import runs as billing_runs
from hearth.interfaces.tasks import billing as billing_tasks

FOLLOW_SECONDS = 0.5
"""How often the bar reads the workers' progress."""
STALL_SECONDS = 600
"""Waiting this long with no account recorded means no worker is billing the run."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_of(text: str) -> date:
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise CommandError(f"--as-of: expected a date as YYYY-MM-DD (for example 2026-11-01); got {text!r}.")


class Command(BaseCommand):
    help = (
        "Bill every account whose bill period ended on or before --as-of (monthly, or quarterly per account); "
        "prints billed, skipped with reasons and failed with reasons. Safe to run again after a crash."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="bill periods ended by this day")
        parser.add_argument("--account", default="", metavar="NUMBER", help="bill only this account")
        parser.add_argument("--no-pdf", action="store_true", help="issue the bills without rendering their PDFs")
        parser.add_argument(
            "--chunk-size", type=int, default=billing_runs.CHUNK_SIZE, metavar="N", help="accounts per worker task"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        processes.settle_for_batch_work()
        as_of_date = _as_of(options["as_of"])
        chunk_size: int = options["chunk_size"]
        if chunk_size < 1:
            raise CommandError(f"--chunk-size: expected a whole number of accounts, 1 or more; got {chunk_size}.")
        with_pdf = not options["no_pdf"]
        try:
            run = billing_runs.start_run(
                as_of_date=as_of_date,
                account_number=options["account"].strip(),
                started_by="hearth bill_run",
                now=timezone.now(),
                with_pdf=with_pdf,
            )
        except billing_runs.BillRunRefused as exc:
            raise CommandError(str(exc)) from exc
        account_ids = billing_runs.accounts_of(run, with_pdf=with_pdf)
        chunks = [account_ids[i : i + chunk_size] for i in range(0, len(account_ids), chunk_size)]
        progress_stream = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(
            total=run.accounts_total, desc=f"Bill run {run.pk}", unit="account", file=progress_stream, leave=False
        ) as bar:
            if settings.CELERY_BROKER_URL:
                tasks = [billing_tasks.bill_accounts.delay(run.pk, chunk, with_pdf) for chunk in chunks]
                self._follow(run, bar, tasks)
            else:
                for chunk in chunks:
                    billing_runs.bill_accounts(
                        run=run, account_ids=chunk, now=timezone.now(), with_pdf=with_pdf, progress=bar.update
                    )
        self._write_summary(run, billing_runs.finish_run(run=run, now=timezone.now()))

    @staticmethod
    def _follow(run: BillRun, bar: tqdm, tasks: list[AsyncResult]) -> None:
        """Wait for the workers, moving the bar as their records of each account arrive.

        Every account of the run gets a record, so the count reaching the total means the run is done. With a result
        backend a chunk that failed outright stops the wait with its reason; without one, a wait with no new record
        for STALL_SECONDS does (a chunk no worker took, or lost).
        """
        tracked = not isinstance(billing_tasks.bill_accounts.backend, DisabledBackend)
        done = 0
        last_progress = time.monotonic()
        while done < run.accounts_total:
            time.sleep(FOLLOW_SECONDS)
            failed = [task for task in tasks if task.failed()] if tracked else []
            now_done = billing_runs.accounts_done(run)
            if now_done > done:
                bar.update(now_done - done)
                done, last_progress = now_done, time.monotonic()
            if failed:
                problem = f"{len(failed)} chunk(s) failed in the workers: {failed[0].result!r}"
            elif time.monotonic() - last_progress > STALL_SECONDS:
                problem = f"the workers recorded no account for {STALL_SECONDS // 60} minutes"
            else:
                continue
            raise CommandError(
                f"Bill run {run.pk}: {problem}. {done} of {run.accounts_total} accounts are done; run the same "
                "command again to bill the rest."
            )

    def _write_summary(self, run: BillRun, summary: billing_runs.RunSummary) -> None:
        failed = len(summary.failed)
        style = self.style.SUCCESS if not failed else self.style.WARNING
        self.stdout.write(style(f"Bill run {run.pk} as of {run.as_of_date.isoformat()}"))
        self.stdout.write(f"Billed {summary.billed}")
        self.stdout.write(f"Skipped {summary.skipped_count}")
        for reason, count in summary.skipped:
            self.stdout.write(f"  {reason}: {count}")
        self.stdout.write(f"Failed {failed}")
        for failure in summary.failed:
            period = f", period from {failure.period_start_date.isoformat()}" if failure.period_start_date else ""
            self.stdout.write(f"  account {failure.account_number}{period}: {failure.reason}")
