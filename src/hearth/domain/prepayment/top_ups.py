"""Top-ups (T&C 9.5.1) and emergency credit: money onto the meter's credit ledger, a vend record with the reference
the customer keeps, and an ``ADD_CREDIT`` command to a smart meter.

A top-up is shared out by :func:`hearth.domain.prepayment.recovery.share_top_up` (emergency credit repaid first,
then friendly-hours use, then debt recovery at the set share within the week's cap, the rest credit). The
prepayment's row is locked while a top-up is shared, so two top-ups at once cannot both use the same week's cap. A
payment told twice (Stripe's event again, the same PayPoint receipt) is one vend: its ``external_reference`` is
unique, and the second call returns the first vend.
"""

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from hearth.common import calendar
from hearth.common.money import PENNY, Money
from hearth.data.identity.models import User
from hearth.data.metering.models import SmartMeterCommand
from hearth.data.prepayment.models import CreditEntry, Prepayment, Vend
from hearth.domain.audit import operations as audit
from hearth.domain.metering import smart_meters
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.prepayment import recovery

EMERGENCY_OFFERED_BELOW: Final = Decimal("1.00")
"""Emergency credit can be taken once the credit is below £1, as meters offer it."""

VEND_REFERENCE_DIGITS: Final = 20
"""A vend reference has 20 digits, like the keypad codes of prepayment meters, printed in groups of four."""


class TopUpRefused(prepayment_ops.PrepaymentRefused):
    """The top-up or emergency credit cannot be made; the message says why, in words a customer understands."""


def emergency_credit_limit() -> Decimal:
    """The emergency credit a meter lends (HEARTH_PREPAYMENT_EMERGENCY_CREDIT)."""
    return Decimal(settings.HEARTH_PREPAYMENT_EMERGENCY_CREDIT)


def _total(prepayment: Prepayment, *kinds: str) -> Decimal:
    total = prepayment.credit_entries.filter(kind__in=kinds).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0)


def emergency_credit_owed(prepayment: Prepayment) -> Decimal:
    """Emergency credit taken and not yet repaid from top-ups."""
    return _total(prepayment, CreditEntry.Kind.EMERGENCY_CREDIT, CreditEntry.Kind.EMERGENCY_CREDIT_REPAID)


def recovered_in_week(prepayment: Prepayment, at: datetime) -> Decimal:
    """What top-ups have taken towards debt in the (Monday to Sunday, UK time) week of ``at``; a positive sum."""
    monday = recovery.week_starting(calendar.local_date(at))
    taken = prepayment.credit_entries.filter(
        kind=CreditEntry.Kind.DEBT_RECOVERY,
        posted_at__gte=calendar.day_starts_at(monday),
        posted_at__lt=calendar.day_starts_at(monday + timedelta(days=7)),
    ).aggregate(total=Sum("amount"))["total"]
    return -Decimal(taken or 0)


def _post(
    prepayment: Prepayment, kind: str, amount: Decimal, *, now: datetime, reference: str, description: str
) -> None:
    CreditEntry.objects.create(
        prepayment=prepayment, kind=kind, amount=amount, posted_at=now, reference=reference, description=description
    )


def _check_open(prepayment: Prepayment, now: datetime) -> None:
    today = calendar.local_date(now)
    if prepayment.ended_on is not None:
        raise TopUpRefused(f"This meter stopped being prepayment on {prepayment.ended_on:%-d %B %Y}.")
    if prepayment.started_on > today:
        raise TopUpRefused(f"Prepayment starts on {prepayment.started_on:%-d %B %Y}: top up from that day.")


def _new_reference() -> str:
    return f"{secrets.randbelow(10**VEND_REFERENCE_DIGITS):0{VEND_REFERENCE_DIGITS}d}"


def printed_reference(reference: str) -> str:
    """A vend reference as the customer reads it: groups of four digits."""
    return " ".join(reference[start : start + 4] for start in range(0, len(reference), 4))


def top_up(
    *,
    prepayment: Prepayment,
    amount: Decimal,
    channel: str,
    now: datetime,
    actor: User | None = None,
    external_reference: str = "",
) -> Vend:
    """Credit ``amount`` to the meter (shared out as the module says), record the vend and tell a smart meter.

    The same non-empty ``external_reference`` again returns the vend it made and changes nothing.

    :raises TopUpRefused: not a positive amount in pence, or the prepayment has ended or not yet started.
    """
    external = external_reference.strip()
    if external:
        earlier = Vend.objects.filter(external_reference=external).first()
        if earlier is not None:
            return earlier
    if amount <= 0 or amount != amount.quantize(PENNY):
        raise TopUpRefused(f"A top-up must be a positive amount in pounds and pence, not {amount}.")
    try:
        with transaction.atomic():
            return _vend(prepayment, amount, channel, now, actor, external)
    except IntegrityError:
        earlier = Vend.objects.filter(external_reference=external).first() if external else None
        if earlier is None:
            raise
        return earlier  # the same payment told twice at once: the other call made the vend


def _vend(
    prepayment: Prepayment, amount: Decimal, channel: str, now: datetime, actor: User | None, external: str
) -> Vend:
    locked = Prepayment.objects.select_for_update().select_related("supply_point", "account").get(pk=prepayment.pk)
    _check_open(locked, now)
    balance = prepayment_ops.credit_balance(locked)
    cap_left = (
        None if locked.recovery_weekly_cap is None else locked.recovery_weekly_cap - recovered_in_week(locked, now)
    )
    shares = recovery.share_top_up(
        amount=amount,
        emergency_owed=emergency_credit_owed(locked),
        friendly_owed=-balance,
        recovery_percent=locked.recovery_percent,
        weekly_cap_left=cap_left,
        debt_owed=prepayment_ops.debt_outstanding(locked),
    )
    reference = _new_reference()
    _post(locked, CreditEntry.Kind.TOP_UP, amount, now=now, reference=reference, description="Top-up")
    if shares.emergency_repaid:
        _post(
            locked,
            CreditEntry.Kind.EMERGENCY_CREDIT_REPAID,
            -shares.emergency_repaid,
            now=now,
            reference=reference,
            description="Emergency credit repaid from the top-up",
        )
    if shares.debt_recovered:
        _post(
            locked,
            CreditEntry.Kind.DEBT_RECOVERY,
            -shares.debt_recovered,
            now=now,
            reference=reference,
            description=f"Towards debt: {locked.recovery_percent.normalize():f}% of the top-up (T&C 10.1.1)",
        )
    meter = prepayment_ops.smart_meter(locked.supply_point)
    command = None
    if meter is not None:
        command = smart_meters.request_command(
            meter=meter,
            kind=SmartMeterCommand.Kind.ADD_CREDIT,
            reason=f"Top-up {reference}",
            not_before=calendar.local_date(now),
            payload={
                "vend_reference": reference,
                "amount": str(amount),
                "emergency_repaid": str(shares.emergency_repaid),
                "debt_recovered": str(shares.debt_recovered),
                "credit": str(shares.credited),
            },
            actor=actor,
            now=now,
        )
    vend = Vend.objects.create(
        prepayment=locked,
        reference=reference,
        channel=channel,
        amount=amount,
        emergency_repaid=shares.emergency_repaid,
        debt_recovered=shares.debt_recovered,
        credited=shares.credited,
        external_reference=external,
        vended_at=now,
        vended_by=actor,
        command=command,
    )
    audit.record(
        actor=actor,
        action="prepayment.topped_up",
        subject=f"{locked.supply_point} on account {locked.account.number}",
        customer=locked.account.customer,
        before={"credit": str(balance)},
        after={
            "vend": reference,
            "channel": channel,
            "amount": str(amount),
            "emergency_repaid": str(shares.emergency_repaid),
            "debt_recovered": str(shares.debt_recovered),
            "credited": str(shares.credited),
        },
        at=now,
    )
    return vend


def take_emergency_credit(*, prepayment: Prepayment, now: datetime, actor: User | None = None) -> Decimal:
    """Lend the meter what is left of the emergency credit limit; returns how much was lent.

    :raises TopUpRefused: the credit is not low enough yet, the emergency credit is already in use, none is
        offered, or the prepayment is not running.
    """
    limit = emergency_credit_limit()
    with transaction.atomic():
        locked = Prepayment.objects.select_for_update().select_related("supply_point", "account").get(pk=prepayment.pk)
        _check_open(locked, now)
        balance = prepayment_ops.credit_balance(locked)
        owed = emergency_credit_owed(locked)
        if limit <= 0:
            raise TopUpRefused("This meter has no emergency credit.")
        if owed >= limit:
            raise TopUpRefused(f"Your emergency credit of {Money(limit)} is in use: top up to repay it first.")
        if balance >= EMERGENCY_OFFERED_BELOW:
            raise TopUpRefused(
                f"Emergency credit is there when your credit is below {Money(EMERGENCY_OFFERED_BELOW)}; "
                f"you have {Money(balance)}."
            )
        lent = limit - owed
        _post(
            locked,
            CreditEntry.Kind.EMERGENCY_CREDIT,
            lent,
            now=now,
            reference="",
            description="Emergency credit, repaid from the next top-up",
        )
        meter = prepayment_ops.smart_meter(locked.supply_point)
        if meter is not None:
            smart_meters.request_command(
                meter=meter,
                kind=SmartMeterCommand.Kind.ADD_CREDIT,
                reason="Emergency credit",
                not_before=calendar.local_date(now),
                payload={"emergency_credit": str(lent)},
                actor=actor,
                now=now,
            )
        audit.record(
            actor=actor,
            action="prepayment.emergency_credit_taken",
            subject=f"{locked.supply_point} on account {locked.account.number}",
            customer=locked.account.customer,
            before={"credit": str(balance), "emergency_owed": str(owed)},
            after={"emergency_credit": str(lent)},
            at=now,
        )
    return lent
