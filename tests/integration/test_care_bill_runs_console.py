"""Bill runs started from the care console: supervisors only, through the task queue (inline here, as without a
broker), with the run's progress (accounts done of the total, failures) and what its bills come to before VAT, in
VAT and with it. The £ figures are worked out by hand from the tariff (25p a kWh, 50p a day, VAT 5%)."""

import html
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import Bill, BillRun
from hearth.data.identity.models import User
from hearth.domain.billing import runs as billing_runs
from hearth.domain.identity import operations as identity_ops
from hearth.interfaces.tasks import billing as billing_tasks
from tests.integration.billing import run_support
from tests.integration.billing.invoice_support import use_documents_folder

PASSWORD = "Console4Runs9"
OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


def words(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _console(email: str, role: str) -> Client:
    device = identity_ops.create_staff_login(
        email=email, full_name=email, password=PASSWORD, now=timezone.now(), care_role=role
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": email, "password": PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


@pytest.fixture
def supervisor(db) -> Client:
    return _console("supervisor.runs@hearth.example", User.CareRole.SUPERVISOR)


@pytest.fixture
def agent(db) -> Client:
    return _console("agent.runs@hearth.example", User.CareRole.AGENT)


@pytest.fixture(autouse=True)
def _documents_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The runs render and store their bills' PDFs: here, not in the data folder."""
    use_documents_folder(monkeypatch, tmp_path)


@pytest.fixture
def october_accounts(db):
    """Two accounts supplied from 1 October with an actual reading on 1 November: 200 and 120 kWh used."""
    tariff = run_support.single_rate_tariff(valid_from_date=OCTOBER)
    return [
        run_support.billable_account(
            tariff, number=number, supply_start_date=OCTOBER, readings=[(NOVEMBER, Decimal(1000 + used))]
        )
        for number, used in (("9800000001", 200), ("9800000002", 120))
    ]


def _pence(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _october_bill(kwh: int) -> tuple[Decimal, Decimal]:
    """(before VAT, VAT) of an October bill: kWh at 25p, 31 days at 50p, VAT at 5% on the two."""
    net = _pence(Decimal(kwh) * Decimal("0.25")) + _pence(31 * Decimal("0.50"))
    return net, _pence(net * Decimal("0.05"))


def test_a_supervisor_starts_a_bill_run_and_sees_its_progress_and_totals(supervisor, october_accounts):
    response = supervisor.post("/care/bill-runs/start/", {"as_of_date": "2026-11-01", "account_number": ""})

    run = BillRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/care/bill-runs/{run.pk}/"
    assert run.status == BillRun.Status.FINISHED  # the last chunk finished it: no command follows a console run
    assert run.started_by == "supervisor.runs@hearth.example (care console)"
    assert Bill.objects.filter(run=run).count() == 2

    first, second = _october_bill(200), _october_bill(120)  # £65.50 + £3.28; £45.50 + £2.28
    net, vat = first[0] + second[0], first[1] + second[1]
    page = words(supervisor.get(response["Location"]))
    assert "2 of 2 accounts done" in page
    assert "Bills issued 2" in page
    assert f"Billed before VAT £{net:,.2f}" in page
    assert f"VAT £{vat:,.2f}" in page
    assert f"Billed with VAT £{net + vat:,.2f}" in page
    assert (net, vat) == (Decimal("111.00"), Decimal("5.56"))
    assert "Failed None" in page
    event = AuditEvent.objects.get(action="billing.bill_run_started")
    assert event.actor_label == "supervisor.runs@hearth.example"
    assert event.after == {"as_of": "2026-11-01", "account": "", "accounts": 2}


def test_a_run_for_one_account_bills_only_that_account(supervisor, october_accounts):
    supervisor.post("/care/bill-runs/start/", {"as_of_date": "2026-11-01", "account_number": "9800000002"})

    run = BillRun.objects.get()
    assert [bill.account.number for bill in Bill.objects.filter(run=run)] == ["9800000002"]
    page = words(supervisor.get(f"/care/bill-runs/{run.pk}/"))
    assert "1 of 1 account done" in page
    net, vat = _october_bill(120)
    assert f"Billed with VAT £{net + vat:,.2f}" in page


def test_care_agents_see_the_runs_but_cannot_start_one(agent, october_accounts):
    listing = agent.get("/care/bill-runs/")
    assert listing.status_code == 200
    assert "Start a bill run" not in words(listing)
    assert "Only a supervisor can start a bill run" in words(listing)

    refused = agent.post("/care/bill-runs/start/", {"as_of_date": "2026-11-01", "account_number": ""})

    assert refused.status_code == 403
    assert not BillRun.objects.exists()
    assert not Bill.objects.exists()


def test_supervisors_get_the_start_button_with_the_first_of_this_month_filled_in(supervisor):
    page = supervisor.get("/care/bill-runs/").content.decode()
    assert "Start a bill run" in page
    first = timezone.localdate().replace(day=1)
    assert f'value="{first.isoformat()}"' in page


def test_a_day_after_today_is_refused_beside_the_field_and_nothing_starts(supervisor, october_accounts):
    tomorrow = timezone.localdate().toordinal() + 1
    response = supervisor.post(
        "/care/bill-runs/start/", {"as_of_date": date.fromordinal(tomorrow).isoformat(), "account_number": ""}
    )

    assert response.status_code == 400
    text = words(response)
    assert "There is a problem" in text
    assert "only periods that have ended can be billed" in text
    assert 'id="run-as_of_date-error"' in response.content.decode()
    assert "<details" in response.content.decode()
    assert " open>" in response.content.decode()
    assert not BillRun.objects.exists()


def test_an_unknown_account_is_refused_beside_the_account_field(supervisor, october_accounts):
    response = supervisor.post("/care/bill-runs/start/", {"as_of_date": "2026-11-01", "account_number": "9899999999"})

    assert response.status_code == 400
    assert "There is no account 9899999999." in words(response)
    assert 'id="run-account_number-error"' in response.content.decode()
    assert not BillRun.objects.exists()


def test_a_run_in_progress_shows_how_many_accounts_are_done_and_a_refresh_link(supervisor, october_accounts):
    run = billing_runs.start_run(as_of_date=NOVEMBER, account_number="", started_by="test", now=timezone.now())
    first_chunk = billing_runs.accounts_of(run)[:1]
    billing_tasks.bill_accounts(run.pk, first_chunk, False)  # one worker's chunk done, the other still queued

    run.refresh_from_db()
    assert run.status == BillRun.Status.RUNNING
    response = supervisor.get(f"/care/bill-runs/{run.pk}/")
    page = words(response)
    assert "1 of 2 accounts done" in page
    assert "Running" in page
    assert f'href="/care/bill-runs/{run.pk}/">Refresh progress' in response.content.decode()
    net, vat = _october_bill(200)
    assert f"Billed with VAT £{net + vat:,.2f}" in page

    billing_tasks.bill_accounts(run.pk, billing_runs.accounts_of(run)[:], False)
    run.refresh_from_db()
    assert run.status == BillRun.Status.FINISHED
    assert "Refresh progress" not in words(supervisor.get(f"/care/bill-runs/{run.pk}/"))


def test_a_run_with_nothing_to_bill_is_finished_at_once(supervisor):
    response = supervisor.post("/care/bill-runs/start/", {"as_of_date": "2026-11-01", "account_number": ""})

    run = BillRun.objects.get()
    assert response.status_code == 302
    assert run.accounts_total == 0
    assert run.status == BillRun.Status.FINISHED
    assert "0 of 0 accounts done" in words(supervisor.get(f"/care/bill-runs/{run.pk}/"))


def test_an_account_that_cannot_be_billed_is_counted_as_a_failure_with_its_reason(supervisor, october_accounts):
    tariff = run_support.single_rate_tariff(valid_from_date=OCTOBER)
    run_support.billable_account(tariff, number="9800000003", supply_start_date=OCTOBER, annual_kwh=None)

    supervisor.post("/care/bill-runs/start/", {"as_of_date": "2026-11-01", "account_number": ""})

    run = BillRun.objects.get()
    page = words(supervisor.get(f"/care/bill-runs/{run.pk}/"))
    assert "3 of 3 accounts done" in page
    assert "Bills issued 2" in page
    assert "Failed 1 " in page
    assert re.search(r"Failures .* 9800000003 1 Oct 2026 [A-Z]", page)
