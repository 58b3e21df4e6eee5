"""The Priority Services Register in the portal (T&C 20.4): a household joins, changes its needs, or sees what we
hold. Holders and authorised persons may use it; viewers may not. Health details are never shown back here: the
customer can replace them, and only our vulnerability team reads them (ADR 0019)."""

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.data.accounts.models import Customer
from hearth.data.priority.models import Registration
from hearth.domain.priority import queries as priority_queries
from hearth.domain.priority.needs import BY_CODE, Need
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web.forms_priority import PORTAL_WORDS, RegistrationForm


def _needs_held(registration: Registration) -> list[tuple[Need, date | None]]:
    """Each need of the registration with its last day, if it is temporary."""
    return [
        (BY_CODE[code], date.fromisoformat(until) if (until := registration.needs_until.get(code)) else None)
        for code in registration.needs
        if code in BY_CODE
    ]


@access.account_page(*access.MANAGERS)
def priority_services(request: PortalRequest) -> HttpResponse:
    """What the register holds for this household, and the form to join or change it."""
    customer = request.account.customer
    household = customer.kind == Customer.Kind.PERSON
    current = priority_queries.current_registration(customer) if household else None
    form = RegistrationForm(request.POST or None, words=PORTAL_WORDS, initial=RegistrationForm.initial_from(current))
    if household and request.method == "POST" and form.is_valid():
        now = timezone.now()
        saved = form.register(
            customer=customer,
            source=Registration.Source.PORTAL,
            consent_note=f"In the portal, signed in as {request.user.email}",
            actor=request.user,
            now=now,
        )
        if saved is not None:
            messages.success(request, "Thank you: you are on our Priority Services Register.")
            return redirect("portal:priority_services")
    return render(
        request,
        "portal/priority_services.html",
        {
            "form": form,
            "household": household,
            "current": current,
            "current_needs": _needs_held(current) if current else [],
            **views._account_context(request),
        },
        status=400 if form.errors else 200,
    )
