"""Bill runs over Celery workers: `hearth bill_run` queues one task per chunk of accounts.

A chunk is acknowledged only when done (CELERY_TASK_ACKS_LATE), so a worker killed part-way hands its chunk to
another; billing it again issues only what is still due (a chunk's bills commit together, or not at all).
"""

from django.utils import timezone

from hearth.domain.billing import runs as billing_runs
from hearth.interfaces.tasks.app import app


@app.task(name="hearth.bill_accounts")
def bill_accounts(run_id: int, account_ids: list[int], with_pdf: bool) -> None:
    """Bill one chunk of a run's accounts."""
    run = billing_runs.run_by_id(run_id)
    if run is None:
        raise LookupError(f"There is no bill run {run_id}.")
    billing_runs.bill_accounts(run=run, account_ids=account_ids, now=timezone.now(), with_pdf=with_pdf)
