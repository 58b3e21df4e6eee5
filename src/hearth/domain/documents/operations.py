"""Issuing a document: the PDF stored once with its checksum, size and page count, never changed afterwards.

A document is written whole in one transaction; its file goes to the ``documents`` storage first, and is removed
again if the row cannot be written, so a crash leaves at most an unreferenced file, never a row without its file.
Storing is idempotent: the same reference with the same bytes returns the document already issued (a job re-run
after a crash), while a different file under an issued reference is refused, because what a customer was sent
must stay provable by its SHA-256.
"""

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject

from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document, DocumentType

_START_XREF: Final = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
_XREF_TABLE: Final = re.compile(rb"xref\r?\n0 (\d+)\r?\n")
_XREF_ENTRY: Final = re.compile(rb"(\d{10}) \d{5} ([nf])(?: \r| \n|\r\n)")
_XREF_ENTRIES: Final = re.compile(rb"(?:%s)*" % _XREF_ENTRY.pattern)
_ROOT: Final = re.compile(rb"/Root\s*(\d+)\s+0\s+R")
_PAGES: Final = re.compile(rb"/Pages\s*(\d+)\s+0\s+R")
_PAGE_TREE: Final = re.compile(rb"/Type\s*/Pages\b")
_COUNT: Final = re.compile(rb"/Count\s*(\d+)")


class DocumentRefused(Exception):
    """The document cannot be stored as given; the message says why."""


def _page_count(pdf: bytes) -> int:
    """The PDF's pages as its page tree's root counts them (``/Root /Pages /Count``).

    A file laid out as Typst and pypdf write one (a single cross-reference table, no object streams or updates) is
    read directly from the table's offsets (:func:`_counted_pages`); any other is read by pypdf's strict parser,
    which refuses a broken cross-reference table rather than repairing it. pypdf parses the whole table in Python,
    which cost more than the rest of storing a bill's PDF.
    """
    pages: object = _counted_pages(pdf)
    if pages is None:
        try:
            tree = PdfReader(io.BytesIO(pdf), strict=True).root_object["/Pages"]
            pages = tree["/Count"] if isinstance(tree, DictionaryObject) else None
        except (PdfReadError, ValueError, OSError, KeyError, TypeError) as exc:
            raise DocumentRefused(f"The file is not a readable PDF ({exc}).") from exc
    if not isinstance(pages, int) or pages <= 0:
        raise DocumentRefused("The PDF has no pages.")
    return pages


def _counted_pages(pdf: bytes) -> int | None:
    """``/Root /Pages /Count`` found through the file's one cross-reference table (every entry well formed), each
    object read where its entry says it starts; None when the file is not laid out so, or an entry does not point at
    its object."""
    end = _START_XREF.search(pdf, max(0, len(pdf) - 64))
    table = _XREF_TABLE.match(pdf, int(end[1])) if end else None
    if not end or not table:
        return None
    entries_at, size = table.end(), int(table[1])
    trailer = pdf[entries_at + 20 * size : end.start()]
    if (
        not _XREF_ENTRIES.fullmatch(pdf, entries_at, entries_at + 20 * size)
        or not trailer.lstrip().startswith(b"trailer")
        or b"/Prev" in trailer
    ):
        return None

    def body(reference: re.Match[bytes] | None) -> bytes:
        """The object ``reference`` names, or nothing if there is none or its entry does not point at it."""
        number = int(reference[1]) if reference else size
        at = entries_at + 20 * number
        entry = _XREF_ENTRY.fullmatch(pdf, at, at + 20) if number < size else None
        header = f"{number} 0 obj".encode()
        if not entry or entry[2] != b"n" or not pdf.startswith(header, start := int(entry[1])):
            return b""
        return pdf[start + len(header) : pdf.find(b"endobj", start)]

    tree = body(_PAGES.search(body(_ROOT.search(trailer))))
    count = _COUNT.search(tree) if _PAGE_TREE.search(tree) else None
    return int(count[1]) if count else None


def _same_document(existing: Document, *, account: Account, document_type: DocumentType, sha256: str) -> Document:
    """The issued document if it is this one again; a different file or owner for its reference is refused."""
    if existing.sha256 != sha256 or existing.account_id != account.pk or existing.document_type_id != document_type.pk:
        raise DocumentRefused(
            f"Document {existing.reference} was already issued with different content; "
            "an issued document is never replaced."
        )
    return existing


@dataclass(frozen=True)
class NewDocument:
    """A document to store: whose, of which type, its reference, dates and amount, and the PDF."""

    account: Account
    type_code: str
    reference: str
    issued_at: datetime
    issue_date: date
    period_start_date: date | None
    period_end_date: date | None
    amount: Decimal | None
    pdf: bytes


def store_document(
    *,
    account: Account,
    type_code: str,
    reference: str,
    issued_at: datetime,
    issue_date: date,
    period_start_date: date | None,
    period_end_date: date | None,
    amount: Decimal | None,
    pdf: bytes,
) -> Document:
    """Store ``pdf`` as the account's document ``reference``, or return it if exactly this file was stored before.

    :raises DocumentRefused: if ``reference`` holds a different file (or another account's, or another type), if the
        bytes are not a PDF, or if ``type_code`` names no document type.
    """
    new = NewDocument(
        account=account,
        type_code=type_code,
        reference=reference,
        issued_at=issued_at,
        issue_date=issue_date,
        period_start_date=period_start_date,
        period_end_date=period_end_date,
        amount=amount,
        pdf=pdf,
    )
    (stored,) = store_documents([new])
    if isinstance(stored, DocumentRefused):
        raise stored
    return stored


def store_documents(new: Sequence[NewDocument]) -> list[Document | DocumentRefused]:
    """Store each of ``new`` as :func:`store_document` does, with the queries of one (a bill run's chunk): in order,
    each one's document, or why it was refused, which does not stop the others.

    The rows are written together in one insert; if a racing process issued one of the references meanwhile, they
    are written one at a time instead, so each gets the answer it would have had alone.
    """
    types = {item.code: item for item in DocumentType.objects.filter(code__in={item.type_code for item in new})}
    existing = Document.objects.in_bulk([item.reference for item in new], field_name="reference")
    results: list[Document | DocumentRefused] = []
    fresh: list[int] = []
    for item in new:
        document_type = types.get(item.type_code)
        sha256 = hashlib.sha256(item.pdf).hexdigest()
        try:
            if document_type is None:
                raise DocumentRefused(f"There is no document type {item.type_code!r}.")
            if item.reference in existing:
                found = existing[item.reference]
                results.append(_same_document(found, account=item.account, document_type=document_type, sha256=sha256))
                continue
            fresh.append(len(results))
            results.append(_document(item, document_type, sha256))
        except DocumentRefused as refused:
            results.append(refused)
    _insert(results, fresh)
    return results


def _document(item: NewDocument, document_type: DocumentType, sha256: str) -> Document:
    """The unsaved row of a new document, its file already in the ``documents`` storage."""
    document = Document(
        account=item.account,
        document_type=document_type,
        reference=item.reference,
        issued_at=item.issued_at,
        issue_date=item.issue_date,
        period_start_date=item.period_start_date,
        period_end_date=item.period_end_date,
        amount=item.amount,
        sha256=sha256,
        size_bytes=len(item.pdf),
        page_count=_page_count(item.pdf),
    )
    document.file.save(f"{item.reference}.pdf", ContentFile(item.pdf), save=False)
    return document


def _insert(results: list[Document | DocumentRefused], fresh: list[int]) -> None:
    """Write the new rows (``results`` at the positions ``fresh``), together if none of their references was issued
    meanwhile, else one at a time, replacing a row that lost its race by the document that won (or by the refusal,
    if that one's file differs). A file whose row is not written is removed again."""
    documents = [document for index in fresh if isinstance(document := results[index], Document)]
    try:
        with transaction.atomic():
            Document.objects.bulk_create(documents)
        return
    except IntegrityError:
        pass
    except BaseException:
        for document in documents:
            document.file.delete(save=False)
        raise
    for index, document in zip(fresh, documents, strict=True):
        document.pk = None
        try:
            with transaction.atomic():
                document.save(force_insert=True)
        except IntegrityError:
            document.file.delete(save=False)
            raced = Document.objects.filter(reference=document.reference).first()
            if raced is None:
                raise
            try:
                results[index] = _same_document(
                    raced, account=document.account, document_type=document.document_type, sha256=document.sha256
                )
            except DocumentRefused as refused:
                results[index] = refused
        except BaseException:
            document.file.delete(save=False)
            raise
