"""Who may use the care console: signed-in staff who passed the second factor. Customers never may."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from hearth.data.identity.models import User

CARE_PREFIX = "/care/"


class CareRequest(HttpRequest):
    """A request on a console page, after the checks: `user` is a verified staff login."""

    user: User


def staff(request: HttpRequest) -> User | None:
    """The signed-in staff login if it passed its second factor in this session, else None."""
    user = request.user
    if not (user.is_authenticated and isinstance(user, User)):
        return None
    if user.kind != User.Kind.STAFF or not user.is_staff or not user.is_active:
        return None
    is_verified = getattr(user, "is_verified", None)
    if not callable(is_verified) or not is_verified():
        return None
    return user


def safe_care_path(request: HttpRequest, candidate: str | None) -> str | None:
    """`candidate` if it is a path inside the console on this host (a `next` after sign-in or an action)."""
    if not candidate or not candidate.startswith(CARE_PREFIX):
        return None
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=False):
        return None
    return candidate


View = Callable[..., HttpResponseBase]


def staff_required(view: View) -> View:
    """Anyone but verified staff (anonymous visitors, customers, staff without the second factor) goes to sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if staff(request) is None:
            url = reverse("care:login")
            if request.method == "GET":
                url = f"{url}?{urlencode({'next': request.get_full_path()})}"
            return redirect(url)
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[View], View]:
    """Verified staff (as :func:`staff_required`) whose care role is one of ``roles``; other staff get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = staff(request)
            if user is not None and user.care_role not in roles:
                raise PermissionDenied("Your care role does not allow this page.")
            return view(request, *args, **kwargs)

        return staff_required(wrapper)

    return decorate
