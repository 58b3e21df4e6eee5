"""Stripe's webhook: ``POST /inbound/stripe/``, the events that say whether a card payment was made (ADR 0011).

Stripe signs each request: ``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with the
endpoint's signing secret (HEARTH_STRIPE_WEBHOOK_SECRET). The domain verifies it with the ``stripe`` package and
records each event once by its id.

- No secret configured, no signature, a wrong one, or one more than five minutes old: 400 with a fixed message
  (nothing about why, for the sender), the reason in the log, and nothing stored.
- A good signature: 200, also for an event already handled (nothing changes) or one that could not be acted on
  (kept with its reason), so Stripe stops retrying.
"""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hearth.domain.payments import cards

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_events(request: HttpRequest) -> HttpResponse:
    """Act once on one signed Stripe event; see the module's docstring for the answers."""
    try:
        outcome = cards.handle_stripe_event(
            payload=request.body,
            signature_header=request.headers.get("Stripe-Signature", ""),
            now=timezone.now(),
        )
    except cards.CardEventRejected as exc:
        logger.warning("Refused a Stripe webhook request: %s", exc)
        return HttpResponseBadRequest("The request is not a signed Stripe event.", content_type="text/plain")
    event = outcome.event
    logger.info(
        "Stripe event %s (%s): %s",
        event.event_id,
        event.event_type,
        "already handled, nothing changed" if outcome.repeated else event.outcome,
    )
    return HttpResponse("Received.", content_type="text/plain")
