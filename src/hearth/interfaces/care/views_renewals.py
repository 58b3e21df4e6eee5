"""Care staff record a customer's refusal of a smart meter: the contract moves to the tariff for their meter with
42 days' notice (T&C 15.5, 15.6). The move and its letter are made by ``contracts.tariff_changes``."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.contracts import tariff_changes
from hearth.domain.documents import letters
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest


@require_POST
@access.staff_required
def smart_refusal(request: CareRequest, number: str) -> HttpResponse:
    account = care_views._found(accounts_queries.account_by_number(number=number), "No such account")
    try:
        move = tariff_changes.record_smart_meter_refusal(account=account, now=timezone.now(), actor=request.user)
    except (tariff_changes.MoveRefused, letters.LetterRefused) as exc:
        messages.error(request, f"Nothing was changed: {exc}")
    else:
        notice = move.notices.get()
        messages.success(
            request,
            f"Smart meter refusal recorded. Account {account.number} moves to {move.product.display_name} on "
            f"{notice.effective_date:%-d %B %Y}; the customer has been sent notice ({notice.document.reference}).",
        )
    return redirect("care:customer", customer_id=account.customer_id)
