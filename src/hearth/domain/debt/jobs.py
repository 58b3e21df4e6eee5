"""The debt path's daily job ``debt.path`` (ADR 0015): open a case for each account whose debt is overdue, and take
the steps time has made due (a final notice sent, a plan's instalment missed or the plan paid, a prepayment notice
ended, a debt paid). Safe to run twice: one open case per account (a constraint), and a step is taken only from the
state it leaves."""

from datetime import date, datetime

from hearth.data.accounts.models import Account
from hearth.data.debt.models import DebtCase
from hearth.domain.debt import operations
from hearth.domain.payments import late_payment
from hearth.domain.scheduling.jobs import DailyJob, JobReport


def _overdue_accounts(day: date) -> list[Account]:
    """Overdue accounts without an open case: their bills are read only when a case may be opened for them."""
    with_case = set(DebtCase.objects.filter(closed_on=None).values_list("account_id", flat=True))
    return [
        a
        for a in late_payment.accounts_with_overdue_bills(day)
        if a.pk not in with_case and late_payment.overdue_bills_of(a, day)
    ]


def run(*, day: date, now: datetime, report: JobReport) -> None:
    """Open cases for newly overdue accounts, then move every open case as far as time has made due."""
    for account in _overdue_accounts(day):
        if operations.open_case(account=account, day=day, now=now) is not None:
            report.done(account.number, "Debt case opened: a bill is overdue")
    cases = DebtCase.objects.filter(closed_on=None).select_related("account__customer").order_by("id")
    for case in cases.iterator(chunk_size=500):
        try:
            while (step := operations.advance(case=case, day=day, now=now)) is not None:
                report.done(case.account.number, f"{step.get_to_state_display()}: {step.reason}")
        except operations.StepRefused as exc:
            report.failed(case.account.number, str(exc))


PATH = DailyJob("debt.path", "Open debt cases and take the debt path's steps that time has made due", run)
