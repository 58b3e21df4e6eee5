"""Documents as a customer uses them (FAQ 14): the list it opens on, the free-text box, each refine box, the portal's
one account switcher, and a document viewed, downloaded and e-mailed.

The documents are stored through the document store with one-line PDFs rendered by Typst, each printing its own
reference, so a downloaded or e-mailed file can be read back (pdftotext) to show it is the document chosen.
"""

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typst
from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Account, Fuel
from hearth.data.documents.models import DocumentType
from hearth.domain.documents import operations as documents_ops
from tests.integration.billing.invoice_support import use_documents_folder

from .support import PHONE, Builder, Inbox, check_accessibility, heading, menu_link, sign_in

EMAIL = "reader@example.com"
PASSWORD = "Harbour58Quill"
SEARCH = "/services/documents/search/"
DOCUMENTS = "/services/documents/"

# Browser tests empty the database after each test, seeded rows included: the types these tests use are put back.
TYPES = [
    (DocumentType.INVOICE, "Invoice", "Invoices", 10),
    (DocumentType.STATEMENT, "Statement", "Statements", 30),
    (DocumentType.LETTER, "Letter", "Letters", 40),
]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    executable = shutil.which("pdftotext")
    if executable is None:
        pytest.fail("pdftotext is missing (apt-get install poppler-utils)")
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    return subprocess.run([executable, str(path), "-"], capture_output=True, check=True, text=True).stdout


def store(account: Account, type_code: str, reference: str, issue_date: date, amount: str | None) -> None:
    documents_ops.store_document(
        account=account,
        type_code=type_code,
        reference=reference,
        issued_at=datetime(issue_date.year, issue_date.month, issue_date.day, 6, tzinfo=UTC),
        issue_date=issue_date,
        period_start_date=None,
        period_end_date=None,
        amount=None if amount is None else Decimal(amount),
        pdf=typst.compile(f"#set page(width: 12cm, height: 5cm)\nDocument {reference}".encode()),
    )


@pytest.fixture
def accounts(build: Builder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Account, Account]:
    """A login holding an electricity account with four documents and a gas account with one."""
    use_documents_folder(monkeypatch, tmp_path / "documents")
    for code, name, plural_name, position in TYPES:
        DocumentType.objects.get_or_create(
            code=code, defaults={"name": name, "plural_name": plural_name, "position": position}
        )
    customer = build.customer("Rae Reader", EMAIL)
    electricity = build.account(customer, fuel=Fuel.ELECTRICITY)
    gas = build.account(customer, fuel=Fuel.GAS)
    user = build.activated_login(electricity, EMAIL, PASSWORD)
    build.link(user, gas)
    store(electricity, DocumentType.INVOICE, "INV-E-0001", date(2026, 9, 1), "95.50")
    store(electricity, DocumentType.INVOICE, "INV-E-0002", date(2026, 10, 1), "120.00")
    store(electricity, DocumentType.STATEMENT, "STM-E-0001", date(2026, 10, 5), "75.00")
    store(electricity, DocumentType.LETTER, "LET-E-0001", date(2026, 10, 10), None)
    store(gas, DocumentType.INVOICE, "INV-G-0001", date(2026, 9, 20), "60.00")
    return electricity, gas


def signed_in_on(page: Page, account: Account) -> None:
    """Sign in and make sure ``account`` is the one selected."""
    sign_in(page, EMAIL, PASSWORD)
    heading(page, "Your services")
    switcher = page.get_by_label("Switch account")
    switcher.select_option(value=str(account.pk))
    page.get_by_role("button", name="Show account").click()
    expect(page.get_by_role("status")).to_contain_text(f"You are now looking at account {account.number}")


def shown(page: Page) -> list[str]:
    """The references in the results table, top to bottom."""
    return [str(row.get_attribute("data-document")) for row in page.locator("table.documents tbody tr").all()]


def press_search(page: Page) -> None:
    page.get_by_role("button", name="Search", exact=True).click()
    heading(page, "Documents")


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["390px", "1280px"])
def test_documents_opens_on_the_list_and_the_free_text_box_and_the_switcher_narrow_it(
    new_page: Any, accounts: tuple[Account, Account], viewport: dict[str, int]
) -> None:
    page: Page = new_page(viewport=viewport)
    electricity, gas = accounts
    signed_in_on(page, electricity)

    menu_link(page, "Documents").click()
    heading(page, "Documents")
    assert shown(page) == ["LET-E-0001", "STM-E-0001", "INV-E-0002", "INV-E-0001"]
    types = page.get_by_role("navigation", name="Documents by type").get_by_role("link")
    assert [" ".join(text.split()) for text in types.all_inner_texts()] == ["Invoices 2", "Statements 1", "Letters 1"]
    check_accessibility(page)

    page.get_by_label("Search your documents").fill("invoice october")
    press_search(page)
    assert shown(page) == ["INV-E-0002"]
    check_accessibility(page)

    page.get_by_role("navigation", name="Documents by type").get_by_role("link", name="Statements").click()
    assert shown(page) == ["STM-E-0001"]
    expect(page.get_by_label("Document type", exact=True)).to_have_value("STATEMENT")

    # The one account switcher, at the top of the page, changes the account and stays on Documents.
    page.get_by_label("Switch account").select_option(value=str(gas.pk))
    page.get_by_role("button", name="Show account").click()
    heading(page, "Documents")
    assert shown(page) == ["INV-G-0001"]
    expect(page.get_by_role("combobox", name="Account", exact=True)).to_have_count(0)  # no account box of its own
    check_accessibility(page)


def test_each_refine_box_narrows_the_list(page: Page, accounts: tuple[Account, Account]) -> None:
    electricity, _gas = accounts
    signed_in_on(page, electricity)

    def refined(fill: dict[str, str], choose: dict[str, str] | None = None) -> list[str]:
        page.goto(DOCUMENTS)
        page.get_by_text("Refine by type, date, reference or amount", exact=True).click()
        for label, value in fill.items():
            page.get_by_label(label, exact=True).fill(value)
        for label, option in (choose or {}).items():
            page.get_by_label(label, exact=True).select_option(label=option)
        press_search(page)
        return shown(page)

    assert refined({}, {"Document type": "Statement"}) == ["STM-E-0001"]
    assert refined({"Issued from": "2026-10-01"}) == ["LET-E-0001", "STM-E-0001", "INV-E-0002"]
    assert refined({"Issued to": "2026-10-01"}) == ["INV-E-0002", "INV-E-0001"]
    assert refined({"Reference": "inv-e-0001"}) == ["INV-E-0001"]
    assert refined({"Amount from": "95.50"}) == ["INV-E-0002", "INV-E-0001"]
    assert refined({"Amount to": "£95.50"}) == ["STM-E-0001", "INV-E-0001"]
    page.goto(DOCUMENTS)
    page.get_by_label("Search all your accounts, not only this one").check()
    press_search(page)
    assert shown(page) == ["LET-E-0001", "STM-E-0001", "INV-E-0002", "INV-G-0001", "INV-E-0001"]
    check_accessibility(page)

    # The search is in the address: opening it again (a bookmark) shows the same.
    bookmarked = page.url
    assert "all_accounts=on" in bookmarked
    page.goto(bookmarked)
    assert len(shown(page)) == 5

    # Bad input: a message beside the box, in the summary at the top, and no results.
    assert refined({"Amount from": "ten pounds"}) == []
    expect(page.locator("#id_amount_from-error")).to_have_text(
        "Error: Enter the “amount from” in pounds and pence, like 120.50."
    )
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    check_accessibility(page)
    page.goto(f"{SEARCH}?date_from=2026-02-30")
    expect(page.locator("#id_date_from-error")).to_contain_text("as a real date")
    assert shown(page) == []


def test_a_document_is_viewed_downloaded_and_e_mailed_from_the_results(
    page: Page, accounts: tuple[Account, Account], inbox: Inbox, tmp_path: Path
) -> None:
    electricity, _gas = accounts
    signed_in_on(page, electricity)
    page.goto(DOCUMENTS)
    page.get_by_label("Search your documents").fill("INV-E")
    press_search(page)
    assert shown(page) == ["INV-E-0002", "INV-E-0001"]

    # View: the link opens the PDF in the browser (inline), never cached.
    view_url = page.get_by_role("link", name="View INV-E-0002").get_attribute("href")
    viewed = page.request.get(str(view_url))
    assert viewed.status == 200
    assert viewed.headers["content-type"] == "application/pdf"
    assert viewed.headers["content-disposition"] == 'inline; filename="INV-E-0002.pdf"'
    assert viewed.headers["cache-control"] == "no-store"
    assert "Document INV-E-0002" in pdf_text(viewed.body(), tmp_path)

    # Download: saved under a name the server chose, the same document.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download INV-E-0002 as PDF").click()
    download = info.value
    assert download.suggested_filename == "INV-E-0002.pdf"
    saved = tmp_path / "download.pdf"
    download.save_as(saved)
    assert "Document INV-E-0002" in pdf_text(saved.read_bytes(), tmp_path)

    # E-mail me a copy: to the signed-in address, the PDF attached; back on the same results.
    results_url = page.url
    page.get_by_role("button", name="E-mail me a copy of INV-E-0001").click()
    expect(page.get_by_role("status")).to_have_text(f"A copy of INV-E-0001 has been sent to {EMAIL}.")
    assert page.url == results_url
    assert shown(page) == ["INV-E-0002", "INV-E-0001"]
    check_accessibility(page)
    message = inbox.last_to(EMAIL)
    assert "INV-E-0001" in message.subject
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("INV-E-0001.pdf", "application/pdf")
    assert re.search(r"Document INV-E-0001", pdf_text(content, tmp_path))
