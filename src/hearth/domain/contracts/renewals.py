"""The end of a fixed term: the Statement of Renewal, renewing, and the rollover onto the variable tariff.

Before a fixed term ends the customer is sent a Statement of Renewal, deemed delivered (T&C 22.3) no earlier than 49
and no later than 42 days before it ends (definition in 2; 4.2.2, 6.1): what happens if they do nothing, what they
can renew onto, that they can leave without a termination fee until the end (14.5.3), and how to renew. Renewing
enters a new contract that starts the day after the fixed term's last day (ADR 0013: ``fixed_term_end_date`` is the
last fixed day). A customer who does nothing is moved that day onto the Standard Variable Tariff for their meter and
payment method (6.2, 14.6), without a termination fee, and told.

Replacement contracts (renewals, rollovers, moves by us) wait PENDING until their day; :func:`start_due` starts
them. Their start day is not a field of the contract: a renewal or rollover starts the day after the live
contract's fixed term ends, a move by us on the day its notice gave (``ContractNotice.effective_date``).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, SupplyPoint
from hearth.data.contracts.models import Contract, ContractNotice
from hearth.data.identity.models import User
from hearth.data.payments.models import PaymentArrangement
from hearth.data.tariffs.models import PaymentMethod as TariffPaymentMethod
from hearth.data.tariffs.models import Product, Tariff
from hearth.domain.accounts import queries as account_queries
from hearth.domain.contracts import exit_fees, notifying
from hearth.domain.documents import letters
from hearth.domain.payments import estimates, methods, schedule, tariff_quotes
from hearth.domain.tariffs import contracts
from hearth.domain.tariffs import queries as tariff_queries

Method = PaymentArrangement.Method
Origin = Contract.Origin

EARLIEST_DAYS: Final = 49
"""A Statement of Renewal is deemed delivered no earlier than 49 days before the fixed term ends (T&C 2)..."""
LATEST_DAYS: Final = 42
"""...and no later than 42 days before it."""

REPLACEMENTS: Final = (Origin.RENEWAL, Origin.ROLLOVER, Origin.TARIFF_MOVE)
"""Pending contracts that replace a live one on a day of their own (a sign-up starts when its switch completes)."""

STATEMENT_TYPE: Final = "RENEWAL_STATEMENT"
CONFIRMATION_TYPE: Final = "CONTRACT_CONFIRMATION"
ROLLOVER_TYPE: Final = "NOTICE"
ROLLOVER_KEY: Final = "rollover"

Placements = tuple[tuple[SupplyPoint, Tariff], ...]


class RenewalRefused(Exception):
    """A renewal that cannot be made; the message starts with the field it is about ("product: ...")."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A fixed product the customer can renew onto: its tariff for each supply point, its prices with VAT, what
    the next twelve months would cost on it (None when no estimate can be made) and its exit fee."""

    product: Product
    placements: Placements
    prices: tuple[tuple[str, str], ...]
    annual_cost: Decimal | None
    exit_fee: Decimal

    @property
    def term(self) -> str:
        if self.product.fixed_until_date is not None:
            return f"fixed until {self.product.fixed_until_date - timedelta(days=1):%-d %B %Y}"
        return f"fixed for {self.product.term_months} months"


@dataclass(frozen=True, slots=True)
class Statement:
    """A Statement of Renewal issued (or found issued) and whether it came too late to be deemed delivered 42 days
    before the fixed term's end."""

    notice: ContractNotice
    issued: bool
    late: bool


def paying_by(account: Account, contract: Contract) -> str:
    """How the account pays now (its arrangement), else as the contract was agreed."""
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    return arrangement.method if arrangement is not None else contract.payment_method


def current_placements(
    account: Account,
    at: datetime,
    *,
    points: Sequence[SupplyPoint] | None = None,
    fits: Mapping[int, contracts.SupplyPointFit] | None = None,
) -> Placements:
    """Each supply point the account is supplied through (``points``, when read already), with the tariff it is on
    at ``at`` (from ``fits``, the points' agreements, when read already)."""
    placed = []
    for point in account_queries.current_supply_points(account=account) if points is None else points:
        agreement = (
            tariff_queries.agreement_at(supply_point=point, at=at) if fits is None else fits[point.pk].agreement_at(at)
        )
        if agreement is not None:
            placed.append((point, agreement.tariff))
    return tuple(placed)


def _is_business(account: Account) -> bool:
    return account.customer.kind == Customer.Kind.ORGANISATION


def placements_for(
    *,
    account: Account,
    product: Product,
    method: str,
    points: Sequence[SupplyPoint] | None = None,
    where: Mapping[int, tuple[str | None, str]] | None = None,
) -> Placements:
    """``product``'s tariff for each of the account's points (``points``, when read already), paid by ``method``
    (T&C 9.2). ``where`` gives each point's region and rate structure by id, when read already.

    :raises RenewalRefused: the product is not paid that way, or has no tariff for a point.
    """
    if not methods.product_allows(product, method):
        allowed = " or ".join(TariffPaymentMethod(code).label.lower() for code in methods.product_methods(product))
        raise RenewalRefused(
            f"product: {product.display_name} must be paid by {allowed}; the account pays by "
            f"{Method(method).label.lower()} (T&C 9.2)."
        )
    points = list(account_queries.current_supply_points(account=account)) if points is None else points
    if not points:
        raise RenewalRefused(f"account: {account.number} has no supply point being supplied.")
    tariff_method = methods.TARIFF_METHOD[Method(method)]
    known = where or {}
    try:
        return tuple(
            (
                point,
                contracts.choose_tariff(
                    product=product,
                    supply_point=point,
                    tariff_payment_method=tariff_method,
                    region=known.get(point.pk, (None, None))[0],
                    structure=known.get(point.pk, (None, None))[1],
                ),
            )
            for point in points
        )
    except contracts.ContractRefused as exc:
        raise RenewalRefused(str(exc)) from exc


def _annual_cost(
    account: Account, placements: Placements, at: datetime, rates: Mapping[int, tariff_queries.RatesAt] | None = None
) -> Decimal | None:
    """The placements' next twelve months (``rates``: their tariffs' prices at ``at``, when read already)."""
    try:
        estimate = estimates.annual_estimate(
            account=account,
            at=at,
            on_tariffs={point.pk: tariff for point, tariff in placements},
            supply_points=[point for point, _ in placements] if rates is not None else None,
            rates=rates,
        )
    except estimates.EstimateUnavailable:
        return None
    return estimate.annual_cost


def _prices(
    account: Account, placements: Placements, at: datetime, rates: Mapping[int, tariff_queries.RatesAt] | None = None
) -> tuple[tuple[str, str], ...]:
    vat_rate = tariff_quotes.quoted_vat_rate(account)
    rows: list[tuple[str, str]] = []
    for _, tariff in placements:
        in_force = tariff_queries.rates_at(tariff=tariff, at=at) if rates is None else rates[tariff.pk]
        rows.extend(tariff_quotes.rows_of(tariff, in_force, vat_rate=vat_rate))
    return tuple(rows)


def renewal_options(
    *,
    contract: Contract,
    at: datetime,
    method: str | None = None,
    points: Sequence[SupplyPoint] | None = None,
    fits: Mapping[int, contracts.SupplyPointFit] | None = None,
) -> list[Offer]:
    """The fixed products on sale at ``at`` the account can renew onto: a tariff for each of its points (region,
    rate structure) sold for the way it pays, cheapest estimate first. ``method``, ``points`` and ``fits`` (how the
    account pays, its current supply points, their :func:`contracts.fits_of`) may be given when read already; every
    product's prices are read together."""
    account = contract.account
    method = paying_by(account, contract) if method is None else method
    points = list(account_queries.current_supply_points(account=account)) if points is None else points
    products = list(
        tariff_queries.available_products(at=at).filter(kind=Product.Kind.FIXED, is_business=_is_business(account))
    )
    # Each point's region and rate structure, the same for every product: read once, and only if one is on sale.
    where = {
        point.pk: (contracts.region_of(point), contracts.structure_of(point))
        if fits is None
        else (fits[point.pk].region, fits[point.pk].structure)
        for point in points
        if products
    }
    placed: list[tuple[Product, Placements]] = []
    for product in products:
        try:
            placed.append(
                (product, placements_for(account=account, product=product, method=method, points=points, where=where))
            )
        except RenewalRefused:
            continue
    tariffs = list({tariff.pk: tariff for _, placements in placed for _, tariff in placements}.values())
    rates = tariff_queries.rates_of_tariffs(tariff_ids=[tariff.pk for tariff in tariffs], at=at)
    offers = []
    for product, placements in placed:
        try:
            prices = _prices(account, placements, at, rates)
        except tariff_quotes.TariffQuoteProblem:
            continue
        offers.append(
            Offer(
                product=product,
                placements=placements,
                prices=prices,
                annual_cost=_annual_cost(account, placements, at, rates),
                exit_fee=exit_fees.product_fee(product, account.fuel),
            )
        )
    return sorted(offers, key=lambda offer: (offer.annual_cost is None, offer.annual_cost or 0, offer.product.code))


def rollover_placements(
    *,
    contract: Contract,
    at: datetime,
    method: str | None = None,
    points: Sequence[SupplyPoint] | None = None,
    fits: Mapping[int, contracts.SupplyPointFit] | None = None,
) -> Placements:
    """The Standard Variable Tariff for each of the account's points, for its meter and the way the account pays
    (T&C 6.2). ``method``, ``points`` and ``fits`` may be given when read already, as for :func:`renewal_options`.

    :raises tariff_quotes.TariffQuoteProblem: none fits a point, or the account is not on a tariff.
    """
    account = contract.account
    method = paying_by(account, contract) if method is None else method
    placed = current_placements(account, at, points=points, fits=fits)
    if not placed:
        raise tariff_quotes.TariffQuoteProblem(f"Account {account.number} is not on a tariff.")
    return tuple(
        (
            point,
            tariff_quotes.standard_variable_tariff(
                supply_point=point,
                like=tariff,
                method=method,
                is_business=_is_business(account),
                at=at,
                kinds=None if fits is None else fits[point.pk].meter_kinds,
            ),
        )
        for point, tariff in placed
    )


@dataclass(frozen=True, slots=True)
class RenewalChoices:
    """What the portal's renewal page offers: the fixed products to renew onto (none when not asked for), and the
    Standard Variable Tariff's name the contract rolls onto if the customer does nothing ("" when none fits)."""

    options: list[Offer]
    rollover_name: str


def renewal_choices(*, contract: Contract, at: datetime, with_options: bool) -> RenewalChoices:
    """:func:`renewal_options` (when ``with_options``) and the rollover's product name, with how the account pays,
    its supply points and what fits them (their agreements, meters and registers) read once for both."""
    method = paying_by(contract.account, contract)
    points = list(account_queries.current_supply_points(account=contract.account))
    fits = contracts.fits_of(points)
    options = renewal_options(contract=contract, at=at, method=method, points=points, fits=fits) if with_options else []
    try:
        rollover = rollover_placements(contract=contract, at=at, method=method, points=points, fits=fits)
    except tariff_quotes.TariffQuoteProblem:
        return RenewalChoices(options, "")
    return RenewalChoices(options, rollover[0][1].product.display_name)


def _vat_percent(account: Account) -> str:
    return f"{tariff_quotes.quoted_vat_rate(account) * 100:.0f}%"


def _money(amount: Decimal | None) -> str:
    return "not known" if amount is None else f"£{amount:,.2f}"


def _cost_words(now_cost: Decimal | None, then_cost: Decimal | None, what: str) -> str:
    if now_cost is None or then_cost is None:
        return ""
    difference = then_cost - now_cost
    change = "the same as" if not difference else f"£{abs(difference):,.2f} {'more' if difference > 0 else 'less'} than"
    return (
        f"Over the next twelve months at your usual use, we estimate your energy would cost {_money(then_cost)} "
        f"{what}: {change} the {_money(now_cost)} it would cost on your current prices."
    )


def _offer_words(offer: Offer) -> str:
    fee = f"exit fee £{offer.exit_fee:,.2f}" if offer.exit_fee else "no exit fee"
    prices = ", ".join(f"{name.lower()} {price}" for name, price in offer.prices)
    return (
        f"{offer.product.display_name} ({offer.term}): {prices}; estimated {_money(offer.annual_cost)} a year; {fee}."
    )


def statement_letter(*, contract: Contract, now: datetime) -> letters.Letter:
    """The Statement of Renewal of ``contract`` (T&C 2, 4.2.2, 6.1, 14.5.3).

    :raises tariff_quotes.TariffQuoteProblem: no variable tariff to say it rolls onto, or one without prices.
    """
    account = contract.account
    end = contract.fixed_term_end_date
    assert end is not None  # only fixed contracts are sent one
    current = current_placements(account, now)
    rollover = rollover_placements(contract=contract, at=now)
    variable = rollover[0][1].product.display_name
    now_rows = dict(_prices(account, current, now))
    then_rows = _prices(account, rollover, now)
    rows = tuple((name, now_rows.get(name, "-"), price) for name, price in then_rows)
    now_cost = _annual_cost(account, current, now)
    then_cost = _annual_cost(account, rollover, now)
    options = renewal_options(contract=contract, at=now)
    renew_words = (
        ("You can renew onto a new fixed tariff with us. Today's choices, with VAT:", *map(_offer_words, options))
        if options
        else ("We have no fixed tariff for your supply today; you can ask us about one at any time.",)
    )
    return letters.Letter(
        account=account,
        type_code=STATEMENT_TYPE,
        reference=f"SOR-{account.number}-{end:%y%m%d}",
        title=f"Your fixed prices end on {end:%-d %B %Y}",
        paragraphs=(
            f"Your {contract.product.display_name} prices are fixed until the end of {end:%-d %B %Y}. This is your "
            "Statement of Renewal: what you can do now, and what happens if you do nothing.",
            f"If you do nothing, from {end + timedelta(days=1):%-d %B %Y} we will move you onto our {variable}, the "
            "variable tariff for your meter and the way you pay (T&C 6.2), with no termination fee (14.6). Its "
            "prices can be higher than your fixed prices and can change, with 30 days' notice (6.3, 4.3). Today "
            f"they are, with VAT at {_vat_percent(account)}:",
        ),
        table=letters.Table(header=("Charge", "Your prices now", variable), rows=rows),
        after_table=(
            _cost_words(now_cost, then_cost, f"on the {variable}"),
            *renew_words,
            "To renew, choose a tariff under My contract in your online account: one click, and we confirm it in "
            "writing. Or call us. Your new prices start the day after your fixed prices end.",
            f"You can also leave us or switch to another supplier from now until {end:%-d %B %Y} without paying "
            "a termination fee (T&C 14.5.3).",
        ),
        facts=(("Fixed prices end", f"{end:%-d %B %Y}"), ("If you do nothing", variable)),
        clause="4.2.2 and 6.1",
    )


def statement_due(*, contract: Contract, now: datetime) -> bool:
    """Whether a statement issued at ``now`` would be deemed delivered no more than 49 days before the fixed term
    ends (T&C 2): from then on it is due, and one that would arrive later than 42 days before is late."""
    end = contract.fixed_term_end_date
    if end is None:
        return False
    delivered = notifying.deemed_delivered(contract=contract, type_code=STATEMENT_TYPE, now=now)
    return (end - delivered).days <= EARLIEST_DAYS


def issue_statement(*, contract: Contract, now: datetime) -> Statement:
    """Issue the Statement of Renewal of ``contract``'s fixed term (once: keyed by the term's last day).

    :raises tariff_quotes.TariffQuoteProblem: no variable tariff to describe.
    :raises letters.LetterRefused: the letter cannot be issued.
    """
    end = contract.fixed_term_end_date
    assert end is not None
    existing = notifying.notice_of(contract, ContractNotice.Kind.RENEWAL_STATEMENT, end.isoformat())
    if existing is not None:
        return Statement(existing, issued=False, late=(end - existing.deemed_delivered_date).days < LATEST_DAYS)
    notice, issued = notifying.issue_notice(
        contract=contract,
        kind=ContractNotice.Kind.RENEWAL_STATEMENT,
        key=end.isoformat(),
        letter=statement_letter(contract=contract, now=now),
        effective_date=end + timedelta(days=1),
        now=now,
        event_kind="renewal_statement",
        summary=f"Statement of Renewal sent: fixed prices end {end:%-d %b %Y}",
    )
    return Statement(notice, issued=issued, late=(end - notice.deemed_delivered_date).days < LATEST_DAYS)


def starts_on(pending: Contract) -> date | None:
    """The day a pending replacement contract starts: a renewal or rollover the day after the live contract's fixed
    term ends; a move by us the day its notice gave. None for other contracts, or when it cannot be told."""
    if pending.origin in (Origin.RENEWAL, Origin.ROLLOVER):
        live = contracts.live_contract(pending.account)
        if live is None or live.fixed_term_end_date is None:
            return None
        return live.fixed_term_end_date + timedelta(days=1)
    if pending.origin == Origin.TARIFF_MOVE:
        notice = pending.notices.filter(kind=ContractNotice.Kind.TARIFF_MOVE).first()
        return notice.effective_date if notice is not None else None
    return None


def _confirmation(contract: Contract, placements: Placements, starts: date, now: datetime) -> letters.Letter:
    account = contract.account
    product = contract.product
    exit_fee = exit_fees.product_fee(product, account.fuel)
    fee = (
        f"If you leave after the cooling-off period and before your fixed prices end, an exit fee of "
        f"£{exit_fee:,.2f} applies (T&C 14.4)."
        if exit_fee
        else "This tariff has no exit fee."
    )
    return letters.Letter(
        account=account,
        type_code=CONFIRMATION_TYPE,
        reference=f"REN-{account.number}-{contract.pk}",
        title=f"You have renewed onto {product.display_name}",
        paragraphs=(
            f"Thank you for renewing with us. Your new contract, {product.display_name}, starts on "
            f"{starts:%-d %B %Y}, the day after your current fixed prices end. Its prices, with VAT at "
            f"{_vat_percent(account)}, are:",
        ),
        table=letters.Table(header=("Charge", "Price with VAT"), rows=_prices(account, placements, now)),
        after_table=(
            f"You can change your mind without any fee until the end of {contract.cooling_off_end_date:%-d %B %Y}, "
            "14 days from today (T&C 2.1): call us or write to us.",
            fee,
        ),
        facts=(("New tariff", product.display_name), ("Starts", f"{starts:%-d %B %Y}")),
        clause="2.1",
    )


@transaction.atomic
def renew(
    *, contract: Contract, product: Product, now: datetime, actor: User | None, channel: str = Contract.Channel.WEB
) -> Contract:
    """Renew ``contract`` onto ``product``: a PENDING contract entered into today (with its 14-day cooling-off) that
    starts the day after the fixed term ends, and a confirmation letter.

    :raises RenewalRefused: the contract is not a live fixed contract still in its term, the product is not a fixed
        product on sale now, the account does not pay as it requires (9.2) or it has no tariff for the supply, or
        a contract is already waiting to start.
    """
    today = calendar.local_date(now)
    end = contract.fixed_term_end_date
    if contract.state != Contract.State.LIVE or end is None or end < today:
        raise RenewalRefused("contract: only a fixed contract still in its fixed term can be renewed.")
    on_sale = tariff_queries.available_products(at=now).filter(pk=product.pk, kind=Product.Kind.FIXED).exists()
    if not on_sale or product.is_business != _is_business(contract.account):
        raise RenewalRefused(f"product: {product.display_name} is not a fixed tariff you can choose today.")
    account = contract.account
    if contracts.pending_contract(account) is not None:
        raise RenewalRefused(f"account: {account.number} already has a new contract waiting to start.")
    method = paying_by(account, contract)
    placements = placements_for(account=account, product=product, method=method)
    starts = end + timedelta(days=1)
    renewal = contracts.enter_contract(
        account=account,
        product=product,
        payment_method=method,
        origin=Origin.RENEWAL,
        commencement_date=today,
        cooling_off_end_date=schedule.cooling_off_ends(today),
        now=now,
        channel=channel,
        actor=actor,
        previous=contract,
        summary=f"Renewed onto {product.display_name}, to start {starts:%-d %b %Y}",
    )
    notifying.issue_notice(
        contract=renewal,
        kind=ContractNotice.Kind.CONFIRMATION,
        key="",
        letter=_confirmation(renewal, placements, starts, now),
        effective_date=starts,
        now=now,
        event_kind="confirmation",
        summary=f"Renewal confirmed in writing: {product.display_name} from {starts:%-d %b %Y}",
        actor=actor,
    )
    return renewal


def _rollover_letter(contract: Contract, placements: Placements, starts: date, now: datetime) -> letters.Letter:
    account = contract.account
    name = contract.product.display_name
    return letters.Letter(
        account=account,
        type_code=ROLLOVER_TYPE,
        reference=f"ROL-{account.number}-{starts:%y%m%d}",
        title=f"You are now on our {name}",
        paragraphs=(
            f"Your fixed prices ended on {starts - timedelta(days=1):%-d %B %Y}. As we said in your Statement of "
            f"Renewal, from {starts:%-d %B %Y} your supply is on our {name}, the variable tariff for your meter "
            "and the way you pay (T&C 6.2), with no termination fee (14.6). Its prices can change, with at least "
            f"30 days' notice (4.3, 6.3). Today they are, with VAT at {_vat_percent(account)}:",
        ),
        table=letters.Table(header=("Charge", "Price with VAT"), rows=_prices(account, placements, now)),
        after_table=(
            "You can leave the variable tariff at any time without a fee (T&C 4.5): renew onto a fixed tariff in "
            "your online account, call us, or switch to another supplier.",
        ),
        facts=(("Tariff", name), ("From", f"{starts:%-d %B %Y}")),
        clause="6.2",
    )


@transaction.atomic
def roll_over(*, contract: Contract, now: datetime) -> Contract:
    """Move a live fixed contract whose term has ended onto the Standard Variable Tariff from the day after its last
    fixed day, whatever day it runs on (a missed day is caught up), and tell the customer (T&C 6.2, 14.6).

    :raises tariff_quotes.TariffQuoteProblem: no variable tariff fits.
    :raises contracts.ContractRefused: a contract is already waiting to start.
    """
    end = contract.fixed_term_end_date
    assert end is not None
    starts = end + timedelta(days=1)
    placements = rollover_placements(contract=contract, at=calendar.day_starts_at(starts))
    today = calendar.local_date(now)
    rollover = contracts.enter_contract(
        account=contract.account,
        product=placements[0][1].product,
        payment_method=paying_by(contract.account, contract),
        origin=Origin.ROLLOVER,
        commencement_date=today,
        cooling_off_end_date=today,
        now=now,
        previous=contract,
        summary=f"Fixed term ended {end:%-d %b %Y}: rolled onto {placements[0][1].product.display_name} (T&C 6.2)",
    )
    rollover = contracts.start_supply(contract=rollover, start_date=starts, placements=placements, now=now)
    notifying.issue_notice(
        contract=rollover,
        kind=ContractNotice.Kind.CONFIRMATION,
        key=ROLLOVER_KEY,
        letter=_rollover_letter(rollover, placements, starts, now),
        effective_date=starts,
        now=now,
        event_kind="rollover_letter",
        summary="Told of the move onto the variable tariff",
    )
    return rollover


def start_replacement(*, pending: Contract, day: date, now: datetime) -> Contract | None:
    """Start ``pending`` if its day has come by ``day``, on its product's tariffs for the account's points paid as
    it was agreed; None when its day has not come.

    :raises RenewalRefused: its start day cannot be told, or the product no longer fits the supply.
    :raises contracts.ContractRefused: the state machine refused the start.
    """
    starts = starts_on(pending)
    if starts is None:
        raise RenewalRefused(f"contract: the day {Origin(pending.origin).label.lower()} starts cannot be told.")
    if starts > day:
        return None
    placements = placements_for(account=pending.account, product=pending.product, method=pending.payment_method)
    return contracts.start_supply(contract=pending, start_date=starts, placements=placements, now=now)
