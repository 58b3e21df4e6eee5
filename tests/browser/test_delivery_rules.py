"""Delivery rules as a customer sets them (FAQ 13): Your Details -> Delivery Settings -> Set delivery rules.

The dialog ticks and unticks, Apply saves and Cancel leaves everything as it was; without JavaScript the same form is
a page; each login of an organisation sees and sets only its own rules. What each page must show is written out by
hand from the FAQ and the issue, and what was saved is read back from the domain.
"""

from playwright.sync_api import Locator, Page, expect

from hearth.data.accounts.models import Account, Customer
from hearth.data.documents.models import DocumentType
from hearth.data.identity.models import User
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.documents import rules

from .support import PHONE, Builder, check_accessibility, fits_width, heading, menu_link, sign_in

PASSWORD = "Lantern47Orchard"
SAVED = "Your delivery rules for account {number} are saved."

# Browser tests empty the database after each test, seeded rows included: the document types are put back.
TYPES = [
    # code, name, plural, must be delivered, position
    ("INVOICE", "Invoice", "Invoices", False, 10),
    ("CREDIT_NOTE", "Credit note", "Credit notes", False, 20),
    ("STATEMENT", "Statement", "Statements", False, 30),
    ("LETTER", "Letter", "Letters", False, 40),
    ("NOTICE", "Notice", "Notices", True, 50),
]

# The Delivery Settings table of a login that never changed anything: (e-mail, PDF attached, post).
DEFAULT_TABLE = {
    "Invoices": ("Yes", "Yes", "No"),
    "Credit notes": ("Yes", "Yes", "No"),
    "Statements": ("Yes", "No", "No"),
    "Letters": ("Yes", "No", "No"),
    "Notices": ("Yes", "No", "No"),
}


def _document_types() -> None:
    """Exactly the five types the tables below list, whether this is the first test of the run (the seeded types of
    every area are there) or not (an earlier browser test emptied the table)."""
    DocumentType.objects.exclude(code__in=[code for code, *_ in TYPES]).delete()
    for code, name, plural, must, position in TYPES:
        DocumentType.objects.update_or_create(
            code=code,
            defaults={"name": name, "plural_name": plural, "must_be_delivered": must, "position": position},
        )


def _stored(user: User, account: Account) -> dict[str, tuple[bool, bool, bool]]:
    return {
        row.document_type.plural_name: (
            row.channels.email_notification,
            row.channels.email_attachment,
            row.channels.post,
        )
        for row in rules.rules_of(user=user, account=account)
    }


def _as_table(stored: dict[str, tuple[bool, bool, bool]]) -> dict[str, tuple[str, ...]]:
    return {name: tuple("Yes" if box else "No" for box in boxes) for name, boxes in stored.items()}


def shown_rules(page: Page) -> dict[str, tuple[str, ...]]:
    """The Delivery Settings table as the page shows it: document type -> (e-mail, PDF attached, post)."""
    table = page.get_by_role("table", name="How each type of document")
    shown = {}
    for row in table.locator("tbody tr").all():
        name = row.locator("th").inner_text().replace("Default", "").strip()
        shown[name] = tuple(cell.strip() for cell in row.locator("td").all_inner_texts())
    return shown


def row_of(scope: Page | Locator, plural: str) -> Locator:
    """One document type's row of tick boxes in the rules form."""
    return scope.get_by_role("group", name=plural, exact=True)


def open_delivery_settings(page: Page) -> None:
    menu_link(page, "Your Details").click()
    heading(page, "Your Details")
    page.get_by_role("link", name="Delivery Settings").click()
    heading(page, "Delivery Settings")


def test_the_dialog_ticks_and_unticks_boxes_and_apply_saves_them(page: Page, build: Builder) -> None:
    _document_types()
    account = build.account()
    user = build.activated_login(account, "sam.okafor@example.com", PASSWORD)

    sign_in(page, user.email, PASSWORD)
    open_delivery_settings(page)
    assert shown_rules(page) == DEFAULT_TABLE
    check_accessibility(page)

    page.get_by_role("link", name="Set delivery rules").click()
    dialog = page.get_by_role("dialog", name=f"Set delivery rules for account {account.number}")
    expect(dialog).to_be_visible()
    assert page.url.endswith("/your-details/delivery-settings/")  # a dialog over the page, not a new page
    check_accessibility(page)

    invoices = row_of(dialog, "Invoices")
    expect(invoices.get_by_label("E-mail notification")).to_be_checked()
    expect(invoices.get_by_label("PDF attached to the e-mail")).to_be_checked()
    expect(invoices.get_by_label("Paper copy by post")).not_to_be_checked()
    invoices.get_by_label("PDF attached to the e-mail").uncheck()
    invoices.get_by_label("Paper copy by post").check()

    # A PDF goes only with an e-mail: unticking the e-mail unticks the PDF, ticking the PDF ticks the e-mail.
    credit_notes = row_of(dialog, "Credit notes")
    credit_notes.get_by_label("E-mail notification").uncheck()
    expect(credit_notes.get_by_label("PDF attached to the e-mail")).not_to_be_checked()
    statements = row_of(dialog, "Statements")
    statements.get_by_label("E-mail notification").uncheck()
    statements.get_by_label("PDF attached to the e-mail").check()
    expect(statements.get_by_label("E-mail notification")).to_be_checked()

    row_of(dialog, "Letters").get_by_label("E-mail notification").uncheck()
    notices = row_of(dialog, "Notices")
    notices.get_by_label("Paper copy by post").check()
    notices.get_by_label("E-mail notification").uncheck()

    dialog.get_by_role("button", name="Apply").click()
    heading(page, "Delivery Settings")
    expect(page.get_by_role("status")).to_contain_text(SAVED.format(number=account.number))
    expect(dialog).to_be_hidden()
    expected = {
        "Invoices": (True, False, True),
        "Credit notes": (False, False, False),
        "Statements": (True, True, False),
        "Letters": (False, False, False),
        "Notices": (False, False, True),
    }
    assert _stored(user, account) == expected
    assert shown_rules(page) == _as_table(expected)
    check_accessibility(page)


def test_cancel_closes_the_dialog_and_leaves_everything_as_it_was(page: Page, build: Builder) -> None:
    _document_types()
    account = build.account()
    user = build.activated_login(account, "sam.okafor@example.com", PASSWORD)

    sign_in(page, user.email, PASSWORD)
    open_delivery_settings(page)
    for close in ("Cancel", "Escape"):
        page.get_by_role("link", name="Set delivery rules").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        row_of(dialog, "Invoices").get_by_label("Paper copy by post").check()
        row_of(dialog, "Notices").get_by_label("E-mail notification").uncheck()
        if close == "Cancel":
            dialog.get_by_role("link", name="Cancel").click()
        else:
            page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert shown_rules(page) == DEFAULT_TABLE
        assert _as_table(_stored(user, account)) == DEFAULT_TABLE

    # Opened again, the boxes are ticked as the rules in force, not as they were left.
    page.get_by_role("link", name="Set delivery rules").click()
    dialog = page.get_by_role("dialog")
    expect(row_of(dialog, "Invoices").get_by_label("Paper copy by post")).not_to_be_checked()
    expect(row_of(dialog, "Notices").get_by_label("E-mail notification")).to_be_checked()


def test_without_javascript_the_rules_are_a_page_that_explains_a_refusal_beside_its_row(
    new_page, build: Builder
) -> None:
    _document_types()
    account = build.account()
    user = build.activated_login(account, "sam.okafor@example.com", PASSWORD)
    page = new_page("no-javascript", java_script_enabled=False)

    sign_in(page, user.email, PASSWORD)
    open_delivery_settings(page)
    page.get_by_role("link", name="Set delivery rules").click()
    heading(page, "Set delivery rules")
    rules_url = page.url

    # Cancel goes back with nothing changed.
    row_of(page, "Invoices").get_by_label("Paper copy by post").check()
    page.get_by_role("link", name="Cancel").click()
    heading(page, "Delivery Settings")
    assert shown_rules(page) == DEFAULT_TABLE

    page.get_by_role("link", name="Set delivery rules").click()
    heading(page, "Set delivery rules")
    row_of(page, "Notices").get_by_label("E-mail notification").uncheck()
    letters = row_of(page, "Letters")
    letters.get_by_label("E-mail notification").uncheck()
    letters.get_by_label("PDF attached to the e-mail").check()
    page.get_by_role("button", name="Apply").click()

    heading(page, "Set delivery rules")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(row_of(page, "Notices")).to_contain_text("Notices must reach you by e-mail or by post")
    expect(row_of(page, "Notices")).to_contain_text("Statements of Renewal")
    expect(row_of(page, "Letters")).to_contain_text("a PDF can only be attached to an e-mail")
    expect(row_of(page, "Invoices").locator(".field-error")).to_have_count(0)
    assert _as_table(_stored(user, account)) == DEFAULT_TABLE

    # The refused boxes come back as they were ticked, to be put right.
    row_of(page, "Notices").get_by_label("Paper copy by post").check()
    row_of(page, "Letters").get_by_label("PDF attached to the e-mail").uncheck()
    page.get_by_role("button", name="Apply").click()
    heading(page, "Delivery Settings")
    expect(page.get_by_role("status")).to_contain_text(SAVED.format(number=account.number))
    expected = {**DEFAULT_TABLE, "Letters": ("No", "No", "No"), "Notices": ("No", "No", "Yes")}
    assert shown_rules(page) == expected
    assert _as_table(_stored(user, account)) == expected

    # axe-core needs JavaScript to run: the same page, and its refusal, are checked in a browser that has it.
    checked = new_page("axe")
    sign_in(checked, user.email, PASSWORD)
    checked.goto(rules_url)
    heading(checked, "Set delivery rules")
    check_accessibility(checked)
    row_of(checked, "Notices").get_by_label("Paper copy by post").uncheck()
    checked.get_by_role("button", name="Apply").click()
    expect(row_of(checked, "Notices")).to_contain_text("Notices must reach you")
    check_accessibility(checked)


def test_each_login_of_an_organisation_with_three_logins_sees_and_sets_its_own_rules(new_page, build: Builder) -> None:
    _document_types()
    organisation = accounts_ops.create_customer(
        kind=Customer.Kind.ORGANISATION,
        name="Brightwell Bakery Ltd",
        contact_email="accounts@brightwell.example",
        now=build.now(),
    )
    account = build.account(organisation)
    emails = ["finance@brightwell.example", "owner@brightwell.example", "office@brightwell.example"]
    logins = {email: build.activated_login(account, email, PASSWORD) for email in emails}
    # The owner already chose paper invoices and no e-mail for them.
    rules.apply_rules(
        user=logins["owner@brightwell.example"],
        account=account,
        chosen={"INVOICE": rules.Channels(email_notification=False, email_attachment=False, post=True)},
        actor=logins["owner@brightwell.example"],
        now=build.now(),
    )
    expected = {email: dict(DEFAULT_TABLE) for email in emails}
    expected["owner@brightwell.example"]["Invoices"] = ("No", "No", "Yes")

    # Finance sets its own: statements with the PDF attached.
    finance = new_page("finance")
    sign_in(finance, "finance@brightwell.example", PASSWORD)
    open_delivery_settings(finance)
    assert shown_rules(finance) == expected["finance@brightwell.example"]
    finance.get_by_role("link", name="Set delivery rules").click()
    dialog = finance.get_by_role("dialog")
    row_of(dialog, "Statements").get_by_label("PDF attached to the e-mail").check()
    dialog.get_by_role("button", name="Apply").click()
    expect(finance.get_by_role("status")).to_contain_text(SAVED.format(number=account.number))
    expected["finance@brightwell.example"]["Statements"] = ("Yes", "Yes", "No")
    assert shown_rules(finance) == expected["finance@brightwell.example"]

    for email in emails:
        page = new_page(email)
        sign_in(page, email, PASSWORD)
        open_delivery_settings(page)
        assert shown_rules(page) == expected[email], email
        for other in emails:
            if other != email:
                expect(page.get_by_text(other)).to_have_count(0)
        assert _as_table(_stored(logins[email], account)) == expected[email], email
    check_accessibility(page)


def test_delivery_settings_and_the_dialog_fit_a_phone(new_page, build: Builder) -> None:
    _document_types()
    account = build.account()
    user = build.activated_login(account, "sam.okafor@example.com", PASSWORD)
    page = new_page("phone", viewport=PHONE)
    sign_in(page, user.email, PASSWORD)
    open_delivery_settings(page)
    assert fits_width(page)
    page.get_by_role("link", name="Set delivery rules").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    dialog.get_by_role("button", name="Apply").scroll_into_view_if_needed()
    expect(dialog.get_by_role("button", name="Apply")).to_be_in_viewport()
