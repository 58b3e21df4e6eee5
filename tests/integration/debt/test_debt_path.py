"""The debt path (T&C 10.1, 10.2, 16; ADR 0015) through its operations: each step recorded with its reason, actor
and day; the notices' periods on their boundary days across bank holidays; the register read on the step's day;
disconnection only under warrant after written notice and never in winter for a protected household."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Account, Customer, Nation, Property
from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import AdditionalCharge, LedgerEntry
from hearth.data.debt.models import DebtCase, DebtStep, PlanInstalment, RepaymentPlan, Warrant
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter, SmartMeterCommand
from hearth.data.payments.models import DebtReferral
from hearth.data.prepayment.models import MeterDebt, Prepayment
from hearth.domain.billing import queries as billing_queries
from hearth.domain.debt import jobs as debt_jobs
from hearth.domain.debt import operations as debt
from hearth.domain.payments import late_payment
from tests.integration.debt.support import (
    indebted_account,
    referred_case,
    register,
    reminded_case,
    staff,
    warrant_case,
)
from tests.integration.payments.account_support import (
    at,
    documents_in_tmp_fixture,  # noqa: F401  (a fixture)
    pdf_text,
    post,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

State = DebtCase.State


class Report:
    """What the job reported, as the scheduler's report takes it."""

    def __init__(self) -> None:
        self.done_items: list[tuple[str, str]] = []
        self.failed_items: list[tuple[str, str]] = []

    def done(self, subject: str, message: str) -> None:
        self.done_items.append((subject, message))

    def failed(self, subject: str, message: str) -> None:
        self.failed_items.append((subject, message))


def run_job(day: date) -> Report:
    report = Report()
    debt_jobs.run(day=day, now=at(day, hour=6), report=report)  # type: ignore[arg-type]
    return report


def test_the_job_opens_one_case_for_an_overdue_account_and_moves_it_when_the_final_notice_has_gone() -> None:
    account = indebted_account()
    assert run_job(date(2026, 11, 16)).done_items == []  # due today: not overdue yet
    opened = run_job(date(2026, 11, 17))
    assert opened.done_items == [(account.number, "Debt case opened: a bill is overdue")]
    assert run_job(date(2026, 11, 17)).done_items == []  # run again: nothing twice
    case = DebtCase.objects.get(account=account)
    assert case.state == State.OVERDUE
    late_payment.send_reminders(today=date(2026, 12, 7), now=at(date(2026, 12, 7), hour=5))
    run_job(date(2026, 12, 7))
    case.refresh_from_db()
    assert case.state == State.REMINDED
    assert [(s.from_state, s.to_state, s.actor) for s in case.steps.order_by("id")] == [
        ("", State.OVERDUE, None),
        (State.OVERDUE, State.REMINDED, None),
    ]


def test_care_cannot_skip_from_reminded_to_referral_or_disconnection() -> None:
    account, agent = indebted_account(), staff()
    case = reminded_case(account)
    with pytest.raises(debt.StepRefused, match="next steps are"):
        debt.refer(case=case, reason="skip", actor=agent, now=at(date(2026, 12, 8)))
    with pytest.raises(debt.StepRefused, match="next steps are"):
        debt.disconnect(
            case=case, day=date(2026, 12, 8), cost=Decimal(0), reason="skip", actor=agent, now=at(date(2026, 12, 8))
        )
    assert not DebtReferral.objects.filter(account=account).exists()
    assert not SmartMeterCommand.objects.exists()


def test_a_plan_is_refused_above_what_is_left_after_essential_outgoings() -> None:
    account, agent = indebted_account(), staff()
    case = reminded_case(account)
    with pytest.raises(debt.StepRefused, match=r"more than the customer can afford: £60\.00 is left"):
        debt.agree_plan(
            case=case,
            monthly_income=Decimal("1200.00"),
            monthly_outgoings=Decimal("1140.00"),
            instalment=Decimal("60.01"),
            first_due_date=date(2027, 1, 1),
            actor=agent,
            now=at(date(2026, 12, 8)),
        )
    assert case.plans.count() == 0


def test_a_plan_splits_the_debt_into_monthly_instalments_and_breaks_when_one_is_missed() -> None:
    """£250.00 at £60.00 a month from Friday 1 January 2027: four of £60.00 and a last of £10.00. The first is missed
    when nothing is paid by the end of Friday 8 January (7 days' grace): broken on Saturday 9 January."""
    account, agent = indebted_account(), staff()
    case = reminded_case(account)
    plan = debt.agree_plan(
        case=case,
        monthly_income=Decimal("1200.00"),
        monthly_outgoings=Decimal("1100.00"),
        instalment=Decimal("60.00"),
        first_due_date=date(2027, 1, 1),
        actor=agent,
        now=at(date(2026, 12, 8)),
    )
    assert [(i.due_date, i.amount) for i in PlanInstalment.objects.filter(plan=plan).order_by("due_date")] == [
        (date(2027, 1, 1), Decimal("60.00")),
        (date(2027, 2, 1), Decimal("60.00")),
        (date(2027, 3, 1), Decimal("60.00")),
        (date(2027, 4, 1), Decimal("60.00")),
        (date(2027, 5, 1), Decimal("10.00")),
    ]
    case.refresh_from_db()
    assert case.state == State.ON_PLAN
    step = case.steps.order_by("-id").first()
    assert step is not None
    assert step.actor == agent
    assert step.document is not None
    assert "£60.00" in pdf_text(step.document)

    run_job(date(2027, 1, 8))
    case.refresh_from_db()
    assert case.state == State.ON_PLAN
    run_job(date(2027, 1, 9))
    case.refresh_from_db()
    plan.refresh_from_db()
    assert (case.state, plan.status) == (State.PLAN_BROKEN, RepaymentPlan.Status.BROKEN)


def test_an_instalment_paid_keeps_the_plan_and_a_debt_paid_closes_the_case() -> None:
    account, agent = indebted_account(), staff()
    case = reminded_case(account)
    plan = debt.agree_plan(
        case=case,
        monthly_income=Decimal("1200.00"),
        monthly_outgoings=Decimal("1000.00"),
        instalment=Decimal("125.00"),
        first_due_date=date(2027, 1, 1),
        actor=agent,
        now=at(date(2026, 12, 8)),
    )
    post(account, LedgerEntry.Kind.PAYMENT, "-125.00", at(date(2026, 12, 30)))
    run_job(date(2027, 1, 20))
    case.refresh_from_db()
    assert case.state == State.ON_PLAN
    post(account, LedgerEntry.Kind.PAYMENT, "-125.00", at(date(2027, 1, 30)))
    run_job(date(2027, 2, 1))
    case.refresh_from_db()
    plan.refresh_from_db()
    assert (case.state, case.closed_on, plan.status) == (State.CLOSED, date(2027, 2, 1), RepaymentPlan.Status.KEPT)


@pytest.mark.parametrize(("day", "allowed"), [(date(2027, 2, 17), False), (date(2027, 2, 18), True)])
def test_prepayment_after_42_days_from_the_notices_deemed_delivery_across_a_bank_holiday(
    day: date, allowed: bool
) -> None:
    """Notice issued Monday 4 January 2027, Scotland's bank holiday for Saturday 2 January, so posted Tuesday 5;
    deemed delivered 2 working days later, Thursday 7 January. 42 days on: 24 to 31 January, 18 into February:
    Thursday 18 February 2027. The job switches the smart meter that day, not the day before."""
    account, agent = indebted_account(), staff()
    case = referred_case(account, agent)
    debt.give_prepayment_notice(
        case=case, reason="Referral did not recover the debt", actor=agent, now=at(date(2027, 1, 4))
    )
    case.refresh_from_db()
    assert case.prepayment_notice_deemed_on == date(2027, 1, 7)
    assert case.prepayment_notice is not None
    assert "18 February 2027" in pdf_text(case.prepayment_notice)
    run_job(day)
    case.refresh_from_db()
    assert (case.state == State.ON_PREPAYMENT) is allowed
    assert Prepayment.objects.filter(account=account, reason=Prepayment.Reason.DEBT).exists() is allowed
    switched = SmartMeterCommand.objects.filter(kind=SmartMeterCommand.Kind.SWITCH_TO_PREPAYMENT)
    assert switched.exists() is allowed


def test_a_credit_meter_waits_for_care_the_installation_voluntary_or_under_warrant() -> None:
    account, agent = indebted_account(meter=Meter.Kind.CREDIT), staff()
    case = referred_case(account, agent)
    debt.give_prepayment_notice(
        case=case, reason="Referral did not recover the debt", actor=agent, now=at(date(2027, 1, 4))
    )
    assert run_job(date(2027, 3, 1)).done_items == []
    debt.move_to_prepayment(
        case=case,
        day=date(2027, 3, 1),
        reason="Customer accepted the installation",
        actor=agent,
        now=at(date(2027, 3, 1)),
    )
    case.refresh_from_db()
    assert case.state == State.ON_PREPAYMENT
    assert "prepayment meter installed" in case.steps.order_by("-id")[0].reason


def test_a_warrant_is_asked_of_a_sheriff_court_in_scotland_and_magistrates_in_england() -> None:
    agent = staff()
    english, scottish = indebted_account(), indebted_account()
    Property.objects.filter(supply_points__supplies__account=scottish).update(nation=Nation.SCOTLAND)
    for account, court in [(english, Warrant.Court.MAGISTRATES), (scottish, Warrant.Court.SHERIFF)]:
        case = warrant_case(account, agent)
        warrant = case.warrants.get()
        assert (warrant.court, warrant.granted_on, warrant.purpose) == (
            court,
            date(2027, 3, 1),
            Warrant.Purpose.DISCONNECTION,
        )
        assert case.state == State.WARRANT_GRANTED


def _disconnect(case: DebtCase, agent: User, day: date) -> DebtStep:
    return debt.disconnect(
        case=case, day=day, cost=Decimal("150.00"), reason="Under warrant after notice", actor=agent, now=at(day)
    )


def _noticed_case(account: Account, agent: User, notice_day: date) -> DebtCase:
    case = warrant_case(account, agent)
    debt.give_disconnection_notice(case=case, reason="No arrangement to pay", actor=agent, now=at(notice_day))
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(
    ("day", "allowed"),
    [(date(2027, 9, 30), True), (date(2027, 10, 1), False), (date(2028, 3, 31), False), (date(2028, 4, 1), True)],
)
def test_no_disconnection_1_october_to_31_march_for_a_protected_household(day: date, allowed: bool) -> None:
    """A pensioner household (need 07) on the register since 2026. Notice given on 1 September 2027."""
    account, agent = indebted_account(), staff()
    register(account, ["14"], on=datetime(2026, 1, 5, tzinfo=UTC))
    case = _noticed_case(account, agent, date(2027, 9, 1))
    if allowed:
        step = _disconnect(case, agent, day)
        assert step.details["register"] == {"on_register": True, "needs": ["14"]}
        assert SmartMeterCommand.objects.get(kind=SmartMeterCommand.Kind.SUSPEND_SUPPLY).not_before == day
        assert AdditionalCharge.objects.get(account=account).kind == AdditionalCharge.Kind.DISCONNECTION
        prior = [s.to_state for s in case.steps.order_by("id")]
        assert prior == [
            State.OVERDUE,
            State.REMINDED,
            State.PLAN_NOT_AGREED,
            State.REFERRED,
            State.PREPAYMENT_NOTICE,
            State.WARRANT_APPLIED,
            State.WARRANT_GRANTED,
            State.DISCONNECTION_NOTICE,
            State.DISCONNECTED,
        ]
    else:
        with pytest.raises(debt.StepRefused, match="1 October to 31 March"):
            _disconnect(case, agent, day)
        assert not SmartMeterCommand.objects.filter(kind=SmartMeterCommand.Kind.SUSPEND_SUPPLY).exists()
        assert not AdditionalCharge.objects.filter(account=account).exists()


def test_a_business_is_not_protected_in_winter() -> None:
    account, agent = indebted_account(customer_kind=Customer.Kind.ORGANISATION), staff()
    register(account, ["14"], on=datetime(2026, 1, 5, tzinfo=UTC))
    case = _noticed_case(account, agent, date(2027, 9, 1))
    _disconnect(case, agent, date(2027, 10, 1))
    case.refresh_from_db()
    assert case.state == State.DISCONNECTED


def test_a_registration_after_the_notice_still_stops_the_disconnection() -> None:
    account, agent = indebted_account(), staff()
    case = _noticed_case(account, agent, date(2027, 5, 3))
    register(account, ["04"], on=datetime(2027, 5, 10, tzinfo=UTC))
    with pytest.raises(debt.StepRefused, match="medical dependency"):
        _disconnect(case, agent, date(2027, 5, 20))


def test_reconnection_charges_its_costs_and_the_case_closes_when_paid() -> None:
    account, agent = indebted_account(), staff()
    case = _noticed_case(account, agent, date(2027, 5, 3))
    _disconnect(case, agent, date(2027, 5, 20))
    with pytest.raises(debt.StepRefused, match="next steps are"):
        debt.record_plan_not_agreed(case=case, reason="x", actor=agent, now=at(date(2027, 5, 21)))
    step = debt.reconnect(
        case=case,
        day=date(2027, 5, 21),
        payment_on_account=Decimal("100.00"),
        cost=Decimal("90.00"),
        reason="Paid £100.00 on account",
        actor=agent,
        now=at(date(2027, 5, 21)),
    )
    assert step.details["payment_on_account"] == "100.00"
    assert SmartMeterCommand.objects.filter(kind=SmartMeterCommand.Kind.RESTORE_SUPPLY).exists()
    assert sorted(AdditionalCharge.objects.filter(account=account).values_list("kind", flat=True)) == [
        AdditionalCharge.Kind.DISCONNECTION,
        AdditionalCharge.Kind.RECONNECTION,
    ]
    run_job(date(2027, 5, 22))
    case.refresh_from_db()
    assert case.state == State.RECONNECTED  # still owes
    post(account, LedgerEntry.Kind.PAYMENT, "-250.00", at(date(2027, 5, 25)))
    run_job(date(2027, 5, 26))
    case.refresh_from_db()
    assert (case.state, case.closed_on) == (State.CLOSED, date(2027, 5, 26))
    assert AuditEvent.objects.filter(action="debt.step").count() == case.steps.count() - 1


def test_on_prepayment_the_arrears_move_to_the_meter_and_leave_the_account_balance() -> None:
    """The account's debt is recovered through the meter (10.1.1): a meter debt of exactly the balance, and the
    balance taken to nothing in the same step, so it is owed once."""
    account, agent = indebted_account(meter=Meter.Kind.CREDIT), staff()
    owed = billing_queries.balance_of(account)
    assert owed > 0
    case = referred_case(account, agent)
    debt.give_prepayment_notice(
        case=case, reason="Referral did not recover the debt", actor=agent, now=at(date(2027, 1, 4))
    )
    prepayment = debt.move_to_prepayment(
        case=case, day=date(2027, 3, 1), reason="Customer accepted", actor=agent, now=at(date(2027, 3, 1))
    )
    [moved] = MeterDebt.objects.filter(prepayment=prepayment)
    assert (moved.kind, moved.amount) == (MeterDebt.Kind.ARREARS, owed)
    assert billing_queries.balance_of(account) == Decimal("0.00")
