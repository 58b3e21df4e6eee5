"""FAQ 2 and 6: a new login is activated at its first sign-in, walking conditions, security question, password."""

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from hearth.data.identity.models import User

from .support import Builder, Inbox, check_accessibility, heading, sign_in, sign_out

EMAIL = "pat.lee@example.com"
NEW_PASSWORD = "Orchard7Lantern"


def test_first_login_walks_conditions_security_question_and_password_then_shows_dashboard(
    page: Page,
    new_page: Callable[..., Page],
    build: Builder,
    inbox: Inbox,
) -> None:
    account = build.account()
    build.new_login(account, EMAIL)
    temporary_password = inbox.temporary_password(EMAIL)

    page.goto("/login/")
    heading(page, "Sign in to the Customer Portal")
    check_accessibility(page)
    sign_in(page, EMAIL, temporary_password)

    # Step 1: Conditions of Use. Carrying on without ticking the box is refused, in plain words.
    expect(page).to_have_url(re.compile(r"/activate/conditions/$"))
    heading(page, "Conditions of Use")
    check_accessibility(page)
    page.get_by_role("button", name="Accept and continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Tick the box to accept the Conditions of Use")
    # The message is beside the box, and a screen reader reads it with the box.
    expect(page.locator(".field-error")).to_contain_text("Tick the box to accept the Conditions of Use")
    expect(page.get_by_label("I have read and accept the Conditions of Use")).to_have_accessible_description(
        re.compile("Tick the box to accept the Conditions of Use")
    )
    check_accessibility(page)
    page.get_by_label("I have read and accept the Conditions of Use").check()
    page.get_by_role("button", name="Accept and continue").click()

    # Leaving half-way (signing out) and coming back resumes at the security question.
    heading(page, "Set up your security question")
    sign_out(page)
    sign_in(page, EMAIL, temporary_password)
    expect(page).to_have_url(re.compile(r"/activate/security-question/$"))

    # Step 2: the security question.
    heading(page, "Set up your security question")
    check_accessibility(page)
    page.get_by_label("Security question").select_option(label="What was the name of your first pet?")
    page.get_by_label("Your answer").fill("Biscuit")
    page.get_by_role("button", name="Save and continue").click()
    heading(page, "Choose your password")

    # Leaving by closing the browser, then signing in on another: it resumes at the password step.
    page.context.close()
    page = new_page("second-visit")
    sign_in(page, EMAIL, temporary_password)
    expect(page).to_have_url(re.compile(r"/activate/password/$"))
    heading(page, "Choose your password")
    check_accessibility(page)

    # Step 3: a weak password names every rule it breaks.
    page.get_by_label("New password", exact=True).fill("secret")
    page.get_by_label("New password confirmation").fill("secret")
    page.get_by_role("button", name="Save and go to my account").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    new_password = page.get_by_label("New password", exact=True)
    for rule in ("at least 8 characters", "capital letter", "number", "too common"):
        expect(summary).to_contain_text(rule)
        expect(page.locator(".field-error").filter(has_text=rule)).to_be_visible()
        expect(new_password).to_have_accessible_description(re.compile(rule))  # beside the password itself
    check_accessibility(page)

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save and go to my account").click()

    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))  # the dashboard
    expect(page.get_by_role("status")).to_contain_text("Your Customer Portal account is activated.")
    heading(page, "Your services")
    expect(page.get_by_text(f"Account {account.number}")).to_be_visible()
    check_accessibility(page)
    assert User.objects.get(email=EMAIL).activated_at is not None

    # From now on the chosen password signs straight in to the dashboard; the temporary one is spent.
    sign_out(page)
    sign_in(page, EMAIL, temporary_password)
    expect(page.get_by_role("alert")).to_contain_text("The e-mail address or password is not right")
    sign_in(page, EMAIL, NEW_PASSWORD)
    heading(page, "Your services")
