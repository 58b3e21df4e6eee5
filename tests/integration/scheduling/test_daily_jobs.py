"""The daily jobs of billing and documents as the scheduler runs them: the bill run of every ended period (PDFs
included), the document e-mails still waiting, and the day's print batch; each reporting what it did and what
failed, each idempotent, so the daily jobs run twice for a day make its bills and its print batch once.

The day is Monday 7 December 2026 (a working day in England, Scotland and Wales); the accounts' supply started on
20 September, so three periods have ended by then: 20-30 September, October and November.
"""

import smtplib
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection

from hearth.data.billing.models import Bill, BillRun
from hearth.data.documents.models import Delivery, Document, DocumentType, PrintBatch
from hearth.data.scheduling.models import JobRun
from hearth.domain.documents import delivery as documents_delivery
from hearth.domain.documents import operations as documents_ops
from hearth.interfaces.tasks import daily
from tests.integration.billing.run_support import billable_account, expected_periods, single_rate_tariff
from tests.integration.conftest import Builder, Site
from tests.integration.documents.delivery_support import SCRIPTED, ScriptedBackend
from tests.integration.documents.test_store import pdf_of

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
MONDAY_MORNING = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 06:00 in London (GMT)
SUPPLY_START = date(2026, 9, 20)


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Documents and print batches stored under a folder of this test (the fields' storages swapped)."""
    storage = FileSystemStorage(location=tmp_path / "documents")
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(PrintBatch._meta.get_field("pdf"), "storage", storage)
    monkeypatch.setattr(PrintBatch._meta.get_field("manifest"), "storage", storage)
    return tmp_path / "documents"


@pytest.fixture
def monday(folder: Path) -> Any:
    with time_machine.travel(MONDAY_MORNING, tick=True):
        yield


def run_daily(*args: str) -> str:
    out = StringIO()
    call_command("run_daily", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def runs_of(job_name: str) -> list[JobRun]:
    return list(JobRun.objects.filter(job=job_name).order_by("id"))


def messages_of(job_run: JobRun) -> list[tuple[str, str, str]]:
    return list(job_run.items.order_by("id").values_list("outcome", "subject", "message"))


def run_job(name: str, *, day: date = MONDAY) -> JobRun:
    job = daily.job_named(name)
    assert job is not None
    return daily.run_one(job, day=day, started_by="a test")


# --- The bill run --------------------------------------------------------------------------------------------------


def test_running_the_daily_jobs_twice_for_a_day_makes_its_bills_and_its_print_batch_once(monday):
    tariff = single_rate_tariff(valid_from_date=date(2026, 1, 1))
    accounts = [
        billable_account(tariff, number=number, supply_start_date=SUPPLY_START)
        for number in ("7100000001", "7100000002")
    ]
    periods = expected_periods(supply_start_date=SUPPLY_START, as_of_date=MONDAY)
    assert [start for start, _ in periods] == [date(2026, 9, 20), date(2026, 10, 1), date(2026, 11, 1)]
    expected = {f"INV-{account.number}-{start:%Y%m%d}" for account in accounts for start, _ in periods}

    first = run_daily()
    second = run_daily("--date", "2026-12-07")

    assert sorted(Bill.objects.values_list("reference", flat=True)) == sorted(expected)  # six bills, each once
    assert all(bill.document is not None for bill in Bill.objects.all())  # PDFs included
    assert BillRun.objects.count() == 1  # the second day's run found nothing due and started none
    billing_once, billing_again = runs_of("billing.bill_run")
    assert (billing_once.status, billing_once.done_count, billing_once.failed_count) == ("FINISHED", 6, 0)
    assert (billing_again.status, billing_again.done_count, billing_again.failed_count) == ("FINISHED", 0, 0)
    reported = {(subject, message.split()[1]) for _, subject, message in messages_of(billing_once)}
    assert reported == {(reference[4:14], reference) for reference in expected}
    first_bill = messages_of(billing_once)[0][2]
    assert first_bill.endswith(
        ": £" + str(Bill.objects.get(reference=first_bill.split()[1]).total) + " for 20 Sep 2026 to 30 Sep 2026"
    )

    # No login receives these accounts' documents, so each bill is a letter, in Monday's one print batch.
    batch = PrintBatch.objects.get()
    assert (batch.batch_date, batch.document_count) == (MONDAY, 6)
    batched_once, batched_again = runs_of("documents.print_batch")
    assert {subject for _, subject, _ in messages_of(batched_once)} == expected
    assert (batched_again.done_count, batched_again.failed_count) == (0, 0)

    assert first.splitlines()[:23] == [
        "Daily jobs for Monday 7 December 2026",
        "[1/22] Direct Debit collections and the day's Bacs file (payments.collect) ... finished, nothing to do",
        "[2/22] Switching: read and send messages, debt objections, opening readings, late switches and final bills "
        "(contracts.switching) ... finished, nothing to do",
        "[3/22] End the supply of customers who moved out (contracts.move_outs) ... finished, nothing to do",
        "[4/22] Bill every period that has ended (billing.bill_run) ... finished, 6 done, 0 failed",
        "[5/22] Six-monthly Direct Debit reviews (payments.review) ... finished, nothing to do",
        "[6/22] Overdue bills: reminders, final notices and interest (payments.chase) ... finished, nothing to do",
        "[7/22] Open debt cases and take the debt path's steps that time has made due (debt.path) ... finished, "
        "nothing to do",
        "[8/22] Tariff moves for not paying by the tariff's method (payments.tariff_moves) ... finished, nothing to do",
        "[9/22] Start renewals and moves due, and roll ended fixed terms onto the variable tariff "
        "(contracts.contract_starts) ... finished, nothing to do",
        "[10/22] Send the Statements of Renewal due (42 to 49 days before) (contracts.renewal_statements) ... "
        "finished, nothing to do",
        "[11/22] Flag domestic supplies above 74,000 kWh a year for care (contracts.large_supplies) ... finished, "
        "nothing to do",
        "[12/22] Make subject-access exports and delete expired ones (privacy.subject_access) ... finished, nothing "
        "to do",
        "[13/22] Carry out erasures no longer delayed by a supply or a debt (privacy.erasures) ... finished, nothing "
        "to do",
        "[14/22] Send the Priority Services Register's changes to the network operators (priority.network_share) ... "
        "finished, nothing to do",
        "[15/22] Read the complaints mailbox into complaints (complaints.mail) ... finished, nothing to do",
        "[16/22] Complaints: flag overdue responses, send 8-week Ombudsman letters (complaints.clocks) ... finished, "
        "nothing to do",
        "[17/22] Remind customers of engineer visits before the last day to cancel free "
        "(meter_services.visit_reminders) ... finished, nothing to do",
        "[18/22] Prepayment meters: each day's standing charge and energy taken from the credit "
        "(prepayment.daily_charges) ... finished, nothing to do",
        "[19/22] Smart-meter commands whose notice has ended (metering.smart_meter_commands) ... finished, "
        "nothing to do",
        "[20/22] Monthly partitions of half-hourly consumption for the coming months (metering.interval_partitions) "
        # December 2026 and the three months after it, on PostgreSQL only (ADR 0009)
        + ("... finished, 4 done, 0 failed" if connection.vendor == "postgresql" else "... finished, nothing to do"),
        "[21/22] Send the document e-mails still waiting (documents.deliver_pending) ... finished, nothing to do",
        "[22/22] Make the day's print batch for the post (documents.print_batch) ... finished, 6 done, 0 failed",
    ]
    assert f"billing.bill_run                           0       0  Finished (run {billing_again.pk})" in second


def test_an_account_that_cannot_be_billed_is_reported_failed_and_the_others_are_billed(monday):
    tariff = single_rate_tariff(valid_from_date=date(2026, 1, 1))
    billable_account(tariff, number="7200000001", supply_start_date=SUPPLY_START)
    # no reading since the opening one and no annual consumption to estimate from
    billable_account(tariff, number="7200000002", supply_start_date=SUPPLY_START, annual_kwh=None)

    with pytest.raises(CommandError, match="1 of 1 job"):
        run_daily("--job", "billing.bill_run")

    job_run = JobRun.objects.get()
    assert (job_run.status, job_run.done_count, job_run.failed_count) == ("FINISHED", 3, 1)
    [(_outcome, subject, message)] = [item for item in messages_of(job_run) if item[0] == "FAILED"]
    assert subject == "7200000002"
    assert message.startswith(f"Bill run {BillRun.objects.get().pk}, period from 20 Sep 2026: ")
    assert "annual consumption" in message
    assert Bill.objects.filter(account__number="7200000001").count() == 3


def test_a_day_with_no_period_due_starts_no_bill_run(monday):
    job_run = run_job("billing.bill_run")
    assert (job_run.status, job_run.done_count, job_run.failed_count) == ("FINISHED", 0, 0)
    assert not BillRun.objects.exists()


# --- The document e-mails still waiting ----------------------------------------------------------------------------


@pytest.fixture
def scripted_mail(settings: Any, monkeypatch: pytest.MonkeyPatch) -> type[ScriptedBackend]:
    settings.HEARTH_EMAIL_DELIVERY_BACKEND = SCRIPTED
    monkeypatch.setattr(ScriptedBackend, "script", [])
    monkeypatch.setattr(ScriptedBackend, "sent", [])
    return ScriptedBackend


def invoice(site: Site, reference: str, *, planned_at: datetime) -> Document:
    document = documents_ops.store_document(
        account=site.electricity,
        type_code=DocumentType.INVOICE,
        reference=reference,
        issued_at=planned_at,
        issue_date=planned_at.date(),
        period_start_date=None,
        period_end_date=None,
        amount=None,
        pdf=pdf_of(1, title=reference),
    )
    documents_delivery.plan_deliveries(document=document, now=planned_at)
    return document


def test_the_emails_still_waiting_are_sent_and_those_refused_reported_with_the_servers_answer(
    build: Builder, household: Site, folder: Path, scripted_mail: type[ScriptedBackend]
) -> None:
    now = MONDAY_MORNING
    for email in ("ann@example.com", "bob@example.com", "cy@example.com"):
        build.activated_login(email, household.electricity)
    with time_machine.travel(now, tick=False):
        invoice(household, "INV-WAITING", planned_at=now - timedelta(hours=1))
        invoice(household, "INV-JUST-MADE", planned_at=now - timedelta(minutes=1))  # its own sending is under way
        scripted_mail.script.extend(  # the three e-mails of INV-WAITING, in the order they were planned
            [
                None,
                smtplib.SMTPResponseException(451, b"4.3.0 Try again later"),
                smtplib.SMTPRecipientsRefused({"cy@example.com": (550, b"5.1.1 User unknown")}),
            ]
        )
        job_run = run_job("documents.deliver_pending")

    assert (job_run.done_count, job_run.failed_count) == (1, 2)
    assert sorted(messages_of(job_run)) == [
        ("DONE", "INV-WAITING", "E-mailed to ann@example.com"),
        (
            "FAILED",
            "INV-WAITING",
            "Not e-mailed to bob@example.com yet (attempt 1 of 10, tried again later): 451 4.3.0 Try again later",
        ),
        ("FAILED", "INV-WAITING", "Not e-mailed to cy@example.com, given up: 550 5.1.1 User unknown"),
    ]
    assert set(Delivery.objects.filter(document__reference="INV-JUST-MADE").values_list("status", flat=True)) == {
        "PENDING"
    }


# --- The print batch -----------------------------------------------------------------------------------------------


def letter_waiting(site: Site, reference: str) -> Delivery:
    document = invoice(site, reference, planned_at=datetime(2026, 12, 4, 6, 0, tzinfo=UTC))  # no login: by post
    return Delivery.objects.get(document=document, channel=Delivery.Channel.POST)


def test_a_weekend_has_no_print_batch_and_its_letters_wait_for_monday(household: Site, folder: Path) -> None:
    letter = letter_waiting(household, "INV-WEEKEND")
    with time_machine.travel(datetime(2026, 12, 5, 9, 0, tzinfo=UTC), tick=False):  # Saturday
        job_run = run_job("documents.print_batch", day=date(2026, 12, 5))
    assert (job_run.status, job_run.done_count, job_run.failed_count) == ("FINISHED", 0, 0)
    assert not PrintBatch.objects.exists()
    letter.refresh_from_db()
    assert letter.status == Delivery.Status.PENDING

    with time_machine.travel(MONDAY_MORNING, tick=False):
        monday_run = run_job("documents.print_batch")
    assert messages_of(monday_run) == [
        (
            "DONE",
            "INV-WEEKEND",
            "In the print batch of 7 Dec 2026 for the post (print-batches/print-batch-2026-12-07.pdf)",
        )
    ]


def test_a_print_batch_for_a_day_gone_by_is_reported_failed_with_the_reason(household: Site, folder: Path) -> None:
    letter_waiting(household, "INV-LATE")
    with time_machine.travel(MONDAY_MORNING, tick=False):
        job_run = run_job("documents.print_batch", day=date(2026, 12, 4))  # Friday, not batched then
    assert (job_run.status, job_run.done_count, job_run.failed_count) == ("FINISHED", 0, 1)
    [(_, subject, message)] = messages_of(job_run)
    assert subject == "Print batch of 2026-12-04"
    assert message.startswith("2026-12-04 has already gone")
    assert not PrintBatch.objects.exists()


def test_a_working_day_without_letters_has_nothing_to_do(folder: Path) -> None:
    with time_machine.travel(MONDAY_MORNING, tick=False):
        job_run = run_job("documents.print_batch")
    assert (job_run.done_count, job_run.failed_count) == (0, 0)
    assert not PrintBatch.objects.exists()
