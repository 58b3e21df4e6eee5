"""Care staff find an account and create a portal login for it; the customer then activates it (FAQ 2, 6)."""

import re
from collections.abc import Callable

from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Locator, Page, expect

from hearth.data.accounts.models import Fuel
from hearth.domain.identity import operations as identity_ops

from .support import Builder, Inbox, check_accessibility, heading, sign_in, walk_activation

STAFF_EMAIL = "casey.care@hearth.example"
STAFF_PASSWORD = "Console82Ledger"
CUSTOMER_EMAIL = "ali.khan@example.net"
CUSTOMER_PASSWORD = "Saffron47Bridge"


def logins_table(page: Page) -> Locator:
    return page.get_by_role("table", name=re.compile("^Portal logins linked to the accounts of"))


def test_care_staff_create_a_login_that_the_customer_then_activates(
    page: Page, new_page: Callable[..., Page], build: Builder, inbox: Inbox
) -> None:
    customer = build.customer("Ali Khan", "ali.khan@example.com")
    account = build.account(customer, fuel=Fuel.GAS)
    device = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Casey Care", password=STAFF_PASSWORD, now=timezone.now()
    )

    # Staff sign in with password and authenticator code.
    page.goto("/care/login/")
    heading(page, "Sign in to the care console")
    check_accessibility(page)
    page.get_by_label("E-mail address").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Authenticator code").fill(f"{totp(bytes.fromhex(device.key)):06d}")
    page.get_by_role("button", name="Sign in").click()
    heading(page, "Find a customer")
    check_accessibility(page)

    # Find the customer by account number.
    page.get_by_label(re.compile("^Account number")).fill(account.number)
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table")
    expect(results).to_contain_text(account.number)
    check_accessibility(page)
    results.get_by_role("link", name="Ali Khan").click()
    heading(page, "Ali Khan")
    expect(page.get_by_text("No portal login is linked to this customer's accounts.")).to_be_visible()
    check_accessibility(page)

    # Create a login for a new e-mail address on that account.
    page.get_by_role("link", name=f"Create a login for account {account.number}").click()
    heading(page, "Create a portal login")
    expect(page.get_by_label("Account number")).to_have_value(account.number)
    check_accessibility(page)
    page.get_by_label("E-mail address to sign in with").fill(CUSTOMER_EMAIL)
    page.get_by_role("button", name="Create login and send details").click()
    heading(page, "Ali Khan")
    expect(page.get_by_role("status")).to_contain_text(f"Login details e-mailed to {CUSTOMER_EMAIL}")
    login_row = logins_table(page).get_by_role("row").filter(has_text=CUSTOMER_EMAIL)
    expect(login_row).to_contain_text("Not activated")
    expect(page.get_by_role("table", name=re.compile("^Audit trail"))).to_contain_text("login.created")
    check_accessibility(page)

    # The customer, in their own browser, signs in with the e-mailed temporary password and activates.
    customer_page = new_page("customer")
    sign_in(customer_page, CUSTOMER_EMAIL, inbox.temporary_password(CUSTOMER_EMAIL))
    walk_activation(customer_page, new_password=CUSTOMER_PASSWORD)
    expect(customer_page.get_by_text(f"Account {account.number}")).to_be_visible()

    # Care staff now see the login as activated, with the Conditions of Use accepted.
    page.reload()
    login_row = logins_table(page).get_by_role("row").filter(has_text=CUSTOMER_EMAIL)
    expect(login_row).to_contain_text("Activated")
    expect(login_row).not_to_contain_text("Not activated")
    expect(login_row).to_contain_text("accepted")
