"""My payment plan: for any login on the selected account, the plan agreed and its instalments, and in plain words
where the account stands on the debt path and what happens next (ADR 0015). Read-only."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hearth.common import calendar
from hearth.domain.debt import queries as debt_queries
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest


@access.account_page()
def payment_plan(request: PortalRequest) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    case = debt_queries.latest_case(request.account)
    plan = debt_queries.plan_of(case) if case else None
    return render(
        request,
        "portal/payment_plan.html",
        {
            "case": case,
            "plan": plan,
            "instalments": debt_queries.instalments(plan) if plan else [],
            "what_next": debt_queries.what_happens_next(case, today) if case else None,
            "today": today,
            **views._account_context(request),
        },
    )
