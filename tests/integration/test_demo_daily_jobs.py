"""`make run` runs the day's jobs once after loading the demo (`hearth run_daily`), and the demo stays as the README
tells: on Tuesday 1 December 2026 the loader bills April to October (each month's run comes on the 2nd of the next),
the daily bill run bills November, which ended that day (the household's electricity estimated: its meter has no
reading for 1 December), the payments jobs review the three Direct Debits (six months since sign-up) and remind Sam
Patel of the bill he left unpaid and the household of the gas bill its returned collection left unpaid, Morgan Lee
is sent a Statement of Renewal (fixed prices ending in 45 days), and the day's print batch takes Sam's three letters
(no activated login, so by post).
"""

from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection

from hearth.data.billing.models import Bill, BillRun
from hearth.data.documents.models import Delivery, Document, PrintBatch
from hearth.data.scheduling.models import JobRun
from hearth.domain.demo import supplier

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday 1 December 2026, a working day everywhere in Britain
ACCOUNTS = ("1000000011", "1000000012", "2000000021", "2000000022", "3000000031")


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    storage = FileSystemStorage(location=tmp_path / "documents")
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(PrintBatch._meta.get_field("pdf"), "storage", storage)
    monkeypatch.setattr(PrintBatch._meta.get_field("manifest"), "storage", storage)
    return tmp_path / "documents"


@pytest.mark.django_db
def test_make_runs_daily_jobs_on_the_demo_bill_the_month_just_ended_and_batch_sams_letters(
    folder, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):  # the e-mails go out on commit, as in `make run`
            supplier.load_demo_supplier(now=NOW)
        loaded = set(Bill.objects.values_list("reference", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            out = StringIO()
            call_command("run_daily", stdout=out)  # no CommandError: nothing failed

    months = [date(2026, month, 1) for month in range(4, 11)]
    in_debt = "INV-7200000072-20260901"  # Jordan Reid's September bill, due 1 November, unpaid (ADR 0015's demo)
    assert loaded == {f"INV-{number}-{month:%Y%m%d}" for number in ACCOUNTS for month in months} | {in_debt}
    november = {f"INV-{number}-20261101" for number in ACCOUNTS}
    # Jordan Reid's October and November, estimated (no reading since the opening one), billed by the daily run.
    in_debt_billed = {"INV-7200000072-20261001", "INV-7200000072-20261101"}
    assert set(Bill.objects.values_list("reference", flat=True)) == loaded | november | in_debt_billed
    assert set(Bill.objects.filter(reference__in=november | in_debt_billed).values_list("issue_date", flat=True)) == {
        NOW.date()
    }
    assert BillRun.objects.get(as_of_date=NOW.date()).started_by == "the daily jobs"
    assert set(Bill.objects.filter(is_estimated=True).values_list("reference", flat=True)) == {
        "INV-1000000011-20261101",
        in_debt,
        *in_debt_billed,
    }

    batch = PrintBatch.objects.get()
    assert batch.batch_date == NOW.date()
    batched = Delivery.objects.filter(print_batch=batch)
    # The household in its cooling-off period signed up before activating its login, so its Confirmation
    # Correspondence and its Direct Debit advance notices (must be delivered) went by post.
    cooling_off = batched.filter(document__account__customer__name="Jamie Cole")
    assert {ref.split("-")[0] for ref in cooling_off.values_list("document__reference", flat=True)} == {"CONF", "DDN"}
    assert sorted(batched.exclude(pk__in=cooling_off).values_list("document__reference", flat=True)) == [
        "FIN-INV-7200000072-20260901",  # Jordan Reid's September bill, due 1 November: 30 days overdue
        "INV-3000000031-20261001",
        "INV-3000000031-20261101",
        "INV-7200000072-20260901",
        "INV-7200000072-20261001",
        "INV-7200000072-20261101",
        "REM-INV-3000000031-20261001",  # October's bill, due 16 November: 15 days overdue, past the 7-day reminder
    ]
    assert not Delivery.objects.filter(channel=Delivery.Channel.EMAIL, status__in=["PENDING", "RETRYING"]).exists()
    runs = {run.job: (run.status, run.done_count, run.failed_count) for run in JobRun.objects.all()}
    assert runs == {
        # The next collections are on 7 December, input on 3 December; today's file lodges the two new mandates of
        # the household in its cooling-off period.
        "payments.collect": ("FINISHED", 1, 0),
        "contracts.move_outs": ("FINISHED", 0, 0),  # Casey Brook moves out on 11 December
        # Riley's switch was accepted on 29 November; the two switches of Jamie's sign-up (electricity and gas) are sent
        "contracts.switching": ("FINISHED", 2, 0),
        # Five November bills, and Jordan Reid's October and November (his September bill was billed when it was due).
        "billing.bill_run": ("FINISHED", 7, 0),
        "payments.review": ("FINISHED", 3, 0),
        # Two reminders; Jordan Reid's final notice and interest (30 days overdue, past 28 days: T&C 10.1.8).
        "payments.chase": ("FINISHED", 4, 0),
        # Cases opened for Sam and the household's gas; Jordan Reid's case moves on once the final notice has gone.
        "debt.path": ("FINISHED", 3, 0),
        "payments.tariff_moves": ("FINISHED", 0, 0),  # every demo account pays as its tariff requires
        "contracts.contract_starts": ("FINISHED", 0, 0),  # no fixed term has ended
        # Morgan Lee's fixed prices end on 15 January 2027, 45 days after 1 December: the statement, by e-mail.
        "contracts.renewal_statements": ("FINISHED", 1, 0),
        "contracts.large_supplies": ("FINISHED", 0, 0),
        "privacy.subject_access": ("FINISHED", 0, 0),
        "privacy.erasures": ("FINISHED", 0, 0),
        "priority.network_share": ("FINISHED", 1, 0),  # Margaret Hughes's entry, to distributor 20's file
        "complaints.mail": ("FINISHED", 0, 0),
        "complaints.clocks": ("FINISHED", 0, 0),
        "meter_services.visit_reminders": ("FINISHED", 0, 0),
        # Taylor Quinn's prepayment started today (the first of the month): no ended day to charge yet
        "prepayment.daily_charges": ("FINISHED", 0, 0),
        "metering.smart_meter_commands": ("FINISHED", 0, 0),  # every demo command was for its own day, sent at once
        # On PostgreSQL, December 2026 and the three months after it (ADR 0009); SQLite's table has no partitions
        "metering.interval_partitions": ("FINISHED", 4 if connection.vendor == "postgresql" else 0, 0),
        "documents.deliver_pending": ("FINISHED", 0, 0),
        # Sam's three letters, the cooling-off household's four, and Jordan Reid's three bills and final notice.
        "documents.print_batch": ("FINISHED", 11, 0),
    }
    assert "Daily jobs for Tuesday 1 December 2026" in out.getvalue()
    statement = Document.objects.get(document_type__code="RENEWAL_STATEMENT")
    assert (statement.account.number, statement.reference) == ("6000000061", "SOR-6000000061-270115")
