"""The dashboard as a customer reads it: balance, latest bill with its status, next payment, the months' use in kWh and
pounds, the estimated-reading prompt, and a fixed number of queries however many bills and readings there are.

The test tariff is 25p a kWh and 50p a day before VAT; a household pays 5% VAT. Every figure is worked out by hand.
"""

import re
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hearth.data.billing.models import BillLine
from hearth.data.metering.models import Meter, RegisterReading
from hearth.domain.billing import operations as billing_ops
from tests.integration.billing.invoice_support import Line, at_local, make_bill, reading
from tests.integration.billing.run_support import billable_account, single_rate_tariff
from tests.integration.conftest import PASSWORD, Builder, sign_in

pytestmark = pytest.mark.django_db

NOW = at_local(date(2026, 11, 15), time(12, 0))
EMAIL = "dana.ash@example.com"


def _page(response: Any) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _october_bill(account: Any, *, estimated: bool) -> Any:
    """October: 300 kWh at £0.25 = £75.00, 31 days at £0.50 = £15.50, VAT 5% of £90.50 = £4.53; £95.03."""
    return make_bill(
        account,
        lines=[
            Line(BillLine.Kind.ENERGY, "Electricity used", Decimal(300), "kWh", Decimal("0.25"), Decimal("0.05")),
            Line(BillLine.Kind.STANDING, "Standing charge", Decimal(31), "days", Decimal("0.50"), Decimal("0.05")),
            Line(BillLine.Kind.VAT, "VAT at 5%", Decimal("90.50"), "£", Decimal("0.05")),
        ],
        estimated=estimated,
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 11, 16),
    )


@pytest.fixture
def account(build: Builder) -> Any:
    account = billable_account(
        single_rate_tariff(valid_from_date=date(2026, 9, 1)),
        number="9500000011",
        supply_start_date=date(2026, 9, 1),
        readings=[(date(2026, 10, 1), Decimal(1250)), (date(2026, 11, 1), Decimal(1550))],
    )
    register = account.supplies.get().supply_point.meters.get().registers.get()
    reading(register, "1650", RegisterReading.Kind.CUSTOMER, date(2026, 11, 11))
    build.activated_login(EMAIL, account)
    return account


@pytest.fixture
def traveller() -> Any:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _signed_in(client: Client) -> Client:
    assert sign_in(client, EMAIL, PASSWORD).status_code == 302
    return client


def test_the_dashboard_leads_with_money_and_the_months_use(client: Client, account: Any, traveller: Any) -> None:
    _october_bill(account, estimated=False)
    page = _page(_signed_in(client).get("/"))
    assert "Balance £95.03 to pay This is what you owe us now" in page
    assert "Latest bill £95.03 Due For 1 Oct 2026 to 31 Oct 2026" in page
    assert "due by 16 November 2026" in page
    # No Direct Debit or plan: the next payment is the unpaid bill by its due date.
    assert "Next payment £95.03 on 16 November 2026" in page
    # November so far: 100 kWh over 1-10 Nov, £25.00 + £5.00 + 5% = £31.50; October 300 kWh, £95.03.
    assert "November 2026 so far 1 Nov to 10 Nov (10) 100 kWh £31.50" in page
    assert "October 2026 1 Oct to 31 Oct (31) 300 kWh £95.03" in page
    # £3.15 a day against £95.03 / 31 = £3.0655 a day: 8p a day more.
    assert "You are spending £0.08 a day more than last month." in page
    assert "Your latest bill is estimated" not in page


def test_a_paid_bill_says_paid_and_leaves_nothing_to_pay(client: Client, account: Any, traveller: Any) -> None:
    bill = _october_bill(account, estimated=False)
    billing_ops.record_payment(
        account=account,
        amount=Decimal("95.03"),
        reference="BANK-1",
        reason="Bank transfer",
        actor=None,
        now=at_local(date(2026, 11, 10)),
    )
    page = _page(_signed_in(client).get("/"))
    assert (
        f"Latest bill £95.03 Paid For 1 Oct 2026 to 31 Oct 2026, issued 2 November 2026. See bill {bill.reference}"
        in page
    )
    assert "Balance £0.00 You owe nothing" in page
    assert re.search(r"Nothing to pay now\. Your payment method: [A-Z][a-z]", page)  # read only when shown


def test_an_estimated_bill_on_a_meter_read_by_hand_asks_for_a_reading(
    client: Client, account: Any, traveller: Any
) -> None:
    _october_bill(account, estimated=True)
    response = _signed_in(client).get("/")
    page = _page(response)
    assert "Your latest bill is estimated" in page
    assert "Give us a reading and your next bill uses it instead." in page
    assert 'href="/services/meter-reading/"' in response.content.decode()


def test_an_estimated_bill_on_a_smart_meter_explains_that_nothing_is_needed(
    client: Client, account: Any, traveller: Any
) -> None:
    Meter.objects.filter(supply_point__supplies__account=account).update(kind=Meter.Kind.SMART)
    _october_bill(account, estimated=True)
    page = _page(_signed_in(client).get("/"))
    assert "Your meter sends us its readings itself, so there is nothing you need to do" in page
    assert "Give us a reading and your next bill uses it instead." not in page


def test_the_dashboard_makes_the_same_queries_however_many_bills_and_readings(
    client: Client, account: Any, traveller: Any
) -> None:
    _october_bill(account, estimated=False)
    client = _signed_in(client)
    client.get("/")  # the session's once-a-minute renewal (ADR 0028) happens here, not in either count
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    register = account.supplies.get().supply_point.meters.get().registers.get()
    for day in range(2, 11):
        reading(register, str(1550 + day), RegisterReading.Kind.CUSTOMER, date(2026, 11, day))
    for month in (9, 8, 7):
        make_bill(
            account,
            lines=[Line(BillLine.Kind.STANDING, "Standing charge", Decimal(30), "days", Decimal("0.50"))],
            period=(date(2026, month, 1), date(2026, month + 1, 1)),
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
    assert len(few) <= 45, [query["sql"] for query in few.captured_queries]
