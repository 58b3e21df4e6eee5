"""Documents in the portal (FAQ 14): the page opens on the selected account's documents, newest first, with a
free-text box, the refine boxes and the document types as shortcuts; for each document: view it, download it as a PDF
(the printable copy invoice), or e-mail me a copy.

The boxes are a GET form, so a search and each of its pages can be bookmarked; Search's older address
(``portal:document_search``) opens the same page. Only accounts linked to the login are searched or shown, whatever
the address says: a document id of anyone else's answers 404 (views_bills.linked_document). "E-mail me a copy" is
the customer's own request, so it is sent straight through Django's EMAIL_BACKEND to the signed-in login's address,
not recorded as a delivery of the document.
"""

import smtplib
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.conf import settings
from django.contrib import messages
from django.core.mail import EmailMessage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hearth.common.money import Money
from hearth.data.documents.models import Document
from hearth.domain.documents import printing as documents_printing
from hearth.domain.documents import queries as documents_queries
from hearth.interfaces.portal import access, views, views_bills
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.portal.forms_documents import DocumentSearchForm
from hearth.interfaces.web import ratelimit

PAGE_SIZE: Final = 25

EMAIL_COPIES_PER_HOUR: Final = 10
"""Copies one login may have e-mailed to itself in an hour: plenty for a person, too few to flood a mailbox."""


@dataclass(frozen=True)
class DocumentRow:
    """A document in a list, as the customer reads it."""

    document: Document
    issued: str
    period: str
    amount: str


def _row(document: Document) -> DocumentRow:
    start, end = document.period_start_date, document.period_end_date
    period = ""
    if start is not None and end is not None:  # the stored end is exclusive; the last day is shown
        period = f"{documents_printing.day_words(start)} to {documents_printing.day_words(end - timedelta(days=1))}"
    return DocumentRow(
        document=document,
        issued=documents_printing.day_words(document.issue_date),
        period=period,
        amount="" if document.amount is None else str(Money(document.amount)),
    )


def _page_number(request: PortalRequest) -> int:
    """The page asked for; anything that is not a number is the first page (the search clamps the rest)."""
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _page_url(request: PortalRequest, number: int) -> str:
    """The same search, another page: every box as the customer filled it is kept in the address."""
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{reverse('portal:documents')}?{query.urlencode()}"


@access.account_page()
def documents(request: PortalRequest) -> HttpResponse:
    """Documents: the selected account's documents, newest first, a page at a time, under the free-text box and the
    refine boxes; the document types it has, each a shortcut to its documents. Search's old address opens it too."""
    accounts = access.linked_accounts(request)
    document_types, types = documents_queries.document_types_and_counts([request.account.pk])
    # Always bound: every box may be empty, and empty boxes list every document of the selected account.
    form = DocumentSearchForm(request.GET, document_types=document_types, accounts=accounts, selected=request.account)
    context: dict[str, object] = {
        "form": form,
        "types": types,
        **views._account_context(request),
    }
    if not form.is_valid():
        return render(request, "portal/documents/list.html", context, status=400)
    account_ids = form.account_ids()
    found = documents_queries.search(
        account_ids=account_ids,
        text=form.cleaned_data["text"],
        type_code=form.cleaned_data["document_type"] or None,
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
        reference=form.cleaned_data["reference"],
        amount_from=form.cleaned_data["amount_from"],
        amount_to=form.cleaned_data["amount_to"],
        page=_page_number(request),
        page_size=PAGE_SIZE,
    )
    context.update(
        found=found,
        rows=[_row(document) for document in found.documents],
        show_account=len(account_ids) > 1,
        searched_accounts=[account for account in accounts if account.pk in account_ids],
        previous_url=_page_url(request, found.number - 1) if found.has_previous else "",
        next_url=_page_url(request, found.number + 1) if found.has_next else "",
        here=request.get_full_path(),
    )
    return render(request, "portal/documents/list.html", context)


def _back(request: PortalRequest) -> str:
    """Where the customer pressed the button (a page of this site only), else Documents."""
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("portal:documents")


@require_POST
@access.account_page()
def email_copy(request: PortalRequest, document_id: int) -> HttpResponse:
    """E-mail me a copy: the PDF attached, to the signed-in login's own address and nobody else's."""
    document = views_bills.linked_document(request, document_id)
    address = request.user.email
    if not ratelimit.within_limit(
        scope="document-copy", key=str(request.user.pk), limit=EMAIL_COPIES_PER_HOUR, window=timedelta(hours=1)
    ):
        messages.error(
            request,
            f"You have asked for {EMAIL_COPIES_PER_HOUR} copies by e-mail in the last hour, the most we send. "
            "Download the PDF instead, or try again later.",
        )
        return redirect(_back(request))
    name, pdf = views_bills.pdf_of(document)
    brand = settings.HEARTH_BRAND
    body = render_to_string(
        "portal/documents/email_copy.txt",
        {
            "brand": brand,
            "document": document,
            "name": name,
            "documents_url": f"{brand['portal_url']}{reverse('portal:documents')}",
        },
    )
    message = EmailMessage(
        subject=f"Your copy of {document.document_type.name.lower()} {document.reference}", body=body, to=[address]
    )
    message.attach(name, pdf, "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPException, OSError):  # the mail server refused or could not be reached: say so, no error page
        messages.error(request, f"We could not send {document.reference} just now. Please try again later.")
    else:
        messages.success(request, f"A copy of {document.reference} has been sent to {address}.")
    return redirect(_back(request))
