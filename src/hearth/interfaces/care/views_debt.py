"""The care console's debt path of an account (ADR 0015): the case, its timeline, each next step with why it may
or may not be taken today, and a form for each step care takes. Each action is one domain call; a refusal is shown
in the path's own words."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.debt.models import DebtCase
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.debt import operations as debt
from hearth.domain.debt import queries as debt_queries
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.care.forms_debt import (
    DayForm,
    DisconnectForm,
    PlanForm,
    ReconnectForm,
    StepForm,
    WarrantForm,
    WarrantGrantedForm,
)

State = DebtCase.State

Action = Callable[[DebtCase, dict[str, Any], CareRequest], object]

STEPS: dict[str, tuple[type[forms.Form], Action]] = {
    State.ON_PLAN: (
        PlanForm,
        lambda case, data, r: debt.agree_plan(case=case, actor=r.user, now=timezone.now(), **data),
    ),
    State.PLAN_NOT_AGREED: (
        StepForm,
        lambda case, data, r: debt.record_plan_not_agreed(case=case, actor=r.user, now=timezone.now(), **data),
    ),
    State.REFERRED: (StepForm, lambda case, data, r: debt.refer(case=case, actor=r.user, now=timezone.now(), **data)),
    State.PREPAYMENT_NOTICE: (
        StepForm,
        lambda case, data, r: debt.give_prepayment_notice(case=case, actor=r.user, now=timezone.now(), **data),
    ),
    State.ON_PREPAYMENT: (
        DayForm,
        lambda case, data, r: debt.move_to_prepayment(case=case, actor=r.user, now=timezone.now(), **data),
    ),
    State.WARRANT_APPLIED: (
        WarrantForm,
        lambda case, data, r: debt.apply_for_warrant(case=case, actor=r.user, now=timezone.now(), **data),
    ),
    State.WARRANT_GRANTED: (
        WarrantGrantedForm,
        lambda case, data, r: debt.record_warrant_granted(case=case, actor=r.user, now=timezone.now(), **data),
    ),
    State.DISCONNECTION_NOTICE: (
        StepForm,
        lambda case, data, r: debt.give_disconnection_notice(case=case, actor=r.user, now=timezone.now(), **data),
    ),
    State.DISCONNECTED: (
        DisconnectForm,
        lambda case, data, r: debt.disconnect(case=case, actor=r.user, now=timezone.now(), **data),
    ),
    State.RECONNECTED: (
        ReconnectForm,
        lambda case, data, r: debt.reconnect(case=case, actor=r.user, now=timezone.now(), **data),
    ),
}
"""Each step care takes: its form and the one domain call it makes."""


def _account_or_404(number: str) -> Account:
    return care_views._found(accounts_queries.account_by_number(number=number), "No such account")


def _page(request: CareRequest, account: Account, failed: tuple[str, forms.Form] | None = None) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    case = debt_queries.latest_case(account)
    steps = debt_queries.next_steps(case, today) if case else []
    offered = [
        (step, failed[1] if failed and failed[0] == step.state else STEPS[step.state][0](prefix=step.state))
        for step in steps
        if step.state in STEPS
    ]
    plan = debt_queries.plan_of(case) if case else None
    unoffered = failed is not None and failed[0] not in {step.state for step, _ in offered}
    return care_views._render(
        request,
        "care/debt/case.html",
        {
            "account": account,
            "customer": account.customer,
            "case": case,
            "today": today,
            "timeline": debt_queries.timeline(case) if case else [],
            "job_steps": [s for s in steps if s.state not in STEPS],
            "offered": offered,
            "plan": plan,
            "instalments": debt_queries.instalments(plan) if plan else [],
            "warrants": debt_queries.warrants(case) if case else [],
            "refused_form": failed[1] if failed is not None and unoffered else None,
        },
        status=400 if failed else 200,
    )


@access.staff_required
def debt_case(request: CareRequest, number: str) -> HttpResponse:
    return _page(request, _account_or_404(number))


@require_POST
@access.staff_required
def debt_step(request: CareRequest, number: str, step: str) -> HttpResponse:
    account = _account_or_404(number)
    if step not in STEPS:
        raise Http404("No such step")
    case = debt.open_case_of(account)
    if case is None:
        messages.error(request, f"Account {account.number} has no open debt case.")
        return redirect("care:debt", number=account.number)
    form_class, action = STEPS[step]
    form = form_class(request.POST, prefix=step)
    if form.is_valid():
        try:
            action(case, form.cleaned_data, request)
        except debt.StepRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Done: {State(step).label}.")
            return redirect("care:debt", number=account.number)
    return _page(request, account, failed=(step, form))
