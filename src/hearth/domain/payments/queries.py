"""Reading an account's payments: its arrangement, mandate, schedule, history, refunds and reviews.

Every read starts from the account, so an id guessed from a URL never reaches another account's payment.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from hearth.data.accounts.models import Account
from hearth.data.payments.models import (
    BacsReport,
    BacsReportItem,
    BacsSubmission,
    CardPayment,
    Collection,
    DirectDebitReview,
    Mandate,
    PaymentArrangement,
    Refund,
    TariffMove,
)
from hearth.domain.billing import sql
from hearth.domain.payments import arrangements, methods

OPEN_REFUND_STATUSES = (Refund.Status.REQUESTED, Refund.Status.WAITING_FINAL_BILL, Refund.Status.APPROVED)


@dataclass(frozen=True, slots=True)
class NextPayment:
    amount: Decimal
    on: date
    how: str


def arrangement_of(account: Account) -> PaymentArrangement | None:
    return PaymentArrangement.objects.filter(account=account).first()


def method_of(account: Account) -> str:
    """The account's payment method code (standard credit when it has no arrangement, T&C 9.3)."""
    arrangement = arrangement_of(account)
    return arrangement.method if arrangement is not None else methods.DEFAULT_METHOD


def current_mandate(account: Account) -> Mandate | None:
    return (
        Mandate.objects.filter(
            account=account, status__in=[Mandate.Status.PENDING, Mandate.Status.LODGED, Mandate.Status.LIVE]
        )
        .order_by("-id")
        .first()
    )


UPCOMING_STATUSES = (Collection.Status.SCHEDULED, Collection.Status.SUBMITTED)


def upcoming_collections(account: Account) -> QuerySet[Collection]:
    return Collection.objects.filter(account=account, status__in=UPCOMING_STATUSES).order_by("collection_date", "id")


def collection_history(account: Account, limit: int = 24) -> list[Collection]:
    return list(
        Collection.objects.filter(account=account)
        .exclude(status__in=[*UPCOMING_STATUSES, Collection.Status.CANCELLED])
        .order_by("-collection_date", "-id")[:limit]
    )


def collection_of_account(account: Account, collection_id: int) -> Collection | None:
    return Collection.objects.filter(account=account, pk=collection_id).first()


def card_payments_of(account: Account, limit: int = 24) -> list[CardPayment]:
    return list(CardPayment.objects.filter(account=account).order_by("-created_at", "-id")[:limit])


def refunds_of(account: Account) -> list[Refund]:
    return list(Refund.objects.filter(account=account).order_by("-requested_at", "-id"))


def open_refund_of(account: Account) -> Refund | None:
    """The account's refund still on its way (there is at most one)."""
    return Refund.objects.filter(account=account, status__in=OPEN_REFUND_STATUSES).first()


def reviews_of(account: Account, limit: int = 4) -> list[DirectDebitReview]:
    return list(DirectDebitReview.objects.filter(account=account).order_by("-review_date", "-id")[:limit])


def next_payment(account: Account) -> NextPayment | None:
    """The next Direct Debit collection (the first of ``upcoming_collections``), or None (the bill's due date is the
    next payment then). A plain cursor (the dashboard's): Django took longer to build the query than to run it."""
    collection_of = sql.reader(Collection, "t")
    of_status, statuses = sql.among("t.status", UPCOMING_STATUSES)
    rows = sql.select(
        f"SELECT t.amount, t.collection_date FROM {Collection._meta.db_table} t "  # noqa: S608 - the model's table
        f"WHERE t.account_id = %s AND {of_status} ORDER BY t.collection_date, t.id LIMIT 1",
        [account.pk, *statuses],
    )
    if not rows:
        return None
    amount, on = rows[0]
    return NextPayment(
        amount=collection_of.value("amount", amount), on=collection_of.value("collection_date", on), how="Direct Debit"
    )


def payments_taken(account: Account) -> int:
    return arrangements.payments_taken(account)


# --- Care: the Bacs side --------------------------------------------------------------------------------------------


def submissions(limit: int = 30) -> list[BacsSubmission]:
    return list(BacsSubmission.objects.order_by("-processing_date", "-id")[:limit])


def submission_by_id(submission_id: int) -> BacsSubmission | None:
    return BacsSubmission.objects.filter(pk=submission_id).first()


def reports(limit: int = 30) -> list[BacsReport]:
    return list(BacsReport.objects.order_by("-received_at", "-id")[:limit])


def report_by_id(report_id: int) -> BacsReport | None:
    return BacsReport.objects.filter(pk=report_id).first()


def items_of(report: BacsReport) -> list[BacsReportItem]:
    return list(BacsReportItem.objects.filter(report=report).order_by("line", "id"))


def kept_items() -> list[BacsReportItem]:
    """Report entries nothing could be done with, for care to work through (oldest first)."""
    return list(
        BacsReportItem.objects.filter(outcome=BacsReportItem.Outcome.KEPT).select_related("report").order_by("id")
    )


def report_item_by_id(item_id: int) -> BacsReportItem | None:
    return BacsReportItem.objects.filter(pk=item_id).first()


def open_refunds() -> list[Refund]:
    """Refunds waiting for care or for payment, the oldest due first."""
    return list(
        Refund.objects.filter(status__in=OPEN_REFUND_STATUSES)
        .select_related("account__customer")
        .order_by("due_date", "id")
    )


def refund_by_id(refund_id: int) -> Refund | None:
    return Refund.objects.filter(pk=refund_id).select_related("account__customer").first()


def pending_tariff_move(account: Account) -> TariffMove | None:
    """The tariff move the account has been given notice of and that is still to come (T&C 9.2, 10.2)."""
    return (
        TariffMove.objects.filter(account=account, status=TariffMove.Status.PENDING)
        .select_related("target_tariff__product", "notice")
        .first()
    )
