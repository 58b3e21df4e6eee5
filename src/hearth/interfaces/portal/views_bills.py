"""Bills Online: the selected account's bills, each bill as its invoice prints it, and the PDF downloads.

Every bill is looked up through the selected account (which the login must be linked to), and every document through
the accounts linked to the login (Search lists them all), so an id from another account answers 404 exactly like one
that does not exist. The bill page shows the same :class:`~hearth.domain.billing.invoice.Invoice` values the PDF
prints, so the page and the PDF cannot disagree. Downloads get a file name chosen here (the document's reference),
are sent as attachments (or inline, to view) and never cached.
"""

import re
from dataclasses import dataclass
from typing import Final

from django.core.files import File
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.common import calendar
from hearth.common.money import Money
from hearth.data.billing.models import Bill
from hearth.data.documents.models import Document
from hearth.domain.billing import invoice as billing_invoice
from hearth.domain.billing import queries as billing_queries
from hearth.domain.documents import printing as documents_printing
from hearth.domain.documents import queries as documents_queries
from hearth.domain.payments import late_payment
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest

SAFE_FILE_NAME: Final = re.compile(r"[^A-Za-z0-9-]+")


@dataclass(frozen=True)
class BillRow:
    """A bill in the list, with its figures as the invoice prints them."""

    bill: Bill
    period: str
    issue_date: str
    due_date: str
    total: str
    status: late_payment.BillStatus


def _row(bill: Bill, status: late_payment.BillStatus) -> BillRow:
    return BillRow(
        bill=bill,
        period=billing_invoice.period_words(bill),
        issue_date=documents_printing.day_words(bill.issue_date),
        due_date=documents_printing.day_words(bill.due_date),
        total=str(Money(bill.total)),
        status=status,
    )


@access.account_page()
def bills(request: PortalRequest) -> HttpResponse:
    """The account's bills, newest first, each Paid, Due or Overdue, with their PDFs."""
    statuses = late_payment.bill_statuses(request.account, calendar.local_date(timezone.now()))
    rows = [_row(bill, statuses[bill.pk]) for bill in billing_queries.bills_of(request.account)]
    return render(request, "portal/bills.html", {"rows": rows, **views._account_context(request)})


@access.account_page()
def bill(request: PortalRequest, bill_id: int) -> HttpResponse:
    """One bill as its invoice prints it: supplies, readings, charge lines, VAT, total and balance.

    A bill of another of the login's accounts (its QR code scanned from the paper bill while this one is selected)
    selects that account and shows the bill; any other id is a 404.
    """
    found = billing_queries.bill_of_account(request.account, bill_id)
    if found is None:
        others = [link.account_id for link in request.links if link.account_id != request.account.pk]
        account_id = billing_queries.account_of_bill(others, bill_id) if others else None
        if account_id is None:
            raise Http404("No such bill on your accounts.")
        request.session[access.SELECTED_ACCOUNT_KEY] = account_id
        return redirect(request.path)
    context = {
        "bill": found,
        "invoice": billing_invoice.invoice_of(found),
        "status": late_payment.bill_status(found, calendar.local_date(timezone.now())),
        "cancelled": found.status == Bill.Status.CANCELLED,
        **views._account_context(request),
    }
    return render(request, "portal/bill.html", context)


def linked_document(request: PortalRequest, document_id: int) -> Document:
    """A document of any account linked to the login (Search may list them all); 404 for any other id."""
    account_ids = [link.account_id for link in request.links]
    document = documents_queries.document_of_accounts(account_ids=account_ids, document_id=document_id)
    if document is None:
        raise Http404("No such document on your accounts.")
    return document


def file_name(document: Document) -> str:
    """The name a download is given: chosen here, from the document's reference, never from the stored file."""
    return (SAFE_FILE_NAME.sub("-", document.reference).strip("-") or "document") + ".pdf"


def open_pdf(document: Document) -> File:
    """The document's stored file, open for reading; 404 when it is missing."""
    try:
        return document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The document's file is missing.") from exc


def pdf_of(document: Document) -> tuple[str, bytes]:
    """The document's file name and its bytes (an e-mail attachment needs them all)."""
    with open_pdf(document) as stream:
        return file_name(document), stream.read()


@access.account_page()
def document_pdf(request: PortalRequest, document_id: int, disposition: str = "attachment") -> FileResponse:
    """A document as a download named after its reference, or ``inline`` to view it; never cached, never sniffed.

    The access check's links give the account ids, so the document is found in one query, and the file is streamed
    from storage in blocks rather than read whole into memory (issue 14).

    Shown inline, the PDF gets a policy of its own: Chrome's PDF viewer is an embedded object styled inline, which
    the pages' ``object-src 'none'`` and ``style-src 'self'`` would block (crbug.com/271452).
    """
    document = linked_document(request, document_id)
    response = FileResponse(
        open_pdf(document),
        content_type="application/pdf",
        as_attachment=disposition == "attachment",
        filename=file_name(document),
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if disposition == "inline":
        response["Content-Security-Policy"] = "object-src 'self'; frame-ancestors 'self'"
    return response
