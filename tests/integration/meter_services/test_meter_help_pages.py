"""Meter help as a customer and a care agent use it: the portal page's forms, the test's charge shown before it is
booked, a late cancellation stopped until its charge is accepted, and the console's pages for each case."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.data.billing.models import AdditionalCharge
from hearth.data.identity.models import User
from hearth.data.meter_services.models import AccuracyTest, Appointment, Channel, FaultReport, MeterMove
from hearth.domain.identity import operations as identity_ops
from hearth.domain.meter_services import operations as ops
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in
from tests.integration.documents.delivery_support import words

AGENT_EMAIL, AGENT_PASSWORD = "agent.meters@hearth.example", "Console4Meters9"

MONDAY = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def customer(client: Client, build: Builder, household: Site) -> Client:
    """The household's holder; each test signs in at the time it travels to (sessions end after 30 idle minutes)."""
    build.activated_login("jo@bloggs.example", household.electricity)
    return client


def _signed_in(client: Client) -> Client:
    assert sign_in(client, "jo@bloggs.example", PASSWORD).status_code == 302
    return client


def test_the_page_states_the_test_charge_with_vat_before_it_is_booked(customer: Client, household: Site) -> None:
    with time_machine.travel(MONDAY, tick=False):
        _signed_in(customer)
        page = words(customer.get("/services/meter-help/"))
        assert "£60.00 (£50.00 plus £10.00 VAT)" in page
        assert "Both ends count as accurate" in page
        form = {
            "meter": household.electricity_meter.pk,
            "visit_date": "2027-03-30",
            "slot": "MORNING",
            "stated_price": "50.00",
        }
        refused = customer.post("/services/meter-help/accuracy-test/", form)
        assert refused.status_code == 400
        assert "Confirm that you accept the charge" in words(refused)
        assert not AccuracyTest.objects.exists()

        booked = customer.post("/services/meter-help/accuracy-test/", {**form, "price_accepted": "on"})
        assert booked.status_code == 302
        test = AccuracyTest.objects.get()
        assert (test.price, test.channel, test.visits.get().visit_date) == (
            Decimal("50.00"),
            "PORTAL",
            date(2027, 3, 30),
        )
        page = words(customer.get("/services/meter-help/"))
        assert "Tuesday 30 March 2027, 8am to 12 noon" in page
        assert "Free to cancel or move until the end of Wednesday 24 March" in page


def test_a_fault_reported_in_the_portal_is_kept_and_a_blank_one_refused(customer: Client, household: Site) -> None:
    with time_machine.travel(MONDAY, tick=False):
        _signed_in(customer)
        refused = customer.post("/services/meter-help/fault/", {"meter": household.electricity_meter.pk})
        assert refused.status_code == 400
        assert "Choose what is wrong with the meter." in words(refused)
        assert "Tell us what you see." in words(refused)
        done = customer.post(
            "/services/meter-help/fault/",
            {"meter": household.electricity_meter.pk, "kind": "DISPLAY_BLANK", "description": "Nothing on the screen"},
        )
        assert done.status_code == 302
    fault = FaultReport.objects.get()
    assert (fault.kind, fault.channel, fault.account) == ("DISPLAY_BLANK", "PORTAL", household.electricity)


def test_a_late_cancellation_in_the_portal_needs_the_charge_ticked(customer: Client, household: Site) -> None:
    with time_machine.travel(MONDAY, tick=False):
        _signed_in(customer).post(
            "/services/meter-help/accuracy-test/",
            {
                "meter": household.electricity_meter.pk,
                "visit_date": "2027-03-30",
                "slot": "MORNING",
                "stated_price": "50.00",
                "price_accepted": "on",
            },
        )
    visit = Appointment.objects.get()
    url = f"/services/meter-help/visits/{visit.pk}/"
    with time_machine.travel(datetime(2027, 3, 25, 9, tzinfo=UTC), tick=False):
        page = _signed_in(customer).get(url)
        assert "I accept the charge of £70.00 plus VAT (£84.00)" in words(page)
        refused = customer.post(url, {"action": "CANCEL"})
        assert refused.status_code == 400
        assert "tick the box to accept the charge" in words(refused)
        assert customer.post(url, {"action": "CANCEL", "accept_charge": "on"}).status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.notice_in_time) == (Appointment.Status.CANCELLED, False)
    assert AdditionalCharge.objects.get().kind == AdditionalCharge.Kind.MISSED_APPOINTMENT


def _console(device: TOTPDevice) -> Client:
    """A client signed in to the care console now (the second factor's code for the current time)."""
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": AGENT_EMAIL, "password": AGENT_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def test_the_console_pages_show_each_case_and_record_its_outcome(household: Site) -> None:
    device = identity_ops.create_staff_login(
        email=AGENT_EMAIL, full_name="Meter Agent", password=AGENT_PASSWORD, now=MONDAY
    )
    agent = User.objects.get(email=AGENT_EMAIL)
    with time_machine.travel(MONDAY, tick=False):
        console = _console(device)
        test = ops.request_accuracy_test(
            account=household.gas,
            meter=household.gas_meter,
            reason="",
            stated_price=Decimal("50.00"),
            price_accepted=True,
            visit_date=date(2027, 3, 30),
            slot="AFTERNOON",
            channel=Channel.CARE,
            actor=agent,
            now=MONDAY,
        )
        fault = ops.report_fault(
            account=household.gas,
            meter=household.gas_meter,
            kind="DAMAGE",
            description="Cracked",
            channel=Channel.CARE,
            actor=agent,
            now=MONDAY,
        )
        account = console.get(f"/care/accounts/{household.gas.number}/meter-services/")
        assert account.status_code == 200
        assert f"Fault {fault.pk}" in words(account)
        moved = console.post(
            f"/care/accounts/{household.gas.number}/meter-services/",
            {"form": "move", "meter": household.gas_meter.pk, "reason": "Kitchen refit", "price": "150.00"},
        )
        assert moved.status_code == 302
        move = MeterMove.objects.get()
        assert console.get(f"/care/meter-services/moves/{move.pk}/").status_code == 200
        resolved = console.post(
            f"/care/meter-services/faults/{fault.pk}/",
            {"form": "resolve", "outcome": "REPLACED", "finding": "Hit", "customer_responsible": "on"},
        )
        assert resolved.status_code == 400  # responsible, but no cost given
        assert "Give the amount" in words(resolved)
    with time_machine.travel(datetime(2027, 3, 30, 16, tzinfo=UTC), tick=False):
        console = _console(device)
        done = console.post(
            f"/care/meter-services/tests/{test.pk}/",
            {"form": "result", "error_percent": "-2.01", "tested_date": "2027-03-30"},
        )
        assert done.status_code == 302
        assert "To check and re-bill" in words(console.get(f"/care/meter-services/tests/{test.pk}/"))
        assert f"Test {test.pk}" in words(console.get("/care/meter-services/rebills/"))
        visit = test.visits.get()
        assert console.get(f"/care/meter-services/visits/{visit.pk}/").status_code == 200
    assert not AdditionalCharge.objects.exists()
