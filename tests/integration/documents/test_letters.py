"""Letters and notices: a real PDF on the supplier's page, read back with pdftotext, stored once by its reference and
delivered by each login's delivery rules like a bill.

Every expected word is typed here from what the test wrote (the letter, the Builder's address), never taken from the
letter code.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from hearth.data.accounts.models import Account, Customer
from hearth.data.documents.models import Delivery, Document
from hearth.domain.documents import delivery as documents_delivery
from hearth.domain.documents import letters
from hearth.domain.documents import operations as documents_ops
from hearth.domain.documents import rules as delivery_rules
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.billing.test_invoice import read_pdf
from tests.integration.conftest import Builder, Site
from tests.integration.documents.delivery_support import SCRIPTED, ScriptedBackend, choose

NOW = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
"""Monday 2 November 2026, 07:00 in London (GMT since 25 October)."""

PAYMENT_NOTICE, LETTER = "PAYMENT_NOTICE", "LETTER"

PARAGRAPHS = (
    "Thank you for setting up your Direct Debit. This notice tells you what we will collect, and when.",
    "If the amount or the dates change we will tell you at least 10 working days before the next collection.",
)
AFTER_TABLE = ("Payments are protected by the Direct Debit Guarantee: your bank refunds any payment taken in error.",)
TABLE = letters.Table(
    header=("Collection date", "What for", "Amount"),
    rows=(
        ("16 November 2026", "First collection", "£45.00"),
        ("16 December 2026", "Monthly payment", "£45.00"),
        ("18 January 2027", "Monthly payment", "£1,045.50"),
    ),
)
FACTS = (("Your reference", "HEARTH-DD-0001"), ("Amount", "£45.00 a month"), ("First collection", "16 November 2026"))


def advance_notice(account: Account, *, reference: str = "DDN-0001") -> letters.Letter:
    return letters.Letter(
        account=account,
        type_code=PAYMENT_NOTICE,
        reference=reference,
        title="Your Direct Debit advance notice",
        paragraphs=PARAGRAPHS,
        table=TABLE,
        after_table=AFTER_TABLE,
        facts=FACTS,
        amount=Decimal("45.00"),
        clause="9.1.5",
    )


@pytest.fixture(autouse=True)
def scripted_mail(settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> type[ScriptedBackend]:
    """Documents in a folder of this test; e-mail through the scripted backend, every message accepted."""
    use_documents_folder(monkeypatch, tmp_path / "documents")
    settings.HEARTH_EMAIL_DELIVERY_BACKEND = SCRIPTED
    monkeypatch.setattr(ScriptedBackend, "script", [])
    monkeypatch.setattr(ScriptedBackend, "sent", [])
    return ScriptedBackend


def printed(document: Document, tmp_path: Path) -> Any:
    with document.file.open("rb") as handle:
        return read_pdf(handle.read(), tmp_path)


def channels_of(document: Document) -> list[tuple[str, str]]:
    return sorted((delivery.channel, delivery.address) for delivery in Delivery.objects.filter(document=document))


# --- What a letter prints ------------------------------------------------------------------------------------------


def test_a_letter_prints_its_title_every_paragraph_and_table_cell_and_the_customers_name_and_address(
    household: Site, tmp_path: Path, settings: Any
) -> None:
    account = household.electricity
    street = account.billing_property.address_line_1

    document = letters.issue_letter(letter=advance_notice(account), now=NOW, deliver=False)

    text = printed(document, tmp_path)
    # The header names the type; the title is said once, as the subject line under the greeting.
    assert text.words.count("Payment notice") == 1
    assert text.words.count("Your Direct Debit advance notice") == 1
    lines = [row for row in text.rows if row]
    assert lines[lines.index("Dear Jo Bloggs,") + 1] == "Your Direct Debit advance notice"
    for paragraph in (*PARAGRAPHS, *AFTER_TABLE):
        assert paragraph in text
    for row in (TABLE.header, *TABLE.rows):
        assert text.on_a_row(" ".join(row)), row
    assert text.on_a_row("Jo Bloggs")
    for address_line in (street, "Leeds", "LS1 4AP"):
        assert text.on_a_row(address_line)
    for label, value in (("Account number", account.number), *FACTS):
        assert text.on_a_row(f"{label} {value}"), label
    assert "Reference DDN-0001" in text
    assert "Date of issue 2 November 2026" in text
    assert "This notice is sent under your Terms & Conditions (clause 9.1.5)." in text
    brand = settings.HEARTH_BRAND
    assert f"{brand['name']} · {brand['care_phone']} · {brand['care_email']}" in text
    assert "Page 1 of 1" in text


def test_the_letter_is_stored_as_a_document_of_its_type_dated_the_local_day_of_issue(household: Site) -> None:
    late_evening = datetime(2026, 7, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 August in London (BST)
    letter = replace(
        advance_notice(household.electricity),
        period_start_date=date(2026, 11, 16),
        period_end_date=date(2027, 2, 16),
    )

    document = letters.issue_letter(letter=letter, now=late_evening, deliver=False)

    assert document.document_type.code == PAYMENT_NOTICE
    assert (document.account, document.reference) == (household.electricity, "DDN-0001")
    assert (document.issued_at, document.issue_date) == (late_evening, date(2026, 8, 1))
    assert (document.period_start_date, document.period_end_date) == (date(2026, 11, 16), date(2027, 2, 16))
    assert document.amount == Decimal("45.00")
    with document.file.open("rb") as handle:
        assert document.page_count == len(PdfReader(handle).pages) == 1


def test_a_letter_that_names_no_clause_does_not_claim_one(household: Site, tmp_path: Path) -> None:
    letter = letters.Letter(
        account=household.electricity,
        type_code=LETTER,
        reference="LTR-0001",
        title="Thank you for your reading",
        paragraphs=("We have your reading of 12 November 2026.",),
    )

    text = printed(letters.issue_letter(letter=letter, now=NOW, deliver=False), tmp_path)

    assert "We have your reading of 12 November 2026." in text
    assert "Terms & Conditions" not in text


def test_text_from_the_customer_and_the_caller_prints_as_written_never_read_as_typst_markup(
    household: Site, tmp_path: Path
) -> None:
    name = "O'Brien #1 $[x]_*\\"
    household.customer.name = name
    household.customer.save(update_fields=["name"])
    place = household.electricity.billing_property
    place.address_line_2 = 'Flat "B" #2 <label> @ref // not a comment'
    place.save(update_fields=["address_line_2"])
    cell = "#set page(width: 1cm) *bold* _em_ `raw`"
    letter = letters.Letter(
        account=household.electricity,
        type_code=LETTER,
        reference="LTR-#1",
        title="About [your] $account$",
        paragraphs=(f"Dear {name}: we wrote \\ to you #twice.",),
        table=letters.Table(header=("What", "£"), rows=((cell, "£1.00"),)),
        facts=(("#let x = 1", "*"),),
    )

    text = printed(letters.issue_letter(letter=letter, now=NOW, deliver=False), tmp_path)

    assert text.on_a_row(name)
    assert f"Dear {name}," in text
    assert text.on_a_row('Flat "B" #2 <label> @ref // not a comment')
    assert "About [your] $account$" in text
    assert f"Dear {name}: we wrote \\ to you #twice." in text
    assert text.on_a_row(f"{cell} £1.00")
    assert text.on_a_row("#let x = 1 *")
    assert "Reference LTR-#1" in text


# --- Stored once, delivered once -----------------------------------------------------------------------------------


def test_issuing_the_same_letter_twice_gives_one_document_and_one_set_of_deliveries(
    build: Builder,
    household: Site,
    scripted_mail: type[ScriptedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    account = household.electricity
    build.activated_login("ann@example.com", account)
    with django_capture_on_commit_callbacks(execute=True):
        document = letters.issue_letter(letter=advance_notice(account), now=NOW)
    build.activated_login("bob@example.com", account)  # would be sent a newly issued letter

    with django_capture_on_commit_callbacks(execute=True) as again:
        repeated = letters.issue_letter(letter=advance_notice(account), now=NOW + timedelta(days=1))

    assert repeated.pk == document.pk
    assert Document.objects.filter(reference="DDN-0001").count() == 1
    assert again == []
    assert channels_of(document) == [("EMAIL", "ann@example.com")]
    [message] = scripted_mail.sent
    assert message.to == ["ann@example.com"]
    assert "DDN-0001" in message.subject


def test_a_letter_is_e_mailed_only_once_its_transaction_commits(
    build: Builder,
    household: Site,
    scripted_mail: type[ScriptedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    build.activated_login("ann@example.com", household.electricity)

    with django_capture_on_commit_callbacks() as waiting:
        letters.issue_letter(letter=advance_notice(household.electricity), now=NOW)
        assert scripted_mail.sent == []
    for callback in waiting:
        callback()

    assert [message.to for message in scripted_mail.sent] == [["ann@example.com"]]


def test_a_letter_issued_without_delivery_is_sent_to_nobody(build: Builder, household: Site) -> None:
    build.activated_login("ann@example.com", household.electricity)

    document = letters.issue_letter(letter=advance_notice(household.electricity), now=NOW, deliver=False)

    assert channels_of(document) == []


# --- Delivered by the rules ----------------------------------------------------------------------------------------


def envelope(account: Account) -> str:
    return f"{account.billing_property.address_line_1}\nLeeds\nLS1 4AP"


def test_a_notice_that_must_be_delivered_reaches_a_login_that_turned_e_mail_off_by_post(
    build: Builder, household: Site
) -> None:
    account = household.electricity
    ann = build.activated_login("ann@example.com", account)
    # Switching a must-be-delivered type off on both channels is refused, so e-mail off means post on.
    with pytest.raises(delivery_rules.RulesRefused):
        choose(ann, account, email=False, attachment=False, post=False, type_code=PAYMENT_NOTICE)
    choose(ann, account, email=False, attachment=False, post=True, type_code=PAYMENT_NOTICE)

    document = letters.issue_letter(letter=advance_notice(account), now=NOW)

    assert channels_of(document) == [("POST", envelope(account))]


def test_each_login_gets_a_letter_as_its_own_rules_for_the_type_say(build: Builder, household: Site) -> None:
    account = household.electricity
    build.activated_login("ann@example.com", account)
    bob = build.activated_login("bob@example.com", account)
    choose(bob, account, email=True, attachment=True, post=True, type_code=PAYMENT_NOTICE)

    document = letters.issue_letter(letter=advance_notice(account), now=NOW)

    delivered = Delivery.objects.filter(document=document)
    assert {(d.channel, d.address, d.with_attachment) for d in delivered} == {
        ("EMAIL", "ann@example.com", False),  # the default for a type other than invoices: e-mail, no PDF
        ("EMAIL", "bob@example.com", True),
        ("POST", envelope(account), False),
    }


def test_a_letter_goes_by_post_when_the_login_wants_no_e_mail_for_it(build: Builder, household: Site) -> None:
    account = household.electricity
    ann = build.activated_login("ann@example.com", account)
    choose(ann, account, email=False, attachment=False, post=True, type_code=LETTER)
    letter = replace(advance_notice(account), type_code=LETTER, reference="LTR-0002")

    document = letters.issue_letter(letter=letter, now=NOW)

    assert channels_of(document) == [("POST", envelope(account))]


def test_a_letter_goes_by_post_when_the_account_has_no_login_that_receives_documents(
    build: Builder, household: Site
) -> None:
    account = household.electricity
    build.new_login(account, "never.signed.in@example.com")

    document = letters.issue_letter(letter=advance_notice(account), now=NOW)

    assert channels_of(document) == [("POST", envelope(account))]
    assert documents_delivery.postal_address(account) == envelope(account)


def test_post_goes_to_the_correspondence_address_the_customer_gave(household: Site) -> None:
    """T&C 22.3: notices go to the postal address the customer gave us most recently, not the supplied home."""
    account = household.electricity
    Customer.objects.filter(pk=account.customer_id).update(
        correspondence_line_1="Flat 9, 1 Quay Street",
        correspondence_town="Bristol",
        correspondence_postcode="BS1 4DJ",
    )
    account.refresh_from_db()

    document = letters.issue_letter(letter=advance_notice(account), now=NOW)

    assert channels_of(document) == [("POST", "Flat 9, 1 Quay Street\nBristol\nBS1 4DJ")]


# --- Refused -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"reference": ""}, "reference must have 1 to 40 characters"),
        ({"reference": "R" * 41}, "reference must have 1 to 40 characters"),
        ({"title": " "}, "has no title"),
        ({"paragraphs": ("", " ")}, "has no paragraph"),
        ({"table": letters.Table(header=("Date", "Amount"), rows=(("1 May", "£1.00", "x"),))}, "Row 1 of the table"),
        ({"table": letters.Table(header=(), rows=())}, "no header row"),
        ({"period_start_date": date(2026, 12, 1), "period_end_date": date(2026, 12, 1)}, "ends (2026-12-01) before"),
    ],
)
def test_a_letter_that_cannot_be_printed_as_given_is_refused_and_nothing_is_stored(
    household: Site, change: dict[str, Any], words: str
) -> None:
    with pytest.raises(letters.LetterRefused, match=words.replace("(", r"\(").replace(")", r"\)")):
        letters.issue_letter(letter=replace(advance_notice(household.electricity), **change), now=NOW)

    assert not Document.objects.exists()


def test_a_reference_already_used_by_another_account_or_type_is_refused(household: Site) -> None:
    letters.issue_letter(letter=advance_notice(household.electricity), now=NOW, deliver=False)

    with pytest.raises(letters.LetterRefused, match="DDN-0001 is already used"):
        letters.issue_letter(letter=advance_notice(household.gas), now=NOW)
    with pytest.raises(documents_ops.DocumentRefused, match="DDN-0001 is already used"):
        letters.issue_letter(letter=replace(advance_notice(household.electricity), type_code=LETTER), now=NOW)

    assert Document.objects.count() == 1


def test_a_letter_of_a_type_that_does_not_exist_is_refused(household: Site) -> None:
    letter = replace(advance_notice(household.electricity), type_code="NO_SUCH_TYPE")

    with pytest.raises(documents_ops.DocumentRefused, match="no document type 'NO_SUCH_TYPE'"):
        letters.issue_letter(letter=letter, now=NOW)
