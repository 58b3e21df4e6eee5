"""The care console's meter-reading file pages: upload a D0010 file, list imported files, and the rejected lines
(with their reasons) that staff correct and replay or dismiss.

Each view makes its domain call (``hearth.domain.metering.flows``) and maps its errors to the page.
"""

from dataclasses import dataclass
from typing import Final

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.data.metering.models import FlowFile, RejectedFlowLine
from hearth.domain.metering import flows as metering_flows
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.web import plain_forms

MAX_UPLOAD_BYTES: Final = 20 * 1024 * 1024
"""Larger files are imported with `hearth import_d0010`, which shows progress."""

LINES_SHOWN: Final = 200
"""Rejected lines shown on one page; the rest are reached by choosing a file."""

_FAR_ABOVE: Final = "advance far above expected"


class FlowUploadForm(plain_forms.PlainForm):
    file = forms.FileField(
        label="D0010 file",
        help_text="A meter-readings flow (ZHV … ZPT), up to 20 MB. The same file twice changes nothing.",
        error_messages={"required": "Choose a D0010 file to upload.", "empty": "The file is empty."},
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 20 MB: ask an administrator to import it with `hearth import_d0010`."
            )
        return upload


class ReplayForm(plain_forms.PlainForm):
    content = forms.CharField(required=False, strip=False, max_length=1_000_000, widget=forms.Textarea)
    confirmed_high = forms.BooleanField(required=False)


@dataclass
class LineRow:
    line: RejectedFlowLine
    where: str
    far_above: bool


def _row(line: RejectedFlowLine) -> LineRow:
    """Where the line was: a D0010 entry is one line (with its group's lines for context); a run of CSV rows spans."""
    count = line.content.count("\n") + 1
    if line.flow_file.kind == FlowFile.Kind.INTERVALS and count > 1:
        where = f"lines {line.line_number}-{line.line_number + count - 1}"
    else:
        where = f"line {line.line_number}"
    far_above = line.flow_file.kind == FlowFile.Kind.D0010 and _FAR_ABOVE in line.reason
    return LineRow(line, where, far_above)


# --- Files ---------------------------------------------------------------------------------------------------------


@access.staff_required
def flow_files(request: CareRequest) -> HttpResponse:
    return care_views._render(request, "care/flows_list.html", {"files": metering_flows.flow_files()[:200]})


@access.staff_required
def upload_flow(request: CareRequest) -> HttpResponse:
    form = FlowUploadForm(request.POST, request.FILES) if request.method == "POST" else FlowUploadForm()
    if form.is_bound and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        summary = metering_flows.import_d0010(
            name=upload.name or "upload", content=upload.read(), now=timezone.now(), actor=request.user
        )
        if summary.unreadable or summary.rejected:
            messages.error(request, summary.text)
            return redirect(f"{reverse('care:flows_rejected')}?file={summary.flow_file_id}")
        messages.success(request, summary.text)
        return redirect("care:flows")
    status = 400 if form.errors else 200
    return care_views._render(request, "care/flows_upload.html", {"form": form}, status=status)


# --- Rejected lines ------------------------------------------------------------------------------------------------


@access.staff_required
def rejected_lines(request: CareRequest) -> HttpResponse:
    chosen_file: FlowFile | None = None
    file_id = request.GET.get("file", "")
    if file_id.isdigit():
        chosen_file = metering_flows.flow_file_by_id(flow_file_id=int(file_id))
    status_text = request.GET.get("status", RejectedFlowLine.Status.OPEN)
    status = RejectedFlowLine.Status(status_text) if status_text in RejectedFlowLine.Status.values else None
    lines = metering_flows.rejected_lines(flow_file=chosen_file, status=status)
    total = lines.count()
    rows = [_row(line) for line in lines[:LINES_SHOWN]]
    return care_views._render(
        request,
        "care/flows_rejected.html",
        {
            "rows": rows,
            "total": total,
            "shown": len(rows),
            "chosen_file": chosen_file,
            "status": status or "",
            "statuses": RejectedFlowLine.Status.choices,
            "here": request.get_full_path(),
        },
    )


def _line_or_404(line_id: int) -> RejectedFlowLine:
    return care_views._found(metering_flows.rejected_line_by_id(line_id=line_id), "No such rejected line")


def _back(request: CareRequest, line: RejectedFlowLine) -> HttpResponse:
    return care_views._back(request, f"{reverse('care:flows_rejected')}?file={line.flow_file_id}")


@require_POST
@access.staff_required
def replay_line(request: CareRequest, line_id: int) -> HttpResponse:
    line = _line_or_404(line_id)
    form = ReplayForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Line {line.line_number}: the corrected text is too long to replay.")
        return _back(request, line)
    content = form.cleaned_data["content"]
    with care_views._refusal_shown(request, metering_flows.ReplayRefused):
        outcome = metering_flows.replay_rejected_line(
            line=line,
            now=timezone.now(),
            actor=request.user,
            content=content if content.strip() else None,
            confirmed_high=form.cleaned_data["confirmed_high"],
        )
        where = f"{line.flow_file.name} line {line.line_number}"
        if outcome.replayed:
            stored = f"{outcome.accepted} stored" + (
                f", {outcome.duplicates} already there" if outcome.duplicates else ""
            )
            messages.success(request, f"{where} replayed: {stored}.")
        else:
            messages.error(request, f"{where} is still rejected: {outcome.reason}")
    return _back(request, line)


@require_POST
@access.staff_required
def dismiss_line(request: CareRequest, line_id: int) -> HttpResponse:
    line = _line_or_404(line_id)
    with care_views._refusal_shown(request, metering_flows.ReplayRefused):
        metering_flows.dismiss_rejected_line(line=line, actor=request.user, now=timezone.now())
        messages.success(request, f"{line.flow_file.name} line {line.line_number} dismissed: nothing imported.")
    return _back(request, line)
