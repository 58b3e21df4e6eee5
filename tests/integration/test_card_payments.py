"""Card payments through Stripe, end to end with no network (ADR 0011): the portal's pay-by-card pages, Stripe's
Checkout played by a local fake (tests/stripe_fake.py), and Stripe's signed events posted to POST /inbound/stripe/.

The ledger payment is posted only on a signed ``payment_intent.succeeded``, once however often it arrives; a bad or
stale signature is refused with 400 and records nothing; a declined card or a mismatched amount posts nothing.
"""

import logging
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import LedgerEntry
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import Meter
from hearth.data.payments.models import CardPayment, PaymentArrangement, StripeEvent
from hearth.domain.payments import cards
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in
from tests.stripe_fake import Delivery, FakeStripe, stripe_signature

SECRET_KEY = "sk_test_h3FakeSecretKey7Qm2Vx9"
WEBHOOK_SECRET = "whsec_h3FakeSigningSecret4Lp8Zt"
WEBHOOK = "/inbound/stripe/"
REFUSED = b"The request is not a signed Stripe event."


@pytest.fixture
def gateway() -> Client:
    """Stripe's side of the webhook: no session, no CSRF token (the client enforces CSRF like a browser)."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def stripe_fake(settings, gateway: Client) -> Iterator[FakeStripe]:
    def deliver(body: bytes, headers: dict[str, str]) -> int:
        return gateway.post(WEBHOOK, data=body, content_type=headers["Content-Type"], headers=headers).status_code

    with FakeStripe(secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, deliver=deliver) as fake:
        settings.HEARTH_STRIPE_SECRET_KEY = SECRET_KEY
        settings.HEARTH_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.HEARTH_STRIPE_API_BASE = fake.api_base
        settings.HEARTH_CARD_PAYMENT_MAXIMUM = "5000.00"
        yield fake


def pay_page(site: Site) -> str:
    return f"/accounts/{site.electricity.number}/pay-by-card/"


def done_page(site: Site, card_payment: CardPayment) -> str:
    return f"/accounts/{site.electricity.number}/pay-by-card/done/?payment={card_payment.pk}"


def start(client: Client, site: Site, amount: str) -> CardPayment:
    """Post the amount form as the customer does; the card payment it started."""
    response = client.post(pay_page(site), {"amount": amount})
    assert response.status_code == 200, response.content.decode()
    return CardPayment.objects.get()


def payments_of(site: Site) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(account=site.electricity, kind=LedgerEntry.Kind.PAYMENT).order_by("id"))


def owes(site: Site, amount: str) -> None:
    """The account owes ``amount`` (a bill's charge on the ledger)."""
    LedgerEntry.objects.create(
        account=site.electricity,
        kind=LedgerEntry.Kind.CHARGE,
        amount=Decimal(amount),
        posted_at=timezone.now(),
        description="Bill",
    )


# --- Paying -------------------------------------------------------------------------------------------------------


def test_the_form_starts_with_the_balance_owed(signed_in, household):
    owes(household, "84.21")
    response = signed_in.get(pay_page(household))
    assert response.status_code == 200
    assert 'value="84.21"' in response.content.decode()


def test_a_card_payment_is_posted_to_the_ledger_once_stripe_says_it_succeeded(signed_in, household, stripe_fake):
    owes(household, "84.21")
    response = signed_in.post(pay_page(household), {"amount": "£84.21"})
    assert response.status_code == 200
    card_payment = CardPayment.objects.get()
    session = stripe_fake.sessions[card_payment.checkout_session_id]
    assert f'href="{session["url"]}"' in response.content.decode()
    assert card_payment.status == CardPayment.Status.CREATED
    assert (card_payment.amount, card_payment.purpose) == (Decimal("84.21"), CardPayment.Purpose.ONE_OFF)
    # What Stripe was asked for: £84.21 in pence, in pounds sterling, paid on its hosted page, back to Hearth after.
    item = session["payment_intent_data"]
    assert session["amount_total"] == 8421
    assert session["currency"] == "gbp"
    assert session["mode"] == "payment"
    assert item["metadata"] == {"account_number": household.electricity.number, "card_payment_id": str(card_payment.pk)}
    assert session["success_url"] == f"http://testserver{done_page(household, card_payment)}"
    assert payments_of(household) == [], "nothing is posted before Stripe says the card was charged"

    delivery = stripe_fake.pay(card_payment.checkout_session_id)

    assert delivery.status == 200
    [payment] = payments_of(household)
    intent_id = delivery.event["data"]["object"]["id"]
    assert (payment.amount, payment.description, payment.external_reference) == (
        Decimal("-84.21"),
        "Card payment",
        intent_id,
    )
    card_payment.refresh_from_db()
    assert card_payment.status == CardPayment.Status.SUCCEEDED
    assert (card_payment.payment, card_payment.payment_intent_id) == (payment, intent_id)
    assert card_payment.settled_at is not None
    assert sum(e.amount for e in LedgerEntry.objects.filter(account=household.electricity)) == Decimal("0.00")
    assert AuditEvent.objects.filter(action="payments.card_payment_succeeded").count() == 1
    page = signed_in.get(done_page(household, card_payment)).content.decode()
    assert "Thank you: your payment is in" in page
    assert "£84.21" in page


def test_the_page_stripe_returns_to_says_the_payment_shows_once_the_bank_confirms(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "25")
    response = signed_in.get(done_page(household, card_payment))
    assert response.status_code == 200
    assert "Thank you — we'll show the payment once your bank confirms it" in response.content.decode()


def test_a_succeeded_event_delivered_ten_times_posts_one_payment(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "40.00")
    first = stripe_fake.pay(card_payment.checkout_session_id)
    retries = [stripe_fake.send(first.event) for _ in range(9)]  # Stripe's retries: the same event, signed anew
    assert [d.status for d in [first, *retries]] == [200] * 10
    assert [p.amount for p in payments_of(household)] == [Decimal("-40.00")]
    assert StripeEvent.objects.count() == 1


def test_the_same_signed_request_replayed_ten_times_posts_one_payment(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "40.00")
    first = stripe_fake.pay(card_payment.checkout_session_id)
    assert [stripe_fake.resend(first).status for _ in range(9)] == [200] * 9
    assert len(payments_of(household)) == 1
    assert AuditEvent.objects.filter(action="payments.card_payment_succeeded").count() == 1


def test_an_event_id_already_being_recorded_by_another_worker_changes_nothing(
    signed_in, household, stripe_fake, monkeypatch
):
    """The race the unique constraint guards: the row appears between looking for it and inserting it."""
    card_payment = start(signed_in, household, "40.00")
    first = stripe_fake.pay(card_payment.checkout_session_id)
    real_filter = StripeEvent.objects.filter
    looks = []

    def racing_filter(*args, **kwargs):
        looks.append(kwargs)  # the first look misses the row another worker has just written
        return StripeEvent.objects.none() if len(looks) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(StripeEvent.objects, "filter", racing_filter)
    assert stripe_fake.send(first.event).status == 200
    assert len(looks) == 2, "the insert failed on the unique id and the event was looked for again"
    assert len(payments_of(household)) == 1


def test_the_database_refuses_a_second_row_for_one_event_id(db):
    now = timezone.now()
    StripeEvent.objects.create(event_id="evt_once", event_type="x", received_at=now, payload={}, outcome="")
    with pytest.raises(IntegrityError), transaction.atomic():
        StripeEvent.objects.create(event_id="evt_once", event_type="x", received_at=now, payload={}, outcome="")


# --- Refused requests ---------------------------------------------------------------------------------------------


def _tampered(delivery: Delivery) -> Delivery:
    body = delivery.body.replace(b'"amount": 4000', b'"amount": 4001')
    assert body != delivery.body
    return Delivery(event=delivery.event, body=body, signature=delivery.signature, status=0)


def _resigned(delivery: Delivery, signature: str) -> Delivery:
    return Delivery(event=delivery.event, body=delivery.body, signature=signature, status=0)


@pytest.mark.parametrize(
    "why",
    ["signed with another secret", "no signature", "body changed after signing", "garbage header", "no v1 scheme"],
)
def test_a_bad_signature_is_refused_with_400_and_nothing_is_recorded(signed_in, household, stripe_fake, why):
    card_payment = start(signed_in, household, "40.00")
    good = stripe_fake.sign(stripe_fake.payment_event(card_payment.checkout_session_id))
    now = int(time.time())
    bad = {
        "signed with another secret": _resigned(good, stripe_signature(good.body, "whsec_someone_else", now)),
        "no signature": _resigned(good, ""),
        "body changed after signing": _tampered(good),
        "garbage header": _resigned(good, "t=abc,v1=xyz,,,=="),
        "no v1 scheme": _resigned(good, stripe_signature(good.body, WEBHOOK_SECRET, now).replace("v1=", "v0=")),
    }[why]
    assert stripe_fake.resend(bad).status == 400
    assert StripeEvent.objects.count() == 0
    assert payments_of(household) == []
    card_payment.refresh_from_db()
    assert card_payment.status == CardPayment.Status.CREATED
    assert stripe_fake.resend(good).status == 200, "the request as Stripe signed it is accepted"


def test_a_refusal_says_nothing_about_why(gateway, stripe_fake, db):
    response = gateway.post(WEBHOOK, data=b"{}", content_type="application/json", headers={"Stripe-Signature": "t=1"})
    assert (response.status_code, response.content) == (400, REFUSED)


@pytest.mark.parametrize(("age", "accepted"), [(301, False), (-301, False), (240, True), (-240, True)])
def test_a_signature_more_than_five_minutes_from_now_is_refused(signed_in, household, stripe_fake, age, accepted):
    card_payment = start(signed_in, household, "40.00")
    delivery = stripe_fake.pay(card_payment.checkout_session_id, signed_at=int(time.time()) - age)
    assert delivery.status == (200 if accepted else 400)
    assert len(payments_of(household)) == (1 if accepted else 0)
    assert StripeEvent.objects.count() == (1 if accepted else 0)


def test_without_a_webhook_secret_every_event_is_refused(signed_in, household, stripe_fake, settings):
    card_payment = start(signed_in, household, "40.00")
    settings.HEARTH_STRIPE_WEBHOOK_SECRET = ""
    assert stripe_fake.pay(card_payment.checkout_session_id).status == 400
    assert StripeEvent.objects.count() == 0


@pytest.mark.parametrize("body", [b"not json", b"\xff\xfe", b"[1, 2]", b'{"object": "event"}', b""])
def test_a_signed_body_that_is_not_an_event_is_refused_not_a_server_error(gateway, stripe_fake, db, body):
    signature = stripe_signature(body, WEBHOOK_SECRET, int(time.time()))
    response = gateway.post(
        WEBHOOK, data=body, content_type="application/json", headers={"Stripe-Signature": signature}
    )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_the_webhook_answers_only_post(gateway, stripe_fake, db):
    assert gateway.get(WEBHOOK).status_code == 405


# --- Failures, mismatches and other events -----------------------------------------------------------------------


def test_a_declined_card_posts_nothing_and_the_page_says_why(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "40.00")
    delivery = stripe_fake.pay(card_payment.checkout_session_id, declined="Your card has insufficient funds.")
    assert delivery.status == 200
    assert payments_of(household) == []
    card_payment.refresh_from_db()
    assert card_payment.status == CardPayment.Status.FAILED
    assert card_payment.failure_reason == "Your card has insufficient funds."
    page = signed_in.get(done_page(household, card_payment)).content.decode()
    assert "did not go through" in page
    assert "Your card has insufficient funds. Nothing was taken." in page


def test_a_declined_cards_details_are_not_kept(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "40.00")
    stripe_fake.pay(card_payment.checkout_session_id, declined="Your card was declined.")
    kept = str(StripeEvent.objects.get().payload)
    assert "Your card was declined." in kept
    for card_detail in ("9995", "2031", "Jo Payer", "payer@example.com"):
        assert card_detail not in kept


def test_a_card_declined_then_paid_with_another_posts_one_payment(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "40.00")
    stripe_fake.pay(card_payment.checkout_session_id, declined="Your card was declined.")
    stripe_fake.pay(card_payment.checkout_session_id)
    card_payment.refresh_from_db()
    assert (card_payment.status, card_payment.failure_reason) == (CardPayment.Status.SUCCEEDED, "")
    assert len(payments_of(household)) == 1


def test_a_late_failure_after_success_changes_nothing(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "40.00")
    paid = stripe_fake.pay(card_payment.checkout_session_id)
    failed_intent = {**paid.event["data"]["object"], "status": "requires_payment_method"}
    failed_intent["last_payment_error"] = {"message": "Your card was declined."}
    assert stripe_fake.send(stripe_fake.event("payment_intent.payment_failed", failed_intent)).status == 200
    card_payment.refresh_from_db()
    assert card_payment.status == CardPayment.Status.SUCCEEDED
    assert len(payments_of(household)) == 1


@pytest.mark.parametrize(("amount", "currency", "reported"), [(3999, None, "39.99 GBP"), (4000, "eur", "40.00 EUR")])
def test_an_amount_or_currency_that_does_not_match_is_kept_with_its_reason(
    signed_in, household, stripe_fake, amount, currency, reported
):
    card_payment = start(signed_in, household, "40.00")
    delivery = stripe_fake.pay(card_payment.checkout_session_id, amount=amount, currency=currency)
    assert delivery.status == 200
    assert payments_of(household) == []
    event = StripeEvent.objects.get()
    assert event.card_payment == card_payment
    assert event.outcome == (
        f"Kept, nothing done: Stripe reports {reported} but card payment {card_payment.pk} is for 40.00 GBP."
    )
    card_payment.refresh_from_db()
    assert card_payment.status == CardPayment.Status.CREATED


def test_an_event_naming_another_accounts_number_is_kept_and_posts_nothing(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "40.00")
    session = stripe_fake.sessions[card_payment.checkout_session_id]
    session["payment_intent_data"]["metadata"]["account_number"] = household.gas.number
    assert stripe_fake.pay(card_payment.checkout_session_id).status == 200
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 0
    assert StripeEvent.objects.get().outcome.startswith("Kept, nothing done:")


def test_an_event_for_a_payment_hearth_never_started_is_kept(gateway, stripe_fake, db):
    intent = {"id": "pi_elsewhere", "object": "payment_intent", "amount": 500, "currency": "gbp", "metadata": {}}
    assert stripe_fake.send(stripe_fake.event("payment_intent.succeeded", intent)).status == 200
    event = StripeEvent.objects.get()
    assert event.outcome == "Kept, nothing done: PaymentIntent pi_elsewhere names no card payment Hearth started."
    assert LedgerEntry.objects.count() == 0


def test_an_event_type_hearth_does_not_use_is_recorded_and_ignored(gateway, stripe_fake, db):
    event = stripe_fake.event("customer.created", {"id": "cus_1", "object": "customer"})
    assert stripe_fake.send(event).status == 200
    stored = StripeEvent.objects.get()
    assert (stored.event_id, stored.event_type) == (event["id"], "customer.created")
    assert stored.outcome == "Ignored: Hearth does not act on customer.created events."


def test_an_expired_checkout_cancels_the_payment_never_made(signed_in, household, stripe_fake):
    card_payment = start(signed_in, household, "40.00")
    assert stripe_fake.expire(card_payment.checkout_session_id).status == 200
    card_payment.refresh_from_db()
    assert card_payment.status == CardPayment.Status.CANCELLED
    page = signed_in.get(done_page(household, card_payment)).content.decode()
    assert "was not made" in page
    assert "Nothing was taken." in page


# --- The form's refusals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The smallest card payment is £1.00; you entered £0.00."),
        ("0.99", "The smallest card payment is £1.00; you entered £0.99."),
        ("5000.01", "The most you can pay by card at once is £5,000.00; you entered £5,000.01."),
        ("12.345", "Enter the amount in pounds and whole pence, like 12.35."),
        ("twelve", "Enter the amount in pounds and pence, like 45.50."),
        ("", "Enter the amount you want to pay, like 45.50."),
    ],
)
def test_an_amount_that_cannot_be_paid_by_card_is_refused_beside_the_field(
    signed_in, household, stripe_fake, amount, message
):
    response = signed_in.post(pay_page(household), {"amount": amount})
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert 'class="error-summary"' in page
    assert page.count(message) == 2, "the message is in the summary and beside the field"
    assert CardPayment.objects.count() == 0
    assert stripe_fake.requests == []


def test_when_stripe_cannot_open_its_page_nothing_is_taken_and_the_customer_is_told(signed_in, household, stripe_fake):
    stripe_fake.failing = True
    response = signed_in.post(pay_page(household), {"amount": "40.00"})
    assert response.status_code == 400
    assert "We could not open the card payment page just now, and nothing was taken." in response.content.decode()
    card_payment = CardPayment.objects.get()
    assert (card_payment.status, card_payment.checkout_session_id) == (CardPayment.Status.CANCELLED, None)


def test_without_a_secret_key_card_payments_are_off(signed_in, household, stripe_fake, settings):
    settings.HEARTH_STRIPE_SECRET_KEY = ""
    response = signed_in.post(pay_page(household), {"amount": "40.00"})
    assert response.status_code == 400
    assert "Card payments are not available at the moment." in response.content.decode()
    assert CardPayment.objects.count() == 0


def test_an_annual_card_payment_must_be_the_annual_amount(household, stripe_fake):
    now = timezone.now()
    PaymentArrangement.objects.create(
        account=household.electricity,
        method=PaymentArrangement.Method.ANNUAL_CARD,
        signed_up_date=now.date(),
        annual_amount=Decimal("1234.56"),
        updated_at=now,
    )
    common = {
        "account": household.electricity,
        "purpose": CardPayment.Purpose.ANNUAL,
        "actor": None,
        "now": now,
        "return_url": "https://portal.example/done/",
        "cancel_url": "https://portal.example/pay/",
    }
    with pytest.raises(cards.CardAmountRefused, match=r"annual payment for this account is £1,234\.56"):
        cards.start_card_payment(amount=Decimal("1000.00"), **common)
    checkout = cards.start_card_payment(amount=Decimal("1234.56"), **common)
    assert checkout.card_payment.purpose == CardPayment.Purpose.ANNUAL
    assert stripe_fake.sessions[checkout.card_payment.checkout_session_id]["amount_total"] == 123456
    with pytest.raises(cards.CardAmountRefused, match="does not pay annually by card"):
        cards.start_card_payment(**{**common, "account": household.gas}, amount=Decimal("1234.56"))


# --- Who may pay --------------------------------------------------------------------------------------------------


def test_another_customer_cannot_open_the_pay_or_done_page_of_an_account_not_theirs(
    client, build: Builder, household, signed_in, stripe_fake
):
    card_payment = start(signed_in, household, "40.00")
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.CREDIT,
    )
    build.activated_login("oscar@other.example", other.electricity)
    oscar = Client()
    assert sign_in(oscar, "oscar@other.example", PASSWORD).status_code == 302
    for url in (pay_page(household), done_page(household, card_payment)):
        assert oscar.get(url).status_code == 404, url
        assert oscar.post(url, {"amount": "40.00"}).status_code == 404, url
    assert CardPayment.objects.count() == 1
    # Nor can a payment of one account be looked at through another account of the same login.
    other_account_done = f"/accounts/{household.gas.number}/pay-by-card/done/?payment={card_payment.pk}"
    assert signed_in.get(other_account_done).status_code == 404
    for bad in ("", "abc", "-1", "99999999999999999999999"):
        assert (
            signed_in.get(f"/accounts/{household.electricity.number}/pay-by-card/done/?payment={bad}").status_code
            == 404
        )


def test_a_viewer_cannot_pay(client, build: Builder, household, stripe_fake):
    build.activated_login("viewer@example.com", household.electricity, role=AccountLink.Role.VIEWER)
    assert sign_in(client, "viewer@example.com", PASSWORD).status_code == 302
    assert client.get(pay_page(household)).status_code == 403
    assert client.post(pay_page(household), {"amount": "40.00"}).status_code == 403
    assert CardPayment.objects.count() == 0


def test_an_authorised_person_can_pay(client, build: Builder, household, stripe_fake):
    deputy = build.activated_login("deputy@example.com", household.electricity, role=AccountLink.Role.AUTHORISED)
    assert sign_in(client, "deputy@example.com", PASSWORD).status_code == 302
    card_payment = start(client, household, "10.00")
    assert card_payment.created_by == User.objects.get(pk=deputy.pk)


# --- Secrets ------------------------------------------------------------------------------------------------------


def test_no_secret_key_or_webhook_secret_appears_in_the_logs(signed_in, household, stripe_fake, caplog, gateway):
    caplog.set_level(logging.DEBUG)
    card_payment = start(signed_in, household, "40.00")
    first = stripe_fake.pay(card_payment.checkout_session_id)
    stripe_fake.resend(first)
    stripe_fake.resend(_resigned(first, "t=1,v1=00"))
    stripe_fake.failing = True
    signed_in.post(pay_page(household), {"amount": "20.00"})
    logged = caplog.text
    assert "Stripe event" in logged, "the logs were captured"
    assert "Refused a Stripe webhook request" in logged
    for secret in (SECRET_KEY, WEBHOOK_SECRET, SECRET_KEY[-8:], WEBHOOK_SECRET[-8:]):
        assert secret not in logged
    assert first.signature not in logged
