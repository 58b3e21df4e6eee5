"""Portal pages for API keys: make one (named), see them, revoke one.

A new key is shown once, on the page that answers the form, with ``Cache-Control: no-store`` so no cache keeps
it; Hearth keeps only its hash and cannot show it again. A key belongs to the login, not to the selected account:
it reaches every account linked to the login.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from hearth.domain.identity import api_keys
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web import plain_forms


class ApiKeyForm(plain_forms.PlainForm):
    name = forms.CharField(
        label="Name for the new key",
        max_length=api_keys.NAME_MAX_LENGTH,
        help_text="What will use it, so you can tell your keys apart (for example 'Home Assistant').",
        error_messages={"required": "Enter a name for the key, so you can tell what uses it."},
    )


def _page(request: PortalRequest, form: ApiKeyForm, new_key: str | None = None) -> HttpResponse:
    response = render(
        request,
        "portal/api_keys.html",
        {
            "form": form,
            "keys": api_keys.keys_of(user=request.user),
            "new_key": new_key,
            "api_root": request.build_absolute_uri(reverse("api:openapi-json")).removesuffix("openapi.json"),
            **views._account_context(request),
        },
    )
    if new_key is not None:
        add_never_cache_headers(response)
    return response


@access.account_page()
def api_keys_page(request: PortalRequest) -> HttpResponse:
    """List the login's keys; a POST makes a new one and shows it this once."""
    if request.method != "POST":
        return _page(request, ApiKeyForm())
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    try:
        _key, plaintext = api_keys.create_api_key(user=request.user, name=form.cleaned_data["name"], now=timezone.now())
    except api_keys.ApiKeyRefused as exc:
        form.add_error("name", str(exc))
        return _page(request, form)
    return _page(request, ApiKeyForm(), new_key=plaintext)


@require_POST
@access.account_page()
def revoke_api_key(request: PortalRequest, key_id: int) -> HttpResponse:
    """Revoke one of the login's keys; it stops working at once. Another login's key is not found."""
    key = api_keys.key_of(user=request.user, key_id=key_id)
    if key is None:
        raise Http404("No such API key.")
    api_keys.revoke_api_key(key=key, by=request.user, now=timezone.now())
    messages.success(request, f"The key '{key.name}' ({key.prefix}…) is revoked: it no longer works.")
    return redirect("portal:api_keys")
