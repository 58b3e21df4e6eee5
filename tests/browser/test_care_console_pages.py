"""Care staff at 1280 px and on a 390 px phone: the customer page leads with each account's balance, arrears,
contract and open cases; billing actions open one panel at a time; a supervisor starts a bill run and reads its
progress and £ totals. Every page passes axe-core and fits the phone without scrolling sideways."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel
from hearth.data.billing.models import BillLine, BillRun
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter
from hearth.domain.billing import operations as billing_ops
from hearth.domain.identity import operations as identity_ops
from tests.integration.billing import run_support
from tests.integration.billing.invoice_support import Line, make_bill, use_documents_folder

from .support import PHONE, Builder, check_accessibility, fits_width, heading

PASSWORD = "Console4Pages9"
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page: Page, email: str, role: str = User.CareRole.AGENT) -> None:
    device = identity_ops.create_staff_login(
        email=email, full_name=email, password=PASSWORD, now=timezone.now(), care_role=role
    )
    page.goto("/care/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(f"{totp(bytes.fromhex(device.key)):06d}")
    page.get_by_role("button", name="Sign in").click()
    heading(page, "Find a customer")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_customer_page_leads_with_the_summary_and_opens_one_billing_action_at_a_time(
    new_page, build: Builder, viewport
) -> None:
    customer = build.customer()
    electricity = build.account(customer, meter=Meter.Kind.SMART)
    gas = build.account(customer, fuel=Fuel.GAS, meter=Meter.Kind.CREDIT)
    make_bill(  # £16.28, due 16 November: overdue
        gas,
        lines=[
            Line(BillLine.Kind.STANDING, "Standing charge", Decimal("31"), "days", Decimal("0.50"), Decimal("5")),
            Line(BillLine.Kind.VAT, "VAT at 5%", Decimal("15.50"), "£", Decimal("0.05")),
        ],
        due_date=date(2026, 11, 16),
    )
    page = new_page(viewport=viewport)
    sign_in(page, "agent.pages@hearth.example")
    billing_ops.record_credit(
        account=electricity,
        amount=Decimal("5.00"),
        reason="Goodwill",
        actor=User.objects.get(email="agent.pages@hearth.example"),
        now=timezone.now(),
    )

    page.goto(f"/care/customers/{customer.pk}/")
    heading(page, "Jo Bloggs")
    gas_card = page.get_by_role("article", name=f"Gas · account {gas.number}")
    expect(gas_card).to_contain_text("£16.28 to pay")
    expect(gas_card).to_contain_text("£16.28 overdue on 1 bill")
    expect(page.get_by_role("article", name=f"Electricity · account {electricity.number}")).to_contain_text(
        "£5.00 in credit"
    )
    expect(page.get_by_role("table", name="Audit trail of Jo Bloggs, newest first, times in UK time")).to_contain_text(
        "Credit recorded"
    )
    check_accessibility(page)
    assert fits_width(page), "the customer page scrolls sideways"

    gas_card.get_by_role("link", name="Bills and billing actions").click()
    heading(page, f"Billing of account {gas.number}")
    credit_amount = page.get_by_label("Credit (£)")
    payment_amount = page.get_by_label("Amount received (£)")
    expect(credit_amount).to_be_hidden()
    page.locator("summary", has_text="Record a credit").click()
    expect(credit_amount).to_be_visible()
    check_accessibility(page)
    assert fits_width(page), "the billing page with a panel open scrolls sideways"
    page.locator("summary", has_text="Record a payment").click()
    expect(payment_amount).to_be_visible()
    expect(credit_amount).to_be_hidden()  # one panel at a time
    page.get_by_role("link", name="Close record a payment").click()
    expect(payment_amount).to_be_hidden()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_a_supervisor_starts_a_bill_run_and_reads_its_progress_and_totals(
    new_page, transactional_db, monkeypatch, tmp_path, viewport
) -> None:
    use_documents_folder(monkeypatch, tmp_path)
    tariff = run_support.single_rate_tariff(valid_from_date=date(2026, 10, 1))
    run_support.billable_account(  # 200 kWh at 25p + 31 days at 50p = £65.50, VAT 5% £3.28
        tariff, number="9800000011", supply_start_date=date(2026, 10, 1), readings=[(date(2026, 11, 1), Decimal(1200))]
    )
    page = new_page(viewport=viewport)
    sign_in(page, "supervisor.pages@hearth.example", User.CareRole.SUPERVISOR)

    page.goto("/care/bill-runs/")
    heading(page, "Bill runs")
    page.locator("summary", has_text="Start a bill run").click()
    page.get_by_label("Bill periods that ended by").fill("2026-11-01")
    check_accessibility(page)
    assert fits_width(page), "the bill runs page scrolls sideways"
    page.get_by_role("button", name="Start the run").click()

    run = BillRun.objects.get()
    heading(page, f"Bill run {run.pk}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("1 of 1 account done")
    expect(facts).to_contain_text("Billed before VAT£65.50")
    expect(facts).to_contain_text("VAT£3.28")
    expect(facts).to_contain_text("Billed with VAT£68.78")
    check_accessibility(page)
    assert fits_width(page), "the bill run's page scrolls sideways"
