"""Moving house (T&C 13): the day a mover's contract ends, the move recorded, supply following them to a new home
(13.5, 14.5.1), and the deemed contract of a new occupier moving into a property we supply (4.7, 9.3, 9.6).

**When the contract ends** (``end_date`` is the first day no longer supplied, ADR 0013):

- 13.1, told in time: at least two working days before the move-out day, counted back from the move-out day (the
  move-out day itself is not counted; the day we are told is). The contract ends **on the move-out day**: the mover
  pays up to the day before, the final reading is taken at the start of the move-out day, and the new occupier's
  supply starts that day, so supply periods meet without overlapping. Moving out on Wednesday 9 December 2026, the
  second working day before is Monday 7 December: told on Monday, in time; told on Tuesday, late.
- 13.2, told late (fewer than two working days before, or after moving): two working days after the day we are told,
  never before the move-out day.
- 13.2, the new occupier told us: the new occupier's move-in day.

Moving out costs no exit fee: clause 13 charges none, and 14.4's fee is for leaving us for another supplier. Where
the customer takes supply with them to the new home, the waiver of 14.5.1 is written on the old contract.

A move is recorded here, when we hear of it; the daily job (:mod:`hearth.domain.contracts.jobs_moves`) ends supply on
the end day through the contract state machine, and the bill run sends the final bill to the forwarding address
(13.4), which becomes the account's billing address as soon as the move is recorded.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction

from hearth.common import calendar, identifiers
from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Property, Supply, SupplyPoint
from hearth.data.contracts.models import Contract, ContractNotice, HomeMove, Registration
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.payments.models import PaymentArrangement
from hearth.data.prepayment.models import Prepayment
from hearth.data.tariffs.models import Agreement, Product
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.audit import operations as audit
from hearth.domain.contracts import quotes, registrations
from hearth.domain.documents import letters
from hearth.domain.metering import readings as metering_readings
from hearth.domain.payments import arrangements as payment_arrangements
from hearth.domain.payments import collections as payment_collections
from hearth.domain.payments import methods as payment_methods
from hearth.domain.payments import schedule as payment_schedule
from hearth.domain.payments import tariff_quotes
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.tariffs import contracts as contract_states
from hearth.domain.tariffs import queries as tariff_queries

NOTICE_WORKING_DAYS: Final = 2
"""13.1: tell us at least two working days before you move; 13.2: otherwise two working days after we are told."""

EARLIEST_DAYS_BEFORE: Final = 90
"""A move-out (or move-in) day at most this many days before the day we are told: older moves are a billing
correction for care staff, not a move to record (the contract ends two working days after being told anyway)."""

LATEST_DAYS_AFTER: Final = 90
"""A move-out day at most this many days ahead: a date further off is more likely a typing mistake than a plan."""

TOOK_AGREEMENT_WAIVER: Final = "Moved home and took the agreement with us (T&C 14.5.1)"
MOVED_OUT_WAIVER: Final = "Moved out: clause 13 charges no fee for moving home"

MOVE_NOTICE_TYPE: Final = "NOTICE"
"""The move confirmation names the day the contract ends, so it is a must-be-delivered notice."""

Method = PaymentArrangement.Method
ToldBy = HomeMove.ToldBy


class MoveRefused(Exception):
    """A move that cannot be recorded as given: ``field`` names the form field at fault (empty: the whole form) and
    the message says why, in words a customer understands."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Address:
    """A postal address as a person types it; ``nation`` decides nothing here but is kept with every property."""

    line_1: str
    town: str
    postcode: str
    nation: str = Nation.ENGLAND
    line_2: str = ""


@dataclass(frozen=True)
class NewHomePoint:
    """A supply point of the new home as the customer or care gives it: fuel and MPAN core or MPRN."""

    fuel: str
    identifier: str


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def second_working_day_before(day: date) -> date:
    """The last day to tell us of a move out on ``day`` and have the contract end that day (13.1): the second
    working day before it, ``day`` itself not counted (Wednesday 9 December 2026 → Monday 7 December)."""
    return calendar.working_day_before(day, NOTICE_WORKING_DAYS)


def told_in_time(*, told_on: date, move_out_date: date) -> bool:
    """13.1: told on or before the second working day before the move-out day."""
    return told_on <= second_working_day_before(move_out_date)


def contract_end_date(
    *, told_by: str, told_on: date, move_out_date: date, new_occupier_move_in_date: date | None = None
) -> date:
    """The first day the mover is no longer supplied (13.1, 13.2; the rules are in the module docstring)."""
    if told_by == ToldBy.NEW_OCCUPIER and new_occupier_move_in_date is not None:
        return new_occupier_move_in_date
    if told_by == ToldBy.CUSTOMER and told_in_time(told_on=told_on, move_out_date=move_out_date):
        return move_out_date
    return max(calendar.add_working_days(told_on, NOTICE_WORKING_DAYS), move_out_date)


def _check_day(field: str, day: date, told_on: date, what: str) -> None:
    if day < told_on - timedelta(days=EARLIEST_DAYS_BEFORE):
        raise MoveRefused(
            field,
            f"{what} is more than {EARLIEST_DAYS_BEFORE} days ago: please contact Customer Care, who will sort out "
            "your bills.",
        )
    if day > told_on + timedelta(days=LATEST_DAYS_AFTER):
        raise MoveRefused(
            field, f"{what} is more than {LATEST_DAYS_AFTER} days away: tell us nearer the time, or check the date."
        )


def _property(address: Address, field: str) -> Property:
    """A new property for ``address``; a bad postcode or a missing line is refused naming ``field``'s part."""
    if not address.line_1.strip():
        raise MoveRefused(f"{field}_line_1", "Enter the first line of the address.")
    if not address.town.strip():
        raise MoveRefused(f"{field}_town", "Enter the town or city.")
    if address.nation not in Nation.values:
        raise MoveRefused(f"{field}_nation", "Choose England, Scotland, Wales or Northern Ireland.")
    try:
        return accounts_ops.create_property(
            address_line_1=address.line_1.strip(),
            address_line_2=address.line_2.strip(),
            town=address.town.strip(),
            postcode=address.postcode,
            nation=Nation(address.nation),
        )
    except identifiers.InvalidIdentifier as exc:
        raise MoveRefused(f"{field}_postcode", f"Enter a UK postcode, like RG1 7AB ({exc}).") from exc


def self_read_registers(account: Account) -> list[Register]:
    """The registers of the account's current meters that someone has to read: credit and prepayment meters (13.3;
    smart and AMR meters send their own readings)."""
    return list(
        Register.objects.filter(
            meter__supply_point__supplies__account=account,
            meter__supply_point__supplies__valid_to__isnull=True,
            meter__removed_at__isnull=True,
            meter__kind__in=(Meter.Kind.CREDIT, Meter.Kind.PREPAYMENT),
        )
        .select_related("meter__supply_point")
        .order_by("meter__id", "identifier", "id")
    )


def _final_readings(
    *,
    account: Account,
    readings: Mapping[Register, Decimal],
    move_out_date: date,
    source: str,
    now: datetime,
    actor: User | None,
) -> list[RegisterReading]:
    """Store the final readings at the start of the move-out day, through the same checks as every reading."""
    if not readings:
        return []
    if move_out_date > calendar.local_date(now):
        raise MoveRefused(
            "readings", "Final readings can be given on the day you move out or later: leave them empty for now."
        )
    allowed = {register.pk for register in self_read_registers(account)}
    stored = []
    for register, value in readings.items():
        if register.pk not in allowed:
            raise MoveRefused(f"reading_{register.pk}", f"Register {register.identifier} is not on this account.")
        try:
            stored.append(
                metering_readings.record_register_reading(
                    register=register,
                    read_at=calendar.day_starts_at(move_out_date),
                    value=value,
                    source=ReadingSource(source),
                    kind=RegisterReading.Kind.FINAL,
                    received_at=now,
                    actor=actor,
                )
            )
        except metering_readings.ReadingRejected as exc:
            raise MoveRefused(f"reading_{register.pk}", str(exc)) from exc
    return stored


def _confirmation(move: HomeMove, contract: Contract, *, smart: bool, now: datetime) -> None:
    """The MOVE_OUT notice: the end day, what to do about final readings (13.3) and where the final bill goes."""
    account = move.account
    last_day = move.end_date - timedelta(days=1)
    if move.told_by == ToldBy.NEW_OCCUPIER:
        why = "The new occupier of the property told us you have moved out (T&C 13.2)."
    elif told_in_time(told_on=calendar.local_date(move.told_at), move_out_date=move.move_out_date):
        why = "You told us at least two working days before you move, so your contract ends on the day you move out."
    else:
        why = (
            "You told us fewer than two working days before you moved, so your contract ends two working days after "
            "you told us (T&C 13.2)."
        )
    if smart:
        reading = (
            "Your smart meter sends us its readings, so there is nothing to read: we use its reading for the day "
            "your contract ends."
        )
    else:
        reading = (
            "Please give us final meter readings on the day you move out, in your online account or by calling "
            "us (T&C 13.3). If you do not, we will use the new occupant's reading or our reasonable estimate."
        )
    paragraphs = [
        f"Thank you for telling us you are moving. Your contract for {contract.product.display_name} ends on "
        f"{_day(move.end_date)}: you pay for energy up to and including {_day(last_day)}. {why}",
        reading,
        "We will send your final bill, and any refund, to the address on this letter (T&C 13.4).",
    ]
    if move.new_home_id is not None:
        paragraphs.append(
            "You asked us to supply your new home too: we will write to you about your new contract there "
            "(T&C 13.5). There is no exit fee for taking your agreement with you (T&C 14.5.1)."
        )
    document = letters.issue_letter(
        letter=letters.Letter(
            account=account,
            type_code=MOVE_NOTICE_TYPE,
            reference=f"MOVE-{account.number}-{move.pk}",
            title="Your home move",
            paragraphs=tuple(paragraphs),
            facts=(("Moving out", _day(move.move_out_date)), ("Contract ends", _day(move.end_date))),
            clause="13",
        ),
        now=now,
    )
    ContractNotice.objects.create(
        contract=contract,
        kind=ContractNotice.Kind.MOVE_OUT,
        key=f"move-{move.pk}",
        document=document,
        issued_at=now,
        deemed_delivered_date=payment_collections.notice_deemed_delivered(
            account=account, type_code=MOVE_NOTICE_TYPE, now=now
        ),
        effective_date=move.end_date,
    )
    contract_states.record_event(
        contract=contract,
        kind="move_out_confirmed",
        summary=f"Home move confirmed to the customer: contract ends {move.end_date:%-d %b %Y}",
        at=now,
        document=document,
        actor=None,
    )


def _has_smart_meter(account: Account) -> bool:
    return Meter.objects.filter(
        supply_point__supplies__account=account,
        supply_point__supplies__valid_to__isnull=True,
        removed_at__isnull=True,
        kind__in=(Meter.Kind.SMART, Meter.Kind.AMR),
    ).exists()


@transaction.atomic
def record_move_out(
    *,
    account: Account,
    told_by: str,
    told_at: datetime,
    move_out_date: date,
    forwarding_address: Address | None,
    final_readings: Mapping[Register, Decimal] | None = None,
    new_home: Address | None = None,
    new_home_points: Sequence[NewHomePoint] = (),
    new_occupier_move_in_date: date | None = None,
    actor: User | None = None,
    channel: str = Contract.Channel.WEB,
) -> HomeMove:
    """Record that ``account``'s customer moves out on ``move_out_date``, told by ``told_by`` at ``told_at``.

    The end day follows 13.1/13.2 (:func:`contract_end_date`). The forwarding address becomes the account's billing
    address at once, so the confirmation, the final bill and any refund go there (13.4); it may be left out only when
    the new occupier told us. Final readings, given on or after the move-out day, are stored as FINAL readings at its
    start. With ``new_home``, supply follows the customer there (13.5, :func:`supply_new_home`).

    :raises MoveRefused: no live contract, a move already recorded, a day out of range or before supply started, a
        missing or bad address, or a reading refused.
    """
    if told_by not in ToldBy.values:
        raise MoveRefused("told_by", "Say who told us of the move.")
    told_on = calendar.local_date(told_at)
    _check_day("move_out_date", move_out_date, told_on, "The move-out day")
    if new_occupier_move_in_date is not None:
        if told_by != ToldBy.NEW_OCCUPIER:
            raise MoveRefused("new_occupier_move_in_date", "Only the new occupier's call has a move-in day.")
        _check_day("new_occupier_move_in_date", new_occupier_move_in_date, told_on, "The move-in day")
        if new_occupier_move_in_date < move_out_date:
            raise MoveRefused(
                "new_occupier_move_in_date", "The new occupier cannot move in before the customer moves out."
            )
    Account.objects.select_for_update().filter(pk=account.pk).first()  # one move of an account at a time
    contract = contract_states.live_contract(account)
    if contract is None:
        raise MoveRefused("", f"Account {account.number} has no contract supplying it now.")
    if HomeMove.objects.filter(account=account, state=HomeMove.State.RECORDED).exists():
        raise MoveRefused("", "A move out is already recorded for this account: cancel it first to change it.")
    end_date = contract_end_date(
        told_by=told_by,
        told_on=told_on,
        move_out_date=move_out_date,
        new_occupier_move_in_date=new_occupier_move_in_date,
    )
    assert contract.supply_start_date is not None  # a live contract has started
    if end_date <= contract.supply_start_date or move_out_date < contract.supply_start_date:
        raise MoveRefused(
            "move_out_date",
            f"Supply to this account started on {_day(contract.supply_start_date)}: the move must be after that.",
        )
    if forwarding_address is None and told_by == ToldBy.CUSTOMER:
        raise MoveRefused("forwarding_line_1", "Give us your new address, for your final bill (T&C 13.4).")
    forwarding = _property(forwarding_address, "forwarding") if forwarding_address is not None else None
    source = ReadingSource.CARE if channel == Contract.Channel.CARE else ReadingSource.CUSTOMER
    _final_readings(
        account=account,
        readings=final_readings or {},
        move_out_date=move_out_date,
        source=source,
        now=told_at,
        actor=actor,
    )
    move = HomeMove.objects.create(
        account=account,
        contract=contract,
        told_by=told_by,
        told_at=told_at,
        move_out_date=move_out_date,
        new_occupier_move_in_date=new_occupier_move_in_date,
        end_date=end_date,
        forwarding_address=forwarding,
        recorded_by=actor,
    )
    before = {"billing_property": account.billing_property_id}
    if forwarding is not None:
        account.billing_property = forwarding
        account.save(update_fields=["billing_property"])
    contract_states.record_event(
        contract=contract,
        kind="move_out_recorded",
        summary=f"{ToldBy(told_by).label} told us of a move out on {move_out_date:%-d %b %Y}: contract ends "
        f"{end_date:%-d %b %Y}" + (f", final bill to {forwarding}" if forwarding else ""),
        at=told_at,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="contracts.move_out_recorded",
        subject=f"account {account.number}",
        customer=account.customer,
        at=told_at,
        before=before,
        after={
            "move": move.pk,
            "told_by": told_by,
            "move_out_date": move_out_date.isoformat(),
            "end_date": end_date.isoformat(),
            "billing_property": account.billing_property_id,
        },
    )
    if new_home is not None:
        supply_new_home(move=move, new_home=new_home, points=new_home_points, now=told_at, actor=actor)
    if told_by == ToldBy.CUSTOMER or forwarding is not None:
        _confirmation(move, contract, smart=_has_smart_meter(account), now=told_at)
    return move


def _supply_property(account: Account) -> Property | None:
    point = SupplyPoint.objects.filter(supplies__account=account).order_by("-supplies__valid_from", "id").first()
    return point.supply_property if point is not None else None


@transaction.atomic
def cancel_move(*, move: HomeMove, now: datetime, actor: User | None) -> HomeMove:
    """Care calls off a move recorded by mistake, before its end day: the billing address goes back to the home
    supplied, and a contract for the new home that has not started is withdrawn.

    :raises MoveRefused: the move is not waiting for its day, or the day has come.
    """
    locked = HomeMove.objects.select_for_update().select_related("account").get(pk=move.pk)
    if locked.state != HomeMove.State.RECORDED:
        raise MoveRefused("", "This move is not waiting for its day any more.")
    if calendar.local_date(now) >= locked.end_date:
        raise MoveRefused("", f"The contract has ended on {_day(locked.end_date)}: the move cannot be cancelled.")
    locked.state = HomeMove.State.CANCELLED
    locked.save(update_fields=["state"])
    account = locked.account
    home = _supply_property(account)
    if home is not None and locked.forwarding_address_id is not None:
        account.billing_property = home
        account.save(update_fields=["billing_property"])
    following = Contract.objects.filter(previous=locked.contract, state=Contract.State.PENDING).first()
    if following is not None:
        contract_states.cancel_contract(
            contract=following,
            reason=Contract.EndReason.WITHDRAWN,
            now=now,
            actor=actor,
            summary="The home move was cancelled",
        )
    contract_states.record_event(
        contract=locked.contract,
        kind="move_out_cancelled",
        summary=f"Move out on {locked.move_out_date:%-d %b %Y} cancelled; the contract carries on",
        at=now,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="contracts.move_out_cancelled",
        subject=f"account {account.number}",
        customer=account.customer,
        at=now,
        after={"move": locked.pk},
    )
    return locked


# Supply following the customer to a new home (13.5) ------------------------------------------------------------


def _new_home_product(old: Product, at: datetime) -> Product | None:
    """The old contract's product if it is still sold at ``at``, else the domestic Standard Variable Tariff."""
    on_sale = tariff_queries.available_products(at=at)
    if on_sale.filter(pk=old.pk).exists():
        return old
    return on_sale.filter(is_standard_variable=True, is_business=False).order_by("id").first()


def _move_followed(contract: Contract) -> HomeMove | None:
    """The move a HOME_MOVE contract follows: the one of the contract it follows, with a new home."""
    return HomeMove.objects.filter(contract=contract.previous).exclude(new_home=None).order_by("-id").first()


def home_move_points(contract: Contract) -> list[SupplyPoint]:
    """The new home's supply points of the contract's fuel: those at the new home of the move it follows."""
    move = _move_followed(contract)
    if move is None:
        return []
    return list(SupplyPoint.objects.filter(supply_property=move.new_home, fuel=contract.account.fuel).order_by("id"))


def supplied_by_us(point: SupplyPoint) -> Supply | None:
    """The supply open on ``point`` now, whoever's account it is."""
    return Supply.objects.filter(supply_point=point, valid_to__isnull=True).select_related("account").first()


@transaction.atomic
def supply_new_home(
    *, move: HomeMove, new_home: Address, points: Sequence[NewHomePoint], now: datetime, actor: User | None
) -> Contract:
    """13.5: a new account of the same customer at ``new_home`` with a PENDING contract (origin HOME_MOVE) on the
    same product if it is still sold, else the Standard Variable Tariff, following the old contract. The new home's
    points are added by :func:`add_new_home_points` (now if given, or later by care)."""
    account, old = move.account, move.contract
    product = _new_home_product(old.product, now)
    if product is None:
        raise MoveRefused("new_home_line_1", "We have no tariff to offer for a new home now: call Customer Care.")
    method = (
        old.payment_method if payment_methods.product_allows(product, old.payment_method) else Method.STANDARD_CREDIT
    )
    home = _property(new_home, "new_home")
    move.new_home = home
    move.save(update_fields=["new_home"])
    new_account = accounts_ops.open_account(
        customer=account.customer, fuel=Fuel(account.fuel), billing_property=home, now=now
    )
    told_on = calendar.local_date(now)
    contract = contract_states.enter_contract(
        account=new_account,
        product=product,
        payment_method=method,
        origin=Contract.Origin.HOME_MOVE,
        commencement_date=told_on,
        cooling_off_end_date=payment_schedule.cooling_off_ends(told_on),
        now=now,
        channel=Contract.Channel.CARE if actor is not None and actor.kind == User.Kind.STAFF else Contract.Channel.WEB,
        actor=actor,
        previous=old,
        summary=f"Moving home with us (T&C 13.5): {product.display_name} at {home}",
    )
    if points:
        add_new_home_points(contract=contract, points=points, now=now, actor=actor)
    else:
        contract_states.record_event(
            contract=contract,
            kind="new_home_points_needed",
            summary="New home's meter points needed: add the MPAN or MPRN to start supply",
            at=now,
            actor=actor,
        )
    return contract


@transaction.atomic
def add_new_home_points(
    *, contract: Contract, points: Sequence[NewHomePoint], now: datetime, actor: User | None
) -> list[SupplyPoint]:
    """Give a HOME_MOVE contract its new home's supply points. A point supplied by us to the previous occupant is
    theirs until the customer moves in: that occupant's contract ends on the move-in day (13.2, as the new occupier
    told us) and the daily job starts this one the same day. A point we do not supply is switched to us
    (``registrations.open_gain``) from the move-in day, or the earliest day a switch allows.

    :raises MoveRefused: a bad identifier, a point of another fuel, or a point of another property we supply.
    """
    move = _move_followed(contract)
    if move is None or move.new_home is None or contract.state != Contract.State.PENDING:
        raise MoveRefused("", "This contract is not a home move waiting to start.")
    move_in = move.move_out_date
    added = []
    for given in points:
        field = f"new_home_{given.fuel.lower()}"
        if given.fuel != contract.account.fuel:
            continue
        try:
            point = accounts_ops.register_supply_point(
                fuel=Fuel(given.fuel), identifier=given.identifier, supply_property=move.new_home
            )
        except accounts_ops.InvalidSupplyPoint as exc:
            raise MoveRefused(field, str(exc)) from exc
        if point.supply_property_id != move.new_home.pk:
            # A point we have met before: the new home is the property it is at.
            move.new_home = point.supply_property
            move.save(update_fields=["new_home"])
        current = supplied_by_us(point)
        if current is not None and current.account.customer_id == contract.account.customer_id:
            raise MoveRefused(field, f"{point} already supplies this customer.")
        if current is not None or Supply.objects.filter(supply_point=point).exists():
            previous_live = contract_states.live_contract(current.account) if current is not None else None
            if current is not None and previous_live is not None:
                _ended_by_new_occupier(
                    account=current.account, contract=previous_live, move_in_date=move_in, told_at=now, actor=actor
                )
            contract_states.record_event(
                contract=contract,
                kind="waiting_for_move_in",
                summary=f"{point} is ours: supply starts on the move-in day, {move_in:%-d %b %Y}, once any "
                "previous occupant's supply has ended",
                at=now,
                actor=actor,
            )
        else:
            start = max(
                move_in,
                registrations.switch_start_date(
                    commencement_date=contract.commencement_date,
                    cooling_off_end_date=contract.cooling_off_end_date,
                    early=True,
                ),
            )
            try:
                registrations.open_gain(contract=contract, supply_point=point, requested_start_date=start, now=now)
            except registrations.RegistrationRefused as exc:
                raise MoveRefused(field, str(exc)) from exc
        added.append(point)
    if added:
        audit.record(
            actor=actor,
            action="contracts.new_home_points_added",
            subject=f"account {contract.account.number}",
            customer=contract.account.customer,
            at=now,
            after={"contract": contract.pk, "supply_points": [point.identifier for point in added]},
        )
    return added


def _ended_by_new_occupier(
    *, account: Account, contract: Contract, move_in_date: date, told_at: datetime, actor: User | None
) -> HomeMove:
    """The previous occupant's move as the new occupier tells it (13.2): their contract ends on the move-in day. A
    move they recorded themselves ending later is brought forward to the move-in day, even before the move-out day
    they gave, so the two supplies never overlap; one ending earlier stands."""
    existing = HomeMove.objects.select_for_update().filter(account=account, state=HomeMove.State.RECORDED).first()
    if existing is None:
        return record_move_out(
            account=account,
            told_by=ToldBy.NEW_OCCUPIER,
            told_at=told_at,
            move_out_date=move_in_date,
            forwarding_address=None,
            new_occupier_move_in_date=move_in_date,
            actor=actor,
            channel=Contract.Channel.CARE,
        )
    if existing.end_date > move_in_date:
        existing.end_date = move_in_date
        existing.new_occupier_move_in_date = move_in_date
        existing.save(update_fields=["end_date", "new_occupier_move_in_date"])
        contract_states.record_event(
            contract=contract,
            kind="move_out_brought_forward",
            summary=f"The new occupier moves in on {move_in_date:%-d %b %Y}: contract now ends then (T&C 13.2)",
            at=told_at,
            actor=actor,
        )
        audit.record(
            actor=actor,
            action="contracts.move_out_brought_forward",
            subject=f"account {account.number}",
            customer=account.customer,
            at=told_at,
            after={"move": existing.pk, "end_date": existing.end_date.isoformat()},
        )
    return existing


# A new occupier moving into a property we supply (4.7, 9.3, 9.6) ------------------------------------------------


@dataclass(frozen=True)
class NewOccupier:
    name: str
    email: str = ""
    phone: str = ""


def find_supplied_points(*, postcode: str, identifier: str) -> list[SupplyPoint]:
    """Care's search for a property we supply: its points at ``postcode`` whose MPAN core or MPRN is
    ``identifier``, with the other fuel's point at the same property."""
    try:
        normalised = identifiers.normalise_postcode(postcode)
    except identifiers.InvalidIdentifier:
        return []
    point = SupplyPoint.objects.filter(
        identifier=identifier.replace(" ", ""), supply_property__postcode=normalised
    ).first()
    if point is None:
        return []
    return list(SupplyPoint.objects.filter(supply_property=point.supply_property).order_by("fuel", "id"))


def _last_agreement(point: SupplyPoint) -> Agreement | None:
    return point.agreements.select_related("tariff").order_by("-valid_from", "-id").first()


def deemed_payment_method(point: SupplyPoint) -> str:
    """How a new occupier on ``point`` pays (care shows it before recording the move in): prepayment where a
    prepayment meter is fitted or a smart meter is in prepayment mode (9.6); otherwise Standard Credit (9.3)."""
    fitted = point.meters.filter(removed_at__isnull=True, kind=Meter.Kind.PREPAYMENT).exists()
    in_prepayment_mode = point.prepayments.filter(ended_on__isnull=True).exists()
    return Method.PREPAYMENT if fitted or in_prepayment_mode else Method.STANDARD_CREDIT


def _end_previous_occupant(point: SupplyPoint, move_in_date: date, now: datetime, actor: User | None) -> None:
    current = supplied_by_us(point)
    if current is None:
        return
    live = contract_states.live_contract(current.account)
    if live is None:
        raise MoveRefused("", f"{point} is supplied to account {current.account.number}, which has no live contract.")
    move = _ended_by_new_occupier(
        account=current.account, contract=live, move_in_date=move_in_date, told_at=now, actor=actor
    )
    end_moved_out(move=move, now=now, actor=actor)


@transaction.atomic
def record_move_in(
    *,
    points: Iterable[SupplyPoint],
    occupier: NewOccupier,
    move_in_date: date,
    now: datetime,
    actor: User | None,
) -> list[Contract]:
    """A new occupier moving into a property we supply has a deemed contract with us (4.7): a new customer, an
    account per fuel, a DEEMED contract on the Standard Variable Tariff for the meter, paid by prepayment where a
    prepayment meter is fitted (9.6), else Standard Credit (9.3). The previous occupant's contract ends on the
    move-in day (13.2) first, so the new supply starts the same day without overlapping.

    :raises MoveRefused: no name, a day out of range, a point we never supplied, or no Standard Variable Tariff for
        the meter.
    """
    chosen = list(points)
    if not occupier.name.strip():
        raise MoveRefused("name", "Enter the new occupier's name.")
    if not chosen:
        raise MoveRefused("identifier", "Find the property's meter points first.")
    told_on = calendar.local_date(now)
    _check_day("move_in_date", move_in_date, told_on, "The move-in day")
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON,
        name=occupier.name,
        contact_email=occupier.email,
        contact_phone=occupier.phone.strip(),
        now=now,
    )
    contracts = []
    for point in chosen:
        agreement = _last_agreement(point)
        if agreement is None:
            raise MoveRefused("identifier", f"We have never supplied {point}: the new occupier signs up instead.")
        method = deemed_payment_method(point)
        try:
            tariff = tariff_quotes.standard_variable_tariff(
                supply_point=point, like=agreement.tariff, method=method, is_business=False, at=now
            )
        except tariff_quotes.TariffQuoteProblem as exc:
            raise MoveRefused("identifier", str(exc)) from exc
        previous = supplied_by_us(point)
        _end_previous_occupant(point, move_in_date, now, actor)
        account = accounts_ops.open_account(
            customer=customer, fuel=Fuel(point.fuel), billing_property=point.supply_property, now=now
        )
        contract = contract_states.enter_contract(
            account=account,
            product=tariff.product,
            payment_method=method,
            origin=Contract.Origin.DEEMED,
            commencement_date=move_in_date,
            cooling_off_end_date=move_in_date,
            now=now,
            channel=Contract.Channel.CARE,
            actor=actor,
        )
        contract = contract_states.start_supply(
            contract=contract, start_date=move_in_date, placements=[(point, tariff)], now=now, actor=actor
        )
        payment_arrangements.set_payment_method(
            account=account,
            method=method,
            payment_day=None,
            signed_up_date=move_in_date,
            balance=Decimal("0.00"),
            actor=actor,
            now=now,
        )
        if method == Method.PREPAYMENT:
            prepayment_ops.start_prepayment(
                account=account, day=move_in_date, reason=Prepayment.Reason.MOVED_IN, now=now, actor=actor
            )
        audit.record(
            actor=actor,
            action="contracts.move_in_recorded",
            subject=f"account {account.number}",
            customer=customer,
            at=now,
            after={
                "supply_point": point.identifier,
                "move_in_date": move_in_date.isoformat(),
                "payment_method": method,
                "previous_account": previous.account.number if previous is not None else None,
            },
        )
        contracts.append(contract)
    return contracts


# The end day: supply ends (used by the daily job, and at once when a new occupier moves in) --------------------


def closing_reading_words(move: HomeMove) -> str:
    """Which reading closes the mover's final bill (13.3), in care staff's words."""
    end_at = calendar.day_starts_at(move.end_date)
    near = RegisterReading.objects.filter(
        register__meter__supply_point__supplies__account=move.account,
        status=RegisterReading.Status.ACCEPTED,
        read_at__gte=calendar.day_starts_at(move.move_out_date),
        read_at__lte=end_at,
    )
    if near.filter(kind=RegisterReading.Kind.FINAL).exists():
        return "final readings given"
    if near.filter(read_at=end_at).exclude(source=ReadingSource.ESTIMATED).exists():
        return "the new occupant's reading on the day"
    return "no final reading: the final bill estimates"


@transaction.atomic
def end_moved_out(*, move: HomeMove, now: datetime, actor: User | None = None) -> Contract | None:
    """End the supply of a move whose end day has come or is set by a new occupier moving in: no exit fee (the
    14.5.1 waiver where supply follows the customer), the move DONE. None when the account had no live contract left
    (it ended some other way since)."""
    move = HomeMove.objects.select_for_update().select_related("account").get(pk=move.pk)
    if move.state != HomeMove.State.RECORDED:
        return None
    live = contract_states.live_contract(move.account)
    ended = None
    if live is not None:
        fees = (live.product.exit_fee_electricity, live.product.exit_fee_gas)
        waiver = TOOK_AGREEMENT_WAIVER if move.new_home_id is not None else (MOVED_OUT_WAIVER if any(fees) else "")
        ended = contract_states.end_supply(
            contract=live,
            end_date=move.end_date,
            reason=Contract.EndReason.MOVED_OUT,
            now=now,
            actor=actor,
            exit_fee_waiver=waiver,
            summary=f"Moved out: supply ended, last day {move.end_date - timedelta(days=1):%-d %b %Y}; "
            f"{closing_reading_words(move)}",
        )
    _end_prepayment_of(move, now, actor)
    move.state = HomeMove.State.DONE
    move.save(update_fields=["state"])
    return ended


def _end_prepayment_of(move: HomeMove, now: datetime, actor: User | None) -> None:
    """The mover's prepayment ends with their supply. The meter is left in prepayment mode for whoever moves in next
    (9.6), and the mover's credit and meter debts stay on their prepayment: a new occupier never takes them on."""
    for running in move.account.prepayments.filter(ended_on__isnull=True, started_on__lt=move.end_date):
        prepayment_ops.end_prepayment(
            prepayment=running, day=move.end_date, reason="moved out", now=now, actor=actor, switch_meter=False
        )


@dataclass(frozen=True)
class WaitingHomeMove:
    """A HOME_MOVE contract whose new home's points are free of any other account, and the day it starts."""

    contract: Contract
    points: list[SupplyPoint]
    start_date: date


def due_home_moves(*, day: date) -> list[WaitingHomeMove]:
    """HOME_MOVE contracts to start by ``day``: their new home's points known, no switch to us open (switching starts
    those), no other account supplied through them, and the move-in day (or the day the previous occupant's supply
    ended, if later) come. The start never overlaps the previous occupant's supply."""
    due = []
    waiting = Contract.objects.filter(state=Contract.State.PENDING, origin=Contract.Origin.HOME_MOVE)
    for contract in waiting.select_related("account", "product").order_by("id"):
        move = _move_followed(contract)
        points = home_move_points(contract)
        if move is None or not points:
            continue
        if contract.registrations.filter(state__in=Registration.OPEN_STATES).exists():
            continue
        if any(supplied_by_us(point) is not None for point in points):
            continue
        ends = [
            Supply.objects.filter(supply_point=point)
            .order_by("-valid_to", "-id")
            .values_list("valid_to", flat=True)
            .first()
            for point in points
        ]
        if any(end is None for end in ends):
            continue  # a point we never supplied and no switch open: the contract's events tell care
        start = max(move.move_out_date, *(end for end in ends if end is not None))
        if start <= day:
            due.append(WaitingHomeMove(contract=contract, points=points, start_date=start))
    return due


def start_home_move(*, waiting: WaitingHomeMove, now: datetime) -> Contract:
    """Start supply at the new home on the tariffs of the contract's product for each point.

    :raises ContractRefused: no tariff of the product for a point's region and meter, or the state machine refused.
    """
    placements = [(point, quotes.contract_tariff(waiting.contract, point)) for point in waiting.points]
    return contract_states.start_supply(
        contract=waiting.contract, start_date=waiting.start_date, placements=placements, now=now
    )
