"""A bill run's chunk of invoices made together (attach_invoices): each bill gets its own PDF, the bytes it would get
alone, stored with the others in one transaction; a bill whose PDF fails is kept failed with its reason and the
others are stored all the same.

Each bill here is one energy line and its VAT, so its total is worked out in the docstring of :func:`bill_for`.
"""

import hashlib
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from hearth.data.accounts.models import Account
from hearth.data.billing.models import Bill, BillLine
from hearth.data.documents.models import Delivery, Document
from hearth.domain.billing import invoice as billing_invoice
from hearth.domain.documents import operations as documents_ops
from hearth.domain.documents import printing as documents_printing
from tests.integration.billing.invoice_support import Line, make_bill, use_documents_folder
from tests.integration.conftest import Builder, Site

NOW = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    return tmp_path / "documents"


def bill_for(account: Account, kwh: str) -> Bill:
    """``kwh`` at 25p with 5% VAT: 100 kWh is £25.00 + £1.25 = £26.25; 200 kWh £50.00 + £2.50 = £52.50; 300 kWh
    £75.00 + £3.75 = £78.75."""
    energy = Decimal(kwh) * Decimal("0.25")
    return make_bill(
        account,
        lines=[
            Line(BillLine.Kind.ENERGY, "Energy used", Decimal(kwh), "kWh", Decimal("0.25"), Decimal("0.05")),
            Line(BillLine.Kind.VAT, "VAT at 5%", energy, "£", Decimal("0.05")),
        ],
    )


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.fixture
def three_bills(household: Site, business: Site) -> list[Bill]:
    return [
        bill_for(household.electricity, "100"),
        bill_for(household.gas, "200"),
        bill_for(business.electricity, "300"),
    ]


def test_each_bill_of_a_chunk_gets_its_own_invoice_with_the_bytes_it_would_get_alone(
    three_bills: list[Bill], household: Site, business: Site, build: Builder
) -> None:
    build.activated_login("jo.bloggs@example.com", household.electricity, household.gas)
    alone = {bill.pk: billing_invoice.render_invoice_pdf(bill) for bill in three_bills}

    made = billing_invoice.attach_invoices(bills=three_bills, now=NOW)
    documents = {bill_id: document for bill_id, document in made.items() if isinstance(document, Document)}

    assert len(documents) == 3
    totals = {
        household.electricity.number: "£26.25",
        household.gas.number: "£52.50",
        business.electricity.number: "£78.75",
    }
    for bill in three_bills:
        document = documents[bill.pk]
        assert Bill.objects.get(pk=bill.pk).document_id == document.pk == bill.document_id
        pdf = Path(document.file.path).read_bytes()
        assert pdf == alone[bill.pk]
        assert document.sha256 == hashlib.sha256(pdf).hexdigest()
        text = text_of(pdf)
        number = bill.account.number
        assert number in text
        assert totals[number] in text
        others = [other for other in totals if other != number]
        assert not any(other in text for other in others)
        assert not any(totals[other] in text for other in others)
    assert "Brightwell Bakery" not in text_of(Path(documents[three_bills[0].pk].file.path).read_bytes())
    # The household's login takes its invoices by e-mail (the default); the business has no login, so a letter.
    channels = {
        bill.account.number: sorted(
            Delivery.objects.filter(document=documents[bill.pk]).values_list("channel", flat=True)
        )
        for bill in three_bills
    }
    assert channels == {
        household.electricity.number: [Delivery.Channel.EMAIL],
        household.gas.number: [Delivery.Channel.EMAIL],
        business.electricity.number: [Delivery.Channel.POST],
    }


def test_a_bill_whose_pdf_fails_is_kept_with_its_reason_and_the_others_are_stored(
    three_bills: list[Bill], monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = three_bills[1]
    real_render = documents_printing.render

    def render(template: Path, **inputs: str) -> bytes:
        if failing.account.number in inputs["invoice"]:
            raise ValueError("the template could not lay out this bill")
        return real_render(template, **inputs)

    monkeypatch.setattr(documents_printing, "render", render)
    made = billing_invoice.attach_invoices(bills=three_bills, now=NOW)

    assert isinstance(made[failing.pk], ValueError)
    assert str(made[failing.pk]) == "the template could not lay out this bill"
    assert Bill.objects.get(pk=failing.pk).document_id is None
    stored = [bill for bill in three_bills if bill is not failing]
    assert all(isinstance(made[bill.pk], Document) for bill in stored)
    assert set(Document.objects.values_list("reference", flat=True)) == {bill.reference for bill in stored}

    monkeypatch.setattr(documents_printing, "render", real_render)
    again = billing_invoice.attach_invoices(bills=list(Bill.objects.order_by("id")), now=NOW)
    assert all(isinstance(result, Document) for result in again.values())
    assert {again[bill.pk].pk for bill in stored} == {made[bill.pk].pk for bill in stored}  # type: ignore[union-attr]
    assert Document.objects.count() == 3


def test_a_bill_the_document_store_refuses_costs_only_itself(three_bills: list[Bill]) -> None:
    taken = three_bills[2]
    other = billing_invoice.render_invoice_pdf(three_bills[0])
    documents_ops.store_document(
        account=taken.account,
        type_code="INVOICE",
        reference=taken.reference,
        issued_at=NOW,
        issue_date=taken.issue_date,
        period_start_date=None,
        period_end_date=None,
        amount=None,
        pdf=other,
    )

    made = billing_invoice.attach_invoices(bills=three_bills, now=NOW)

    assert isinstance(made[taken.pk], documents_ops.DocumentRefused)
    assert "already issued with different content" in str(made[taken.pk])
    assert Bill.objects.get(pk=taken.pk).document_id is None
    assert all(isinstance(made[bill.pk], Document) for bill in three_bills[:2])


def test_a_chunk_of_invoices_costs_the_queries_of_one(household: Site, business: Site, build: Builder) -> None:
    one = [bill_for(household.electricity, "100")]
    three = [bill_for(household.gas, "200"), bill_for(business.electricity, "300"), bill_for(business.gas, "400")]
    billing_invoice.render_invoice_pdf(one[0])  # the kept compiler loaded, as in a running worker

    with CaptureQueriesContext(connection) as for_one:
        billing_invoice.attach_invoices(bills=one, now=NOW)
    with CaptureQueriesContext(connection) as for_three:
        billing_invoice.attach_invoices(bills=three, now=NOW)

    assert Document.objects.count() == 4
    assert len(for_three.captured_queries) == len(for_one.captured_queries)


def test_documents_stored_together_with_one_reference_twice_store_it_once(household: Site) -> None:
    pdf = billing_invoice.render_invoice_pdf(bill_for(household.electricity, "100"))
    new = documents_ops.NewDocument(
        account=household.electricity,
        type_code="INVOICE",
        reference="INV-TWICE",
        issued_at=NOW,
        issue_date=NOW.date(),
        period_start_date=None,
        period_end_date=None,
        amount=Decimal("26.25"),
        pdf=pdf,
    )
    different = documents_ops.NewDocument(**{**new.__dict__, "pdf": pdf + b"\n"})

    first, second, refused = documents_ops.store_documents([new, new, different])

    assert isinstance(first, Document)
    assert isinstance(second, Document)
    assert first.pk == second.pk
    assert isinstance(refused, documents_ops.DocumentRefused)
    assert Document.objects.filter(reference="INV-TWICE").count() == 1
