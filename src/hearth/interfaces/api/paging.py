"""What every API endpoint shares: the 404 body, reading a time parameter, and Octopus-style pages.

A page answer is ``{"count", "next", "previous", "results"}``; ``next``/``previous`` are this request's absolute URL
with only ``page`` changed. A page parameter that cannot be used is answered 400 with a ``detail`` that starts with
the parameter's name.
"""

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError

from hearth.common.calendar import LONDON

NOT_FOUND = "Not found."
LARGEST_OFFSET = 2**62
"""Past this no page has results, and a database's 64-bit integers would overflow counting to it."""


def aware(at: datetime | None, parameter: str) -> datetime | None:
    """A time given without an offset is Europe/London local time (as everything customer-facing is).

    :raises HttpError: 400 for an instant at the very edge of the calendar (year 1 or 9999) that has no UTC form.
    """
    if at is None:
        return None
    local = at if at.tzinfo is not None else at.replace(tzinfo=LONDON)
    try:
        local.astimezone(UTC).astimezone(LONDON)
    except OverflowError as exc:
        raise HttpError(400, f"{parameter}: {at.isoformat()} is outside the range of dates Hearth can handle.") from exc
    return local


def offset(*, page: int, page_size: int, max_page_size: int) -> int:
    """How many results come before ``page``.

    :raises HttpError: 400 for a page size outside 1..``max_page_size`` or a page below 1.
    """
    if not 1 <= page_size <= max_page_size:
        raise HttpError(400, f"page_size: must be from 1 to {max_page_size:,}; {page_size:,} was given.")
    if page < 1:
        raise HttpError(400, f"page: pages are numbered from 1; {page} was given.")
    offset = (page - 1) * page_size
    if offset > LARGEST_OFFSET:
        raise HttpError(400, f"page: {page} is past the last page of results.")
    return offset


def answer(request: HttpRequest, *, page: int, page_size: int, count: int, results: list[Any]) -> dict[str, Any]:
    """The page body for ``results`` (page ``page`` of ``count`` results).

    :raises HttpError: 400 for a page past the last (page 1 is always answered, empty or not).
    """
    start = (page - 1) * page_size
    if page > 1 and start >= count:
        last = max(1, -(-count // page_size))
        raise HttpError(400, f"page: {page} is past the last page of results ({last}).")
    return {
        "count": count,
        "next": _page_url(request, page + 1) if start + page_size < count else None,
        "previous": _page_url(request, page - 1) if page > 1 else None,
        "results": results,
    }


def _page_url(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
