"""Paying by card: the amount form, then Stripe's own page (card details never reach Hearth), then back here.

Only the account's holder or an authorised person may pay; the account is the one whose number is in the URL, and
one not linked to the login answers 404. The form does not redirect to Stripe itself: the pages' Content Security
Policy (``form-action 'self'``) forbids a form's submission to end at another site, so a good amount shows a page
with a link to Stripe's page instead. The ledger payment is posted only when Stripe's signed event arrives
(inbound/stripe.py), so the page Stripe returns to says so and shows the status so far.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from hearth.common.money import Money
from hearth.data.payments.models import CardPayment
from hearth.domain.billing import queries as billing_queries
from hearth.domain.payments import cards
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.portal.forms_cards import CardAmountForm

PAYERS = access.MANAGERS


@access.numbered_account_page(*PAYERS)
def pay_by_card(request: PortalRequest, number: str) -> HttpResponse:
    """The amount (the balance owed, if any, to start with); a good one opens Stripe's page and links to it."""
    if request.method != "POST":
        owed = billing_queries.balance_of(request.account)
        form = CardAmountForm(initial={"amount": f"{owed:.2f}"} if owed > 0 else None)
        return render(request, "portal/pay_by_card.html", {"form": form, **views._account_context(request)})
    form = CardAmountForm(request.POST)
    if form.is_valid():
        try:
            checkout = cards.start_card_payment(
                account=request.account,
                amount=form.cleaned_data["amount"],
                purpose=CardPayment.Purpose.ONE_OFF,
                actor=request.user,
                now=timezone.now(),
                return_url=request.build_absolute_uri(reverse("portal:pay_by_card_done", args=[number])),
                cancel_url=request.build_absolute_uri(reverse("portal:pay_by_card", args=[number])),
            )
        except cards.CardAmountRefused as exc:
            form.add_error("amount", str(exc))
        except cards.CardPaymentRefused as exc:
            form.add_error(None, str(exc))
        else:
            context = {
                "checkout_url": checkout.url,
                "amount": Money(checkout.card_payment.amount),
                **views._account_context(request),
            }
            return render(request, "portal/pay_by_card_continue.html", context)
    return render(request, "portal/pay_by_card.html", {"form": form, **views._account_context(request)}, status=400)


@access.numbered_account_page(*PAYERS)
def pay_by_card_done(request: PortalRequest, number: str) -> HttpResponse:
    """Where Stripe sends the customer back: the payment's status so far (only this account's payments)."""
    payment_id = request.GET.get("payment", "")
    card_payment = (
        cards.card_payment_of(account=request.account, card_payment_id=int(payment_id))
        if payment_id.isdigit() and len(payment_id) < 19
        else None
    )
    if card_payment is None:
        raise Http404("No such card payment on this account.")
    context = {
        "card_payment": card_payment,
        "amount": Money(card_payment.amount),
        **views._account_context(request),
    }
    return render(request, "portal/pay_by_card_done.html", context)
