"""The care console's switching page: switches under way with their clocks, and every switching message, those that
could not be processed first, each failed one with a Replay button for after staff fixed what stopped it.

Each view makes its domain call (``hearth.domain.contracts.switching_flow``) and maps its refusals to the page.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.common import calendar
from hearth.domain.contracts import switching_flow
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest


@access.staff_required
def switching(request: CareRequest) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    kept = switching_flow.messages_for_care()
    return care_views._render(
        request,
        "care/switching.html",
        {
            "switches": switching_flow.open_switches(today=today),
            "kept": kept,
            "failed_count": sum(1 for message in kept if message.status == "FAILED"),
            "here": request.get_full_path(),
        },
    )


@require_POST
@access.staff_required
def replay(request: CareRequest, message_id: int) -> HttpResponse:
    message = care_views._found(switching_flow.switching_message_by_id(message_id), "No such switching message")
    where = f"{message.file_name} line {message.line_number}"
    with care_views._refusal_shown(request, switching_flow.SwitchingRefused, prefix=f"{where}: "):
        replayed = switching_flow.replay(message=message, actor=request.user, now=timezone.now())
        if replayed.status == "PROCESSED":
            messages.success(request, f"{where} replayed: {replayed.kind} processed.")
        else:
            messages.error(request, f"{where} still cannot be processed: {replayed.reason}")
    return care_views._back(request, reverse("care:switching"))
