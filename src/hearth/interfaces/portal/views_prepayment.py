"""The portal's prepayment page (T&C 9.5): the credit on the meter, emergency credit in use, the debt still owed and
the share of each top-up that goes to it, recent top-ups with their references, and "Top up" by card.

A top-up opens Stripe's page like any card payment (``payments.cards``, purpose ``TOP_UP``); the meter is credited
only when Stripe's signed event arrives, so the page Stripe returns to says the top-up is on its way. Only the
account's holder or an authorised person may top up or take emergency credit; a viewer sees the page.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from hearth.common.money import Money
from hearth.data.payments.models import CardPayment
from hearth.domain.payments import cards
from hearth.domain.prepayment import queries as prepayment_queries
from hearth.domain.prepayment import top_ups
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.portal.forms_cards import CardAmountForm


def _page(request: PortalRequest, form: CardAmountForm | None = None, status: int = 200) -> HttpResponse:
    current = prepayment_queries.current(request.account)
    context = {
        "summary": prepayment_queries.summary(current, now=timezone.now()) if current is not None else None,
        "form": form or CardAmountForm(label="Amount to top up, in pounds"),
        "can_manage": access.can_manage(request),
        "just_paid": request.GET.get("payment", "").isdigit(),
        **views._account_context(request),
    }
    return render(request, "portal/prepayment.html", context, status=status)


@access.account_page()
def prepayment(request: PortalRequest) -> HttpResponse:
    return _page(request)


@access.account_page(*access.MANAGERS)
def top_up(request: PortalRequest) -> HttpResponse:
    """A good amount opens Stripe's page and links to it (the pages' CSP forbids a form ending at another site);
    asked for without a form, the prepayment page."""
    if request.method != "POST":
        return _page(request)
    form = CardAmountForm(request.POST, label="Amount to top up, in pounds")
    if form.is_valid():
        back = request.build_absolute_uri(reverse("portal:prepayment"))
        try:
            checkout = cards.start_card_payment(
                account=request.account,
                amount=form.cleaned_data["amount"],
                purpose=CardPayment.Purpose.TOP_UP,
                actor=request.user,
                now=timezone.now(),
                return_url=back,
                cancel_url=back,
            )
        except cards.CardAmountRefused as exc:
            form.add_error("amount", str(exc))
        except cards.CardPaymentRefused as exc:
            form.add_error(None, str(exc))
        else:
            context = {
                "checkout_url": checkout.url,
                "amount": Money(checkout.card_payment.amount),
                "change_url": reverse("portal:prepayment"),
                **views._account_context(request),
            }
            return render(request, "portal/pay_by_card_continue.html", context)
    return _page(request, form, status=400)


@access.account_page(*access.MANAGERS)
def emergency_credit(request: PortalRequest) -> HttpResponse:
    """Take emergency credit (a POST); asked for without a form, the prepayment page."""
    if request.method != "POST":
        return _page(request)
    current = prepayment_queries.current(request.account)
    if current is None:
        messages.error(request, "This account does not pay by prepayment.")
        return redirect("portal:prepayment")
    try:
        lent = top_ups.take_emergency_credit(prepayment=current, now=timezone.now(), actor=request.user)
    except top_ups.TopUpRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{Money(lent)} of emergency credit is on your meter. Your next top-up repays it.")
    return redirect("portal:prepayment")
