"""Finding an account's documents: one by id, the Documents menu (FAQ 14) and Search.

Every read is scoped by the accounts the caller may see (a login's linked accounts, or one account), so a document
of any other account is simply not found: the same answer as for an id that does not exist.
"""

import calendar
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from django.db.models import Count, Q

from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document, DocumentType


def document_of_accounts(*, account_ids: Collection[int], document_id: int) -> Document | None:
    """The document if it belongs to one of ``account_ids``; None for another account's and for one that does not
    exist alike."""
    return (
        Document.objects.filter(pk=document_id, account_id__in=account_ids)
        .select_related("document_type", "account")
        .first()
    )


def document_of_account(*, account: Account, document_id: int) -> Document | None:
    """The document if it belongs to ``account``; None both for another account's and for one that does not exist."""
    return document_of_accounts(account_ids=[account.pk], document_id=document_id)


def document_types() -> list[DocumentType]:
    """Every document type, in menu order: the choices of Search's type box."""
    return list(DocumentType.objects.order_by("position", "id"))


@dataclass(frozen=True)
class TypeCount:
    """A document type the accounts have, and how many documents of it."""

    document_type: DocumentType
    count: int


def document_types_of(account_ids: Collection[int]) -> list[TypeCount]:
    """The document types the accounts have at least one document of, in menu order, with their counts (one query)."""
    rows = (
        DocumentType.objects.filter(documents__account_id__in=account_ids)
        .annotate(document_count=Count("documents"))
        .order_by("position", "id")
    )
    return [TypeCount(document_type=row, count=row.document_count) for row in rows]


def document_types_and_counts(account_ids: Collection[int]) -> tuple[list[DocumentType], list[TypeCount]]:
    """:func:`document_types` and :func:`document_types_of` together, in one query: every type in menu order, each
    with the number of the accounts' documents of it."""
    rows = list(
        DocumentType.objects.annotate(
            document_count=Count("documents", filter=Q(documents__account_id__in=list(account_ids)))
        ).order_by("position", "id")
    )
    every: list[DocumentType] = [*rows]
    return every, [TypeCount(document_type=row, count=row.document_count) for row in rows if row.document_count]


def _page_count(total: int, page_size: int) -> int:
    """At least 1, so a search that finds nothing is "page 1 of 1"."""
    return max(1, -(-total // page_size))


@dataclass(frozen=True)
class DocumentPage:
    """One page of a search: its documents newest first, which page it is, and how many documents matched in all."""

    documents: list[Document]
    number: int
    page_size: int
    total: int

    @property
    def page_count(self) -> int:
        return _page_count(self.total, self.page_size)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def first_position(self) -> int:
        """The 1-based position of the page's first document among all that matched (0 when none did)."""
        return (self.number - 1) * self.page_size + 1 if self.documents else 0

    @property
    def last_position(self) -> int:
        return (self.number - 1) * self.page_size + len(self.documents)


_MONTHS: Final = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}


def _word_matches(word: str) -> Q:
    """Documents one typed word can mean: part of the reference or the type's name, an issue month or year
    ("october", "2026"), or an amount in pounds ("120.50", "£95")."""
    matches = Q(reference__icontains=word) | Q(document_type__name__icontains=word)
    matches |= Q(document_type__plural_name__icontains=word)
    lowered = word.lower()
    if lowered in _MONTHS:
        matches |= Q(issue_date__month=_MONTHS[lowered])
    if re.fullmatch(r"(19|20)\d\d", word):
        matches |= Q(issue_date__year=int(word))
    amount = re.fullmatch(r"£?(\d{1,10})(?:\.(\d{1,2}))?", word.replace(",", ""))
    if amount is not None:
        matches |= Q(amount=Decimal(f"{amount[1]}.{(amount[2] or '').ljust(2, '0')}"))
    return matches


def search(
    *,
    account_ids: Collection[int],
    text: str = "",
    type_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    reference: str = "",
    amount_from: Decimal | None = None,
    amount_to: Decimal | None = None,
    page: int = 1,
    page_size: int = 25,
) -> DocumentPage:
    """The accounts' documents matching every filter given, newest first (issue date, then id), one page of them.

    ``text`` is the free-text box: every word typed must match the document somewhere (see :func:`_word_matches`),
    so "invoice october" finds October's invoices. Each filter left as None (or an empty ``text`` or ``reference``)
    does not narrow the search, so with none given every
    document of the accounts is listed. Dates are issue dates, both ends included; ``reference`` matches any part of
    the reference, capitals or not ("inv-0001" finds INV-000123); the amounts include both ends and leave out
    documents without an amount (letters, notices). A page past the last is the last page, and one before the first
    is the first. One query when the first page asked for holds every match; else two, the count then the page.
    """
    found = Document.objects.filter(account_id__in=account_ids)
    for word in text.split():
        found = found.filter(_word_matches(word))
    if type_code:
        found = found.filter(document_type__code=type_code)
    if date_from is not None:
        found = found.filter(issue_date__gte=date_from)
    if date_to is not None:
        found = found.filter(issue_date__lte=date_to)
    if reference.strip():
        found = found.filter(reference__icontains=reference.strip())
    if amount_from is not None:
        found = found.filter(amount__gte=amount_from)
    if amount_to is not None:
        found = found.filter(amount__lte=amount_to)
    newest_first = found.select_related("document_type", "account").order_by("-issue_date", "-id")
    first_page = None
    if page <= 1:
        first_page = list(newest_first[:page_size])
        if len(first_page) < page_size:  # every match is on this page: it counts them
            return DocumentPage(documents=first_page, number=1, page_size=page_size, total=len(first_page))
    total = found.count()
    number = min(max(page, 1), _page_count(total, page_size))
    offset = (number - 1) * page_size
    documents = first_page if first_page is not None else list(newest_first[offset : offset + page_size])
    return DocumentPage(documents=documents, number=number, page_size=page_size, total=total)
