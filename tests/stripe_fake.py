"""A local fake Stripe for tests: nothing leaves the machine.

It is a small threaded HTTP server on 127.0.0.1 (a random port) that answers what Hearth's ``StripeGateway`` asks
through the ``stripe`` package, with Stripe's JSON shapes:

- ``POST /v1/checkout/sessions``: a Checkout Session in payment mode (form-encoded, nested ``a[b][0][c]`` keys as
  the package sends them), refused with 401 unless ``Authorization: Bearer <secret key>``; the same
  ``Idempotency-Key`` again answers the first session. Like Stripe since API version 2022-08-01, the session has no
  PaymentIntent until the customer pays.
- ``GET /c/pay/<session id>``: a plain page standing in for Stripe's hosted page.

Then :meth:`FakeStripe.pay` plays the customer paying (or the card being declined) and Stripe telling Hearth: it
makes the PaymentIntent with the metadata Hearth gave, builds the ``payment_intent.succeeded`` (or
``payment_intent.payment_failed``) event and delivers it, signed as Stripe signs:
``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the webhook secret>``. The signature is
computed here with ``hmac`` (not with the ``stripe`` package Hearth verifies with), so the two are independent.
"""

import hashlib
import hmac
import itertools
import json
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Deliver = Callable[[bytes, dict[str, str]], int]
"""Posts a webhook body with its headers to Hearth; returns the HTTP status Hearth answered."""

API_VERSION = "2026-10-28.endive"


@dataclass(frozen=True)
class Delivery:
    """One webhook request as sent: the event, the exact body, its signature header and Hearth's answer."""

    event: dict[str, Any]
    body: bytes
    signature: str
    status: int


def stripe_signature(body: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header Stripe sends for ``body``, signed at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _stripe_id(prefix: str) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(24))


def _nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``a[b][0][c]=v`` pairs as nested dicts and lists, as Stripe reads its form-encoded requests."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for part, following in itertools.pairwise(parts):
            child: Any = [] if following.isdigit() else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(child)
                node = node[index]
            else:
                node = node.setdefault(part, child)
        last = parts[-1]
        if isinstance(node, list):
            node.append(value)
        else:
            node[last] = value
    return root


class FakeStripe:
    """The fake Stripe account: its secret key, its webhook signing secret, and what it has been asked."""

    def __init__(self, *, secret_key: str, webhook_secret: str, deliver: Deliver | None = None) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.deliver = deliver
        self.sessions: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.failing = False
        self._by_idempotency_key: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> "FakeStripe":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # --- The API --------------------------------------------------------------------------------------------------

    def create_session(self, params: dict[str, Any], idempotency_key: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if idempotency_key in self._by_idempotency_key:
                return HTTPStatus.OK, self._by_idempotency_key[idempotency_key]
            missing = [name for name in ("mode", "line_items", "success_url") if name not in params]
            if missing:
                return HTTPStatus.BAD_REQUEST, _error(f"Missing required param: {missing[0]}.", param=missing[0])
            items = params["line_items"]
            total = sum(int(item["price_data"]["unit_amount"]) * int(item.get("quantity", "1")) for item in items)
            session_id = _stripe_id("cs_test_")
            now = int(time.time())
            session = {
                "id": session_id,
                "object": "checkout.session",
                "amount_subtotal": total,
                "amount_total": total,
                "cancel_url": params.get("cancel_url"),
                "client_reference_id": params.get("client_reference_id"),
                "created": now,
                "currency": items[0]["price_data"]["currency"],
                "customer": None,
                "expires_at": now + 24 * 3600,
                "livemode": False,
                "metadata": params.get("metadata", {}),
                "mode": params["mode"],
                "payment_intent": None,
                "payment_status": "unpaid",
                "status": "open",
                "success_url": params["success_url"],
                "url": f"{self.api_base}/c/pay/{session_id}",
            }
            self.sessions[session_id] = {**session, "payment_intent_data": params.get("payment_intent_data", {})}
            self._by_idempotency_key[idempotency_key] = session
            return HTTPStatus.OK, session

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test output shows only what the tests print."""

            def _answer(self, status: int, body: dict[str, Any] | str) -> None:
                content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "text/html; charset=utf-8" if isinstance(body, str) else "application/json"
                )
                self.send_header("Content-Length", str(len(content)))
                self.send_header("Request-Id", _stripe_id("req_"))
                self.end_headers()
                self.wfile.write(content)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                params = _nested(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                fake.requests.append(("POST", self.path, params))
                if self.headers.get("Authorization") != f"Bearer {fake.secret_key}":
                    self._answer(HTTPStatus.UNAUTHORIZED, _error("Invalid API Key provided."))
                elif fake.failing:
                    self._answer(HTTPStatus.INTERNAL_SERVER_ERROR, _error("Something went wrong.", kind="api_error"))
                elif self.path == "/v1/checkout/sessions":
                    self._answer(*fake.create_session(params, self.headers.get("Idempotency-Key") or _stripe_id("")))
                else:
                    self._answer(HTTPStatus.NOT_FOUND, _error(f"Unrecognized request URL (POST: {self.path})."))

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                fake.requests.append(("GET", path, {}))
                session = fake.sessions.get(path.removeprefix("/c/pay/"))
                if path.startswith("/c/pay/") and session is not None:
                    pounds = f"£{session['amount_total'] / 100:.2f}"
                    self._answer(HTTPStatus.OK, f"<!doctype html><title>Stripe</title><h1>Pay {pounds}</h1>")
                else:
                    self._answer(HTTPStatus.NOT_FOUND, _error(f"Unrecognized request URL (GET: {path})."))

        return Handler

    # --- The customer pays, and Stripe tells Hearth -------------------------------------------------------------

    def payment_event(
        self,
        session_id: str,
        *,
        declined: str = "",
        amount: int | None = None,
        currency: str | None = None,
    ) -> dict[str, Any]:
        """The customer pays the session's amount (or ``declined`` says why the card was refused): Stripe's event.

        ``amount`` and ``currency`` make Stripe report something other than the session's (a mismatch Hearth must
        notice).
        """
        session = self.sessions[session_id]
        intent_id = session["payment_intent"] or _stripe_id("pi_")
        intent = self._intent(session, intent_id, declined, amount, currency)
        session["payment_intent"] = intent_id
        if not declined:
            session.update(status="complete", payment_status="paid")
        return self.event("payment_intent.payment_failed" if declined else "payment_intent.succeeded", intent)

    def pay(
        self,
        session_id: str,
        *,
        declined: str = "",
        amount: int | None = None,
        currency: str | None = None,
        signed_at: int | None = None,
    ) -> Delivery:
        """:meth:`payment_event`, delivered to Hearth (signed at ``signed_at``, a unix time, if given: stale)."""
        event = self.payment_event(session_id, declined=declined, amount=amount, currency=currency)
        return self.send(event, signed_at=signed_at)

    def expire(self, session_id: str) -> Delivery:
        """The session's page expires unpaid (24 hours after it opened)."""
        session = self.sessions[session_id]
        session.update(status="expired")
        shown = {key: value for key, value in session.items() if key != "payment_intent_data"}
        return self.send(self.event("checkout.session.expired", shown))

    def _intent(
        self, session: dict[str, Any], intent_id: str, declined: str, amount: int | None, currency: str | None
    ) -> dict[str, Any]:
        data = session["payment_intent_data"]
        total = session["amount_total"] if amount is None else amount
        error = None
        if declined:
            error = {
                "code": "card_declined",
                "decline_code": "insufficient_funds",
                "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                "message": declined,
                "type": "card_error",
                "payment_method": {
                    "id": _stripe_id("pm_"),
                    "object": "payment_method",
                    "billing_details": {"email": "payer@example.com", "name": "Jo Payer"},
                    "card": {"brand": "visa", "exp_month": 12, "exp_year": 2031, "last4": "9995", "funding": "debit"},
                    "type": "card",
                },
            }
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": total,
            "amount_capturable": 0,
            "amount_received": 0 if declined else total,
            "capture_method": "automatic_async",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": currency or session["currency"],
            "description": data.get("description"),
            "last_payment_error": error,
            "latest_charge": None if declined else _stripe_id("ch_"),
            "livemode": False,
            "metadata": data.get("metadata", {}),
            "payment_method": None if declined else _stripe_id("pm_"),
            "payment_method_types": ["card"],
            "status": "requires_payment_method" if declined else "succeeded",
        }
        self.intents[intent_id] = intent
        return intent

    @staticmethod
    def event(kind: str, stripe_object: dict[str, Any]) -> dict[str, Any]:
        """A webhook event (a snapshot event, as Stripe sends for the v1 API) about ``stripe_object``."""
        return {
            "id": _stripe_id("evt_"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": stripe_object},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }

    def sign(self, event: dict[str, Any], *, signed_at: int | None = None) -> Delivery:
        """The request Stripe would send for ``event`` (not sent yet): its body and ``Stripe-Signature``."""
        body = json.dumps(event, indent=2).encode()
        timestamp = int(time.time()) if signed_at is None else signed_at
        return Delivery(
            event=event, body=body, signature=stripe_signature(body, self.webhook_secret, timestamp), status=0
        )

    def send(self, event: dict[str, Any], *, signed_at: int | None = None) -> Delivery:
        """Deliver ``event`` as Stripe does (a retry of the same event is this again: same id, signed anew)."""
        return self.resend(self.sign(event, signed_at=signed_at))

    def resend(self, delivery: Delivery) -> Delivery:
        """Deliver this very request, byte for byte (again: a replay by whoever captured it)."""
        if self.deliver is None:
            raise RuntimeError("FakeStripe(deliver=...) says how to reach Hearth's webhook.")
        headers = {"Stripe-Signature": delivery.signature, "Content-Type": "application/json; charset=utf-8"}
        status = self.deliver(delivery.body, headers)
        return Delivery(event=delivery.event, body=delivery.body, signature=delivery.signature, status=status)


def _error(message: str, *, kind: str = "invalid_request_error", param: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind}
    if param:
        error["param"] = param
    return {"error": error}
