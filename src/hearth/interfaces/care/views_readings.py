"""The care console's review queue of meter readings held for staff (a customer said the meter was replaced).

Each view makes its domain call (``hearth.domain.metering.review``) and maps :class:`review.ReviewRefused` to an
error message on the queue page.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.data.accounts.models import Account
from hearth.data.metering.models import RegisterReading
from hearth.domain.care import queries as care_queries
from hearth.domain.metering import review
from hearth.interfaces.care import access
from hearth.interfaces.care.access import CareRequest


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A console page with what the menu shows (the number of open login-details requests)."""
    page: dict[str, Any] = {"open_requests_count": care_queries.open_login_details_requests().count()}
    page.update(context)
    return render(request, template, page)


@dataclass(frozen=True)
class Row:
    reading: RegisterReading
    account: Account | None
    value: str


def _show(value: Decimal) -> str:
    """A reading as a person writes it: 56311, 56311.5 (no trailing zeros, no exponent)."""
    return f"{Decimal(value).normalize():f}"


def _reading_or_404(reading_id: int) -> RegisterReading:
    reading = review.reading_by_id(reading_id=reading_id)
    if reading is None:
        raise Http404("No such reading")
    return reading


def _described(reading: RegisterReading) -> str:
    register = reading.register
    meter = register.meter.serial_number
    return f"The reading {_show(reading.value)} of meter {meter} (register {register.identifier})"


@access.staff_required
def readings_review(request: CareRequest) -> HttpResponse:
    rows = [Row(row.reading, row.account, _show(row.reading.value)) for row in review.readings_for_review()]
    return _render(request, "care/readings_review.html", {"rows": rows, "reason_length": review.REASON_LENGTH})


@require_POST
@access.staff_required
def accept_reading(request: CareRequest, reading_id: int) -> HttpResponse:
    reading = _reading_or_404(reading_id)
    try:
        review.accept_reading(reading=reading, actor=request.user, now=timezone.now())
    except review.ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{_described(reading)} is accepted.")
    return redirect("care:readings_review")


@require_POST
@access.staff_required
def reject_reading(request: CareRequest, reading_id: int) -> HttpResponse:
    reading = _reading_or_404(reading_id)
    try:
        review.reject_reading(
            reading=reading, reason=request.POST.get("reason", ""), actor=request.user, now=timezone.now()
        )
    except review.ReviewRefused as exc:
        messages.error(request, f"{_described(reading)} was not rejected: {exc}")
    else:
        messages.success(request, f"{_described(reading)} is rejected.")
    return redirect("care:readings_review")
