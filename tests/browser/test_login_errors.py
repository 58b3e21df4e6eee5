"""FAQ 7, 10, 11: sign-in errors answer the FAQ's checklist without revealing which addresses have a login."""

from django.conf import settings
from playwright.sync_api import Page, expect

from .support import Builder, check_accessibility, focused, heading, sign_in

EMAIL = "dana.fox@example.com"
PASSWORD = "Kestrel42Harbour"
WRONG_DETAILS = "The e-mail address or password is not right"


def problem_text(page: Page) -> str:
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    return alert.inner_text()


def test_wrong_password_and_unknown_address_get_the_same_message_with_the_faq_checks(
    page: Page, build: Builder
) -> None:
    build.activated_login(build.account(), EMAIL, PASSWORD)

    sign_in(page, EMAIL, PASSWORD.lower())  # passwords are case sensitive
    heading(page, "Sign in to the Customer Portal")
    wrong_password = problem_text(page)
    assert WRONG_DETAILS in wrong_password
    assert "Is this the e-mail address your login details were sent to?" in wrong_password
    assert "case sensitive" in wrong_password
    assert settings.HEARTH_BRAND["care_email"] in wrong_password
    # The address typed stays in the box; the password does not.
    expect(page.get_by_label("E-mail address")).to_have_value(EMAIL)
    expect(page.get_by_label("Password")).to_have_value("")
    check_accessibility(page)

    sign_in(page, "nobody.here@example.com", PASSWORD)
    heading(page, "Sign in to the Customer Portal")
    assert problem_text(page) == wrong_password


def test_a_name_instead_of_an_email_address_is_told_logins_are_now_by_email(page: Page, build: Builder) -> None:
    build.activated_login(build.account(), EMAIL, PASSWORD)

    sign_in(page, "Dana Fox", PASSWORD)
    problem = problem_text(page)
    assert "Sign in with your e-mail address" in problem
    assert "not a name" in problem
    assert WRONG_DETAILS not in problem
    check_accessibility(page)

    # The way to a login is one click away, and that page works too.
    page.get_by_role("alert").get_by_role("link", name="get your login details").click()
    heading(page, "Get your login details")
    check_accessibility(page)


def test_too_many_failures_lock_the_login_and_show_the_lock_out_page(
    page: Page, build: Builder, failure_limit: int
) -> None:
    build.activated_login(build.account(), EMAIL, PASSWORD)

    for _ in range(failure_limit - 1):
        sign_in(page, EMAIL, "NotMyPassword1")
        assert WRONG_DETAILS in problem_text(page)

    sign_in(page, EMAIL, "NotMyPassword1")
    heading(page, "Too many sign-in attempts")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    expect(page.get_by_text(f"Please try again in {minutes} minutes")).to_be_visible()
    expect(page.get_by_role("link", name="reset it")).to_be_visible()
    check_accessibility(page)

    # While locked, even the right password does not sign in.
    sign_in(page, EMAIL, PASSWORD)
    heading(page, "Too many sign-in attempts")


def test_signing_in_works_from_the_keyboard_alone_with_a_visible_focus(page: Page, build: Builder) -> None:
    build.activated_login(build.account(), EMAIL, PASSWORD)
    page.goto("/login/")

    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to main content"
    assert skip["outline"] != "none"
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()
    page.keyboard.press("Enter")

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "E-mail address"
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    field = focused(page)
    assert field["text"] == "Password"
    assert field["outline"] != "none"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    heading(page, "Your services")
