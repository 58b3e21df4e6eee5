"""Issuing and cancelling bills, and the account ledger: payments, credits, additional charges and interest.

A bill is written whole in one transaction (consumption rows, lines with their sources, the ledger CHARGE, the
additional charges it bills) or not at all; the database's one-live-bill constraint makes a second bill for the same
account and period impossible even when two runs race. A bill is never edited: cancelling it posts a credit note to
the ledger, and the period can then be billed again.

Ledger amounts are positive when they add to what the customer owes and negative when they reduce it; everything a
person records here (payments, credits, charges, interest, obstructions, cancellations) is audited.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from django.db import IntegrityError, transaction

from hearth.common import calendar
from hearth.common.money import to_pennies
from hearth.data.accounts.models import Account, Customer, Fuel, Supply, SupplyPoint
from hearth.data.billing.models import (
    AdditionalCharge,
    BaseRate,
    Bill,
    BillConsumption,
    BillingArrangement,
    BillingObstruction,
    BillLine,
    BillRun,
    LedgerEntry,
)
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter
from hearth.data.tariffs.models import Tariff, UnitRate
from hearth.domain.audit import operations as audit
from hearth.domain.billing import batch, calculation, sql, usage
from hearth.domain.billing import queries as billing_queries

FIXED_CHARGES: Final = {
    AdditionalCharge.Kind.MISSED_APPOINTMENT: Decimal("70.00"),
    AdditionalCharge.Kind.FALSE_GAS_EMERGENCY: Decimal("70.00"),
}
"""The T&C's fixed sums (11.1.8 missed engineer appointment, 19.5 false gas emergency report)."""

DEFAULT_PAYMENT_TERMS_DAYS: Final = 14
"""Days from issue to the due date for an account without a billing arrangement (the arrangement's default)."""

LEDGER_BATCH: Final = 1000
"""Ledger entries written to a statement when many are posted at once."""


class BillingError(Exception):
    """The bill cannot be made; the message is the reason shown in run reports and to care staff."""


class BillAlreadyIssued(BillingError):
    """A live (issued, not cancelled) bill already exists for the account and period."""


class BillingRefused(Exception):
    """Care staff's request (a payment, credit, charge, interest, obstruction or cancellation) cannot be done.

    The message says why, in words care staff understand.
    """


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _positive_pennies(amount: Decimal, what: str) -> Decimal:
    """``amount`` as a positive sum of pounds and whole pence, or BillingRefused saying what is wrong."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise BillingRefused(f"The {what} must be an amount of money in pounds and pence.")
    if amount <= 0:
        raise BillingRefused(f"The {what} must be more than £0.00; got {amount}.")
    if to_pennies(amount) != amount:
        raise BillingRefused(f"The {what} must be in whole pence; got {amount}.")
    return to_pennies(amount)


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise BillingRefused("Give a reason: it is kept with the record and shown to anyone who asks about it.")
    return reason


# --- The ledger ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentReceived:
    """A payment to record: the account it pays, how much, its bank or card reference and why it is recorded."""

    account: Account
    amount: Decimal
    reference: str
    reason: str


@dataclass(frozen=True, slots=True)
class _Reduction:
    """An amount (positive pounds) to take off an account's balance, with what the ledger and the audit say of it."""

    account: Account
    kind: LedgerEntry.Kind
    amount: Decimal
    description: str
    reason: str
    external_reference: str


def record_payment(
    *, account: Account, amount: Decimal, reference: str, reason: str, actor: User | None, now: datetime
) -> LedgerEntry:
    """A payment the customer made, taken off their balance; ``reference`` is the bank or card reference.

    ``actor`` is the staff member who recorded it, or None for a collection Hearth records itself (Direct Debit).

    :raises BillingRefused: an amount that is not a positive sum in whole pence.
    """
    payment = PaymentReceived(account=account, amount=amount, reference=reference, reason=reason)
    return record_payments(payments=[payment], actor=actor, now=now)[0]


def post_payment(
    *,
    account: Account,
    amount: Decimal,
    description: str,
    reference: str,
    reason: str,
    actor: User | None,
    now: datetime,
) -> LedgerEntry:
    """A payment taken off the balance, with ``description`` as the customer's statement shows it ("Card payment").

    For the payment paths that name themselves (a card through Stripe); ``reference`` is the provider's.

    :raises BillingRefused: an amount that is not a positive sum in whole pence.
    """
    reduction = _Reduction(
        account=account,
        kind=LedgerEntry.Kind.PAYMENT,
        amount=_positive_pennies(amount, "payment"),
        description=description,
        reason=reason.strip(),
        external_reference=reference.strip(),
    )
    return _post_reductions([reduction], action="billing.payment_recorded", actor=actor, now=now)[0]


def record_payments(*, payments: Sequence[PaymentReceived], actor: User | None, now: datetime) -> list[LedgerEntry]:
    """Many payments at once (a day's Direct Debits), each recorded as :func:`record_payment` records one: its own
    ledger entry and audit event, all written together in a few statements in one transaction.

    :raises BillingRefused: an amount that is not a positive sum in whole pence; nothing is recorded.
    """
    reductions = []
    for payment in payments:
        reference = payment.reference.strip()
        reductions.append(
            _Reduction(
                account=payment.account,
                kind=LedgerEntry.Kind.PAYMENT,
                amount=_positive_pennies(payment.amount, "payment"),
                description="Payment received" + (f" ({reference})" if reference else ""),
                reason=payment.reason.strip(),
                external_reference=reference,
            )
        )
    return _post_reductions(reductions, action="billing.payment_recorded", actor=actor, now=now)


def record_credit(*, account: Account, amount: Decimal, reason: str, actor: User, now: datetime) -> LedgerEntry:
    """A credit care staff give the customer (a goodwill payment, a correction), taken off their balance.

    :raises BillingRefused: no reason, or an amount that is not a positive sum in whole pence.
    """
    credit = _Reduction(
        account=account,
        kind=LedgerEntry.Kind.CREDIT,
        amount=_positive_pennies(amount, "credit"),
        description="Credit",
        reason=_required_reason(reason),
        external_reference="",
    )
    return _post_reductions([credit], action="billing.credit_recorded", actor=actor, now=now)[0]


def record_balance_transfer(
    *, account: Account, amount: Decimal, description: str, reason: str, actor: User | None, now: datetime
) -> LedgerEntry:
    """Take ``amount`` off the account's balance because it is now owed elsewhere (arrears moved onto a prepayment
    meter, to be recovered from top-ups: T&C 10.1.1), so it is never asked for twice.

    :raises BillingRefused: no reason, or an amount that is not a positive sum in whole pence.
    """
    transfer = _Reduction(
        account=account,
        kind=LedgerEntry.Kind.CREDIT,
        amount=_positive_pennies(amount, "transfer"),
        description=description,
        reason=_required_reason(reason),
        external_reference="",
    )
    return _post_reductions([transfer], action="billing.balance_transferred", actor=actor, now=now)[0]


def _post_reductions(
    reductions: Sequence[_Reduction], *, action: str, actor: User | None, now: datetime
) -> list[LedgerEntry]:
    """Post each amount off its account's balance (stored negative) and audit each, in one transaction."""
    entries = [
        LedgerEntry(
            account=reduction.account,
            kind=reduction.kind,
            amount=-reduction.amount,
            posted_at=now,
            description=reduction.description,
            reason=reduction.reason[:300],
            recorded_by=actor,
            external_reference=reduction.external_reference[:64],
        )
        for reduction in reductions
    ]
    events = []
    for reduction, entry in zip(reductions, entries, strict=True):
        after = {"amount": str(reduction.amount), "reason": entry.reason}
        if reduction.external_reference:
            after["reference"] = entry.external_reference
        events.append(
            audit.event(
                actor=actor,
                action=action,
                subject=f"account {reduction.account.number}",
                customer_id=reduction.account.customer_id,
                at=now,
                after=after,
            )
        )
    with transaction.atomic():
        LedgerEntry.objects.bulk_create(entries, batch_size=LEDGER_BATCH)
        audit.record_all(events)
    return entries


# --- Additional charges and interest ------------------------------------------------------------------------------


def raise_additional_charge(
    *,
    account: Account,
    kind: AdditionalCharge.Kind,
    amount: Decimal | None,
    incurred_date: date,
    reason: str,
    meter_proved_accurate: bool | None,
    actor: User | None,
    now: datetime,
) -> AdditionalCharge:
    """An additional charge under T&C 11, billed (at 20% VAT) on the account's next bill.

    ``actor`` is the staff member who raised it, or None when Hearth raised it itself (a missed Direct Debit's fee).

    A missed appointment and a false gas emergency are the T&C's fixed £70 (``amount`` None, or exactly that); a
    meter accuracy test is charged only when the meter proved accurate (T&C 11.1.1).

    :raises BillingRefused: a meter test on a meter that was inaccurate (or not yet known), a fixed charge at another
        amount, a false gas emergency on an electricity account, late-payment interest (see
        :func:`apply_late_payment_interest`), a future day, no reason, or a bad amount.
    """
    kind = AdditionalCharge.Kind(kind)
    if kind == AdditionalCharge.Kind.LATE_PAYMENT_INTEREST:
        raise BillingRefused("Late-payment interest is worked out from the base rate: apply it as interest instead.")
    if kind == AdditionalCharge.Kind.METER_ACCURACY_TEST and meter_proved_accurate is not True:
        raise BillingRefused(
            "A meter accuracy test is charged only when the meter was found accurate (T&C 11.1.1); "
            + (
                "this meter was found inaccurate, so the test is free."
                if meter_proved_accurate is False
                else "record the test's result first."
            )
        )
    if kind == AdditionalCharge.Kind.FALSE_GAS_EMERGENCY and account.fuel != Fuel.GAS:
        raise BillingRefused("A false gas emergency is charged to the customer's gas account (T&C 19.5).")
    fixed = FIXED_CHARGES.get(kind)
    if fixed is not None:
        if amount is not None and amount != fixed:
            raise BillingRefused(f"A {kind.label.lower()} is a fixed {_pounds(fixed)} under the T&C; got {amount}.")
        charge_amount = fixed
    elif amount is None:
        raise BillingRefused(f"Give the amount of the {kind.label.lower()} charge, in pounds excluding VAT.")
    else:
        charge_amount = _positive_pennies(amount, "charge")
    if incurred_date > calendar.local_date(now):
        raise BillingRefused(f"The charge is for something that has happened; {_day(incurred_date)} is in the future.")
    why = _required_reason(reason)
    with transaction.atomic():
        charge = AdditionalCharge.objects.create(
            account=account,
            kind=kind,
            description=f"{kind.label} on {_day(incurred_date)}",
            amount=charge_amount,
            incurred_date=incurred_date,
            raised_at=now,
            raised_by=actor,
            reason=why[:300],
            details={"meter_proved_accurate": True} if kind == AdditionalCharge.Kind.METER_ACCURACY_TEST else {},
        )
        _audit_charge(charge, actor, now)
    return charge


def _audit_charge(charge: AdditionalCharge, actor: User | None, now: datetime) -> None:
    audit.record(
        actor=actor,
        action="billing.charge_raised",
        subject=f"account {charge.account.number}",
        customer=charge.account.customer,
        at=now,
        after={
            "kind": charge.kind,
            "amount": str(charge.amount),
            "incurred_date": charge.incurred_date.isoformat(),
            "reason": charge.reason,
            "details": charge.details,
        },
    )


@dataclass(frozen=True, slots=True)
class InterestSpan:
    """Days of late-payment interest at one base rate (the rate changes split the period)."""

    start_date: date
    end_date: date
    base_rate_percent: Decimal


def interest_spans(*, start_date: date, end_date: date) -> list[InterestSpan]:
    """``[start_date, end_date)`` split wherever the base rate changes, each part with the base rate in force.

    :raises BillingRefused: no base rate is held for ``start_date``.
    """
    first = billing_queries.base_rate_on(start_date)
    if first is None:
        raise BillingRefused(f"No Bank of England base rate is held for {_day(start_date)}; add it first.")
    changes = list(
        BaseRate.objects.filter(effective_date__gt=start_date, effective_date__lt=end_date).order_by("effective_date")
    )
    spans: list[InterestSpan] = []
    cursor, percent = start_date, first.percent
    for change in changes:
        spans.append(InterestSpan(cursor, change.effective_date, percent))
        cursor, percent = change.effective_date, change.percent
    spans.append(InterestSpan(cursor, end_date, percent))
    return spans


def apply_late_payment_interest(
    *, account: Account, principal: Decimal, start_date: date, end_date: date, actor: User | None, now: datetime
) -> AdditionalCharge:
    """Interest on an overdue ``principal`` over ``[start_date, end_date)`` (T&C 10.1.8), billed on the next bill.

    ``actor`` is the staff member who charged it, or None when the daily late-payment job did.

    4% a year above the base rate in force each day, simple interest over a 365-day year, in parts split where the
    base rate changes, each part rounded to the penny; the details keep every part, so they add up to the charge.

    :raises BillingRefused: an empty period or one not yet over, no base rate held, a bad principal, or interest
        that comes to less than a penny.
    """
    owed = _positive_pennies(principal, "overdue amount")
    if end_date <= start_date:
        raise BillingRefused("The interest period must end after it starts.")
    if end_date > calendar.local_date(now):
        raise BillingRefused(f"Interest is charged only for days that have passed; {_day(end_date)} is to come.")
    spans = interest_spans(start_date=start_date, end_date=end_date)
    parts = [
        calculation.late_payment_interest(
            principal=owed, start_date=span.start_date, end_date=span.end_date, base_rate_percent=span.base_rate_percent
        )
        for span in spans
    ]
    interest = sum(parts, Decimal("0.00"))
    if interest <= 0:
        raise BillingRefused(f"Interest on {_pounds(owed)} for these days comes to less than a penny.")
    details = {
        "principal": str(owed),
        "start_date": start_date.isoformat(),
        "end_date": end_date.isoformat(),
        "days": (end_date - start_date).days,
        "above_base_percent": str(calculation.LATE_PAYMENT_MARGIN_PERCENT),
        "parts": [
            {
                "start_date": span.start_date.isoformat(),
                "end_date": span.end_date.isoformat(),
                "days": (span.end_date - span.start_date).days,
                "base_rate_percent": str(span.base_rate_percent),
                "annual_rate_percent": str(span.base_rate_percent + calculation.LATE_PAYMENT_MARGIN_PERCENT),
                "interest": str(part),
            }
            for span, part in zip(spans, parts, strict=True)
        ],
    }
    with transaction.atomic():
        charge = AdditionalCharge.objects.create(
            account=account,
            kind=AdditionalCharge.Kind.LATE_PAYMENT_INTEREST,
            description=(
                f"Late-payment interest on {_pounds(owed)} from {_day(start_date)} to "
                f"{_day(end_date - timedelta(days=1))}"
            ),
            amount=interest,
            incurred_date=end_date - timedelta(days=1),
            raised_at=now,
            raised_by=actor,
            reason="Late payment (T&C 10.1.8)",
            details=details,
        )
        _audit_charge(charge, actor, now)
    return charge


def record_obstruction(
    *, account: Account, from_date: date, to_date: date, reason: str, actor: User, now: datetime
) -> BillingObstruction:
    """Care staff's record that the customer obstructed billing over ``[from_date, to_date)``.

    Energy used in those days may then be billed even when more than 12 months old (the back-billing limit).

    :raises BillingRefused: an empty period or no reason.
    """
    if to_date <= from_date:
        raise BillingRefused("The obstruction must end after it starts.")
    why = _required_reason(reason)
    with transaction.atomic():
        obstruction = BillingObstruction.objects.create(
            account=account, from_date=from_date, to_date=to_date, reason=why[:300], recorded_at=now, recorded_by=actor
        )
        audit.record(
            actor=actor,
            action="billing.obstruction_recorded",
            subject=f"account {account.number}",
            customer=account.customer,
            at=now,
            after={"from_date": from_date.isoformat(), "to_date": to_date.isoformat(), "reason": obstruction.reason},
        )
    return obstruction


# --- Cancelling and reissuing -------------------------------------------------------------------------------------


def cancel_bill(*, bill: Bill, reason: str, actor: User, now: datetime) -> Bill:
    """Cancel an issued bill: a credit note reverses its charge in the ledger, and its additional charges go back
    to waiting for the next bill (the cancelled bill's lines still name them).

    :raises BillingRefused: the bill is already cancelled, or no reason is given.
    """
    why = _required_reason(reason)
    with transaction.atomic():
        locked = Bill.objects.select_for_update().select_related("account__customer").get(pk=bill.pk)
        if locked.status != Bill.Status.ISSUED:
            cancelled_on = calendar.local_date(locked.cancelled_at) if locked.cancelled_at else locked.issue_date
            raise BillingRefused(f"Bill {locked.reference} was already cancelled on {_day(cancelled_on)}.")
        locked.status = Bill.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = actor
        locked.cancel_reason = why[:300]
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        LedgerEntry.objects.create(
            account=locked.account,
            kind=LedgerEntry.Kind.CREDIT_NOTE,
            amount=-locked.total,
            posted_at=now,
            description=f"Credit note: bill {locked.reference} cancelled",
            reason=why[:300],
            bill=locked,
            recorded_by=actor,
        )
        AdditionalCharge.objects.filter(bill=locked).update(bill=None)
        audit.record(
            actor=actor,
            action="billing.bill_cancelled",
            subject=f"bill {locked.reference}",
            customer=locked.account.customer,
            at=now,
            before={"status": Bill.Status.ISSUED, "total": str(locked.total)},
            after={"status": locked.status, "reason": locked.cancel_reason},
        )
    return locked


def reissue_bill(*, cancelled: Bill, actor: User, now: datetime) -> Bill:
    """Bill a cancelled bill's period again, from the readings and prices held now (after corrections).

    :raises BillingRefused: the bill is not cancelled, or was already reissued.
    :raises BillingError: the new bill cannot be made (the message says why).
    """
    if cancelled.status != Bill.Status.CANCELLED:
        raise BillingRefused(f"Bill {cancelled.reference} is still live: cancel it before reissuing it.")
    if Bill.objects.filter(replaces=cancelled).exists():
        raise BillingRefused(f"Bill {cancelled.reference} has already been reissued.")
    with transaction.atomic():
        bill = issue_bill(
            account=cancelled.account,
            period_start_date=cancelled.period_start_date,
            period_end_date=cancelled.period_end_date,
            now=now,
            replaces=cancelled,
        )
        audit.record(
            actor=actor,
            action="billing.bill_reissued",
            subject=f"bill {bill.reference}",
            customer=bill.account.customer,
            at=now,
            before={"reference": cancelled.reference, "total": str(cancelled.total)},
            after={"reference": bill.reference, "total": str(bill.total)},
        )
    return bill


# --- Issuing a bill -----------------------------------------------------------------------------------------------


def _local_days(valid_from: datetime, valid_to: datetime | None, start_date: date, end_date: date) -> tuple[date, date]:
    """A datetime period as the local days it covers, clipped to ``[start_date, end_date)``."""
    end = end_date if valid_to is None else min(end_date, calendar.local_date(valid_to))
    return max(start_date, calendar.local_date(valid_from)), end


def _check_covered(parts: Iterable[tuple[date, date]], start_date: date, end_date: date, what: str) -> None:
    """BillingError naming the first days of ``[start_date, end_date)`` that ``parts`` leave without ``what``."""
    cursor = start_date
    for part_start, part_end in sorted(parts):
        if part_start > cursor:
            raise BillingError(f"There is no {what} from {_day(cursor)} until {_day(part_start)}.")
        cursor = max(cursor, part_end)
    if cursor < end_date:
        raise BillingError(f"There is no {what} from {_day(cursor)} until {_day(end_date)}.")


@dataclass(frozen=True, slots=True)
class _OnTariff:
    """The local days ``[start_date, end_date)`` of the bill on which the supply point was on ``tariff``."""

    tariff: Tariff
    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True)
class _Window:
    """One supply point over the days of the bill period it was supplied to the account, and its tariffs; with the
    chunk's gathered rows the rules read its prices, meters and readings from."""

    supply_point: SupplyPoint
    start_date: date
    end_date: date
    label: str
    tariffs: tuple[_OnTariff, ...]
    inputs: batch.ChunkInputs = field(repr=False, compare=False)

    @property
    def tariff(self) -> Tariff:
        """The tariff whose structure (and night window) holds over the whole window."""
        return self.tariffs[0].tariff


class _Consumption:
    """The bill's consumption rows as they are worked out, numbered by position for the lines to cite."""

    def __init__(self) -> None:
        self.rows: list[BillConsumption] = []
        self.estimated = False

    def add(self, **fields: Any) -> int:
        position = len(self.rows) + 1
        self.rows.append(sql.new(BillConsumption, position=position, **fields))
        return position


def _label(supply_point: SupplyPoint) -> str:
    return f"{Fuel(supply_point.fuel).label}, {supply_point}"


def _window(supply: Supply, start_date: date, end_date: date, inputs: batch.ChunkInputs) -> _Window:
    """The supply's days in the period and the tariffs over them, refusing gaps and mid-period structure changes."""
    supply_point = supply.supply_point
    start = max(start_date, supply.valid_from)
    end = end_date if supply.valid_to is None else min(end_date, supply.valid_to)
    label = _label(supply_point)
    tariffs = []
    for agreement in batch.in_force(inputs.agreements.get(supply_point.pk, ()), start, end):
        part_start, part_end = _local_days(agreement.valid_from, agreement.valid_to, start, end)
        if part_start < part_end:
            tariffs.append(_OnTariff(agreement.tariff, part_start, part_end))
    try:
        _check_covered(((t.start_date, t.end_date) for t in tariffs), start, end, "tariff agreement")
    except BillingError as exc:
        raise BillingError(f"{label}: {exc}") from exc
    shapes = {(t.tariff.structure, t.tariff.night_starts_at, t.tariff.night_ends_at) for t in tariffs}
    if len(shapes) > 1:
        codes = ", ".join(t.tariff.code for t in tariffs)
        raise BillingError(
            f"{label}: the tariff's rate structure changes inside the bill period ({codes}); bill up to the change "
            "and from it separately."
        )
    return _Window(supply_point, start, end, label, tuple(tariffs), inputs)


def _rate_spans(
    window: _Window, rows: Mapping[int, Sequence[Any]], what: str, *, band: str | None = None
) -> list[calculation.RateSpan]:
    """The prices ``rows`` (standing charges or unit rates, by tariff; only ``band``'s if given) over the window,
    from each tariff in turn.

    :raises BillingError: a day of the window has no price.
    """
    spans = []
    for on_tariff in window.tariffs:
        of_tariff = [row for row in rows.get(on_tariff.tariff.pk, ()) if band is None or row.band == band]
        for row in batch.in_force(of_tariff, on_tariff.start_date, on_tariff.end_date):
            start, end = _local_days(row.valid_from, row.valid_to, on_tariff.start_date, on_tariff.end_date)
            if start < end:
                spans.append(calculation.RateSpan(start, end, Decimal(row.value_exc_vat), row.pk))
    _check_covered(((s.start_date, s.end_date) for s in spans), window.start_date, window.end_date, what)
    return spans


def _unit_rates(window: _Window, band: str) -> list[calculation.RateSpan]:
    return _rate_spans(window, window.inputs.unit_rates, f"{band.lower().replace('_', ' ')} unit rate", band=band)


def _meters(window: _Window) -> list[Meter]:
    """The supply point's meters fitted at some time in the window, in the order they were fitted."""
    start_at, end_at = calendar.day_starts_at(window.start_date), calendar.day_starts_at(window.end_date)
    return window.inputs.meters.meters_in(window.supply_point.pk, start_at, end_at)


def _meter_serials(window: _Window) -> str:
    return ", ".join(meter.serial_number for meter in _meters(window))[:32]


def _register_energy(window: _Window, consumption: _Consumption, now: datetime) -> list[calculation.EnergyCharge]:
    """Energy from register readings: a single-rate tariff charges every register at its one rate; Economy 7
    charges the day and night registers at the day and night rates."""
    two_rate = window.tariff.structure == Tariff.Structure.TWO_RATE
    spans: dict[str, list[calculation.RateSpan]] = {}
    charges: list[calculation.EnergyCharge] = []
    for advance in usage.register_advances(
        supply_point=window.supply_point,
        start_date=window.start_date,
        end_date=window.end_date,
        now=now,
        history=window.inputs.meters,
    ):
        if two_rate and advance.band not in (UnitRate.DAY, UnitRate.NIGHT):
            raise BillingError(
                f"Meter {advance.meter_serial_number} has a {advance.band.lower()} register, which an Economy 7 "
                "tariff cannot charge."
            )
        band = advance.band if two_rate else UnitRate.STANDARD
        gas = advance.gas
        position = consumption.add(
            supply_point=window.supply_point,
            register_id=advance.register_id,
            meter_serial_number=advance.meter_serial_number,
            band=advance.band,
            start_reading_id=advance.start.reading_id,
            end_reading_id=advance.end.reading_id,
            start_value=advance.start.value,
            end_value=advance.end.value,
            start_kind=advance.start.kind,
            end_kind=advance.end.kind,
            units=advance.units,
            unit=advance.unit,
            volume_m3=gas.volume_m3 if gas else None,
            correction_factor=gas.correction_factor if gas else None,
            calorific_value=gas.calorific_value if gas else None,
            kwh=advance.kwh,
        )
        consumption.estimated = consumption.estimated or advance.estimated
        if band not in spans:
            spans[band] = _unit_rates(window, band)
        charges.extend(
            calculation.split_by_rates(
                kwh=advance.kwh,
                start_date=advance.start_date,
                end_date=advance.end_date,
                band=band,
                rates=spans[band],
                sources={"consumption": [position], "readings": [advance.start.reading_id, advance.end.reading_id]},
            )
        )
    return charges


def _bands(window: _Window) -> list[calculation.Band]:
    """The time-of-use bands: Economy 7's night window and the rest of the day, or the tariff's own bands."""
    tariff = window.tariff
    if tariff.structure == Tariff.Structure.TWO_RATE:
        starts_at, ends_at = tariff.night_starts_at, tariff.night_ends_at
        if starts_at is None or ends_at is None:  # the database's constraint forbids it
            raise BillingError(f"The Economy 7 tariff {tariff.code} has no night window.")
        return list(calculation.economy_7_bands(night_starts_at=starts_at, night_ends_at=ends_at))
    bands: dict[str, calculation.Band] = {}
    tariff_ids = {t.tariff.pk for t in window.tariffs}
    rows = [row for tariff_id in tariff_ids for row in window.inputs.unit_rates.get(tariff_id, ())]
    for row in sorted(rows, key=lambda row: (row.valid_from, row.pk)):
        if row.band_starts_at is None or row.band_ends_at is None:
            raise BillingError(f"The time-of-use band {row.band} has no start and end times.")
        bands[row.band] = calculation.Band(row.band, row.band_starts_at, row.band_ends_at)
    return list(bands.values())


def _half_hours(window: _Window, consumption: _Consumption) -> list[tuple[datetime, Decimal]]:
    """The window's half-hours; a bill using any estimated one is an estimated bill."""
    supply_point, start_date, end_date = window.supply_point, window.start_date, window.end_date
    history = window.inputs.meters
    if usage.has_estimated_half_hours(
        supply_point=supply_point, start_date=start_date, end_date=end_date, history=history
    ):
        consumption.estimated = True
    return usage.interval_usage(supply_point=supply_point, start_date=start_date, end_date=end_date, history=history)


def _interval_energy(window: _Window, consumption: _Consumption) -> list[calculation.EnergyCharge]:
    """Energy from half-hourly intervals shared into time-of-use bands (or Economy 7's night window)."""
    intervals = _half_hours(window, consumption)
    bands = _bands(window)
    charges = calculation.time_of_use_charges(
        intervals=intervals, bands=bands, rates={band.name: _unit_rates(window, band.name) for band in bands}
    )
    serials = _meter_serials(window)
    cited: list[calculation.EnergyCharge] = []
    for band in bands:
        in_band = [charge for charge in charges if charge.band == band.name]
        if not in_band:
            continue
        kwh = sum((charge.kwh for charge in in_band), Decimal(0))
        position = consumption.add(
            supply_point=window.supply_point,
            meter_serial_number=serials,
            band=band.name,
            units=kwh,
            unit="kWh",
            kwh=kwh,
        )
        cited.extend(replace(charge, sources={**charge.sources, "consumption": [position]}) for charge in in_band)
    return cited


def _half_hourly_energy(window: _Window, consumption: _Consumption) -> calculation.HalfHourlyCharge:
    """A dynamic tariff: each half-hour's kWh at that half-hour's price (summed by the database where it could)."""
    position = len(consumption.rows) + 1  # the consumption row below, made once the charge has summed the kWh
    priced = window.inputs.priced.get(usage.UsageWindow(window.supply_point.pk, window.start_date, window.end_date))
    if priced is None or len(window.tariffs) != 1 or priced.tariff_id != window.tariff.pk:
        charge = _priced_here(window, consumption, {"consumption": [position]})
    else:
        consumption.estimated = consumption.estimated or priced.estimated
        charge = calculation.HalfHourlyCharge.totalled(
            window.start_date,
            window.end_date,
            half_hours=priced.count,
            kwh=priced.kwh,
            pence=priced.pence,
            sources={"consumption": [position]},
        )
    consumption.add(
        supply_point=window.supply_point,
        meter_serial_number=_meter_serials(window),
        band="HALF_HOURLY",
        units=charge.kwh,
        unit="kWh",
        kwh=charge.kwh,
    )
    return charge


def _priced_here(
    window: _Window, consumption: _Consumption, sources: Mapping[str, Any]
) -> calculation.HalfHourlyCharge:
    """Each of the window's half-hours priced one by one, from the half-hours and prices gathered."""
    intervals = _half_hours(window, consumption)
    prices: Mapping[datetime, tuple[Decimal, int | None]]
    if len(window.tariffs) == 1:  # the tariff's prices as gathered: those outside the window are never asked for
        prices = window.inputs.prices.get(window.tariff.pk, {})
    else:
        prices = {}
        for on_tariff in window.tariffs:
            start_at = calendar.day_starts_at(on_tariff.start_date)
            end_at = calendar.day_starts_at(on_tariff.end_date)
            prices.update(
                (start, price)
                for start, price in window.inputs.prices.get(on_tariff.tariff.pk, {}).items()
                if start_at <= start < end_at
            )
    return calculation.half_hourly_charge(
        intervals=intervals, prices=prices, start_date=window.start_date, end_date=window.end_date, sources=sources
    )


def _has_day_night_registers(window: _Window) -> bool:
    return any(
        register.rate in (UnitRate.DAY, UnitRate.NIGHT)
        for meter in _meters(window)
        for register in window.inputs.meters.registers.get(meter.pk, ())
    )


def _supply_charges(
    window: _Window, consumption: _Consumption, *, is_business: bool, now: datetime
) -> calculation.SupplyCharges:
    """What one supply point is charged over its window: energy by the tariff's structure, and standing days."""
    structure = window.tariff.structure
    energy: Sequence[calculation.EnergyCharge | calculation.HalfHourlyCharge]
    if structure == Tariff.Structure.HALF_HOURLY:
        energy = [_half_hourly_energy(window, consumption)]
    elif structure == Tariff.Structure.TIME_OF_USE:
        energy = _interval_energy(window, consumption)
    elif structure == Tariff.Structure.TWO_RATE and not _has_day_night_registers(window):
        try:
            energy = _interval_energy(window, consumption)
        except usage.UsageUnavailable as exc:
            raise usage.UsageUnavailable(
                f"the meter has one register but the tariff is Economy 7, so its night use must come from "
                f"half-hourly readings, and they are incomplete: {exc}"
            ) from exc
    else:
        energy = _register_energy(window, consumption, now)
    standing = calculation.standing_days(
        start_date=window.start_date,
        end_date=window.end_date,
        rates=_rate_spans(window, window.inputs.standing_charges, "standing charge"),
    )
    days = (window.end_date - window.start_date).days
    kwh = sum((charge.kwh for charge in energy), Decimal(0))
    return calculation.SupplyCharges(
        fuel=calculation.Fuel(window.supply_point.fuel.lower()),
        is_business=is_business,
        label=window.label,
        energy=tuple(energy),
        standing=tuple(standing),
        daily_average_kwh=kwh / days,
    )


def _json(value: Any) -> Any:
    """Sources as JSON: ids and counts stay numbers; amounts and dates become strings, exactly as held."""
    if isinstance(value, Mapping):
        return {str(key): _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    return value


def _additional_line(charge: AdditionalCharge) -> calculation.ChargeLine:
    sources = {"additional_charge": charge.pk, "incurred_date": charge.incurred_date, **charge.details}
    if charge.kind == AdditionalCharge.Kind.LATE_PAYMENT_INTEREST:
        return calculation.interest_line(charge.description, Decimal(charge.amount), sources=sources)
    if charge.kind == AdditionalCharge.Kind.EXIT_FEE:
        return calculation.exit_fee_line(charge.description, Decimal(charge.amount), sources=sources)
    return calculation.additional_charge_line(charge.description, Decimal(charge.amount), sources=sources)


@dataclass(frozen=True, slots=True)
class _Balances:
    previous_balance: Decimal
    payments_and_credits: Decimal
    balance_carried_forward: Decimal


def _balances(ledger: batch.LedgerPosition, total: Decimal) -> _Balances:
    """The balance box of the bill (T&C 9.4.2), so that previous + payments and credits + total = carried forward.

    "Since the previous bill" means every ledger movement but a bill's charge posted after the latest bill's
    charge (payments, credits, refunds, credit notes of cancelled bills); the previous balance is then the ledger's
    balance as it stood just after that charge, and the carried-forward balance is the ledger's after this one.
    """
    return _Balances(ledger.balance - ledger.moved, ledger.moved, ledger.balance + total)


class BillChunk:
    """Bills worked out from one gathering of their rows (:func:`batch.gather`) and written together."""

    def __init__(self, requests: Sequence[batch.BillRequest], *, now: datetime) -> None:
        self.inputs = batch.gather(requests, calendar.local_date(now))
        self.drafts: list[_Draft] = []

    def write(self) -> None:
        """Write every bill staged so far, in a handful of statements."""
        _write(self.drafts)
        self.drafts = []


def issue_bill(
    *,
    account: Account,
    period_start_date: date,
    period_end_date: date,
    now: datetime,
    run: BillRun | None = None,
    replaces: Bill | None = None,
    chunk: BillChunk | None = None,
) -> Bill:
    """Bill the account for the local days ``[period_start_date, period_end_date)``, all in one transaction.

    For each supply point supplied in the period: consumption from readings (or half-hourly data where the tariff
    needs it), charged at the prices in force day by day; standing charges; the 12-month back-billing limit (lifted
    where care staff recorded an obstruction); then the account's unbilled additional charges and interest, and VAT.
    The bill's lines, consumption rows, ledger charge and balance box are written together or not at all.

    It is a chunk of one bill: with ``chunk`` (:func:`issue_bills`) the bill is worked out from the rows gathered for
    the whole chunk and staged in it, unsaved, to be written with the others by ``chunk.write()``.

    :raises BillAlreadyIssued: a live bill already exists for the account and period (also when another process
        issued it first).
    :raises BillingError: the period has not ended or overlaps a live bill; no supply, tariff, price or usable
        meter data for part of it; or the bill would come to a credit (the message says which).
    """
    request = batch.BillRequest(account.pk, period_start_date, period_end_date, replaces)
    if chunk is not None:
        savepoint = _EstimateSavepoint()
        chunk.inputs.meters.before_estimate = savepoint.open
        try:
            draft = _draft(request, chunk.inputs, now=now, run=run)
        except Exception:
            savepoint.undo()
            raise
        savepoint.keep()
        chunk.drafts.append(draft)
        return draft.bill
    with transaction.atomic():
        chunk = BillChunk([request], now=now)
        draft = _draft(request, chunk.inputs, now=now, run=run)
        chunk.drafts.append(draft)
        try:
            with transaction.atomic():
                chunk.write()
        except IntegrityError as exc:
            raise BillAlreadyIssued(
                f"A bill for account {draft.bill.account.number} and the period starting {_day(period_start_date)} "
                "was issued at the same moment by another process."
            ) from exc
    return draft.bill


def issue_bills(
    *, requests: Sequence[batch.BillRequest], now: datetime, run: BillRun | None = None
) -> list[Bill | Exception]:
    """Issue a chunk of bills, one per account, with the queries of one: each request's bill or why not, in order.

    The chunk's rows are gathered at once, each bill is worked out by :func:`issue_bill` from them (a failure, of any
    kind, is that request's outcome and does not stop the others; an estimate it stored is undone), and the bills
    are written together in this transaction: the chunk commits whole. If the one-live-bill constraint refuses the
    chunk (another process billed some of the accounts meanwhile) its bills are issued again one by one, so each of
    those reports :class:`BillAlreadyIssued`. Accounts of the chunk sharing a supply point (a change of tenancy) are
    billed after the others, one by one in order, since the later bill starts from the earlier one's readings.

    :raises ValueError: two requests for the same account.
    """
    if len({request.account_id for request in requests}) != len(requests):
        raise ValueError("A chunk of bills has at most one bill per account: issue an account's periods in turn.")
    if not requests:
        return []
    with transaction.atomic(savepoint=False):  # the caller's transaction when there is one (with the run's records)
        chunk = BillChunk(requests, now=now)
        alone = _sharing_supply_points(requests, chunk.inputs)
        outcomes: dict[int, Bill | Exception] = {}
        for request in requests:
            if request.account_id not in alone:
                outcomes[request.account_id] = _issue_one(request, chunk.inputs.accounts, now=now, run=run, chunk=chunk)
        staged = {draft.bill.account_id for draft in chunk.drafts}
        try:
            with transaction.atomic():
                chunk.write()
        except IntegrityError:
            alone |= staged
        for request in requests:
            if request.account_id in alone:
                outcomes[request.account_id] = _issue_one(request, chunk.inputs.accounts, now=now, run=run)
    return [outcomes[request.account_id] for request in requests]


def _issue_one(
    request: batch.BillRequest,
    accounts: Mapping[int, Account],
    *,
    now: datetime,
    run: BillRun | None,
    chunk: BillChunk | None = None,
) -> Bill | Exception:
    try:
        return issue_bill(
            account=accounts[request.account_id],
            period_start_date=request.period_start_date,
            period_end_date=request.period_end_date,
            now=now,
            run=run,
            replaces=request.replaces,
            chunk=chunk,
        )
    except Exception as exc:
        return exc


def _sharing_supply_points(requests: Sequence[batch.BillRequest], inputs: batch.ChunkInputs) -> set[int]:
    """The accounts of the chunk supplied through a supply point another account of the chunk was supplied through."""
    accounts_of: dict[int, set[int]] = {}
    for request in requests:
        for supply in inputs.supplies.get(request.account_id, ()):
            accounts_of.setdefault(supply.supply_point_id, set()).add(request.account_id)
    return {account_id for ids in accounts_of.values() if len(ids) > 1 for account_id in ids}


class _EstimateSavepoint:
    """A savepoint opened before a bill of a chunk stores its first estimate, so that a bill that then fails leaves
    no estimate behind (as its own transaction would); no query at all for a bill that estimates nothing."""

    def __init__(self) -> None:
        self.id: str | None = None

    def open(self) -> None:
        if self.id is None:
            self.id = transaction.savepoint()

    def undo(self) -> None:
        if self.id is not None:
            transaction.savepoint_rollback(self.id)

    def keep(self) -> None:
        if self.id is not None:
            transaction.savepoint_commit(self.id)


def _bills_of_the_period(bills: Iterable[Bill], start: date, end: date) -> list[Bill]:
    """The account's bills, live or cancelled, starting on ``start``, and its live bills overlapping the period."""
    return [
        bill
        for bill in bills
        if bill.period_start_date == start
        or (bill.status == Bill.Status.ISSUED and bill.period_start_date < end and bill.period_end_date > start)
    ]


def _check_period_free(bills: Sequence[Bill], start: date, replaces: Bill | None) -> None:
    """BillAlreadyIssued or BillingError if ``bills`` (:func:`_bills_of_the_period`) leave the period unbillable."""
    live = [bill for bill in bills if bill.status == Bill.Status.ISSUED]
    same = next((bill for bill in live if bill.period_start_date == start), None)
    if same is not None:
        raise BillAlreadyIssued(f"Bill {same.reference} is already issued for the period starting {_day(start)}.")
    if live:
        raise BillingError(
            f"Bill {live[0].reference} already charges {_day(live[0].period_start_date)} until "
            f"{_day(live[0].period_end_date)}, which overlaps this period."
        )
    if replaces is not None:
        if replaces.status != Bill.Status.CANCELLED or replaces.pk not in {bill.pk for bill in bills}:
            raise BillingError(f"Bill {replaces.reference} is not a cancelled bill of this account and period.")
        if any(bill.replaces_id == replaces.pk for bill in bills):
            raise BillAlreadyIssued(f"Bill {replaces.reference} has already been reissued.")


@dataclass(frozen=True, slots=True)
class _Draft:
    """A bill worked out and not yet written: its rows point at the unsaved bill, saved first."""

    bill: Bill
    consumption: list[BillConsumption]
    lines: list[BillLine]
    charges: list[AdditionalCharge]
    ledger_charge: LedgerEntry


def _draft(request: batch.BillRequest, inputs: batch.ChunkInputs, *, now: datetime, run: BillRun | None) -> _Draft:
    """The bill of ``request`` worked out from ``inputs``; its estimates are stored, nothing else is written."""
    try:
        return _work_out(request, inputs, now=now, run=run)
    except (calculation.BillingCalculationError, usage.UsageUnavailable) as exc:
        raise BillingError(str(exc)) from exc


_LINE_KINDS: Final = {kind.value: kind for kind in BillLine.Kind}
"""Each line kind by its code: the enum's own lookup is slow enough to show in a bill run of 100,000 lines."""


def _work_out(request: batch.BillRequest, inputs: batch.ChunkInputs, *, now: datetime, run: BillRun | None) -> _Draft:
    period_start_date, period_end_date, replaces = request.period_start_date, request.period_end_date, request.replaces
    if period_end_date <= period_start_date:
        raise BillingError("The bill period must end after it starts.")
    issue_date = calendar.local_date(now)
    if period_end_date > issue_date:
        raise BillingError(f"The bill period runs until {_day(period_end_date)}: it cannot be billed before then.")
    locked = inputs.accounts.get(request.account_id)
    if locked is None:
        raise Account.DoesNotExist(f"There is no account {request.account_id}.")
    earlier = _bills_of_the_period(inputs.bills.get(locked.pk, ()), period_start_date, period_end_date)
    _check_period_free(earlier, period_start_date, replaces)
    supplies = [
        supply
        for supply in inputs.supplies.get(locked.pk, ())
        if supply.valid_from < period_end_date and (supply.valid_to is None or supply.valid_to > period_start_date)
    ]
    if not supplies:
        raise BillingError(
            f"Account {locked.number} was not supplied between {_day(period_start_date)} and {_day(period_end_date)}."
        )
    is_business = locked.customer.kind == Customer.Kind.ORGANISATION
    cutoff = calculation.back_billing_cutoff(issue_date)
    obstructed = [(o.from_date, o.to_date) for o in inputs.obstructions.get(locked.pk, ())]
    consumption = _Consumption()
    supply_charges: list[calculation.SupplyCharges] = []
    supply_points: dict[str, SupplyPoint] = {}
    notes: dict[str, list[str]] = {}
    for supply in supplies:
        window = _window(supply, period_start_date, period_end_date, inputs)
        try:
            charges = _supply_charges(window, consumption, is_business=is_business, now=now)
        except (BillingError, calculation.BillingCalculationError, usage.UsageUnavailable) as exc:
            raise BillingError(f"{window.label}: {exc}") from exc
        limited, not_charged = calculation.limit_back_billing(charges, cutoff=cutoff, obstructed=obstructed)
        supply_charges.append(limited)
        supply_points[window.label] = window.supply_point
        notes[window.label] = not_charged
    unbilled = [charge for charge in inputs.unbilled.get(locked.pk, ()) if charge.incurred_date < period_end_date]
    lines = calculation.bill_lines(supply_charges, additional=[_additional_line(charge) for charge in unbilled])
    total = calculation.bill_total(lines)
    balances = _balances(inputs.ledger.get(locked.pk, batch.LedgerPosition(batch.ZERO, batch.ZERO)), total)
    try:
        terms = locked.billing_arrangement.payment_terms_days
    except BillingArrangement.DoesNotExist:
        terms = DEFAULT_PAYMENT_TERMS_DAYS
    # The n-th bill of a period after cancellations is its n-th reissue.
    reissues = sum(1 for bill in earlier if bill.period_start_date == period_start_date)
    reference = f"INV-{locked.number}-{period_start_date:%Y%m%d}" + (f"-R{reissues}" if reissues else "")
    bill = sql.new(
        Bill,
        account=locked,
        reference=reference,
        period_start_date=period_start_date,
        period_end_date=period_end_date,
        issued_at=now,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=terms),
        is_estimated=consumption.estimated,
        is_final=any(s.valid_to is not None and period_start_date < s.valid_to <= period_end_date for s in supplies),
        total=total,
        previous_balance=balances.previous_balance,
        payments_and_credits=balances.payments_and_credits,
        balance_carried_forward=balances.balance_carried_forward,
        run=run,
        replaces=replaces,
    )
    for row in consumption.rows:
        row.bill = bill
    noted: set[str] = set()
    bill_lines = []
    for position, line in enumerate(lines, start=1):
        sources = dict(line.sources)
        if line.supply_label and notes.get(line.supply_label) and line.supply_label not in noted:
            sources["back_billing_notes"] = notes[line.supply_label]  # printed on the invoice with the supply
            noted.add(line.supply_label)
        bill_lines.append(
            sql.new(
                BillLine,
                bill=bill,
                position=position,
                supply_point=supply_points.get(line.supply_label),
                kind=_LINE_KINDS.get(str(line.kind).upper()) or BillLine.Kind(str(line.kind).upper()),
                description=line.description[:200],
                quantity=line.quantity,
                unit=line.unit,
                rate=line.rate,
                amount=line.amount,
                vat_rate=line.vat_rate,
                sources=_json(sources),
            )
        )
    ledger_charge = sql.new(
        LedgerEntry,
        account=locked,
        kind=LedgerEntry.Kind.CHARGE,
        amount=total,
        posted_at=now,
        description=f"Bill {reference}",
        bill=bill,
    )
    return _Draft(bill, consumption.rows, bill_lines, unbilled, ledger_charge)


def _write(drafts: Sequence[_Draft]) -> None:
    """Write the bills and their rows, a handful of statements for the whole chunk (the bills first, for their ids)."""
    if not drafts:
        return
    sql.insert_objects(Bill, [draft.bill for draft in drafts], with_ids=True)
    for draft in drafts:
        for consumption in draft.consumption:
            consumption.bill_id = draft.bill.pk
        for line in draft.lines:
            line.bill_id = draft.bill.pk
        draft.ledger_charge.bill_id = draft.bill.pk
    sql.insert_objects(BillConsumption, [row for draft in drafts for row in draft.consumption])
    sql.insert_objects(BillLine, [line for draft in drafts for line in draft.lines])
    charges = []
    for draft in drafts:
        for charge in draft.charges:
            charge.bill = draft.bill
            charges.append(charge)
    if charges:
        AdditionalCharge.objects.bulk_update(charges, ["bill"])
    sql.insert_objects(LedgerEntry, [draft.ledger_charge for draft in drafts])
