"""The debt path's state machine (ADR 0015): the one table of the steps a case may take, and the one function that
says whether a step may be taken on a day. Every change of a case's state goes through :func:`refusal` first
(``operations._move``), so care cannot skip a step and no screen or job holds a rule of its own.

Pure: it reads plain values (:class:`Facts`) and returns a reason in words care staff read, or None.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from hearth.data.debt.models import DebtCase, Warrant
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.priority.queries import Protections

State = DebtCase.State

DISCONNECTION_NOTICE_DAYS: Final = 7
"""T&C 16.2 gives written notice "before we start the disconnection process" without a period: 7 days from deemed
delivery is this supplier's practice (unconfirmed; ADR 0015)."""

INSTALMENT_GRACE_DAYS: Final = 7
"""A plan's instalment is missed when the payments since the plan fall short of it 7 days after its due date."""

CARE: Final = "care"
JOB: Final = "job"

TRANSITIONS: Final[dict[str, dict[str, str]]] = {
    State.OVERDUE: {State.REMINDED: JOB, State.CLOSED: JOB},
    State.REMINDED: {State.ON_PLAN: CARE, State.PLAN_NOT_AGREED: CARE, State.CLOSED: JOB},
    State.ON_PLAN: {State.PLAN_BROKEN: JOB, State.CLOSED: JOB},
    State.PLAN_NOT_AGREED: {State.ON_PLAN: CARE, State.REFERRED: CARE, State.CLOSED: JOB},
    State.PLAN_BROKEN: {State.ON_PLAN: CARE, State.REFERRED: CARE, State.CLOSED: JOB},
    State.REFERRED: {State.ON_PLAN: CARE, State.PREPAYMENT_NOTICE: CARE, State.CLOSED: JOB},
    State.PREPAYMENT_NOTICE: {
        State.ON_PLAN: CARE,
        State.ON_PREPAYMENT: JOB,
        State.WARRANT_APPLIED: CARE,
        State.CLOSED: JOB,
    },
    State.WARRANT_APPLIED: {State.WARRANT_GRANTED: CARE, State.ON_PLAN: CARE, State.CLOSED: JOB},
    State.WARRANT_GRANTED: {
        State.ON_PREPAYMENT: CARE,
        State.DISCONNECTION_NOTICE: CARE,
        State.ON_PLAN: CARE,
        State.CLOSED: JOB,
    },
    State.DISCONNECTION_NOTICE: {State.DISCONNECTED: CARE, State.ON_PLAN: CARE, State.CLOSED: JOB},
    State.ON_PREPAYMENT: {State.CLOSED: JOB},
    State.DISCONNECTED: {State.RECONNECTED: CARE},
    State.RECONNECTED: {State.CLOSED: JOB},
    State.CLOSED: {},
}
"""From each state, the states it may move to and who moves it: ``care`` (a person, with a reason) or ``job`` (the
daily job ``debt.path``, which care may also run by hand). ON_PREPAYMENT is the job's when a smart meter is switched
at the notice's end and care's when an engineer installs a meter."""

BEFORE_DISCONNECTION: Final = (
    State.OVERDUE,
    State.REMINDED,
    State.REFERRED,
    State.PREPAYMENT_NOTICE,
    State.WARRANT_APPLIED,
    State.WARRANT_GRANTED,
    State.DISCONNECTION_NOTICE,
)
"""Every step a disconnection needs before it, in order; a plan (agreed, or offered and not agreed) comes between
REMINDED and REFERRED."""


@dataclass(frozen=True)
class Facts:
    """What a step depends on, as it stood on the step's day."""

    day: date
    protections: Protections
    balance: Decimal
    prepayment_notice_deemed_on: date | None = None
    disconnection_notice_deemed_on: date | None = None
    warrant_granted_for: str | None = None


def prepayment_notice_ends(deemed_on: date) -> date:
    """The first day after 42 days' notice (10.2): prepayment, or a warrant for it, from this day (the prepayment
    core's own count, so the path and ``start_prepayment`` never disagree)."""
    return prepayment_ops.earliest_forced_start(deemed_on)


def disconnection_notice_ends(deemed_on: date) -> date:
    """The first day a disconnection may be carried out after its written notice (16.2)."""
    return deemed_on + timedelta(days=DISCONNECTION_NOTICE_DAYS)


def next_states(state: str) -> dict[str, str]:
    """The states ``state`` may move to, each with who moves it."""
    return TRANSITIONS[state]


def _label(state: str) -> str:
    return State(state).label


def _protection_refusal(to: str, facts: Facts) -> str | None:
    """The register, read for the step's day (ADR 0014): which households the rules exclude, and from what."""
    held = facts.protections
    forced = {State.PREPAYMENT_NOTICE, State.WARRANT_APPLIED, State.DISCONNECTION_NOTICE, State.DISCONNECTED}
    if to in forced and held.no_forced_prepayment:
        return (
            f"The household's Priority Services needs ({', '.join(held.needs)}) on {facts.day:%-d %B %Y} rule out a "
            "forced prepayment meter and disconnection: a medical dependency on the supply or a serious illness."
        )
    if to == State.DISCONNECTED and held.disconnection_barred_on(facts.day):
        return (
            f"No disconnection from 1 October to 31 March for a household protected in winter "
            f"({', '.join(held.needs)}): {facts.day:%-d %B %Y} is in that period."
        )
    return None


def _timing_refusal(state: str, to: str, facts: Facts) -> str | None:
    day = facts.day
    if (state, to) in {
        (State.PREPAYMENT_NOTICE, State.ON_PREPAYMENT),
        (State.PREPAYMENT_NOTICE, State.WARRANT_APPLIED),
    }:
        deemed = facts.prepayment_notice_deemed_on
        if deemed is None:
            return "No notice of prepayment is recorded for this case (10.2)."
        if day < prepayment_notice_ends(deemed):
            return (
                f"The prepayment notice was deemed delivered on {deemed:%-d %B %Y}: its 42 days (10.2) end on "
                f"{prepayment_notice_ends(deemed) - timedelta(days=1):%-d %B %Y}, so not before "
                f"{prepayment_notice_ends(deemed):%-d %B %Y}."
            )
    if to == State.DISCONNECTION_NOTICE and facts.warrant_granted_for != Warrant.Purpose.DISCONNECTION:
        return "Disconnection needs a warrant granted for it (10.1.6); the warrant on this case is not for that."
    if to == State.DISCONNECTED:
        deemed = facts.disconnection_notice_deemed_on
        if deemed is None:
            return "No written notice of disconnection is recorded (16.2)."
        if day < disconnection_notice_ends(deemed):
            return (
                f"The written notice of disconnection was deemed delivered on {deemed:%-d %B %Y}: disconnection "
                f"not before {disconnection_notice_ends(deemed):%-d %B %Y} (16.2)."
            )
    return None


def refusal(state: str, to: str, facts: Facts) -> str | None:
    """Why a case in ``state`` may not move to ``to`` on ``facts.day``, or None when it may."""
    allowed = TRANSITIONS[state]
    if to not in allowed:
        options = ", ".join(_label(s) for s in allowed) or "none: the case is closed"
        return f"From “{_label(state)}” the next steps are {options}; not “{_label(to)}”."
    if to == State.CLOSED and facts.balance > 0:
        return f"The account still owes £{facts.balance:,.2f}: a case closes when the debt is paid."
    return _protection_refusal(to, facts) or _timing_refusal(state, to, facts)
