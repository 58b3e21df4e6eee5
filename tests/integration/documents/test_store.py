"""The document store: a PDF is issued once, with the checksum that proves it is the one sent, and never changed."""

import hashlib
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError
from pypdf import PdfWriter

from hearth.data.accounts.models import Fuel
from hearth.data.documents.models import Document, DocumentType
from hearth.domain.documents import operations as documents_ops
from hearth.domain.documents import queries as documents_queries
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.conftest import Builder, Site

ISSUED_AT = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def pdf_of(pages: int, *, title: str = "") -> bytes:
    """A PDF with ``pages`` blank pages (the title makes two PDFs of the same length differ)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    return tmp_path / "documents"


def store(site: Site, pdf: bytes, *, reference: str = "INV-TEST-20261001", **changes: Any) -> Document:
    arguments: dict[str, Any] = {
        "account": site.electricity,
        "type_code": DocumentType.INVOICE,
        "reference": reference,
        "issued_at": ISSUED_AT,
        "issue_date": date(2026, 11, 2),
        "period_start_date": date(2026, 10, 1),
        "period_end_date": date(2026, 11, 1),
        "amount": Decimal("180.18"),
        "pdf": pdf,
    }
    return documents_ops.store_document(**{**arguments, **changes})


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def test_a_document_is_stored_with_its_checksum_size_and_page_count(household: Site, folder: Path) -> None:
    pdf = pdf_of(3)

    document = store(household, pdf)

    document.refresh_from_db()
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.size_bytes == len(pdf)
    assert document.page_count == 3
    assert document.document_type.code == "INVOICE"
    assert (document.reference, document.amount, document.issue_date) == (
        "INV-TEST-20261001",
        Decimal("180.18"),
        date(2026, 11, 2),
    )
    stored = files_in(folder)
    assert stored == [folder / str(household.electricity.pk) / "2026" / "INV-TEST-20261001.pdf"]
    assert stored[0].read_bytes() == pdf
    with document.file.open("rb") as handle:
        assert handle.read() == pdf


def test_an_updated_pdf_is_stored_with_the_page_count_of_its_latest_update(household: Site, folder: Path) -> None:
    # An incremental update (a cross-reference stream pointing back at the first table) is read by pypdf's parser.
    updated = PdfWriter(io.BytesIO(pdf_of(1)), incremental=True)
    for _ in range(2):
        updated.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    updated.write(out)

    assert store(household, out.getvalue()).page_count == 3


def test_storing_the_same_reference_and_bytes_again_returns_the_issued_document(household: Site, folder: Path) -> None:
    pdf = pdf_of(1)
    first = store(household, pdf)

    again = store(household, pdf, issued_at=datetime(2026, 11, 3, tzinfo=UTC))

    assert again.pk == first.pk
    assert Document.objects.count() == 1
    assert len(files_in(folder)) == 1


def test_a_different_file_under_an_issued_reference_is_refused_and_the_first_is_kept(
    household: Site, folder: Path
) -> None:
    first_pdf = pdf_of(1, title="first")
    first = store(household, first_pdf)

    with pytest.raises(documents_ops.DocumentRefused, match="INV-TEST-20261001 was already issued"):
        store(household, pdf_of(1, title="second"))

    first.refresh_from_db()
    assert first.sha256 == hashlib.sha256(first_pdf).hexdigest()
    assert [path.read_bytes() for path in files_in(folder)] == [first_pdf]


def test_the_same_file_and_reference_for_another_account_is_refused(household: Site, folder: Path) -> None:
    pdf = pdf_of(1)
    store(household, pdf)

    with pytest.raises(documents_ops.DocumentRefused):
        store(household, pdf, account=household.gas)

    assert Document.objects.get().account_id == household.electricity.pk


def test_bytes_that_are_not_a_pdf_are_refused_and_nothing_is_stored(household: Site, folder: Path) -> None:
    with pytest.raises(documents_ops.DocumentRefused, match="not a readable PDF"):
        store(household, b"<html>not a pdf</html>")

    assert not Document.objects.exists()
    assert files_in(folder) == []


def test_an_unknown_document_type_is_refused(household: Site, folder: Path) -> None:
    with pytest.raises(documents_ops.DocumentRefused, match="no document type 'MENU'"):
        store(household, pdf_of(1), type_code="MENU")

    assert files_in(folder) == []


def test_when_the_row_cannot_be_written_its_file_is_removed(household: Site, folder: Path) -> None:
    with pytest.raises(IntegrityError):  # the database refuses a period that ends before it starts
        store(household, pdf_of(1), period_end_date=date(2026, 9, 1))

    assert not Document.objects.exists()
    assert files_in(folder) == []


def test_a_document_is_found_only_through_its_own_account(build: Builder, household: Site, folder: Path) -> None:
    document = store(household, pdf_of(1))
    other_customer = build.customer(name="Oscar Other", email="oscar@other.example")
    other = build.account(other_customer, fuel=Fuel.ELECTRICITY)

    assert documents_queries.document_of_account(account=household.electricity, document_id=document.pk) == document
    assert documents_queries.document_of_account(account=household.gas, document_id=document.pk) is None
    assert documents_queries.document_of_account(account=other, document_id=document.pk) is None
    assert documents_queries.document_of_account(account=household.electricity, document_id=document.pk + 99) is None
