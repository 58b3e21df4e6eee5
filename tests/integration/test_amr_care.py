"""The care console's AMR pages: the SMS quarantine with replay, and registering, exchanging, correcting and retiring
a meter's AMR device (docs/amr-sms.md). Staff walk them as they would: from the customer's page, through the forms."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.data.audit.models import AuditEvent
from hearth.data.metering.models import AmrDevice, InboundSms, IntervalConsumption
from hearth.domain.identity import operations as identity_ops
from hearth.domain.metering import amr, devices
from tests.integration.amr_support import amr_business, message
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in

STAFF_EMAIL = "agent.amr@hearth.example"
STAFF_PASSWORD = "Console4Agent9"
SIM = "+447700900123"


def words(response) -> str:
    """The page's words as a screen reader reads them: tags taken out, spaces collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode())))


def ingest(body: str, *, sender: str = SIM, sid: str = "SM0001") -> InboundSms:
    now = timezone.now()
    return amr.ingest_sms(
        message_sid=sid, from_number=sender, to_number="", body=body, received_at=now, now=now
    ).message


@pytest.fixture
def site(build: Builder) -> Site:
    return amr_business(build)


@pytest.fixture
def care(db) -> Client:
    """A client signed in to the care console through its sign-in page, with the second factor."""
    device: TOTPDevice = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Amr Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def register_form(**changes: str) -> dict[str, str]:
    form = {
        "serial_number": "AMR-E1",
        "sim_phone_number": "07700 900123",
        "pulse_weight": "0.01",
        "unit": "KWH",
        "installed_at": "2026-01-01T09:00",
    }
    form.update(changes)
    return form


def test_the_menu_leads_to_the_quarantine(care):
    response = care.get("/care/")
    assert 'href="/care/amr/quarantine/"' in response.content.decode()
    assert "AMR quarantine" in words(response)


def test_the_quarantine_lists_each_message_with_its_reason_sender_and_body(care, site):
    body = message("AMR-E9", date(2026, 5, 8), 48, [1] * 48)
    ingest(body, sender="+447700900555")
    ingest("Hello, is this the meter?", sender="+447700900777", sid="SM0002")
    page = care.get("/care/amr/quarantine/")
    assert page.status_code == 200
    text = words(page)
    assert "no AMR device has serial AMR-E9" in text
    assert "+447700900555" in text
    assert body in text  # the whole message, breakable on a phone
    assert "the message does not start with AMR1; it starts 'Hello, is this the m…'" in text
    assert text.count("Replay") >= 2


def test_staff_register_the_device_from_the_customer_page_and_replay_its_message(care, site):
    quarantined = ingest(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    assert quarantined.status == InboundSms.Status.QUARANTINED

    customer_page = care.get(f"/care/customers/{site.customer.pk}/").content.decode()
    meter_url = f"/care/meters/{site.electricity_meter.pk}/amr/"
    assert f'href="{meter_url}"' in customer_page
    assert "Manage AMR device" in customer_page
    assert "No AMR device is fitted to this meter." in words(care.get(meter_url))

    response = care.post(f"{meter_url}register/", register_form())
    assert response.status_code == 302
    assert response["Location"] == meter_url
    page = words(care.get(meter_url))
    assert "Registered device AMR-E1" in page
    assert "+447700900123" in page  # the UK number, kept in international form
    assert "0.01 kWh per pulse" in page

    replay = care.post(f"/care/amr/messages/{quarantined.pk}/replay/", {"next": "/care/amr/quarantine/"})
    assert replay.status_code == 302
    assert replay["Location"] == "/care/amr/quarantine/"
    after = care.get("/care/amr/quarantine/")
    assert f"Message {quarantined.message_sid} replayed: Accepted." in words(after)
    assert "No messages are waiting." in words(after)
    quarantined.refresh_from_db()
    assert quarantined.status == InboundSms.Status.ACCEPTED
    assert IntervalConsumption.objects.filter(meter=site.electricity_meter).count() == 48

    audit = words(care.get(f"/care/customers/{site.customer.pk}/"))
    assert "amr_device.registered" in audit
    assert "amr_sms.replayed" in audit
    assert "status: QUARANTINED → ACCEPTED" in audit


def test_a_replay_that_still_fails_says_why(care, site):
    quarantined = ingest("AMR1;garbled")
    response = care.post(f"/care/amr/messages/{quarantined.pk}/replay/", follow=True)
    assert f"Message {quarantined.message_sid} is still quarantined: the message has 2 fields" in words(response)


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"serial_number": ""}, "serial_number", "Enter the device serial."),
        ({"serial_number": "AMR;1"}, "serial_number", "cannot appear in the device&#x27;s messages"),
        ({"sim_phone_number": "call me"}, "sim_phone_number", "is not a phone number in international form"),
        ({"pulse_weight": "0"}, "pulse_weight", "The pulse weight must be more than 0."),
        ({"pulse_weight": "-1"}, "pulse_weight", "The pulse weight must be more than 0."),
        ({"pulse_weight": "a lot"}, "pulse_weight", "Enter the pulse weight as a number, like 0.01."),
        ({"pulse_weight": "0.000001"}, "pulse_weight", "at most 5 decimal places"),
        ({"unit": "M3"}, "unit", "The unit must be kWh: an electricity meter counts energy."),
        ({"installed_at": "yesterday"}, "installed_at", "Enter the date and time, like 2026-05-08 14:30."),
        ({"installed_at": "2099-01-01T00:00"}, "installed_at", "cannot be in the future"),
        ({"installed_at": "2025-11-01T00:00"}, "installed_at", "before the meter was installed"),
    ],
)
def test_the_register_form_says_what_is_wrong_beside_the_field(care, site, changes, field, error):
    response = care.post(f"/care/meters/{site.electricity_meter.pk}/amr/register/", register_form(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'id="register-{field}_error"' in html
    assert error in html
    assert AmrDevice.objects.count() == 0


def test_a_serial_already_registered_is_refused(care, site):
    care.post(f"/care/meters/{site.electricity_meter.pk}/amr/register/", register_form())
    response = care.post(
        f"/care/meters/{site.gas_meter.pk}/amr/register/",
        register_form(unit="M3", sim_phone_number="+447700900456"),
    )
    assert "Device serial AMR-E1 is already registered" in response.content.decode()
    assert AmrDevice.objects.count() == 1


def test_staff_exchange_a_device(care, site):
    care.post(f"/care/meters/{site.electricity_meter.pk}/amr/register/", register_form())
    old = AmrDevice.objects.get()
    response = care.post(
        f"/care/amr/devices/{old.pk}/replace/",
        {
            "serial_number": "AMR-E2",
            "sim_phone_number": "+447700900123",  # the SIM card moves to the new device
            "pulse_weight": "0.1",
            "unit": "KWH",
            "replaced_at": "2026-06-01T10:30",
        },
        follow=True,
    )
    text = words(response)
    assert "Device AMR-E1 retired and AMR-E2 fitted." in text
    old.refresh_from_db()
    new = AmrDevice.objects.get(serial_number="AMR-E2")
    exchanged = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)  # 10:30 BST
    assert old.retired_at == exchanged
    assert new.installed_at == exchanged
    assert new.pulse_weight == Decimal("0.1")
    assert devices.current_device(meter=site.electricity_meter) == new
    assert AuditEvent.objects.filter(action="amr_device.replaced", customer=site.customer).count() == 1


def test_staff_correct_a_sim_number_and_the_quarantined_message_then_replays(care, site):
    care.post(f"/care/meters/{site.electricity_meter.pk}/amr/register/", register_form())
    device = AmrDevice.objects.get()
    quarantined = ingest(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48), sender="+447700900999")
    assert quarantined.status == InboundSms.Status.QUARANTINED

    response = care.post(
        f"/care/amr/devices/{device.pk}/correct/",
        {"serial_number": "AMR-E1", "sim_phone_number": "+44 7700 900999"},
        follow=True,
    )
    assert "Device record corrected: serial AMR-E1, SIM +447700900999." in words(response)
    care.post(f"/care/amr/messages/{quarantined.pk}/replay/")
    quarantined.refresh_from_db()
    assert quarantined.status == InboundSms.Status.ACCEPTED


def test_correcting_nothing_says_so(care, site):
    care.post(f"/care/meters/{site.electricity_meter.pk}/amr/register/", register_form())
    device = AmrDevice.objects.get()
    response = care.post(
        f"/care/amr/devices/{device.pk}/correct/", {"serial_number": "AMR-E1", "sim_phone_number": SIM}
    )
    assert response.status_code == 200
    assert "Nothing to correct" in words(response)


def test_staff_retire_a_device_and_the_meter_page_shows_missing_days(care, site):
    care.post(f"/care/meters/{site.electricity_meter.pk}/amr/register/", register_form())
    device = AmrDevice.objects.get()
    page = words(care.get(f"/care/meters/{site.electricity_meter.pk}/amr/"))
    assert "Days missing" in page
    assert "14 of the last 14" in page

    early = care.post(f"/care/amr/devices/{device.pk}/retire/", {"retired_at": "2025-12-31T23:00"})
    assert "The time must be after device AMR-E1 was fitted" in early.content.decode()

    response = care.post(f"/care/amr/devices/{device.pk}/retire/", {"retired_at": "2026-09-01T08:00"}, follow=True)
    assert "Device AMR-E1 retired." in words(response)
    device.refresh_from_db()
    assert device.retired_at == datetime(2026, 9, 1, 7, 0, tzinfo=UTC)
    assert "No AMR device is fitted to this meter." in words(response)
    assert AuditEvent.objects.filter(action="amr_device.retired", customer=site.customer).count() == 1


def test_a_time_that_does_not_exist_in_the_uk_is_refused_clearly(care, site):
    # 01:30 on 29 March 2026 never happened: the clocks went from 01:00 GMT to 02:00 BST.
    response = care.post(
        f"/care/meters/{site.electricity_meter.pk}/amr/register/", register_form(installed_at="2026-03-29T01:30")
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert AmrDevice.objects.count() == 0


def test_unknown_meters_devices_and_messages_are_not_found(care, site):
    assert care.get("/care/meters/999999/amr/").status_code == 404
    assert care.post("/care/amr/devices/999999/retire/", {"retired_at": "2026-01-01T00:00"}).status_code == 404
    assert care.post("/care/amr/messages/999999/replay/").status_code == 404


def test_a_customer_cannot_replay_messages_or_change_devices(client, build, site):
    device = devices.register_device(
        meter=site.electricity_meter,
        details=devices.DeviceDetails("AMR-E1", SIM, Decimal("0.01"), AmrDevice.Unit.KWH),
        installed_at=datetime(2026, 1, 1, tzinfo=UTC),
        actor=None,
        now=timezone.now(),
    )
    quarantined = ingest(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48), sender="+447700900999")
    build.activated_login("accounts@brightwell.example", site.electricity)
    assert sign_in(client, "accounts@brightwell.example", PASSWORD).status_code == 302

    for url, data in [
        (f"/care/amr/messages/{quarantined.pk}/replay/", {}),
        (f"/care/amr/devices/{device.pk}/retire/", {"retired_at": "2026-06-01T00:00"}),
        (f"/care/amr/devices/{device.pk}/correct/", {"serial_number": "X-1", "sim_phone_number": "+447700900999"}),
        (f"/care/meters/{site.electricity_meter.pk}/amr/register/", register_form(serial_number="AMR-E3")),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/care/login/")
    device.refresh_from_db()
    quarantined.refresh_from_db()
    assert (device.retired_at, device.serial_number, device.sim_phone_number) == (None, "AMR-E1", SIM)
    assert quarantined.status == InboundSms.Status.QUARANTINED
    assert AmrDevice.objects.count() == 1
