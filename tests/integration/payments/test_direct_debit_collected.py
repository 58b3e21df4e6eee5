"""Collections sent to the bank are paid on their collection day: one ledger payment each, never two."""

from datetime import date
from pathlib import Path

import pytest

from hearth.data.billing.models import LedgerEntry
from hearth.data.payments.models import Collection, Mandate
from hearth.data.tariffs.models import Tariff
from hearth.domain.billing import queries as billing_queries
from hearth.domain.payments import collections, submissions
from hearth.domain.payments import operations as payment_ops
from tests.integration.payments.support import JO, SAM, BankAccount, at, payer

pytestmark = pytest.mark.django_db


def _direct_debit(tariff: Tariff, bank: BankAccount, payment_day: int) -> Mandate:
    return payment_ops.set_up_direct_debit(
        account=payer(tariff),
        method=payment_ops.Method.STANDARD_DIRECT_DEBIT,
        payment_day=payment_day,
        details=bank.details(),
        actor=None,
        now=at(date(2027, 1, 11)),
    )


def _payments(mandate: Mandate) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(account=mandate.account, kind=LedgerEntry.Kind.PAYMENT))


@pytest.fixture
def sent(tariff: Tariff, bacs_folder: Path) -> tuple[Mandate, Mandate]:
    """Two Direct Debits, on the 1st and the 2nd, whose February collections are with the bank."""
    first, second = _direct_debit(tariff, JO, 1), _direct_debit(tariff, SAM, 2)
    for day in (date(2027, 1, 12), date(2027, 1, 28), date(2027, 1, 29)):  # lodged, then collecting 1 and 2 Feb
        submissions.activate_lodged_mandates(day=day, now=at(day, 6))
        submissions.make_submission(processing_date=day, now=at(day, 7), started_by="test")
    return first, second


def test_a_collection_is_paid_on_its_collection_day_with_one_ledger_payment(sent: tuple[Mandate, Mandate]) -> None:
    first, second = sent
    february = Collection.objects.get(mandate=first, collection_date=date(2027, 2, 1))
    owed_before = billing_queries.balance_of(first.account)

    assert collections.post_collected(day=date(2027, 1, 31), now=at(date(2027, 1, 31), 6)) == []
    paid = collections.post_collected(day=date(2027, 2, 1), now=at(date(2027, 2, 1), 6))

    assert [c.pk for c in paid] == [february.pk]
    (payment,) = _payments(first)
    assert payment.amount == -february.amount
    assert billing_queries.balance_of(first.account) == owed_before - february.amount
    february.refresh_from_db()
    assert (february.status, february.payment_id) == (Collection.Status.COLLECTED, payment.pk)
    assert _payments(second) == []  # its day is Tuesday 2nd


def test_posting_the_collected_payments_again_posts_none_more(sent: tuple[Mandate, Mandate]) -> None:
    first, second = sent
    collections.post_collected(day=date(2027, 2, 2), now=at(date(2027, 2, 2), 6))
    posted = LedgerEntry.objects.count()

    again = collections.post_collected(day=date(2027, 2, 2), now=at(date(2027, 2, 2), 9))
    later = collections.post_collected(day=date(2027, 2, 5), now=at(date(2027, 2, 5), 6))

    assert (again, later) == ([], [])
    assert LedgerEntry.objects.count() == posted
    assert (len(_payments(first)), len(_payments(second))) == (1, 1)
