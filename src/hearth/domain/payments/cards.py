"""Card payments through Stripe (ADR 0011): the customer pays on Stripe's hosted Checkout page, and Hearth posts the
ledger payment only when an event Stripe signed says the money was taken.

- :func:`start_card_payment` records a :class:`CardPayment` and opens a Checkout Session in payment mode for it. The
  page is Stripe's, so card numbers never reach Hearth and Hearth's pages run no third-party script; the
  PaymentIntent Stripe makes there carries the account number and the card payment's id in its metadata.
- :func:`handle_stripe_event` verifies a webhook request with ``stripe.Webhook.construct_event`` and the signing
  secret, refuses one signed more than five minutes before or after ``now``, and records the event once by its id
  (a unique constraint): a replay finds the row and changes nothing. ``payment_intent.succeeded`` posts one ledger
  PAYMENT (a prepayment ``TOP_UP`` credits the meter instead, through ``prepayment.top_ups``),
  ``payment_intent.payment_failed`` records Stripe's reason, ``checkout.session.expired`` cancels a payment
  never made; an event whose amount, currency or account does not match is kept with the reason and moves nothing.

The secret key and the webhook secret are never stored, logged or put in a message.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Protocol

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from hearth.common import calendar
from hearth.common.money import Money, to_pennies
from hearth.data.accounts.models import Account
from hearth.data.billing.models import LedgerEntry
from hearth.data.identity.models import User
from hearth.data.payments.models import CardPayment, PaymentArrangement, StripeEvent
from hearth.data.prepayment.models import Vend
from hearth.domain.audit import operations as audit
from hearth.domain.billing import operations as billing_ops
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.prepayment import top_ups

logger = logging.getLogger(__name__)

MINIMUM: Final = Decimal("1.00")
"""The smallest card payment."""

CURRENCY: Final = "gbp"
SIGNATURE_TOLERANCE: Final = timedelta(minutes=5)
"""How far from ``now`` an event's signature time may be (QUALITY.md, inbound webhooks)."""

STRIPE_TIMEOUT_SECONDS: Final = 15
"""How long one request to Stripe may take: the customer is waiting on the page (the package's default is 80)."""

LEDGER_DESCRIPTION: Final = "Card payment"
METADATA_ACCOUNT: Final = "account_number"
METADATA_CARD_PAYMENT: Final = "card_payment_id"

_STRIPE_AGE_CHECK_OFF: Final = 0
"""``construct_event``'s own age check reads the machine's clock and refuses only old events; it is turned off
because :func:`_check_signed_at` checks the signature time against ``now``, both ways."""

_ATTEMPTS: Final = 3
_OUTCOME_LENGTH: Final = 300


class CardPaymentRefused(Exception):
    """A card payment cannot be started; the message says why, in words a customer understands."""


class CardAmountRefused(CardPaymentRefused):
    """The amount cannot be paid by card (too small, too large, not whole pence, not the annual amount)."""


class CardEventRejected(Exception):
    """The request is not an event Stripe signed in the last five minutes; nothing was recorded. Says why."""


class CardGatewayUnavailable(Exception):
    """The card gateway refused the request or could not be reached; the message names the error, never a secret."""


@dataclass(frozen=True)
class HostedCheckout:
    """A payment page the gateway opened: its id there and the address to send the customer to."""

    session_id: str
    url: str


@dataclass(frozen=True)
class CardCheckout:
    """A card payment just started, and the gateway's page where the customer pays it."""

    card_payment: CardPayment
    url: str


@dataclass(frozen=True)
class StripeEventOutcome:
    """The recorded event (its ``outcome`` says what was done), and whether its id had been handled before."""

    event: StripeEvent
    repeated: bool


class CardGateway(Protocol):
    """Where card payments are taken: a hosted page for one amount, whose result arrives later as signed events."""

    def open_checkout(
        self,
        *,
        amount_pence: int,
        description: str,
        metadata: Mapping[str, str],
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> HostedCheckout:
        """Open a page that takes ``amount_pence`` by card.

        :raises CardGatewayUnavailable: the gateway refused or could not be reached.
        """
        ...


class StripeGateway:
    """Stripe Checkout in payment mode, through the ``stripe`` package (``api_base`` points tests at a fake)."""

    def __init__(self, *, secret_key: str, api_base: str) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            max_network_retries=2,  # safe: every request carries an idempotency key
            http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT_SECONDS),
        )

    def open_checkout(
        self,
        *,
        amount_pence: int,
        description: str,
        metadata: Mapping[str, str],
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> HostedCheckout:
        try:
            session = self._client.v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": CURRENCY,
                                "unit_amount": amount_pence,
                                "product_data": {"name": description},
                            },
                        }
                    ],
                    "payment_intent_data": {"description": description, "metadata": dict(metadata)},
                    "metadata": dict(metadata),
                    "client_reference_id": metadata[METADATA_CARD_PAYMENT],
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise CardGatewayUnavailable(
                f"Stripe answered {type(exc).__name__} (HTTP status {exc.http_status or 'none'})."
            ) from None
        url = session.url or ""
        if not url.startswith(("https://", "http://")):
            raise CardGatewayUnavailable("Stripe's Checkout Session has no page address.")
        return HostedCheckout(session_id=session.id, url=url)


def configured_gateway() -> CardGateway:
    """Stripe with the configured secret key.

    :raises CardPaymentRefused: no key is configured, so card payments are off.
    """
    if not settings.HEARTH_STRIPE_SECRET_KEY:
        raise CardPaymentRefused("Card payments are not available at the moment. Please pay another way.")
    return StripeGateway(secret_key=settings.HEARTH_STRIPE_SECRET_KEY, api_base=settings.HEARTH_STRIPE_API_BASE)


def maximum() -> Decimal:
    """The largest card payment (HEARTH_CARD_PAYMENT_MAXIMUM)."""
    return Decimal(settings.HEARTH_CARD_PAYMENT_MAXIMUM)


def card_amount(amount: Decimal) -> Decimal:
    """``amount`` if it can be paid by card: pounds and whole pence, from £1.00 up to the configured maximum.

    :raises CardAmountRefused: saying which rule the amount breaks.
    """
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise CardAmountRefused("Enter the amount in pounds and pence, like 45.50.")
    if amount < MINIMUM:
        raise CardAmountRefused(f"The smallest card payment is {Money(MINIMUM)}; you entered {Money(amount)}.")
    if to_pennies(amount) != amount:
        raise CardAmountRefused(f"Enter the amount in pounds and whole pence, like {to_pennies(amount):.2f}.")
    if amount > maximum():
        raise CardAmountRefused(
            f"The most you can pay by card at once is {Money(maximum())}; you entered {Money(amount)}. "
            "Please pay the rest another way, or call us."
        )
    return to_pennies(amount)


def _check_annual(account: Account, amount: Decimal) -> None:
    """An annual card payment is for an account that pays annually by card, and for exactly the annual amount."""
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    if arrangement is None or arrangement.method != PaymentArrangement.Method.ANNUAL_CARD:
        raise CardAmountRefused("This account does not pay annually by card.")
    if arrangement.annual_amount is None:
        raise CardAmountRefused("This account's annual payment has not been worked out yet. Please call us.")
    if amount != arrangement.annual_amount:
        raise CardAmountRefused(
            f"The annual payment for this account is {Money(arrangement.annual_amount)}; "
            f"pay exactly that, not {Money(amount)}."
        )


def _check_top_up(account: Account, now: datetime) -> None:
    """A top-up is for a meter already paid by prepayment: a card taken for one not yet switched could not be
    credited."""
    prepayment = prepayment_ops.open_prepayment(account)
    if prepayment is None:
        raise CardAmountRefused("This account does not pay by prepayment: there is no meter to top up.")
    if prepayment.started_on > calendar.local_date(now):
        raise CardAmountRefused(
            f"Your meter switches to prepayment on {prepayment.started_on:%-d %B %Y}: top up from then."
        )


def _with_query(url: str, **params: object) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{url}{'&' if '?' in url else '?'}{query}"


def start_card_payment(
    *,
    account: Account,
    amount: Decimal,
    purpose: CardPayment.Purpose,
    actor: User | None,
    now: datetime,
    return_url: str,
    cancel_url: str,
    gateway: CardGateway | None = None,
) -> CardCheckout:
    """Record a card payment and open Stripe's page for it; nothing is posted to the ledger until Stripe says so.

    Stripe sends the customer back to ``return_url`` with ``?payment=<card payment id>`` (or to ``cancel_url`` if
    they leave its page). ``gateway`` is the configured Stripe account unless another is given.

    :raises CardAmountRefused: the amount is not from £1.00 to the maximum in whole pence, or an annual payment is
        not the account's annual amount.
    :raises CardPaymentRefused: card payments are off, or Stripe could not open its page (nothing was taken).
    """
    paid = card_amount(amount)
    if purpose == CardPayment.Purpose.ANNUAL:
        _check_annual(account, paid)
    if purpose == CardPayment.Purpose.TOP_UP:
        _check_top_up(account, now)
    card_gateway = gateway or configured_gateway()
    with transaction.atomic():
        card_payment = CardPayment.objects.create(
            account=account, purpose=purpose, amount=paid, created_at=now, created_by=actor
        )
        audit.record(
            actor=actor,
            action="payments.card_payment_started",
            subject=f"account {account.number}",
            customer=account.customer,
            at=now,
            after={"card_payment": card_payment.pk, "amount": str(paid), "purpose": purpose},
        )
    try:
        checkout = card_gateway.open_checkout(
            amount_pence=int(paid * 100),
            description=f"{CardPayment.Purpose(purpose).label} to {settings.HEARTH_BRAND['name']} "
            f"account {account.number}",
            metadata={METADATA_ACCOUNT: account.number, METADATA_CARD_PAYMENT: str(card_payment.pk)},
            success_url=_with_query(return_url, payment=card_payment.pk),
            cancel_url=cancel_url,
            idempotency_key=f"hearth-card-payment-{card_payment.pk}",
        )
    except CardGatewayUnavailable as exc:
        logger.warning("Card payment %s was not started: %s", card_payment.pk, exc)
        _change_status(
            card_payment,
            status=CardPayment.Status.CANCELLED,
            reason="Stripe could not open its card page.",
            action="payments.card_payment_not_started",
            actor=actor,
            now=now,
        )
        raise CardPaymentRefused(
            "We could not open the card payment page just now, and nothing was taken. Please try again in a few "
            "minutes."
        ) from exc
    card_payment.checkout_session_id = checkout.session_id
    card_payment.save(update_fields=["checkout_session_id"])
    return CardCheckout(card_payment=card_payment, url=checkout.url)


def card_payment_of(*, account: Account, card_payment_id: int) -> CardPayment | None:
    """One of this account's card payments, or None (another account's id is not told apart from a missing one)."""
    return CardPayment.objects.filter(account=account, pk=card_payment_id).select_related("payment").first()


# --- Stripe's events ----------------------------------------------------------------------------------------------


def handle_stripe_event(*, payload: bytes, signature_header: str, now: datetime) -> StripeEventOutcome:
    """Verify one webhook request and act on its event exactly once (see the module's docstring).

    The same event id again changes nothing and returns the stored event with ``repeated=True``.

    :raises CardEventRejected: no webhook secret configured, a missing or wrong signature, a signature time more
        than five minutes from ``now``, or a signed body that is not an event.
    """
    event = _verified_event(payload, signature_header, now)
    event_id, event_type = event.get("id"), event.get("type")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 255 and isinstance(event_type, str)):
        raise CardEventRejected("The signed body is not an event with an id and a type.")
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    stripe_object: dict[str, Any] = found if isinstance(found, dict) else {}
    for attempt in range(_ATTEMPTS):
        existing = StripeEvent.objects.filter(event_id=event_id).first()
        if existing is not None:
            return StripeEventOutcome(event=existing, repeated=True)
        try:
            with transaction.atomic():
                stored = StripeEvent.objects.create(
                    event_id=event_id, event_type=event_type[:100], received_at=now, payload=event, outcome=""
                )
                card_payment, outcome = _act(event_type, stripe_object, now)
                stored.card_payment = card_payment
                stored.outcome = outcome[:_OUTCOME_LENGTH]
                stored.save(update_fields=["card_payment", "outcome"])
            return StripeEventOutcome(event=stored, repeated=False)
        except IntegrityError:
            # Another worker recorded the same event id at the same moment: look again (it is then found).
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _verified_event(payload: bytes, signature_header: str, now: datetime) -> dict[str, Any]:
    secret = settings.HEARTH_STRIPE_WEBHOOK_SECRET
    if not secret:
        raise CardEventRejected("No Stripe webhook signing secret is configured.")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=_STRIPE_AGE_CHECK_OFF)
    except stripe.SignatureVerificationError:
        raise CardEventRejected("The request is not signed with the Stripe webhook signing secret.") from None
    except (ValueError, AttributeError):
        # Not UTF-8, not JSON, or JSON that is not an object: Stripe never sends these.
        raise CardEventRejected("The request's body is not a Stripe event.") from None
    _check_signed_at(signature_header, now)
    return _without_card_details(event.to_dict(for_json=True))


def _without_card_details(event: dict[str, Any]) -> dict[str, Any]:
    """The event as kept: a failed attempt's card (brand, last digits, expiry, billing details) is left out.

    Hearth has no use for them, and what it does not keep it cannot leak.
    """
    data = event.get("data")
    intent = data.get("object") if isinstance(data, dict) else None
    error = intent.get("last_payment_error") if isinstance(intent, dict) else None
    if isinstance(error, dict):
        error.pop("payment_method", None)
        error.pop("source", None)
    return event


def _check_signed_at(signature_header: str, now: datetime) -> None:
    """Refuse a signature made more than five minutes before or after ``now`` (a stale or replayed request)."""
    stamps = [value for name, _, value in (part.partition("=") for part in signature_header.split(",")) if name == "t"]
    try:
        signed_at = datetime.fromtimestamp(int(stamps[0]), tz=UTC)
    except (IndexError, ValueError, OverflowError, OSError):
        raise CardEventRejected("The signature has no time it was made.") from None
    if abs(now - signed_at) > SIGNATURE_TOLERANCE:
        raise CardEventRejected(
            f"The event was signed at {signed_at:%Y-%m-%d %H:%M:%S} UTC, more than five minutes from now."
        )


def _act(event_type: str, stripe_object: dict[str, Any], now: datetime) -> tuple[CardPayment | None, str]:
    """Do what the event asks, inside its recording transaction: the card payment concerned and what was done."""
    if event_type == "payment_intent.succeeded":
        return _succeeded(stripe_object, now)
    if event_type == "payment_intent.payment_failed":
        return _failed(stripe_object, now)
    if event_type == "checkout.session.expired":
        return _expired(stripe_object, now)
    return None, f"Ignored: Hearth does not act on {event_type} events."


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def _card_payment_of_intent(intent: dict[str, Any]) -> tuple[CardPayment | None, str]:
    """The card payment a PaymentIntent pays (locked for this transaction), or None and why it names none."""
    intent_id = _text(intent, "id")
    if not intent_id:
        return None, "Kept, nothing done: the event carries no PaymentIntent id."
    known = CardPayment.objects.select_for_update().filter(payment_intent_id=intent_id).first()
    if known is not None:
        return known, ""
    metadata = intent.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    claimed = _text(metadata, METADATA_CARD_PAYMENT)
    card_payment = (
        CardPayment.objects.select_for_update().filter(pk=int(claimed)).first() if claimed.isdigit() else None
    )
    if card_payment is None:
        return None, f"Kept, nothing done: PaymentIntent {intent_id} names no card payment Hearth started."
    if card_payment.account.number != _text(metadata, METADATA_ACCOUNT):
        return None, (
            f"Kept, nothing done: PaymentIntent {intent_id} names card payment {card_payment.pk} with account "
            f"{_text(metadata, METADATA_ACCOUNT) or '(none)'}, but that payment is for another account."
        )
    if card_payment.payment_intent_id is not None:
        return None, (
            f"Kept, nothing done: card payment {card_payment.pk} is paid through PaymentIntent "
            f"{card_payment.payment_intent_id}, not {intent_id}."
        )
    return card_payment, ""


def _amount_mismatch(card_payment: CardPayment, intent: dict[str, Any]) -> str:
    """Why the PaymentIntent's amount or currency is not the card payment's, or "" when they match."""
    pence, currency = intent.get("amount"), _text(intent, "currency")
    if type(pence) is int and pence == int(card_payment.amount * 100) and currency == CURRENCY:
        return ""
    stripe_says = f"{Decimal(pence) / 100:.2f} {currency.upper()}" if type(pence) is int else "no amount"
    return (
        f"Kept, nothing done: Stripe reports {stripe_says} but card payment {card_payment.pk} is for "
        f"{card_payment.amount:.2f} {CURRENCY.upper()}."
    )


def _succeeded(intent: dict[str, Any], now: datetime) -> tuple[CardPayment | None, str]:
    card_payment, problem = _card_payment_of_intent(intent)
    if card_payment is None:
        return None, problem
    mismatch = _amount_mismatch(card_payment, intent)
    if mismatch:
        return card_payment, mismatch
    if card_payment.status == CardPayment.Status.SUCCEEDED:
        return card_payment, f"Nothing done: card payment {card_payment.pk} was already paid."
    account = card_payment.account
    if card_payment.purpose == CardPayment.Purpose.TOP_UP:
        return _topped_up(card_payment, intent, now)
    entry = billing_ops.post_payment(
        account=account,
        amount=card_payment.amount,
        description=LEDGER_DESCRIPTION,
        reference=_text(intent, "id"),
        reason="",
        actor=None,
        now=now,
    )
    _settle(card_payment, intent, now, entry=entry, payment_intent=_text(intent, "id"), ledger_entry=entry.pk)
    return card_payment, f"Paid: {Money(card_payment.amount)} posted to account {account.number} (entry {entry.pk})."


def _topped_up(card_payment: CardPayment, intent: dict[str, Any], now: datetime) -> tuple[CardPayment, str]:
    """A paid top-up credits the meter (once: the vend is keyed on the PaymentIntent), not the account's ledger.

    A prepayment that ended while the customer was on Stripe's page cannot take it: the event is kept with the
    reason and the payment stays unsettled for care staff to refund.
    """
    account = card_payment.account
    intent_id = _text(intent, "id")
    prepayment = prepayment_ops.open_prepayment(account)
    if prepayment is None:
        return card_payment, f"Kept, nothing credited: account {account.number} no longer pays by prepayment."
    try:
        vend = top_ups.top_up(
            prepayment=prepayment,
            amount=card_payment.amount,
            channel=Vend.Channel.CARD,
            now=now,
            actor=card_payment.created_by,
            external_reference=intent_id,
        )
    except top_ups.TopUpRefused as exc:
        return card_payment, f"Kept, nothing credited: {exc}"
    _settle(card_payment, intent, now, vend=vend.reference)
    return (
        card_payment,
        f"Topped up: {Money(card_payment.amount)} onto the meter of account {account.number} (vend {vend.reference}).",
    )


def _settle(
    card_payment: CardPayment,
    intent: dict[str, Any],
    now: datetime,
    *,
    entry: LedgerEntry | None = None,
    **paid_into: object,
) -> None:
    """Mark the card payment paid by ``intent`` and audit it; ``paid_into`` (the ledger entry or the vend) goes in
    the audit's after."""
    before = card_payment.status
    card_payment.status = CardPayment.Status.SUCCEEDED
    card_payment.payment_intent_id = _text(intent, "id")
    card_payment.settled_at = now
    card_payment.payment = entry
    card_payment.failure_reason = ""
    card_payment.save(update_fields=["status", "payment_intent_id", "settled_at", "payment", "failure_reason"])
    audit.record(
        actor=None,
        action="payments.card_payment_succeeded",
        subject=f"account {card_payment.account.number}",
        customer=card_payment.account.customer,
        at=now,
        before={"card_payment": card_payment.pk, "status": before},
        after={"card_payment": card_payment.pk, "status": card_payment.status, **paid_into},
    )


def _failed(intent: dict[str, Any], now: datetime) -> tuple[CardPayment | None, str]:
    card_payment, problem = _card_payment_of_intent(intent)
    if card_payment is None:
        return None, problem
    mismatch = _amount_mismatch(card_payment, intent)
    if mismatch:
        return card_payment, mismatch
    if card_payment.status == CardPayment.Status.SUCCEEDED:
        return card_payment, f"Nothing done: card payment {card_payment.pk} is paid; an earlier attempt failed."
    error = intent.get("last_payment_error")
    reason = (_text(error, "message") if isinstance(error, dict) else "") or "The card payment did not go through."
    card_payment.payment_intent_id = _text(intent, "id")
    _change_status(
        card_payment,
        status=CardPayment.Status.FAILED,
        reason=reason,
        action="payments.card_payment_failed",
        actor=None,
        now=now,
    )
    return card_payment, f"Failed: {reason}"


def _expired(session: dict[str, Any], now: datetime) -> tuple[CardPayment | None, str]:
    session_id = _text(session, "id")
    card_payment = (
        CardPayment.objects.select_for_update().filter(checkout_session_id=session_id).first() if session_id else None
    )
    if card_payment is None:
        return None, f"Kept, nothing done: Checkout Session {session_id or '(none)'} is not one Hearth opened."
    if card_payment.status != CardPayment.Status.CREATED:
        return card_payment, f"Nothing done: card payment {card_payment.pk} is already {card_payment.status}."
    _change_status(
        card_payment,
        status=CardPayment.Status.CANCELLED,
        reason="Stripe's card page expired before a payment was made.",
        action="payments.card_payment_cancelled",
        actor=None,
        now=now,
    )
    return card_payment, f"Cancelled: card payment {card_payment.pk} was never made and its page expired."


def _change_status(
    card_payment: CardPayment,
    *,
    status: CardPayment.Status,
    reason: str,
    action: str,
    actor: User | None,
    now: datetime,
) -> None:
    """Set a card payment that moved no money FAILED or CANCELLED with its reason, and audit the change."""
    before = {"card_payment": card_payment.pk, "status": card_payment.status}
    card_payment.status = status
    card_payment.failure_reason = reason[:300]
    card_payment.save(update_fields=["status", "failure_reason", "payment_intent_id"])
    account = card_payment.account
    audit.record(
        actor=actor,
        action=action,
        subject=f"account {account.number}",
        customer=account.customer,
        at=now,
        before=before,
        after={"card_payment": card_payment.pk, "status": status, "reason": card_payment.failure_reason},
    )
