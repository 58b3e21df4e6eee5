"""The portal menu: a closed "Menu" on a phone that opens without script, the full grouped list on a desktop, the
page the customer is on marked for eyes and for screen readers."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel

from .support import PHONE, Builder, check_accessibility, heading, sign_in

EMAIL = "ash.venn@example.com"
PASSWORD = "Copper73Fern"
GROUPS = ["Money", "Energy", "Your home", "Help", "Your login"]


def test_the_menu_opens_on_a_phone_without_script_and_marks_the_current_page(
    new_page: Callable[..., Page], build: Builder
) -> None:
    build.activated_login(build.account(fuel=Fuel.ELECTRICITY), EMAIL, PASSWORD)
    phone = new_page("phone", viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    sign_in(phone, EMAIL, PASSWORD)
    menu = phone.get_by_role("navigation", name="Portal menu")
    expect(menu).to_have_count(1)  # the desktop column is not shown (nor read out) on a phone
    payments = menu.get_by_role("link", name="Payments", exact=True)
    expect(payments).to_be_hidden()  # closed: the page starts with its own content, not 17 links

    menu.get_by_text("Menu", exact=True).click()
    expect(payments).to_be_visible()
    for group in GROUPS:
        expect(menu.get_by_role("heading", name=group, exact=True)).to_be_visible()
    payments.click()
    heading(phone, "Payments")
    menu.get_by_text("Menu", exact=True).click()
    current = menu.locator('[aria-current="page"]')
    expect(current).to_have_text("Payments")
    marked, plain = (
        current.evaluate("e => getComputedStyle(e).borderLeftColor"),
        menu.get_by_role("link", name="Bills", exact=True).evaluate("e => getComputedStyle(e).borderLeftColor"),
    )
    assert marked != plain, "the current page is marked only for screen readers, not to the eye"

    # A page under a menu entry (setting up a Direct Debit, under Payments) marks that entry as the section.
    phone.goto("/services/payments/direct-debit/")
    menu.get_by_text("Menu", exact=True).click()
    expect(menu.locator('[aria-current="true"]')).to_have_text("Payments")
    expect(menu.locator('[aria-current="page"]')).to_have_count(0)


def test_the_full_menu_sits_beside_the_page_on_a_desktop(new_page: Callable[..., Page], build: Builder) -> None:
    build.activated_login(build.account(fuel=Fuel.ELECTRICITY), EMAIL, PASSWORD)
    desktop = new_page("desktop", viewport={"width": 1280, "height": 800})
    sign_in(desktop, EMAIL, PASSWORD)
    menu = desktop.get_by_role("navigation", name="Portal menu")
    expect(menu).to_have_count(1)
    expect(menu.get_by_text("Menu", exact=True)).to_have_count(0)  # nothing to open: every link is there
    for group in GROUPS:
        expect(menu.get_by_role("heading", name=group, exact=True)).to_be_visible()
    expect(menu.locator('[aria-current="page"]')).to_have_text("Dashboard")
    menu_box, main_box = menu.bounding_box(), desktop.locator("main").bounding_box()
    assert menu_box is not None
    assert main_box is not None
    assert menu_box["x"] + menu_box["width"] <= main_box["x"], "the menu should be a column left of the page"
    menu.get_by_role("link", name="Bills", exact=True).click()
    expect(menu.locator('[aria-current="page"]')).to_have_text("Bills")
    check_accessibility(desktop)
