"""Complaints in the portal (T&C 20): the selected account's complaints, raising one, and each with its clock."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.common import calendar, consumer_help
from hearth.data.complaints.models import Complaint
from hearth.domain.complaints import operations as complaints_ops
from hearth.domain.complaints import queries as complaints_queries
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web import plain_forms


class ComplaintForm(plain_forms.PlainForm):
    summary = forms.CharField(
        label="What is your complaint about?",
        max_length=complaints_ops.SUMMARY_LENGTH,
        help_text="A few words, for example “My last bill is too high”.",
        error_messages={"required": "Say in a few words what your complaint is about."},
    )
    description = forms.CharField(
        label="Tell us what happened",
        max_length=5000,
        widget=forms.Textarea,
        help_text="What went wrong, and what you would like us to do to put it right.",
        error_messages={"required": "Tell us what happened."},
    )


def _help() -> dict[str, object]:
    return {
        "ombudsman": consumer_help.ENERGY_OMBUDSMAN,
        "advice": consumer_help.CITIZENS_ADVICE,
        "complaints_email": settings.HEARTH_COMPLAINTS_EMAIL,
    }


@access.account_page()
def complaints(request: PortalRequest) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    rows = [
        (complaint, complaints_queries.clock(complaint=complaint, today=today))
        for complaint in complaints_queries.complaints_of(account=request.account)
    ]
    return render(
        request,
        "portal/complaints/list.html",
        {"rows": rows, "can_manage": access.can_manage(request), **_help(), **views._account_context(request)},
    )


@access.account_page(*access.MANAGERS)
def raise_complaint(request: PortalRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            complaint = complaints_ops.raise_complaint(
                account=request.account,
                channel=Complaint.Channel.PORTAL,
                summary=form.cleaned_data["summary"],
                description=form.cleaned_data["description"],
                received_at=now,
                raised_by=request.user,
                now=now,
            )
        except complaints_ops.ComplaintRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Thank you: we have your complaint {complaint.reference} and have sent you a letter about it."
            )
            return redirect("portal:complaint", complaint_id=complaint.pk)
    return render(request, "portal/complaints/raise.html", {"form": form, **_help(), **views._account_context(request)})


@access.account_page()
def complaint(request: PortalRequest, complaint_id: int) -> HttpResponse:
    found = complaints_queries.complaint_of(account=request.account, complaint_id=complaint_id)
    if found is None:
        raise Http404("No such complaint on this account.")
    today = calendar.local_date(timezone.now())
    return render(
        request,
        "portal/complaints/detail.html",
        {
            "complaint": found,
            "clock": complaints_queries.clock(complaint=found, today=today),
            "events": complaints_queries.timeline(complaint=found, with_notes=False),
            **_help(),
            **views._account_context(request),
        },
    )
