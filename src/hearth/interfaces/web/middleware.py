"""Middleware the framework does not provide: CSP, the absolute session limit, renewing the idle limit, and refusing
unstorable input."""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone

from hearth.common import text

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

SESSION_STARTED_KEY = "hearth_signed_in_at"
SESSION_RENEWED_KEY = "hearth_renewed_at"


class ContentSecurityPolicyMiddleware:
    """Everything is served by Hearth itself, so the policy allows only 'self'."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class AbsoluteSessionLimitMiddleware:
    """End a session 12 hours after sign-in however active it is (the idle limit is the cookie age)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = timezone.now()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now.isoformat()
            elif now - datetime.fromisoformat(started) > settings.SESSION_ABSOLUTE_LIMIT:
                logout(request)
        return self.get_response(request)


class IdleSessionRenewalMiddleware:
    """Renew a signed-in session's idle limit (``SESSION_COOKIE_AGE``) at most once per ``SESSION_RENEWAL_INTERVAL``.

    Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) made every signed-in page a database write;
    marking it changed once a minute saves it, with a new expiry and cookie, only then.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            renewed = request.session.get(SESSION_RENEWED_KEY)
            if renewed is None or now - datetime.fromisoformat(renewed) >= settings.SESSION_RENEWAL_INTERVAL:
                request.session[SESSION_RENEWED_KEY] = now.isoformat()
        return self.get_response(request)


OWN_ANSWERS = ("/inbound/", "/api/")
"""Webhooks read their own bodies (a signature covers the bytes) and keep unstorable input in quarantine; the API
answers in JSON as its schema says (an unknown account with a NUL is 404 like any other)."""
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class UnstorableInputMiddleware:
    """Answer 400, saying where, to a request whose address, query, form fields or user agent hold a character no
    database text column can store (NUL, a lone surrogate), instead of failing with a server error when it reaches
    a query. Webhooks and the API (:data:`OWN_ANSWERS`) deal with such input themselves. Uploaded files are not
    text and are not checked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OWN_ANSWERS):
            where = self._unstorable(request)
            if where is not None:
                return HttpResponseBadRequest(
                    f"The request has a character that cannot be accepted (a NUL or an invalid one) in {where}. "
                    "Remove it and try again.",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)

    @staticmethod
    def _unstorable(request: HttpRequest) -> str | None:
        if text.first_unstorable(request.path) is not None:
            return "the address"
        if text.first_unstorable(request.META.get("HTTP_USER_AGENT", "")) is not None:
            return "the browser's User-Agent header"
        fields = [("the query", request.GET)]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            fields.append(("the form", request.POST))
        for part, values in fields:
            for name, items in values.lists():
                if text.first_unstorable(name) is not None:
                    return f"the name of a field of {part}"
                if any(text.first_unstorable(item) is not None for item in items):
                    return f"{part}'s field {text.storable(name)[:40]!r}"
        return None
