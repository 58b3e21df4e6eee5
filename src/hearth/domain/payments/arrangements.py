"""Setting how an account pays (T&C 9.1, 9.2), changing the payment day (9.1.6), and Direct Debit mandates.

Every change is audited with the state before and after. Bank account numbers are sealed before they are stored and
only their last two digits ever reach an audit record, a page or a log.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from django.conf import settings
from django.db import IntegrityError, transaction

from hearth.common import calendar, modulus, sealed
from hearth.data.accounts.models import Account
from hearth.data.identity.models import User
from hearth.data.payments.models import Collection, Mandate, PaymentArrangement
from hearth.data.tariffs.models import Agreement
from hearth.data.tariffs.models import PaymentMethod as TariffPaymentMethod
from hearth.domain.accounts import queries as account_queries
from hearth.domain.audit import operations as audit
from hearth.domain.payments import estimates, methods, schedule
from hearth.domain.tariffs import queries as tariff_queries

Method = PaymentArrangement.Method

SEASONAL_PERCENT: Final = 30
"""A new seasonal Direct Debit's winter uplift and summer reduction (T&C 9.1.2 allows up to 50 %)."""

BACS_NAME_LENGTH: Final = 18


class PaymentRefused(Exception):
    """The payment change cannot be made; the message says why in words the customer or care staff understand.

    ``field`` names what was typed wrong (``holder_name``, ``sort_code``, ``account_number``), so a form can show
    the message beside it; None when the refusal is about the account, not what was typed.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class BankDetails:
    """A payer's bank account as typed: checked by :func:`checked_bank_details` before anything stores it."""

    holder_name: str
    sort_code: str
    account_number: str


def _subject(account: Account) -> str:
    return f"account {account.number}"


def _snapshot(arrangement: PaymentArrangement | None) -> dict[str, str]:
    if arrangement is None:
        return {"method": methods.DEFAULT_METHOD}
    return {
        "method": arrangement.method,
        "payment_day": str(arrangement.payment_day or ""),
        "regular_amount": str(arrangement.regular_amount or ""),
        "seasonal_percent": str(arrangement.seasonal_percent),
        "annual_amount": str(arrangement.annual_amount or ""),
    }


def current_agreements(*, account: Account, at: datetime) -> list[Agreement]:
    """Each current supply point's agreement in force at ``at`` (products selected: their payment rules are read)."""
    supply_points = account_queries.current_supply_points(account=account)
    found = (tariff_queries.agreement_at(supply_point=point, at=at) for point in supply_points.order_by("id"))
    return [agreement for agreement in found if agreement is not None]


def _check_tariff_allows(account: Account, method: str, at: datetime) -> None:
    """T&C 9.2: a product sold for certain payment methods must be paid by one of them; moving to a product that
    allows another is a contract change (T&C 10.2: 42 days' notice)."""
    for agreement in current_agreements(account=account, at=at):
        product = agreement.tariff.product
        if not methods.product_allows(product, method):
            words = " or ".join(TariffPaymentMethod(code).label.lower() for code in methods.product_methods(product))
            raise PaymentRefused(
                f"{product.display_name} must be paid by {words} (T&C 9.2). To pay by "
                f"{Method(method).label.lower()}, the account first moves to a tariff that allows it, with 42 days' "
                "notice (T&C 10.2)."
            )


def _fixed_term_end(account: Account, at: datetime) -> date | None:
    ends = [
        calendar.local_date(agreement.valid_to)
        for agreement in current_agreements(account=account, at=at)
        if agreement.valid_to is not None and agreement.tariff.product.kind == "FIXED"
    ]
    return min(ends) if ends else None


def _amounts(
    account: Account,
    method: str,
    commencement: date,
    at: datetime,
    balance: Decimal,
    estimate: estimates.AnnualEstimate | None,
) -> dict[str, Decimal | date | int | None]:
    """The arrangement's amounts for ``method``, worked out from the estimate (never typed in, T&C 9.4.1)."""
    if method not in methods.DIRECT_DEBIT_METHODS and method != Method.ANNUAL_CARD:
        return {"regular_amount": None, "annual_amount": None, "annual_due_date": None, "seasonal_percent": 0}
    try:
        estimate = estimate or estimates.annual_estimate(account=account, at=at)
    except estimates.EstimateUnavailable as exc:
        raise PaymentRefused(f"We cannot work out a payment amount yet: {exc}") from exc
    if method in methods.ANNUAL_METHODS:
        term_end = _fixed_term_end(account, at)
        months = estimate.months
        if term_end is not None:
            months = tuple(month for month in months if month.month < term_end) or months[:1]
        return {
            "regular_amount": None,
            "annual_amount": schedule.annual_amount(term_cost=sum((m.cost for m in months), Decimal("0.00"))),
            "annual_due_date": schedule.annual_due_date(commencement=commencement),
            "seasonal_percent": 0,
        }
    return {
        "regular_amount": schedule.standard_monthly_amount(annual_cost=estimate.annual_cost, balance=balance),
        "annual_amount": None,
        "annual_due_date": None,
        "seasonal_percent": SEASONAL_PERCENT if method == Method.SEASONAL_DIRECT_DEBIT else 0,
    }


def set_payment_method(
    *,
    account: Account,
    method: str,
    payment_day: int | None,
    signed_up_date: date,
    balance: Decimal,
    actor: User | None,
    now: datetime,
    estimate: estimates.AnnualEstimate | None = None,
) -> PaymentArrangement:
    """Put ``account`` on ``method`` with amounts worked out from its expected use (T&C 9.1, 9.4.1).

    ``signed_up_date`` is the day the initial Direct Debit counts from (T&C 9.1.5); ``balance`` what the account owes
    now (negative: in credit), which the monthly amount takes into account. ``estimate`` is the expected use of an
    account not supplied yet (a sign-up: ``estimates.tariff_estimate`` of the tariffs signed up to); otherwise it is
    worked out from the account's current tariffs.

    :raises PaymentRefused: an unknown method, a tariff that requires another method (T&C 9.2), a Direct Debit
        without a payment day from 1 to 28, or no estimate possible.
    """
    if method not in Method.values:
        raise PaymentRefused(f"There is no payment method {method!r}.")
    monthly = method in methods.MONTHLY_METHODS
    if monthly and (payment_day is None or not 1 <= payment_day <= 28):
        raise PaymentRefused("Choose the day of the month for your Direct Debit, from the 1st to the 28th.")
    _check_tariff_allows(account, method, now)
    amounts = _amounts(account, method, signed_up_date, now, balance, estimate)
    with transaction.atomic():
        arrangement = (
            PaymentArrangement.objects.select_for_update().filter(account=account).first()  # one change at a time
        )
        before = _snapshot(arrangement)
        if arrangement is None:
            arrangement = PaymentArrangement(account=account)
        arrangement.method = method
        arrangement.payment_day = payment_day if monthly else None
        arrangement.signed_up_date = signed_up_date
        arrangement.regular_amount = amounts["regular_amount"]  # type: ignore[assignment]
        arrangement.annual_amount = amounts["annual_amount"]  # type: ignore[assignment]
        arrangement.annual_due_date = amounts["annual_due_date"]  # type: ignore[assignment]
        arrangement.seasonal_percent = amounts["seasonal_percent"]  # type: ignore[assignment]
        arrangement.updated_at = now
        arrangement.save()
        audit.record(
            actor=actor,
            action="payments.method_set",
            subject=_subject(account),
            customer=account.customer,
            at=now,
            before=before,
            after=_snapshot(arrangement),
        )
    return arrangement


def payments_taken(account: Account) -> int:
    """Direct Debit collections the customer has paid (collected and not returned)."""
    return Collection.objects.filter(account=account, status=Collection.Status.COLLECTED).count()


def change_payment_day(
    *, arrangement: PaymentArrangement, payment_day: int, actor: User | None, now: datetime
) -> PaymentArrangement:
    """Move the monthly collection to ``payment_day`` (T&C 9.1.6: from the third payment onwards).

    :raises PaymentRefused: not a monthly Direct Debit, a day outside 1-28, or fewer than two payments taken.
    """
    if arrangement.method not in methods.MONTHLY_METHODS:
        raise PaymentRefused("Only a monthly Direct Debit has a payment day to change.")
    if not 1 <= payment_day <= 28:
        raise PaymentRefused("Choose a day from the 1st to the 28th of the month.")
    if not schedule.payment_day_change_allowed(payments_taken=payments_taken(arrangement.account)):
        raise PaymentRefused(schedule.PAYMENT_DAY_CHANGE_REFUSED)
    if payment_day == arrangement.payment_day:
        raise PaymentRefused(f"Your payments are already taken on day {payment_day} of the month.")
    with transaction.atomic():
        before = _snapshot(arrangement)
        arrangement.payment_day = payment_day
        if arrangement.method == Method.INITIAL_DIRECT_DEBIT:
            arrangement.method = Method.STANDARD_DIRECT_DEBIT  # past its first two payments it is a standard one
        arrangement.updated_at = now
        arrangement.save(update_fields=["payment_day", "method", "updated_at"])
        audit.record(
            actor=actor,
            action="payments.payment_day_changed",
            subject=_subject(arrangement.account),
            customer=arrangement.account.customer,
            at=now,
            before=before,
            after=_snapshot(arrangement),
        )
    return arrangement


# --- Mandates ------------------------------------------------------------------------------------------------------


def _bacs_text(text: str, length: int) -> str:
    """Upper-case Bacs characters only (A-Z, 0-9, space, . & / -), cut to ``length``."""
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .&/-")
    return "".join(ch for ch in text.upper() if ch in allowed).strip()[:length]


def checked_bank_details(details: BankDetails) -> BankDetails:
    """The details normalised (sort code 6 digits, account number 8), or PaymentRefused saying what is wrong.

    The modulus check (Vocalink's rules) passing means such an account could exist, not that it does.
    """
    holder = _bacs_text(details.holder_name, BACS_NAME_LENGTH)
    if not holder:
        raise PaymentRefused("Give the name on the bank account, as the bank has it.", field="holder_name")
    result = modulus.check(details.sort_code, details.account_number)
    if not result.valid:
        # A pair that does not match is shown at the account number, the one more often mistyped.
        raise PaymentRefused(result.reason, field=result.field or "account_number")
    return BankDetails(holder_name=holder, sort_code=result.sort_code, account_number=result.account_number)


def seal_account_number(account_number: str) -> str:
    return sealed.seal(account_number, keys=settings.HEARTH_BANK_DETAILS_KEYS)


def _mandate_reference(account: Account) -> str:
    """``HRTH<account number>-<n>``: unique, stable, within Bacs's 18 characters."""
    count = Mandate.objects.filter(account=account).count()
    return f"HRTH{account.number}-{count + 1}"[:18]


def _end_mandate(mandate: Mandate, *, reason: str, by_bank: bool, now: datetime) -> None:
    mandate.status = Mandate.Status.CANCELLED
    mandate.ended_at = now
    mandate.end_reason = reason[:300]
    mandate.ended_by_bank = by_bank
    mandate.save(update_fields=["status", "ended_at", "end_reason", "ended_by_bank"])
    Collection.objects.filter(mandate=mandate, status=Collection.Status.SCHEDULED).update(
        status=Collection.Status.CANCELLED, outcome=f"Direct Debit cancelled: {reason}"[:300]
    )


def set_up_mandate(*, account: Account, details: BankDetails, actor: User | None, now: datetime) -> Mandate:
    """A new Direct Debit Instruction for ``account``, replacing any current one (its collections move with it).

    :raises PaymentRefused: bank details that fail the checks.
    """
    checked = checked_bank_details(details)
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()  # one mandate change at a time
        current = Mandate.objects.filter(
            account=account, status__in=[Mandate.Status.PENDING, Mandate.Status.LODGED, Mandate.Status.LIVE]
        ).first()
        moving: list[int] = []
        if current is not None:
            moving = list(
                Collection.objects.filter(mandate=current, status=Collection.Status.SCHEDULED).values_list(
                    "id", flat=True
                )
            )
            Collection.objects.filter(pk__in=moving).update(status=Collection.Status.CANCELLED, outcome="")
            _end_mandate(current, reason="Replaced by new bank details", by_bank=False, now=now)
        try:
            mandate = Mandate.objects.create(
                account=account,
                reference=_mandate_reference(account),
                holder_name=checked.holder_name,
                sort_code=checked.sort_code,
                account_number_sealed=seal_account_number(checked.account_number),
                account_number_last2=checked.account_number[-2:],
                created_at=now,
            )
        except IntegrityError as exc:
            raise PaymentRefused("These bank details were changed at the same moment; try again.") from exc
        for index, collection in enumerate(Collection.objects.filter(pk__in=moving).order_by("collection_date", "id")):
            collection.pk = None
            collection.mandate = mandate
            collection.transaction_code = "01" if index == 0 else "17"  # a new instruction's first collection is 01
            collection.status = Collection.Status.SCHEDULED
            collection.scheduled_at = now
            collection.save(force_insert=True)
        audit.record(
            actor=actor,
            action="payments.mandate_set_up",
            subject=_subject(account),
            customer=account.customer,
            at=now,
            before={"mandate": current.reference} if current else {},
            after={
                "mandate": mandate.reference,
                "sort_code": mandate.sort_code,
                "account_number": f"ending {mandate.account_number_last2}",
            },
        )
    return mandate


def cancel_mandate(*, mandate: Mandate, reason: str, by_bank: bool, actor: User | None, now: datetime) -> Mandate:
    """End the Direct Debit: its scheduled collections are cancelled and the account pays by standard credit.

    A cancellation by the customer or care sends a 0C record in the next submission; one the bank reported
    (ADDACS, AUDDIS) does not. The customer is told by the caller, who knows why.

    :raises PaymentRefused: the mandate has already ended.
    """
    if mandate.status in (Mandate.Status.CANCELLED, Mandate.Status.REJECTED):
        raise PaymentRefused(f"Direct Debit {mandate.reference} has already ended.")
    with transaction.atomic():
        before = {"mandate": mandate.reference, "status": mandate.status}
        _end_mandate(mandate, reason=reason, by_bank=by_bank, now=now)
        arrangement = PaymentArrangement.objects.filter(account=mandate.account).first()
        if arrangement is not None and arrangement.method in methods.DIRECT_DEBIT_METHODS:
            arrangement.method = Method.STANDARD_CREDIT
            arrangement.payment_day = None
            arrangement.regular_amount = None
            arrangement.updated_at = now
            arrangement.save(update_fields=["method", "payment_day", "regular_amount", "updated_at"])
        audit.record(
            actor=actor,
            action="payments.mandate_cancelled",
            subject=_subject(mandate.account),
            customer=mandate.account.customer,
            at=now,
            before=before,
            after={"status": mandate.status, "reason": mandate.end_reason, "by_bank": by_bank},
        )
    return mandate
