"""Bill runs: which bill periods are due, and billing them a chunk of accounts at a time so that a crash costs nothing.

The accounts are billed :data:`CHUNK_SIZE` at a time, each chunk's bills worked out from rows gathered together
(:func:`billing_ops.issue_bills`, a fixed number of queries per chunk) and written in one transaction together with
the run's records of them. A run killed at any moment therefore leaves whole bills or none: at worst it loses the
chunk it was writing, whose bills the next run issues. The constraint ``bill_one_live_bill_per_account_and_period``
stops a second bill for a period, and due periods are worked out afresh from the issued bills, so running again
after a crash bills exactly what the crashed run did not. One account's failure is recorded with its reason and the
run carries on.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from hearth.common import calendar
from hearth.data.accounts.models import Account, Supply
from hearth.data.billing.models import Bill, BillingArrangement, BillLine, BillRun, BillRunItem
from hearth.data.identity.models import User
from hearth.data.prepayment.models import Prepayment
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.audit import operations as audit
from hearth.domain.billing import batch as billing_batch
from hearth.domain.billing import invoice as billing_invoice
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import sql as billing_sql
from hearth.domain.billing import usage as billing_usage

logger = logging.getLogger(__name__)

Period = tuple[date, date]

ALREADY_BILLED = "already billed"
NO_PERIOD_DUE = "no period due"
PDF_RENDERED = "already billed, missing PDF rendered"
PDF_FAILED = "bill issued, PDF failed: "

CHUNK_SIZE = 500
"""Accounts whose bills are gathered, worked out and written together in one transaction (and lost together by a
crash), and the accounts per worker task by default. Small enough that a run commits every second or so (a crash
loses little, progress moves); large enough that the chunk's fixed twenty-odd queries and statements are a
twentieth of one per account (ADR 0026: 500 bills a fifth quicker than 100 on PostgreSQL). A run's ``--chunk-size``
below it makes the transactions smaller."""

PDF_CHUNK_SIZE = 100
"""Bills whose invoices are made together after their chunk commits, in one transaction: their PDFs are held in
memory until stored (ADR 0027)."""


class BillRunRefused(Exception):
    """The run cannot start as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One account and period the run could not bill, and why."""

    account_number: str
    period_start_date: date | None
    reason: str


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did: bills issued, skips counted by reason (most frequent first), and every failure."""

    run_id: int
    billed: int
    skipped: tuple[tuple[str, int], ...]
    failed: tuple[Failure, ...]

    @property
    def skipped_count(self) -> int:
        return sum(count for _, count in self.skipped)


def _next_quarter(day: date) -> date:
    """The first day of the next calendar quarter (January, April, July, October)."""
    first_month = (day.month - 1) // 3 * 3 + 1
    return date(day.year + (first_month + 2) // 12, (first_month + 2) % 12 + 1, 1)


def _periods(*, start_date: date, supply_end_date: date | None, frequency: str, as_of_date: date) -> list[Period]:
    """The calendar periods from ``start_date`` that ended by ``as_of_date``; the last stops at the supply's end."""
    next_boundary = _next_quarter if frequency == BillingArrangement.Frequency.QUARTERLY else calendar.next_month_start
    periods: list[Period] = []
    while supply_end_date is None or start_date < supply_end_date:
        end_date = next_boundary(start_date)
        if supply_end_date is not None:
            end_date = min(end_date, supply_end_date)
        if end_date > as_of_date:
            break
        periods.append((start_date, end_date))
        start_date = end_date
    return periods


def _due_by_account(*, account_ids: Sequence[int] | None, as_of_date: date) -> dict[int, list[Period]]:
    """Due periods of the given accounts (None: every account), oldest first, in four plain queries (a chunk's
    hundred ids through the ORM cost more to compile than to run)."""
    of_accounts, params = ("1 = 1", []) if account_ids is None else billing_sql.among("account_id", account_ids)
    supply, bill = billing_sql.reader(Supply, "t"), billing_sql.reader(Bill, "t")
    supplied = billing_sql.select(
        "SELECT account_id, MIN(valid_from), MAX(valid_to), SUM(CASE WHEN valid_to IS NULL THEN 1 ELSE 0 END) "  # noqa: S608
        f"FROM {Supply._meta.db_table} WHERE {of_accounts} AND valid_from < %s GROUP BY account_id",
        [*params, billing_sql.day(as_of_date)],
    )
    latest_bill_end = {
        account_id: bill.value("period_end_date", end_date)
        for account_id, end_date in billing_sql.select(
            f"SELECT account_id, MAX(period_end_date) FROM {Bill._meta.db_table} "  # noqa: S608
            f"WHERE {of_accounts} AND status = %s GROUP BY account_id",
            [*params, Bill.Status.ISSUED],
        )
    }
    frequencies = dict(
        billing_sql.select(
            f"SELECT account_id, frequency FROM {BillingArrangement._meta.db_table} WHERE {of_accounts}",  # noqa: S608
            params,
        )
    )
    prepayment = billing_sql.reader(Prepayment, "t")
    prepaid: dict[int, list[tuple[date, date | None]]] = {}
    for account_id, started_on, ended_on in billing_sql.select(
        f"SELECT account_id, started_on, ended_on FROM {Prepayment._meta.db_table} "  # noqa: S608
        f"WHERE {of_accounts} ORDER BY started_on",
        params,
    ):
        prepaid.setdefault(account_id, []).append(
            (prepayment.value("started_on", started_on), prepayment.value("ended_on", ended_on))
        )
    due: dict[int, list[Period]] = {}
    for account_id, first_date, last_date, open_count in supplied:
        credit_end = None if open_count else supply.value("valid_to", last_date)
        start_date = latest_bill_end.get(account_id, supply.value("valid_from", first_date))
        for started_on, ended_on in prepaid.get(account_id, []):  # the meter took what was used then
            if ended_on is None:  # still prepaid: bill up to the day it began, no further
                credit_end = min(started_on, credit_end or started_on)
            elif started_on <= start_date < ended_on:  # back on credit: bill again from the day it ended
                start_date = ended_on
        periods = _periods(
            start_date=start_date,
            supply_end_date=credit_end,
            frequency=frequencies.get(account_id, BillingArrangement.Frequency.MONTHLY),
            as_of_date=as_of_date,
        )
        if periods:
            due[account_id] = periods
    return due


def due_periods(*, account: Account, as_of_date: date) -> list[Period]:
    """The account's bill periods ``[start, end)`` that have ended by ``as_of_date`` and have no issued bill.

    Calendar months, or calendar quarters where the account's BillingArrangement says so. The first period starts
    on the day supply began, later ones where the latest issued bill ended; the last stops where supply ended (the
    final bill) or where the account went onto prepayment (its meter takes the charges from then on: ADR 0017); a
    prepayment that has ended is skipped, billing starting again the day it ended. Oldest first.
    """
    return _due_by_account(account_ids=[account.pk], as_of_date=as_of_date).get(account.pk, [])


def _bills_missing_pdf(*, account_ids: Sequence[int] | None, as_of_date: date) -> QuerySet[Bill]:
    """Bills of the run's scope without their invoice or, once cancelled, credit-note PDF (``--no-pdf``, a crash
    between bill and PDF, or a PDF that failed after a cancellation in the console)."""
    bills = Bill.objects.filter(period_end_date__lte=as_of_date).filter(
        Q(document__isnull=True) | Q(status=Bill.Status.CANCELLED, credit_note__isnull=True)
    )
    return bills if account_ids is None else bills.filter(account_id__in=account_ids)


def _account_ids_to_bill(*, as_of_date: date, account_number: str, with_pdf: bool) -> list[int]:
    if account_number:
        account = accounts_queries.account_by_number(number=account_number)
        if account is None:
            raise BillRunRefused(f"There is no account {account_number}.")
        return [account.pk]
    ids = set(_due_by_account(account_ids=None, as_of_date=as_of_date))
    if with_pdf:
        ids |= set(_bills_missing_pdf(account_ids=None, as_of_date=as_of_date).values_list("account_id", flat=True))
    return sorted(ids)


def has_work(*, as_of_date: date) -> bool:
    """Whether a run as of ``as_of_date`` would bill anything: a period due, or a bill missing its PDF."""
    return bool(_account_ids_to_bill(as_of_date=as_of_date, account_number="", with_pdf=True))


def start_run(
    *,
    as_of_date: date,
    account_number: str,
    started_by: str,
    now: datetime,
    with_pdf: bool = True,
    actor: User | None = None,
) -> BillRun:
    """Record a run of the accounts with a period due by ``as_of_date`` (or a bill missing its PDF, ``with_pdf``).
    A run a person started (``actor``, from the console) is audited; the command and the daily job are not people.

    :raises BillRunRefused: ``as_of_date`` is after today, or ``account_number`` names no account.
    """
    today = calendar.local_date(now)
    if as_of_date > today:
        raise BillRunRefused(
            f"--as-of {as_of_date.isoformat()} is after today ({today.isoformat()}): only periods that have ended "
            "can be billed."
        )
    account_ids = _account_ids_to_bill(as_of_date=as_of_date, account_number=account_number, with_pdf=with_pdf)
    run = BillRun.objects.create(
        as_of_date=as_of_date,
        account_number=account_number,
        started_at=now,
        accounts_total=len(account_ids),
        started_by=started_by,
    )
    if actor is not None:
        audit.record(
            actor=actor,
            action="billing.bill_run_started",
            subject=f"bill run {run.pk}",
            after={"as_of": as_of_date.isoformat(), "account": account_number, "accounts": run.accounts_total},
            at=now,
        )
    return run


def accounts_of(run: BillRun, *, with_pdf: bool = True) -> list[int]:
    """The ids of the accounts the run has work for (as ``start_run`` counted them), in a stable order."""
    return _account_ids_to_bill(as_of_date=run.as_of_date, account_number=run.account_number, with_pdf=with_pdf)


def _item(
    run: BillRun,
    account: Account,
    *,
    outcome: BillRunItem.Outcome,
    now: datetime,
    period_start_date: date | None = None,
    reason: str = "",
    bill: Bill | None = None,
) -> BillRunItem:
    return billing_sql.new(
        BillRunItem,
        run=run,
        account=account,
        period_start_date=period_start_date,
        outcome=outcome,
        reason=reason[:500],
        bill=bill,
        recorded_at=now,
    )


def _record(run: BillRun, account: Account, **fields: Any) -> BillRunItem:
    item = _item(run, account, **fields)
    item.save()
    return item


def _attach_pdf(
    run: BillRun, account: Account, item: BillRunItem, bill: Bill, *, now: datetime, deliver: bool = True
) -> None:
    """Render and store the bill's missing PDFs (delivered, unless ``deliver`` is False); a failure turns the item
    into a failure saying so."""
    try:
        billing_invoice.attach_documents(bill=bill, now=now, deliver=deliver)
    except Exception as exc:
        _pdf_failed(run, account, item, exc)


def _attach_invoices(
    run: BillRun, recorded: Sequence[tuple[Account, BillRunItem]], *, now: datetime, deliver: bool
) -> None:
    """The chunk's new bills' invoices, made together (their rows read once, stored in one transaction); a bill
    whose invoice failed turns its item into a failure saying why, and the others are kept."""
    billed = [(account, item, item.bill) for account, item in recorded if item.bill is not None]
    made = billing_invoice.attach_invoices(bills=[bill for _, _, bill in billed], now=now, deliver=deliver)
    for account, item, bill in billed:
        if isinstance(failure := made[bill.pk], Exception):
            _pdf_failed(run, account, item, failure)


def _pdf_failed(run: BillRun, account: Account, item: BillRunItem, exc: Exception) -> None:
    logger.error(
        "Bill run %s: invoice PDF of account %s, bill %s failed", run.pk, account.number, item.bill_id, exc_info=exc
    )
    item.outcome = BillRunItem.Outcome.FAILED
    item.reason = f"{PDF_FAILED}{type(exc).__name__}: {exc}"[:500]
    item.save(update_fields=["outcome", "reason"])


def _render_missing_pdfs(
    run: BillRun, account: Account, bills: Iterable[Bill], *, now: datetime, deliver: bool = True
) -> None:
    for bill in bills:
        item = _record(
            run,
            account,
            outcome=BillRunItem.Outcome.SKIPPED,
            now=now,
            period_start_date=bill.period_start_date,
            reason=PDF_RENDERED,
            bill=bill,
        )
        _attach_pdf(run, account, item, bill, now=now, deliver=deliver)


def _outcome(run: BillRun, account: Account, start_date: date, result: Bill | Exception, now: datetime) -> BillRunItem:
    """The run's record of one bill, or of why it was not issued."""
    if isinstance(result, Bill):
        return _item(
            run, account, outcome=BillRunItem.Outcome.BILLED, now=now, period_start_date=start_date, bill=result
        )
    if isinstance(result, billing_ops.BillAlreadyIssued):
        outcome, reason = BillRunItem.Outcome.SKIPPED, ALREADY_BILLED
    elif isinstance(result, billing_ops.BillingError | billing_usage.UsageUnavailable):
        outcome, reason = BillRunItem.Outcome.FAILED, str(result) or type(result).__name__
    else:
        logger.error(
            "Bill run %s: account %s, period from %s failed", run.pk, account.number, start_date, exc_info=result
        )
        outcome, reason = BillRunItem.Outcome.FAILED, f"{type(result).__name__}: {result}"
    return _item(run, account, outcome=outcome, now=now, period_start_date=start_date, reason=reason)


def _bill_chunk(
    run: BillRun,
    accounts: Sequence[Account],
    due: dict[int, list[Period]],
    *,
    now: datetime,
    with_pdf: bool,
    deliver: bool = True,
) -> None:
    """Issue the accounts' due bills oldest first, a period of every account at a time (each account's next period
    starts from the bill just issued); after a failure an account's later periods wait for the next run.

    One transaction for the whole chunk: an account's records appear together with all its bills, never the first
    without the rest (the run's progress counts accounts with a record). The PDFs are rendered once it commits.
    """
    going = [account for account in accounts if due.get(account.pk)]
    recorded: list[tuple[Account, BillRunItem]] = []
    with transaction.atomic():
        for index in count():
            going = [account for account in going if len(due[account.pk]) > index]
            if not going:
                break
            requests = [billing_batch.BillRequest(account.pk, *due[account.pk][index]) for account in going]
            results = billing_ops.issue_bills(requests=requests, now=now, run=run)
            items = [
                _outcome(run, account, request.period_start_date, result, now)
                for account, request, result in zip(going, requests, results, strict=True)
            ]
            billing_sql.insert_objects(BillRunItem, items, with_ids=True)
            recorded.extend(zip(going, items, strict=True))
            going = [
                account
                for account, item in zip(going, items, strict=True)
                if item.outcome != BillRunItem.Outcome.FAILED
            ]
    billing_sql.refresh_statistics_when_grown(Bill)
    if with_pdf:
        for first in range(0, len(recorded), PDF_CHUNK_SIZE):
            _attach_invoices(run, recorded[first : first + PDF_CHUNK_SIZE], now=now, deliver=deliver)


def bill_accounts(
    *,
    run: BillRun,
    account_ids: Sequence[int],
    now: datetime,
    with_pdf: bool,
    progress: Callable[[int], None] | None = None,
    deliver: bool = True,
) -> None:
    """Bill every due period of these accounts (from ``accounts_of(run)``), :data:`CHUNK_SIZE` accounts at a time.

    Each chunk's bills commit together with their records (a crash loses the chunk being written, and the next run
    bills it). Every account gets at least one record in the run, so its progress can be counted: an account with
    nothing due any more was billed by someone else since the run started ("already billed"), or, when the run was
    asked for one account, had nothing due ("no period due"). Bills still missing their PDF (``--no-pdf``, or a crash
    between bill and PDF) get it when ``with_pdf``. ``progress`` is called with 1 for each account done. The PDFs
    stored are delivered to the accounts' logins unless ``deliver`` is False (the demo's billed history).
    """
    due = _due_by_account(account_ids=account_ids, as_of_date=run.as_of_date)
    missing_pdfs: dict[int, list[Bill]] = {}
    if with_pdf:
        missing = _bills_missing_pdf(account_ids=account_ids, as_of_date=run.as_of_date)
        for bill in missing.order_by("period_start_date", "id"):
            missing_pdfs.setdefault(bill.account_id, []).append(bill)
    recorded = set(BillRunItem.objects.filter(run=run, account_id__in=account_ids).values_list("account_id", flat=True))
    accounts = Account.objects.in_bulk(account_ids)
    for first in range(0, len(account_ids), CHUNK_SIZE):
        chunk = [accounts[pk] for pk in account_ids[first : first + CHUNK_SIZE] if pk in accounts]
        for account in chunk:
            _render_missing_pdfs(run, account, missing_pdfs.get(account.pk, ()), now=now, deliver=deliver)
            if not due.get(account.pk) and account.pk not in missing_pdfs and account.pk not in recorded:
                reason = NO_PERIOD_DUE if run.account_number else ALREADY_BILLED
                _record(run, account, outcome=BillRunItem.Outcome.SKIPPED, now=now, reason=reason)
        _bill_chunk(run, chunk, due, now=now, with_pdf=with_pdf, deliver=deliver)
        if progress is not None:
            for _ in account_ids[first : first + CHUNK_SIZE]:
                progress(1)


def accounts_done(run: BillRun) -> int:
    """How many accounts the run has recorded an outcome for (its progress, when workers do the billing)."""
    return BillRunItem.objects.filter(run=run).values("account_id").distinct().count()


def summary_of(run: BillRun) -> RunSummary:
    """Bills issued, skips by reason and failures with theirs, counted in the database (a run may have 100,000)."""
    items = BillRunItem.objects.filter(run=run)
    skipped = (
        items.filter(outcome=BillRunItem.Outcome.SKIPPED)
        .values("reason")
        .annotate(count=Count("id"))
        .order_by("-count", "reason")
        .values_list("reason", "count")
    )
    failed = (
        items.filter(outcome=BillRunItem.Outcome.FAILED)
        .order_by("id")
        .values_list("account__number", "period_start_date", "reason")
    )
    return RunSummary(
        run_id=run.pk,
        billed=items.filter(outcome=BillRunItem.Outcome.BILLED).count(),
        skipped=tuple(skipped),
        failed=tuple(Failure(*failure) for failure in failed),
    )


@dataclass(frozen=True)
class RunRow:
    """A run in the console's list, with its outcome counts."""

    run: BillRun
    billed: int
    skipped: int
    failed: int


def latest_runs(*, limit: int) -> list[RunRow]:
    """The latest ``limit`` runs, newest first, with their outcomes counted in the database."""
    outcome = BillRunItem.Outcome
    runs = BillRun.objects.annotate(
        billed=Count("items", filter=Q(items__outcome=outcome.BILLED)),
        skipped=Count("items", filter=Q(items__outcome=outcome.SKIPPED)),
        failed=Count("items", filter=Q(items__outcome=outcome.FAILED)),
    ).order_by("-started_at", "-id")[:limit]
    return [RunRow(run, run.billed, run.skipped, run.failed) for run in runs]


def run_by_id(run_id: int) -> BillRun | None:
    return BillRun.objects.filter(pk=run_id).first()


@dataclass(frozen=True, slots=True)
class RunTotals:
    """What the bills a run issued come to, in pounds: before VAT, the VAT, and with it (the bills' totals)."""

    net: Decimal
    vat: Decimal
    gross: Decimal


def totals_of(run: BillRun) -> RunTotals:
    """The £ totals of the bills the run issued (cancelled since or not: what the run billed), summed in the
    database; a bill's total includes its VAT lines, so before VAT is the one less the other."""
    zero = Decimal("0.00")
    gross = Bill.objects.filter(run=run).aggregate(total=Sum("total"))["total"] or zero
    vat = BillLine.objects.filter(bill__run=run, kind=BillLine.Kind.VAT).aggregate(total=Sum("amount"))["total"]
    vat = vat or zero
    return RunTotals(net=gross - vat, vat=vat, gross=gross)


def finish_if_done(*, run: BillRun, now: datetime) -> bool:
    """Mark a running run finished once every account has its record (the last worker's chunk does this); whether
    this call finished it. One conditional update, so two chunks ending together finish it once."""
    if accounts_done(run) < run.accounts_total:
        return False
    finished = BillRun.objects.filter(pk=run.pk, status=BillRun.Status.RUNNING).update(
        status=BillRun.Status.FINISHED, finished_at=now
    )
    return finished == 1


def finish_run(*, run: BillRun, now: datetime) -> RunSummary:
    """Mark the run finished and say what it did."""
    run.status = BillRun.Status.FINISHED
    run.finished_at = now
    run.save(update_fields=["status", "finished_at"])
    return summary_of(run)
