"""The core of prepayment every area shares (ADR 0014): putting a supply point on prepayment, and debts recovered
through its meter.

:func:`start_prepayment` is the only way onto prepayment. For debt (10.1.4) or under warrant (10.1.5) it refuses
unless the notice was given and its 42 days have run from deemed delivery (10.2), and never for a household whose
Priority Services needs rule a forced prepayment meter out. A smart meter is switched by a command through the
``SmartMeter`` interface on the start day; any other meter needs an engineer to fit a prepayment meter, booked by
the caller. Moving the account's payment method and tariff is the caller's (payments and contracts sit above).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction
from django.db.models import Sum

from hearth.common.money import PENNY
from hearth.data.accounts.models import Account, Supply, SupplyPoint
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter, SmartMeterCommand
from hearth.data.prepayment.models import CreditEntry, MeterDebt, Prepayment
from hearth.domain.audit import operations as audit
from hearth.domain.metering import smart_meters
from hearth.domain.priority import queries as priority

NOTICE_DAYS: Final = 42
"""T&C 10.2: 42 days' notice before a move to prepayment for debt."""

FORCED: Final = frozenset({Prepayment.Reason.DEBT, Prepayment.Reason.WARRANT})


class PrepaymentRefused(Exception):
    """The supply point cannot go onto prepayment now; the message says why and, where it helps, from when."""


def earliest_forced_start(notice_deemed_delivered: date) -> date:
    """The first day a forced move to prepayment may take effect: 42 whole days after the notice's deemed delivery."""
    return notice_deemed_delivered + timedelta(days=NOTICE_DAYS)


def smart_meter(supply_point: SupplyPoint) -> Meter | None:
    """The smart meter fitted at ``supply_point`` now, which takes commands; None: an engineer has to visit."""
    return supply_point.meters.filter(kind=Meter.Kind.SMART, removed_at=None).order_by("id").first()


def _open_supply(account: Account, day: date) -> Supply:
    supply = (
        Supply.objects.select_related("supply_point")
        .filter(account=account, valid_from__lte=day)
        .exclude(valid_to__lte=day)
        .first()
    )
    if supply is None:
        raise PrepaymentRefused(f"Account {account.number} is not supplied on {day:%d %B %Y}.")
    return supply


def _check_forced(account: Account, day: date, notice: Document | None, deemed: date | None) -> None:
    if priority.protections(account.customer, day).no_forced_prepayment:
        raise PrepaymentRefused("The household's Priority Services needs rule out a prepayment meter forced for debt.")
    if notice is None or deemed is None:
        raise PrepaymentRefused("The customer must be given notice before a move to prepayment for debt (10.2).")
    if day < earliest_forced_start(deemed):
        raise PrepaymentRefused(
            f"The notice was deemed delivered on {deemed:%d %B %Y}: prepayment can start on "
            f"{earliest_forced_start(deemed):%d %B %Y} at the earliest (42 days' notice, 10.2)."
        )


def start_prepayment(
    *,
    account: Account,
    day: date,
    reason: str,
    now: datetime,
    actor: User | None = None,
    notice: Document | None = None,
    notice_deemed_delivered: date | None = None,
    recovery_percent: Decimal = Decimal("0"),
    recovery_weekly_cap: Decimal | None = None,
) -> Prepayment:
    """Put ``account``'s supply point on prepayment from ``day``; a smart meter is switched that day.

    :raises PrepaymentRefused: already on prepayment, not supplied that day, or a forced move without its notice,
        too early, or ruled out by the register.
    """
    supply = _open_supply(account, day)
    if reason in FORCED:
        _check_forced(account, day, notice, notice_deemed_delivered)
    with transaction.atomic():
        if Prepayment.objects.select_for_update().filter(supply_point=supply.supply_point, ended_on=None).exists():
            raise PrepaymentRefused(f"{supply.supply_point} is already paid by prepayment.")
        prepayment = Prepayment.objects.create(
            account=account,
            supply_point=supply.supply_point,
            reason=reason,
            started_on=day,
            notice=notice,
            recovery_percent=recovery_percent,
            recovery_weekly_cap=recovery_weekly_cap,
            created_at=now,
            created_by=actor,
        )
        smart = smart_meter(supply.supply_point)
        if smart is not None:
            smart_meters.request_command(
                meter=smart,
                kind=SmartMeterCommand.Kind.SWITCH_TO_PREPAYMENT,
                reason=f"Prepayment from {day:%d %B %Y}: {Prepayment.Reason(reason).label}",
                not_before=day,
                payload={"recovery_percent": str(recovery_percent)},
                actor=actor,
                now=now,
            )
        audit.record(
            actor=actor,
            action="prepayment.started",
            subject=f"{supply.supply_point} on account {account.number}",
            customer=account.customer,
            after={"from": day.isoformat(), "reason": reason, "recovery_percent": str(recovery_percent)},
            at=now,
        )
    return prepayment


def add_meter_debt(
    *,
    prepayment: Prepayment,
    kind: str,
    amount: Decimal,
    description: str,
    reason: str,
    now: datetime,
    actor: User | None = None,
) -> MeterDebt:
    """Add a debt to be recovered from top-ups through the meter (10.1.1, 19.5, 19.6, 11.1.5).

    :raises PrepaymentRefused: the amount is not a positive number of pence, or the prepayment has ended.
    """
    if amount <= 0 or amount != amount.quantize(PENNY):
        raise PrepaymentRefused(f"A meter debt must be a positive amount in pence, not {amount}.")
    if prepayment.ended_on is not None:
        raise PrepaymentRefused(f"Prepayment on {prepayment.supply_point} ended on {prepayment.ended_on:%d %B %Y}.")
    debt = MeterDebt.objects.create(
        prepayment=prepayment,
        kind=kind,
        amount=amount,
        description=description[:200],
        reason=reason[:300],
        raised_at=now,
        raised_by=actor,
    )
    audit.record(
        actor=actor,
        action="prepayment.debt_added",
        subject=f"{prepayment.supply_point} on account {prepayment.account.number}",
        customer=prepayment.account.customer,
        after={"kind": kind, "amount": str(amount), "reason": reason[:300]},
        at=now,
    )
    return debt


def credit_balance(prepayment: Prepayment) -> Decimal:
    """The credit on the meter: the sum of its credit entries (negative: emergency credit in use)."""
    total = prepayment.credit_entries.aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0)


def debt_outstanding(prepayment: Prepayment) -> Decimal:
    """What is still to be recovered through the meter: its debts less what top-ups have taken towards them."""
    owed = prepayment.debts.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    recovered = prepayment.credit_entries.filter(kind=CreditEntry.Kind.DEBT_RECOVERY).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)
    return Decimal(owed) + Decimal(recovered)


def open_prepayment(account: Account) -> Prepayment | None:
    """The account's prepayment still running, if any."""
    return Prepayment.objects.filter(account=account, ended_on=None).select_related("supply_point").first()


def end_prepayment(
    *,
    prepayment: Prepayment,
    day: date,
    reason: str,
    now: datetime,
    actor: User | None = None,
    switch_meter: bool = True,
) -> Prepayment:
    """End ``prepayment`` at the start of ``day``; with ``switch_meter`` a smart meter is switched to credit mode
    that day (``SWITCH_TO_CREDIT``). Without it (a new occupier keeps the meter in prepayment mode, 9.6) the meter is
    left as it is.

    :raises PrepaymentRefused: it has already ended, or ``day`` is not after the day it started.
    """
    with transaction.atomic():
        locked = Prepayment.objects.select_for_update().select_related("supply_point", "account").get(pk=prepayment.pk)
        if locked.ended_on is not None:
            raise PrepaymentRefused(f"Prepayment on {locked.supply_point} already ended on {locked.ended_on:%d %B %Y}.")
        if day <= locked.started_on:
            raise PrepaymentRefused(
                f"Prepayment on {locked.supply_point} started on {locked.started_on:%d %B %Y}: it can end from the "
                "day after."
            )
        locked.ended_on = day
        locked.save(update_fields=["ended_on"])
        smart = smart_meter(locked.supply_point)
        if switch_meter and smart is not None:
            smart_meters.request_command(
                meter=smart,
                kind=SmartMeterCommand.Kind.SWITCH_TO_CREDIT,
                reason=f"Credit mode from {day:%d %B %Y}: {reason}",
                not_before=day,
                actor=actor,
                now=now,
            )
        audit.record(
            actor=actor,
            action="prepayment.ended",
            subject=f"{locked.supply_point} on account {locked.account.number}",
            customer=locked.account.customer,
            before={"ended_on": None},
            after={"ended_on": day.isoformat(), "reason": reason[:300], "meter_switched": switch_meter},
            at=now,
        )
    return locked
