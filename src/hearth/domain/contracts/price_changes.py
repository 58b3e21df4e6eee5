"""Price changes announced to every customer they affect (T&C 4.3, 22.3, 14.5.4).

A variable tariff's prices may go up with at least 30 days' notice (4.3), counted from the day the notice is deemed
delivered (22.3): by e-mail the day it is sent, by post two working days after posting. Prices belong to the tariff,
so an increase is refused when any affected customer's notice could not be deemed delivered 30 days before it, with
the earliest day that works (ADR 0013). A price increase on a variable tariff is a change to the customer's
disadvantage: they may leave or move tariff without a termination fee (14.5.4), and the notice says so. A decrease is
announced too, without that flag.

The price and every notice are one transaction: a notice that cannot be issued leaves no price scheduled.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction
from django.db.models import Q

from hearth.common import calendar
from hearth.data.accounts.models import Supply
from hearth.data.contracts.models import Contract, ContractNotice
from hearth.data.identity.models import User
from hearth.data.tariffs.models import Agreement, Product, StandingCharge, Tariff, UnitRate
from hearth.domain.contracts import notifying
from hearth.domain.documents import letters
from hearth.domain.payments import estimates, tariff_quotes
from hearth.domain.tariffs import operations as tariff_ops

NOTICE_DAYS: Final = 30
"""T&C 4.3: days between a price increase's notice being deemed delivered and the new price."""
NOTICE_TYPE: Final = "PRICE_CHANGE_NOTICE"


class PriceChangeRefused(tariff_ops.TariffRefused):
    """A price change that cannot be announced in time or at all; the message starts with the field
    ("valid_from: ...") and says the earliest day that works."""


@dataclass(frozen=True, slots=True)
class Announced:
    """The new price scheduled and the notices issued for it."""

    price: StandingCharge | UnitRate
    notices: tuple[ContractNotice, ...]


def affected_contracts(*, tariff: Tariff, at: datetime) -> list[Contract]:
    """The live contracts whose account has a point on ``tariff`` at ``at``."""
    in_force = Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=at))
    points = Agreement.objects.filter(in_force, tariff=tariff).values("supply_point")
    day = calendar.local_date(at)
    accounts = Supply.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), supply_point__in=points).values(
        "account"
    )
    return list(
        Contract.objects.filter(state=Contract.State.LIVE, account__in=accounts)
        .select_related("account__customer", "product")
        .order_by("id")
    )


def _current_value(tariff: Tariff, band: str | None) -> Decimal:
    rows = (
        StandingCharge.objects.filter(tariff=tariff)
        if band is None
        else UnitRate.objects.filter(tariff=tariff, band=band)
    )
    current = rows.filter(valid_to__isnull=True).first()
    if current is None:
        what = "standing charge" if band is None else f"{band} unit rate"
        raise PriceChangeRefused(f"band: {tariff.code} has no current {what} to change.")
    return current.value_exc_vat


def earliest_day(*, contracts: list[Contract], now: datetime) -> date:
    """The first day a price can change with every notice issued at ``now`` deemed delivered 30 days before."""
    delivered = [
        notifying.deemed_delivered(contract=contract, type_code=NOTICE_TYPE, now=now) for contract in contracts
    ]
    return max(delivered, default=calendar.local_date(now)) + timedelta(days=NOTICE_DAYS)


def _annual_cost(contract: Contract, at: datetime) -> Decimal | None:
    try:
        return estimates.annual_estimate(account=contract.account, at=at).annual_cost
    except estimates.EstimateUnavailable:
        return None


def _letter(
    contract: Contract,
    *,
    tariff: Tariff,
    band: str | None,
    old: Decimal,
    new: Decimal,
    valid_from: date,
    costs: tuple[Decimal | None, Decimal | None],
    now: datetime,
) -> letters.Letter:
    account = contract.account
    vat_rate = tariff_quotes.quoted_vat_rate(account)
    unit = "a day" if band is None else "per kWh"
    increase = new > old
    before, after = costs
    cost_words = ""
    if before is not None and after is not None:
        difference = after - before
        cost_words = (
            "At your usual use, we estimate this changes what your energy costs over a year by "
            f"£{abs(difference):,.2f} "
            f"({'more' if difference >= 0 else 'less'}): £{after:,.2f} instead of £{before:,.2f}."
        )
    leave_words = (
        "If you do not agree to this change, you can switch to another supplier or move to another of our tariffs "
        "without paying a termination fee (T&C 14.5.4, 15.3): tell us, or start your switch, before the new price "
        "starts."
        if increase
        else ""
    )
    band_code = "SC" if band is None else band[:3]
    return letters.Letter(
        account=account,
        type_code=NOTICE_TYPE,
        reference=f"PCN-{account.number}-{tariff.pk}{band_code}-{valid_from:%y%m%d}",
        title=f"Your prices {'go up' if increase else 'come down'} on {valid_from:%-d %B %Y}",
        paragraphs=(
            f"From {valid_from:%-d %B %Y}, the {tariff_quotes.band_name(band).lower()} of your tariff, "
            f"{tariff.product.display_name}, changes. With VAT at {vat_rate * 100:.0f}%:",
        ),
        table=letters.Table(
            header=("Charge", "Now", f"From {valid_from:%-d %b %Y}"),
            rows=(
                (
                    tariff_quotes.band_name(band),
                    f"{tariff_quotes.pence_with_vat(old, vat_rate)} {unit}",
                    f"{tariff_quotes.pence_with_vat(new, vat_rate)} {unit}",
                ),
            ),
        ),
        after_table=(cost_words, leave_words),
        facts=(("New price from", f"{valid_from:%-d %B %Y}"),),
        clause="4.3",
    )


def _floor_checked_at(now: datetime, valid_from: date, starts_at: datetime) -> datetime:
    """The instant the tariff's own 30-day floor is checked from. The floor counts 30 times 24 hours from the
    instant; the T&C count days (22.3), so a notice e-mailed at 10:00 on 1 May allows a price from 31 May. Once the
    days are met, the floor is checked as of 30 days before the new price starts (a 23-hour day in March included)."""
    if valid_from >= calendar.local_date(now) + timedelta(days=NOTICE_DAYS):
        return min(now, starts_at - tariff_ops.NOTICE)
    return now


def announce_price_change(
    *,
    tariff: Tariff,
    band: str | None,
    value_exc_vat: Decimal,
    valid_from: date,
    now: datetime,
    actor: User | None = None,
) -> Announced:
    """Schedule a new price for one band of ``tariff`` (None: the standing charge), in pence excluding VAT, from the
    start of ``valid_from``, and send a price change notice to every live contract on the tariff then.

    :raises PriceChangeRefused: an increase on a variable tariff that some customer's notice could not reach 30 days
        before ``valid_from`` (the message gives the earliest day that works), or no current price to change.
    :raises tariff_ops.TariffRefused: the change itself is refused (see ``schedule_price_change``).
    :raises letters.LetterRefused: a notice cannot be issued (nothing is scheduled then).
    """
    starts_at = calendar.day_starts_at(valid_from)
    old = _current_value(tariff, band)
    affected = affected_contracts(tariff=tariff, at=starts_at)
    increase = value_exc_vat > old
    if increase and tariff.product.kind == Product.Kind.VARIABLE:
        earliest = earliest_day(contracts=affected, now=now)
        if valid_from < earliest:
            raise PriceChangeRefused(
                "valid_from: a variable tariff's prices go up only with at least 30 days' notice from the day each "
                f"customer's notice is deemed delivered (T&C 4.3, 22.3); the earliest day now is {earliest:%-d %B %Y}."
            )
    key = f"{tariff.code}:{band or 'SC'}:{valid_from:%Y%m%d}"
    with transaction.atomic():
        before = {contract.pk: _annual_cost(contract, starts_at) for contract in affected}
        price = tariff_ops.schedule_price_change(
            tariff=tariff,
            band=band,
            value_exc_vat=value_exc_vat,
            valid_from=starts_at,
            now=_floor_checked_at(now, valid_from, starts_at),
            actor=actor,
        )
        notices = []
        for contract in affected:
            letter = _letter(
                contract,
                tariff=tariff,
                band=band,
                old=old,
                new=value_exc_vat,
                valid_from=valid_from,
                costs=(before[contract.pk], _annual_cost(contract, starts_at)),
                now=now,
            )
            notice, _ = notifying.issue_notice(
                contract=contract,
                kind=ContractNotice.Kind.PRICE_CHANGE,
                key=key,
                letter=letter,
                effective_date=valid_from,
                now=now,
                event_kind="price_change_notice",
                summary=f"Price change notice: {tariff_quotes.band_name(band).lower()} of {tariff.code} "
                f"{'up' if increase else 'down'} from {valid_from:%-d %b %Y}",
                disadvantageous=increase and tariff.product.kind == Product.Kind.VARIABLE,
                actor=actor,
            )
            notices.append(notice)
    return Announced(price=price, notices=tuple(notices))
