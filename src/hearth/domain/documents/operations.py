"""Issuing a document: the PDF stored once with its checksum, size and page count, never changed afterwards.

A document is written whole in one transaction; its file goes to the ``documents`` storage first, and is removed
again if the row cannot be written, so a crash leaves at most an unreferenced file, never a row without its file.
Storing is idempotent: the same reference with the same bytes returns the document already issued (a job re-run
after a crash), while a different file under an issued reference is refused, because what a customer was sent
must stay provable by its SHA-256.
"""

import hashlib
import io
from datetime import date, datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document, DocumentType


class DocumentRefused(Exception):
    """The document cannot be stored as given; the message says why."""


def _page_count(pdf: bytes) -> int:
    try:
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    except (PdfReadError, ValueError, OSError) as exc:
        raise DocumentRefused(f"The file is not a readable PDF ({exc}).") from exc
    if pages == 0:
        raise DocumentRefused("The PDF has no pages.")
    return pages


def _same_document(existing: Document, *, account: Account, document_type: DocumentType, sha256: str) -> Document:
    """The issued document if it is this one again; a different file or owner for its reference is refused."""
    if existing.sha256 != sha256 or existing.account_id != account.pk or existing.document_type_id != document_type.pk:
        raise DocumentRefused(
            f"Document {existing.reference} was already issued with different content; "
            "an issued document is never replaced."
        )
    return existing


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
    document_type = DocumentType.objects.filter(code=type_code).first()
    if document_type is None:
        raise DocumentRefused(f"There is no document type {type_code!r}.")
    sha256 = hashlib.sha256(pdf).hexdigest()
    existing = Document.objects.filter(reference=reference).first()
    if existing is not None:
        return _same_document(existing, account=account, document_type=document_type, sha256=sha256)
    document = Document(
        account=account,
        document_type=document_type,
        reference=reference,
        issued_at=issued_at,
        issue_date=issue_date,
        period_start_date=period_start_date,
        period_end_date=period_end_date,
        amount=amount,
        sha256=sha256,
        size_bytes=len(pdf),
        page_count=_page_count(pdf),
    )
    document.file.save(f"{reference}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)
        raced = Document.objects.filter(reference=reference).first()
        if raced is None:
            raise
        return _same_document(raced, account=account, document_type=document_type, sha256=sha256)
    except BaseException:
        document.file.delete(save=False)
        raise
    return document
