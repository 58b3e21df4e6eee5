"""Twilio's inbound-SMS webhook: ``POST /inbound/sms/twilio/`` (docs/amr-sms.md).

Twilio signs each request with the account's auth token: ``X-Twilio-Signature`` is the base64 HMAC-SHA1 of the URL
Twilio requested followed by every POST parameter's name and value, sorted by name (and, for a repeated name, by
value, duplicates once). This module computes it the way the Twilio helper library's ``RequestValidator`` does,
trying the URL with and without its default port as that does, and compares in constant time. (A request carrying
``X-Twilio-Webhooks-Signature-Settings: ...,algorithm=HMAC_SHA256`` is checked with SHA-256 instead, as the library
does; the configured token is then the shared key's secret.)

- No token configured, no signature or a wrong one: 403 and nothing is stored.
- A good signature: always 200 with an empty TwiML ``<Response/>``, even when the message is unreadable, so the
  gateway stops retrying; the message is kept (quarantined with its reason if it cannot be used).

Twilio puts no timestamp in what it signs, so a stale request cannot be told from a fresh one; a replayed request
is harmless instead, because messages are deduplicated by ``MessageSid`` with a unique constraint.
"""

import base64
import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from typing import Final
from urllib.parse import urlparse

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hearth.domain.metering import amr

logger = logging.getLogger(__name__)

SIGNATURE_HEADER: Final = "X-Twilio-Signature"
SETTINGS_HEADER: Final = "X-Twilio-Webhooks-Signature-Settings"
EMPTY_TWIML: Final = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
_ALGORITHMS: Final[dict[str, Callable[..., "hashlib._Hash"]]] = {
    "HMAC_SHA1": hashlib.sha1,
    "HMAC_SHA256": hashlib.sha256,
}
_SID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")


def signing_algorithm(settings_header: str) -> str:
    """The algorithm named by ``X-Twilio-Webhooks-Signature-Settings`` (``key=...,algorithm=...``); SHA-1 if none."""
    for part in (settings_header or "").split(","):
        name, separator, value = part.partition("=")
        if separator and name.strip() == "algorithm" and value.strip():
            return value.strip().upper()
    return "HMAC_SHA1"


def compute_signature(*, token: str, url: str, params: QueryDict, algorithm: str = "HMAC_SHA1") -> str:
    """Twilio's signature of a form POST: base64(HMAC(token, url + name + value ... sorted by name, then value)).

    :raises ValueError: for an algorithm Twilio does not use.
    """
    digest = _ALGORITHMS.get(algorithm)
    if digest is None:
        raise ValueError(f"Unsupported signature algorithm {algorithm!r}.")
    signed = url
    for name in sorted(set(params.keys())):
        for value in sorted(set(params.getlist(name))):
            signed += name + value
    mac = hmac.new(token.encode("utf-8"), signed.encode("utf-8"), digest)
    return base64.b64encode(mac.digest()).decode("ascii").strip()


def _url_variants(url: str) -> list[str]:
    """The URL as received, and without and with its default port, as ``RequestValidator`` tries them.

    Twilio is not consistent about whether the port is in the URL it signs.
    """
    parts = urlparse(url)
    try:
        port = parts.port
    except ValueError:
        return [url]
    if port:
        without = parts._replace(netloc=parts.netloc.split(":")[0]).geturl()
        with_port = parts.geturl()
    else:
        without = parts.geturl()
        with_port = parts._replace(netloc=f"{parts.netloc}:{443 if parts.scheme == 'https' else 80}").geturl()
    return list(dict.fromkeys([url, without, with_port]))


def signature_is_valid(*, token: str, url: str, params: QueryDict, signature: str, settings_header: str = "") -> bool:
    """Whether ``signature`` is Twilio's for this URL and these POST parameters, compared in constant time."""
    if not token or not signature:
        return False
    algorithm = signing_algorithm(settings_header)
    if algorithm not in _ALGORITHMS:
        return False
    given = signature.encode("utf-8")
    valid = False
    for variant in _url_variants(url):
        expected = compute_signature(token=token, url=variant, params=params, algorithm=algorithm).encode("ascii")
        valid |= hmac.compare_digest(expected, given)
    return valid


def _message_sid(params: QueryDict, from_number: str, body: str) -> str:
    """The message id Twilio sent, or (if it sent none usable) one made from the content, so a resend dedupes."""
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if _SID.fullmatch(sid):
        return sid
    digest = hashlib.sha256(f"{from_number}\n{body}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"NOSID-{digest[:48]}"


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    """Keep one inbound SMS after checking Twilio's signature; see the module's docstring for the answers."""
    token = settings.HEARTH_TWILIO_AUTH_TOKEN
    url = settings.HEARTH_TWILIO_WEBHOOK_URL or request.build_absolute_uri()
    if not signature_is_valid(
        token=token,
        url=url,
        params=request.POST,
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        settings_header=request.headers.get(SETTINGS_HEADER, ""),
    ):
        logger.warning(
            "Refused an inbound SMS webhook request: %s",
            "no Twilio auth token is configured" if not token else "missing or wrong X-Twilio-Signature",
        )
        return HttpResponseForbidden("The request is not signed by the SMS gateway.", content_type="text/plain")
    from_number = request.POST.get("From", "")
    body = request.POST.get("Body", "")
    now = timezone.now()
    outcome = amr.ingest_sms(
        message_sid=_message_sid(request.POST, from_number, body),
        from_number=from_number,
        to_number=request.POST.get("To", ""),
        body=body,
        received_at=now,
        now=now,
    )
    logger.info(
        "Inbound SMS %s: %s%s",
        outcome.message.message_sid,
        outcome.message.status,
        " (already received)" if outcome.repeated else "",
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
