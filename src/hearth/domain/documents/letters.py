"""Letters and notices: one way for every area to write to a customer, as a PDF document of the account delivered
by each login's delivery rules, like a bill.

Payments (Direct Debit advance notices, reminders, refund letters), contracts (Statements of Renewal, price-change
notices, cooling-off confirmations) and protections (complaint letters, disconnection warnings) say what to write as
a :class:`Letter`; :func:`issue_letter` prints it on the supplier's page (``templates/letter.typ``), stores it and
plans its deliveries. The letter's values reach Typst as one JSON string in ``sys.inputs.letter``, decoded there and
never pasted into markup, so a customer called ``O'Brien #1 $[x]_*`` prints as written.

A letter's reference is its identity: issuing it again (a job re-run after a crash, on the same day or a later one)
returns the document already issued and sends nothing more, as a bill's invoice does.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, cast

from django.db import transaction

from hearth.common.calendar import local_date
from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document, DocumentType
from hearth.domain.documents import delivery as documents_delivery
from hearth.domain.documents import operations as documents_ops
from hearth.domain.documents import printing as documents_printing

TEMPLATE: Final = documents_printing.TEMPLATES / "letter.typ"

REFERENCE_LENGTH: Final = cast(int, Document._meta.get_field("reference").max_length)
"""The longest reference a document can have (a CharField always has a length)."""

AMOUNT_CELL: Final = re.compile(r"-?£[0-9][0-9,]*\.[0-9]{2}")
"""A sum of money as :class:`~hearth.common.money.Money` prints it: columns of them are right-aligned."""


class LetterRefused(documents_ops.DocumentRefused):
    """The letter cannot be issued as given; the message says why."""


@dataclass(frozen=True)
class Table:
    """Rows of text under a header row, such as collection dates and amounts; every row as wide as the header."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Letter:
    """What one letter or notice to an account's customer says, and how it is filed.

    ``type_code`` names a ``DocumentType`` (its delivery rules decide who receives it); ``reference`` is printed on
    it and identifies it; the page's header names the type, and ``title`` is the subject line under the greeting.
    The customer's name, postal address and account number, the greeting and the supplier's
    contact details are printed from the account and the brand. ``paragraphs`` come before ``table``, and
    ``after_table`` after it; ``facts`` are label and value pairs shown in a box beside the address. ``amount`` and
    the period (end exclusive) are filed with the document for searching; print them as facts if the customer should
    read them. A ``clause`` of the Terms & Conditions ("9.4.2") is named as the one the notice is sent under.
    """

    account: Account
    type_code: str
    reference: str
    title: str
    paragraphs: tuple[str, ...]
    table: Table | None = None
    after_table: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    amount: Decimal | None = None
    period_start_date: date | None = None
    period_end_date: date | None = None
    clause: str | None = None


def _problem(letter: Letter) -> str | None:
    if not letter.reference.strip() or len(letter.reference) > REFERENCE_LENGTH:
        return f"A letter's reference must have 1 to {REFERENCE_LENGTH} characters; got {letter.reference!r}."
    if not letter.title.strip():
        return f"Letter {letter.reference} has no title."
    if not any(paragraph.strip() for paragraph in letter.paragraphs):
        return f"Letter {letter.reference} has nothing to say: it has no paragraph."
    if letter.table is not None:
        width = len(letter.table.header)
        if width == 0:
            return f"The table of letter {letter.reference} has no header row."
        for number, row in enumerate(letter.table.rows, start=1):
            if len(row) != width:
                return (
                    f"Row {number} of the table of letter {letter.reference} has {len(row)} cells; "
                    f"the header has {width}."
                )
    start, end = letter.period_start_date, letter.period_end_date
    if start is not None and end is not None and end <= start:
        return f"The period of letter {letter.reference} ends ({end}) before it starts ({start})."
    return None


def _table(table: Table | None) -> dict[str, Any] | None:
    if table is None:
        return None
    columns = list(zip(*table.rows, strict=True)) if table.rows else []
    right = [bool(column) and all(AMOUNT_CELL.fullmatch(cell) for cell in column) for column in columns]
    return {"header": table.header, "rows": table.rows, "right": right or [False] * len(table.header)}


def typst_input(letter: Letter, *, issue_date: date) -> str:
    """The JSON ``templates/letter.typ`` reads from ``sys.inputs.letter``: the letter as it is printed.

    The header names the document's type ("Payment notice"), and the letter's own title is its subject line, under
    the greeting, so the page says each once.

    :raises LetterRefused: if ``type_code`` names no document type.
    """
    account = Account.objects.select_related("customer", "billing_property").get(pk=letter.account.pk)
    document_type = DocumentType.objects.filter(code=letter.type_code).first()
    if document_type is None:
        raise LetterRefused(f"There is no document type {letter.type_code!r}.")
    brand = documents_printing.brand()
    clause = f"This notice is sent under your Terms & Conditions (clause {letter.clause})." if letter.clause else ""
    data = {
        "title": document_type.name,
        "subject": letter.title,
        "reference": letter.reference,
        "issue_date": documents_printing.day_words(issue_date),
        "brand": brand,
        "logo_svg": documents_printing.logo_svg(),
        "customer_name": account.customer.name,
        "address_lines": documents_printing.postal_address_lines(account),
        "facts": [("Account number", account.number), *letter.facts],
        "greeting": f"Dear {account.customer.name},",
        "paragraphs": [paragraph for paragraph in letter.paragraphs if paragraph.strip()],
        "table": _table(letter.table),
        "after_table": [paragraph for paragraph in letter.after_table if paragraph.strip()],
        "sign_off": ["Yours sincerely,", "Customer Care", brand["name"]],
        "clause": clause,
    }
    return json.dumps(data, ensure_ascii=False)


def render_letter_pdf(letter: Letter, *, issue_date: date) -> bytes:
    return documents_printing.render(TEMPLATE, letter=typst_input(letter, issue_date=issue_date))


def _issued(letter: Letter) -> Document | None:
    """The document already issued under the letter's reference; one of another account or type is refused."""
    existing = Document.objects.filter(reference=letter.reference).select_related("document_type").first()
    if existing is not None and (
        existing.account_id != letter.account.pk or existing.document_type.code != letter.type_code
    ):
        raise LetterRefused(
            f"Reference {letter.reference} is already used by a {existing.document_type.name.lower()} "
            "of another account or type."
        )
    return existing


def issue_letter(*, letter: Letter, now: datetime, deliver: bool = True) -> Document:
    """Print ``letter``, store it as a document of its account issued at ``now`` (dated that local day) and, unless
    ``deliver`` is False, plan its deliveries by the account's logins' rules, e-mails sent once the transaction
    commits and letters left for the print batch.

    Issued before under its reference, the stored document is returned and nothing is planned again.

    :raises LetterRefused: if the letter has no reference, title or paragraph, a table row differs in width from its
        header, its period ends before it starts, its reference belongs to another account's or type's document,
        or ``type_code`` names no document type.
    """
    problem = _problem(letter)
    if problem is not None:
        raise LetterRefused(problem)
    existing = _issued(letter)
    if existing is not None:
        return existing
    issue_date = local_date(now)
    pdf = render_letter_pdf(letter, issue_date=issue_date)
    with transaction.atomic():
        document = documents_ops.store_document(
            account=letter.account,
            type_code=letter.type_code,
            reference=letter.reference,
            issued_at=now,
            issue_date=issue_date,
            period_start_date=letter.period_start_date,
            period_end_date=letter.period_end_date,
            amount=letter.amount,
            pdf=pdf,
        )
        if deliver:
            documents_delivery.dispatch(documents_delivery.plan_deliveries(document=document, now=now))
    return document
