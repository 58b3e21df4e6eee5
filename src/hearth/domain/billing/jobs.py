"""Billing's daily job: the bill run of every period that has ended (see ``hearth.domain.scheduling.jobs``)."""

from datetime import date, datetime, timedelta

from hearth.data.billing.models import BillRunItem
from hearth.domain.billing import runs as billing_runs
from hearth.domain.scheduling import jobs

STARTED_BY = "the daily jobs"


def _when(start: date | None) -> str:
    return f"period from {start:%-d %b %Y}: " if start else ""


def bill_run(*, day: date, now: datetime, report: jobs.JobReport) -> None:
    """Bill every period that ended by ``day`` and make the PDFs still missing, in this process: what ``hearth
    bill_run --as-of DAY`` does without a broker. A day with nothing due starts no bill run.

    Each bill issued (and each missing PDF made) is reported done against its account, each account that could not
    be billed failed with the bill run's reason. Idempotent through the bill run's own constraint: run again for the
    day, it finds everything billed and reports nothing.
    """
    if not billing_runs.has_work(as_of_date=day):
        return
    run = billing_runs.start_run(as_of_date=day, account_number="", started_by=STARTED_BY, now=now)
    billing_runs.bill_accounts(run=run, account_ids=billing_runs.accounts_of(run), now=now, with_pdf=True)
    billing_runs.finish_run(run=run, now=now)
    items = BillRunItem.objects.filter(run=run).select_related("account", "bill").order_by("id")
    for item in items.iterator():
        number, bill = item.account.number, item.bill
        if item.outcome == BillRunItem.Outcome.FAILED:
            report.failed(number, f"Bill run {run.pk}, {_when(item.period_start_date)}{item.reason}")
        elif item.outcome == BillRunItem.Outcome.BILLED and bill is not None:
            last_date = bill.period_end_date - timedelta(days=1)
            report.done(
                number,
                f"Bill {bill.reference} issued (bill run {run.pk}): £{bill.total} for "
                f"{bill.period_start_date:%-d %b %Y} to {last_date:%-d %b %Y}",
            )
        elif item.reason == billing_runs.PDF_RENDERED and bill is not None:
            report.done(number, f"The missing PDF of bill {bill.reference} made (bill run {run.pk})")
