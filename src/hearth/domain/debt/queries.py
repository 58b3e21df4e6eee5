"""What care and the customer read of a debt case: its timeline, and each next step with whether it may be taken
today and, if not, why (the path's own words)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from hearth.data.accounts.models import Account
from hearth.data.debt.models import DebtCase, DebtStep, PlanInstalment, RepaymentPlan, Warrant
from hearth.domain.debt import operations, path


@dataclass(frozen=True)
class NextStep:
    """A state the case may move to: who moves it, and why not today (None: it may be taken)."""

    state: str
    label: str
    by: str
    refusal: str | None


def latest_case(account: Account) -> DebtCase | None:
    """The account's open case, else its most recently closed one."""
    return DebtCase.objects.filter(account=account).order_by("closed_on", "-opened_on", "-id").first()


def timeline(case: DebtCase) -> QuerySet[DebtStep]:
    """Every step of the case, oldest first, with who took it and its letter."""
    return case.steps.select_related("actor", "document").order_by("at", "id")


def next_steps(case: DebtCase, day: date) -> list[NextStep]:
    """The steps the path allows from the case's state, each checked for ``day``."""
    facts = operations.facts_for(case, day)
    return [
        NextStep(
            state=to,
            label=DebtCase.State(to).label,
            by=by,
            refusal=path.refusal(case.state, to, facts),
        )
        for to, by in path.next_states(case.state).items()
    ]


def plan_of(case: DebtCase) -> RepaymentPlan | None:
    """The latest plan of the case (the one being paid, if any)."""
    return case.plans.order_by("-agreed_at", "-id").first()


def instalments(plan: RepaymentPlan) -> QuerySet[PlanInstalment]:
    return plan.instalments.order_by("due_date", "id")


def warrants(case: DebtCase) -> QuerySet[Warrant]:
    return case.warrants.order_by("applied_on", "id")
