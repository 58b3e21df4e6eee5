"""Bill runs over Celery workers: `hearth bill_run` and the care console queue one task per chunk of accounts.

A chunk is acknowledged only when done (CELERY_TASK_ACKS_LATE), so a worker killed part-way hands its chunk to
another; billing it again issues only what is still due (a chunk's bills commit together, or not at all). The chunk
that records the run's last account marks the run finished, so a run started from the console, which no command
follows, ends too. Without a broker the tasks run inline (CELERY_TASK_ALWAYS_EAGER).
"""

from django.utils import timezone

from hearth.data.billing.models import BillRun
from hearth.domain.billing import runs as billing_runs
from hearth.interfaces.tasks.app import app


@app.task(name="hearth.bill_accounts")
def bill_accounts(run_id: int, account_ids: list[int], with_pdf: bool) -> None:
    """Bill one chunk of a run's accounts; finish the run if that was the last of them."""
    run = billing_runs.run_by_id(run_id)
    if run is None:
        raise LookupError(f"There is no bill run {run_id}.")
    billing_runs.bill_accounts(run=run, account_ids=account_ids, now=timezone.now(), with_pdf=with_pdf)
    billing_runs.finish_if_done(run=run, now=timezone.now())


def queue_run(run: BillRun, *, with_pdf: bool = True, chunk_size: int = billing_runs.CHUNK_SIZE) -> int:
    """Queue the run's accounts, ``chunk_size`` to a task; a run with none is finished at once. How many tasks."""
    account_ids = billing_runs.accounts_of(run, with_pdf=with_pdf)
    chunks = [account_ids[first : first + chunk_size] for first in range(0, len(account_ids), chunk_size)]
    if not chunks:
        billing_runs.finish_if_done(run=run, now=timezone.now())
    for chunk in chunks:
        bill_accounts.delay(run.pk, chunk, with_pdf)
    return len(chunks)
