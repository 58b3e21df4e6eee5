"""The care console's customer page leads with what a caller asks about: each account's balance, what is overdue,
its contract and everything still open; billing actions sit behind buttons, one panel at a time; the audit trail
comes 25 events a page in plain words; "Create a login" only where an account has none and is still supplied."""

import html
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from hearth.data.accounts.models import Account
from hearth.data.billing.models import BillLine
from hearth.data.complaints.models import Complaint
from hearth.data.contracts.models import Contract
from hearth.data.identity.models import User
from hearth.domain.audit import operations as audit_ops
from hearth.domain.billing import operations as billing_ops
from hearth.domain.care import operations as care_ops
from hearth.domain.complaints import operations as complaints_ops
from hearth.domain.debt import operations as debt_ops
from hearth.domain.identity import operations as identity_ops
from hearth.domain.tariffs import contracts
from tests.integration.billing.invoice_support import Line, make_bill, use_documents_folder
from tests.integration.contracts import contract_support

LONDON = ZoneInfo("Europe/London")
STAFF = "agent.summary@hearth.example"
PASSWORD = "Console4Summary9"


def words(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def glance(response, account: Account) -> str:
    """The words of the account's card in the summary at the top of the page."""
    match = re.search(
        rf'<article class="card care-glance__account" aria-labelledby="glance-{account.number}">.*?</article>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no summary card for account {account.number}"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))).strip()


@pytest.fixture
def care(db) -> Client:
    device = identity_ops.create_staff_login(
        email=STAFF, full_name="Summary Agent", password=PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    assert client.post("/care/login/", {"username": STAFF, "password": PASSWORD, "otp_token": code}).status_code == 302
    return client


def page_of(care: Client, account: Account, **query: str):
    response = care.get(f"/care/customers/{account.customer_id}/", query)
    assert response.status_code == 200
    return response


def overdue_gas_bill(account: Account) -> None:
    """October's bill of £16.28 (31 days at 50p = £15.50, VAT 5% £0.775 → £0.78), due Monday 16 November 2026."""
    make_bill(
        account,
        lines=[
            Line(BillLine.Kind.STANDING, "Standing charge", Decimal("31"), "days", Decimal("0.50"), Decimal("5")),
            Line(BillLine.Kind.VAT, "VAT at 5%", Decimal("15.50"), "£", Decimal("0.05")),
        ],
        due_date=date(2026, 11, 16),
    )


def test_the_page_leads_with_balance_arrears_and_every_open_case(
    care, household, customer_login, monkeypatch, tmp_path
):
    use_documents_folder(monkeypatch, tmp_path)
    now = timezone.now()
    today = timezone.localdate()
    overdue_gas_bill(household.gas)
    billing_ops.record_payment(
        account=household.gas, amount=Decimal("6.28"), reference="BANK-1", reason="", actor=None, now=now
    )
    billing_ops.record_credit(
        account=household.electricity,
        amount=Decimal("5.00"),
        reason="Goodwill",
        actor=User.objects.get(email=STAFF),
        now=now,
    )
    case = debt_ops.open_case(account=household.gas, day=today, now=now)
    complaint = complaints_ops.raise_complaint(
        account=household.electricity,
        channel=Complaint.Channel.PHONE,
        summary="Bill too high",
        description="The customer thinks the bill is too high.",
        received_at=now - timedelta(hours=1),
        raised_by=None,
        now=now,
    )
    portal_case = care_ops.raise_case(
        raised_by=customer_login,
        account=household.gas,
        description="Cannot see my bill",
        screenshot=None,
        screenshot_content_type="",
        now=now,
    )

    response = page_of(care, household.gas)

    gas, electricity = glance(response, household.gas), glance(response, household.electricity)
    days = (today - date(2026, 11, 16)).days
    assert "Balance £10.00 to pay" in gas  # £16.28 billed less £6.28 paid
    assert f"Arrears £10.00 overdue on 1 bill, the oldest {days} days past its due date" in gas
    assert "Debt path: Overdue" in gas
    assert f'href="/care/accounts/{household.gas.number}/debt/"' in response.content.decode()
    assert f"Case {portal_case.pk} from the portal" in gas
    assert "Balance £5.00 in credit" in electricity
    assert "Arrears None" in electricity
    assert f"Complaint {complaint.reference} : waiting for our response" in electricity  # the link, then its state
    assert "Debt path" not in electricity
    assert case is not None
    # the summary comes before the accounts table and the rest
    page = response.content.decode()
    assert page.index("care-glance") < page.index("<h2>Accounts</h2>") < page.index('id="audit-trail"')


def test_nothing_open_and_nothing_owed_says_so(care, household):
    text = glance(page_of(care, household.gas), household.gas)
    assert "Balance £0.00 (nothing owed)" in text
    assert "Arrears None: no bill is past its due date unpaid" in text
    assert "Open Nothing open" in text
    assert "Contract No contract recorded" in text


def test_the_contract_shows_its_tariff_dates_and_state(care):
    fixed = contract_support.fixed_tariff()
    account, point = contract_support.new_account()
    contract_support.supplied(account, point, fixed)  # signed up 1 March 2026, supplied from 15 March

    text = glance(page_of(care, account), account)

    assert "Contract Hearth Fix 12 (supplying), from 1 Mar 2026; fixed prices until 14 Mar 2027" in text


def test_create_a_login_is_offered_only_for_a_supplied_account_without_a_login(care, build, household):
    build.activated_login("jo.gas@example.com", household.gas)
    response = page_of(care, household.gas)
    page = response.content.decode()

    assert f"/care/logins/new/?account={household.electricity.number}" in page
    assert f"/care/logins/new/?account={household.gas.number}" not in page
    assert "Has a login (below)" in words(response)


def test_no_login_is_offered_for_a_closed_account(care, household):
    Account.objects.filter(pk=household.electricity.pk).update(status=Account.Status.CLOSED)

    response = page_of(care, household.gas)

    assert f"/care/logins/new/?account={household.electricity.number}" not in response.content.decode()
    assert "None: the account has ended" in words(response)
    assert "Closed" in glance(response, household.electricity)


def test_no_login_is_offered_for_an_account_whose_contract_ended(care):
    fixed = contract_support.fixed_tariff()
    account, point = contract_support.new_account()
    contract = contract_support.supplied(account, point, fixed)
    contracts.end_supply(
        contract=contract,
        end_date=date(2026, 6, 1),
        reason=Contract.EndReason.MOVED_OUT,
        now=datetime.combine(date(2026, 6, 1), time(9), tzinfo=LONDON),
    )

    response = page_of(care, account)

    assert f"/care/logins/new/?account={account.number}" not in response.content.decode()
    assert "(ended), from 1 Mar 2026" in glance(response, account)
    assert "ended 1 Jun 2026" in glance(response, account)


def test_the_audit_trail_comes_25_a_page_newest_first_in_plain_words(care, household):
    start = timezone.now() - timedelta(days=1)
    for minute in range(30):
        audit_ops.record(
            actor=None,
            action="billing.payment_recorded",
            subject=f"payment {minute}",
            customer=household.customer,
            at=start + timedelta(minutes=minute),
        )

    first = page_of(care, household.gas)
    second = page_of(care, household.gas, audit_page="2")
    first_words, second_words = words(first), words(second)

    assert "1 to 25 of 30" in first_words
    assert "Payment recorded" in first_words
    assert first_words.count("Payment recorded") == 25
    assert "payment 29" in first_words
    assert "payment 5 " in first_words
    assert "payment 4 " not in first_words
    assert 'href="?audit_page=2#audit-trail"' in first.content.decode()
    assert "26 to 30 of 30" in second_words
    assert second_words.count("Payment recorded") == 5
    assert "payment 0 " in second_words
    assert "payment 5 " not in second_words
    assert "Page 2 of 2" in second_words


def test_a_page_number_past_the_end_shows_the_last_page(care, household):
    audit_ops.record(
        actor=None, action="customer.created", subject="customer", customer=household.customer, at=timezone.now()
    )
    assert "Customer created" in words(page_of(care, household.gas, audit_page="99"))
    assert "Customer created" in words(page_of(care, household.gas, audit_page="x"))


def test_billing_actions_are_buttons_opening_one_panel_at_a_time(care, household):
    response = care.get(f"/care/accounts/{household.gas.number}/billing/")
    page = response.content.decode()

    panels = re.findall(r'<details class="care-action" name="billing-action"( open)?>', page)
    assert len(panels) == 5
    assert not any(panels)  # all closed until one is chosen
    for title in (
        "Record a payment",
        "Record a credit",
        "Raise an additional charge",
        "Apply late-payment interest",
        "Record that the customer obstructed billing",
    ):
        assert f'<summary class="button button--secondary">{title}</summary>' in page
        assert f'aria-label="Close {title.lower()}">Close</a>' in page


def test_a_refused_action_comes_back_with_its_own_panel_open(care, household):
    response = care.post(f"/care/accounts/{household.gas.number}/billing/credits/", {"amount": "", "reason": ""})

    assert response.status_code == 400
    page = response.content.decode()
    opened = re.findall(r'<details class="care-action" name="billing-action" open>\s*<summary[^>]*>([^<]*)', page)
    assert opened == ["Record a credit"]
