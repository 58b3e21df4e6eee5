"""The care console's prepayment page for an account: the meter's credit ledger, its debts, the top-ups and the
actions (a top-up taken by phone or at PayPoint, a replacement card or key, a false gas emergency, credit an
emergency engineer added, a switch of meter mode at the customer's request). Each action is one call into
``hearth.domain.prepayment`` and shows its refusal on the form that asked for it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.common.money import Money
from hearth.data.accounts.models import Account, Fuel
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.billing import operations as billing_ops
from hearth.domain.metering import smart_meters
from hearth.domain.prepayment import charges, modes, top_ups
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.prepayment import queries as prepayment_queries
from hearth.interfaces.care import access, forms_prepayment
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.care.forms_billing import BillingForm

REFUSALS = (prepayment_ops.PrepaymentRefused, billing_ops.BillingRefused, smart_meters.CommandRefused)


@dataclass(frozen=True)
class Action:
    """One action on the page: its form, and the domain call that returns the message to show."""

    form: type[BillingForm]
    needs_prepayment: bool
    act: Callable[[CareRequest, Account, Any, dict[str, Any]], str]


def _top_up(request: CareRequest, account: Account, prepayment: Any, data: dict[str, Any]) -> str:
    vend = top_ups.top_up(
        prepayment=prepayment,
        amount=data["amount"],
        channel=data["channel"],
        now=timezone.now(),
        actor=request.user,
        external_reference=data["external_reference"],
    )
    return f"Top-up {top_ups.printed_reference(vend.reference)}: {Money(vend.amount)}, {Money(vend.credited)} credited."


def _replacement(request: CareRequest, account: Account, prepayment: Any, data: dict[str, Any]) -> str:
    debt = charges.replacement_card(
        prepayment=prepayment, reason=data["reason"], now=timezone.now(), actor=request.user
    )
    return f"{Money(debt.amount)} for the replacement card or key is recovered from top-ups."


def _false_gas(request: CareRequest, account: Account, prepayment: Any, data: dict[str, Any]) -> str:
    charged = charges.false_gas_emergency(
        account=account,
        incurred_date=data["incurred_date"],
        reason=data["reason"],
        now=timezone.now(),
        actor=request.user,
    )
    if prepayment is None:
        return f"False gas emergency: £{charged.amount} (excluding VAT) will be billed on the next bill."
    return f"False gas emergency: {Money(charged.amount)} is recovered from top-ups through the meter."


def _engineer(request: CareRequest, account: Account, prepayment: Any, data: dict[str, Any]) -> str:
    debt = charges.engineer_credit(
        prepayment=prepayment, amount=data["amount"], reason=data["reason"], now=timezone.now(), actor=request.user
    )
    return f"{Money(debt.amount)} of engineer's credit is on the meter, and owed from top-ups."


def _to_prepayment(request: CareRequest, account: Account, prepayment: Any, data: dict[str, Any]) -> str:
    started = modes.switch_to_prepayment(account=account, now=timezone.now(), actor=request.user)
    return f"Notice sent: the meter switches to prepayment on {started.started_on:%-d %B %Y}."


def _to_credit(request: CareRequest, account: Account, prepayment: Any, data: dict[str, Any]) -> str:
    ended = modes.switch_to_credit(prepayment=prepayment, now=timezone.now(), actor=request.user)
    return f"Notice sent: the meter switches to credit mode on {ended.ended_on:%-d %B %Y}."


ACTIONS: dict[str, Action] = {
    "top-up": Action(forms_prepayment.TopUpForm, True, _top_up),
    "replacement-card": Action(forms_prepayment.ReplacementCardForm, True, _replacement),
    "false-gas-emergency": Action(forms_prepayment.FalseGasEmergencyForm, False, _false_gas),
    "engineer-credit": Action(forms_prepayment.EngineerCreditForm, True, _engineer),
    "switch-to-prepayment": Action(forms_prepayment.ModeSwitchForm, False, _to_prepayment),
    "switch-to-credit": Action(forms_prepayment.ModeSwitchForm, True, _to_credit),
}


def _account_or_404(number: str) -> Account:
    return care_views._found(accounts_queries.account_by_number(number=number), "No such account")


def _page(request: CareRequest, account: Account, failed: str = "", bound: BillingForm | None = None) -> HttpResponse:
    current = prepayment_queries.current(account)
    forms = {
        name.replace("-", "_"): bound if name == failed and bound is not None else action.form()
        for name, action in ACTIONS.items()
    }
    context = {
        "account": account,
        "customer": account.customer,
        "summary": prepayment_queries.summary(current, now=timezone.now()) if current else None,
        "ledger": prepayment_queries.ledger(current) if current else [],
        "debts": prepayment_queries.debts(current) if current else [],
        "history": prepayment_queries.history(account),
        "commands": prepayment_queries.commands(account),
        "forms": forms,
        "failed": failed,
        "error_form": bound if bound is not None and bound.errors else None,
        "false_gas_possible": account.fuel == Fuel.GAS,
        "replacement_charge": charges.replacement_card_charge(),
        "false_gas_charge": charges.FALSE_GAS_EMERGENCY,
    }
    return care_views._render(
        request, "care/prepayment/account.html", context, status=400 if context["error_form"] else 200
    )


@access.staff_required
def account_prepayment(request: CareRequest, number: str) -> HttpResponse:
    return _page(request, _account_or_404(number))


@require_POST
@access.staff_required
def prepayment_action(request: CareRequest, number: str, action: str) -> HttpResponse:
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404("No such prepayment action")
    account = _account_or_404(number)
    form = chosen.form(request.POST)
    if form.is_valid():
        current = prepayment_queries.current(account)
        if chosen.needs_prepayment and current is None:
            form.add_error(None, f"Account {account.number} does not pay by prepayment.")
        else:
            try:
                done = chosen.act(request, account, current, form.cleaned_data)
            except REFUSALS as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done)
                return redirect("care:prepayment", number=account.number)
    return _page(request, account, action, form)
