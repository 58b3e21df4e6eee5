"""Documents and Search in the portal (FAQ 14): the Documents menu, Search with empty and refined boxes, pages that keep
the search in the address, view, download and "e-mail me a copy", and nobody else's documents whatever id is typed.

Documents are stored through the document store with small real PDFs; what each search must find is written out by
hand below from the table of documents, never read back from the search.
"""

import html
import re
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document, DocumentType
from hearth.data.identity.models import User
from hearth.domain.documents import operations as documents_ops
from hearth.domain.documents import queries as documents_queries
from hearth.interfaces.portal import views_documents
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in
from tests.integration.documents.test_store import pdf_of

SEARCH = "/services/documents/search/"
DOCUMENTS = "/services/documents/"
NOT_SHOWN = "\N{EN DASH}"  # in a cell with nothing to show (no period, no amount)
EMPTY_BOXES = {"document_type": "", "date_from": "", "date_to": "", "reference": "", "amount_from": "", "amount_to": ""}


@dataclass(frozen=True)
class Made:
    type_code: str
    reference: str
    issue_date: date
    amount: Decimal | None
    period: tuple[date, date] | None = None  # [start, end): the end is the day after the last


# The household's electricity account, in the order they are stored (ids ascending).
ELECTRICITY = [
    Made(DocumentType.INVOICE, "INV-E-0001", date(2026, 8, 3), Decimal("120.00"), (date(2026, 7, 1), date(2026, 8, 1))),
    Made(DocumentType.INVOICE, "INV-E-0002", date(2026, 9, 1), Decimal("95.50")),
    Made(DocumentType.CREDIT_NOTE, "CRN-E-0001", date(2026, 9, 1), Decimal("-20.00")),
    Made(DocumentType.STATEMENT, "STM-E-0001", date(2026, 10, 1), Decimal("75.49")),
    Made(DocumentType.LETTER, "LET-E-0001", date(2026, 10, 15), None),
]
# Newest first by issue date; the two of 1 September by id, the later stored first.
ELECTRICITY_NEWEST_FIRST = ["LET-E-0001", "STM-E-0001", "CRN-E-0001", "INV-E-0002", "INV-E-0001"]
GAS = [Made(DocumentType.INVOICE, "INV-G-0001", date(2026, 9, 15), Decimal("60.00"))]


def store(account: Account, made: Made) -> Document:
    issued_at = datetime(made.issue_date.year, made.issue_date.month, made.issue_date.day, 6, tzinfo=UTC)
    return documents_ops.store_document(
        account=account,
        type_code=made.type_code,
        reference=made.reference,
        issued_at=issued_at,
        issue_date=made.issue_date,
        period_start_date=made.period[0] if made.period else None,
        period_end_date=made.period[1] if made.period else None,
        amount=made.amount,
        pdf=pdf_of(1, title=made.reference),
    )


@pytest.fixture(autouse=True)
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    return tmp_path / "documents"


@pytest.fixture
def documents(household: Site, business: Site) -> dict[str, Document]:
    """The household's documents on both accounts, and one of another customer's."""
    made = [store(household.electricity, m) for m in ELECTRICITY] + [store(household.gas, m) for m in GAS]
    made.append(store(business.electricity, Made(DocumentType.INVOICE, "INV-B-0001", date(2026, 9, 1), None)))
    return {document.reference: document for document in made}


@pytest.fixture
def electricity_selected(signed_in: Client, household: Site) -> Client:
    assert signed_in.post("/accounts/select/", {"account": household.electricity.pk}).status_code == 302
    return signed_in


def shown_references(response: Any) -> list[str]:
    """The references in the results table, top to bottom."""
    return re.findall(r'<tr data-document="([^"]+)">', response.content.decode())


def search(client: Client, **boxes: str) -> Any:
    return client.get(SEARCH, {**EMPTY_BOXES, **boxes})


# --- The Documents menu ---------------------------------------------------------------------------------------------


def test_documents_opens_on_the_list_with_the_types_the_account_has_as_shortcuts(
    electricity_selected: Client, documents: dict[str, Document]
) -> None:
    response = electricity_selected.get(DOCUMENTS)
    page = response.content.decode()

    assert shown_references(response) == ELECTRICITY_NEWEST_FIRST  # no box filled: every document, newest first
    shortcuts = re.findall(r'data-type="([A-Z_]+)">([^<]+)<span class="tag">(\d+)</span>', page)
    assert [(code, name.strip(), count) for code, name, count in shortcuts] == [  # the types' menu order; no notices
        ("INVOICE", "Invoices", "2"),
        ("CREDIT_NOTE", "Credit notes", "1"),
        ("STATEMENT", "Statements", "1"),
        ("LETTER", "Letters", "1"),
    ]


def test_choosing_a_type_lists_those_documents_newest_first(
    electricity_selected: Client, documents: dict[str, Document]
) -> None:
    menu = electricity_selected.get(DOCUMENTS).content.decode()
    link = html.unescape(re.search(r'href="([^"]+)" data-type="INVOICE"', menu)[1])  # type: ignore[index]

    assert shown_references(electricity_selected.get(link)) == ["INV-E-0002", "INV-E-0001"]


def test_the_menu_counts_each_account_on_its_own(household: Site, documents: dict[str, Document]) -> None:
    both = documents_queries.document_types_of([household.electricity.pk, household.gas.pk])
    assert [(row.document_type.code, row.count) for row in both] == [
        ("INVOICE", 3),
        ("CREDIT_NOTE", 1),
        ("STATEMENT", 1),
        ("LETTER", 1),
    ]
    gas = documents_queries.document_types_of([household.gas.pk])
    assert [(row.document_type.code, row.count) for row in gas] == [("INVOICE", 1)]


# --- Search ---------------------------------------------------------------------------------------------------------


def test_search_with_every_box_empty_lists_every_document_of_the_selected_account_newest_first(
    electricity_selected: Client, documents: dict[str, Document]
) -> None:
    response = search(electricity_selected)

    assert response.status_code == 200
    assert shown_references(response) == ELECTRICITY_NEWEST_FIRST
    page = response.content.decode()
    assert "5 documents found" in page
    assert row_cells(page, "INV-E-0001") == [
        "INV-E-0001",
        "Invoice",
        "3 August 2026",
        "1 July 2026 to 31 July 2026",
        "£120.00",
    ]
    assert row_cells(page, "CRN-E-0001") == ["CRN-E-0001", "Credit note", "1 September 2026", NOT_SHOWN, "-£20.00"]
    assert row_cells(page, "LET-E-0001") == ["LET-E-0001", "Letter", "15 October 2026", NOT_SHOWN, NOT_SHOWN]


def row_cells(page: str, reference: str) -> list[str]:
    """The text of a result row's cells, but the last (its buttons)."""
    row = page.split(f'<tr data-document="{reference}">')[1].split("</tr>")[0]
    return [html.unescape(cell).strip() for cell in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)]


def test_search_s_old_address_opens_the_same_list_with_the_free_text_box_and_the_refine_boxes(
    electricity_selected: Client, documents: dict[str, Document]
) -> None:
    response = electricity_selected.get(SEARCH)
    page = response.content.decode()

    assert shown_references(response) == ELECTRICITY_NEWEST_FIRST
    labels = ("Search your documents", "Document type", "Issued from", "Issued to", "Reference", "Amount from")
    for label in (*labels, "Amount to", "Search all your accounts, not only this one"):
        assert f">{label}</label>" in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("invoice", ["INV-E-0002", "INV-E-0001"]),
        ("invoices", ["INV-E-0002", "INV-E-0001"]),  # the type's plural name
        ("credit", ["CRN-E-0001"]),
        ("september", ["CRN-E-0001", "INV-E-0002"]),  # issued in September
        ("invoice Sep", ["INV-E-0002"]),  # every word must match
        ("2026 letter", ["LET-E-0001"]),
        ("75.49", ["STM-E-0001"]),  # an amount in pounds
        ("£120", ["INV-E-0001"]),
        ("stm-e", ["STM-E-0001"]),  # part of the reference, any case
        ("invoice december", []),
        ("INV-G", []),  # the gas account's invoice: not the selected account
    ],
)
def test_the_free_text_box_finds_documents_by_any_word(
    electricity_selected: Client, documents: dict[str, Document], text: str, expected: list[str]
) -> None:
    assert shown_references(electricity_selected.get(DOCUMENTS, {"text": text})) == expected


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [
        ({"document_type": "CREDIT_NOTE"}, ["CRN-E-0001"]),
        ({"document_type": "INVOICE"}, ["INV-E-0002", "INV-E-0001"]),
        ({"document_type": "NOTICE"}, []),
        ({"date_from": "2026-09-01"}, ["LET-E-0001", "STM-E-0001", "CRN-E-0001", "INV-E-0002"]),  # from: included
        ({"date_from": "2026-09-02"}, ["LET-E-0001", "STM-E-0001"]),
        ({"date_to": "2026-09-01"}, ["CRN-E-0001", "INV-E-0002", "INV-E-0001"]),  # to: included
        ({"date_to": "2026-08-31"}, ["INV-E-0001"]),
        ({"date_from": "01/09/2026", "date_to": "30/09/2026"}, ["CRN-E-0001", "INV-E-0002"]),  # typed the UK way
        ({"date_from": "2026-10-15", "date_to": "2026-10-15"}, ["LET-E-0001"]),  # one day
        ({"reference": "inv-e"}, ["INV-E-0002", "INV-E-0001"]),  # any part, capitals or not
        ({"reference": "E-0001"}, ["LET-E-0001", "STM-E-0001", "CRN-E-0001", "INV-E-0001"]),
        ({"reference": "  stm-e-0001 "}, ["STM-E-0001"]),
        ({"reference": "INV-G"}, []),  # the gas account's invoice: not the selected account
        ({"reference": "%"}, []),  # a wildcard is a character like any other
        ({"amount_from": "95.50"}, ["INV-E-0002", "INV-E-0001"]),  # from: included; no amount on the letter
        ({"amount_from": "95.51"}, ["INV-E-0001"]),
        ({"amount_to": "75.49"}, ["STM-E-0001", "CRN-E-0001"]),  # to: included
        ({"amount_to": "-20"}, ["CRN-E-0001"]),  # a credit note's amount is negative
        ({"amount_from": "75.5", "amount_to": "£1,000"}, ["INV-E-0002", "INV-E-0001"]),
        ({"document_type": "INVOICE", "date_from": "2026-09-01", "amount_to": "100"}, ["INV-E-0002"]),
    ],
)
def test_each_refine_box_narrows_the_search(
    electricity_selected: Client, documents: dict[str, Document], boxes: dict[str, str], expected: list[str]
) -> None:
    response = search(electricity_selected, **boxes)

    assert response.status_code == 200
    assert shown_references(response) == expected


@pytest.mark.parametrize(
    ("boxes", "field", "message"),
    [
        ({"date_from": "2026-02-30"}, "date_from", "Enter the “issued from” date as a real date, like 2026-10-25."),
        ({"date_to": "next week"}, "date_to", "Enter the “issued to” date as a real date, like 2026-10-25."),
        (
            {"date_from": "2026-10-02", "date_to": "2026-10-01"},
            "date_to",
            "The “issued to” date must be the same as or after the “issued from” date.",
        ),
        ({"amount_from": "ten pounds"}, "amount_from", "Enter the “amount from” in pounds and pence, like 120.50."),
        ({"amount_to": "12.345"}, "amount_to", "Enter the “amount to” in pounds and pence, like 120.50."),
        ({"amount_to": "1e3"}, "amount_to", "Enter the “amount to” in pounds and pence, like 120.50."),
        (
            {"amount_from": "100", "amount_to": "99.99"},
            "amount_to",
            "The “amount to” must be the same as or more than the “amount from”.",
        ),
        ({"document_type": "PAYSLIP"}, "document_type", "Choose one of the document types in the list."),
    ],
)
def test_bad_input_gets_a_clear_message_beside_its_box_and_no_results(
    electricity_selected: Client, documents: dict[str, Document], boxes: dict[str, str], field: str, message: str
) -> None:
    response = search(electricity_selected, **boxes)

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    beside = re.search(
        rf'<p class="field-error" id="id_{field}-error"><span class="visually-hidden">Error:</span> ([^<]+)', page
    )
    assert beside is not None
    assert beside[1] == message
    assert f'<a href="#id_{field}">{message}</a>' in page  # and in the summary at the top, linked to the box
    assert shown_references(response) == []


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_results_come_25_to_a_page_and_each_page_link_keeps_the_search(
    electricity_selected: Client, household: Site
) -> None:
    first_day = date(2026, 1, 1)
    for n in range(60):  # one a day: PG-0059 is the newest
        store(household.electricity, Made(DocumentType.STATEMENT, f"PG-{n:04d}", first_day + timedelta(days=n), None))
    store(household.electricity, Made(DocumentType.STATEMENT, "OTHER-0001", date(2026, 3, 1), None))
    newest_first = [f"PG-{n:04d}" for n in range(59, -1, -1)]

    first = search(electricity_selected, reference="pg-", date_from="2026-01-01")
    assert shown_references(first) == newest_first[:25]
    assert "60 documents found: 1 to 25 shown here" in first.content.decode()

    second = electricity_selected.get(next_page_link(first))
    assert shown_references(second) == newest_first[25:50]
    third = electricity_selected.get(next_page_link(second))
    assert shown_references(third) == newest_first[50:]
    assert "Next page" not in third.content.decode()
    assert "Page 3 of 3" in third.content.decode()


def next_page_link(response: Any) -> str:
    link = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', response.content.decode())[1])  # type: ignore[index]
    for kept in ("reference=pg-", "date_from=2026-01-01", "document_type=", "amount_to="):
        assert kept in link, f"{kept} is lost from {link}"
    return link


@pytest.mark.parametrize(("page", "expected_first"), [("99", "PG-0004"), ("0", "PG-0029"), ("two", "PG-0029")])
def test_a_page_number_out_of_range_or_not_a_number_shows_the_nearest_page(
    electricity_selected: Client, household: Site, page: str, expected_first: str
) -> None:
    for n in range(30):  # PG-0029 is the newest; the second page holds PG-0004 .. PG-0000
        store(household.electricity, Made(DocumentType.STATEMENT, f"PG-{n:04d}", date(2026, 1, 1 + n), None))

    response = search(electricity_selected, page=page)

    assert response.status_code == 200
    assert shown_references(response)[0] == expected_first


def test_search_is_two_queries_whatever_the_page(
    household: Site, documents: dict[str, Document], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        found = documents_queries.search(account_ids=[household.electricity.pk], page=2, page_size=2)
        references = [document.reference for document in found.documents]
        [(document.document_type.name, document.account.number) for document in found.documents]
    assert references == ELECTRICITY_NEWEST_FIRST[2:4]
    assert (found.total, found.number, found.page_count) == (5, 2, 3)


# --- Several accounts -----------------------------------------------------------------------------------------------


def test_a_login_with_two_accounts_searches_the_selected_one_or_both(
    electricity_selected: Client, household: Site, documents: dict[str, Document]
) -> None:
    assert shown_references(search(electricity_selected)) == ELECTRICITY_NEWEST_FIRST

    both = search(electricity_selected, all_accounts="on")

    # INV-G-0001 (15 September) between the statement (1 October) and the two of 1 September.
    assert shown_references(both) == [
        "LET-E-0001",
        "STM-E-0001",
        "INV-G-0001",
        "CRN-E-0001",
        "INV-E-0002",
        "INV-E-0001",
    ]
    gas_row = both.content.decode().split('data-document="INV-G-0001"')[1].split("</tr>")[0]
    assert household.gas.number in gas_row  # with several accounts, each row says whose it is
    assert "INV-B-0001" not in both.content.decode()

    # The portal's one account switcher chooses the account, and brings the customer back to Documents.
    switched = electricity_selected.post("/accounts/select/", {"account": household.gas.pk, "next": DOCUMENTS})
    assert switched["Location"] == DOCUMENTS
    assert shown_references(electricity_selected.get(DOCUMENTS)) == ["INV-G-0001"]


def test_another_customers_account_cannot_be_searched(
    electricity_selected: Client, business: Site, documents: dict[str, Document]
) -> None:
    response = search(electricity_selected, account=str(business.electricity.pk), all_accounts="on")

    assert "INV-B-0001" not in response.content.decode()
    refused = electricity_selected.post("/accounts/select/", {"account": business.electricity.pk, "next": DOCUMENTS})
    assert "INV-B-0001" not in electricity_selected.get(refused["Location"]).content.decode()


def test_a_login_with_one_account_is_not_offered_the_account_box(
    client: Client, build: Builder, business: Site, documents: dict[str, Document]
) -> None:
    build.activated_login("baker@brightwell.example", business.electricity)
    sign_in(client, "baker@brightwell.example", PASSWORD)

    response = search(client)

    assert "Search all your accounts" not in response.content.decode()
    assert shown_references(response) == ["INV-B-0001"]


# --- View, download, e-mail me a copy -------------------------------------------------------------------------------


def test_view_shows_the_pdf_inline_and_download_saves_it_under_its_reference_never_cached(
    electricity_selected: Client, documents: dict[str, Document]
) -> None:
    document = documents["STM-E-0001"]
    stored = Path(document.file.path).read_bytes()

    view = electricity_selected.get(f"/services/documents/{document.pk}/view/")
    download = electricity_selected.get(f"/services/documents/{document.pk}/pdf/")

    for response, disposition in ((view, "inline"), (download, "attachment")):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'{disposition}; filename="STM-E-0001.pdf"'
        assert response["Cache-Control"] == "no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.getvalue() == stored


def test_a_document_of_the_logins_other_account_opens_from_a_search_of_all_accounts(
    electricity_selected: Client, documents: dict[str, Document]
) -> None:
    page = search(electricity_selected, all_accounts="on").content.decode()
    gas = documents["INV-G-0001"]
    assert f'href="/services/documents/{gas.pk}/pdf/"' in page

    download = electricity_selected.get(f"/services/documents/{gas.pk}/pdf/")
    assert download.getvalue() == Path(gas.file.path).read_bytes()


def test_e_mail_me_a_copy_sends_the_pdf_to_the_signed_in_address_and_says_so(
    electricity_selected: Client, customer_login: User, documents: dict[str, Document], mailoutbox: list[Any]
) -> None:
    document = documents["INV-E-0002"]
    back = f"{SEARCH}?document_type=INVOICE&page=1"

    response = electricity_selected.post(f"/services/documents/{document.pk}/email/", {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [customer_login.email]
    assert "INV-E-0002" in message.subject
    assert message.attachments == [("INV-E-0002.pdf", Path(document.file.path).read_bytes(), "application/pdf")]
    shown = electricity_selected.get(back).content.decode()
    assert f"A copy of INV-E-0002 has been sent to {customer_login.email}." in shown


class RefusingMailServer(BaseEmailBackend):
    """A mail server that cannot be reached."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_that_cannot_be_reached_gets_a_message_not_an_error_page(
    electricity_selected: Client, documents: dict[str, Document], settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"

    response = electricity_selected.post(f"/services/documents/{documents['INV-E-0001'].pk}/email/", follow=True)

    assert response.status_code == 200
    assert "We could not send INV-E-0001 just now. Please try again later." in response.content.decode()
    assert "has been sent" not in response.content.decode()


def test_e_mail_me_a_copy_is_a_post_with_the_forms_csrf_token(
    customer_login: User, documents: dict[str, Document], mailoutbox: list[Any]
) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer_login)
    url = f"/services/documents/{documents['INV-E-0001'].pk}/email/"

    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403
    page = strict.get(SEARCH, {**EMPTY_BOXES, "all_accounts": "on"}).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]  # type: ignore[index]
    assert strict.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert len(mailoutbox) == 1


def test_e_mail_me_a_copy_stops_after_the_hourly_limit(
    electricity_selected: Client, documents: dict[str, Document], mailoutbox: list[Any]
) -> None:
    url = f"/services/documents/{documents['INV-E-0001'].pk}/email/"
    for _ in range(views_documents.EMAIL_COPIES_PER_HOUR):
        electricity_selected.post(url)
    assert len(mailoutbox) == views_documents.EMAIL_COPIES_PER_HOUR

    refused = electricity_selected.post(url, follow=True)

    assert len(mailoutbox) == views_documents.EMAIL_COPIES_PER_HOUR
    assert "the most we send" in refused.content.decode()


def test_e_mail_me_a_copy_goes_back_only_to_a_page_of_this_site(
    electricity_selected: Client, documents: dict[str, Document]
) -> None:
    url = f"/services/documents/{documents['INV-E-0001'].pk}/email/"
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert electricity_selected.post(url, {"next": elsewhere})["Location"] == DOCUMENTS


@pytest.mark.parametrize("action", ["view/", "pdf/", "email/"])
def test_another_customers_document_is_not_found_whatever_id_is_typed(
    electricity_selected: Client, documents: dict[str, Document], action: str
) -> None:
    theirs = documents["INV-B-0001"]
    missing = max(document.pk for document in documents.values()) + 1
    for document_id in (theirs.pk, missing):
        url = f"/services/documents/{document_id}/{action}"
        response = electricity_selected.post(url) if action == "email/" else electricity_selected.get(url)
        assert response.status_code == 404, url
        assert b"INV-B-0001" not in response.content
    assert len(mail.outbox) == 0
