"""Cancelling in the cooling-off period (T&C 2.1 "Cooling Off Period", 4.4, 5.3.3, 9.2.2).

A contract the customer entered into can be cancelled without a fee up to and including its
``cooling_off_end_date`` (commencement + 14 days, the commencement day not counted, kept when it falls on a Sunday or
a bank holiday: the Consumer Contracts Regulations count calendar days; ``payments.schedule.cooling_off_ends``).
From the next day the answer is a refusal that says how to leave instead (14.3, 14.4).

- **Before supply started** (PENDING): the contract is cancelled and the switch to us withdrawn. Each open GAIN
  registration is set WITHDRAWN with the objection CHANGED_MIND (5.3.3) here; **the switching flow sends the
  withdrawal message** for every WITHDRAWN registration that has no outbound withdrawal yet, so this module never
  talks to the switching service. A Direct Debit set up at sign-up is cancelled: nothing will ever be owed.
- **After an early start** (LIVE, supply started within the period because the customer asked, 2.1): supply ends at
  the end of today, the earliest possible (the contract's ``end_date`` is tomorrow); the energy used until then is
  billed by the bill run on the final bill, at the contract's prices, and no exit fee is charged (4.4).
- **An annual payment already made** is refunded (9.2.2) through ``payments.refunds``: at once where supply never
  started, after the final bill where it did (12.3), to the Direct Debit's bank account or by cheque.

A cancellation notice (a must-be-delivered NOTICE) confirms it, recorded as the contract's CANCELLATION notice and on
its timeline.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account, Fuel, Property
from hearth.data.contracts.models import Contract, ContractNotice, Registration
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.data.payments.models import Mandate, Refund
from hearth.domain.billing import queries as billing_queries
from hearth.domain.documents import letters
from hearth.domain.payments import arrangements, collections, methods, refunds
from hearth.domain.payments import queries as payment_queries
from hearth.domain.tariffs import contracts as contract_states

NOTICE_TYPE = "NOTICE"
EXIT_FEE_WAIVER = "Cancelled in the cooling-off period (T&C 4.4)"
CANCELLABLE_LIVE_ORIGINS = (Contract.Origin.SIGN_UP, Contract.Origin.HOME_MOVE)
"""A contract that started supply early can be ended in its cooling-off period only where it is the customer's only
contract with us for the account; a renewal that already replaced another is changed by talking to us."""


class CancellationRefused(Exception):
    """The contract cannot be cancelled in its cooling-off period; the message says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class Cancellation:
    """What a cancellation did: the contract as it now is, the last day supplied (after an early start), the refund
    of an annual payment (if one was made) and the notice sent."""

    contract: Contract
    last_supply_day: date | None
    refund: Refund | None
    notice: Document


def contract_to_cancel(account: Account) -> Contract | None:
    """The account's contract a cooling-off cancellation is about: the one waiting to start, else the live one."""
    return contract_states.pending_contract(account) or contract_states.live_contract(account)


def refusal(contract: Contract, today: date) -> str | None:
    """Why ``contract`` cannot be cancelled in its cooling-off period on ``today``, or None if it can."""
    if contract.state not in (Contract.State.PENDING, Contract.State.LIVE):
        return f"This contract is already {Contract.State(contract.state).label.lower()}."
    if contract.cooling_off_end_date <= contract.commencement_date:
        return "This contract has no cooling-off period: you did not enter into it yourself. Contact us to discuss it."
    if today > contract.cooling_off_end_date:
        return (
            f"Your cooling-off period ended on {contract.cooling_off_end_date:%A %-d %B %Y}, so it can no longer be "
            "cancelled this way. To leave, switch to another supplier (they arrange it with us) or contact our "
            "customer services to discuss it (T&C 14.3). Before a fixed term ends an exit fee may apply (T&C 14.4)."
        )
    if contract.state == Contract.State.LIVE and contract.origin not in CANCELLABLE_LIVE_ORIGINS:
        return "This contract replaced another one of ours; contact us to change it."
    return None


def _withdraw_switches(contract: Contract, now: datetime) -> list[Registration]:
    """Each open switch to us of ``contract`` WITHDRAWN, changed mind (5.3.3); the switching flow sends the
    withdrawal (see the module docstring)."""
    withdrawn = list(
        Registration.objects.select_for_update().filter(
            contract=contract, direction=Registration.Direction.GAIN, state__in=Registration.OPEN_STATES
        )
    )
    for registration in withdrawn:
        registration.state = Registration.State.WITHDRAWN
        registration.objection = Registration.Objection.CHANGED_MIND
        registration.objection_detail = "The customer cancelled in the cooling-off period"
        registration.objected_at = now
        registration.updated_at = now
        registration.save(update_fields=["state", "objection", "objection_detail", "objected_at", "updated_at"])
        contract_states.record_event(
            contract=contract,
            kind="switch_withdrawn",
            summary=f"Switch {registration.reference} of {registration.supply_point} withdrawn: cancelled in "
            "cooling-off (T&C 5.3.3)",
            at=now,
            actor=None,
        )
    return withdrawn


def _refund_annual_payment(contract: Contract, actor: User | None, now: datetime) -> Refund | None:
    """T&C 9.2.2: an annual payment made within the period comes back; any other credit follows the usual rules."""
    account = contract.account
    if contract.payment_method not in methods.ANNUAL_METHODS or billing_queries.balance_of(account) >= 0:
        return None
    mandate = payment_queries.current_mandate(account)
    live = mandate is not None and mandate.status == Mandate.Status.LIVE
    destination = Refund.Destination.DIRECT_DEBIT_ACCOUNT if live else Refund.Destination.CHEQUE
    try:
        return refunds.request_refund(
            account=account,
            destination=destination,
            payee_name="",
            bank_details=None,
            cheque_address="",
            actor=actor,
            now=now,
        )
    except refunds.RefundRefused as exc:
        contract_states.record_event(
            contract=contract,
            kind="refund_not_requested",
            summary=f"Annual payment not refunded: {exc}",
            at=now,
            actor=actor,
        )
        return None


def _cancel_direct_debit(contract: Contract, actor: User | None, now: datetime) -> None:
    mandate = payment_queries.current_mandate(contract.account)
    if mandate is not None:
        arrangements.cancel_mandate(
            mandate=mandate, reason="Contract cancelled in the cooling-off period", by_bank=False, actor=actor, now=now
        )


def cancellation_letter(
    *, contract: Contract, today: date, last_supply_day: date | None, refund: Refund | None
) -> letters.Letter:
    """The notice confirming a cooling-off cancellation: what stops, what is still billed, what is refunded."""
    fuel = Fuel(contract.account.fuel).label.lower()
    supply_property: Property = contract.account.billing_property
    if last_supply_day is None:
        what = [
            f"We have withdrawn the switch of your {fuel} supply at {supply_property.address_line_1} to us, so your "
            "current supplier carries on supplying you. Nothing is charged.",
        ]
    else:
        what = [
            f"As supply had already started at your request, we supply you until the end of "
            f"{last_supply_day:%A %-d %B %Y}. You pay only for the energy used until then, at your contract's prices, "
            "on a final bill; there is no exit fee (T&C 4.4).",
            "Please send us a meter reading for that day so your final bill is accurate, and arrange your supply "
            "with another supplier.",
        ]
    if refund is not None:
        when = "after your final bill" if refund.status == Refund.Status.WAITING_FINAL_BILL else "within 28 days"
        what.append(f"Your annual payment is refunded (T&C 9.2.2): £{refund.amount:,.2f}, {when}.")
    return letters.Letter(
        account=contract.account,
        type_code=NOTICE_TYPE,
        reference=f"CANC-{contract.account.number}-{contract.pk}",
        title=f"Your {fuel} contract is cancelled",
        paragraphs=(
            f"As you asked on {today:%-d %B %Y}, within your cooling-off period (which ends on "
            f"{contract.cooling_off_end_date:%-d %B %Y}), we have cancelled your {contract.product.display_name} "
            "contract (T&C 2.1, 4.4).",
            *what,
        ),
        facts=(
            ("Product", contract.product.display_name),
            ("Cancelled on", f"{today:%-d %b %Y}"),
            ("Exit fee", "None"),
        ),
        clause="4.4",
    )


def _notify(contract: Contract, letter: letters.Letter, actor: User | None, now: datetime) -> Document:
    document = letters.issue_letter(letter=letter, now=now)
    ContractNotice.objects.create(
        contract=contract,
        kind=ContractNotice.Kind.CANCELLATION,
        document=document,
        issued_at=now,
        deemed_delivered_date=collections.notice_deemed_delivered(
            account=contract.account, type_code=NOTICE_TYPE, now=now
        ),
        effective_date=calendar.local_date(now),
    )
    contract_states.record_event(
        contract=contract,
        kind="cancellation_confirmed",
        summary=f"Cancellation confirmed ({document.reference})",
        at=now,
        document=document,
        actor=actor,
    )
    return document


def cancel_in_cooling_off(*, contract: Contract, now: datetime, actor: User | None, channel: str) -> Cancellation:
    """Cancel ``contract`` in its cooling-off period as the module docstring says, in one transaction.

    ``channel`` (``Contract.Channel``) says who asked: the customer online or care staff for them.

    :raises CancellationRefused: the period has ended (the message says how to leave instead), or the contract is
        not one that can be cancelled this way.
    """
    today = calendar.local_date(now)
    why_not = refusal(contract, today)
    if why_not is not None:
        raise CancellationRefused(why_not)
    by = Contract.Channel(channel).label.lower()
    with transaction.atomic():
        last_supply_day = None
        if contract.state == Contract.State.PENDING:
            contract = contract_states.cancel_contract(
                contract=contract,
                reason=Contract.EndReason.COOLING_OFF,
                now=now,
                actor=actor,
                summary=f"Cancelled in the cooling-off period (T&C 2.1, 4.4), asked for by {by}",
            )
            _withdraw_switches(contract, now)
            refund = _refund_annual_payment(contract, actor, now)
            _cancel_direct_debit(contract, actor, now)
        else:
            end_date = today + timedelta(days=1)
            contract = contract_states.end_supply(
                contract=contract,
                end_date=end_date,
                reason=Contract.EndReason.COOLING_OFF,
                now=now,
                actor=actor,
                exit_fee_waiver=EXIT_FEE_WAIVER,
                summary=f"Cancelled in the cooling-off period after an early start, asked for by {by}: supply "
                f"ends, last day {today:%-d %b %Y}; no exit fee (T&C 4.4)",
            )
            last_supply_day = today
            refund = _refund_annual_payment(contract, actor, now)
        letter = cancellation_letter(contract=contract, today=today, last_supply_day=last_supply_day, refund=refund)
        notice = _notify(contract, letter, actor, now)
    return Cancellation(contract=contract, last_supply_day=last_supply_day, refund=refund, notice=notice)
