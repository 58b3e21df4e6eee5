"""The portal's Payments pages as a customer walks them: how they pay, the Direct Debit with only the last two digits
of the account number, the next payments, history and refunds; setting up a Direct Debit with errors in the GOV.UK
pattern (once in the summary, once beside the field); a viewer who sees but cannot change; the simulator, whose
year-end balances must add up from the figures on the page.
"""

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from hearth.data.billing.models import LedgerEntry
from hearth.data.documents.models import Document
from hearth.data.identity.models import AccountLink
from hearth.data.metering.models import Meter
from hearth.data.payments.models import Collection, Mandate, PaymentArrangement, Refund
from hearth.domain.billing import operations as billing_ops
from hearth.domain.payments import refunds
from tests.integration.conftest import PASSWORD, Builder, sign_in
from tests.integration.payments.account_support import (
    documents_in_tmp_fixture,  # noqa: F401  (a fixture)
    in_credit,
    monthly_direct_debit,
    supplied_account,
    tariff,
)
from tests.integration.payments.support import FAILS_MODULUS, JO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

PAYMENTS = "/services/payments/"
DIRECT_DEBIT = "/services/payments/direct-debit/"
PAYMENT_DAY = "/services/payments/payment-day/"
REFUND = "/services/payments/refund/"
SIMULATOR = "/services/payments/simulator/"
EMAIL = "pat.payer@example.com"


def words(response) -> str:
    """The page's words as a screen reader reads them: tags taken out (inline ones without a space), spaces
    collapsed."""
    text = re.sub(r"</?(span|strong|a|abbr)\b[^>]*>", "", response.content.decode())
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def error_summary(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))).strip() if match else ""


def errors_beside(response, name: str) -> str:
    """The errors shown in the form field ``name``'s own block ("" if none)."""
    match = re.search(rf'<div id="id_{name}_error">(.*?)</div>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))).strip() if match else ""


@pytest.fixture
def account(build: Builder):
    """A household on a smart meter at known prices, with a login that has walked activation."""
    payer = supplied_account(tariff(), meter=Meter.Kind.SMART, name="Pat Payer")
    build.activated_login(EMAIL, payer)
    return payer


@pytest.fixture
def customer(client: Client, account) -> Client:
    assert sign_in(client, EMAIL, PASSWORD).status_code == 302
    return client


def day_words(day) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def test_the_payments_page_shows_the_method_the_masked_direct_debit_next_payments_history_and_refunds(
    customer, account
):
    now = timezone.now()
    today = timezone.localdate()
    mandate = monthly_direct_debit(account, amount="85.40", payment_day=1, bank=JO)
    upcoming = [today + timedelta(days=10), today + timedelta(days=41)]
    for day in upcoming:
        Collection.objects.create(
            account=account,
            mandate=mandate,
            purpose=Collection.Purpose.MONTHLY,
            transaction_code="17",
            amount=Decimal("85.40"),
            collection_date=day,
            scheduled_at=now,
        )
    billing_ops.record_payment(
        account=account,
        amount=Decimal("200.00"),
        reference="BANK TRANSFER 77",
        reason="",
        actor=None,
        now=now - timedelta(days=20),
    )
    refund = refunds.request_refund(
        account=account,
        destination=Refund.Destination.DIRECT_DEBIT_ACCOUNT,
        payee_name="",
        bank_details=None,
        cheque_address="",
        actor=None,
        now=now,
    )
    page = words(customer.get(PAYMENTS))
    assert "Payment method Monthly Direct Debit" in page
    assert "Balance £200.00 in credit" in page
    assert "Monthly payment £85.40" in page
    assert "Bank account ending 58, sort code 08-99-99" in page
    assert JO.number not in page
    for day in upcoming:
        assert f"{day_words(day)} £85.40 Scheduled" in page
    assert "Payment (BANK TRANSFER 77) £200.00" in page
    # £200.00 credit less one month's Direct Debit of £85.40 = £114.60.
    assert f"£114.60 asked for on {now:%-d %B %Y}: waiting for approval, due by {refund.due_date:%-d %B %Y}" in page
    assert "(£85.40 kept back: one month's Direct Debit)" in page


def test_a_viewer_sees_the_payments_page_but_cannot_change_anything(client: Client, build: Builder, account):
    build.activated_login("viewer@example.com", account, role=AccountLink.Role.VIEWER)
    assert sign_in(client, "viewer@example.com", PASSWORD).status_code == 302
    page = client.get(PAYMENTS)
    assert page.status_code == 200
    assert "Set up a Direct Debit" not in words(page)
    assert "Ask for a refund" not in words(page)
    assert client.get(SIMULATOR).status_code == 200
    for url in (DIRECT_DEBIT, PAYMENT_DAY, REFUND):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"payment_day": "5", "destination": "CHEQUE"}).status_code == 403, url
    assert not Mandate.objects.exists()
    assert not Refund.objects.exists()


def set_up(client: Client, **changes: str):
    form = {
        "method": PaymentArrangement.Method.STANDARD_DIRECT_DEBIT,
        "payment_day": "15",
        "holder_name": JO.holder,
        "sort_code": "08-99-99",
        "account_number": JO.number,
    }
    form.update(changes)
    return client.post(DIRECT_DEBIT, {name: value for name, value in form.items() if value is not None})


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"method": None}, "method", "Choose how often you would like to pay."),
        ({"sort_code": "08-99"}, "sort_code", "Sort codes have 6 digits, like 20-00-00."),
        (
            {"account_number": FAILS_MODULUS.number},
            "account_number",
            "The sort code and account number do not match. Please check both.",
        ),
    ],
)
def test_a_direct_debit_form_error_is_shown_once_in_the_summary_and_once_beside_its_field(
    customer, changes, field, message
):
    response = set_up(customer, **changes)
    assert response.status_code == 200
    assert error_summary(response).count(message) == 1
    assert errors_beside(response, field) == f"Error: {message}"
    assert response.content.decode().count(html.escape(message)) == 2
    assert not Mandate.objects.exists()


def test_setting_up_a_direct_debit_makes_the_instruction_and_the_notice_of_payments(customer, account):
    response = set_up(customer)
    assert (response.status_code, response["Location"]) == (302, PAYMENTS)
    mandate = Mandate.objects.get(account=account)
    assert (mandate.status, mandate.sort_code, mandate.account_number_last2) == ("PENDING", "089999", "58")
    arrangement = PaymentArrangement.objects.get(account=account)
    assert (arrangement.method, arrangement.payment_day) == ("STANDARD_DIRECT_DEBIT", 15)
    notice = Document.objects.get(account=account, document_type__code="PAYMENT_NOTICE")
    scheduled = Collection.objects.filter(account=account, status=Collection.Status.SCHEDULED)
    assert scheduled.count() == 12
    assert {c.notice_id for c in scheduled} == {notice.pk}
    assert {c.amount for c in scheduled} == {arrangement.regular_amount}
    page = words(customer.get(PAYMENTS))
    first = scheduled.order_by("collection_date").first()
    assert first is not None
    assert f"{day_words(first.collection_date)} £{first.amount} Scheduled" in page
    assert "Bank account ending 58" in page
    assert JO.number not in page


@dataclass(frozen=True)
class PlanOnPage:
    """One plan as the simulator page shows it: each month's energy, payment and balance after, and the year-end."""

    energy: list[Decimal]
    payments: list[Decimal]
    balances: list[Decimal]
    stated_year_end: str


def pounds(text: str) -> Decimal:
    """A page's amount as a number: £12.34 is 12.34, and £12.34 credit is -12.34."""
    amount = Decimal(text.replace("£", "").replace(",", "").replace(" credit", ""))
    return -amount if text.endswith("credit") else amount


def plans_on(page: str) -> dict[str, PlanOnPage]:
    plans = {}
    for key, section in re.findall(r'<section[^>]*aria-labelledby="plan-(\w+)">(.*?)</section>', page, re.S):
        cells = re.findall(r'<td data-label="(Energy|Payment|Balance after)" class="amount">(.*?)</td>', section)
        stated = re.search(r"Balance after 12 months: <strong[^>]*>(.*?)</strong>", section, re.S)
        assert stated is not None
        plans[key] = PlanOnPage(
            energy=[pounds(value) for label, value in cells if label == "Energy"],
            payments=[pounds(value) for label, value in cells if label == "Payment"],
            balances=[pounds(value) for label, value in cells if label == "Balance after"],
            stated_year_end=html.unescape(stated.group(1)),
        )
    return plans


def test_the_simulator_shows_three_plans_whose_year_end_balances_add_up(customer, account):
    billing_ops.record_payment(
        account=account, amount=Decimal("30.00"), reference="CARD", reason="", actor=None, now=timezone.now()
    )
    opening = Decimal("-30.00")
    response = customer.get(SIMULATOR)
    assert "Your balance now is £30.00 in credit" in words(response)
    plans = plans_on(response.content.decode())
    assert list(plans) == ["STANDARD_DIRECT_DEBIT", "SEASONAL_DIRECT_DEBIT", "ANNUAL_DIRECT_DEBIT"]
    costs = plans["STANDARD_DIRECT_DEBIT"].energy
    assert len(costs) == 12
    for plan in plans.values():
        assert plan.energy == costs
        running = opening
        for cost, payment, balance in zip(plan.energy, plan.payments, plan.balances, strict=True):
            running = running + cost - payment
            assert balance == running
        year_end = opening + sum(plan.energy, Decimal(0)) - sum(plan.payments, Decimal(0))
        words_for = f"£{-year_end} in credit" if year_end < 0 else f"£{year_end} to pay" if year_end else "£0.00"
        assert plan.stated_year_end == words_for
    # Standard and seasonal collect the same twelve months' worth; the annual plan collects once, in the first month.
    assert sum(plans["STANDARD_DIRECT_DEBIT"].payments) == sum(plans["SEASONAL_DIRECT_DEBIT"].payments)
    assert all(payment == 0 for payment in plans["ANNUAL_DIRECT_DEBIT"].payments[1:])


def test_the_refund_page_shows_the_credit_what_is_kept_back_and_takes_the_request(customer, account):
    in_credit(account, "200.00", timezone.now() - timedelta(days=3))
    monthly_direct_debit(account, amount="85.40", bank=JO)
    page = words(customer.get(REFUND))
    assert "Your credit £200.00" in page
    assert "Kept back £85.40: one month's Direct Debit" in page
    assert "We would refund £114.60" in page
    response = customer.post(REFUND, {"destination": Refund.Destination.DIRECT_DEBIT_ACCOUNT})
    assert (response.status_code, response["Location"]) == (302, PAYMENTS)
    refund = Refund.objects.get(account=account)
    assert (refund.amount, refund.status, refund.account_number_last2) == (Decimal("114.60"), "REQUESTED", "58")
    assert "You asked for a refund of £114.60" in words(customer.get(REFUND))


def test_a_refund_to_another_account_with_bad_details_says_so_beside_the_field(customer, account):
    in_credit(account, "50.00", timezone.now() - timedelta(days=3))
    response = customer.post(
        REFUND,
        {
            "destination": Refund.Destination.OTHER_ACCOUNT,
            "holder_name": "Pat Payer",
            "sort_code": "08-99-99",
            "account_number": FAILS_MODULUS.number,
        },
    )
    message = "The sort code and account number do not match. Please check both."
    assert error_summary(response).count(message) == 1
    assert errors_beside(response, "account_number") == f"Error: {message}"
    assert not Refund.objects.exists()
    assert LedgerEntry.objects.filter(account=account).count() == 1


def test_the_payment_day_page_says_why_it_cannot_change_before_two_payments_are_taken(customer, account):
    monthly_direct_debit(account, amount="85.40", payment_day=1)
    reason = "can only be changed from the third payment onwards (T&C 9.1.6)"
    assert reason in words(customer.get(PAYMENTS))
    page = customer.get(PAYMENT_DAY)
    assert reason in words(page)
    assert 'name="payment_day"' not in page.content.decode()
    refused = customer.post(PAYMENT_DAY, {"payment_day": "20"})
    assert reason in words(refused)
    assert PaymentArrangement.objects.get(account=account).payment_day == 1
