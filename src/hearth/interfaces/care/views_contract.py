"""The care console's contract timeline of an account: every contract (state, product, dates, end reason, exit
fee or why none), every event with its time, who did it and its document, the registrations with their clocks and
the home moves. Read-only: each change is made by its own flow's page."""

from django.http import HttpResponse

from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.contracts import queries as contract_queries
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest


@access.staff_required
def contract_timeline(request: CareRequest, number: str) -> HttpResponse:
    account = care_views._found(accounts_queries.account_by_number(number=number), "No such account")
    return care_views._render(
        request,
        "care/contracts/timeline.html",
        {"account": account, "customer": account.customer, "timeline": contract_queries.contract_timeline(account)},
    )
