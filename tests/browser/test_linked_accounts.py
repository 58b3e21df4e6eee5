"""FAQ 15: one login linked to a gas and an electricity account sees both, switches, and sees nothing else."""

import re

from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel
from hearth.data.metering.models import Meter

from .support import Builder, check_accessibility, heading, sign_in

EMAIL = "morgan.reid@example.com"
PASSWORD = "Juniper64Beacon"


def shown_account(page: Page) -> str:
    """The account number the page says it is showing."""
    bar = page.get_by_text(re.compile(r"^Account \d+"))
    expect(bar).to_be_visible()
    found = re.match(r"Account (\d+)", bar.inner_text())
    assert found, bar.inner_text()
    return found.group(1)


def test_a_login_with_gas_and_electricity_switches_between_them_and_sees_no_other_account(
    page: Page, build: Builder
) -> None:
    household = build.customer("Morgan Reid", EMAIL)
    electricity = build.account(household, fuel=Fuel.ELECTRICITY, meter=Meter.Kind.SMART)
    gas = build.account(household, fuel=Fuel.GAS, meter=Meter.Kind.CREDIT)
    neighbour = build.account(build.customer("Lee Shaw", "lee.shaw@example.com"), fuel=Fuel.GAS)
    user = build.activated_login(electricity, EMAIL, PASSWORD)
    build.link(user, gas)

    sign_in(page, EMAIL, PASSWORD)
    heading(page, "Your services")
    first = shown_account(page)
    assert first in {electricity.number, gas.number}
    check_accessibility(page)

    switcher = page.get_by_label("Switch account")
    options = switcher.get_by_role("option").all_inner_texts()
    assert len(options) == 2
    assert any(electricity.number in option and "Electricity" in option for option in options), options
    assert any(gas.number in option and "Gas" in option for option in options), options
    assert not any(neighbour.number in option for option in options)

    other = gas if first == electricity.number else electricity
    switcher.select_option(label=next(option for option in options if other.number in option))
    page.get_by_role("button", name="Show account").click()
    expect(page.get_by_role("status")).to_contain_text(f"You are now looking at account {other.number}")
    assert shown_account(page) == other.number
    check_accessibility(page)

    # The choice holds on the other pages of the portal.
    page.get_by_role("navigation", name="Portal menu").get_by_role("link", name="Documents").click()
    heading(page, "Documents")
    assert shown_account(page) == other.number
    expect(page.get_by_text(f"documents for account {other.number}")).to_be_visible()

    # And switching back works the same way, staying on the page it was used on.
    page.get_by_label("Switch account").select_option(label=next(option for option in options if first in option))
    page.get_by_role("button", name="Show account").click()
    heading(page, "Documents")
    assert shown_account(page) == first


def test_a_login_with_one_account_is_offered_no_switcher(page: Page, build: Builder) -> None:
    account = build.account()
    build.activated_login(account, EMAIL, PASSWORD)
    sign_in(page, EMAIL, PASSWORD)
    heading(page, "Your services")
    assert shown_account(page) == account.number
    expect(page.get_by_label("Switch account")).to_have_count(0)
