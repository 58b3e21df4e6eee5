"""The dashboard at a phone's width and a desktop's: a dual-fuel login sees both fuels at a glance, the selected account
in full (balance, latest bill and its status, next payment, this month's and last month's use in kWh and pounds), the
estimated-reading prompt with a link that works, and for a smart meter the explanation that no reading is needed.

Dates follow today's (the live server's clock): last month is read from the readings on the 1sts, this month up to a
reading taken at the start of today. The tariff is 25p a kWh and 50p a day before VAT, VAT 5%: every pound below is
worked out by hand in :func:`with_vat`, not read from the code.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel
from hearth.data.billing.models import BillLine
from hearth.data.metering.models import Meter, RegisterReading
from tests.integration.billing.invoice_support import Line, make_bill, reading
from tests.integration.billing.run_support import billable_account, single_rate_tariff

from .support import PHONE, Builder, check_accessibility, fits_width, heading, sign_in

EMAIL = "dana.ash@example.com"
PASSWORD = "Lantern47Moss"
DESKTOP = {"width": 1280, "height": 900}


def with_vat(pounds_before_vat: Decimal) -> Decimal:
    """The sum of the lines plus 5% VAT on it, the VAT rounded half-up to the penny."""
    vat = (pounds_before_vat * Decimal("0.05")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return pounds_before_vat + vat


def pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def household(build: Builder) -> dict[str, Any]:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    before = (last_month - timedelta(days=1)).replace(day=1)
    electricity = billable_account(
        single_rate_tariff(valid_from_date=before),
        number="9500000021",
        supply_start_date=before,
        readings=[(last_month, Decimal(1250)), (this_month, Decimal(1550))],
    )
    register = electricity.supplies.get().supply_point.meters.get().registers.get()
    if today.day > 1:
        reading(register, "1650", RegisterReading.Kind.CUSTOMER, today)
    last_days = (this_month - last_month).days
    bill_total = with_vat(Decimal("75.00") + Decimal("0.50") * last_days)  # 300 kWh at 25p, the days at 50p
    due = today + timedelta(days=14)
    make_bill(
        electricity,
        lines=[
            Line(BillLine.Kind.ENERGY, "Electricity used", Decimal(300), "kWh", Decimal("0.25"), Decimal("0.05")),
            Line(
                BillLine.Kind.STANDING, "Standing charge", Decimal(last_days), "days", Decimal("0.50"), Decimal("0.05")
            ),
            Line(BillLine.Kind.VAT, "VAT at 5%", Decimal("75.00") + Decimal("0.50") * last_days, "£", Decimal("0.05")),
        ],
        period=(last_month, this_month),
        issue_date=this_month,
        due_date=due,
        estimated=True,
    )
    gas = build.account(electricity.customer, fuel=Fuel.GAS, meter=Meter.Kind.SMART)
    make_bill(
        gas,
        lines=[Line(BillLine.Kind.STANDING, "Standing charge", Decimal(30), "days", Decimal("0.30"))],
        period=(last_month, this_month),
        issue_date=this_month,
        due_date=due,
        estimated=True,
        reference="INV-GAS-0001",
    )
    user = build.activated_login(electricity, EMAIL, PASSWORD)
    build.link(user, gas)
    return {
        "electricity": electricity,
        "gas": gas,
        "today": today,
        "last_month": last_month,
        "last_days": last_days,
        "bill_total": bill_total,
        "due": due,
    }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_dual_fuel_household_sees_both_fuels_and_the_selected_one_in_full(
    new_page: Any, household: dict[str, Any], viewport: dict[str, int]
) -> None:
    page: Page = new_page(viewport=viewport)
    electricity, gas = household["electricity"], household["gas"]
    sign_in(page, EMAIL, PASSWORD)
    heading(page, "Your services")
    if page.locator(f'.dash-account--selected[data-account="{gas.number}"]').count():
        page.get_by_role("button", name=f"Show electricity account {electricity.number} in full").click()

    # Both fuels at a glance: the other account's card has its balance and its latest bill's status.
    cards = page.get_by_role("list", name="Your accounts")
    gas_card = cards.locator(f'[data-account="{gas.number}"]')
    expect(gas_card).to_contain_text("Gas")
    expect(gas_card).to_contain_text("£9.00 to pay")  # 30 days at 30p, no VAT line
    expect(gas_card).to_contain_text("Latest bill £9.00 Due")

    total = household["bill_total"]
    balance = page.locator('[data-card="balance"]')
    expect(balance).to_contain_text(f"{pounds(total)} to pay")
    latest = page.locator('[data-card="latest-bill"]')
    expect(latest).to_contain_text(f"{pounds(total)} Due")
    expect(latest).to_contain_text(f"due by {long_date(household['due'])}")
    expect(page.locator('[data-card="next-payment"]')).to_contain_text(
        f"{pounds(total)} on {long_date(household['due'])}"
    )
    expect(page.locator('[data-card="tariff"]')).to_be_visible()

    last_month = household["last_month"]
    last_row = page.locator(f'tr[data-month="{last_month:%Y-%m}"]')
    expect(last_row).to_contain_text("300 kWh")
    expect(last_row).to_contain_text(pounds(total))
    today = household["today"]
    if today.day > 1:
        days = today.day - 1  # 1st to yesterday: the reading at the start of today ends them
        this_cost = with_vat(Decimal("25.00") + Decimal("0.50") * days)  # 100 kWh at 25p
        this_row = page.locator(f'tr[data-month="{today:%Y-%m}"]')
        expect(this_row).to_contain_text("100 kWh")
        expect(this_row).to_contain_text(pounds(this_cost))
        change = (this_cost / days - total / household["last_days"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        words = "the same a day" if change == 0 else f"{pounds(abs(change))} a day {'more' if change > 0 else 'less'}"
        expect(page.locator('[data-card="usage"]')).to_contain_text(words)
    check_accessibility(page)
    assert fits_width(page)

    # The estimated bill of a meter read by hand asks for a reading, and the link opens the reading form.
    prompt = page.locator('[data-card="estimated"]')
    expect(prompt).to_contain_text("Your latest bill is estimated")
    prompt.get_by_role("link", name="Give a meter reading").click()
    heading(page, "Give a meter reading")

    # The gas account in full: its meter is smart, so no reading is asked for.
    page.goto(page.url.split("/services/")[0] + "/")
    page.get_by_role("button", name=f"Show gas account {gas.number} in full").click()
    expect(page.get_by_role("status")).to_contain_text(f"You are now looking at account {gas.number}")
    prompt = page.locator('[data-card="estimated"]')
    expect(prompt).to_contain_text("Your meter sends us its readings itself, so there is nothing you need to do")
    expect(prompt.get_by_role("link")).to_have_count(0)
    expect(page.locator(f'[data-account="{electricity.number}"]')).to_contain_text(f"{pounds(total)} to pay")
    check_accessibility(page)
    assert fits_width(page)
