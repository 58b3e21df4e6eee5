"""The SMS gateway webhook, POST /inbound/sms/twilio/ (docs/amr-sms.md), signed exactly as Twilio signs requests:
requests here are signed with the twilio package's own RequestValidator.

A good signature always gets 200 and an empty TwiML answer (even for a message that cannot be read, which is kept in
quarantine); a missing or wrong signature, or no configured token, gets 403 and nothing is stored.
"""

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from twilio.request_validator import RequestValidator

from hearth.data.metering.models import AmrDevice, InboundSms, IntervalConsumption
from hearth.domain.metering import devices
from tests.integration.amr_support import amr_business, message
from tests.integration.conftest import Builder, Site

TOKEN = "test-twilio-auth-token-5f2c9a"
URL = "http://testserver/inbound/sms/twilio/"
PATH = "/inbound/sms/twilio/"
SIM = "+447700900123"


def twilio_params(body: str, *, sid: str = "SM" + "a" * 32, sender: str = SIM) -> dict[str, str]:
    """The form fields of Twilio's inbound-message webhook."""
    return {
        "ToCountry": "GB",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": "+447700900000",
        "NumSegments": "2",
        "MessageSid": sid,
        "AccountSid": "AC" + "b" * 32,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def post(client: Client, params: dict[str, str], *, token: str = TOKEN, url: str = URL, signature: str | None = None):
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, params)
    return client.post(PATH, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture(autouse=True)
def _token(settings):
    settings.HEARTH_TWILIO_AUTH_TOKEN = TOKEN
    settings.HEARTH_TWILIO_WEBHOOK_URL = ""


@pytest.fixture
def gateway() -> Client:
    """A client that enforces CSRF like a browser would: the gateway has no CSRF token."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def site(build: Builder) -> Site:
    return amr_business(build)


@pytest.fixture
def device(site: Site) -> AmrDevice:
    return devices.register_device(
        meter=site.electricity_meter,
        details=devices.DeviceDetails("AMR-E1", SIM, Decimal("0.01"), AmrDevice.Unit.KWH),
        installed_at=datetime(2026, 1, 1, tzinfo=UTC),
        actor=None,
        now=datetime(2026, 1, 1, 1, tzinfo=UTC),
    )


def assert_empty_twiml(response) -> None:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")


def test_a_signed_message_is_stored_and_answered_with_empty_twiml(gateway, site, device):
    response = post(gateway, twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48)))
    assert_empty_twiml(response)
    sms = InboundSms.objects.get()
    assert (sms.message_sid, sms.from_number, sms.to_number) == ("SM" + "a" * 32, SIM, "+447700900000")
    assert sms.status == InboundSms.Status.ACCEPTED
    assert IntervalConsumption.objects.filter(meter=site.electricity_meter).count() == 48


def test_a_good_message_is_stored_once_however_often_the_gateway_retries(gateway, site, device):
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    for _ in range(4):
        assert_empty_twiml(post(gateway, params))
    assert InboundSms.objects.count() == 1
    assert IntervalConsumption.objects.filter(meter=site.electricity_meter).count() == 48


def test_the_same_day_resent_under_a_new_message_id_changes_nothing(gateway, site, device):
    body = message("AMR-E1", date(2026, 5, 8), 48, [1] * 48)
    post(gateway, twilio_params(body, sid="SM" + "1" * 32))
    before = list(IntervalConsumption.objects.filter(meter=site.electricity_meter).values_list("quantity", flat=True))
    assert_empty_twiml(post(gateway, twilio_params(body, sid="SM" + "2" * 32)))
    assert InboundSms.objects.get(message_sid="SM" + "2" * 32).status == InboundSms.Status.DUPLICATE
    after = list(IntervalConsumption.objects.filter(meter=site.electricity_meter).values_list("quantity", flat=True))
    assert after == before


@pytest.mark.parametrize(
    ("why", "signature", "token"),
    [
        ("no signature", "", TOKEN),
        ("signed with another token", None, "someone-elses-token"),
        ("garbage signature", "bm90IGEgc2lnbmF0dXJl", TOKEN),
    ],
)
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(gateway, site, device, why, signature, token):
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    response = post(gateway, params, token=token, signature=signature)
    assert response.status_code == 403, why
    assert InboundSms.objects.count() == 0
    assert IntervalConsumption.objects.count() == 0


def test_a_body_changed_after_signing_is_refused(gateway, site, device):
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    params["Body"] = message("AMR-E1", date(2026, 5, 8), 96, [2] * 48)
    assert post(gateway, params, signature=signature).status_code == 403
    assert InboundSms.objects.count() == 0


def test_without_a_configured_token_every_request_is_refused(gateway, settings, site, device):
    settings.HEARTH_TWILIO_AUTH_TOKEN = ""
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    assert post(gateway, params, token="").status_code == 403
    assert post(gateway, params).status_code == 403
    assert InboundSms.objects.count() == 0


def test_an_unreadable_message_is_answered_200_and_kept_in_quarantine(gateway, site, device):
    assert_empty_twiml(post(gateway, twilio_params("AMR1;AMR-E1;20260508;30;48;1,1,1;C0000")))
    sms = InboundSms.objects.get()
    assert sms.status == InboundSms.Status.QUARANTINED
    assert sms.reason.startswith("bad CRC: expected ")
    assert sms.body == "AMR1;AMR-E1;20260508;30;48;1,1,1;C0000"


def test_a_message_from_a_number_that_is_not_the_devices_sim_is_quarantined(gateway, site, device):
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48), sender="+447700900999")
    assert_empty_twiml(post(gateway, params))
    sms = InboundSms.objects.get()
    assert sms.status == InboundSms.Status.QUARANTINED
    assert sms.reason == "the sender +447700900999 is not the SIM of device AMR-E1 (+447700900123)"
    assert IntervalConsumption.objects.count() == 0


def test_behind_a_proxy_the_configured_public_url_is_the_one_checked(gateway, settings, site, device):
    public = "https://sms.hearth.example/inbound/sms/twilio/"
    settings.HEARTH_TWILIO_WEBHOOK_URL = public
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    assert post(gateway, params, url=URL).status_code == 403
    assert_empty_twiml(post(gateway, params, url=public))
    assert InboundSms.objects.count() == 1


def test_a_signature_over_the_url_with_its_default_port_is_accepted_as_twilio_does(gateway, site, device):
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    assert_empty_twiml(post(gateway, params, url="http://testserver:80/inbound/sms/twilio/"))


def test_repeated_parameters_are_signed_as_twilio_signs_them(gateway, site, device):
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    multi = {**params, "MediaUrl": ["b-second", "a-first"]}
    signature = RequestValidator(TOKEN).compute_signature(URL, _MultiDict(multi))
    response = gateway.post(PATH, multi, HTTP_X_TWILIO_SIGNATURE=signature)
    assert_empty_twiml(response)


class _MultiDict(dict):
    """What RequestValidator reads repeated form fields from (getlist, as Django's QueryDict offers)."""

    def getlist(self, name):
        value = self[name]
        return value if isinstance(value, list) else [value]


def test_a_signed_request_without_a_message_id_is_kept_under_one_made_from_its_content(gateway, site, device):
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    for name in ("MessageSid", "SmsSid", "SmsMessageSid"):
        del params[name]
    assert_empty_twiml(post(gateway, params))
    assert_empty_twiml(post(gateway, params))
    sms = InboundSms.objects.get()
    assert sms.message_sid.startswith("NOSID-")
    assert sms.status == InboundSms.Status.ACCEPTED


def test_only_post_is_allowed(gateway):
    assert gateway.get(PATH).status_code == 405


def test_the_auth_token_never_appears_in_the_logs(gateway, site, device, caplog):
    caplog.set_level(logging.DEBUG)
    params = twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    post(gateway, params)
    post(gateway, params, token="wrong-token")
    assert TOKEN not in caplog.text
    assert RequestValidator(TOKEN).compute_signature(URL, params) not in caplog.text


def test_a_message_sent_before_its_day_ended_waits_in_quarantine(gateway, site, device):
    evening = datetime(2026, 5, 8, 18, 0, tzinfo=UTC)
    with time_machine.travel(evening, tick=False):
        assert_empty_twiml(post(gateway, twilio_params(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))))
    sms = InboundSms.objects.get()
    assert sms.status == InboundSms.Status.QUARANTINED
    assert "had not ended" in sms.reason
