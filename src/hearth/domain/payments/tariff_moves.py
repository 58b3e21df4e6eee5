"""Moving an account that does not pay as its tariff requires to the Standard Variable Tariff (T&C 9.2, 9.2.1, 10.2).

A tariff sold for a payment method must be paid by it (T&C 9.2); a customer who pays otherwise may be moved to a less
favourable tariff, with 42 days' notice (T&C 10.2). An annual tariff's payment is due within the cooling-off period;
without it the customer moves to the Standard Variable Tariff (T&C 9.2.1) and pays on receipt of bills. The notice
counts from the day it is deemed delivered (T&C 22.3), as Direct Debit notices do. Until the day comes the customer
can put things right; the move is then cancelled.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import transaction
from django.db.models import Q

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer
from hearth.data.contracts.models import Contract
from hearth.data.payments.models import CardPayment, Collection, PaymentArrangement, TariffMove
from hearth.data.tariffs.models import Agreement, Product, Tariff
from hearth.data.tariffs.models import PaymentMethod as TariffPaymentMethod
from hearth.domain.audit import operations as audit
from hearth.domain.documents import letters
from hearth.domain.payments import arrangements, collections, methods, tariff_quotes
from hearth.domain.tariffs import contracts
from hearth.domain.tariffs import operations as tariff_ops

Method = PaymentArrangement.Method
Reason = TariffMove.Reason

NOTICE_DAYS: Final = 42
"""T&C 10.2: notice of a move to another tariff, counted from the day the notice is deemed delivered."""

NOTICE_TYPE: Final = "NOTICE"
NOTICE_CLAUSE: Final = "10.2"

ON_ITS_WAY: Final = (Collection.Status.SCHEDULED, Collection.Status.SUBMITTED, Collection.Status.COLLECTED)


TariffMoveProblem = tariff_quotes.TariffQuoteProblem
"""The account cannot be moved as the T&C say (no Standard Variable Tariff fits it); the message says why."""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Why an account does not pay as its tariff requires, the agreements that must change and the method the account
    pays by once moved."""

    reason: str
    why: str
    agreements: tuple[Agreement, ...]
    method: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the job did for one account: ``move`` made or carried out, or ``problem`` saying why not."""

    account: Account
    move: TariffMove | None
    problem: str = ""


def _annual_paid(account: Account) -> bool:
    """An annual payment collected (or a Direct Debit for it on its way: our notice period may place it after the
    due day), or paid by card."""
    return (
        Collection.objects.filter(account=account, purpose=Collection.Purpose.ANNUAL, status__in=ON_ITS_WAY).exists()
        or CardPayment.objects.filter(
            account=account, purpose=CardPayment.Purpose.ANNUAL, status=CardPayment.Status.SUCCEEDED
        ).exists()
    )


def mismatch(*, account: Account, at: datetime) -> Mismatch | None:
    """How ``account`` fails its tariff's payment rule at ``at``, or None when it pays as its tariff requires."""
    arrangement = PaymentArrangement.objects.filter(account=account).first()
    method = arrangement.method if arrangement is not None else methods.DEFAULT_METHOD
    agreements = arrangements.current_agreements(account=account, at=at)
    if not agreements:
        return None
    due = arrangement.annual_due_date if arrangement is not None else None
    missed = method in methods.ANNUAL_METHODS and due is not None and due < calendar.local_date(at)
    if missed and not _annual_paid(account):
        return Mismatch(
            reason=Reason.ANNUAL_PAYMENT_MISSED,
            why=(
                f"Your tariff is paid annually in advance, and the annual payment was due by {due:%-d %B %Y}, "
                "the end of your cooling-off period (T&C 9.2.1). We have not received it."
            ),
            agreements=tuple(agreements),
            method=Method.STANDARD_CREDIT,
        )
    wrong = tuple(a for a in agreements if not methods.product_allows(a.tariff.product, method))
    if not wrong:
        return None
    product = wrong[0].tariff.product
    return Mismatch(
        reason=Reason.WRONG_PAYMENT_METHOD,
        why=(
            f"{product.display_name} must be paid by "
            + " or ".join(TariffPaymentMethod(code).label.lower() for code in methods.product_methods(product))
            + f", and your account is paid by {Method(method).label.lower()} (T&C 9.2)."
        ),
        agreements=wrong,
        method=method,
    )


def target_tariff(*, account: Account, found: Mismatch, at: datetime) -> Tariff:
    """The Standard Variable Tariff the account moves to: for its meters, fuel, region and rate structure, paid by
    the method it will pay by.

    :raises TariffMoveProblem: none fits, or its supply points would need different tariffs.
    """
    is_business = account.customer.kind == Customer.Kind.ORGANISATION
    targets = {
        tariff_quotes.standard_variable_tariff(
            supply_point=agreement.supply_point,
            like=agreement.tariff,
            method=found.method,
            is_business=is_business,
            at=at,
        )
        for agreement in found.agreements
    }
    if len(targets) > 1:
        raise TariffMoveProblem(
            f"Account {account.number}'s supply points would move to different tariffs "
            f"({', '.join(sorted(t.code for t in targets))}): care staff must move them."
        )
    return targets.pop()


def _how_to_avoid(found: Mismatch, account: Account) -> str:
    if found.reason == Reason.ANNUAL_PAYMENT_MISSED:
        return (
            "You can stay on your tariff by making your annual payment before then: pay it by card in Payments in "
            "your online account, or call us."
        )
    product = found.agreements[0].tariff.product
    allowed = " or ".join(TariffPaymentMethod(code).label.lower() for code in methods.product_methods(product))
    return (
        f"You can stay on your tariff by paying by {allowed}, as it requires, before then: set up a Direct Debit in "
        f"Payments in your online account (account {account.number}), or call us."
    )


def _notice(
    account: Account, found: Mismatch, tariff: Tariff, effective: date, vat_rate: Decimal, now: datetime
) -> letters.Letter:
    name = tariff.product.display_name
    return letters.Letter(
        account=account,
        type_code=NOTICE_TYPE,
        reference=f"TMN-{account.number}-{calendar.local_date(now):%y%m%d}",
        title="We are moving you to another tariff",
        paragraphs=(
            found.why,
            f"So from {effective:%-d %B %Y} your supply will be on our {name} ({tariff.code}), paid by "
            f"{Method(found.method).label.lower()}. Its prices may be higher than your tariff's (T&C 10.2). Today "
            f"they are, with VAT at {vat_rate * 100:.0f}%:",
        ),
        table=letters.Table(
            header=("Charge", "Price with VAT"), rows=tariff_quotes.price_rows(tariff, vat_rate=vat_rate, at=now)
        ),
        after_table=(
            _how_to_avoid(found, account),
            "If you do nothing, we will move you on that day and tell you when it is done.",
        ),
        facts=(("New tariff", name), ("From", f"{effective:%-d %B %Y}")),
        clause=NOTICE_CLAUSE,
    )


def _candidates(day: date) -> list[Account]:
    """Accounts that may fail their tariff's payment rule: on a product restricting how it is paid, or paying
    annually with the due day passed; those already given notice are left out."""
    restricted = [
        product.pk
        for product in Product.objects.order_by("id")
        if set(methods.product_methods(product)) != set(TariffPaymentMethod.values)
    ]
    on_restricted = Q(
        supplies__valid_to__isnull=True,
        supplies__supply_point__agreements__tariff__product__in=restricted,
        supplies__supply_point__agreements__valid_to__isnull=True,
    ) | Q(
        supplies__valid_to__isnull=True,
        supplies__supply_point__agreements__tariff__product__in=restricted,
        supplies__supply_point__agreements__valid_to__gt=calendar.day_starts_at(day),
    )
    annual_due = Q(payment_arrangement__method__in=methods.ANNUAL_METHODS, payment_arrangement__annual_due_date__lt=day)
    pending = TariffMove.objects.filter(status=TariffMove.Status.PENDING).values("account")
    ids = Account.objects.filter(on_restricted | annual_due).exclude(pk__in=pending).values("pk").distinct()
    return list(Account.objects.filter(pk__in=ids).select_related("customer").order_by("id"))


def give_notice_to(*, account: Account, now: datetime) -> TariffMove | None:
    """Give ``account`` notice of its move if it fails its tariff's payment rule (T&C 9.2, 9.2.1, 10.2): a letter
    saying why, the new tariff and its prices, how to avoid it and the day; None when nothing is wrong or notice has
    been given already.

    :raises TariffMoveProblem: no tariff to move it to.
    """
    found = mismatch(account=account, at=now)
    if found is None or TariffMove.objects.filter(account=account, status=TariffMove.Status.PENDING).exists():
        return None
    tariff = target_tariff(account=account, found=found, at=now)
    delivered = collections.notice_deemed_delivered(account=account, type_code=NOTICE_TYPE, now=now)
    effective = delivered + timedelta(days=NOTICE_DAYS)
    with transaction.atomic():
        notice = letters.issue_letter(
            letter=_notice(account, found, tariff, effective, tariff_quotes.quoted_vat_rate(account), now), now=now
        )
        move = TariffMove.objects.create(
            account=account,
            reason=found.reason,
            target_tariff=tariff,
            notice=notice,
            notice_date=calendar.local_date(now),
            effective_date=effective,
            created_at=now,
        )
        audit.record(
            actor=None,
            action="payments.tariff_move_notice",
            subject=f"account {account.number}",
            customer=account.customer,
            at=now,
            before={"tariffs": [a.tariff.code for a in found.agreements]},
            after={
                "reason": found.reason,
                "tariff": tariff.code,
                "notice": notice.reference,
                "deemed_delivered": delivered.isoformat(),
                "effective_date": effective.isoformat(),
            },
        )
    return move


def give_notice(*, day: date, now: datetime) -> list[Outcome]:
    """Notice for every account found failing its tariff's payment rule on ``day`` and not given notice yet."""
    outcomes = []
    for account in _candidates(day):
        try:
            move = give_notice_to(account=account, now=now)
        except (TariffMoveProblem, letters.LetterRefused) as exc:
            outcomes.append(Outcome(account=account, move=None, problem=str(exc)))
            continue
        if move is not None:
            outcomes.append(Outcome(account=account, move=move))
    return outcomes


def _close(move: TariffMove, status: str, outcome: str, now: datetime) -> None:
    move.status = status
    move.decided_at = now
    move.outcome = outcome[:300]
    move.save(update_fields=["status", "decided_at", "outcome"])


def _move_contract(*, move: TariffMove, found: Mismatch, now: datetime) -> None:
    """Enter the account into a contract for the target tariff's product (origin TARIFF_MOVE, a contract the
    customer did not choose, so no cooling-off) and start it on the effective day: the state machine ends the live
    contract and the agreements, and places the points on the target tariff (ADR 0013)."""
    account = move.account
    live = contracts.live_contract(account)
    contract = contracts.enter_contract(
        account=account,
        product=move.target_tariff.product,
        payment_method=found.method,
        origin=Contract.Origin.TARIFF_MOVE,
        commencement_date=calendar.local_date(now),
        cooling_off_end_date=calendar.local_date(now),
        now=now,
        # A contract is followed by one other; one that was followed by a renewal since withdrawn is not linked.
        previous=live,
        summary=f"Moved to {move.target_tariff.code} for not paying as the tariff requires (T&C 9.2, 10.2)",
    )
    contracts.start_supply(
        contract=contract,
        start_date=move.effective_date,
        placements=[(agreement.supply_point, move.target_tariff) for agreement in found.agreements],
        now=now,
    )


def carry_out_move(*, move: TariffMove, now: datetime) -> TariffMove:
    """On its effective day: cancel the move if the account now pays as its tariff requires; otherwise move the
    account to a new contract on the target tariff from the start of the day, through the contract state machine,
    and, after a missed annual payment, put it on standard credit, all in one transaction.

    :raises TariffMoveProblem: the move is not pending, or the contract cannot be changed.
    """
    account = move.account
    starts_at = calendar.day_starts_at(move.effective_date)
    found = mismatch(account=account, at=starts_at)
    with transaction.atomic():
        locked = TariffMove.objects.select_for_update().filter(pk=move.pk, status=TariffMove.Status.PENDING).first()
        if locked is None:
            raise TariffMoveProblem(f"The move of account {account.number} is no longer waiting to be made.")
        if found is None or found.reason != move.reason:
            _close(locked, TariffMove.Status.CANCELLED, "The account now pays as its tariff requires.", now)
            action, after = "payments.tariff_move_cancelled", {"outcome": locked.outcome}
        else:
            try:
                _move_contract(move=locked, found=found, now=now)
                arrangement = PaymentArrangement.objects.filter(account=account).first()
                if arrangement is not None and arrangement.method != found.method:
                    arrangements.set_payment_method(
                        account=account,
                        method=found.method,
                        payment_day=None,
                        signed_up_date=arrangement.signed_up_date,
                        balance=Decimal(0),
                        actor=None,
                        now=max(now, starts_at),
                    )
            except (contracts.ContractRefused, tariff_ops.TariffRefused, arrangements.PaymentRefused) as exc:
                raise TariffMoveProblem(f"Account {account.number} cannot be moved: {exc}") from exc
            _close(locked, TariffMove.Status.DONE, f"Moved to {locked.target_tariff.code}.", now)
            action = "payments.tariff_moved"
            after = {"tariff": locked.target_tariff.code, "from": starts_at.isoformat(), "reason": move.reason}
        audit.record(
            actor=None,
            action=action,
            subject=f"account {account.number}",
            customer=account.customer,
            at=now,
            before={"tariffs": [a.tariff.code for a in found.agreements] if found else [], "status": "PENDING"},
            after={**after, "status": locked.status},
        )
    return locked


def carry_out(*, day: date, now: datetime) -> list[Outcome]:
    """Every move whose effective day has come by ``day`` (a missed day is caught up)."""
    due = TariffMove.objects.filter(status=TariffMove.Status.PENDING, effective_date__lte=day)
    outcomes = []
    for move in due.select_related("account__customer", "target_tariff").order_by("effective_date", "id"):
        try:
            outcomes.append(Outcome(account=move.account, move=carry_out_move(move=move, now=now)))
        except TariffMoveProblem as exc:
            outcomes.append(Outcome(account=move.account, move=None, problem=str(exc)))
    return outcomes
