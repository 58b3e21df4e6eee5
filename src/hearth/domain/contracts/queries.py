"""Reading an account's contracts for people: the portal's "My contract" page and the care console's timeline.

Nothing here changes anything. The customer's page needs the contract they are on, what is waiting to start, what
happens next in plain sentences (the end of the fixed prices, the Statement of Renewal's window, the rollover onto the
Standard Variable Tariff, a switch or a move under way) and the notices we sent. Care staff need everything, newest
first: each contract, each event with its document, the registrations with their clocks and the home moves.

Every list is one query with its related rows joined (``select_related``), never a query per row.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.contracts.models import Contract, ContractEvent, ContractNotice, HomeMove, Registration
from hearth.data.payments.models import PaymentArrangement
from hearth.data.tariffs.models import Product
from hearth.domain.billing import sql
from hearth.domain.contracts import exit_fees

State = Contract.State

RENEWAL_STATEMENT_EARLIEST_DAYS: Final = 49
RENEWAL_STATEMENT_LATEST_DAYS: Final = 42
"""T&C 4.2.2, 6.1: the Statement of Renewal is deemed delivered between 49 and 42 days before the fixed term ends."""

LATEST_NOTICES: Final = 6
"""How many of the latest notices the customer's page lists (the rest are in Documents)."""


def exit_fee_today(contract: Contract, today: date) -> Decimal:
    """What leaving ``today`` would cost in exit fees, by the rules the switching flow charges by
    (``exit_fees.exit_fee``: 14.4 and the exemptions of 14.5); nothing for a contract not supplying."""
    if contract.state != State.LIVE:
        return Decimal("0.00")
    return exit_fees.exit_fee(contract, today).amount


def days_left(last_day: date | None, today: date) -> int:
    """Whole days after ``today`` up to and including ``last_day``; 0 on the last day itself and after it."""
    if last_day is None:
        return 0
    return max(0, (last_day - today).days)


def _day(day: date) -> str:
    return f"{day:%-d %B %Y}"


def _payment_method_label(code: str) -> str:
    try:
        return PaymentArrangement.Method(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ContractFacts:
    """One contract as the customer reads it."""

    contract: Contract
    product_name: str
    is_fixed: bool
    payment_method: str
    commencement_date: date
    supply_start_date: date | None
    cooling_off_end_date: date | None
    """The last day to cancel without a fee; None for a contract the customer did not enter into (a rollover)."""
    cooling_off_open: bool
    cooling_off_days_left: int
    fixed_term_end_date: date | None
    fixed_term_days_left: int
    exit_fee_today: Decimal
    state_words: str


@dataclass(frozen=True)
class ContractSummary:
    """What the "My contract" page shows: the contract, what waits to start, what happens next, the notices."""

    current: ContractFacts | None
    waiting: ContractFacts | None
    waiting_words: str
    next_steps: tuple[str, ...]
    notices: tuple[ContractNotice, ...]


def _state_words(contract: Contract, gain: Registration | None) -> str:
    if contract.state == State.LIVE:
        return "We supply you under this contract."
    if contract.state == State.PENDING:
        if gain is not None:
            return f"Waiting to start: your switch to us is {Registration.State(gain.state).label.lower()}."
        return "Waiting to start."
    ended_on = f" on {_day(contract.end_date)}" if contract.end_date else ""
    reason = Contract.EndReason(contract.end_reason).label if contract.end_reason else ""
    return f"{State(contract.state).label}{ended_on}. {reason}".strip()


def _facts(contract: Contract, today: date, gain: Registration | None) -> ContractFacts:
    customer_chose = contract.cooling_off_end_date > contract.commencement_date
    cooling_off_end = contract.cooling_off_end_date if customer_chose else None
    return ContractFacts(
        contract=contract,
        product_name=contract.product.display_name,
        is_fixed=contract.product.kind == Product.Kind.FIXED,
        payment_method=_payment_method_label(contract.payment_method),
        commencement_date=contract.commencement_date,
        supply_start_date=contract.supply_start_date,
        cooling_off_end_date=cooling_off_end,
        cooling_off_open=cooling_off_end is not None and today <= cooling_off_end,
        cooling_off_days_left=days_left(cooling_off_end, today),
        fixed_term_end_date=contract.fixed_term_end_date,
        fixed_term_days_left=days_left(contract.fixed_term_end_date, today),
        exit_fee_today=exit_fee_today(contract, today),
        state_words=_state_words(contract, gain),
    )


def _standard_variable_name() -> str:
    product = Product.objects.filter(is_standard_variable=True).order_by("-available_from").first()
    return product.display_name if product is not None else "our Standard Variable Tariff"


def _waiting_start(waiting: Contract, live: Contract | None, gain: Registration | None) -> date | None:
    """The day a waiting contract should start: the switch's agreed (or asked-for) day, or for a renewal the day
    after the live contract's fixed prices end."""
    if gain is not None:
        return gain.start_date or gain.requested_start_date
    if live is not None and live.fixed_term_end_date is not None:
        return live.fixed_term_end_date + timedelta(days=1)
    return None


def _waiting_words(waiting: Contract, start: date | None, gain: Registration | None) -> str:
    name = waiting.product.display_name
    if gain is not None:
        clock = Registration.State(gain.state).label.lower()
        when = f" We expect to supply you from {_day(start)}." if start else ""
        return f"Your switch to us on {name} is under way ({clock}).{when}"
    when = f"starts on {_day(start)}" if start else "starts when your current contract ends"
    return f"Your new contract, {name}, {when}."


def _fixed_term_steps(live: Contract, today: date, renewal_sent: ContractNotice | None, waiting: bool) -> list[str]:
    end = live.fixed_term_end_date
    assert end is not None
    if today > end:
        return []
    steps = []  # the page prints the fixed prices' last day once, beside the countdown
    if renewal_sent is not None:
        steps.append(f"We sent your Statement of Renewal on {_day(calendar.local_date(renewal_sent.issued_at))}.")
    else:
        earliest = end - timedelta(days=RENEWAL_STATEMENT_EARLIEST_DAYS)
        latest = end - timedelta(days=RENEWAL_STATEMENT_LATEST_DAYS)
        if today <= latest:
            from_day = f"{earliest:%-d %B}" if earliest.year == latest.year else _day(earliest)
            steps.append(f"We will send your Statement of Renewal between {from_day} and {_day(latest)}.")
    if not waiting:
        rollover = end + timedelta(days=1)
        steps.append(f"If you do nothing, you move to {_standard_variable_name()} on {_day(rollover)}.")
    return steps


def _leaving_steps(account: Account, live: Contract) -> list[str]:
    steps = []
    move = HomeMove.objects.filter(account=account, state=HomeMove.State.RECORDED).first()
    if move is not None:
        last_day = move.end_date - timedelta(days=1)
        steps.append(
            f"You told us you are moving out on {_day(move.move_out_date)}. We supply you until the end of "
            f"{_day(last_day)} and then send your final bill."
        )
    loss = Registration.objects.filter(
        contract=live, direction=Registration.Direction.LOSS, state__in=Registration.OPEN_STATES
    ).first()
    if loss is not None:
        day = loss.start_date or loss.requested_start_date
        steps.append(f"Your switch to another supplier is under way: it should happen on {_day(day)}.")
    return steps


def _live_pending_current(account: Account) -> tuple[Contract | None, Contract | None, Contract | None]:
    """The account's live contract, the one waiting to start, and the one its customer's page shows as current (the
    live one, else the one waiting, else the latest): one query, by a plain cursor (the dashboard's and the contract
    page's; Django took longer to build it than the database to answer, ADR 0028)."""
    contract_of, product_of = sql.reader(Contract, "c"), sql.reader(Product, "p")
    contracts = []
    for row in sql.select(
        f"SELECT {contract_of.columns}, {product_of.columns} FROM {Contract._meta.db_table} c "  # noqa: S608 - tables
        f"JOIN {Product._meta.db_table} p ON p.id = c.product_id WHERE c.account_id = %s "
        "ORDER BY c.created_at DESC, c.id DESC",
        [account.pk],
    ):
        contract = contract_of.build(row)
        sql.attach(contract, "product", product_of.build(row, contract_of.width))
        contract.account = account  # the caller's, not read again
        contracts.append(contract)
    live = next((c for c in contracts if c.state == State.LIVE), None)
    pending = next((c for c in contracts if c.state == State.PENDING), None)
    return live, pending, live or pending or (contracts[0] if contracts else None)


@dataclass(frozen=True)
class ContractAtAGlance:
    """The contract the "My contract" page shows as current, as the dashboard's tariff card shows it."""

    product_name: str
    fixed_term_end_date: date | None
    fixed_term_days_left: int


def contract_at_a_glance(account: Account, today: date) -> ContractAtAGlance | None:
    """``contract_summary(account, today).current``'s tariff and the end of its fixed prices, in one query."""
    current = _live_pending_current(account)[2]
    if current is None:
        return None
    end = current.fixed_term_end_date
    return ContractAtAGlance(current.product.display_name, end, days_left(end, today))


def contract_summary(account: Account, today: date) -> ContractSummary:
    """The account's contract for its customer on ``today``: the live one (else the one waiting, else the latest),
    the one waiting to replace it, the next steps in sentences, and the latest notices with their documents."""
    live, pending, current = _live_pending_current(account)
    gain = None
    if pending is not None:
        gain = (
            Registration.objects.filter(contract=pending, direction=Registration.Direction.GAIN)
            .order_by("-requested_at", "-id")
            .first()
        )
    waiting = pending if live is not None else None
    notices = tuple(
        ContractNotice.objects.filter(contract__account=account)
        .select_related("document", "document__document_type")
        .order_by("-issued_at", "-id")[:LATEST_NOTICES]
    )
    steps: list[str] = []
    waiting_words = ""
    if waiting is not None:
        waiting_words = _waiting_words(waiting, _waiting_start(waiting, live, gain), gain)
    elif pending is not None and gain is not None:
        steps.append(_waiting_words(pending, _waiting_start(pending, None, gain), gain))
    if live is not None:
        if live.fixed_term_end_date is not None:
            sent = (
                ContractNotice.objects.filter(contract=live, kind=ContractNotice.Kind.RENEWAL_STATEMENT)
                .order_by("-issued_at")
                .first()
            )
            steps += _fixed_term_steps(live, today, sent, waiting is not None)
        elif waiting is None:
            steps.append("Your prices can change: we always tell you at least 30 days before they go up.")
        steps += _leaving_steps(account, live)
    return ContractSummary(
        current=_facts(current, today, gain if current is pending else None) if current is not None else None,
        waiting=_facts(waiting, today, gain) if waiting is not None else None,
        waiting_words=waiting_words,
        next_steps=tuple(steps),
        notices=notices,
    )


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    payment_method: str


@dataclass(frozen=True)
class ContractTimeline:
    """Everything about an account's contracts for care staff, newest first."""

    contracts: tuple[ContractRow, ...]
    events: tuple[ContractEvent, ...]
    registrations: tuple[Registration, ...]
    home_moves: tuple[HomeMove, ...]


def contract_timeline(account: Account) -> ContractTimeline:
    """Every contract of the account, every event of each (with its document and actor), the registrations and the
    home moves: four queries, whatever the number of rows."""
    return ContractTimeline(
        contracts=tuple(
            ContractRow(contract, _payment_method_label(contract.payment_method))
            for contract in Contract.objects.filter(account=account)
            .select_related("product", "previous__product")
            .order_by("-commencement_date", "-id")
        ),
        events=tuple(
            ContractEvent.objects.filter(contract__account=account)
            .select_related("contract__product", "document", "actor")
            .order_by("-at", "-id")
        ),
        registrations=tuple(
            Registration.objects.filter(contract__account=account)
            .select_related("supply_point", "contract__product")
            .order_by("-requested_at", "-id")
        ),
        home_moves=tuple(
            HomeMove.objects.filter(account=account)
            .select_related("forwarding_address", "new_home", "recorded_by")
            .order_by("-told_at", "-id")
        ),
    )
