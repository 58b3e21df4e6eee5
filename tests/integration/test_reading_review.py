"""Meter readings held for care staff, and the audit trail of readings people send (issue 3).

"A reading lower than the last is refused unless the customer says the meter was replaced (then it goes to care
staff)": the held reading appears in the care console's review queue, where staff accept or reject it (audited).
A reading a customer sends in the portal shows on the customer's audit trail.
"""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import User
from hearth.data.metering.models import ReadingSource, Register, RegisterReading
from hearth.domain.identity import operations as identity_ops
from hearth.domain.metering import readings, review
from tests.integration.conftest import Site

STAFF_EMAIL = "agent.readings@hearth.example"
STAFF_PASSWORD = "Console4Review9"


def words(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode())))


@pytest.fixture
def care(db) -> Client:
    """A client signed in to the care console through its sign-in page, with the second factor."""
    device: TOTPDevice = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Rita Reviewer", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def gas_register(site: Site) -> Register:
    return site.gas_meter.registers.get()


def send(register: Register, value: str, *, days_after: int, replaced: bool = False, actor=None) -> RegisterReading:
    """A customer reading ``days_after`` days after the meter was fitted, received just then."""
    at = register.meter.installed_at + timedelta(days=days_after)
    return readings.record_register_reading(
        register=register,
        read_at=at,
        value=Decimal(value),
        source=ReadingSource.CUSTOMER,
        kind=RegisterReading.Kind.CUSTOMER,
        received_at=at,
        meter_replaced=replaced,
        actor=actor,
    )


@pytest.fixture
def held(household: Site) -> RegisterReading:
    """The household's gas meter read 1200, then 15 "because the meter was replaced": 15 is held for staff."""
    register = gas_register(household)
    send(register, "1200", days_after=1)
    reading = send(register, "15", days_after=30, replaced=True)
    assert reading.status == RegisterReading.Status.FOR_REVIEW
    return reading


def staff_user() -> User:
    return User.objects.get(email=STAFF_EMAIL)


# --- The domain ---------------------------------------------------------------------------------------------------


def test_a_lower_reading_said_to_be_from_a_replaced_meter_waits_for_care_staff_oldest_first(household):
    register = gas_register(household)
    send(register, "1200", days_after=1)
    first = send(register, "15", days_after=30, replaced=True)
    second = send(register, "9", days_after=31, replaced=True)
    send(register, "1300", days_after=32)  # an ordinary reading is not held

    rows = review.readings_for_review()

    assert [row.reading.pk for row in rows] == [first.pk, second.pk]
    assert rows[0].account == household.gas
    assert rows[0].reading.register.meter.supply_point == household.gas_meter.supply_point


def test_care_staff_accepting_a_held_reading_makes_it_the_last_reading_and_is_audited(held, household, care):
    now = timezone.now()
    accepted = review.accept_reading(reading=held, actor=staff_user(), now=now)

    assert accepted.status == RegisterReading.Status.ACCEPTED
    assert readings.last_reading(register=gas_register(household)) == held
    event = AuditEvent.objects.get(action="reading.accepted")
    assert (event.customer, event.actor, event.at) == (household.customer, staff_user(), now)
    assert event.after["status"] == "ACCEPTED"
    assert review.readings_for_review() == []


def test_care_staff_rejecting_a_held_reading_keeps_it_with_the_reason_and_is_audited(held, household, care):
    rejected = review.reject_reading(
        reading=held, reason="  Not our meter:\nwrong serial  ", actor=staff_user(), now=timezone.now()
    )

    held.refresh_from_db()
    assert (held.status, held.note) == (RegisterReading.Status.REJECTED, "Not our meter: wrong serial")
    assert rejected.pk == held.pk
    last = readings.last_reading(register=gas_register(household))
    assert last is not None
    assert last.value == Decimal("1200")
    event = AuditEvent.objects.get(action="reading.rejected")
    assert event.customer == household.customer
    assert event.after == {"status": "REJECTED", "note": "Not our meter: wrong serial"}


def test_a_reading_not_waiting_for_review_cannot_be_decided(held, care):
    review.accept_reading(reading=held, actor=staff_user(), now=timezone.now())
    events = AuditEvent.objects.count()
    with pytest.raises(review.ReviewRefused, match="accepted, not waiting for review"):
        review.accept_reading(reading=held, actor=staff_user(), now=timezone.now())
    with pytest.raises(review.ReviewRefused, match="not waiting for review"):
        review.reject_reading(reading=held, reason="typo", actor=staff_user(), now=timezone.now())
    assert AuditEvent.objects.count() == events


def test_rejecting_a_held_reading_needs_a_reason(held, care):
    with pytest.raises(review.ReviewRefused, match="Give the reason"):
        review.reject_reading(reading=held, reason="   ", actor=staff_user(), now=timezone.now())
    held.refresh_from_db()
    assert held.status == RegisterReading.Status.FOR_REVIEW


# --- The care console ---------------------------------------------------------------------------------------------


def test_the_menu_leads_to_the_readings_to_review_with_their_count(care, held):
    page = care.get("/care/")
    assert 'href="/care/readings/review/"' in page.content.decode()
    assert "Readings to review (1 waiting)" in words(page)


def test_the_review_queue_shows_each_held_reading_with_its_meter_supply_point_account_and_note(care, held, household):
    page = care.get("/care/readings/review/")
    assert page.status_code == 200
    text = words(page)
    meter = household.gas_meter
    assert f"Meter {meter.serial_number}, register G: 15" in text
    assert f"MPRN {meter.supply_point.identifier}" in text
    assert household.gas.number in text
    assert household.customer.name in text
    assert "Meter replaced, says the sender: 15 is lower than the last reading 1200" in text


def test_care_staff_accept_a_held_reading_from_the_queue(care, held):
    response = care.post(f"/care/readings/{held.pk}/accept/", follow=True)
    held.refresh_from_db()
    assert held.status == RegisterReading.Status.ACCEPTED
    assert "is accepted" in words(response)
    assert "No readings are waiting." in words(response)
    assert AuditEvent.objects.get(action="reading.accepted").actor == staff_user()


def test_care_staff_reject_a_held_reading_from_the_queue_only_with_a_reason(care, held):
    response = care.post(f"/care/readings/{held.pk}/reject/", {"reason": ""}, follow=True)
    held.refresh_from_db()
    assert held.status == RegisterReading.Status.FOR_REVIEW
    assert "was not rejected: Give the reason for rejecting the reading." in words(response)

    response = care.post(f"/care/readings/{held.pk}/reject/", {"reason": "Reading of the neighbour's meter"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.status, held.note) == (RegisterReading.Status.REJECTED, "Reading of the neighbour's meter")


def test_deciding_a_reading_twice_from_the_queue_says_why_not(care, held):
    care.post(f"/care/readings/{held.pk}/accept/")
    response = care.post(f"/care/readings/{held.pk}/reject/", {"reason": "late"}, follow=True)
    assert response.status_code == 200
    assert "not waiting for review" in words(response)
    held.refresh_from_db()
    assert held.status == RegisterReading.Status.ACCEPTED


def test_an_unknown_reading_is_a_404_and_a_get_is_refused(care, held):
    assert care.post("/care/readings/999999/accept/").status_code == 404
    assert care.get(f"/care/readings/{held.pk}/accept/").status_code == 405


# --- The audit trail ----------------------------------------------------------------------------------------------


def test_a_reading_a_customer_sends_shows_on_the_customers_audit_trail(household, customer_login):
    register = gas_register(household)
    reading = send(register, "1200", days_after=1, actor=customer_login)
    held = send(register, "15", days_after=30, replaced=True, actor=customer_login)
    send(register, "1200", days_after=1, actor=customer_login)  # a replay of a stored reading: nothing new

    events = list(AuditEvent.objects.filter(action="reading.recorded").order_by("id"))
    assert [(e.customer, e.actor) for e in events] == [(household.customer, customer_login)] * 2
    assert [(e.after["register"], e.after["value"], e.after["status"]) for e in events] == [
        ("G", "1200", "ACCEPTED"),
        ("G", "15", "FOR_REVIEW"),
    ]
    assert [e.at for e in events] == [reading.received_at, held.received_at]


def test_readings_from_machines_and_industry_flows_are_not_audited_one_by_one(household):
    register = gas_register(household)
    readings.record_register_reading(
        register=register,
        read_at=register.meter.installed_at + timedelta(days=1),
        value=Decimal(1200),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.ACTUAL,
        received_at=register.meter.installed_at + timedelta(days=1),
    )
    assert not AuditEvent.objects.filter(action="reading.recorded").exists()


def test_a_reading_sent_in_the_portal_shows_on_the_customers_audit_trail_with_who_sent_it(
    signed_in, household, customer_login
):
    meter = household.gas_meter
    register = gas_register(household)
    signed_in.post("/accounts/select/", {"account": household.gas.pk})
    today = timezone.localdate(timezone.now(), timezone=readings.LONDON)
    prefix = f"meter-{meter.pk}-"
    response = signed_in.post(
        "/services/meter-reading/",
        {"meter": str(meter.pk), f"{prefix}read_date": today.isoformat(), f"{prefix}reading_{register.pk}": "321"},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="reading.recorded")
    assert (event.customer, event.actor) == (household.customer, customer_login)
    assert (event.after["register"], event.after["value"], event.after["status"]) == ("G", "321", "ACCEPTED")
