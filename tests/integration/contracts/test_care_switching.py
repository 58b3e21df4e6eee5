"""The care console's switching page: staff only, failed messages first, and replaying one after a fix."""

import html
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.data.audit.models import AuditEvent
from hearth.data.contracts.models import Registration, SwitchingMessage
from hearth.data.identity.models import User
from hearth.domain.contracts import switching_flow
from hearth.domain.contracts.switching import Message
from hearth.domain.identity import operations as identity_ops
from tests.integration.contracts.switching_support import FakeSwitching, fixed_tariff, new_household, signed_up
from tests.integration.payments.account_support import at, documents_in_tmp_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

STAFF_EMAIL = "agent.switching@hearth.example"
STAFF_PASSWORD = "Console4Switching9"


def words(response: Any) -> str:
    text = re.sub(r"</?(span|strong|a|abbr|code)\b[^>]*>", "", response.content.decode())
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


@pytest.fixture
def care() -> Client:
    device: TOTPDevice = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Switching Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def _failed_and_processed() -> tuple[Registration, SwitchingMessage]:
    account, point = new_household()
    _, registration = signed_up(account, point, fixed_tariff().product, on=date(2026, 3, 2))
    service = FakeSwitching()
    service.deliver(
        Message("REGISTRATION_ACCEPTED", registration.reference, point.identifier, date(2026, 3, 17)),
        Message("OBJECTION_CLEARED", registration.reference, point.identifier),
        now=at(date(2026, 3, 3)),
    )
    switching_flow.receive_all(service, now=at(date(2026, 3, 3)))
    return registration, SwitchingMessage.objects.get(status="FAILED")


def test_the_page_lists_failed_messages_first_and_switches_with_their_clock(care: Client) -> None:
    registration, failed = _failed_and_processed()

    response = care.get("/care/switching/")

    assert response.status_code == 200
    text = words(response)
    assert text.index("FAKE-IN-1.txt, line 3") < text.index("FAKE-IN-1.txt, line 2")
    assert "1 could not be processed" in text
    assert failed.reason in text
    assert registration.reference in text
    assert "Accepted, waiting for the day" in text


def test_replaying_a_message_that_still_fails_says_why_and_is_audited(care: Client) -> None:
    _, failed = _failed_and_processed()

    response = care.post(f"/care/switching/messages/{failed.pk}/replay/", {"next": "/care/switching/"}, follow=True)

    assert "still cannot be processed" in words(response)
    assert AuditEvent.objects.filter(action="contracts.switching_replayed").count() == 1


def test_replaying_after_the_fix_processes_it(care: Client) -> None:
    registration, failed = _failed_and_processed()
    Registration.objects.filter(pk=registration.pk).update(state="OBJECTED", objection="OLD_SUPPLIER")

    response = care.post(f"/care/switching/messages/{failed.pk}/replay/", follow=True)

    assert "FAKE-IN-1.txt line 3 replayed: OBJECTION_CLEARED processed." in words(response)
    registration.refresh_from_db()
    assert registration.state == "PENDING"


def test_a_replay_is_post_only(care: Client) -> None:
    _, failed = _failed_and_processed()
    assert care.get(f"/care/switching/messages/{failed.pk}/replay/").status_code == 405


def test_customers_cannot_reach_the_page() -> None:
    customer = User.objects.create_user("cust@example.com", "Pass-word-123", kind=User.Kind.CUSTOMER)
    client = Client()
    client.force_login(customer)
    response = client.get("/care/switching/")
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/care/login/" in response["Location"]
