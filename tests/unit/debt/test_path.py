"""The debt path's state machine (ADR 0015): no step skipped, the register honoured on the step's day, the notices'
periods kept. Expected days are worked out by hand in each docstring."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from hearth.data.debt.models import DebtCase, Warrant
from hearth.domain.debt import path
from hearth.domain.priority.queries import NONE, Protections

State = DebtCase.State

PENSIONER = Protections(on_register=True, needs=("14",), protected_in_winter=True, no_forced_prepayment=False)
VENTILATOR = Protections(on_register=True, needs=("02",), protected_in_winter=True, no_forced_prepayment=True)


def _facts(day: date, protections: Protections = NONE, **kwargs: object) -> path.Facts:
    defaults: dict[str, object] = {
        "balance": Decimal("250.00"),
        "prepayment_notice_deemed_on": date(2027, 1, 4),
        "disconnection_notice_deemed_on": date(2027, 3, 1),
        "warrant_granted_for": Warrant.Purpose.DISCONNECTION,
    }
    return path.Facts(day=day, protections=protections, **{**defaults, **kwargs})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "barred"),
    [
        (date(2027, 9, 30), False),
        (date(2027, 10, 1), True),
        (date(2028, 3, 31), True),
        (date(2028, 4, 1), False),
    ],
)
def test_no_disconnection_1_october_to_31_march_for_a_protected_household(day: date, barred: bool) -> None:
    refusal = path.refusal(State.DISCONNECTION_NOTICE, State.DISCONNECTED, _facts(day, PENSIONER))
    assert (refusal is not None and "1 October to 31 March" in refusal) is barred
    if not barred:
        assert refusal is None


def test_a_household_without_winter_protection_may_be_disconnected_on_1_october() -> None:
    assert path.refusal(State.DISCONNECTION_NOTICE, State.DISCONNECTED, _facts(date(2027, 10, 1))) is None


def test_a_medically_dependent_household_is_never_disconnected_or_forced_onto_prepayment() -> None:
    for to, state in [
        (State.DISCONNECTED, State.DISCONNECTION_NOTICE),
        (State.PREPAYMENT_NOTICE, State.REFERRED),
        (State.WARRANT_APPLIED, State.PREPAYMENT_NOTICE),
    ]:
        refusal = path.refusal(state, to, _facts(date(2027, 7, 1), VENTILATOR))
        assert refusal is not None
        assert "medical dependency" in refusal


@pytest.mark.parametrize(("day", "allowed"), [(date(2027, 2, 14), False), (date(2027, 2, 15), True)])
def test_prepayment_and_its_warrant_wait_42_days_from_deemed_delivery(day: date, allowed: bool) -> None:
    """Deemed delivered Monday 4 January 2027: 42 days on is Monday 15 February (27 days to 31 January, 15 more)."""
    facts = _facts(day)
    for to in (State.ON_PREPAYMENT, State.WARRANT_APPLIED):
        assert (path.refusal(State.PREPAYMENT_NOTICE, to, facts) is None) is allowed


@pytest.mark.parametrize(("day", "allowed"), [(date(2027, 4, 7), False), (date(2027, 4, 8), True)])
def test_disconnection_waits_for_the_written_notice(day: date, allowed: bool) -> None:
    """Notice deemed delivered Thursday 1 April 2027: 7 days on is Thursday 8 April."""
    facts = _facts(day, disconnection_notice_deemed_on=date(2027, 4, 1))
    assert (path.refusal(State.DISCONNECTION_NOTICE, State.DISCONNECTED, facts) is None) is allowed


def test_a_warrant_to_install_prepayment_does_not_allow_disconnection() -> None:
    facts = _facts(date(2027, 5, 1), warrant_granted_for=Warrant.Purpose.PREPAYMENT)
    assert "not for that" in (path.refusal(State.WARRANT_GRANTED, State.DISCONNECTION_NOTICE, facts) or "")


def test_care_cannot_jump_from_overdue_to_disconnection() -> None:
    refusal = path.refusal(State.OVERDUE, State.DISCONNECTED, _facts(date(2027, 5, 1)))
    assert refusal is not None
    assert "next steps are" in refusal


def test_a_case_closes_only_when_the_debt_is_paid() -> None:
    assert path.refusal(State.ON_PLAN, State.CLOSED, _facts(date(2027, 5, 1))) is not None
    assert path.refusal(State.ON_PLAN, State.CLOSED, _facts(date(2027, 5, 1), balance=Decimal("0.00"))) is None


PLAN_STEPS = {State.ON_PLAN, State.PLAN_NOT_AGREED}


class RandomCareActions(RuleBasedStateMachine):
    """Care (and the job) try any step on any day, for any household: the path decides. Whatever they do, a
    disconnection comes only after every step before it, in order, and never on a day the household is protected."""

    def __init__(self) -> None:
        super().__init__()
        self.state: str = State.OVERDUE
        self.history: list[tuple[str, date, Protections]] = [(State.OVERDUE, date(2027, 1, 4), NONE)]
        self.day = date(2027, 1, 4)
        self.prepayment_deemed: date | None = None
        self.disconnection_deemed: date | None = None
        self.warrant: str | None = None

    @rule(
        to=st.sampled_from(list(State)),
        days_later=st.integers(min_value=0, max_value=90),
        protections=st.sampled_from([NONE, PENSIONER, VENTILATOR]),
        paid=st.booleans(),
        purpose=st.sampled_from(list(Warrant.Purpose)),
    )
    def attempt(self, to: str, days_later: int, protections: Protections, paid: bool, purpose: str) -> None:
        self._try(to, days_later, protections, paid, purpose)

    @rule(
        data=st.data(),
        days_later=st.integers(min_value=0, max_value=60),
        protections=st.sampled_from([NONE, NONE, NONE, PENSIONER, VENTILATOR]),
        purpose=st.sampled_from(
            [Warrant.Purpose.DISCONNECTION, Warrant.Purpose.DISCONNECTION, Warrant.Purpose.PREPAYMENT]
        ),
    )
    def try_a_next_step(self, data: st.DataObject, days_later: int, protections: Protections, purpose: str) -> None:
        """The steps offered from here, less often back to a plan or to prepayment, so long paths are walked."""
        offered: list[str] = sorted(path.next_states(self.state)) or [State.CLOSED]
        onward = [s for s in offered if s not in (State.ON_PLAN, State.CLOSED, State.ON_PREPAYMENT)]
        go_on: int = data.draw(st.integers(0, 3))
        options = onward if onward and go_on else offered
        self._try(data.draw(st.sampled_from(options)), days_later, protections, False, purpose)

    def _try(self, to: str, days_later: int, protections: Protections, paid: bool, purpose: str) -> None:
        self.day += timedelta(days=days_later)
        facts = path.Facts(
            day=self.day,
            protections=protections,
            balance=Decimal("0.00") if paid else Decimal("120.00"),
            prepayment_notice_deemed_on=self.prepayment_deemed,
            disconnection_notice_deemed_on=self.disconnection_deemed,
            warrant_granted_for=self.warrant,
        )
        if path.refusal(self.state, to, facts) is not None:
            return
        if to == State.PREPAYMENT_NOTICE:
            self.prepayment_deemed = self.day + timedelta(days=2)
        if to == State.DISCONNECTION_NOTICE:
            self.disconnection_deemed = self.day + timedelta(days=2)
        if to == State.WARRANT_GRANTED:
            self.warrant = purpose
        self.state = to
        self.history.append((to, self.day, protections))

    @invariant()
    def disconnection_only_after_every_prior_step(self) -> None:
        for index, (state, day, protections) in enumerate(self.history):
            if state != State.DISCONNECTED:
                continue
            before = [s for s, _, _ in self.history[:index]]
            remaining = iter(before)
            assert all(step in remaining for step in path.BEFORE_DISCONNECTION), before
            reminded, referred = before.index(State.REMINDED), len(before) - 1 - before[::-1].index(State.REFERRED)
            assert PLAN_STEPS & set(before[reminded:referred])
            assert before[-3:] == [State.WARRANT_APPLIED, State.WARRANT_GRANTED, State.DISCONNECTION_NOTICE]
            assert not protections.disconnection_barred_on(day)
            assert not protections.no_forced_prepayment


def test_random_care_actions_never_reach_disconnection_without_every_prior_step() -> None:
    run_state_machine_as_test(
        RandomCareActions, settings=settings(max_examples=300, stateful_step_count=60, deadline=None)
    )


def test_disconnection_is_reachable_along_the_path() -> None:
    """The property above would hold for a path that never disconnects: walk it once by hand to show it does."""
    steps = [
        (State.REMINDED, date(2027, 1, 20)),
        (State.PLAN_NOT_AGREED, date(2027, 1, 25)),
        (State.REFERRED, date(2027, 2, 1)),
        (State.PREPAYMENT_NOTICE, date(2027, 2, 2)),
        (State.WARRANT_APPLIED, date(2027, 3, 18)),
        (State.WARRANT_GRANTED, date(2027, 4, 1)),
        (State.DISCONNECTION_NOTICE, date(2027, 4, 2)),
        (State.DISCONNECTED, date(2027, 4, 12)),
        (State.RECONNECTED, date(2027, 4, 13)),
    ]
    state: str = State.OVERDUE
    for to, day in steps:
        facts = _facts(
            day,
            PENSIONER,
            prepayment_notice_deemed_on=date(2027, 2, 4),
            disconnection_notice_deemed_on=date(2027, 4, 5),
        )
        assert path.refusal(state, to, facts) is None, (state, to)
        state = to
