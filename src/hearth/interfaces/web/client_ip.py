"""The client's IP address for login throttling, correct behind the operator's reverse proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with HEARTH_TRUSTED_PROXY_COUNT=N the address N hops from the right of X-Forwarded-For.

    Only the operator's own proxies append to the header, so counting from the right cannot be
    spoofed by a client that sends its own X-Forwarded-For.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.HEARTH_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    return hops[-proxies] if len(hops) >= proxies else remote
