"""What the portal's and the console's prepayment pages show: the credit, emergency credit in use, the debt still
owed and the rate it is recovered at, the supply's state now, and the recent top-ups with their references."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.metering.models import SmartMeterCommand
from hearth.data.prepayment.models import CreditEntry, MeterDebt, Prepayment, Vend
from hearth.domain.prepayment import friendly_hours, top_ups
from hearth.domain.prepayment import operations as prepayment_ops

RECENT: Final = 10


@dataclass(frozen=True)
class VendRow:
    """A top-up with its reference as the customer reads it (groups of four digits)."""

    vend: Vend
    reference: str


@dataclass(frozen=True)
class PrepaymentSummary:
    prepayment: Prepayment
    credit: Decimal
    emergency_owed: Decimal
    emergency_available: bool
    debt_owed: Decimal
    recovered_this_week: Decimal
    supply: friendly_hours.SupplyState
    supply_words: str
    started: bool
    vends: list[VendRow]


def summary(prepayment: Prepayment, *, now: datetime) -> PrepaymentSummary:
    """The prepayment as it stands at ``now``."""
    credit = prepayment_ops.credit_balance(prepayment)
    emergency_owed = top_ups.emergency_credit_owed(prepayment)
    state = friendly_hours.supply_state(balance=credit, at=now)
    return PrepaymentSummary(
        prepayment=prepayment,
        credit=credit,
        emergency_owed=emergency_owed,
        emergency_available=(
            credit < top_ups.EMERGENCY_OFFERED_BELOW and emergency_owed < top_ups.emergency_credit_limit()
        ),
        debt_owed=prepayment_ops.debt_outstanding(prepayment),
        recovered_this_week=top_ups.recovered_in_week(prepayment, now),
        supply=state,
        supply_words=friendly_hours.SUPPLY_WORDS[state],
        started=prepayment.started_on <= calendar.local_date(now),
        vends=[
            VendRow(vend, top_ups.printed_reference(vend.reference))
            for vend in prepayment.vends.order_by("-vended_at", "-id")[:RECENT]
        ],
    )


def current(account: Account) -> Prepayment | None:
    """The account's prepayment still running or waiting to start (None: it pays on credit)."""
    return prepayment_ops.open_prepayment(account)


def ledger(prepayment: Prepayment) -> list[CreditEntry]:
    """Every movement of the meter's credit, newest first."""
    return list(prepayment.credit_entries.order_by("-posted_at", "-id"))


def debts(prepayment: Prepayment) -> list[MeterDebt]:
    """The debts recovered through the meter, newest first."""
    return list(prepayment.debts.order_by("-raised_at", "-id"))


def history(account: Account) -> list[Prepayment]:
    """Every prepayment of the account, newest first."""
    return list(Prepayment.objects.filter(account=account).order_by("-started_on", "-id"))


def commands(account: Account) -> list[SmartMeterCommand]:
    """The latest commands to the account's smart meters, newest first (what was asked, when, and what became of it)."""
    return list(
        SmartMeterCommand.objects.filter(meter__supply_point__supplies__account=account)
        .select_related("meter")
        .distinct()
        .order_by("-requested_at", "-id")[:RECENT]
    )
