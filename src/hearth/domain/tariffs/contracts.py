"""The contract state machine: the one place a contract changes state, and its agreements and supplies with it.

A contract is entered into (PENDING), starts supplying (LIVE), and ends (ENDED) or is called off before supply
under it started (CANCELLED). Every change is one transaction that moves the contract, the account's agreements and
its ``Supply`` rows together, and writes an event for the contract timeline, so there is never a supplied point with
no contract behind it, nor two live agreements for one point (ADR 0013; the property test in
``tests/integration/contracts/test_state_machine.py`` walks random sequences of events to check it).

The flows that decide *when* these happen (sign-up, switching, renewal, moves, leaving) live in
``hearth.domain.contracts``. This module sits low, beside the agreements it keeps, so payments' tariff moves can go
through it too.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction
from django.db.models import Q

from hearth.common import calendar
from hearth.data.accounts.models import Account, Supply, SupplyPoint
from hearth.data.contracts.models import Contract, ContractEvent
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter, Register
from hearth.data.tariffs.models import REGIONS, Agreement, Product, Tariff
from hearth.domain.audit import operations as audit
from hearth.domain.tariffs import operations as tariff_ops

State = Contract.State
EndReason = Contract.EndReason

DISTRIBUTOR_REGIONS: Final = dict(zip(range(10, 24), "ABCDEFGPNJHKLM", strict=True))
"""The region letter of each of the 14 original distributors, by the MPAN core's first two digits (10 Eastern = A,
12 London = C, 17 North Scotland = P, 23 Yorkshire = M): Octopus's GSP group letters."""


class ContractRefused(Exception):
    """A change the contract's state does not allow; the message says what and why."""


def fixed_term_end_date(product: Product, supply_start_date: date) -> date | None:
    """The last day of the fixed prices: the day before the same date ``term_months`` later (12 months from
    15 March 2026 end on 14 March 2027), or the day before the product's ``fixed_until_date``; None for a variable
    product."""
    if product.kind != Product.Kind.FIXED:
        return None
    if product.fixed_until_date is not None:
        return product.fixed_until_date - timedelta(days=1)
    assert product.term_months is not None  # a database constraint: a fixed product has one or the other
    return tariff_ops.add_months(supply_start_date, product.term_months) - timedelta(days=1)


def region_of(supply_point: SupplyPoint) -> str | None:
    """The point's region letter: its latest tariff's, else (electricity) its MPAN core's distributor's."""
    return _region(supply_point, supply_point.agreements.select_related("tariff").order_by("-valid_from").first())


def _region(supply_point: SupplyPoint, latest: Agreement | None) -> str | None:
    if latest is not None:
        return latest.tariff.region
    if supply_point.fuel == "ELECTRICITY" and supply_point.identifier[:2].isdigit():
        return DISTRIBUTOR_REGIONS.get(int(supply_point.identifier[:2]))
    return None


def structure_of(supply_point: SupplyPoint) -> str:
    """Two-rate where the point's meter has day and night registers, otherwise single-rate."""
    return _structure(
        Register.objects.filter(meter__supply_point=supply_point, meter__removed_at__isnull=True).values_list(
            "rate", flat=True
        )
    )


def _structure(rates: Iterable[str | None]) -> str:
    return (
        Tariff.Structure.TWO_RATE
        if {Register.Rate.DAY, Register.Rate.NIGHT} <= set(rates)
        else Tariff.Structure.SINGLE_RATE
    )


@dataclass(frozen=True, slots=True)
class SupplyPointFit:
    """What decides the tariffs that fit a supply point, read for several points together (:func:`fits_of`): its
    region (:func:`region_of`), rate structure (:func:`structure_of`), the kinds of its meters in place, and its
    tariff agreements, oldest first, with their tariffs and products."""

    region: str | None
    structure: str
    meter_kinds: frozenset[str]
    agreements: tuple[Agreement, ...]

    def agreement_at(self, at: datetime) -> Agreement | None:
        """As ``tariff_queries.agreement_at``: the one in force at ``at`` that began last."""
        in_force = [a for a in self.agreements if a.valid_from <= at and (a.valid_to is None or a.valid_to > at)]
        return max(in_force, key=lambda a: (a.valid_from, -a.pk), default=None)


def fits_of(points: Sequence[SupplyPoint]) -> dict[int, SupplyPointFit]:
    """Each point's :class:`SupplyPointFit` by id, in two queries however many points: their agreements, and their
    meters in place with each one's registers (a meter without registers still counts for its kind)."""
    agreements: dict[int, list[Agreement]] = {point.pk: [] for point in points}
    for agreement in (
        Agreement.objects.filter(supply_point__in=[point.pk for point in points])
        .select_related("tariff__product")
        .order_by("valid_from", "id")
    ):
        agreements[agreement.supply_point_id].append(agreement)
    kinds: dict[int, set[str]] = {point.pk: set() for point in points}
    rates: dict[int, list[str | None]] = {point.pk: [] for point in points}
    for point_id, kind, rate in Meter.objects.filter(
        supply_point__in=[point.pk for point in points], removed_at__isnull=True
    ).values_list("supply_point_id", "kind", "registers__rate"):
        kinds[point_id].add(kind)
        rates[point_id].append(rate)
    return {
        point.pk: SupplyPointFit(
            region=_region(point, agreements[point.pk][-1] if agreements[point.pk] else None),
            structure=_structure(rates[point.pk]),
            meter_kinds=frozenset(kinds[point.pk]),
            agreements=tuple(agreements[point.pk]),
        )
        for point in points
    }


def choose_tariff(
    *,
    product: Product,
    supply_point: SupplyPoint,
    tariff_payment_method: str,
    region: str | None = None,
    structure: str | None = None,
) -> Tariff:
    """The product's tariff for the point's fuel, region and meter (rate structure), paid by ``tariff_payment_method``
    (a ``tariffs.PaymentMethod``). ``region`` is needed only for a point we know nothing about (a gas point we have
    never supplied); ``structure`` (``structure_of``) may be given when read already.

    :raises ContractRefused: no such tariff, or no region known.
    """
    region = region or region_of(supply_point)
    if region not in REGIONS:
        raise ContractRefused(f"region: the region of {supply_point} is not known; give the property's region.")
    structure = structure or structure_of(supply_point)
    tariff = Tariff.objects.filter(
        product=product,
        fuel=supply_point.fuel,
        region=region,
        structure=structure,
        payment_method=tariff_payment_method,
    ).first()
    if tariff is None:
        raise ContractRefused(
            f"product: {product.display_name} has no {Tariff.Structure(structure).label.lower()} "
            f"{supply_point.get_fuel_display().lower()} tariff in region {region} paid that way."
        )
    return tariff


def record_event(
    *, contract: Contract, kind: str, summary: str, at: datetime, document: Document | None = None, actor: User | None
) -> ContractEvent:
    """One line of the contract's timeline, in care staff's words."""
    return ContractEvent.objects.create(
        contract=contract, kind=kind, summary=summary[:500], at=at, document=document, actor=actor
    )


def live_contract(account: Account) -> Contract | None:
    return _of_account(account, State.LIVE)


def pending_contract(account: Account) -> Contract | None:
    return _of_account(account, State.PENDING)


def live_and_pending(account: Account) -> tuple[Contract | None, Contract | None]:
    """``live_contract`` and ``pending_contract`` from one query, for a page that shows both."""
    found: dict[str, Contract] = {}
    for contract in (
        Contract.objects.filter(account=account, state__in=(State.LIVE, State.PENDING))
        .select_related("product")
        .order_by("id")
    ):
        contract.account = account
        found.setdefault(contract.state, contract)
    return found.get(State.LIVE), found.get(State.PENDING)


def _of_account(account: Account, state: str) -> Contract | None:
    """The account's contract in ``state``, holding the caller's ``account`` (and what it has read, as its customer)
    rather than reading the account again when asked for it."""
    contract = Contract.objects.filter(account=account, state=state).select_related("product").first()
    if contract is not None:
        contract.account = account
    return contract


def _locked(contract: Contract, *states: str) -> Contract:
    locked = Contract.objects.select_for_update().filter(pk=contract.pk).first()
    if locked is None or locked.state not in states:
        now_in = "gone" if locked is None else State(locked.state).label.lower()
        raise ContractRefused(f"state: the contract is {now_in}; this needs it {' or '.join(states).lower()}.")
    return locked


def _save(contract: Contract, now: datetime, *fields: str) -> None:
    contract.updated_at = now
    contract.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def enter_contract(
    *,
    account: Account,
    product: Product,
    payment_method: str,
    origin: str,
    commencement_date: date,
    cooling_off_end_date: date,
    now: datetime,
    channel: str = Contract.Channel.SYSTEM,
    actor: User | None = None,
    previous: Contract | None = None,
    supply_requested_early: bool = False,
    credit_check: str = "",
    summary: str = "",
) -> Contract:
    """A new PENDING contract of ``account`` for ``product``, entered into on ``commencement_date``.

    ``cooling_off_end_date`` is the cooling-off period's last day (``payments.schedule.cooling_off_ends``), or the
    commencement date itself for a contract the customer did not enter into (a rollover, a move by us).

    :raises ContractRefused: the account already has a contract waiting to start.
    """
    Account.objects.select_for_update().filter(pk=account.pk).first()  # one change of an account's contracts at a time
    if pending_contract(account) is not None:
        raise ContractRefused(f"account: {account.number} already has a contract waiting to start.")
    contract = Contract.objects.create(
        account=account,
        product=product,
        payment_method=payment_method,
        origin=origin,
        channel=channel,
        commencement_date=commencement_date,
        cooling_off_end_date=cooling_off_end_date,
        previous=previous,
        supply_requested_early=supply_requested_early,
        credit_check=credit_check,
        created_at=now,
        updated_at=now,
    )
    record_event(
        contract=contract,
        kind="entered",
        summary=summary
        or f"{Contract.Origin(origin).label}: {product.display_name}, from {commencement_date:%-d %b %Y}",
        at=now,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="contracts.entered",
        subject=f"account {account.number}",
        customer=account.customer,
        at=now,
        after={"contract": contract.pk, "product": product.code, "origin": origin, "payment_method": payment_method},
    )
    return contract


def _end_agreements(supply_point: SupplyPoint, at: datetime) -> None:
    """End the point's agreements running at ``at``; agreements that would start at or after it are removed, as
    they never supplied (a renewal placed early and then replaced)."""
    for agreement in supply_point.agreements.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at)):
        if agreement.valid_from >= at:
            agreement.delete()
        else:
            tariff_ops.end_agreement(agreement=agreement, ends_at=at)


def _open_supply(account: Account, supply_point: SupplyPoint, start_date: date) -> None:
    current = Supply.objects.select_for_update().filter(supply_point=supply_point, valid_to__isnull=True).first()
    if current is None:
        Supply.objects.create(account=account, supply_point=supply_point, valid_from=start_date)
    elif current.account_id != account.pk:
        raise ContractRefused(f"supply_point: {supply_point} is still supplied to account {current.account_id}.")


@transaction.atomic
def start_supply(
    *,
    contract: Contract,
    start_date: date,
    placements: Sequence[tuple[SupplyPoint, Tariff]],
    now: datetime,
    actor: User | None = None,
    summary: str = "",
) -> Contract:
    """Supply under ``contract`` from ``start_date``: each point on its tariff from the start of that day, the
    account's live contract (if any) replaced and its agreements ended then, a ``Supply`` opened for a point not yet
    supplied to the account, and the account (re)opened.

    :raises ContractRefused: the contract is not waiting to start, no points, a tariff of another product or fuel,
        or a point supplied to another account.
    """
    contract = _locked(contract, State.PENDING)
    account = contract.account
    if not placements:
        raise ContractRefused("placements: a contract supplies at least one supply point.")
    for supply_point, tariff in placements:
        if tariff.product_id != contract.product_id or tariff.fuel != supply_point.fuel:
            raise ContractRefused(f"tariff: {tariff.code} is not {contract.product.code} for {supply_point}.")
    starts_at = calendar.day_starts_at(start_date)
    replaced = live_contract(account)
    if replaced is not None:
        if replaced.supply_start_date is not None and start_date <= replaced.supply_start_date:
            raise ContractRefused(
                f"start_date: the contract it replaces started on {replaced.supply_start_date:%-d %b %Y}."
            )
        replaced.state, replaced.end_date, replaced.end_reason = State.ENDED, start_date, EndReason.REPLACED
        _save(replaced, now, "state", "end_date", "end_reason")
        record_event(
            contract=replaced,
            kind="replaced",
            summary=f"Replaced by {contract.product.display_name} from {start_date:%-d %b %Y}",
            at=now,
            actor=actor,
        )
    for supply_point, tariff in placements:
        SupplyPoint.objects.select_for_update().filter(pk=supply_point.pk).first()
        _open_supply(account, supply_point, start_date)
        _end_agreements(supply_point, starts_at)
        tariff_ops.place_on_tariff(supply_point=supply_point, tariff=tariff, valid_from=starts_at)
    contract.state, contract.supply_start_date = State.LIVE, start_date
    contract.fixed_term_end_date = fixed_term_end_date(contract.product, start_date)
    _save(contract, now, "state", "supply_start_date", "fixed_term_end_date")
    if account.status != Account.Status.ACTIVE:
        account.status = Account.Status.ACTIVE
        account.save(update_fields=["status"])
    record_event(
        contract=contract,
        kind="supply_started",
        summary=summary
        or f"Supply on {contract.product.display_name} from {start_date:%-d %b %Y}: "
        + ", ".join(tariff.code for _, tariff in placements),
        at=now,
        actor=actor,
    )
    return contract


@transaction.atomic
def cancel_contract(
    *, contract: Contract, reason: str, now: datetime, actor: User | None = None, summary: str = ""
) -> Contract:
    """Call off a contract whose supply has not started (cooling-off, a failed switch, a renewal withdrawn). The
    contract it would have replaced carries on, and can be replaced again: the cancelled one lets go of it
    (``previous`` is one-to-one), and its event says what it would have replaced."""
    contract = _locked(contract, State.PENDING)
    would_replace = contract.previous_id
    contract.state, contract.end_reason, contract.previous = State.CANCELLED, reason, None
    _save(contract, now, "state", "end_reason", "previous")
    said = summary or EndReason(reason).label
    if would_replace is not None:
        said = f"{said} (it would have replaced contract {would_replace})"
    record_event(contract=contract, kind="cancelled", summary=said, at=now, actor=actor)
    audit.record(
        actor=actor,
        action="contracts.cancelled",
        subject=f"account {contract.account.number}",
        customer=contract.account.customer,
        at=now,
        after={"contract": contract.pk, "reason": reason},
    )
    return contract


@transaction.atomic
def end_supply(
    *,
    contract: Contract,
    end_date: date,
    reason: str,
    now: datetime,
    actor: User | None = None,
    exit_fee_waiver: str = "",
    summary: str = "",
) -> Contract:
    """End a live contract and the account's supply with it: agreements end at the start of ``end_date``, the
    account's open supplies close on it (``Supply.valid_to``), a contract waiting to replace it is cancelled, and
    the account is closed. The final bill follows from the bill run, which bills up to the supply's end.

    The exit fee, if one is due, is charged by the caller (``hearth.domain.contracts.leaving``), which knows the
    exemptions; ``exit_fee_waiver`` records why none was charged.

    :raises ContractRefused: the contract is not live, or ``end_date`` is not after its start.
    """
    contract = _locked(contract, State.LIVE)
    assert contract.supply_start_date is not None  # a database constraint: a live contract has started
    if end_date <= contract.supply_start_date:
        raise ContractRefused(
            f"end_date: supply under this contract started on {contract.supply_start_date:%-d %b %Y}; it can end "
            "the day after at the earliest."
        )
    account = contract.account
    ends_at = calendar.day_starts_at(end_date)
    for supply in Supply.objects.select_for_update().filter(account=account, valid_to__isnull=True):
        _end_agreements(supply.supply_point, ends_at)
        supply.valid_to = end_date
        supply.save(update_fields=["valid_to"])
    waiting = pending_contract(account)
    if waiting is not None:
        cancel_contract(contract=waiting, reason=EndReason.WITHDRAWN, now=now, actor=actor, summary="Supply ended")
    contract.state, contract.end_date, contract.end_reason = State.ENDED, end_date, reason
    contract.exit_fee_waiver = exit_fee_waiver[:200]
    _save(contract, now, "state", "end_date", "end_reason", "exit_fee_waiver")
    account.status = Account.Status.CLOSED
    account.save(update_fields=["status"])
    record_event(
        contract=contract,
        kind="ended",
        summary=summary
        or f"{EndReason(reason).label}: supply ended, last day {end_date - timedelta(days=1):%-d %b %Y}",
        at=now,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="contracts.ended",
        subject=f"account {account.number}",
        customer=account.customer,
        at=now,
        after={"contract": contract.pk, "reason": reason, "end_date": end_date.isoformat()},
    )
    return contract


def record_exit_fee(*, contract: Contract, amount: Decimal, now: datetime) -> None:
    """Note on the contract the exit fee charged, in pounds (the charge itself is a ledger entry made by the
    caller)."""
    contract.exit_fee = amount
    _save(contract, now, "exit_fee")


def agreements_of_contract(contract: Contract) -> list[Agreement]:
    """The agreements that supplied under ``contract``: the account's points' agreements within its period."""
    if contract.supply_start_date is None:
        return []
    starts_at = calendar.day_starts_at(contract.supply_start_date)
    within = Q(valid_from__gte=starts_at)
    if contract.end_date is not None:
        within &= Q(valid_from__lt=calendar.day_starts_at(contract.end_date))
    return list(
        Agreement.objects.filter(
            within, supply_point__supplies__account=contract.account, tariff__product=contract.product
        )
        .select_related("tariff", "supply_point")
        .distinct()
        .order_by("valid_from", "id")
    )
