"""Payments as a customer walks them (issue 10): the Payments page on a desk and a phone, setting up a Direct Debit
(with the errors first), the next payments it makes, asking for a refund, and the Direct Debit simulator on a phone.
Each page fits the screen (nothing scrolls sideways) and passes axe-core.

The bank details are Vocalink's published modulus-checking example 08-99-99 / 66374958: it passes the check and is
nobody's account.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from hearth.data.documents.models import DocumentType
from hearth.data.metering.models import Meter
from hearth.data.payments.models import Collection, PaymentArrangement, Refund
from tests.integration.payments.account_support import in_credit, supplied_account, tariff

from .support import PHONE, Builder, check_accessibility, fits_width, heading, sign_in

EMAIL = "jo.payer@example.com"
PASSWORD = "Harbour58Ledger"
DESK = {"width": 1280, "height": 900}


def payer(build: Builder):
    """A household on a smart meter with £150.00 in credit and a login that has walked activation."""
    # Browser tests empty the database after each test, seeded rows included: the notice types are put back.
    for code, name, position in (
        ("PAYMENT_NOTICE", "Payment notice", 60),
        ("PAYMENT_REMINDER", "Payment reminder", 70),
    ):
        DocumentType.objects.get_or_create(
            code=code,
            defaults={"name": name, "plural_name": f"{name}s", "must_be_delivered": True, "position": position},
        )
    account = supplied_account(tariff(), meter=Meter.Kind.SMART, name="Jo Payer")
    in_credit(account, "150.00", timezone.now() - timedelta(days=3))
    build.activated_login(account, EMAIL, PASSWORD)
    return account


def fits_and_passes(page: Page, what: str) -> None:
    assert fits_width(page), f"{what} scrolls sideways at {page.viewport_size}"
    check_accessibility(page)


def test_a_customer_sets_up_a_direct_debit_sees_the_next_payments_and_asks_for_a_refund(
    new_page: Callable[..., Page], build: Builder
) -> None:
    account = payer(build)
    page = new_page("desk", viewport=DESK)
    sign_in(page, EMAIL, PASSWORD)
    page.get_by_role("navigation", name="Portal menu").get_by_role("link", name="Payments").click()
    heading(page, "Payments")
    expect(page.get_by_text("Pay on receipt of bill")).to_be_visible()
    expect(page.get_by_text("£150.00 in credit")).to_be_visible()
    fits_and_passes(page, "the Payments page")

    page.get_by_role("link", name="Set up a Direct Debit").click()
    heading(page, "Pay by Direct Debit")
    fits_and_passes(page, "the Direct Debit form")
    page.get_by_role("button", name="Set up Direct Debit").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose how often you would like to pay.")
    expect(summary).to_contain_text("Enter the sort code: 6 digits, like 20-00-00.")
    fits_and_passes(page, "the Direct Debit form with its errors")
    summary.get_by_role("link", name="Choose how often you would like to pay.").click()
    expect(page.get_by_label("The same amount every month")).to_be_focused()

    page.get_by_label("The same amount every month").check()
    page.get_by_label("Day of the month to pay").select_option("15")
    page.get_by_label("Name on the bank account").fill("Jo Payer")
    page.get_by_label("Sort code").fill("08-99-99")
    page.get_by_label("Account number").fill("66374959")  # one digit wrong: fails the modulus check
    page.get_by_role("button", name="Set up Direct Debit").click()
    mismatch = "The sort code and account number do not match. Please check both."
    expect(page.get_by_role("alert")).to_contain_text(mismatch)
    expect(page.locator("#id_account_number_error")).to_contain_text(mismatch)
    page.get_by_label("Account number").fill("66374958")
    page.get_by_role("button", name="Set up Direct Debit").click()

    heading(page, "Payments")
    arrangement = PaymentArrangement.objects.get(account=account)
    first = Collection.objects.filter(account=account).order_by("collection_date").first()
    assert first is not None
    assert first.amount == arrangement.regular_amount
    expect(page.get_by_text("Monthly Direct Debit", exact=True)).to_be_visible()
    expect(page.get_by_text("Bank account ending 58", exact=False)).to_be_visible()
    next_payments = page.get_by_role("region", name="Your next payments")
    expect(next_payments.get_by_role("row").nth(1)).to_contain_text(
        f"{first.collection_date:%a} {first.collection_date.day} {first.collection_date:%b %Y}"
    )
    expect(next_payments.get_by_role("row").nth(1)).to_contain_text(f"£{first.amount}")
    assert "66374958" not in page.content()
    fits_and_passes(page, "the Payments page with a Direct Debit")

    page.get_by_role("link", name="Ask for a refund").click()
    heading(page, "Ask for a refund")
    # £150.00 of credit less one month's Direct Debit (T&C 12.2).
    to_pay = Decimal("150.00") - arrangement.regular_amount
    expect(page.get_by_text(f"£{arrangement.regular_amount}", exact=True)).to_be_visible()
    expect(page.get_by_text(f"£{to_pay}", exact=True)).to_be_visible()
    fits_and_passes(page, "the refund page")
    page.get_by_label("A cheque by post").check()
    page.get_by_role("button", name="Ask for the refund").click()
    heading(page, "Payments")
    refunds = page.get_by_role("region", name="Your refunds")
    expect(refunds).to_contain_text(f"£{to_pay} asked for on")
    expect(refunds).to_contain_text("waiting for approval")
    assert Refund.objects.get(account=account).amount == to_pay
    fits_and_passes(page, "the Payments page with a refund")


def test_the_payments_page_and_the_simulator_fit_a_phone(new_page: Callable[..., Page], build: Builder) -> None:
    payer(build)
    phone = new_page("phone", viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, EMAIL, PASSWORD)
    phone.goto("/services/payments/")
    heading(phone, "Payments")
    fits_and_passes(phone, "the Payments page")
    phone.get_by_role("link", name="Compare ways to pay by Direct Debit").click()
    heading(phone, "Compare ways to pay by Direct Debit")
    for plan in ("Same every month", "Seasonal", "Once a year"):
        expect(phone.get_by_role("heading", name=plan, level=2)).to_be_visible()
    fits_and_passes(phone, "the simulator")
    seasonal = phone.locator("section", has=phone.get_by_role("heading", name="Seasonal"))
    seasonal.get_by_text("Month by month").click()
    expect(seasonal.get_by_role("row")).to_have_count(13)  # the header and twelve months
    fits_and_passes(phone, "the simulator with a plan's months open")
    phone.goto("/services/payments/direct-debit/")
    heading(phone, "Pay by Direct Debit")
    fits_and_passes(phone, "the Direct Debit form")
    phone.goto("/services/payments/refund/")
    heading(phone, "Ask for a refund")
    fits_and_passes(phone, "the refund page")
