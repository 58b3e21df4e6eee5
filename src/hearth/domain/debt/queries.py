"""What care and the customer read of a debt case: its timeline, and each next step with whether it may be taken
today and, if not, why (the path's own words)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from hearth.data.accounts.models import Account
from hearth.data.billing.models import Bill
from hearth.data.debt.models import DebtCase, DebtStep, PlanInstalment, RepaymentPlan, Warrant
from hearth.domain.debt import operations, path
from hearth.domain.payments import late_payment
from hearth.domain.payments import queries as payment_queries


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


def next_instalment(account: Account, today: date) -> PlanInstalment | None:
    """The next instalment due on or after ``today`` of the account's active repayment plan, if it has one."""
    return (
        PlanInstalment.objects.filter(
            plan__case__account=account, plan__status=RepaymentPlan.Status.ACTIVE, due_date__gte=today
        )
        .order_by("due_date", "id")
        .first()
    )


@dataclass(frozen=True)
class NextPayment:
    """What the customer pays next, when and how, in the words the portal prints."""

    amount: Decimal
    on: date
    how: str


def next_payment(
    account: Account, today: date, latest_bill: Bill | None, status: late_payment.BillStatus | None
) -> NextPayment | None:
    """The next Direct Debit collection, else the next instalment of a repayment plan, else the latest bill's due
    date while it is unpaid (``status``: that bill's, as the caller already read it)."""
    collection = payment_queries.next_payment(account)
    if collection is not None:
        return NextPayment(collection.amount, collection.on, collection.how)
    instalment = next_instalment(account, today)
    if instalment is not None:
        return NextPayment(instalment.amount, instalment.due_date, "your payment plan")
    unpaid = (late_payment.BillStatus.DUE, late_payment.BillStatus.OVERDUE)
    if latest_bill is not None and status in unpaid:
        return NextPayment(latest_bill.total, latest_bill.due_date, f"paying bill {latest_bill.reference}")
    return None


def warrants(case: DebtCase) -> QuerySet[Warrant]:
    return case.warrants.order_by("applied_on", "id")


WHAT_NEXT: dict[str, str] = {
    DebtCase.State.OVERDUE: "A bill is overdue. We will send a reminder, then a final notice. Paying it, or calling "
    "us to agree a plan you can afford, stops anything further.",
    DebtCase.State.REMINDED: "We have sent a final notice. Please call us to agree a plan you can afford; otherwise "
    "we may refer the debt to a debt collection agency (T&C 10.1.3).",
    DebtCase.State.ON_PLAN: "Keep paying each instalment by its day. When the plan is paid, this is closed.",
    DebtCase.State.PLAN_NOT_AGREED: "We could not agree a plan with you. Call us: we can still agree one you can "
    "afford. Otherwise we may refer the debt to a debt collection agency (T&C 10.1.3).",
    DebtCase.State.PLAN_BROKEN: "An instalment was missed, so the plan has ended. Call us to agree a new one.",
    DebtCase.State.REFERRED: "The debt has been referred to a debt collection agency. We may next give you 42 days' "
    "notice of a move to prepayment (T&C 10.1.4, 10.2).",
    DebtCase.State.PREPAYMENT_NOTICE: "We have given you notice of a move to prepayment: nothing changes before the "
    "notice ends. Paying, or agreeing a plan, stops it.",
    DebtCase.State.ON_PREPAYMENT: "You pay for your energy through your prepayment meter; part of each top-up goes "
    "towards the debt (T&C 10.1.1).",
    DebtCase.State.WARRANT_APPLIED: "We have applied to the court for a warrant (T&C 10.1.5, 10.1.6). Call us: it is "
    "not too late to agree a plan.",
    DebtCase.State.WARRANT_GRANTED: "The court has granted a warrant. Before any disconnection you will get written "
    "notice (T&C 16.2). Call us now to agree a plan.",
    DebtCase.State.DISCONNECTION_NOTICE: "We have given you written notice of disconnection (T&C 16.2). Call us today "
    "to pay or agree a plan.",
    DebtCase.State.DISCONNECTED: "Your supply is disconnected. To reconnect, we may ask for a payment on account "
    "(T&C 16.4) and the costs of disconnecting and reconnecting (T&C 16.5). Call us.",
    DebtCase.State.RECONNECTED: "Your supply is reconnected. When what you owe is paid, this is closed.",
    DebtCase.State.CLOSED: "Your debt is paid: nothing more will happen. Thank you.",
}
"""What the customer reads about each state: where they stand and what happens next, in plain words."""


def what_happens_next(case: DebtCase, day: date) -> str:
    """The customer's words for the case's state on ``day``."""
    words = WHAT_NEXT[case.state]
    if case.state == DebtCase.State.PREPAYMENT_NOTICE and case.prepayment_notice_deemed_on:
        words += f" The notice ends on {path.prepayment_notice_ends(case.prepayment_notice_deemed_on):%-d %B %Y}."
    return words
