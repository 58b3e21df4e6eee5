"""Moves to another tariff by us: after a smart meter is refused (T&C 15.5, 15.6), and large supplies (3.2).

A product that requires a smart meter is priced on one being fitted (15.5). A customer who refuses it may be moved to
another tariff: the Standard Variable Tariff for the meter they have, with 42 days' notice counted from the day the
notice is deemed delivered (15.6, 22.3). The move is a PENDING contract (origin TARIFF_MOVE) that the daily
``contracts.contract_starts`` job starts on the notice's effective day.

A domestic supply above 74,000 kWh a year may be moved to a suitable tariff (3.2); which one is a person's decision,
so the daily job only flags it for care staff, once per contract.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer
from hearth.data.contracts.models import Contract, ContractEvent, ContractNotice
from hearth.data.identity.models import User
from hearth.data.tariffs.models import MeterKind
from hearth.domain.accounts import queries as account_queries
from hearth.domain.contracts import notifying, renewals
from hearth.domain.documents import letters
from hearth.domain.payments import tariff_quotes
from hearth.domain.tariffs import contracts

NOTICE_DAYS: Final = 42
"""T&C 15.6: notice of a move after a smart meter is refused, counted from deemed delivery."""
NOTICE_TYPE: Final = "NOTICE"
SMART_REFUSAL_KEY: Final = "smart-refusal"

LARGE_SUPPLY_KWH: Final = Decimal(74000)
"""T&C 3.2: a domestic supply point above this many kWh a year is a large supply."""
LARGE_SUPPLY_EVENT: Final = "large_supply_flag"


class MoveRefused(Exception):
    """A move by us that the T&C do not allow here; the message says why."""


def _refusal_letter(
    contract: Contract, placements: renewals.Placements, effective: date, now: datetime
) -> letters.Letter:
    account = contract.account
    name = placements[0][1].product.display_name
    return letters.Letter(
        account=account,
        type_code=NOTICE_TYPE,
        reference=f"SMR-{account.number}-{calendar.local_date(now):%y%m%d}",
        title="We are moving you to another tariff",
        paragraphs=(
            f"Your tariff, {contract.product.display_name}, is priced on a smart meter being fitted at your home "
            "(T&C 15.5). As you have told us you do not want one fitted, we will move your supply to our "
            f"{name}, the tariff for the meter you have (T&C 15.6), from {effective:%-d %B %Y}. It may cost more. "
            f"Today its prices are, with VAT at {tariff_quotes.quoted_vat_rate(account) * 100:.0f}%:",
        ),
        table=letters.Table(
            header=("Charge", "Price with VAT"),
            rows=tuple(
                row
                for _, tariff in placements
                for row in tariff_quotes.price_rows(tariff, vat_rate=tariff_quotes.quoted_vat_rate(account), at=now)
            ),
        ),
        after_table=(
            "If you change your mind and let us fit a smart meter before then, call us and you stay on your tariff.",
        ),
        facts=(("New tariff", name), ("From", f"{effective:%-d %B %Y}")),
        clause="15.6",
    )


@transaction.atomic
def record_smart_meter_refusal(*, account: Account, now: datetime, actor: User | None) -> Contract:
    """The customer refused a smart meter: give 42 days' notice of the move to the Standard Variable Tariff for
    their meter (T&C 15.6) and enter the PENDING contract that starts on that day.

    :raises MoveRefused: no live contract, its product does not require a smart meter, a smart meter is already
        fitted, a contract is already waiting to start, or no variable tariff fits.
    """
    live = contracts.live_contract(account)
    if live is None:
        raise MoveRefused(f"account: {account.number} has no live contract.")
    if MeterKind.SMART not in (live.product.meter_kinds or []):
        raise MoveRefused(f"contract: {live.product.display_name} does not require a smart meter (T&C 15.5).")
    meters = {meter.kind for meter in account_queries.current_meters(account=account)}
    if MeterKind.SMART in meters:
        raise MoveRefused(f"account: {account.number} already has a smart meter.")
    if contracts.pending_contract(account) is not None:
        raise MoveRefused(f"account: {account.number} already has a new contract waiting to start.")
    try:
        placements = renewals.rollover_placements(contract=live, at=now)
    except tariff_quotes.TariffQuoteProblem as exc:
        raise MoveRefused(str(exc)) from exc
    today = calendar.local_date(now)
    effective = notifying.deemed_delivered(contract=live, type_code=NOTICE_TYPE, now=now) + timedelta(days=NOTICE_DAYS)
    move = contracts.enter_contract(
        account=account,
        product=placements[0][1].product,
        payment_method=renewals.paying_by(account, live),
        origin=Contract.Origin.TARIFF_MOVE,
        commencement_date=today,
        cooling_off_end_date=today,
        now=now,
        channel=Contract.Channel.CARE,
        actor=actor,
        previous=live,
        summary=f"Smart meter refused: to move to {placements[0][1].product.display_name} (T&C 15.6)",
    )
    notifying.issue_notice(
        contract=move,
        kind=ContractNotice.Kind.TARIFF_MOVE,
        key=SMART_REFUSAL_KEY,
        letter=_refusal_letter(live, placements, effective, now),
        effective_date=effective,
        now=now,
        event_kind="tariff_move_notice",
        summary=f"Notice of the move from {effective:%-d %b %Y} sent (42 days, T&C 15.6)",
        actor=actor,
    )
    return move


@dataclass(frozen=True, slots=True)
class LargeSupply:
    account: Account
    message: str


def flag_large_supplies(*, now: datetime) -> list[LargeSupply]:
    """Flag each live domestic contract whose supply point uses more than 74,000 kWh a year and is not flagged yet:
    an event on its timeline, and what care staff should do."""
    flagged = ContractEvent.objects.filter(kind=LARGE_SUPPLY_EVENT).values("contract")
    large = (
        Contract.objects.filter(
            state=Contract.State.LIVE,
            account__customer__kind=Customer.Kind.PERSON,
            account__supplies__valid_to__isnull=True,
            account__supplies__supply_point__annual_consumption_kwh__gt=LARGE_SUPPLY_KWH,
        )
        .exclude(pk__in=flagged)
        .select_related("account")
        .distinct()
        .order_by("id")
    )
    found = []
    for contract in large:
        points = account_queries.current_supply_points(account=contract.account).filter(
            annual_consumption_kwh__gt=LARGE_SUPPLY_KWH
        )
        usage = ", ".join(f"{point.identifier}: {point.annual_consumption_kwh:,.0f} kWh" for point in points)
        message = (
            f"For care: domestic supply above {LARGE_SUPPLY_KWH:,.0f} kWh a year ({usage}). Check the use is "
            "domestic and decide whether to move it to a suitable tariff (T&C 3.2); nothing is moved automatically."
        )
        contracts.record_event(contract=contract, kind=LARGE_SUPPLY_EVENT, summary=message, at=now, actor=None)
        found.append(LargeSupply(account=contract.account, message=message))
    return found
