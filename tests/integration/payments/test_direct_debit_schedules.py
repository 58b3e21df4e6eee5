"""Direct Debit schedules as ``set_up_direct_debit`` makes them, and the advance notice that announces them.

Every date below was worked out by hand from the calendar (England and Wales bank holidays for Bacs collection days;
England, Scotland and Wales for the T&C's working days), never from the code under test:

- 2027: Good Friday 26 March, Easter Monday 29 March, Early May bank holiday Monday 3 May, 1 January 2028 a Saturday
  (its holiday Monday 3 January 2028).
- Christmas 2026: Friday 25 December, Boxing Day Saturday 26 (its holiday Monday 28), New Year's Day Friday 1 January
  2027, and in Scotland 2 January (a Saturday, its holiday Monday 4 January 2027): the 4th is a Bacs day but not a
  working day.

A notice by e-mail is deemed delivered the day it is sent, a letter two working days after posting (T&C 22.3); the
first collection it announces is at least 10 working days after that (the Direct Debit Guarantee).
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hearth.data.documents.models import Delivery, Document
from hearth.data.payments.models import Collection, Mandate, PaymentArrangement
from hearth.data.tariffs.models import Tariff
from hearth.domain.payments import collections, submissions
from hearth.domain.payments import operations as payment_ops
from tests.integration.payments.support import JO, at, payer

pytestmark = pytest.mark.django_db

Method = PaymentArrangement.Method


def _set_up(tariff: Tariff, method: str, payment_day: int, day: date, notices_by: str = "email") -> Mandate:
    account = payer(tariff, notices_by=notices_by)
    return payment_ops.set_up_direct_debit(
        account=account, method=method, payment_day=payment_day, details=JO.details(), actor=None, now=at(day)
    )


def _scheduled(mandate: Mandate) -> list[Collection]:
    return list(
        Collection.objects.filter(mandate=mandate)
        .exclude(status=Collection.Status.CANCELLED)
        .order_by("collection_date")
        .select_related("notice__document_type")
    )


def _dates(mandate: Mandate) -> list[date]:
    return [collection.collection_date for collection in _scheduled(mandate)]


def _notices(mandate: Mandate) -> list[Document]:
    return list(
        Document.objects.filter(account=mandate.account, document_type__code="PAYMENT_NOTICE").order_by("issued_at")
    )


def test_a_monthly_direct_debit_collects_on_the_payment_day_or_the_next_bacs_day_twelve_times(
    tariff: Tariff,
) -> None:
    # Set up on Monday 11 January 2027 for the 1st; the notice by e-mail allows collections from Monday 25 January
    # (12, 13, 14, 15, 18, 19, 20, 21, 22, 25: ten working days).
    mandate = _set_up(tariff, Method.STANDARD_DIRECT_DEBIT, 1, date(2027, 1, 11))

    assert _dates(mandate) == [
        date(2027, 2, 1),
        date(2027, 3, 1),
        date(2027, 4, 1),
        date(2027, 5, 4),  # 1 May is a Saturday, Monday 3 May the Early May bank holiday
        date(2027, 6, 1),
        date(2027, 7, 1),
        date(2027, 8, 2),  # 1 August is a Sunday
        date(2027, 9, 1),
        date(2027, 10, 1),
        date(2027, 11, 1),
        date(2027, 12, 1),
        date(2028, 1, 4),  # 1 January 2028 a Saturday, Monday 3rd its bank holiday
    ]
    amount = PaymentArrangement.objects.get(account=mandate.account).regular_amount
    scheduled = _scheduled(mandate)
    assert amount is not None
    assert amount > 0
    assert {c.amount for c in scheduled} == {amount}
    assert [c.transaction_code for c in scheduled] == ["01"] + ["17"] * 11
    assert {c.purpose for c in scheduled} == {Collection.Purpose.MONTHLY}


def test_the_schedule_is_announced_by_a_stored_payment_notice_delivered_by_e_mail(tariff: Tariff) -> None:
    mandate = _set_up(tariff, Method.STANDARD_DIRECT_DEBIT, 1, date(2027, 1, 11))

    (notice,) = _notices(mandate)
    scheduled = _scheduled(mandate)
    assert {c.notice_id for c in scheduled} == {notice.pk}
    assert notice.file.read().startswith(b"%PDF")
    assert notice.amount == sum((c.amount for c in scheduled), Decimal(0))
    assert [d.channel for d in Delivery.objects.filter(document=notice)] == [Delivery.Channel.EMAIL]


def test_a_seasonal_direct_debit_collects_twelve_amounts_adding_up_to_twelve_standard_ones(tariff: Tariff) -> None:
    mandate = _set_up(tariff, Method.SEASONAL_DIRECT_DEBIT, 1, date(2027, 1, 11))

    arrangement = PaymentArrangement.objects.get(account=mandate.account)
    standard = arrangement.regular_amount
    assert standard is not None
    assert arrangement.seasonal_percent == 30
    scheduled = _scheduled(mandate)
    assert len(scheduled) == 12
    assert sum(c.amount for c in scheduled) == 12 * standard
    for collection in scheduled:
        winter = collection.collection_date.month in (10, 11, 12, 1, 2, 3)
        exact = standard * (Decimal("1.30") if winter else Decimal("0.70"))
        assert abs(collection.amount - exact) <= Decimal("0.005"), collection.collection_date
        assert collection.purpose == Collection.Purpose.SEASONAL


def test_an_initial_direct_debit_collects_on_day_16_then_between_days_22_and_42_then_monthly(tariff: Tariff) -> None:
    # Signed up on Monday 1 February 2027 (day 0) for the 5th: day 16 is Wednesday 17 February; days 22 to 42 run
    # from 23 February to 15 March, and the 5th in them is Friday 5 March; then the 5th monthly from at least two
    # weeks on: 5 April (Easter Monday was 29 March), 5 May, Monday 7 June (the 5th a Saturday).
    mandate = _set_up(tariff, Method.INITIAL_DIRECT_DEBIT, 5, date(2027, 2, 1))

    dates = _dates(mandate)
    assert dates[:5] == [date(2027, 2, 17), date(2027, 3, 5), date(2027, 4, 5), date(2027, 5, 5), date(2027, 6, 7)]
    assert len(dates) == 12
    purposes = [c.purpose for c in _scheduled(mandate)]
    assert purposes == [Collection.Purpose.INITIAL] * 2 + [Collection.Purpose.MONTHLY] * 10


@pytest.mark.parametrize(
    ("notices_by", "first"),
    [
        # E-mailed Thursday 10 December 2026, deemed delivered that day; ten working days on is Thursday 24
        # December (11, 14-18, 21-24). Day 16 is Saturday 26 December; the next Bacs day after Boxing Day's
        # holiday on Monday 28th is Tuesday 29th.
        ("email", date(2026, 12, 29)),
        # Posted Thursday 10th, deemed delivered Monday 14th (11, 14); ten working days on is Wednesday 30
        # December (15-18, 21-24, 29, 30): day 16's collection waits for it.
        ("post", date(2026, 12, 30)),
        ("inactive", date(2026, 12, 30)),  # a login never activated takes no e-mail: the notice is posted
        ("none", date(2026, 12, 30)),
    ],
)
def test_an_initial_direct_debits_first_collection_waits_ten_working_days_after_its_notice_is_delivered_at_christmas(
    tariff: Tariff, notices_by: str, first: date
) -> None:
    mandate = _set_up(tariff, Method.INITIAL_DIRECT_DEBIT, 5, date(2026, 12, 10), notices_by)

    # The second is the 5th inside days 22-42 (1 to 21 January 2027): Tuesday 5 January; then 5 February.
    assert _dates(mandate)[:3] == [first, date(2027, 1, 5), date(2027, 2, 5)]
    (notice,) = _notices(mandate)
    channels = {d.channel for d in Delivery.objects.filter(document=notice)}
    assert channels == ({Delivery.Channel.EMAIL} if notices_by == "email" else {Delivery.Channel.POST})


@pytest.mark.parametrize(
    ("notices_by", "first", "second"),
    [
        # Signed up Friday 18 December 2026 for the 1st: day 16 is Sunday 3 January, so Monday 4th (a Bacs day);
        # days 22-42 (9 to 29 January) hold no 1st, so day 22, Saturday 9th, moves to Monday 11th.
        # E-mailed on the 18th: ten working days on is Thursday 7 January (21-24, 29-31, 5-7; the 4th is
        # Scotland's holiday for 2 January).
        ("email", date(2027, 1, 7), date(2027, 1, 11)),
        # Posted on the 18th, deemed delivered Tuesday 22nd; ten working days on is Monday 11 January (23, 24,
        # 29-31, 5-8, 11): the first moves to the 11th, and the second to the next Bacs day, still in days 22-42.
        ("post", date(2027, 1, 11), date(2027, 1, 12)),
    ],
)
def test_an_initial_direct_debit_pushed_back_by_its_notice_never_collects_twice_on_one_day(
    tariff: Tariff, notices_by: str, first: date, second: date
) -> None:
    mandate = _set_up(tariff, Method.INITIAL_DIRECT_DEBIT, 1, date(2026, 12, 18), notices_by)

    dates = _dates(mandate)
    assert dates[:3] == [first, second, date(2027, 2, 1)]
    assert len(set(dates)) == len(dates) == 12


def _collect(mandate: Mandate, *, input_day: date, collection_day: date) -> None:
    """Send the day's Bacs file and post what was collected on its day, as the daily job does."""
    submissions.activate_lodged_mandates(day=input_day, now=at(input_day, 6))
    submissions.make_submission(processing_date=input_day, now=at(input_day, 7), started_by="test")
    collections.post_collected(day=collection_day, now=at(collection_day, 6))


def test_the_payment_day_can_change_only_once_two_payments_have_been_taken(tariff: Tariff, bacs_folder: Path) -> None:
    mandate = _set_up(tariff, Method.STANDARD_DIRECT_DEBIT, 1, date(2027, 1, 11))
    account = mandate.account
    submissions.make_submission(processing_date=date(2027, 1, 12), now=at(date(2027, 1, 12), 7), started_by="test")

    with pytest.raises(payment_ops.PaymentRefused, match="from the third payment onwards"):
        payment_ops.change_payment_day(account=account, payment_day=15, actor=None, now=at(date(2027, 1, 20)))
    _collect(mandate, input_day=date(2027, 1, 28), collection_day=date(2027, 2, 1))  # first payment, 1 February
    with pytest.raises(payment_ops.PaymentRefused, match="from the third payment onwards"):
        payment_ops.change_payment_day(account=account, payment_day=15, actor=None, now=at(date(2027, 2, 2)))
    _collect(mandate, input_day=date(2027, 2, 25), collection_day=date(2027, 3, 1))  # second payment, 1 March
    assert Collection.objects.filter(mandate=mandate, status=Collection.Status.COLLECTED).count() == 2

    # Asked on Friday 19 March 2027: the new notice allows collections from Tuesday 6 April (22-25, 30, 31,
    # 1, 2, 5, 6: Good Friday and Easter Monday are not working days). 1 April was announced by the first notice
    # and stays; from 6 April on, the 15th replaces the 1st.
    (first_notice,) = _notices(mandate)
    payment_ops.change_payment_day(account=account, payment_day=15, actor=None, now=at(date(2027, 3, 19)))

    notices = _notices(mandate)
    assert len(notices) == 2
    scheduled = _scheduled(mandate)
    assert [(c.collection_date, c.notice_id) for c in scheduled if c.notice_id == first_notice.pk] == [
        (date(2027, 2, 1), first_notice.pk),
        (date(2027, 3, 1), first_notice.pk),
        (date(2027, 4, 1), first_notice.pk),
    ]
    assert [c.collection_date for c in scheduled if c.notice_id == notices[1].pk] == [
        date(2027, 4, 15),
        date(2027, 5, 17),  # the 15th a Saturday
        date(2027, 6, 15),
        date(2027, 7, 15),
        date(2027, 8, 16),  # a Sunday
        date(2027, 9, 15),
        date(2027, 10, 15),
        date(2027, 11, 15),
        date(2027, 12, 15),
        date(2028, 1, 17),  # a Saturday
        date(2028, 2, 15),
        date(2028, 3, 15),
    ]
    replaced = Collection.objects.filter(mandate=mandate, status=Collection.Status.CANCELLED)
    assert sorted(c.collection_date for c in replaced)[0] == date(2027, 5, 4)
    assert all(c.collection_date >= date(2027, 4, 6) for c in replaced)
    assert PaymentArrangement.objects.get(account=account).payment_day == 15
