"""The care console's sign-up on the phone and cooling-off cancellation (T&C 2.1, 3.1, 4.4, 9.2, 9.7): the same
questions and the same domain operations as the public join journey, with the agent as the actor and the CARE
channel, so the contract's timeline says who did it."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from hearth.common import calendar
from hearth.data.contracts.models import Contract
from hearth.domain.contracts import cooling_off, quotes
from hearth.domain.contracts.sign_up import SignUpRefused, sign_up
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.care.views_payments import _account_or_404
from hearth.interfaces.web.sign_up_forms import DetailsForm, QuoteForm


@sensitive_post_parameters("sort_code", "account_number")
@require_http_methods(["GET", "POST"])
@access.staff_required
def sign_up_customer(request: CareRequest) -> HttpResponse:
    """A quote from what the caller says (GET), a plan chosen (``option``), then their details (POST). The quote is
    re-made from the query on every step, so the prices signed up to are today's."""
    quote_form = QuoteForm(request.GET if "postcode" in request.GET else None)
    quote = option = details = None
    now = timezone.now()
    if quote_form.is_bound and quote_form.is_valid():
        usage = quote_form.usage()
        postcode = quote_form.cleaned_data["postcode"]
        quote = quotes.quote(place=quotes.region_of_postcode(postcode), usage=usage, at=now)
        option = quote.option(request.GET.get("option", ""))
        if option is not None:
            details = DetailsForm(request.POST or None, option=option, usage=usage)
            if request.method == "POST" and details.is_valid():
                try:
                    done = sign_up(
                        application=details.application(postcode=postcode, usage=usage, option=option),
                        channel=Contract.Channel.CARE,
                        now=now,
                        actor=request.user,
                    )
                except SignUpRefused as exc:
                    details.refuse(exc.field, str(exc))
                else:
                    numbers = ", ".join(contract.account.number for contract in done.contracts)
                    messages.success(
                        request,
                        f"Signed up on {option.product.display_name}: account {numbers}. The Confirmation "
                        "Correspondence is sent"
                        + (f" and login details e-mailed to {done.login.email}." if done.login else "."),
                    )
                    return redirect("care:customer", customer_id=done.customer.pk)
    return care_views._render(
        request,
        "care/contracts/sign_up.html",
        {
            "quote_form": quote_form,
            "quote": quote,
            "option": option,
            "details": details,
            "query": request.GET.urlencode() if quote is not None else "",
            "quote_query": "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "option"),
        },
        status=400 if details is not None and details.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@access.staff_required
def contract_cancel(request: CareRequest, number: str) -> HttpResponse:
    """Cancel the account's contract in its cooling-off period for the customer on the phone: what will happen, then
    a confirm button; after the period, the refusal says how they can leave instead."""
    account = _account_or_404(number)
    now = timezone.now()
    today = calendar.local_date(now)
    contract = cooling_off.contract_to_cancel(account)
    refused = "This account has no contract to cancel." if contract is None else cooling_off.refusal(contract, today)
    if request.method == "POST" and contract is not None and refused is None:
        try:
            done = cooling_off.cancel_in_cooling_off(
                contract=contract, now=now, actor=request.user, channel=Contract.Channel.CARE
            )
        except cooling_off.CancellationRefused as exc:
            refused = str(exc)
        else:
            ends = (
                f" Supply ends after {done.last_supply_day:%-d %b %Y}; the final bill charges the energy used."
                if done.last_supply_day
                else " The switch to us is withdrawn."
            )
            refund = f" Annual payment refund of £{done.refund.amount} requested." if done.refund else ""
            messages.success(request, f"Contract cancelled in the cooling-off period.{ends}{refund} Notice sent.")
            return redirect("care:customer", customer_id=account.customer_id)
    return care_views._render(
        request,
        "care/contracts/cancel.html",
        {"account": account, "customer": account.customer, "contract": contract, "refused": refused},
        status=400 if request.method == "POST" and refused else 200,
    )
