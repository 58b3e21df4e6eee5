"""What care staff need first when a customer calls: per account the balance, what is overdue, the contract, and
everything still open (complaints, the debt path, engineer visits, meter faults, portal cases, login requests).

Care sits above the areas it reads, so it gathers them here for the console's customer page; each area keeps its
own rules (``late_payment.overdue_bills_of`` says what is overdue, ``contract_summary`` what the contract is).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hearth.data.accounts.models import Account
from hearth.data.care.models import Case, LoginDetailsRequest
from hearth.data.complaints.models import Complaint
from hearth.data.contracts.models import Contract
from hearth.data.debt.models import DebtCase
from hearth.data.identity.models import AccountLink
from hearth.data.meter_services.models import Appointment, FaultReport
from hearth.domain.billing import queries as billing_queries
from hearth.domain.contracts import queries as contracts_queries
from hearth.domain.debt import queries as debt_queries
from hearth.domain.meter_services import queries as meter_services_queries
from hearth.domain.payments import late_payment


@dataclass(frozen=True)
class Arrears:
    """What is overdue: the unpaid part of bills past their due date, how many, and the oldest's days overdue."""

    amount: Decimal
    bills: int
    oldest_days: int


@dataclass(frozen=True)
class AccountSummary:
    account: Account
    balance: Decimal
    """Positive: the customer owes it; negative: in credit."""
    arrears: Arrears
    contract: contracts_queries.ContractFacts | None
    complaints: list[Complaint]
    debt_case: DebtCase | None
    visits: list[Appointment]
    faults: list[FaultReport]
    cases: list[Case]
    login_requests: list[LoginDetailsRequest]
    has_login: bool

    @property
    def balance_amount(self) -> Decimal:
        return abs(self.balance)

    @property
    def open_count(self) -> int:
        debt = 0 if self.debt_case is None else 1
        lists = (self.complaints, self.visits, self.faults, self.cases, self.login_requests)
        return debt + sum(len(items) for items in lists)

    @property
    def is_ended(self) -> bool:
        """Closed, or its contract ended or cancelled: nobody new should sign in to it."""
        if self.account.status == Account.Status.CLOSED:
            return True
        state = self.contract.contract.state if self.contract is not None else None
        return state in (Contract.State.ENDED, Contract.State.CANCELLED)

    @property
    def may_create_login(self) -> bool:
        """FAQ 2: a login is created for an account that has none, while it is supplied."""
        return not self.has_login and not self.is_ended


def _arrears(account: Account, today: date) -> Arrears:
    overdue = late_payment.overdue_bills_of(account, today)
    return Arrears(
        amount=sum((bill.unpaid for bill in overdue), Decimal("0.00")),
        bills=len(overdue),
        oldest_days=max((bill.days_overdue for bill in overdue), default=0),
    )


def account_summary(account: Account, *, today: date) -> AccountSummary:
    """The account as care staff should see it first on ``today`` (UK date)."""
    debt_case = debt_queries.latest_case(account)
    return AccountSummary(
        account=account,
        balance=billing_queries.balance_of(account),
        arrears=_arrears(account, today),
        contract=contracts_queries.contract_summary(account, today).current,
        complaints=list(
            Complaint.objects.filter(account=account).exclude(status__in=Complaint.CLOSED).order_by("received_at", "id")
        ),
        debt_case=debt_case if debt_case is not None and debt_case.closed_on is None else None,
        visits=list(meter_services_queries.upcoming(account, today)),
        faults=list(
            FaultReport.objects.filter(account=account, resolved_at__isnull=True)
            .select_related("meter")
            .order_by("reported_at", "id")
        ),
        cases=list(Case.objects.filter(account=account, status=Case.Status.OPEN).order_by("raised_at", "id")),
        login_requests=list(
            LoginDetailsRequest.objects.filter(account=account, status=LoginDetailsRequest.Status.OPEN).order_by(
                "received_at", "id"
            )
        ),
        has_login=AccountLink.objects.filter(account=account).exists(),
    )
