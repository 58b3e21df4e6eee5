"""My contract: the selected account's contract in plain words, for any login linked to the account.

Read-only, so viewers see it too. The page is the customer's answer to "what am I signed up to, and what happens
next?": the product and its dates, the cooling-off countdown, the exit fee if they left today, what is waiting to
start, and the notices we sent, each a link to its PDF.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hearth.common import calendar
from hearth.domain.contracts import queries as contract_queries
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest


@access.account_page()
def contract(request: PortalRequest) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    summary = contract_queries.contract_summary(request.account, today)
    return render(
        request,
        "portal/contract/contract.html",
        {
            "summary": summary,
            "today": today,
            "can_manage": access.can_manage(request),
            **views._account_context(request),
        },
    )
