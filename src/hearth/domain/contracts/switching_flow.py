"""Switching in (T&C 5) and leaving (T&C 14): what each message from the switching service does, the messages we owe
it, our debt objections, and the letters that tell the customer (ADR 0013).

**Inbound** lines are each kept as a ``SwitchingMessage``, PROCESSED or FAILED with a reason naming the file, line
and field; a failed one waits on ``/care/switching/`` for staff to fix the data and :func:`replay` it.

**Outbound** messages are worked out from the registrations' states (:func:`owed_messages`), so a job run twice
sends each once: a REQUESTED gain with no request sent, a WITHDRAWN gain (e.g. cancelled in cooling-off) whose
request went out with no withdrawal yet, and on a loss our OBJECTION and, once the debt is cleared, OBJECTION_WITHDRAWN.

**Gains**: ACCEPTED → PENDING with its start date (and the customer is asked for opening readings, 5.4); OBJECTION_
RAISED → OBJECTED with the 5.3.x reason, letter; OBJECTION_CLEARED → PENDING; REJECTED → REJECTED, the contract
cancelled (SWITCH_FAILED) and the customer told; SUPPLY_START_CONFIRMED → COMPLETED. **A contract starts supply once
every gain it opened has completed**, from the latest of their start dates (a dual-point electricity account has
two MPANs and one contract; ``start_supply`` moves a contract once, and supplying one point before the other would
bill half a home). A point's start date earlier than that is reported by the job's clock until then.

**Losses**: LOSS_NOTIFICATION on a point supplied under a LIVE contract opens a LOSS registration (PENDING, the new
supplier's MPID and date). After cooling-off a contract ends only this way, with a next supplier (14.2), or by a
home move. Our debt objection (14.7, 14.8): a non-prepayment account with a bill overdue more than
:data:`DEBT_OVERDUE_DAYS` days; a prepayment account owing more than :data:`PREPAYMENT_ASSIGNABLE_DEBT`, or owing
anything the new supplier did not agree to take (code ``DEBT_ASSIGNMENT_ACCEPTED`` on the notification). The
customer gets a notice; the debt must be cleared within 30 working days of its deemed delivery (22.3).
LOSS_COMPLETED ends supply (SWITCHED_AWAY) on the new supplier's start date and charges any exit fee.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction

from hearth.common import calendar
from hearth.data.accounts.models import Supply, SupplyPoint
from hearth.data.contracts.models import Contract, ContractNotice, Registration, SwitchingMessage
from hearth.data.identity.models import User
from hearth.data.payments.models import PaymentArrangement
from hearth.domain.audit import operations as audit
from hearth.domain.billing import queries as billing_queries
from hearth.domain.contracts import exit_fees, quotes
from hearth.domain.contracts.switching import (
    FormatProblem,
    Message,
    ReceivedLine,
    Switching,
    parse_line,
)
from hearth.domain.documents import letters
from hearth.domain.payments import collections, late_payment
from hearth.domain.tariffs import contracts as contract_states

State = Registration.State
Direction = Registration.Direction
Objection = Registration.Objection

DEBT_OVERDUE_DAYS: Final = 28
"""A non-prepayment account's debt blocks a switch once a bill is overdue by more than this many days (14.8)."""

PREPAYMENT_ASSIGNABLE_DEBT: Final = Decimal("500.00")
"""A prepayment debt up to this much can move to the new supplier (the Debt Assignment Protocol), 14.7."""

DEBT_ASSIGNMENT_ACCEPTED: Final = "DEBT_ASSIGNMENT_ACCEPTED"
"""The code on a LOSS_NOTIFICATION saying the new supplier takes a prepayment customer's debt."""

CLEAR_DEBT_WORKING_DAYS: Final = 30
"""14.7, 14.8: a customer has 30 working days from receiving our objection's notice to clear the debt."""

GAIN_OBJECTIONS: Final = (
    Objection.OLD_SUPPLIER,
    Objection.INFORMATION,
    Objection.CHANGED_MIND,
    Objection.UNSUPPORTED,
    Objection.BEYOND_CONTROL,
)
"""The reasons a switch to us is delayed or prevented (5.3.1 to 5.3.5), the codes the service sends."""

NOTICE_TYPE: Final = "NOTICE"
"""Switching letters are notices (must be delivered; a debt objection's deadline runs from its deemed delivery)."""


class SwitchingRefused(Exception):
    """A message that cannot be processed; the text names the field and why."""


@dataclass(frozen=True)
class Outcome:
    """What processing one message did, in care staff's words."""

    registration: Registration
    summary: str


# --- Letters --------------------------------------------------------------------------------------------------------


def _notify(
    registration: Registration,
    *,
    key: str,
    title: str,
    paragraphs: Sequence[str],
    now: datetime,
    clause: str,
    facts: tuple[tuple[str, str], ...] = (),
) -> ContractNotice:
    """Send the contract's customer a notice about ``registration`` once per ``key`` (a ContractNotice of kind
    SWITCH_UPDATE), with a timeline event carrying the document."""
    contract = registration.contract
    existing = ContractNotice.objects.filter(contract=contract, kind=ContractNotice.Kind.SWITCH_UPDATE, key=key).first()
    if existing is not None:
        return existing
    reference = f"SW-{registration.reference}-{key.rsplit(' ', 1)[-1]}"[:40]
    document = letters.issue_letter(
        letter=letters.Letter(
            account=contract.account,
            type_code=NOTICE_TYPE,
            reference=reference,
            title=title,
            paragraphs=tuple(paragraphs),
            facts=(("Supply point", registration.supply_point.identifier), *facts),
            clause=clause,
        ),
        now=now,
    )
    notice = ContractNotice.objects.create(
        contract=contract,
        kind=ContractNotice.Kind.SWITCH_UPDATE,
        key=key[:60],
        document=document,
        issued_at=now,
        deemed_delivered_date=collections.notice_deemed_delivered(
            account=contract.account, type_code=NOTICE_TYPE, now=now
        ),
    )
    contract_states.record_event(
        contract=contract,
        kind="switch_notice",
        summary=f"Told the customer: {title}",
        at=now,
        document=document,
        actor=None,
    )
    return notice


def _day(day: date) -> str:
    return f"{day:%-d %B %Y}"


# --- Gains ----------------------------------------------------------------------------------------------------------


def _gain(message: Message) -> Registration:
    registration = (
        Registration.objects.select_related("contract__account", "contract__product", "supply_point")
        .filter(reference=message.reference, direction=Direction.GAIN)
        .first()
    )
    if registration is None:
        raise SwitchingRefused(f"reference: {message.reference!r} is not one of our switches to us")
    if registration.supply_point.identifier != message.mpxn:
        raise SwitchingRefused(
            f"mpxn: {message.mpxn} is not the supply point of {registration.reference} "
            f"({registration.supply_point.identifier})"
        )
    return registration


def _in(registration: Registration, message: Message, *states: str) -> None:
    if registration.state not in states:
        raise SwitchingRefused(
            f"kind: {message.kind} cannot apply to {registration.reference}, which is "
            f"{State(registration.state).label.lower()} (needs {' or '.join(s.lower() for s in states)})"
        )


def _needs_day(message: Message, what: str) -> date:
    if message.day is None:
        raise SwitchingRefused(f"date: {message.kind} needs {what}")
    return message.day


def _move(registration: Registration, state: str, now: datetime, **fields: object) -> None:
    registration.state = state
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.updated_at = now
    registration.save()


def _event(registration: Registration, kind: str, summary: str, now: datetime) -> None:
    contract_states.record_event(
        contract=registration.contract, kind=kind, summary=f"{registration.reference}: {summary}", at=now, actor=None
    )


def _accepted(registration: Registration, message: Message, now: datetime) -> str:
    _in(registration, message, State.REQUESTED)
    start = _needs_day(message, "the start date agreed")
    _move(registration, State.PENDING, now, start_date=start)
    _event(registration, "switch_accepted", f"accepted, supply from {_day(start)}", now)
    _notify(
        registration,
        key="opening-readings",
        title=f"Please read your meter on {_day(start)}",
        paragraphs=(
            f"Your switch to us is on its way: we will supply {registration.supply_point.identifier} from "
            f"{_day(start)}.",
            "Please read your meter on that day, or in the few days before it, and give us the reading in your "
            "online account. We use it as your opening reading, so your first bill charges only what you use "
            "with us. Without one, we estimate it.",
        ),
        facts=(("Supply starts", _day(start)),),
        clause="5.4",
        now=now,
    )
    return f"Accepted: supply from {_day(start)}; opening readings asked for"


def _objection_raised(registration: Registration, message: Message, now: datetime) -> str:
    _in(registration, message, State.REQUESTED, State.PENDING)
    if message.code not in GAIN_OBJECTIONS:
        raise SwitchingRefused(f"code: {message.code!r} is not an objection code ({', '.join(GAIN_OBJECTIONS)})")
    reason = Objection(message.code)
    _move(registration, State.OBJECTED, now, objection=reason, objection_detail=message.detail[:300], objected_at=now)
    _event(registration, "switch_objected", f"objection: {reason.label}", now)
    _notify(
        registration,
        key=f"{registration.reference} OBJECTED",
        title="Your switch to us is on hold",
        paragraphs=(
            f"Your current supplier has objected to your switch to us. The reason given: {reason.label}."
            + (f" ({message.detail})" if message.detail else ""),
            "This usually means they say money is owed to them or your contract with them has not ended yet. "
            "If you can, settle your account with them or ask them what is needed; once they withdraw the "
            "objection your switch carries on and we will write again. Nothing changes with your supply meanwhile.",
        ),
        clause="5.3",
        now=now,
    )
    return f"Objected: {reason.label}; the customer told"


def _objection_cleared(registration: Registration, message: Message, now: datetime) -> str:
    _in(registration, message, State.OBJECTED)
    _move(registration, State.PENDING, now, objection="", objection_detail="")
    _event(registration, "switch_objection_cleared", "the objection was withdrawn", now)
    return "Objection cleared: switch carries on"


def _rejected(registration: Registration, message: Message, now: datetime) -> str:
    _in(registration, message, State.REQUESTED, State.PENDING, State.OBJECTED)
    reason = Objection(message.code).label if message.code in GAIN_OBJECTIONS else (message.code or "no reason given")
    _move(registration, State.REJECTED, now, objection_detail=f"{reason} {message.detail}".strip()[:300])
    contract = registration.contract
    if contract.state == Contract.State.PENDING:
        contract_states.cancel_contract(
            contract=contract, reason=Contract.EndReason.SWITCH_FAILED, now=now, summary=f"Switch rejected: {reason}"
        )
    _notify(
        registration,
        key=f"{registration.reference} REJECTED",
        title="Your switch to us did not go ahead",
        paragraphs=(
            f"We are sorry: the switch of {registration.supply_point.identifier} to us was refused. "
            f"The reason given: {reason}." + (f" ({message.detail})" if message.detail else ""),
            "Your contract with us is cancelled and you owe us nothing. Your current supplier carries on "
            "supplying you. If you would like to try again, please get in touch.",
        ),
        clause="5.3",
        now=now,
    )
    return f"Rejected: {reason}; contract cancelled and the customer told"


def _start_when_all_gained(contract: Contract, now: datetime) -> str:
    gains = list(contract.registrations.filter(direction=Direction.GAIN).select_related("supply_point"))
    waiting = [g for g in gains if g.state != State.COMPLETED and g.state not in (State.REJECTED, State.WITHDRAWN)]
    done = [g for g in gains if g.state == State.COMPLETED]
    if waiting or not done:
        return f"supply starts once {', '.join(g.reference for g in waiting)} complete"
    start = max(g.start_date for g in done if g.start_date is not None)
    placements = [(g.supply_point, quotes.contract_tariff(contract, g.supply_point)) for g in done]
    contract_states.start_supply(contract=contract, start_date=start, placements=placements, now=now)
    return f"supply started from {_day(start)}"


def _supply_started(registration: Registration, message: Message, now: datetime) -> str:
    _in(registration, message, State.PENDING)
    start = _needs_day(message, "the day we became the supplier")
    _move(registration, State.COMPLETED, now, start_date=start)
    _event(registration, "switch_completed", f"we supply it from {_day(start)}", now)
    if registration.contract.state != Contract.State.PENDING:
        raise SwitchingRefused(
            f"kind: the contract of {registration.reference} is "
            f"{Contract.State(registration.contract.state).label.lower()}, not waiting to start"
        )
    try:
        started = _start_when_all_gained(registration.contract, now)
    except contract_states.ContractRefused as exc:
        raise SwitchingRefused(f"contract: {exc}") from exc
    return f"Completed from {_day(start)}; {started}"


# --- Losses ---------------------------------------------------------------------------------------------------------


def _supplied_point(message: Message) -> tuple[SupplyPoint, Contract]:
    supply = (
        Supply.objects.filter(supply_point__identifier=message.mpxn, valid_to__isnull=True)
        .select_related("supply_point", "account")
        .first()
    )
    contract = contract_states.live_contract(supply.account) if supply is not None else None
    if supply is None or contract is None:
        raise SwitchingRefused(f"mpxn: {message.mpxn} is not supplied by us under a live contract")
    return supply.supply_point, contract


def _open_loss(message: Message) -> Registration:
    registration = (
        Registration.objects.select_related("contract__account", "contract__product", "supply_point")
        .filter(supply_point__identifier=message.mpxn, direction=Direction.LOSS, state__in=Registration.OPEN_STATES)
        .first()
    )
    if registration is None:
        raise SwitchingRefused(f"mpxn: {message.mpxn} has no switch away from us under way")
    return registration


def debt_blocking(contract: Contract, *, today: date, assignment_accepted: bool) -> str:
    """Why the account's debt lets us object to a switch away (14.7, 14.8), or "" when it does not."""
    account = contract.account
    if contract.payment_method == PaymentArrangement.Method.PREPAYMENT:
        owed = billing_queries.balance_of(account)
        if owed > PREPAYMENT_ASSIGNABLE_DEBT:
            return f"£{owed:,.2f} owed, more than the £{PREPAYMENT_ASSIGNABLE_DEBT} a new supplier can take on (14.7)"
        if owed > 0 and not assignment_accepted:
            return f"£{owed:,.2f} owed and the new supplier has not agreed to take it on (14.7)"
        return ""
    late = [bill for bill in late_payment.overdue_bills_of(account, today) if bill.days_overdue > DEBT_OVERDUE_DAYS]
    if late:
        unpaid = sum((bill.unpaid for bill in late), Decimal("0.00"))
        return f"£{unpaid:,.2f} overdue more than {DEBT_OVERDUE_DAYS} days since {_day(late[0].bill.due_date)} (14.8)"
    return ""


def _object_for_debt(registration: Registration, why: str, now: datetime) -> str:
    account = registration.contract.account
    deemed = collections.notice_deemed_delivered(account=account, type_code=NOTICE_TYPE, now=now)
    clear_by = calendar.add_working_days(deemed, CLEAR_DEBT_WORKING_DAYS)
    _move(
        registration,
        State.OBJECTED,
        now,
        objection=Objection.DEBT,
        objection_detail=why[:300],
        objected_at=now,
        clear_by_date=clear_by,
    )
    _event(registration, "loss_objected", f"we objected to the switch away: {why}; clear by {_day(clear_by)}", now)
    _notify(
        registration,
        key=f"{registration.reference} OBJECTED",
        title="We have objected to your switch to another supplier",
        paragraphs=(
            f"Another supplier has asked to take over {registration.supply_point.identifier}. We have objected, "
            f"because of the money owed on your account: {why}.",
            f"If you pay what is owed by {_day(clear_by)} (30 working days after you receive this notice), we will "
            "withdraw our objection and your switch can go ahead. If it is not paid by then, the switch will not "
            "happen and you stay with us. Please get in touch if you need help to pay.",
        ),
        facts=(("Pay by", _day(clear_by)),),
        clause="14.7, 14.8",
        now=now,
    )
    return f"Objected for debt ({why}); clear by {_day(clear_by)}"


def _loss_notified(message: Message, now: datetime) -> Outcome:
    point, contract = _supplied_point(message)
    start = _needs_day(message, "the new supplier's start date")
    if not message.other_supplier:
        raise SwitchingRefused("other_supplier: a loss notification names the new supplier's MPID")
    if message.code not in ("", DEBT_ASSIGNMENT_ACCEPTED):
        raise SwitchingRefused(
            f"code: {message.code!r}; a loss notification's code is empty or {DEBT_ASSIGNMENT_ACCEPTED}"
        )
    if Registration.objects.filter(
        supply_point=point, direction=Direction.LOSS, state__in=Registration.OPEN_STATES
    ).exists():
        raise SwitchingRefused(f"mpxn: a switch of {point.identifier} away from us is already under way")
    registration = Registration.objects.create(
        contract=contract,
        supply_point=point,
        direction=Direction.LOSS,
        state=State.PENDING,
        reference=f"LOSS-{point.identifier}-{now:%Y%m%d%H%M%S}"[:40],
        other_supplier=message.other_supplier[:40],
        requested_at=now,
        requested_start_date=start,
        start_date=start,
        updated_at=now,
    )
    registration.reference = f"LOSS{registration.pk:09d}"
    registration.save(update_fields=["reference"])
    _event(registration, "loss_notified", f"{message.other_supplier} is taking over from {_day(start)}", now)
    why = debt_blocking(
        contract, today=calendar.local_date(now), assignment_accepted=message.code == DEBT_ASSIGNMENT_ACCEPTED
    )
    if why:
        return Outcome(registration, _object_for_debt(registration, why, now))
    return Outcome(registration, f"Switching away to {message.other_supplier} from {_day(start)}")


def _loss_withdrawn(registration: Registration, message: Message, now: datetime) -> str:
    _move(registration, State.WITHDRAWN, now)
    _event(registration, "loss_withdrawn", "the new supplier withdrew; supply carries on with us", now)
    return "Switch away withdrawn by the new supplier"


def _loss_completed(registration: Registration, message: Message, now: datetime) -> str:
    _in(registration, message, State.PENDING)
    end = _needs_day(message, "the new supplier's start date")
    contract = registration.contract
    fee = exit_fees.exit_fee(contract, end)
    try:
        contract_states.end_supply(
            contract=contract,
            end_date=end,
            reason=Contract.EndReason.SWITCHED_AWAY,
            now=now,
            exit_fee_waiver=fee.waiver,
            summary=f"Switched to {registration.other_supplier}: last day supplied {_day(end - timedelta(days=1))}",
        )
    except contract_states.ContractRefused as exc:
        raise SwitchingRefused(f"date: {exc}") from exc
    _move(registration, State.COMPLETED, now, start_date=end)
    exit_fees.charge_exit_fee(contract=contract, fee=fee, leaving_on=end, now=now)
    charged = f"exit fee £{fee.amount}" if fee.amount > 0 else f"no exit fee: {fee.waiver}"
    return f"Switched away from {_day(end)}; {charged}"


# --- Processing -----------------------------------------------------------------------------------------------------

_GAIN_STEPS = {
    "REGISTRATION_ACCEPTED": _accepted,
    "REGISTRATION_REJECTED": _rejected,
    "OBJECTION_RAISED": _objection_raised,
    "OBJECTION_CLEARED": _objection_cleared,
    "SUPPLY_START_CONFIRMED": _supply_started,
}
_LOSS_STEPS = {"LOSS_WITHDRAWN": _loss_withdrawn, "LOSS_COMPLETED": _loss_completed}


def process(message: Message, *, now: datetime) -> Outcome:
    """Apply one inbound message. :raises SwitchingRefused: naming the field that stops it."""
    if message.kind == "LOSS_NOTIFICATION":
        return _loss_notified(message, now)
    if message.kind in _LOSS_STEPS:
        registration = _open_loss(message)
        return Outcome(registration, _LOSS_STEPS[message.kind](registration, message, now))
    registration = _gain(message)
    return Outcome(registration, _GAIN_STEPS[message.kind](registration, message, now))


def _where(message: SwitchingMessage) -> str:
    return f"{message.file_name} line {message.line_number}"


def _apply(kept: SwitchingMessage, now: datetime) -> str:
    """Parse and process ``kept`` (its body) in a savepoint; mark it PROCESSED, or FAILED with the reason."""
    try:
        with transaction.atomic():
            outcome = process(parse_line(kept.body), now=now)
    except (FormatProblem, SwitchingRefused) as exc:
        kept.status, kept.reason = SwitchingMessage.Status.FAILED, f"{_where(kept)}, {exc}"[:500]
        kept.save(update_fields=["status", "reason"])
        return kept.reason
    kept.status, kept.reason, kept.registration = SwitchingMessage.Status.PROCESSED, "", outcome.registration
    kept.save(update_fields=["status", "reason", "registration"])
    return outcome.summary


def keep_and_process(line: ReceivedLine, *, now: datetime) -> SwitchingMessage:
    """Keep one received line and process it, unless its file was not whole (then kept FAILED with that reason)."""
    kind = line.body.split("|", 1)[0].strip()[:40]
    kept = SwitchingMessage.objects.create(
        direction=SwitchingMessage.Direction.INBOUND,
        kind=kind,
        file_name=line.file_name[:200],
        line_number=line.line_number,
        body=line.body,
        status=SwitchingMessage.Status.FAILED,
        reason=f"{line.file_name} line {line.line_number}, {line.file_problem}"[:500] if line.file_problem else "",
        at=now,
    )
    if not line.file_problem:
        _apply(kept, now)
    return kept


def receive_all(switching: Switching, *, now: datetime) -> list[SwitchingMessage]:
    """Read every waiting file, keep and process its lines, then acknowledge it. A file whose lines were kept before
    (a run stopped before acknowledging) is acknowledged without reading it twice."""
    kept: list[SwitchingMessage] = []
    for received in switching.receive():
        if not SwitchingMessage.objects.filter(
            direction=SwitchingMessage.Direction.INBOUND, file_name=received.name
        ).exists():
            with transaction.atomic():
                kept += [keep_and_process(line, now=now) for line in received.lines]
        switching.acknowledge(received.name)
    return kept


@transaction.atomic
def replay(*, message: SwitchingMessage, actor: User, now: datetime) -> SwitchingMessage:
    """Process a FAILED inbound message again after staff fixed what stopped it (audited). A line kept FAILED
    because its file was not whole is processed on its own merits: staff have checked it.

    :raises SwitchingRefused: the message is outbound or already processed.
    """
    message = SwitchingMessage.objects.select_for_update().get(pk=message.pk)
    if message.direction != SwitchingMessage.Direction.INBOUND or message.status != SwitchingMessage.Status.FAILED:
        raise SwitchingRefused("status: only a received message that failed can be replayed")
    before = message.reason
    _apply(message, now)
    audit.record(
        actor=actor,
        action="contracts.switching_replayed",
        subject=f"switching message {message.pk} ({_where(message)})",
        at=now,
        before={"status": "FAILED", "reason": before},
        after={"status": message.status, "reason": message.reason},
    )
    return message


# --- Outbound -------------------------------------------------------------------------------------------------------


def _sent(registration: Registration, kind: str) -> int:
    return registration.messages.filter(direction=SwitchingMessage.Direction.OUTBOUND, kind=kind).count()


def owed_messages(*, today: date) -> list[tuple[Registration, Message]]:
    """The messages the registrations' states call for and that have not been sent yet."""
    owed: list[tuple[Registration, Message]] = []
    gains = Registration.objects.filter(direction=Direction.GAIN, state__in=[State.REQUESTED, State.WITHDRAWN])
    for reg in gains.select_related("supply_point").order_by("id"):
        point = reg.supply_point.identifier
        if reg.state == State.REQUESTED and not _sent(reg, "REGISTRATION_REQUEST"):
            owed.append(
                (
                    reg,
                    Message(
                        "REGISTRATION_REQUEST", reg.reference, point, reg.requested_start_date, "", reg.other_supplier
                    ),
                )
            )
        elif reg.state == State.WITHDRAWN and _sent(reg, "REGISTRATION_REQUEST") and not _sent(reg, "WITHDRAWAL"):
            owed.append((reg, Message("WITHDRAWAL", reg.reference, point, today, "", "", "the customer cancelled")))
    losses = Registration.objects.filter(direction=Direction.LOSS, objected_at__isnull=False)
    for reg in losses.select_related("supply_point").order_by("id"):
        objections, withdrawals = _sent(reg, "OBJECTION"), _sent(reg, "OBJECTION_WITHDRAWN")
        point = reg.supply_point.identifier
        if reg.state == State.OBJECTED and objections == withdrawals:
            owed.append((reg, Message("OBJECTION", reg.reference, point, reg.clear_by_date, Objection.DEBT)))
        elif reg.state in (State.PENDING, State.COMPLETED) and objections > withdrawals:
            owed.append((reg, Message("OBJECTION_WITHDRAWN", reg.reference, point, today, Objection.DEBT)))
    return owed


@transaction.atomic
def send_owed(switching: Switching, *, now: datetime) -> list[SwitchingMessage]:
    """Send every owed message in one file, each kept as SENT with its line (the header is line 1)."""
    owed = owed_messages(today=calendar.local_date(now))
    if not owed:
        return []
    name = switching.send([message for _, message in owed], now=now)
    return [
        SwitchingMessage.objects.create(
            direction=SwitchingMessage.Direction.OUTBOUND,
            kind=message.kind,
            registration=registration,
            file_name=name,
            line_number=number,
            body=message.line(),
            status=SwitchingMessage.Status.SENT,
            at=now,
        )
        for number, (registration, message) in enumerate(owed, start=2)
    ]


# --- Our debt objections over time ----------------------------------------------------------------------------------


def _debt_assignment_accepted(registration: Registration) -> bool:
    """Whether the loss notification that opened ``registration`` said the new supplier takes the debt."""
    notification = registration.messages.filter(kind="LOSS_NOTIFICATION").order_by("id").first()
    return notification is not None and parse_line(notification.body).code == DEBT_ASSIGNMENT_ACCEPTED


def review_debt_objections(*, today: date, now: datetime) -> list[tuple[Registration, str]]:
    """Withdraw each debt objection whose debt is cleared (back to PENDING), and reject the loss whose clear-by date
    has passed with the debt still owed."""
    done: list[tuple[Registration, str]] = []
    objected = Registration.objects.filter(direction=Direction.LOSS, state=State.OBJECTED, objection=Objection.DEBT)
    for reg in objected.select_related("contract__account", "supply_point").order_by("id"):
        still = debt_blocking(reg.contract, today=today, assignment_accepted=_debt_assignment_accepted(reg))
        if not still:
            _move(reg, State.PENDING, now, objection="", clear_by_date=reg.clear_by_date)
            _event(reg, "loss_objection_withdrawn", "debt cleared: our objection withdrawn", now)
            done.append((reg, "Debt cleared: objection withdrawn, switch away carries on"))
        elif reg.clear_by_date is not None and today > reg.clear_by_date:
            _move(reg, State.REJECTED, now)
            _event(reg, "loss_rejected", f"debt not cleared by {_day(reg.clear_by_date)}: the switch away stops", now)
            done.append((reg, f"Debt not cleared by {_day(reg.clear_by_date)}: switch away rejected ({still})"))
    return done


# --- What care staff see --------------------------------------------------------------------------------------------


def messages_for_care(*, limit: int = 200) -> list[SwitchingMessage]:
    """Switching messages for the care page: those that failed first, then the rest, newest first in each."""
    kept = SwitchingMessage.objects.select_related("registration").order_by("-at", "-id")
    failed = list(kept.filter(status=SwitchingMessage.Status.FAILED)[:limit])
    return failed + list(kept.exclude(status=SwitchingMessage.Status.FAILED)[: max(limit - len(failed), 0)])


def switching_message_by_id(message_id: int) -> SwitchingMessage | None:
    return SwitchingMessage.objects.filter(pk=message_id).first()


@dataclass(frozen=True)
class OpenSwitch:
    """A switch under way and its clock: days since sign-up (gains, 5.3's 21), or the debt's clear-by day (losses)."""

    registration: Registration
    days_since_sign_up: int
    late: bool


def open_switches(*, today: date) -> list[OpenSwitch]:
    """Every switch in or out still under way, oldest sign-up first."""
    open_ = Registration.objects.filter(state__in=Registration.OPEN_STATES).select_related(
        "contract__account", "supply_point"
    )
    rows = []
    for reg in open_.order_by("contract__commencement_date", "id"):
        days = (today - reg.contract.commencement_date).days
        rows.append(OpenSwitch(reg, days, reg.direction == Direction.GAIN and days > 21))
    return rows
