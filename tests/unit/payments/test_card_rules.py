"""Card payment rules that need no database: which amounts can be paid by card, and which webhook requests are
refused before anything is looked up (signatures are made here with ``hmac``, as Stripe documents them)."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.domain.payments import cards

SECRET = "whsec_unitTestSigningSecret"
NOW = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the night the clocks go back: UTC is what is signed
EVENT = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {}}})


@pytest.fixture(autouse=True)
def _card_settings(settings):
    settings.HEARTH_CARD_PAYMENT_MAXIMUM = "5000.00"
    settings.HEARTH_STRIPE_WEBHOOK_SECRET = SECRET


def signed(body: str, at: datetime, secret: str = SECRET) -> str:
    timestamp = int(at.timestamp())
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@given(st.integers(min_value=100, max_value=500_000))
def test_any_whole_pence_from_one_pound_to_the_maximum_can_be_paid_by_card(pence):
    amount = Decimal(pence) / 100
    assert cards.card_amount(amount) == amount


@given(st.integers(min_value=1_000, max_value=5_000_000), st.integers(min_value=1, max_value=9))
def test_an_amount_with_a_fraction_of_a_penny_is_refused(tenths_of_pence, extra):
    amount = Decimal(tenths_of_pence * 10 + extra) / 1000
    with pytest.raises(cards.CardAmountRefused, match="whole pence"):
        cards.card_amount(amount)


@pytest.mark.parametrize("amount", ["0", "0.99", "-10", "-0.01"])
def test_less_than_one_pound_is_refused(amount):
    with pytest.raises(cards.CardAmountRefused, match=r"The smallest card payment is £1\.00"):
        cards.card_amount(Decimal(amount))


def test_more_than_the_configured_maximum_is_refused(settings):
    assert cards.card_amount(Decimal("5000.00")) == Decimal("5000.00")
    with pytest.raises(cards.CardAmountRefused, match=r"The most you can pay by card at once is £5,000\.00"):
        cards.card_amount(Decimal("5000.01"))
    settings.HEARTH_CARD_PAYMENT_MAXIMUM = "250"
    with pytest.raises(cards.CardAmountRefused, match=r"£250\.00; you entered £250\.01"):
        cards.card_amount(Decimal("250.01"))


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_an_amount_that_is_not_a_number_is_refused(amount):
    with pytest.raises(cards.CardAmountRefused, match="pounds and pence"):
        cards.card_amount(amount)


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (signed(EVENT, NOW, secret="whsec_someone_else"), "not signed with the Stripe webhook signing secret"),
        (signed(EVENT, NOW).replace("v1=", "v0="), "not signed with the Stripe webhook signing secret"),
        ("", "not signed with the Stripe webhook signing secret"),
        (signed(EVENT, NOW - timedelta(seconds=301)), "signed at 2026-10-25 01:24:59 UTC, more than five minutes"),
        (signed(EVENT, NOW + timedelta(seconds=301)), "signed at 2026-10-25 01:35:01 UTC, more than five minutes"),
    ],
)
def test_an_unsigned_wrongly_signed_or_stale_request_is_refused_before_anything_is_looked_up(signature, message):
    with pytest.raises(cards.CardEventRejected, match=message):
        cards.handle_stripe_event(payload=EVENT.encode(), signature_header=signature, now=NOW)


def test_a_body_changed_after_signing_is_refused():
    changed = EVENT.replace("evt_1", "evt_2")
    with pytest.raises(cards.CardEventRejected, match="not signed"):
        cards.handle_stripe_event(payload=changed.encode(), signature_header=signed(EVENT, NOW), now=NOW)


def test_without_a_signing_secret_nothing_is_accepted(settings):
    settings.HEARTH_STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(cards.CardEventRejected, match="No Stripe webhook signing secret is configured"):
        cards.handle_stripe_event(payload=EVENT.encode(), signature_header=signed(EVENT, NOW, secret=""), now=NOW)
