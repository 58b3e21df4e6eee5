"""Bills a customer can check (issue 13), at 390 px and 1280 px: the list says Paid / Due / Overdue, the bill shows
prices in pence with VAT and keeps the working before VAT behind "How we worked this out", with bank details and a
QR code of the page; neither page scrolls sideways.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hearth.common import calendar
from hearth.data.accounts.models import Fuel
from hearth.data.billing.models import Bill, BillLine, LedgerEntry
from hearth.data.metering.models import Meter
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.billing.invoice_support import Line, Used, make_bill

from .support import PHONE, Builder, check_accessibility, fits_width, heading, sign_in

PASSWORD = "Harbour58Quill"
DESKTOP = {"width": 1280, "height": 900}


def bill(account, register, start: date, due: date, kwh: str) -> Bill:
    """A month's bill of ``kwh`` at 24.8667p a kWh and 54.4667p a day before VAT (26.11p and 57.19p with 5%)."""
    point = register.meter.supply_point
    end = start + timedelta(days=30)
    energy = Line(
        BillLine.Kind.ENERGY, "Electricity used", Decimal(kwh), "kWh", Decimal("0.248667"), Decimal("0.05"), point
    )
    standing = Line(
        BillLine.Kind.STANDING, "Standing charge", Decimal(30), "days", Decimal("0.544667"), Decimal("0.05"), point
    )
    vat = Line(BillLine.Kind.VAT, "VAT at 5%", energy.amount + standing.amount, "£", Decimal("0.05"))
    return make_bill(
        account,
        period=(start, end),
        issue_date=end,
        due_date=due,
        used=[Used(register, None, None, Decimal(kwh), "kWh", Decimal(kwh))],
        lines=[energy, standing, vat],
        reference=f"INV-{account.number}-{start:%Y%m%d}",
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_bills_list_and_a_bill_a_customer_can_check(
    new_page: Callable[..., Page], build: Builder, viewport: dict[str, int]
) -> None:
    account = build.account(fuel=Fuel.ELECTRICITY, meter=Meter.Kind.SMART)
    register = Meter.objects.get(supply_point__supplies__account=account).registers.get()
    product = tariff_ops.create_product(
        code="STEADY",
        full_name="Hearth Steady",
        display_name="Hearth Steady",
        description="",
        kind=Product.Kind.VARIABLE,
        available_from=datetime(2020, 1, 1, tzinfo=UTC),
    )
    tariff = tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="A",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.STANDARD_CREDIT,
        standing_charge_exc_vat=Decimal("54.4667"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("24.8667")},
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
    )
    tariff_ops.place_on_tariff(
        supply_point=register.meter.supply_point, tariff=tariff, valid_from=datetime(2020, 1, 1, tzinfo=UTC)
    )
    today = calendar.local_date(timezone.now())
    # Three bills: the oldest paid in full, the next past its due date, the newest due in ten days.
    paid = bill(account, register, today - timedelta(days=100), today - timedelta(days=50), "200")
    overdue = bill(account, register, today - timedelta(days=70), today - timedelta(days=10), "250")
    due = bill(account, register, today - timedelta(days=40), today + timedelta(days=10), "300")
    LedgerEntry.objects.create(
        account=account,
        kind=LedgerEntry.Kind.PAYMENT,
        amount=-paid.total,
        posted_at=timezone.now() - timedelta(days=55),
        description="Payment",
    )
    build.activated_login(account, "reader@example.com", PASSWORD)
    page = new_page("bills", viewport=viewport)

    sign_in(page, "reader@example.com", PASSWORD)
    page.goto("/services/bills/")
    heading(page, "Bills Online")
    for found, words in ((paid, "Paid"), (overdue, "Overdue"), (due, "Due")):
        expect(page.locator(f'tr[data-bill="{found.reference}"] [data-status] .tag')).to_have_text(words)
    assert fits_width(page), "the bills list scrolls sideways"
    check_accessibility(page)

    page.get_by_role("link", name=overdue.reference, exact=True).click()
    heading(page, f"Bill {overdue.reference}")
    expect(page.locator("dd[data-status] .tag")).to_have_text("Overdue")
    prices = page.locator("dl.bill-prices")
    expect(prices).to_contain_text("26.11p per kWh")
    expect(prices).to_contain_text("57.19p per day")
    working = page.locator("details.bill-working").first
    expect(working.locator("tr.bill-line").first).to_be_hidden()  # the working waits behind its summary
    working.locator("summary").click()
    expect(working.locator("tr.bill-line").first).to_contain_text("24.8667p per kWh")
    expect(page.locator('[data-section="bank"]')).to_contain_text(account.number)
    expect(page.locator('[data-section="year"]')).to_contain_text("Annual consumption")
    expect(page.locator(".bill-qr svg")).to_be_visible()
    assert fits_width(page), "the bill page scrolls sideways"
    check_accessibility(page)
