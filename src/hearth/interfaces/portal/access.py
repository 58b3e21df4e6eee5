"""Who may see a portal page: a signed-in customer, activated, and linked to the selected account."""

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from hearth.data.accounts.models import Account
from hearth.data.identity.models import AccountLink, User
from hearth.domain.identity import queries as identity_queries

SELECTED_ACCOUNT_KEY = "hearth_account_id"

MANAGERS = (AccountLink.Role.HOLDER, AccountLink.Role.AUTHORISED)
"""The roles that may change an account (pay, set up a Direct Debit, cancel, move home, read meters); viewers only
look."""

STEP_URLS = {
    identity_queries.ActivationStep.ACCEPT_CONDITIONS: "portal:activate_conditions",
    identity_queries.ActivationStep.SET_SECURITY_QUESTION: "portal:activate_security_question",
    identity_queries.ActivationStep.CHOOSE_PASSWORD: "portal:activate_password",
}


class PortalRequest(HttpRequest):
    """A request on an account-scoped page, after the checks: the login, its link to the account and all its links."""

    user: User
    link: AccountLink
    account: Account
    links: Sequence[AccountLink]


def customer(request: HttpRequest) -> User | None:
    user = request.user
    if user.is_authenticated and isinstance(user, User) and user.kind == User.Kind.CUSTOMER:
        return user
    return None


def next_step_url(user: User) -> str | None:
    steps = identity_queries.pending_steps(user=user, conditions_version=identity_queries.current_conditions_version())
    return STEP_URLS[steps[0]] if steps else None


def selected_link(request: HttpRequest, links: Sequence[AccountLink]) -> AccountLink | None:
    """The account chosen in this session if still linked, else the login's first linked account."""
    account_id = request.session.get(SELECTED_ACCOUNT_KEY)
    chosen = next((link for link in links if link.account_id == account_id), None) if account_id else None
    return chosen or (links[0] if links else None)


View = Callable[..., HttpResponseBase]
"""A view: most answer an HttpResponse, a download a streamed FileResponse."""


def signed_in(view: View) -> View:
    """A signed-in customer, at any step of activation (the activation pages themselves)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if customer(request) is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _activated(request: HttpRequest) -> Sequence[AccountLink] | HttpResponse:
    """The activated customer's links, read once per request, or where to send a visitor who is not one (sign-in,
    or the next activation step)."""
    user = customer(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    standing = identity_queries.portal_standing(
        user=user, conditions_version=identity_queries.current_conditions_version()
    )
    if standing.steps:
        return redirect(STEP_URLS[standing.steps[0]])
    request.links = standing.links  # type: ignore[attr-defined]
    return standing.links


def _allow(request: HttpRequest, link: AccountLink, roles: tuple[AccountLink.Role, ...]) -> None:
    """Refuse a link whose role is not among ``roles`` (none: any), else put the link and account on the request."""
    if roles and link.role not in roles:
        raise PermissionDenied("Your role on this account does not allow this.")
    request.link = link  # type: ignore[attr-defined]
    request.account = link.account  # type: ignore[attr-defined]


def linked_accounts(request: PortalRequest) -> list[Account]:
    """The login's accounts, from the links the access check read (no query of its own)."""
    return [link.account for link in request.links]


def account_page(*roles: AccountLink.Role) -> Callable[[View], View]:
    """An activated customer looking at the selected account; `roles` limits who may (default: any link)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            links = _activated(request)
            if isinstance(links, HttpResponse):
                return links
            link = selected_link(request, links)
            if link is None:
                return redirect("portal:no_accounts")
            _allow(request, link, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def numbered_account_page(*roles: AccountLink.Role) -> Callable[[View], View]:
    """An activated customer on the account whose ``number`` is in the URL; `roles` limits who may.

    An account not linked to the login answers 404, exactly like a number that does not exist. The session's
    selected account is left as it is.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            links = _activated(request)
            if isinstance(links, HttpResponse):
                return links
            link = next((link for link in links if link.account.number == kwargs["number"].strip()), None)
            if link is None:
                raise Http404("No such account among yours.")
            _allow(request, link, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def can_manage(request: PortalRequest) -> bool:
    """Whether the signed-in login may change the selected account (:data:`MANAGERS`), so a page shows its actions."""
    return request.link.role in MANAGERS
