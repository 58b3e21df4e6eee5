"""How an account pays (T&C 9.1, 9.2): the method its tariff allows, amounts worked out from its expected use, the
payment day changed only from the third payment (9.1.6), and every change in the audit trail with before and after.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import LedgerEntry
from hearth.data.payments.models import Collection, Mandate, PaymentArrangement
from hearth.data.tariffs.models import PaymentMethod
from hearth.domain.payments import arrangements, estimates, operations
from tests.integration.payments.account_support import (
    at,
    documents_in_tmp_fixture,  # noqa: F401  (a fixture)
    monthly_direct_debit,
    post,
    supplied_account,
    tariff,
    to_pennies_up,
)

pytestmark = pytest.mark.django_db

Method = PaymentArrangement.Method
NOW = at(date(2026, 10, 15))
SIGNED_UP = date(2026, 10, 1)


def set_method(account, method, *, payment_day=1, balance=Decimal("0.00")):
    return arrangements.set_payment_method(
        account=account,
        method=method,
        payment_day=payment_day,
        signed_up_date=SIGNED_UP,
        balance=balance,
        actor=None,
        now=NOW,
    )


def test_a_product_sold_for_direct_debit_refuses_pay_on_receipt_of_bill_with_the_reason():
    account = supplied_account(tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,)))
    with pytest.raises(arrangements.PaymentRefused) as refused:
        set_method(account, Method.STANDARD_CREDIT, payment_day=None)
    words = str(refused.value)
    assert "must be paid by monthly direct debit (T&C 9.2)" in words
    assert "42 days' notice (T&C 10.2)" in words
    assert not PaymentArrangement.objects.exists()
    assert not AuditEvent.objects.filter(action="payments.method_set").exists()


def test_the_monthly_direct_debit_is_the_years_cost_and_the_balance_over_12_rounded_up_to_the_penny():
    account = supplied_account(tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,)), annual_kwh="3100")
    owed = Decimal("37.45")
    post(account, LedgerEntry.Kind.CHARGE, str(owed), at(date(2026, 10, 2)))
    annual_cost = estimates.annual_estimate(account=account, at=NOW).annual_cost
    arrangement = set_method(account, Method.STANDARD_DIRECT_DEBIT, payment_day=12, balance=owed)
    expected = to_pennies_up((annual_cost + owed) / 12)
    assert arrangement.regular_amount == expected
    assert 12 * expected >= annual_cost + owed > 12 * (expected - Decimal("0.01"))  # covers it, by under 12p
    assert (arrangement.payment_day, arrangement.seasonal_percent, arrangement.annual_amount) == (12, 0, None)


def test_seasonal_direct_debit_moves_30_percent_between_winter_and_summer():
    account = supplied_account(tariff())
    arrangement = set_method(account, Method.SEASONAL_DIRECT_DEBIT, payment_day=5)
    annual_cost = estimates.annual_estimate(account=account, at=NOW).annual_cost
    assert arrangement.seasonal_percent == 30
    assert arrangement.regular_amount == to_pennies_up(annual_cost / 12)


@pytest.mark.parametrize("method", [Method.ANNUAL_DIRECT_DEBIT, Method.ANNUAL_CARD])
def test_an_annual_payment_is_the_years_cost_due_on_the_last_day_of_cooling_off(method):
    account = supplied_account(tariff())
    arrangement = set_method(account, method, payment_day=None)
    annual_cost = estimates.annual_estimate(account=account, at=NOW).annual_cost
    assert arrangement.annual_amount == annual_cost
    # Signed up on 1 October 2026: the 14 days of cooling-off are 2 to 15 October, so it is due by 15 October.
    assert arrangement.annual_due_date == date(2026, 10, 15)
    assert (arrangement.regular_amount, arrangement.payment_day) == (None, None)


def test_every_change_of_method_is_audited_with_before_and_after():
    account = supplied_account(tariff())
    first = set_method(account, Method.STANDARD_DIRECT_DEBIT, payment_day=12)
    set_method(account, Method.ANNUAL_DIRECT_DEBIT, payment_day=None)
    events = list(AuditEvent.objects.filter(action="payments.method_set").order_by("id"))
    assert [event.subject for event in events] == [f"account {account.number}"] * 2
    assert events[0].before == {"method": "STANDARD_CREDIT"}  # no arrangement: pay on receipt of bill (T&C 9.3)
    assert events[0].after["method"] == "STANDARD_DIRECT_DEBIT"
    assert events[0].after["payment_day"] == "12"
    assert events[0].after["regular_amount"] == str(first.regular_amount)
    assert events[1].before == events[0].after
    assert events[1].after["method"] == "ANNUAL_DIRECT_DEBIT"
    assert events[1].after["payment_day"] == ""
    assert all(event.customer == account.customer for event in events)


def collected(mandate: Mandate, *days: date) -> None:
    for day in days:
        Collection.objects.create(
            account=mandate.account,
            mandate=mandate,
            purpose=Collection.Purpose.MONTHLY,
            transaction_code="17",
            amount=Decimal("80.00"),
            collection_date=day,
            status=Collection.Status.COLLECTED,
            scheduled_at=at(day - timedelta(days=20)),
        )


@pytest.mark.parametrize("taken", [0, 1])
def test_the_payment_day_cannot_change_before_two_payments_are_taken(taken):
    account = supplied_account(tariff())
    mandate = monthly_direct_debit(account, amount="80.00", payment_day=1)
    collected(mandate, *[date(2026, 9, 1), date(2026, 10, 1)][:taken])
    with pytest.raises(arrangements.PaymentRefused) as refused:
        operations.change_payment_day(account=account, payment_day=20, actor=None, now=at(date(2026, 11, 2)))
    assert "from the third payment onwards (T&C 9.1.6)" in str(refused.value)
    assert PaymentArrangement.objects.get(account=account).payment_day == 1
    assert not AuditEvent.objects.filter(action="payments.payment_day_changed").exists()


@pytest.mark.usefixtures("documents_in_tmp")
def test_after_two_payments_the_payment_day_changes_with_a_notice_of_the_new_dates():
    account = supplied_account(tariff())
    mandate = monthly_direct_debit(account, amount="80.00", payment_day=1)
    collected(mandate, date(2026, 9, 1), date(2026, 10, 1))
    made = operations.change_payment_day(account=account, payment_day=20, actor=None, now=at(date(2026, 11, 2)))
    # No login takes the notice by e-mail, so it is posted on Mon 2 Nov and deemed delivered two working days later,
    # Wed 4 Nov; ten working days after that is Wed 18 Nov. The first day 20 on or after it is Fri 20 Nov; 20 Dec is
    # a Sunday, so December's is Mon 21 Dec; 20 Jan 2027 is a Wednesday.
    assert [c.collection_date for c in made[:3]] == [date(2026, 11, 20), date(2026, 12, 21), date(2027, 1, 20)]
    assert all(c.amount == Decimal("80.00") and c.notice is not None for c in made)
    assert PaymentArrangement.objects.get(account=account).payment_day == 20
    event = AuditEvent.objects.get(action="payments.payment_day_changed")
    assert (event.before["payment_day"], event.after["payment_day"]) == ("1", "20")
