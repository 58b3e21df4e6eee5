"""At phone width (390 by 844) the sign-in page, the dashboard and a wide table fit the screen and pass axe-core."""

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel
from hearth.data.metering.models import Meter

from .support import PHONE, Builder, check_accessibility, fits_width, heading, sign_in

EMAIL = "kit.moss@example.com"
PASSWORD = "Harbour51Maple"


def test_sign_in_and_dashboard_work_at_phone_width(new_page: Callable[..., Page], build: Builder) -> None:
    household = build.customer("Kit Moss", EMAIL)
    electricity = build.account(household, fuel=Fuel.ELECTRICITY)
    build.amr_device(build.meter(electricity, kind=Meter.Kind.AMR))
    user = build.activated_login(electricity, EMAIL, PASSWORD)
    build.link(user, build.account(household, fuel=Fuel.GAS))  # so the account switcher shows too

    phone = new_page("phone", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/login/")
    heading(phone, "Sign in to the Customer Portal")
    assert fits_width(phone), "the sign-in page scrolls sideways on a phone"
    check_accessibility(phone)

    sign_in(phone, EMAIL, PASSWORD)
    heading(phone, "Your services")
    expect(phone.get_by_label("Switch account")).to_be_visible()
    assert fits_width(phone), "the dashboard scrolls sideways on a phone"
    check_accessibility(phone)

    # A table wider than the phone scrolls inside its own region, which the keyboard can reach.
    switcher = phone.get_by_label("Switch account")
    switcher.select_option(label=switcher.get_by_role("option").filter(has_text=electricity.number).inner_text())
    phone.get_by_role("button", name="Show account").click()
    phone.get_by_role("link", name="AMR").click()
    heading(phone, "Your consumption")  # the AMR tile opens the consumption pages (issue 3)
    assert fits_width(phone), "the consumption page scrolls sideways on a phone"
    check_accessibility(phone)
    phone.get_by_role("link", name=re.compile("^Daily use")).click()
    heading(phone, "Daily use")
    assert fits_width(phone), "the daily use page (chart and table) scrolls sideways on a phone"
    check_accessibility(phone)
