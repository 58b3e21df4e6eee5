"""Paying by card at phone width (390 by 844): the amount form's errors, then Stripe's page played by the local fake
(tests/stripe_fake.py), and the page Stripe returns to once the signed event has arrived."""

import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel
from hearth.data.metering.models import Meter
from tests.stripe_fake import FakeStripe

from .support import PHONE, Builder, check_accessibility, fits_width, heading, sign_in

EMAIL = "kit.moss@example.com"
PASSWORD = "Harbour51Maple"


@pytest.fixture
def stripe_fake(settings: Any, live_server: Any) -> Iterator[FakeStripe]:
    def deliver(body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(f"{live_server.url}/inbound/stripe/", data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)

    with FakeStripe(secret_key="sk_test_browser", webhook_secret="whsec_browser", deliver=deliver) as fake:
        settings.HEARTH_STRIPE_SECRET_KEY = fake.secret_key
        settings.HEARTH_STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        settings.HEARTH_STRIPE_API_BASE = fake.api_base
        yield fake


def test_pay_by_card_shows_its_error_summary_for_nothing_and_then_pays_on_stripes_page(
    new_page: Callable[..., Page], build: Builder, stripe_fake: FakeStripe
) -> None:
    account = build.account(build.customer("Kit Moss", EMAIL), fuel=Fuel.ELECTRICITY, meter=Meter.Kind.CREDIT)
    build.activated_login(account, EMAIL, PASSWORD)
    phone = new_page("phone", viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, EMAIL, PASSWORD)
    phone.goto(f"/accounts/{account.number}/pay-by-card/")
    heading(phone, "Pay by debit or credit card")

    phone.get_by_label("Amount to pay, in pounds").fill("0")
    phone.get_by_role("button", name="Continue").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text("The smallest card payment is £1.00; you entered £0.00.")
    expect(phone.locator(".field-error")).to_contain_text("The smallest card payment is £1.00")
    assert fits_width(phone), "the pay-by-card form scrolls sideways on a phone"
    check_accessibility(phone)
    assert stripe_fake.requests == [], "nothing was asked of Stripe"

    phone.get_by_label("Amount to pay, in pounds").fill("12.50")
    phone.get_by_role("button", name="Continue").click()
    heading(phone, "Pay £12.50 by card")
    assert fits_width(phone)
    check_accessibility(phone)
    phone.get_by_role("link", name="Go to Stripe's secure page to pay £12.50").click()
    heading(phone, "Pay £12.50")  # the fake's stand-in for Stripe's hosted page

    [session_id] = stripe_fake.sessions
    assert stripe_fake.pay(session_id).status == 200
    phone.goto(stripe_fake.sessions[session_id]["success_url"])
    heading(phone, "Thank you: your payment is in")
    assert fits_width(phone)
    check_accessibility(phone)
