"""Bill runs: which periods are due, `hearth bill_run` billing them with a summary, failures kept to their account.

Expected periods are written out by hand (fixed dates) or come from ``run_support.expected_periods``, which walks
the calendar a day at a time; expected references follow the contract's ``INV-<account>-<period start>``.
"""

import logging
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hearth.data.accounts.models import Account
from hearth.data.billing.models import Bill, BillingArrangement, BillRun, BillRunItem
from hearth.data.prepayment.models import Prepayment
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import runs as billing_runs
from hearth.domain.documents import printing as documents_printing
from hearth.interfaces.commands.management.commands import bill_run as bill_run_command
from hearth.interfaces.tasks import billing as billing_tasks
from hearth.interfaces.tasks.app import app
from tests.celery_worker import REDIS_URL, worker_on_redis
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.billing.run_support import (
    billable_account,
    expected_periods,
    months_before,
    single_rate_tariff,
    this_month,
)

NOON = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)


def _references(account: Account, periods: list[tuple[date, date]]) -> set[str]:
    return {f"INV-{account.number}-{start:%Y%m%d}" for start, _ in periods}


def _bill_run(*args: str) -> str:
    out = StringIO()
    call_command("bill_run", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def tariff() -> Any:
    return single_rate_tariff(valid_from_date=date(2024, 1, 1))


@pytest.fixture
def documents_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    use_documents_folder(monkeypatch, tmp_path)
    return tmp_path


# --- Which periods are due ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("supply", "quarterly", "as_of", "periods"),
    [
        pytest.param(
            (date(2025, 12, 15), None),
            False,
            date(2026, 3, 1),
            [
                (date(2025, 12, 15), date(2026, 1, 1)),
                (date(2026, 1, 1), date(2026, 2, 1)),
                (date(2026, 2, 1), date(2026, 3, 1)),
            ],
            id="calendar months from the day supply began, the last ending on the as-of day",
        ),
        pytest.param(
            (date(2025, 12, 15), None),
            False,
            date(2026, 2, 28),
            [(date(2025, 12, 15), date(2026, 1, 1)), (date(2026, 1, 1), date(2026, 2, 1))],
            id="a period ending after the as-of day is not due",
        ),
        pytest.param(
            (date(2025, 11, 10), None),
            True,
            date(2026, 7, 1),
            [
                (date(2025, 11, 10), date(2026, 1, 1)),
                (date(2026, 1, 1), date(2026, 4, 1)),
                (date(2026, 4, 1), date(2026, 7, 1)),
            ],
            id="quarterly: calendar quarters",
        ),
        pytest.param(
            (date(2026, 1, 1), date(2026, 2, 20)),
            False,
            date(2026, 6, 1),
            [(date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 2, 1), date(2026, 2, 20))],
            id="the final period stops where supply ended, and nothing follows it",
        ),
        pytest.param(
            (date(2026, 1, 1), date(2026, 2, 20)),
            False,
            date(2026, 2, 19),
            [(date(2026, 1, 1), date(2026, 2, 1))],
            id="the final period is due only once supply has ended",
        ),
        pytest.param((date(2026, 3, 1), None), False, date(2026, 3, 1), [], id="supply beginning on the as-of day"),
    ],
)
def test_due_periods_are_the_ended_calendar_periods_of_the_supply(tariff, supply, quarterly, as_of, periods):
    start, end = supply
    account = billable_account(
        tariff,
        number="6100000001",
        supply_start_date=start,
        supply_end_date=end,
        frequency=BillingArrangement.Frequency.QUARTERLY if quarterly else None,
    )

    assert billing_runs.due_periods(account=account, as_of_date=as_of) == periods
    # the day-by-day reference the other tests use agrees with these hand-written periods
    assert expected_periods(supply_start_date=start, as_of_date=as_of, quarterly=quarterly, supply_end_date=end) == (
        periods
    )


def _stored_bill(account: Account, start: date, end: date, *, cancelled: bool = False) -> Bill:
    return Bill.objects.create(
        account=account,
        reference=f"INV-{account.number}-{start:%Y%m%d}" + ("-X" if cancelled else ""),
        period_start_date=start,
        period_end_date=end,
        issued_at=NOON,
        issue_date=NOON.date(),
        due_date=NOON.date() + timedelta(days=14),
        status=Bill.Status.CANCELLED if cancelled else Bill.Status.ISSUED,
        cancelled_at=NOON if cancelled else None,
        total=Decimal("10.00"),
        previous_balance=Decimal(0),
        payments_and_credits=Decimal(0),
        balance_carried_forward=Decimal("10.00"),
    )


@pytest.mark.django_db
def test_due_periods_continue_from_the_latest_issued_bill_not_a_cancelled_one(tariff):
    account = billable_account(tariff, number="6100000002", supply_start_date=date(2025, 12, 15))
    _stored_bill(account, date(2025, 12, 15), date(2026, 1, 1))
    _stored_bill(account, date(2026, 1, 1), date(2026, 2, 1), cancelled=True)  # cancelled: reissued by care staff

    assert billing_runs.due_periods(account=account, as_of_date=date(2026, 3, 1)) == [
        (date(2026, 1, 1), date(2026, 2, 1)),
        (date(2026, 2, 1), date(2026, 3, 1)),
    ]


# --- `hearth bill_run` ----------------------------------------------------------------------------------------------


def _three_accounts(tariff: Any, as_of: date) -> dict[Account, list[tuple[date, date]]]:
    """Monthly, quarterly and a supply that ended last month, with their due periods worked out by the reference."""
    start = months_before(as_of, 2) + timedelta(days=3)
    ended = months_before(as_of, 1) + timedelta(days=12)
    monthly = billable_account(tariff, number="6200000001", supply_start_date=start)
    quarterly = billable_account(
        tariff,
        number="6200000002",
        supply_start_date=months_before(as_of, 5),
        frequency=BillingArrangement.Frequency.QUARTERLY,
    )
    final = billable_account(tariff, number="6200000003", supply_start_date=start, supply_end_date=ended)
    return {
        monthly: expected_periods(supply_start_date=start, as_of_date=as_of),
        quarterly: expected_periods(supply_start_date=months_before(as_of, 5), as_of_date=as_of, quarterly=True),
        final: expected_periods(supply_start_date=start, as_of_date=as_of, supply_end_date=ended),
    }


@pytest.mark.django_db
def test_a_run_bills_every_period_due_once_and_running_it_again_bills_nothing(tariff):
    as_of = this_month()
    accounts = _three_accounts(tariff, as_of)
    expected = set().union(*(_references(account, periods) for account, periods in accounts.items()))
    progress = StringIO()

    out = StringIO()
    call_command("bill_run", "--as-of", as_of.isoformat(), "--no-pdf", stdout=out, stderr=progress)
    again = _bill_run("--as-of", as_of.isoformat(), "--no-pdf")

    assert set(Bill.objects.values_list("reference", flat=True)) == expected
    assert Bill.objects.count() == len(expected)
    assert f"Billed {len(expected)}\nSkipped 0\nFailed 0\n" in out.getvalue()
    assert "| 0/3 [" in progress.getvalue()  # a progress bar over the three accounts
    assert "Billed 0\nSkipped 0\nFailed 0\n" in again
    first, second = BillRun.objects.order_by("id")
    assert (first.status, first.accounts_total, second.accounts_total) == (BillRun.Status.FINISHED, 3, 0)
    assert set(Bill.objects.values_list("run", flat=True)) == {first.pk}
    final = next(account for account in accounts if account.number == "6200000003")
    last_start, last_end = accounts[final][-1]
    assert Bill.objects.get(account=final, period_start_date=last_start, period_end_date=last_end).is_final


@pytest.mark.django_db
def test_one_account_asked_for_is_billed_alone_and_skipped_with_a_reason_when_nothing_is_due(tariff):
    as_of = this_month()
    accounts = _three_accounts(tariff, as_of)
    monthly = next(account for account in accounts if account.number == "6200000001")

    first = _bill_run("--as-of", as_of.isoformat(), "--account", monthly.number, "--no-pdf")
    second = _bill_run("--as-of", as_of.isoformat(), "--account", monthly.number, "--no-pdf")

    assert set(Bill.objects.values_list("reference", flat=True)) == _references(monthly, accounts[monthly])
    assert f"Billed {len(accounts[monthly])}\n" in first
    assert "Billed 0\nSkipped 1\n  no period due: 1\nFailed 0\n" in second


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", ["2026-13-01", "1/11/2026", "yesterday", "2026-11-1"])
def test_a_date_that_is_not_yyyy_mm_dd_is_a_clear_error(as_of):
    with pytest.raises(CommandError, match=r"--as-of: expected a date as YYYY-MM-DD"):
        _bill_run("--as-of", as_of)
    assert not BillRun.objects.exists()


@pytest.mark.django_db
def test_a_day_after_today_is_refused_because_its_periods_have_not_ended():
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError, match=f"--as-of {tomorrow.isoformat()} is after today"):
        _bill_run("--as-of", tomorrow.isoformat())
    assert not BillRun.objects.exists()


@pytest.mark.django_db
def test_an_unknown_account_or_an_empty_chunk_is_a_clear_error():
    with pytest.raises(CommandError, match="There is no account 9999999999"):
        _bill_run("--as-of", "2026-11-01", "--account", "9999999999")
    with pytest.raises(CommandError, match="--chunk-size: expected a whole number of accounts, 1 or more"):
        _bill_run("--as-of", "2026-11-01", "--chunk-size", "0")


@pytest.mark.django_db
def test_a_failure_on_one_account_does_not_stop_the_others_and_is_reported_with_its_reason(tariff, monkeypatch, caplog):
    as_of = this_month()
    start = months_before(as_of, 2) + timedelta(days=5)
    before = billable_account(tariff, number="6300000001", supply_start_date=start)
    # no reading since the opening one and no annual consumption to estimate from: a bill cannot be worked out
    unreadable = billable_account(tariff, number="6300000002", supply_start_date=start, annual_kwh=None)
    broken = billable_account(tariff, number="6300000003", supply_start_date=start)
    after = billable_account(tariff, number="6300000004", supply_start_date=start)
    real_issue_bill = billing_ops.issue_bill

    def issue_bill(**kwargs: Any) -> Bill:
        if kwargs["account"].number == broken.number:
            raise RuntimeError("the pricing service timed out")
        return real_issue_bill(**kwargs)

    monkeypatch.setattr(billing_ops, "issue_bill", issue_bill)
    periods = expected_periods(supply_start_date=start, as_of_date=as_of)

    with caplog.at_level(logging.ERROR, logger="hearth.domain.billing.runs"):
        out = _bill_run("--as-of", as_of.isoformat(), "--no-pdf", "--chunk-size", "2")

    billed = set(Bill.objects.values_list("reference", flat=True))
    assert billed == _references(before, periods) | _references(after, periods)
    failures = {item.account.number: item for item in BillRunItem.objects.filter(outcome=BillRunItem.Outcome.FAILED)}
    assert set(failures) == {unreadable.number, broken.number}  # one each: the later periods wait for a fix
    assert failures[broken.number].reason == "RuntimeError: the pricing service timed out"
    assert failures[unreadable.number].period_start_date == start
    assert "annual consumption" in failures[unreadable.number].reason
    assert f"Billed {2 * len(periods)}\nSkipped 0\nFailed 2\n" in out
    for number, item in failures.items():
        assert f"  account {number}, period from {start.isoformat()}: {item.reason}\n" in out
    assert any(broken.number in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_a_period_billed_by_another_process_meanwhile_is_skipped_as_already_billed(tariff, monkeypatch):
    as_of = this_month()
    start = months_before(as_of, 2) + timedelta(days=5)
    account = billable_account(tariff, number="6400000001", supply_start_date=start)
    periods = expected_periods(supply_start_date=start, as_of_date=as_of)
    real_due_by_account = billing_runs._due_by_account

    def due_then_billed_elsewhere(**kwargs: Any) -> Any:
        due = real_due_by_account(**kwargs)
        first_start, first_end = periods[0]
        billing_ops.issue_bill(  # another run gets there between working out what is due and billing it
            account=account, period_start_date=first_start, period_end_date=first_end, now=timezone.now()
        )
        return due

    monkeypatch.setattr(billing_runs, "_due_by_account", due_then_billed_elsewhere)
    run = billing_runs.start_run(
        as_of_date=as_of, account_number=account.number, started_by="test", now=timezone.now(), with_pdf=False
    )
    billing_runs.bill_accounts(run=run, account_ids=[account.pk], now=timezone.now(), with_pdf=False)
    summary = billing_runs.finish_run(run=run, now=timezone.now())

    assert Bill.objects.filter(account=account).count() == len(periods)
    assert Bill.objects.filter(account=account, run=run).count() == len(periods) - 1
    assert (summary.billed, summary.skipped, summary.failed) == (len(periods) - 1, (("already billed", 1),), ())


@pytest.mark.django_db
def test_an_account_billed_by_another_run_since_this_one_started_is_counted_as_already_billed(tariff):
    as_of = this_month()
    start = months_before(as_of, 1) + timedelta(days=5)
    account = billable_account(tariff, number="6500000001", supply_start_date=start)
    now = timezone.now()
    run = billing_runs.start_run(as_of_date=as_of, account_number="", started_by="test", now=now, with_pdf=False)
    account_ids = billing_runs.accounts_of(run, with_pdf=False)

    _bill_run("--as-of", as_of.isoformat(), "--no-pdf")
    billing_runs.bill_accounts(run=run, account_ids=account_ids, now=now, with_pdf=False)
    summary = billing_runs.finish_run(run=run, now=now)

    assert account_ids == [account.pk]
    assert (summary.billed, summary.skipped, summary.failed) == (0, (("already billed", 1),), ())
    assert billing_runs.accounts_done(run) == run.accounts_total == 1


# --- Invoice PDFs ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pdf_that_fails_is_reported_with_the_bill_issued_and_the_next_run_renders_it(
    tariff, monkeypatch, documents_folder
):
    as_of = this_month()
    start = months_before(as_of, 1) + timedelta(days=5)
    account = billable_account(tariff, number="6600000001", supply_start_date=start)
    other = billable_account(tariff, number="6600000002", supply_start_date=start)
    real_render = documents_printing.render

    def render(template: Path, **inputs: str) -> bytes:
        if account.number in inputs["invoice"]:
            raise OSError("disk full")
        return real_render(template, **inputs)

    monkeypatch.setattr(documents_printing, "render", render)
    first = _bill_run("--as-of", as_of.isoformat())
    monkeypatch.setattr(documents_printing, "render", real_render)
    second = _bill_run("--as-of", as_of.isoformat())

    reference = f"INV-{account.number}-{start:%Y%m%d}"
    assert f"Billed 1\nSkipped 0\nFailed 1\n  account {account.number}, period from {start.isoformat()}: " in first
    assert "bill issued, PDF failed: OSError: disk full" in first
    assert "Billed 0\nSkipped 1\n  already billed, missing PDF rendered: 1\nFailed 0\n" in second
    bills = {bill.reference: bill for bill in Bill.objects.select_related("document")}
    assert set(bills) == {reference, f"INV-{other.number}-{start:%Y%m%d}"}
    for bill in bills.values():
        assert bill.document is not None
        assert bill.document.reference == bill.reference
        assert (documents_folder / bill.document.file.name).read_bytes().startswith(b"%PDF")


@pytest.mark.django_db
def test_bills_issued_without_pdfs_get_them_from_the_next_run_with_pdfs(tariff, documents_folder):
    as_of = this_month()
    start = months_before(as_of, 2) + timedelta(days=5)
    account = billable_account(tariff, number="6700000001", supply_start_date=start)
    periods = expected_periods(supply_start_date=start, as_of_date=as_of)

    _bill_run("--as-of", as_of.isoformat(), "--no-pdf")
    assert not Bill.objects.filter(document__isnull=False).exists()
    out = _bill_run("--as-of", as_of.isoformat(), "--account", account.number)

    assert f"already billed, missing PDF rendered: {len(periods)}\nFailed 0\n" in out
    assert not Bill.objects.filter(document__isnull=True).exists()


@pytest.mark.django_db
def test_a_bill_cancelled_without_its_credit_note_pdf_gets_it_from_the_next_run(tariff, documents_folder):
    """A cancellation whose PDF failed (or was made from a shell) is not left without its credit note."""
    as_of = this_month()
    start = months_before(as_of, 1)
    account = billable_account(tariff, number="6800000001", supply_start_date=start)
    _bill_run("--as-of", as_of.isoformat())
    bill = Bill.objects.get(account=account)
    billing_ops.cancel_bill(bill=bill, reason="Wrong reading", actor=None, now=timezone.now())  # type: ignore[arg-type]
    bill.refresh_from_db()
    assert bill.credit_note is None

    _bill_run("--as-of", as_of.isoformat(), "--account", account.number)

    bill.refresh_from_db()
    assert bill.credit_note is not None
    assert bill.credit_note.reference == "CN-" + bill.reference.removeprefix("INV-")
    assert (documents_folder / bill.credit_note.file.name).read_bytes().startswith(b"%PDF")


# --- Fanned out over Celery workers --------------------------------------------------------------------------------


@pytest.fixture
def redis_worker(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A Celery worker in this process with Redis as broker (as tests/integration/test_task_queue.py starts one).

    A chunk no worker takes fails the command after a minute, not the ten a real run allows.
    """
    monkeypatch.setattr(bill_run_command, "STALL_SECONDS", 60)
    assert billing_tasks.bill_accounts.name in app.tasks  # known before the worker starts (see the test below)
    settings.CELERY_BROKER_URL = REDIS_URL
    with worker_on_redis():
        yield


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_workers_bill_the_chunks_and_the_command_follows_them(tariff, redis_worker):
    as_of = this_month()
    accounts = _three_accounts(tariff, as_of)
    expected = set().union(*(_references(account, periods) for account, periods in accounts.items()))
    started = time.monotonic()

    out = _bill_run("--as-of", as_of.isoformat(), "--no-pdf", "--chunk-size", "1")

    assert time.monotonic() - started < 60
    assert set(Bill.objects.values_list("reference", flat=True)) == expected
    assert f"Billed {len(expected)}\nSkipped 0\nFailed 0\n" in out
    run = BillRun.objects.get()
    assert run.status == BillRun.Status.FINISHED
    assert set(Bill.objects.values_list("run", flat=True)) == {run.pk}


def test_a_worker_started_from_the_celery_app_knows_the_bill_run_task():
    """A worker imports only what the app discovers: the chunks the command queues must be a task it knows."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
    env["DJANGO_SETTINGS_MODULE"] = "hearth.settings"
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from hearth.interfaces.tasks.app import app\n"
            "app.loader.import_default_modules()\n"
            "print(' '.join(sorted(app.tasks)))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    assert "hearth.bill_accounts" in found.stdout.split(), (
        "hearth/interfaces/tasks/app.py must discover hearth.interfaces.tasks.billing as well as mail"
    )


@pytest.mark.django_db(transaction=True)
def test_a_chunk_that_fails_in_a_worker_stops_the_command_with_the_reason(tariff, redis_worker, monkeypatch):
    as_of = this_month()
    _three_accounts(tariff, as_of)

    def database_gone(**kwargs: Any) -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(billing_runs, "bill_accounts", database_gone)
    with pytest.raises(CommandError) as raised:
        _bill_run("--as-of", as_of.isoformat(), "--no-pdf", "--chunk-size", "2")

    message = str(raised.value)
    assert "chunk(s) failed in the workers: ConnectionError('the database went away')" in message
    assert "0 of 3 accounts are done; run the same command again" in message


@pytest.mark.django_db
def test_an_account_on_prepayment_is_billed_up_to_the_day_prepayment_began_and_no_further(tariff):
    """Prepayment from 15 February 2026: January is billed, February only to the 14th, March not at all (the
    meter takes the charges from the 15th)."""
    account = billable_account(tariff, number="6900000001", supply_start_date=date(2026, 1, 1))
    Prepayment.objects.create(
        account=account,
        supply_point=account.supplies.get().supply_point,
        reason=Prepayment.Reason.CHOSEN,
        started_on=date(2026, 2, 15),
        created_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    assert billing_runs.due_periods(account=account, as_of_date=date(2026, 4, 1)) == [
        (date(2026, 1, 1), date(2026, 2, 1)),
        (date(2026, 2, 1), date(2026, 2, 15)),
    ]


@pytest.mark.django_db
def test_billing_starts_again_the_day_a_prepayment_ended() -> None:
    """Prepaid from 15 February to 10 March 2026 (end exclusive): January and 1-14 February billed, then from
    10 March to the end of March; the prepaid days are never billed."""
    tariff = single_rate_tariff(valid_from_date=date(2026, 1, 1))
    account = billable_account(tariff, number="6900000002", supply_start_date=date(2026, 1, 1))
    prepayment = Prepayment.objects.create(
        account=account,
        supply_point=account.supplies.get().supply_point,
        reason=Prepayment.Reason.CHOSEN,
        started_on=date(2026, 2, 15),
        created_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    run = billing_runs.start_run(
        as_of_date=date(2026, 3, 1),
        account_number=account.number,
        started_by="test",
        now=timezone.now(),
        with_pdf=False,
    )
    billing_runs.bill_accounts(run=run, account_ids=[account.pk], now=timezone.now(), with_pdf=False)
    assert list(Bill.objects.filter(account=account).values_list("period_start_date", "period_end_date")) == [
        (date(2026, 1, 1), date(2026, 2, 1)),
        (date(2026, 2, 1), date(2026, 2, 15)),
    ]
    Prepayment.objects.filter(pk=prepayment.pk).update(ended_on=date(2026, 3, 10))
    assert billing_runs.due_periods(account=account, as_of_date=date(2026, 4, 1)) == [
        (date(2026, 3, 10), date(2026, 4, 1))
    ]
