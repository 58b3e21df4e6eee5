"""The steps of the debt path (T&C 10.1, 10.2, 16; ADR 0015), each one call that checks the step against the path
(``path.refusal``, the register read for the step's day), does what the step does (a letter, a plan, a referral, a
meter command, a charge), and records it as a :class:`DebtStep` with its reason, actor and day, audited.

Reminders and referrals are the payments area's (``late_payment``); the move onto prepayment is the core's
(``prepayment.operations.start_prepayment``); commands to a smart meter go through ``metering.smart_meters``.
"""

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from hearth.common import calendar
from hearth.data.accounts.models import Account, Nation
from hearth.data.billing.models import AdditionalCharge, LedgerEntry
from hearth.data.debt.models import DebtCase, DebtStep, PlanInstalment, RepaymentPlan, Warrant
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter, SmartMeterCommand
from hearth.data.payments.models import PaymentReminder
from hearth.data.prepayment.models import MeterDebt, Prepayment
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.audit import operations as audit
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries
from hearth.domain.debt import letters as debt_letters
from hearth.domain.debt import path
from hearth.domain.metering import smart_meters
from hearth.domain.payments import collections, late_payment
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.priority import queries as priority
from hearth.domain.tariffs import operations as tariff_ops

State = DebtCase.State


class StepRefused(Exception):
    """The step cannot be taken; the message says why, and from when where that helps."""


def debt_owed(account: Account) -> Decimal:
    """What the customer still owes: the account's balance and, once on prepayment, the debt still on the meter."""
    owed = billing_queries.balance_of(account)
    prepayment = prepayment_ops.open_prepayment(account)
    if prepayment is not None:
        owed += prepayment_ops.debt_outstanding(prepayment)
    return owed


def facts_for(case: DebtCase, day: date) -> path.Facts:
    """What the path's rules read for ``case`` on ``day``: the register that day, the balance, notices, warrant."""
    warrant = case.warrants.filter(granted_on__isnull=False).order_by("-granted_on", "-id").first()
    return path.Facts(
        day=day,
        protections=priority.protections(case.account.customer, day),
        balance=debt_owed(case.account),
        prepayment_notice_deemed_on=case.prepayment_notice_deemed_on,
        disconnection_notice_deemed_on=case.disconnection_notice_deemed_on,
        warrant_granted_for=warrant.purpose if warrant else None,
    )


def _allowed(case: DebtCase, to: str, day: date) -> path.Facts:
    """The facts of ``day`` when the path lets ``case`` move to ``to``; checked before a step's side effects.

    :raises StepRefused: in the path's own words.
    """
    facts = facts_for(case, day)
    problem = path.refusal(case.state, to, facts)
    if problem is not None:
        raise StepRefused(problem)
    return facts


def _move(
    case: DebtCase,
    to: str,
    *,
    day: date,
    reason: str,
    actor: User | None,
    now: datetime,
    document: Document | None = None,
    details: dict[str, Any] | None = None,
) -> DebtStep:
    """The one writer of a case's state: refuse a step the path does not allow, else record it."""
    reason = reason.strip()
    if not reason:
        raise StepRefused("Give the reason for the step: it is kept with the case and the audit trail.")
    facts = _allowed(case, to, day)
    held = facts.protections
    step = DebtStep.objects.create(
        case=case,
        from_state=case.state,
        to_state=to,
        day=day,
        at=now,
        actor=actor,
        reason=reason[:300],
        document=document,
        details={
            "register": {"on_register": held.on_register, "needs": list(held.needs)},
            "balance": str(facts.balance),
            **(details or {}),
        },
    )
    before = case.state
    case.state = to
    case.closed_on = day if to == State.CLOSED else None
    case.save(
        update_fields=[
            "state",
            "closed_on",
            "prepayment_notice",
            "prepayment_notice_deemed_on",
            "disconnection_notice",
            "disconnection_notice_deemed_on",
        ]
    )
    audit.record(
        actor=actor,
        action="debt.step",
        subject=f"debt case {case.pk} of account {case.account.number}",
        customer=case.account.customer,
        before={"state": before},
        after={"state": to, "day": day.isoformat(), "reason": reason[:300]},
        at=now,
    )
    return step


def open_case(*, account: Account, day: date, now: datetime) -> DebtCase | None:
    """Open the account's case on the day its debt is found overdue; None when one is already open."""
    with transaction.atomic():
        if DebtCase.objects.select_for_update().filter(account=account, closed_on=None).exists():
            return None
        case = DebtCase.objects.create(account=account, state=State.OVERDUE, opened_on=day)
        DebtStep.objects.create(
            case=case,
            to_state=State.OVERDUE,
            day=day,
            at=now,
            reason="A bill is overdue and unpaid",
            details={"balance": str(billing_queries.balance_of(account))},
        )
        audit.record(
            actor=None,
            action="debt.case_opened",
            subject=f"debt case {case.pk} of account {account.number}",
            customer=account.customer,
            after={"day": day.isoformat()},
            at=now,
        )
    return case


def open_case_of(account: Account) -> DebtCase | None:
    """The account's open case, if any."""
    return DebtCase.objects.filter(account=account, closed_on=None).select_related("account__customer").first()


# --- Reminders (the payments area sends them) ------------------------------------------------------------------------


def final_notice_sent(case: DebtCase) -> bool:
    """Whether the payments area's final notice (10.1) has gone for a bill of the account since the case opened."""
    return PaymentReminder.objects.filter(
        bill__account=case.account,
        stage=PaymentReminder.Stage.FINAL_NOTICE,
        sent_at__date__gte=case.opened_on,
    ).exists()


# --- Repayment plans -------------------------------------------------------------------------------------------------


def _money(value: Decimal, what: str) -> Decimal:
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise StepRefused(f"{what} must be an amount in pounds and pence, not negative; got {value}.")
    return value


def agree_plan(
    *,
    case: DebtCase,
    monthly_income: Decimal,
    monthly_outgoings: Decimal,
    instalment: Decimal,
    first_due_date: date,
    actor: User,
    now: datetime,
) -> RepaymentPlan:
    """Agree a plan on the customer's ability to pay (SLC 27): the instalment is at most what is left of the income
    after essential outgoings; monthly instalments until the debt is paid, the last one for what remains.

    :raises StepRefused: an instalment the customer cannot afford, nothing owed, a first due date in the past, or a
        step the path does not allow.
    """
    income = _money(monthly_income, "The monthly income")
    outgoings = _money(monthly_outgoings, "The monthly outgoings")
    instalment = _money(instalment, "The instalment")
    left = income - outgoings
    if instalment <= 0:
        raise StepRefused("The instalment must be more than £0.00.")
    if instalment > left:
        raise StepRefused(
            f"£{instalment:,.2f} a month is more than the customer can afford: £{left:,.2f} is left after essential "
            "outgoings. Agree a smaller instalment, or check the help they may be entitled to."
        )
    today = calendar.local_date(now)
    if first_due_date < today:
        raise StepRefused(f"The first instalment cannot be due in the past ({first_due_date:%-d %B %Y}).")
    debt = billing_queries.balance_of(case.account)
    if debt <= 0:
        raise StepRefused(f"Account {case.account.number} owes nothing: there is nothing to plan.")
    count = math.ceil(debt / instalment)
    with transaction.atomic():
        RepaymentPlan.objects.filter(case=case, status=RepaymentPlan.Status.ACTIVE).update(
            status=RepaymentPlan.Status.ENDED
        )
        plan = RepaymentPlan.objects.create(
            case=case,
            monthly_income=income,
            monthly_outgoings=outgoings,
            debt=debt,
            instalment=instalment,
            agreed_at=now,
            agreed_by=actor,
        )
        PlanInstalment.objects.bulk_create(
            PlanInstalment(
                plan=plan,
                due_date=tariff_ops.add_months(first_due_date, n),
                amount=instalment if n < count - 1 else debt - instalment * (count - 1),
            )
            for n in range(count)
        )
        document = debt_letters.issue_plan_letter(plan=plan, now=now)
        _move(
            case,
            State.ON_PLAN,
            day=today,
            reason=f"Plan of £{instalment:,.2f} a month agreed on income £{income:,.2f}, outgoings £{outgoings:,.2f}",
            actor=actor,
            now=now,
            document=document,
            details={"plan": plan.pk, "instalments": count},
        )
    return plan


def record_plan_not_agreed(*, case: DebtCase, reason: str, actor: User, now: datetime) -> DebtStep:
    """Record that a plan was offered and the customer did not agree one (no answer, or refused)."""
    return _move(case, State.PLAN_NOT_AGREED, day=calendar.local_date(now), reason=reason, actor=actor, now=now)


def active_plan(case: DebtCase) -> RepaymentPlan | None:
    return case.plans.filter(status=RepaymentPlan.Status.ACTIVE).first()


def paid_since(plan: RepaymentPlan) -> Decimal:
    """What the customer paid since the plan was agreed (payments less those returned unpaid)."""
    total = LedgerEntry.objects.filter(
        account=plan.case.account,
        kind__in=[LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.PAYMENT_REVERSAL],
        posted_at__gte=plan.agreed_at,
    ).aggregate(total=Sum("amount"))["total"]
    return -Decimal(total or 0)


def missed_instalment(plan: RepaymentPlan, day: date) -> PlanInstalment | None:
    """The first instalment whose grace period ended before ``day`` without the payments covering it."""
    paid = paid_since(plan)
    due = Decimal(0)
    for instalment in plan.instalments.order_by("due_date"):
        if (day - instalment.due_date).days <= path.INSTALMENT_GRACE_DAYS:
            return None
        due += instalment.amount
        if paid < due:
            return instalment
    return None


# --- Referral (the payments area refers) -----------------------------------------------------------------------------


def refer(*, case: DebtCase, reason: str, actor: User, now: datetime) -> DebtStep:
    """Refer the debt to a debt collection agency (10.1.3) through the payments area's referral and export.

    :raises StepRefused: the path does not allow it yet, or the payments area refuses the referral.
    """
    day = calendar.local_date(now)
    _allowed(case, State.REFERRED, day)
    with transaction.atomic():
        try:
            referral = late_payment.refer_to_agency(account=case.account, reason=reason, actor=actor, now=now)
        except late_payment.ReferralRefused as exc:
            raise StepRefused(str(exc)) from exc
        return _move(
            case, State.REFERRED, day=day, reason=reason, actor=actor, now=now, details={"referral": referral.pk}
        )


# --- Prepayment (10.1.4, 10.1.5, 10.2) -------------------------------------------------------------------------------


def give_prepayment_notice(*, case: DebtCase, reason: str, actor: User, now: datetime) -> DebtStep:
    """Send the 42 days' notice of a move to prepayment (10.1.4, 10.2, 7.6.2); its deemed delivery is kept."""
    day = calendar.local_date(now)
    _allowed(case, State.PREPAYMENT_NOTICE, day)
    deemed = collections.notice_deemed_delivered(account=case.account, type_code="PREPAYMENT_NOTICE", now=now)
    smart = _smart_meter(case.account) is not None
    with transaction.atomic():
        document = debt_letters.issue_prepayment_notice(case=case, deemed_on=deemed, smart=smart, now=now)
        case.prepayment_notice = document
        case.prepayment_notice_deemed_on = deemed
        return _move(
            case,
            State.PREPAYMENT_NOTICE,
            day=day,
            reason=reason,
            actor=actor,
            now=now,
            document=document,
            details={"deemed_delivered": deemed.isoformat(), "ends": path.prepayment_notice_ends(deemed).isoformat()},
        )


def _smart_meter(account: Account) -> Meter | None:
    return accounts_queries.current_meters(account=account).filter(kind=Meter.Kind.SMART).first()


def move_to_prepayment(*, case: DebtCase, day: date, reason: str, actor: User | None, now: datetime) -> Prepayment:
    """Put the account on prepayment after the notice: a smart meter by command, otherwise an engineer's
    installation (accepted, or under the warrant granted). The core checks the notice and the register again.

    :raises StepRefused: the path, the notice's 42 days, the register, or the core refuse it.
    """
    under_warrant = case.state == State.WARRANT_GRANTED
    _allowed(case, State.ON_PREPAYMENT, day)
    with transaction.atomic():
        try:
            prepayment = prepayment_ops.start_prepayment(
                account=case.account,
                day=day,
                reason=Prepayment.Reason.WARRANT if under_warrant else Prepayment.Reason.DEBT,
                now=now,
                actor=actor,
                notice=case.prepayment_notice,
                notice_deemed_delivered=case.prepayment_notice_deemed_on,
            )
        except prepayment_ops.PrepaymentRefused as exc:
            raise StepRefused(str(exc)) from exc
        _move_arrears_to_meter(case, prepayment, actor=actor, now=now)
        how = "smart meter switched by command" if _smart_meter(case.account) else "prepayment meter installed"
        _move(
            case,
            State.ON_PREPAYMENT,
            day=day,
            reason=f"{reason} ({how}{', under warrant' if under_warrant else ''})",
            actor=actor,
            now=now,
            details={"prepayment": prepayment.pk},
        )
    return prepayment


def _move_arrears_to_meter(case: DebtCase, prepayment: Prepayment, *, actor: User | None, now: datetime) -> None:
    """The account's debt becomes a debt on the meter, recovered from top-ups (10.1.1), and leaves the account's
    balance in the same transaction, so it is owed once."""
    owed = billing_queries.balance_of(case.account)
    if owed <= 0:
        return
    reason = f"Debt case {case.pk}: the account's arrears are recovered through the prepayment meter (T&C 10.1.1)"
    prepayment_ops.add_meter_debt(
        prepayment=prepayment,
        kind=MeterDebt.Kind.ARREARS,
        amount=owed,
        description="Arrears moved from your account",
        reason=reason,
        actor=actor,
        now=now,
    )
    billing_ops.record_balance_transfer(
        account=case.account,
        amount=owed,
        description="Moved to your prepayment meter",
        reason=reason,
        actor=actor,
        now=now,
    )


# --- Warrants (10.1.5, 10.1.6) ---------------------------------------------------------------------------------------


def court_for(account: Account) -> str:
    """A warrant comes from a Magistrates' Court, or a Sheriff Court where the supply is in Scotland (10.1.5)."""
    point = accounts_queries.current_supply_points(account=account).select_related("supply_property").first()
    home = point.supply_property if point is not None else account.billing_property
    return Warrant.Court.SHERIFF if home.nation == Nation.SCOTLAND else Warrant.Court.MAGISTRATES


def apply_for_warrant(*, case: DebtCase, purpose: str, reason: str, actor: User, now: datetime) -> Warrant:
    """Record the application for a warrant of entry, to the court the supply's nation calls for."""
    day = calendar.local_date(now)
    with transaction.atomic():
        _move(case, State.WARRANT_APPLIED, day=day, reason=reason, actor=actor, now=now, details={"purpose": purpose})
        return Warrant.objects.create(
            case=case, purpose=Warrant.Purpose(purpose), court=court_for(case.account), applied_on=day
        )


def record_warrant_granted(
    *, case: DebtCase, court_name: str, reference: str, granted_on: date, actor: User, now: datetime
) -> Warrant:
    """Record the warrant the court granted: which court, its reference, the day."""
    court_name, reference = court_name.strip(), reference.strip()
    if not court_name or not reference:
        raise StepRefused("Give the court's name and the warrant's reference, as on the warrant.")
    if granted_on > calendar.local_date(now):
        raise StepRefused(f"A warrant cannot be granted in the future ({granted_on:%-d %B %Y}).")
    warrant = case.warrants.filter(granted_on__isnull=True).order_by("-id").first()
    if warrant is None:
        raise StepRefused("No warrant application is waiting on this case.")
    if granted_on < warrant.applied_on:
        raise StepRefused(
            f"The warrant was applied for on {warrant.applied_on:%-d %B %Y}: it cannot be granted before."
        )
    with transaction.atomic():
        warrant.court_name, warrant.reference, warrant.granted_on = court_name[:120], reference[:60], granted_on
        warrant.save(update_fields=["court_name", "reference", "granted_on"])
        _move(
            case,
            State.WARRANT_GRANTED,
            day=granted_on,
            reason=f"{warrant.get_court_display()}: {court_name}, reference {reference}",
            actor=actor,
            now=now,
            details={"warrant": warrant.pk, "purpose": warrant.purpose},
        )
    return warrant


# --- Disconnection (16) and reconnection ------------------------------------------------------------------------------


def give_disconnection_notice(*, case: DebtCase, reason: str, actor: User, now: datetime) -> DebtStep:
    """Send the written notice of disconnection (16.2); its deemed delivery starts the notice period."""
    day = calendar.local_date(now)
    _allowed(case, State.DISCONNECTION_NOTICE, day)
    deemed = collections.notice_deemed_delivered(account=case.account, type_code="DISCONNECTION_NOTICE", now=now)
    with transaction.atomic():
        document = debt_letters.issue_disconnection_notice(case=case, deemed_on=deemed, now=now)
        case.disconnection_notice = document
        case.disconnection_notice_deemed_on = deemed
        return _move(
            case,
            State.DISCONNECTION_NOTICE,
            day=day,
            reason=reason,
            actor=actor,
            now=now,
            document=document,
            details={"deemed_delivered": deemed.isoformat()},
        )


def _supply_command(case: DebtCase, kind: str, day: date, reason: str, actor: User, now: datetime) -> str:
    """Send ``kind`` to the smart meter, or say an engineer visits; the words go in the step's details."""
    meter = _smart_meter(case.account)
    if meter is None:
        return "engineer visit"
    command = smart_meters.request_command(meter=meter, kind=kind, reason=reason, not_before=day, actor=actor, now=now)
    return f"smart meter command {command.pk}"


def _charge(case: DebtCase, kind: str, cost: Decimal, day: date, reason: str, actor: User, now: datetime) -> int | None:
    if cost <= 0:
        return None
    try:
        charge = billing_ops.raise_additional_charge(
            account=case.account,
            kind=AdditionalCharge.Kind(kind),
            amount=cost,
            incurred_date=day,
            reason=reason,
            meter_proved_accurate=None,
            actor=actor,
            now=now,
        )
    except billing_ops.BillingRefused as exc:
        raise StepRefused(str(exc)) from exc
    return charge.pk


def disconnect(*, case: DebtCase, day: date, cost: Decimal, reason: str, actor: User, now: datetime) -> DebtStep:
    """Disconnect under warrant after written notice (16): never in winter for a protected household, never for a
    household the register excludes; the cost may be charged (16.5)."""
    with transaction.atomic():
        step = _move(case, State.DISCONNECTED, day=day, reason=reason, actor=actor, now=now)
        how = _supply_command(case, SmartMeterCommand.Kind.SUSPEND_SUPPLY, day, reason, actor, now)
        charge = _charge(case, AdditionalCharge.Kind.DISCONNECTION, _money(cost, "The cost"), day, reason, actor, now)
        step.details = {**step.details, "how": how, "charge": charge}
        step.save(update_fields=["details"])
    return step


def reconnect(
    *,
    case: DebtCase,
    day: date,
    payment_on_account: Decimal,
    cost: Decimal,
    reason: str,
    actor: User,
    now: datetime,
) -> DebtStep:
    """Reconnect: the payment on account asked for (16.4) and the costs of disconnecting and reconnecting (16.5)."""
    with transaction.atomic():
        step = _move(case, State.RECONNECTED, day=day, reason=reason, actor=actor, now=now)
        how = _supply_command(case, SmartMeterCommand.Kind.RESTORE_SUPPLY, day, reason, actor, now)
        charge = _charge(case, AdditionalCharge.Kind.RECONNECTION, _money(cost, "The cost"), day, reason, actor, now)
        step.details = {
            **step.details,
            "how": how,
            "charge": charge,
            "payment_on_account": str(_money(payment_on_account, "The payment on account")),
        }
        step.save(update_fields=["details"])
    return step


# --- What the daily job moves -----------------------------------------------------------------------------------------


def advance(*, case: DebtCase, day: date, now: datetime) -> DebtStep | None:
    """Take the step time has made due for ``case`` on ``day``, if any: closed when paid, reminded once the final
    notice went, a plan kept or broken, a smart meter switched when the prepayment notice ends."""
    allowed = path.next_states(case.state)
    if State.CLOSED in allowed and debt_owed(case.account) <= 0:
        plan = active_plan(case)
        if plan is not None:
            plan.status = RepaymentPlan.Status.KEPT
            plan.save(update_fields=["status"])
        return _move(case, State.CLOSED, day=day, reason="The debt is paid", actor=None, now=now)
    if case.state == State.OVERDUE and final_notice_sent(case):
        return _move(case, State.REMINDED, day=day, reason="Reminder and final notice sent (10.1)", actor=None, now=now)
    if case.state == State.ON_PLAN:
        plan = active_plan(case)
        if plan is not None and (missed := missed_instalment(plan, day)) is not None:
            plan.status = RepaymentPlan.Status.BROKEN
            plan.save(update_fields=["status"])
            return _move(
                case,
                State.PLAN_BROKEN,
                day=day,
                reason=f"Instalment of £{missed.amount:,.2f} due {missed.due_date:%-d %B %Y} not paid",
                actor=None,
                now=now,
                details={"plan": plan.pk, "instalment": missed.pk},
            )
    if (
        case.state == State.PREPAYMENT_NOTICE
        and case.prepayment_notice_deemed_on is not None
        and day >= path.prepayment_notice_ends(case.prepayment_notice_deemed_on)
        and _smart_meter(case.account) is not None
        and prepayment_ops.open_prepayment(case.account) is None
    ):
        move_to_prepayment(case=case, day=day, reason="The 42 days' notice has ended", actor=None, now=now)
        return case.steps.order_by("-id").first()
    return None
