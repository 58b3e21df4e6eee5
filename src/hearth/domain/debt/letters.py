"""The debt path's letters: a plan confirmed, the notice of prepayment (10.1.4, 10.2, 7.6.2) and the written notice
of disconnection (16.2). Each is a document of the account, delivered by the customer's delivery rules."""

from datetime import date, datetime

from django.conf import settings

from hearth.common import calendar
from hearth.data.debt.models import DebtCase, RepaymentPlan
from hearth.data.documents.models import Document
from hearth.domain.billing import queries as billing_queries
from hearth.domain.debt import path
from hearth.domain.documents import letters


def _help() -> str:
    return (
        f"If you are struggling to pay, please call us on {settings.HEARTH_BRAND['care_phone']} (T&C 8.2): we will "
        "look at what you can afford and tell you about help you may be entitled to. If anyone in your home is "
        "of pensionable age, disabled, seriously ill, or has young children, tell us: we add them to our Priority "
        "Services Register, and some of the steps in this letter cannot be taken for them."
    )


def issue_plan_letter(*, plan: RepaymentPlan, now: datetime) -> Document:
    """Confirm the plan agreed: the debt, the instalments and their days, what happens if one is missed."""
    rows = tuple((f"{i.due_date:%-d %B %Y}", f"£{i.amount:,.2f}") for i in plan.instalments.order_by("due_date"))
    account = plan.case.account
    return letters.issue_letter(
        letter=letters.Letter(
            account=account,
            type_code="REPAYMENT_PLAN",
            reference=f"PLAN-{account.number}-{plan.pk}",
            title="Your repayment plan",
            paragraphs=(
                f"Thank you for agreeing a plan to pay the £{plan.debt:,.2f} you owe us. We set it on what you told "
                f"us you can afford: £{plan.monthly_income:,.2f} a month coming in and £{plan.monthly_outgoings:,.2f} "
                "going out on essentials.",
                "Please pay each instalment by its day, as well as your bills for the energy you use from now on.",
            ),
            table=letters.Table(header=("Pay by", "Amount"), rows=rows),
            after_table=(
                f"If an instalment is not paid within {path.INSTALMENT_GRACE_DAYS} days of its day, the plan ends "
                "and we may take the next steps of T&C 10.1. If your circumstances change, call us before an "
                "instalment is missed.",
                _help(),
            ),
            facts=(("Debt", f"£{plan.debt:,.2f}"), ("Each month", f"£{plan.instalment:,.2f}")),
            amount=plan.debt,
            clause="10.1",
        ),
        now=now,
    )


def issue_prepayment_notice(*, case: DebtCase, deemed_on: date, smart: bool, now: datetime) -> Document:
    """42 days' notice of a move to prepayment (10.2): from which day, how, and how to stop it."""
    starts = path.prepayment_notice_ends(deemed_on)
    how = (
        "switch your smart meter to prepayment mode (T&C 7.6.2)"
        if smart
        else "install a prepayment meter; if you do not agree to the installation, we may apply to the court for a "
        "warrant to install it without your permission (T&C 10.1.5)"
    )
    account = case.account
    owed = case_balance(case)
    return letters.issue_letter(
        letter=letters.Letter(
            account=account,
            type_code="PREPAYMENT_NOTICE",
            reference=f"PPN-{account.number}-{calendar.local_date(now):%y%m%d}",
            title="Notice: we plan to move you to prepayment",
            paragraphs=(
                f"You still owe us £{owed}. Because the debt has not been paid or a plan kept, we intend "
                f"to {how}, and to recover the debt through the meter (T&C 10.1.4).",
                f"This notice gives you 42 days (T&C 10.2): nothing will change before {starts:%-d %B %Y}. A "
                "prepayment tariff may have higher unit rates and standing charges.",
                "You can stop this by paying what you owe, or by agreeing a plan you can afford with us.",
                _help(),
            ),
            facts=(("Owed", f"£{owed}"), ("Not before", f"{starts:%-d %B %Y}")),
            clause="10.2",
        ),
        now=now,
    )


def issue_disconnection_notice(*, case: DebtCase, deemed_on: date, now: datetime) -> Document:
    """Written notice before disconnection (16.2), under the warrant the court granted."""
    account = case.account
    warrant = case.warrants.filter(granted_on__isnull=False).order_by("-granted_on", "-id").first()
    court = f"{warrant.court_name} (reference {warrant.reference})" if warrant else "the court"
    earliest = path.disconnection_notice_ends(deemed_on)
    owed = case_balance(case)
    return letters.issue_letter(
        letter=letters.Letter(
            account=account,
            type_code="DISCONNECTION_NOTICE",
            reference=f"DCN-{account.number}-{calendar.local_date(now):%y%m%d}",
            title="Notice of disconnection",
            paragraphs=(
                f"You still owe us £{owed} and have not made arrangements to pay (T&C 16.1.1). Under the "
                f"warrant granted by {court}, we may disconnect your supply on or after {earliest:%-d %B %Y} "
                "(T&C 10.1.6, 16.2).",
                "If we disconnect, we may ask for a payment on account before we reconnect (T&C 16.4), and for the "
                "costs of disconnecting and reconnecting (T&C 16.5).",
                "To stop this, pay what you owe or call us today to agree a plan.",
                _help(),
            ),
            facts=(("Owed", f"£{owed}"), ("Not before", f"{earliest:%-d %B %Y}")),
            clause="16.2",
        ),
        now=now,
    )


def case_balance(case: DebtCase) -> str:
    """What the account owes now, as printed."""
    return f"{billing_queries.balance_of(case.account):,.2f}"
