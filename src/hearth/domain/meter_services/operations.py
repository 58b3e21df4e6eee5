"""Meter faults, accuracy tests, meter moves and engineer visits: each a case tracked to its outcome (ADR 0020).

- A **fault** (7.3) is reported from the portal or by care and resolved with what the engineer found; the repair or
  replacement is charged (7.5, 11.1.2) only when the customer is found responsible, at the cost care enters.
- An **accuracy test** (11.1.1) is booked only with the price the customer was shown and accepted; its result is the
  meter's error in per cent. Within tolerance (``rules``) the test is charged; outside it the test is free, the
  meter is to be replaced and the account is flagged for care to check, and re-bill, the bills the meter made.
- A **meter move** (11.1.3) is charged at its quoted price unless the register shows the household on it, on the
  day asked or the day done: then it is taken as required due to a vulnerability.
- A **visit** is booked for a working day and slot. Cancelled or moved by the customer with less than two working
  days' notice (``rules.notice_in_time``), or missed with no one at home, it costs the T&C's £70 (11.1.8), and the
  customer must accept that charge before a late cancellation goes through. Cancelled by us, missed by our
  engineer, or cancelled in time: nothing.

Charges are ``AdditionalCharge`` rows raised through ``billing.operations`` and billed with VAT on the next bill.
Every change is audited as ``meter_services.<what>``.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final

from django.db import transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.billing.models import AdditionalCharge
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.data.meter_services.models import AccuracyTest, Appointment, Channel, FaultReport, MeterMove
from hearth.data.metering.models import Meter
from hearth.domain.audit import operations as audit
from hearth.domain.billing import operations as billing_ops
from hearth.domain.documents import letters
from hearth.domain.meter_services import queries, rules
from hearth.domain.priority import queries as priority

LETTER_TYPE: Final = "METER_VISIT_LETTER"
"""The document type of visit confirmations and reminders (seeded by ``data/meter_services`` migration 0002)."""

MAX_DAYS_AHEAD: Final = 90
"""A visit at most this many days ahead: meter operators do not book further."""

REMINDER_WORKING_DAYS: Final = 3
"""The reminder goes on the third working day before the visit: a day before the last day to cancel free."""

MISSED_VISIT_CHARGE: Final = billing_ops.FIXED_CHARGES[AdditionalCharge.Kind.MISSED_APPOINTMENT]

Outcome = FaultReport.Outcome
Status = Appointment.Status
CancelledBy = Appointment.CancelledBy


class MeterServiceRefused(Exception):
    """What was asked cannot be done as given: ``field`` names the form field at fault (empty: the whole form) and
    the message says why, in words a customer understands."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


MISSED_VISIT_WORDS: Final = f"{_pounds(MISSED_VISIT_CHARGE)} plus VAT ({_pounds(rules.with_vat(MISSED_VISIT_CHARGE))})"
"""The missed-visit charge as the customer is told it before it is made."""


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _text(value: str, field: str, what: str, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise MeterServiceRefused(field, f"Tell us {what}.")
    if len(value) > 1000:
        raise MeterServiceRefused(field, f"Keep {what} to 1,000 characters; it has {len(value):,}.")
    return value


def _meter_of(account: Account, meter: Meter) -> Meter:
    if not queries.meters(account).filter(pk=meter.pk).exists():
        raise MeterServiceRefused("meter", "Choose one of the meters on this account.")
    return meter


def _staff(actor: User) -> User | None:
    """Who raised a charge: the staff member, or None (Hearth, under the T&C) when a customer's action led to it."""
    return actor if actor.kind == User.Kind.STAFF else None


def _audit(action: str, subject: str, account: Account, actor: User | None, now: datetime, **after: object) -> None:
    audit.record(
        actor=actor,
        action=f"meter_services.{action}",
        subject=subject,
        customer=account.customer,
        at=now,
        after={key: value if isinstance(value, bool | int | None) else str(value) for key, value in after.items()},
    )


def _charge(
    *,
    account: Account,
    kind: AdditionalCharge.Kind,
    amount: Decimal | None,
    incurred_date: date,
    reason: str,
    actor: User,
    now: datetime,
    meter_proved_accurate: bool | None = None,
) -> AdditionalCharge:
    try:
        return billing_ops.raise_additional_charge(
            account=account,
            kind=kind,
            amount=amount,
            incurred_date=incurred_date,
            reason=reason,
            meter_proved_accurate=meter_proved_accurate,
            actor=_staff(actor),
            now=now,
        )
    except billing_ops.BillingRefused as exc:
        raise MeterServiceRefused("amount", str(exc)) from exc


# --- Faults (7.3, 7.5, 11.1.2) ------------------------------------------------------------------------------------


def report_fault(
    *,
    account: Account,
    meter: Meter,
    kind: str,
    description: str,
    channel: Channel,
    actor: User,
    now: datetime,
) -> FaultReport:
    """Record a fault the customer reported (7.3: they must tell us at once).

    :raises MeterServiceRefused: a meter not on the account, an unknown kind, or no description.
    """
    if kind not in FaultReport.Kind.values:
        raise MeterServiceRefused("kind", "Choose what is wrong with the meter.")
    with transaction.atomic():
        fault = FaultReport.objects.create(
            account=account,
            meter=_meter_of(account, meter),
            kind=kind,
            description=_text(description, "description", "what you see"),
            channel=channel,
            reported_at=now,
            reported_by=actor,
        )
        _audit("fault_reported", f"fault {fault.pk}", account, actor, now, meter=meter.serial_number, kind=kind)
    return fault


def resolve_fault(
    *,
    fault: FaultReport,
    outcome: str,
    customer_responsible: bool,
    finding: str,
    repair_cost: Decimal | None,
    actor: User,
    now: datetime,
) -> FaultReport:
    """Record what the engineer found. The repair or replacement is charged at ``repair_cost`` (pounds excluding VAT)
    only when the customer is found responsible for the damage (7.5, 11.1.2), and then a cost is required.

    :raises MeterServiceRefused: already resolved, an unknown outcome, no finding, a cost without the customer being
        responsible, or a charge refused by billing (no cost, a bad amount).
    """
    if outcome not in Outcome.values:
        raise MeterServiceRefused("outcome", "Choose what was done.")
    why = _text(finding, "finding", "what the engineer found")
    if not customer_responsible and repair_cost is not None:
        raise MeterServiceRefused("repair_cost", "Charge only a customer found responsible for the damage (T&C 7.5).")
    if customer_responsible and outcome == Outcome.NO_FAULT_FOUND:
        raise MeterServiceRefused(
            "customer_responsible", "With no fault found there is no damage to be responsible for."
        )
    with transaction.atomic():
        locked = FaultReport.objects.select_for_update().get(pk=fault.pk)
        if locked.resolved_at is not None:
            raise MeterServiceRefused(
                "", f"This fault was resolved on {_day(calendar.local_date(locked.resolved_at))}."
            )
        if customer_responsible:
            locked.charge = _charge(
                account=locked.account,
                kind=AdditionalCharge.Kind.METER_REPAIR,
                amount=repair_cost,
                incurred_date=calendar.local_date(now),
                reason=f"Fault {locked.pk}: {why}"[:300],
                actor=actor,
                now=now,
            )
        locked.outcome = outcome
        locked.customer_responsible = customer_responsible
        locked.finding = why
        locked.resolved_at = now
        locked.resolved_by = actor
        locked.save()
        _audit(
            "fault_resolved",
            f"fault {locked.pk}",
            locked.account,
            actor,
            now,
            outcome=outcome,
            customer_responsible=customer_responsible,
            charge=locked.charge.amount if locked.charge else None,
        )
    return locked


# --- Accuracy tests (11.1.1) --------------------------------------------------------------------------------------


def request_accuracy_test(
    *,
    account: Account,
    meter: Meter,
    reason: str,
    stated_price: Decimal,
    price_accepted: bool,
    visit_date: date,
    slot: str,
    channel: Channel,
    actor: User,
    now: datetime,
) -> AccuracyTest:
    """Ask for a test of ``meter`` at ``stated_price`` (the price excluding VAT the customer was shown) and book the
    engineer's visit. The customer must have accepted the price; if it changed since it was shown, they are asked
    again (11.1.1: "we will let you know beforehand what the charges will be").

    :raises MeterServiceRefused: the price not accepted or no longer current, a meter not on the account or already
        being tested, or a visit day that cannot be booked.
    """
    price = queries.accuracy_test_price()
    if stated_price != price:
        raise MeterServiceRefused(
            "price_accepted",
            f"The price of a test is now {_pounds(price)} plus VAT ({_pounds(rules.with_vat(price))}): "
            "please read it and confirm again.",
        )
    if not price_accepted:
        raise MeterServiceRefused("price_accepted", "Confirm that you accept the charge if the meter is accurate.")
    with transaction.atomic():
        if AccuracyTest.objects.filter(meter=_meter_of(account, meter), result="").exists():
            raise MeterServiceRefused("meter", "This meter already has a test booked.")
        test = AccuracyTest.objects.create(
            account=account,
            meter=meter,
            reason=_text(reason, "reason", "why you think the meter is wrong", required=False),
            channel=channel,
            price=price,
            price_accepted_at=now,
            requested_at=now,
            requested_by=actor,
        )
        _audit(
            "test_requested", f"accuracy test {test.pk}", account, actor, now, meter=meter.serial_number, price=price
        )
        book_visit(
            account=account,
            purpose=Appointment.Purpose.ACCURACY_TEST,
            visit_date=visit_date,
            slot=slot,
            accuracy_test=test,
            actor=actor,
            now=now,
        )
    return test


def _error_percent(value: Decimal | str) -> Decimal:
    try:
        error = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise MeterServiceRefused("error_percent", "Enter the error as a number of per cent, like -1.25.") from exc
    if not error.is_finite() or error.as_tuple().exponent < -2 or abs(error) >= 100:  # type: ignore[operator]
        raise MeterServiceRefused("error_percent", "Enter the error in per cent to two decimal places, like -1.25.")
    return error


def record_test_result(
    *, test: AccuracyTest, error_percent: Decimal | str, tested_date: date, actor: User, now: datetime
) -> AccuracyTest:
    """Record the tested meter's error. Within tolerance the test is charged at its stated price; outside it the test
    is free and the account is flagged for care to check the bills the meter made (and re-bill them).

    :raises MeterServiceRefused: a result already recorded, an error that is not a percentage to two places, or a
        test day in the future.
    """
    error = _error_percent(error_percent)
    if tested_date > calendar.local_date(now):
        raise MeterServiceRefused("tested_date", "Record a test that has happened; this day is in the future.")
    with transaction.atomic():
        locked = AccuracyTest.objects.select_for_update().select_related("account", "meter").get(pk=test.pk)
        if locked.result:
            raise MeterServiceRefused("", "This test's result is already recorded.")
        accurate = rules.within_tolerance(fuel=locked.account.fuel, error_percent=error)
        locked.error_percent = error
        locked.tested_date = tested_date
        locked.result_recorded_at = now
        locked.result_recorded_by = actor
        if accurate:
            locked.result = AccuracyTest.Result.ACCURATE
            locked.charge = _charge(
                account=locked.account,
                kind=AdditionalCharge.Kind.METER_ACCURACY_TEST,
                amount=locked.price,
                incurred_date=tested_date,
                reason=f"Accuracy test {locked.pk}: meter {locked.meter.serial_number} within tolerance ({error} %)",
                actor=actor,
                now=now,
                meter_proved_accurate=True,
            )
        else:
            locked.result = AccuracyTest.Result.INACCURATE
            locked.rebill_required = True
        locked.save()
        _audit(
            "test_result",
            f"accuracy test {locked.pk}",
            locked.account,
            actor,
            now,
            error_percent=error,
            result=locked.result,
            charge=locked.charge.amount if locked.charge else None,
        )
    return locked


def record_rebill_checked(*, test: AccuracyTest, note: str, actor: User, now: datetime) -> AccuracyTest:
    """Care has checked (and re-billed where needed) the bills an inaccurate meter made.

    :raises MeterServiceRefused: no note, or a test with nothing to re-bill.
    """
    why = _text(note, "note", "what was checked and re-billed")[:300]
    with transaction.atomic():
        locked = AccuracyTest.objects.select_for_update().select_related("account").get(pk=test.pk)
        if not locked.rebill_required or locked.rebill_done_at is not None:
            raise MeterServiceRefused("", "This test leaves no bills to check.")
        locked.rebill_done_at = now
        locked.rebill_note = why
        locked.save(update_fields=["rebill_done_at", "rebill_note"])
        _audit("rebill_checked", f"accuracy test {locked.pk}", locked.account, actor, now, note=why)
    return locked


# --- Meter moves (11.1.3) -----------------------------------------------------------------------------------------


def request_meter_move(
    *, account: Account, meter: Meter, reason: str, price: Decimal, actor: User, now: datetime
) -> MeterMove:
    """Record a request to move ``meter``, quoted at ``price`` (pounds excluding VAT, told to the customer). A
    household on the Priority Services Register that day is taken to need it for a vulnerability: not charged.

    :raises MeterServiceRefused: a meter not on the account, no reason, or a negative price.
    """
    if price < 0 or price != price.quantize(Decimal("0.01")):
        raise MeterServiceRefused("price", "Enter the quoted price in pounds and pence, £0.00 or more.")
    with transaction.atomic():
        move = MeterMove.objects.create(
            account=account,
            meter=_meter_of(account, meter),
            reason=_text(reason, "reason", "why the meter is to be moved"),
            price=price,
            requested_at=now,
            requested_by=actor,
            for_vulnerability=priority.meter_move_is_free(account.customer, calendar.local_date(now)),
        )
        _audit(
            "move_requested",
            f"meter move {move.pk}",
            account,
            actor,
            now,
            price=price,
            for_vulnerability=move.for_vulnerability,
        )
    return move


def complete_meter_move(*, move: MeterMove, completed_date: date, actor: User, now: datetime) -> MeterMove:
    """Record the meter moved on ``completed_date`` and charge its quoted price, unless the household was on the
    register when it asked or is on it that day (11.1.3), or the price was nothing.

    :raises MeterServiceRefused: already done, or a day in the future or before it was asked.
    """
    if completed_date > calendar.local_date(now):
        raise MeterServiceRefused("completed_date", "Record a move that has happened; this day is in the future.")
    with transaction.atomic():
        locked = MeterMove.objects.select_for_update().select_related("account__customer").get(pk=move.pk)
        if locked.completed_at is not None:
            raise MeterServiceRefused("", "This move is already recorded as done.")
        if completed_date < calendar.local_date(locked.requested_at):
            raise MeterServiceRefused("completed_date", "The meter cannot be moved before it was asked for.")
        locked.for_vulnerability = locked.for_vulnerability or priority.meter_move_is_free(
            locked.account.customer, completed_date
        )
        if not locked.for_vulnerability and locked.price > 0:
            locked.charge = _charge(
                account=locked.account,
                kind=AdditionalCharge.Kind.METER_MOVE,
                amount=locked.price,
                incurred_date=completed_date,
                reason=f"Meter move {locked.pk}: {locked.reason}"[:300],
                actor=actor,
                now=now,
            )
        locked.completed_date = completed_date
        locked.completed_at = now
        locked.completed_by = actor
        locked.save()
        _audit(
            "move_done",
            f"meter move {locked.pk}",
            locked.account,
            actor,
            now,
            for_vulnerability=locked.for_vulnerability,
            charge=locked.charge.amount if locked.charge else None,
        )
    return locked


# --- Engineer visits (11.1.8) -------------------------------------------------------------------------------------


def _check_visit_day(visit_date: date, slot: str, now: datetime) -> None:
    today = calendar.local_date(now)
    if slot not in Appointment.Slot.values:
        raise MeterServiceRefused("slot", "Choose a morning or an afternoon.")
    if visit_date <= today:
        raise MeterServiceRefused("visit_date", "Choose a day from tomorrow on.")
    if visit_date > today + timedelta(days=MAX_DAYS_AHEAD):
        raise MeterServiceRefused("visit_date", f"Choose a day within {MAX_DAYS_AHEAD} days.")
    if not calendar.is_working_day(visit_date):
        raise MeterServiceRefused("visit_date", "Engineers visit on working days: not weekends or bank holidays.")


def _visit_letter(appointment: Appointment, *, reminder: bool) -> letters.Letter:
    visit = f"{_day(appointment.visit_date)}, {appointment.get_slot_display()}"
    last_free = rules.last_free_cancellation_date(appointment.visit_date)
    return letters.Letter(
        account=appointment.account,
        type_code=LETTER_TYPE,
        reference=f"MSV-{appointment.pk}-{'REMINDER' if reminder else 'BOOKED'}",
        title=f"{'Reminder: your' if reminder else 'Your'} engineer visit on {_day(appointment.visit_date)}",
        paragraphs=(
            f"Our engineer will visit for {appointment.get_purpose_display().lower()} on {visit}. Please make sure "
            "someone is at home and the meter can be reached safely (T&C 7.4).",
            f"You can cancel or move the visit free of charge until the end of {_day(last_free)}, in your online "
            f"account or by calling us. After that, or if no one is at home, our meter operator charges "
            f"{MISSED_VISIT_WORDS} for the missed visit, which we pass on (T&C 11.1.8).",
        ),
        facts=(("Visit", visit), ("Free to cancel until", _day(last_free))),
        clause="11.1.8",
    )


def book_visit(
    *,
    account: Account,
    purpose: str,
    visit_date: date,
    slot: str,
    actor: User,
    now: datetime,
    fault: FaultReport | None = None,
    accuracy_test: AccuracyTest | None = None,
    meter_move: MeterMove | None = None,
) -> Appointment:
    """Book an engineer's visit for a working day after today and a slot, for the case it serves, and send the
    confirmation with the last day to cancel free.

    :raises MeterServiceRefused: a day that is not a working day, today or earlier, more than 90 days ahead; a slot
        already booked for the account; a case of another account, not matching the purpose, closed, or already with
        a visit booked.
    """
    _check_visit_day(visit_date, slot, now)
    cases = {"fault": fault, "accuracy_test": accuracy_test, "meter_move": meter_move}
    if purpose not in Appointment.Purpose.values:
        raise MeterServiceRefused("purpose", "Choose what the visit is for.")
    needed = {
        Appointment.Purpose.INSTALLATION: (),
        Appointment.Purpose.REPAIR: ("fault", "accuracy_test"),
        Appointment.Purpose.ACCURACY_TEST: ("accuracy_test",),
        Appointment.Purpose.METER_MOVE: ("meter_move",),
    }[Appointment.Purpose(purpose)]
    given = [name for name, case in cases.items() if case is not None]
    if len(given) > 1 or any(name not in needed for name in given) or (needed and not given):
        raise MeterServiceRefused("purpose", "Book the visit for the fault, test or move it is for.")
    if any(case.account_id != account.pk for case in cases.values() if case is not None):
        raise MeterServiceRefused("", "That case belongs to another account.")
    with transaction.atomic():
        live = Appointment.objects.filter(status=Status.BOOKED)
        if given and live.filter(**{given[0]: cases[given[0]]}).exists():
            raise MeterServiceRefused("", "A visit is already booked for this; move that one instead.")
        if live.filter(account=account, visit_date=visit_date, slot=slot).exists():
            raise MeterServiceRefused("slot", "A visit is already booked for that slot.")
        appointment = Appointment(
            account=account,
            purpose=purpose,
            fault=fault,
            accuracy_test=accuracy_test,
            meter_move=meter_move,
            visit_date=visit_date,
            slot=slot,
            booked_at=now,
            booked_by=actor,
        )
        appointment.save()
        _audit(
            "visit_booked",
            f"visit {appointment.pk}",
            account,
            actor,
            now,
            purpose=purpose,
            visit_date=visit_date,
            slot=slot,
        )
        letters.issue_letter(letter=_visit_letter(appointment, reminder=False), now=now)
    return appointment


def _close(
    appointment: Appointment,
    status: Status,
    *,
    actor: User,
    now: datetime,
    cancelled_by: str = "",
    notice_in_time: bool | None = None,
    charge: AdditionalCharge | None = None,
) -> None:
    appointment.status = status
    appointment.closed_at = now
    appointment.closed_by = actor
    appointment.cancelled_by = cancelled_by
    appointment.notice_in_time = notice_in_time
    appointment.charge = charge
    appointment.save()


def _late_charge(
    appointment: Appointment, *, by: str, accept_charge: bool, actor: User, now: datetime
) -> tuple[bool | None, AdditionalCharge | None]:
    """Whether the customer's notice was in time, and the charge for a late one (refused unless accepted)."""
    if by == CancelledBy.SUPPLIER:
        return None, None
    if by != CancelledBy.CUSTOMER:
        raise MeterServiceRefused("cancelled_by", "Say who cancelled the visit.")
    today = calendar.local_date(now)
    if rules.notice_in_time(told_on=today, visit_date=appointment.visit_date):
        return True, None
    if not accept_charge:
        last_free = rules.last_free_cancellation_date(appointment.visit_date)
        raise MeterServiceRefused(
            "accept_charge",
            f"The last day to cancel or move this visit free was {_day(last_free)}. Doing it now costs "
            f"{MISSED_VISIT_WORDS}: "
            "tick the box to accept the charge, or keep the visit.",
        )
    charge = _charge(
        account=appointment.account,
        kind=AdditionalCharge.Kind.MISSED_APPOINTMENT,
        amount=None,
        incurred_date=today,
        reason=f"Visit {appointment.pk} on {appointment.visit_date} cancelled with less than two working days' notice",
        actor=actor,
        now=now,
    )
    return False, charge


def _booked(appointment: Appointment) -> Appointment:
    locked = Appointment.objects.select_for_update().select_related("account__customer").get(pk=appointment.pk)
    if locked.status != Status.BOOKED:
        raise MeterServiceRefused("", f"This visit is no longer booked: {locked.get_status_display().lower()}.")
    return locked


def cancel_visit(*, appointment: Appointment, by: str, accept_charge: bool, actor: User, now: datetime) -> Appointment:
    """Cancel a booked visit. The customer cancelling on or before the last free day pays nothing; later, only after
    accepting the £70 charge. Cancelled by us (``by`` SUPPLIER): never charged.

    :raises MeterServiceRefused: not booked any more, on or after the visit day, or late and the charge not accepted.
    """
    with transaction.atomic():
        locked = _booked(appointment)
        if calendar.local_date(now) >= locked.visit_date:
            raise MeterServiceRefused("", "The visit is today or has passed: record what happened instead.")
        in_time, charge = _late_charge(locked, by=by, accept_charge=accept_charge, actor=actor, now=now)
        _close(locked, Status.CANCELLED, actor=actor, now=now, cancelled_by=by, notice_in_time=in_time, charge=charge)
        _audit(
            "visit_cancelled",
            f"visit {locked.pk}",
            locked.account,
            actor,
            now,
            by=by,
            notice_in_time=in_time,
            charge=charge.amount if charge else None,
        )
    return locked


def rebook_visit(
    *,
    appointment: Appointment,
    visit_date: date,
    slot: str,
    by: str,
    accept_charge: bool,
    actor: User,
    now: datetime,
) -> Appointment:
    """Move a booked visit to another day or slot: the old one is closed as moved, with the same notice rule as a
    cancellation, and the new one booked for the same case. Returns the new visit.

    :raises MeterServiceRefused: as :func:`cancel_visit` and :func:`book_visit`.
    """
    _check_visit_day(visit_date, slot, now)
    with transaction.atomic():
        locked = _booked(appointment)
        if calendar.local_date(now) >= locked.visit_date:
            raise MeterServiceRefused("", "The visit is today or has passed: record what happened instead.")
        if (visit_date, slot) == (locked.visit_date, locked.slot):
            raise MeterServiceRefused("visit_date", "Choose a different day or slot.")
        in_time, charge = _late_charge(locked, by=by, accept_charge=accept_charge, actor=actor, now=now)
        _close(locked, Status.REBOOKED, actor=actor, now=now, cancelled_by=by, notice_in_time=in_time, charge=charge)
        new = book_visit(
            account=locked.account,
            purpose=locked.purpose,
            visit_date=visit_date,
            slot=slot,
            fault=locked.fault,
            accuracy_test=locked.accuracy_test,
            meter_move=locked.meter_move,
            actor=actor,
            now=now,
        )
        locked.rebooked_as = new
        locked.save(update_fields=["rebooked_as"])
        _audit(
            "visit_moved",
            f"visit {locked.pk}",
            locked.account,
            actor,
            now,
            to_visit=new.pk,
            by=by,
            notice_in_time=in_time,
            charge=charge.amount if charge else None,
        )
    return new


VISIT_OUTCOMES: Final = (Status.ATTENDED, Status.CUSTOMER_ABSENT, Status.ENGINEER_ABSENT)


def record_visit(*, appointment: Appointment, outcome: str, actor: User, now: datetime) -> Appointment:
    """Record what happened on the visit day. No one at home (and not cancelled in time) costs the £70.

    :raises MeterServiceRefused: not booked any more, an unknown outcome, or a visit still to come.
    """
    if outcome not in VISIT_OUTCOMES:
        raise MeterServiceRefused("outcome", "Choose what happened.")
    with transaction.atomic():
        locked = _booked(appointment)
        if calendar.local_date(now) < locked.visit_date:
            raise MeterServiceRefused("outcome", f"The visit is on {_day(locked.visit_date)}: record it from then.")
        charge = None
        if outcome == Status.CUSTOMER_ABSENT:
            charge = _charge(
                account=locked.account,
                kind=AdditionalCharge.Kind.MISSED_APPOINTMENT,
                amount=None,
                incurred_date=locked.visit_date,
                reason=f"Visit {locked.pk} on {locked.visit_date}: no one at home, no notice given",
                actor=actor,
                now=now,
            )
        _close(locked, Status(outcome), actor=actor, now=now, charge=charge)
        _audit(
            "visit_recorded",
            f"visit {locked.pk}",
            locked.account,
            actor,
            now,
            outcome=outcome,
            charge=charge.amount if charge else None,
        )
    return locked


def reminders_due(today: date) -> list[Appointment]:
    """Booked visits whose reminder is due by ``today``: from the third working day before the visit (a day before
    the last free day to cancel) until the day before it, not yet reminded. A visit booked on or after that day had
    its confirmation instead."""
    booked = Appointment.objects.filter(
        status=Status.BOOKED,
        reminder__isnull=True,
        visit_date__gt=today,
        visit_date__lte=calendar.add_working_days(today, REMINDER_WORKING_DAYS),
    ).select_related("account__customer")
    due = []
    for appointment in booked.order_by("visit_date", "id"):
        reminder_day = calendar.working_day_before(appointment.visit_date, REMINDER_WORKING_DAYS)
        if calendar.local_date(appointment.booked_at) < reminder_day:
            due.append(appointment)
    return due


def send_visit_reminder(*, appointment: Appointment, now: datetime) -> Document:
    """Send the visit's reminder and keep it on the visit. Idempotent: a letter's reference is its identity.

    :raises letters.LetterRefused: the letter cannot be issued (the job reports it and carries on).
    """
    with transaction.atomic():
        document = letters.issue_letter(letter=_visit_letter(appointment, reminder=True), now=now)
        Appointment.objects.filter(pk=appointment.pk, reminder__isnull=True).update(reminder=document)
        _audit("visit_reminded", f"visit {appointment.pk}", appointment.account, None, now, document=document.reference)
    return document
