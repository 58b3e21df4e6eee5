"""The dashboard shows the services the selected account has: Bills Online always, AMR only where fitted."""

from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel
from hearth.data.metering.models import Meter

from .support import Builder, check_accessibility, heading, sign_in

PASSWORD = "Granite39Willow"


def tiles(page: Page) -> list[str]:
    heading(page, "Your services")
    return page.get_by_role("main").get_by_role("listitem").get_by_role("heading", level=2).all_inner_texts()


def test_an_account_with_an_amr_device_shows_bills_online_and_amr(page: Page, build: Builder) -> None:
    account = build.account(fuel=Fuel.ELECTRICITY)
    device = build.amr_device(build.meter(account, kind=Meter.Kind.AMR))
    build.activated_login(account, "works@brightmill.example", PASSWORD)

    sign_in(page, "works@brightmill.example", PASSWORD)
    assert tiles(page) == ["Bills Online", "Automatic meter readings (AMR)"]
    check_accessibility(page)

    page.get_by_role("link", name="AMR").click()
    heading(page, "Your consumption")  # the AMR tile opens the consumption pages (issue 3)
    expect(page.get_by_text(device.serial_number)).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Bills Online").click()
    heading(page, "Bills Online")
    check_accessibility(page)


def test_an_account_without_an_amr_device_shows_bills_online_only(page: Page, build: Builder) -> None:
    account = build.account(fuel=Fuel.GAS, meter=Meter.Kind.CREDIT)
    build.activated_login(account, "home@example.com", PASSWORD)

    sign_in(page, "home@example.com", PASSWORD)
    assert tiles(page) == ["Bills Online"]
    expect(page.get_by_role("link", name="AMR")).to_have_count(0)
