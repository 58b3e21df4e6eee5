"""Your Details and Delivery Settings (FAQ 3, 13): Your Details -> Delivery Settings -> Set delivery rules.

Rules are the signed-in login's own, per account: every page here reads and writes only ``request.user``'s rules,
and the account comes from an ``account`` parameter checked against the login's links (404 for any other, exactly
as for an account that does not exist), defaulting to the account selected in the portal. Viewers may set their
rules too: the rules only say how documents reach that person, and a viewer is sent documents like anyone else.

"Set delivery rules" opens a dialog on the Delivery Settings page (a ``<dialog>`` enhanced by
``portal/delivery-rules.js``); without JavaScript the same link opens the same form as a page of its own. Either
way Apply posts to :func:`delivery_rules`, and Cancel returns to Delivery Settings with nothing changed.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from hearth.data.identity.models import AccountLink
from hearth.domain.documents import delivery, rules
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.portal.forms_delivery import DeliveryRulesForm


def _chosen_link(request: PortalRequest, value: str | None) -> AccountLink:
    """The login's link to the account asked for (the selected one when none is); 404 for any other."""
    if not value:
        return request.link
    try:
        account_id = int(value)
    except ValueError:
        raise Http404("No such account.") from None
    link = next((link for link in request.links if link.account_id == account_id), None)
    if link is None:
        raise Http404("No such account.")
    return link


def _settings_url(link: AccountLink) -> str:
    return f"{reverse('portal:delivery_settings')}?account={link.account_id}"


@access.account_page()
def your_details(request: PortalRequest) -> HttpResponse:
    """The login's e-mail address and the accounts linked to it, with the way to Delivery Settings."""
    context = {"links": request.links, **views._account_context(request)}
    return render(request, "portal/delivery/your_details.html", context)


def _form_context(request: PortalRequest, link: AccountLink, form: DeliveryRulesForm) -> dict[str, object]:
    return {
        "chosen": link,
        "form": form,
        "rows": form.rows(),
        "settings_url": _settings_url(link),
        **views._account_context(request),
    }


@access.account_page()
def delivery_settings(request: PortalRequest) -> HttpResponse:
    """The login's rules for the selected account (chosen with the portal's one account switcher), any deliveries
    that failed for good, and "Set delivery rules"."""
    link = _chosen_link(request, request.GET.get("account"))
    if link.account_id != request.account.pk:  # a link from Your Details: the one switcher shows this account too
        request.session[access.SELECTED_ACCOUNT_KEY] = link.account_id
        request.account, request.link = link.account, link
    rows = rules.rules_of(user=request.user, account=link.account)
    context = {
        **_form_context(request, link, DeliveryRulesForm(rows=rows)),
        "rules": rows,
        "failures": delivery.failed_deliveries_of(user=request.user, account=link.account),
    }
    return render(request, "portal/delivery/settings.html", context)


@access.account_page()
def delivery_rules(request: PortalRequest) -> HttpResponse:
    """The rules form as a page (GET, the dialog without JavaScript); Apply (POST) saves the login's rules."""
    link = _chosen_link(
        request, request.POST.get("account") if request.method == "POST" else request.GET.get("account")
    )
    rows = rules.rules_of(user=request.user, account=link.account)
    form = DeliveryRulesForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            rules.apply_rules(
                user=request.user, account=link.account, chosen=form.chosen(), actor=request.user, now=timezone.now()
            )
        except rules.RulesRefused as refused:
            form.refuse(refused)
        else:
            messages.success(request, f"Your delivery rules for account {link.account.number} are saved.")
            return redirect(_settings_url(link))
    status = 400 if form.refused else 200
    return render(request, "portal/delivery/rules.html", _form_context(request, link, form), status=status)
