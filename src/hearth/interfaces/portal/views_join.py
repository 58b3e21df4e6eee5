"""Joining us without signing in (T&C 2.1 Application, 3.1, 4.6, 9.2, 9.7): a quote from a postcode and a meter,
a product chosen, the details, and the confirmation; and, for an account holder, cancelling in the cooling-off
period (T&C 4.4).

The join journey keeps what was asked for the quote in the session, so each step re-prices from it rather than
trusting a price posted back. The details step is rate-limited like the other public forms that send e-mail, and
answers the same whether or not the e-mail address already has a login (``contracts.sign_up``).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from hearth.common import calendar
from hearth.data.contracts.models import Contract
from hearth.domain.contracts import cooling_off, quotes
from hearth.domain.contracts.sign_up import SignUpRefused, sign_up
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web.sign_up_forms import DetailsForm, QuoteForm, usage_from_session

JOIN_KEY = "hearth_join"
JOINED_KEY = "hearth_joined"


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Step 1: the postcode, fuels, meter and use; then every product we can supply there, with its prices."""
    form = QuoteForm(request.POST or None)
    quote = None
    if request.method == "POST" and form.is_valid():
        place = quotes.region_of_postcode(form.cleaned_data["postcode"])
        quote = quotes.quote(place=place, usage=form.usage(), at=timezone.now())
        request.session[JOIN_KEY] = form.session_data()
    return render(request, "portal/join/quote.html", {"form": form, "quote": quote})


@sensitive_post_parameters("sort_code", "account_number")
@require_http_methods(["GET", "POST"])
def join_details(request: HttpRequest) -> HttpResponse:
    """Step 2: the chosen product, the customer's details, how they pay, and the warranties (3.1)."""
    saved = usage_from_session(request.session.get(JOIN_KEY))
    if saved is None:
        return redirect("portal:join")
    postcode, usage = saved
    now = timezone.now()
    quote = quotes.quote(place=quotes.region_of_postcode(postcode), usage=usage, at=now)
    option = quote.option(request.POST.get("option") or request.GET.get("option", ""))
    if option is None:
        return redirect("portal:join")
    form = DetailsForm(request.POST or None, option=option, usage=usage)
    if request.method == "POST" and form.is_valid():
        if not views._public_form_within_limits(request, scope="join", email=form.cleaned_data["email"]):
            form.refuse(
                None,
                "We have had too many applications from here in the last hour. Please try again later, or call us "
                f"on {settings.HEARTH_BRAND['care_phone']}.",
            )
        else:
            try:
                done = sign_up(
                    application=form.application(postcode=postcode, usage=usage, option=option),
                    channel=Contract.Channel.WEB,
                    now=now,
                )
            except SignUpRefused as exc:
                form.refuse(exc.field, str(exc))
            else:
                first = done.contracts[0]
                request.session[JOINED_KEY] = {
                    "product": option.product.display_name,
                    "fuels": " and ".join(price.fuel.label.lower() for price in option.prices),
                    "email": form.cleaned_data["email"],
                    "commencement": f"{first.commencement_date:%-d %B %Y}",
                    "cooling_off_end": f"{first.cooling_off_end_date:%A %-d %B %Y}",
                    "start": f"{done.registrations[0].requested_start_date:%-d %B %Y}",
                }
                request.session.pop(JOIN_KEY, None)
                return redirect("portal:join_done")
    return render(
        request,
        "portal/join/details.html",
        {"form": form, "option": option, "postcode": postcode, "region": quote.place.region_name},
        status=400 if form.errors else 200,
    )


def join_done(request: HttpRequest) -> HttpResponse:
    """Step 3: what happens next. Shows only what this browser's own application said."""
    joined = request.session.get(JOINED_KEY)
    if not joined:
        return redirect("portal:join")
    return render(request, "portal/join/done.html", {"joined": joined})


@require_http_methods(["GET", "POST"])
@access.account_page(*access.MANAGERS)
def contract_cancel(request: PortalRequest) -> HttpResponse:
    """Cancel the selected account's contract in its cooling-off period: what will happen, then a confirm button.
    The holder, or a person they authorised to administer the account (T&C 15.7), may; a viewer may not."""
    now = timezone.now()
    today = calendar.local_date(now)
    contract = cooling_off.contract_to_cancel(request.account)
    refused = "You have no contract with us to cancel." if contract is None else cooling_off.refusal(contract, today)
    done = None
    if request.method == "POST" and contract is not None and refused is None:
        try:
            done = cooling_off.cancel_in_cooling_off(
                contract=contract, now=now, actor=request.user, channel=Contract.Channel.WEB
            )
        except cooling_off.CancellationRefused as exc:
            refused = str(exc)
    return render(
        request,
        "portal/contract/cancel.html",
        {"contract": contract, "refused": refused, "done": done, "today": today, **views._account_context(request)},
        status=400 if request.method == "POST" and refused else 200,
    )
