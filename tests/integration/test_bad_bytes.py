"""Bad bytes at every inbound edge (issue 14): input holding a NUL, or bytes that are not UTF-8, never gives a server
error and is never lost. On PostgreSQL (CI's second run) text columns refuse NUL, so this is where it matters:

- a signed SMS is answered 200 and kept in quarantine with its reason, its bytes in ``raw_body``;
- a D0010 or interval file is imported as far as it can be, each bad line kept with its reason and its bytes;
- a form, a query or an address with a NUL is answered 400 saying where, before it reaches a query.

Hypothesis feeds arbitrary text and bytes; hand-written cases pin the exact reasons.
"""

from itertools import count
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.data.metering.models import FlowFile, InboundSms, RejectedFlowLine
from hearth.domain.metering import flows as metering_flows
from tests.integration.test_d0010_import import NOW, _flow, _ours, _state
from tests.integration.test_twilio_webhook import TOKEN, post, twilio_params

pytestmark = pytest.mark.django_db

FIXTURES_REUSED = settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
"""Each example runs in the test's one transaction: what an example stores stays for the next, as in production."""

with_nul = st.text(max_size=40).map(lambda text: text[: len(text) // 2] + "\x00" + text[len(text) // 2 :])

_ids = count(1)


def _bytes(stored: bytes | memoryview | None) -> bytes:
    """A binary column's value as bytes (PostgreSQL's driver gives a memoryview)."""
    assert stored is not None
    return bytes(stored)


@pytest.fixture(autouse=True)
def _token(settings):
    settings.HEARTH_TWILIO_AUTH_TOKEN = TOKEN
    settings.HEARTH_TWILIO_WEBHOOK_URL = ""


def test_an_sms_with_a_nul_is_kept_in_quarantine_with_its_reason_and_bytes() -> None:
    response = post(Client(), twilio_params("D 2026-12-06 12\x0034", sid="SM" + "c" * 32))
    assert response.status_code == 200
    kept = InboundSms.objects.get(message_sid="SM" + "c" * 32)
    assert kept.status == InboundSms.Status.QUARANTINED
    assert kept.reason == (
        "The message contains a NUL character at position 16, which cannot be stored as text: kept as received"
    )
    assert kept.body == "D 2026-12-06 12\\x0034"
    assert _bytes(kept.raw_body) == b"D 2026-12-06 12\x0034"


@FIXTURES_REUSED
@given(body=st.one_of(with_nul, st.text(max_size=200)), sender=st.one_of(st.just("+447700900123"), with_nul))
def test_every_signed_sms_is_answered_and_kept(body: str, sender: str) -> None:
    sid = f"SM{next(_ids):032d}"
    response = post(Client(), twilio_params(body, sid=sid, sender=sender))
    assert response.status_code == 200
    kept = InboundSms.objects.get(message_sid=sid)
    if "\x00" in body or "\x00" in sender:
        assert kept.status == InboundSms.Status.QUARANTINED
    if "\x00" in body:
        assert _bytes(kept.raw_body) == body.encode()


def test_a_d0010_line_with_a_nul_is_rejected_with_its_bytes_and_the_file_is_kept() -> None:
    content = _flow(*_ours("030|S|20160222000000|563\x0011.0|||T|N|"))
    summary = metering_flows.import_d0010(name="nul.uff", content=content, now=NOW)
    assert summary.unreadable is None or "NUL" not in summary.unreadable
    flow = FlowFile.objects.get(pk=summary.flow_file_id)
    [line] = RejectedFlowLine.objects.filter(flow_file=flow, raw__isnull=False)
    assert "\\x00" in line.content
    assert b"563\x0011.0" in _bytes(line.raw)


@FIXTURES_REUSED
@given(content=st.binary(max_size=600), name=st.one_of(st.just("flow.uff"), with_nul))
def test_any_bytes_as_a_d0010_file_are_kept(content: bytes, name: str) -> None:
    before = _state()[2]
    summary = metering_flows.import_d0010(name=name, content=content, now=NOW)
    assert FlowFile.objects.filter(pk=summary.flow_file_id).exists()
    assert _state()[2] in {before, before + 1}  # a repeat of an earlier example's bytes is recognised


@FIXTURES_REUSED
@given(content=st.binary(max_size=600), name=st.one_of(st.just("smart.csv"), with_nul))
def test_any_bytes_as_an_interval_file_are_kept(content: bytes, name: str) -> None:
    header = b"mpan_or_mprn,meter_serial,interval_start,quantity,unit\n"
    summary = metering_flows.import_intervals(name=name, source=header + content, now=NOW)
    flow = FlowFile.objects.get(pk=summary.flow_file_id)
    for line in RejectedFlowLine.objects.filter(flow_file=flow):
        assert "\x00" not in line.content


def test_a_form_field_with_a_nul_is_refused_saying_where(client: Client) -> None:
    response = client.post("/login/", {"username": "jo\x00@example.com", "password": "x"})
    assert response.status_code == 400
    assert response.content.decode() == (
        "The request has a character that cannot be accepted (a NUL or an invalid one) in the form's field "
        "'username'. Remove it and try again."
    )


@FIXTURES_REUSED
@given(value=st.one_of(with_nul, st.text(max_size=40)))
def test_no_address_query_or_form_with_bad_characters_gives_a_server_error(value: str) -> None:
    client = Client(raise_request_exception=False)
    quoted = quote(value.encode("utf-8", "surrogatepass"), safe="")
    responses = [
        client.get(f"/login/?next={quoted}"),
        client.post("/login/", {"username": value, "password": value}),
        client.get(f"/api/v1/accounts/{quoted}/"),
        client.get(f"/api/v1/products/{quoted}/"),
        client.get(f"/api/v1/products/?page={quoted}"),
        client.get(f"/care/customers/?q={quoted}"),
    ]
    assert [response.status_code < 500 for response in responses] == [True] * len(responses)
    if "\x00" in value:
        assert responses[0].status_code == 400
