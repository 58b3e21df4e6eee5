"""The dashboard: money and energy first, for the selected account in full and every other linked account at a
glance (a dual-fuel household sees both fuels at once), then the tiles of the services the account has (FAQ 1).

The figures come from the domain: the balance from the ledger, the latest bill's status from payments
(``late_payment.bill_status``), the next payment from the Direct Debit schedule or a repayment plan (else the
latest unpaid bill's due date), the months' use in kWh and pounds from ``billing.month_usage``, the tariff from the
contract. The page makes a fixed number of queries whatever the number of bills, readings or half-hours.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.billing.models import Bill
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.billing import calculation, month_usage
from hearth.domain.contracts import queries as contract_queries
from hearth.domain.debt import queries as debt_queries
from hearth.domain.payments import estimates, late_payment
from hearth.domain.payments import operations as payment_ops
from hearth.domain.payments import queries as payment_queries
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest


@dataclass(frozen=True)
class AtAGlance:
    """An account as its compact card shows it: the balance and the latest bill with its status."""

    account: Account
    balance: Decimal
    balance_words: str
    latest_bill: Bill | None
    bill_status: late_payment.BillStatus | None

    @property
    def bill_period(self) -> str:
        """The latest bill's days as a bill prints them ("1 Nov 2026 to 30 Nov 2026")."""
        bill = self.latest_bill
        return "" if bill is None else calculation.printed_dates(bill.period_start_date, bill.period_end_date)

    @property
    def to_pay(self) -> bool:
        return self.balance > 0

    @property
    def in_credit(self) -> bool:
        return self.balance < 0


def _at_a_glance(account: Account, standing: late_payment.Standing) -> AtAGlance:
    balance = standing.balance
    return AtAGlance(account, balance, payment_ops.balance_words(balance), standing.latest_bill, standing.bill_status)


@access.account_page()
def dashboard(request: PortalRequest) -> HttpResponse:
    now = timezone.now()
    today = calendar.local_date(now)
    account = request.account
    others = [other for other in access.linked_accounts(request) if other.pk != account.pk]
    standings = late_payment.standings_of([account, *others], today)
    selected = _at_a_glance(account, standings[account.pk])
    fitted = accounts_queries.fitted_meters(account=account, now=now)
    contract = contract_queries.contract_at_a_glance(account, today)
    next_payment = debt_queries.next_payment(account, today, selected.latest_bill, selected.bill_status)
    context = {
        "selected": selected,
        "others": [_at_a_glance(other, standings[other.pk]) for other in others],
        "next_payment": next_payment,
        # The payment method is shown only when there is nothing to pay next: read only then.
        "method": "" if next_payment else payment_ops.Method(payment_queries.method_of(account)).label,
        "usage": month_usage.usage_summary(account, now=now),
        "contract": contract,
        "reads_itself": estimates.meters_read_remotely(fitted.kinds),
        "tiles": [
            views.SERVICE_TILES[service]
            for service in accounts_queries.services_of(fitted)
            if service in views.SERVICE_TILES
        ],
        **views._account_context(request),
    }
    return render(request, "portal/dashboard.html", context)
