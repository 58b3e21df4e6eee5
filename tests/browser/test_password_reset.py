"""Forgot password: a single-use link by e-mail leads to a new password; the old one and other sessions end."""

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from .support import Builder, Inbox, check_accessibility, heading, sign_in, sign_out

EMAIL = "robin.hale@example.com"
OLD_PASSWORD = "Meadow58Lantern"
NEW_PASSWORD = "Thistle73Copper"
WRONG_DETAILS = "The e-mail address or password is not right"


def ask_for_reset(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_role("link", name="Forgot password?").click()
    heading(page, "Forgot your password?")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send me a reset link").click()
    heading(page, "Check your e-mail")


def test_forgot_password_email_link_sets_a_new_password_and_the_old_one_stops_working(
    page: Page, new_page: Callable[..., Page], build: Builder, inbox: Inbox
) -> None:
    build.activated_login(build.account(), EMAIL, OLD_PASSWORD)
    # The same person is signed in on another device; the reset will end that session.
    other_device = new_page("other-device")
    sign_in(other_device, EMAIL, OLD_PASSWORD)
    heading(other_device, "Your services")

    page.goto("/password/forgot/")
    check_accessibility(page)
    ask_for_reset(page, EMAIL)
    expect(page.get_by_text("Only e-mail addresses with a Customer Portal login receive this e-mail")).to_be_visible()
    check_accessibility(page)

    link = inbox.link(EMAIL)
    assert re.search(r"/password/reset/[^/]+/[^/]+/$", link), link
    page.goto(link)
    heading(page, "Choose a new password")
    check_accessibility(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    heading(page, "Your password has been changed")
    check_accessibility(page)

    page.get_by_role("link", name="Sign in with your new password").click()
    heading(page, "Sign in to the Customer Portal")
    sign_in(page, EMAIL, NEW_PASSWORD)
    heading(page, "Your services")

    sign_out(page)
    sign_in(page, EMAIL, OLD_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(WRONG_DETAILS)

    # The link worked once.
    page.goto(link)
    heading(page, "This link no longer works")
    check_accessibility(page)

    # The other device was signed out when the password changed.
    other_device.reload()
    heading(other_device, "Sign in to the Customer Portal")


def test_forgot_password_for_an_address_without_a_login_answers_the_same_and_sends_nothing(
    page: Page, build: Builder, inbox: Inbox
) -> None:
    build.activated_login(build.account(), EMAIL, OLD_PASSWORD)
    inbox.outbox.clear()  # the login-details e-mail from creating the login
    ask_for_reset(page, EMAIL)
    known = page.get_by_role("main").inner_text()

    ask_for_reset(page, "stranger@example.com")
    assert page.get_by_role("main").inner_text() == known
    assert inbox.to("stranger@example.com") == []
    assert [message.to for message in inbox.outbox] == [[EMAIL]]
    assert "Reset your" in inbox.outbox[0].subject
