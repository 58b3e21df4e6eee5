"""Renewing a fixed contract in one click (T&C 4.2.2, 6.1): the fixed tariffs the selected account can renew onto,
with their prices, estimated annual cost, term and exit fee, and what happens if the customer does nothing.

Any login linked to the account sees the choices; only the account holder renews, as renewing enters a new
contract (an authorised person administers the account, 15.7, but does not contract for it).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hearth.data.contracts.models import Contract
from hearth.data.identity.models import AccountLink
from hearth.domain.contracts import renewals
from hearth.domain.documents import letters
from hearth.domain.tariffs import contracts
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest


@require_http_methods(["GET", "POST"])
@access.account_page()
def contract_renew(request: PortalRequest) -> HttpResponse:
    """GET: the renewal choices for the account's live fixed contract. POST ``product``: renew onto it."""
    now = timezone.now()
    account = request.account
    live, pending = contracts.live_and_pending(account)
    renewable = live is not None and live.fixed_term_end_date is not None
    choices = (
        renewals.renewal_choices(contract=live, at=now, with_options=not pending)
        if live is not None and renewable
        else renewals.RenewalChoices(options=[], rollover_name="")
    )
    options = choices.options
    can_renew = request.link.role == AccountLink.Role.HOLDER
    error = ""
    if request.method == "POST":
        if not can_renew:
            raise PermissionDenied("Only the account holder can renew the contract.")
        offer = next((o for o in options if o.product.code == request.POST.get("product")), None)
        if offer is None or live is None:
            error = "Choose one of the tariffs below."
        else:
            try:
                renewal = renewals.renew(
                    contract=live, product=offer.product, now=now, actor=request.user, channel=Contract.Channel.WEB
                )
            except (renewals.RenewalRefused, letters.LetterRefused) as exc:
                error = str(exc).partition(": ")[2] or str(exc)
            else:
                messages.success(
                    request,
                    f"You have renewed onto {offer.product.display_name} from "
                    f"{renewals.starts_on(renewal):%-d %B %Y}. We have sent you a confirmation; you can change "
                    f"your mind until {renewal.cooling_off_end_date:%-d %B %Y}.",
                )
                return redirect("portal:contract_renew")
    return render(
        request,
        "portal/contract/renew.html",
        {
            "live": live,
            "renewable": renewable,
            "pending": pending,
            "pending_starts": renewals.starts_on(pending) if pending is not None else None,
            "options": options,
            "can_renew": can_renew,
            "rollover_name": choices.rollover_name,
            "error": error,
            **views._account_context(request),
        },
        status=400 if error else 200,
    )
