"""Complaints in the care console (T&C 20): the queue (overdue responses first), recording a complaint made by phone,
letter, live chat or social media, a complaint's timeline with respond / resolve / deadlock / note, and the
complaint e-mails that could not be read or matched (raw message, replay, assign, dismiss)."""

from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.complaints.models import Complaint, InboundMail
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.complaints import mail as complaints_mail
from hearth.domain.complaints import operations as complaints_ops
from hearth.domain.complaints import queries as complaints_queries
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.web import plain_forms

CARE_CHANNELS = [(channel.value, channel.label) for channel in Complaint.Channel if channel != Complaint.Channel.PORTAL]
"""Portal complaints are raised by the customer; e-mails arrive through the mailbox (or are assigned from it)."""


class AccountNumberField(forms.CharField):
    """An account number that exists, cleaned to its account."""

    def clean(self, value: str) -> Account:
        number = super().clean(value).strip()
        account = accounts_queries.account_by_number(number=number)
        if account is None:
            raise forms.ValidationError(f"There is no account {number}.")
        return account


class RecordComplaintForm(plain_forms.PlainForm):
    account = AccountNumberField(label="Account number", max_length=16)
    channel = forms.ChoiceField(label="How the customer complained", choices=CARE_CHANNELS)
    received_date = forms.DateField(
        label="Received on (date)", help_text="Day, month and year, for example 24/12/2026."
    )
    received_time = forms.TimeField(label="Received at (UK time)", help_text="For example 14:30.")
    summary = forms.CharField(label="What it is about", max_length=complaints_ops.SUMMARY_LENGTH)
    description = forms.CharField(label="What the customer told us", max_length=20_000, widget=forms.Textarea)

    def received_at(self) -> datetime:
        day, at = self.cleaned_data["received_date"], self.cleaned_data["received_time"]
        return datetime.combine(day, at, tzinfo=calendar.LONDON)


class LetterTextForm(plain_forms.PlainForm):
    text = forms.CharField(
        label="What the letter says",
        max_length=20_000,
        widget=forms.Textarea,
        help_text="Leave a blank line between paragraphs.",
        error_messages={"required": "Write what the letter says."},
    )


class NoteForm(plain_forms.PlainForm):
    text = forms.CharField(label="Note (care only)", max_length=5000, widget=forms.Textarea)


class AssignForm(plain_forms.PlainForm):
    account = AccountNumberField(label="Account number", max_length=16)


class DismissForm(plain_forms.PlainForm):
    reason = forms.CharField(label="Why it is not a complaint", max_length=500)


def _complaint(complaint_id: int) -> Complaint:
    return care_views._found(complaints_queries.complaint_by_id(complaint_id=complaint_id), "No such complaint")


def _mail(mail_id: int) -> InboundMail:
    return care_views._found(complaints_queries.mail_by_id(mail_id=mail_id), "No such complaint e-mail")


@access.staff_required
def queue(request: CareRequest) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    include_closed = request.GET.get("closed") == "1"
    rows = [
        (complaint, complaints_queries.clock(complaint=complaint, today=today))
        for complaint in complaints_queries.queue(today=today, include_closed=include_closed)
    ]
    return care_views._render(
        request,
        "care/complaints/queue.html",
        {"rows": rows, "include_closed": include_closed, "waiting_mail": complaints_queries.waiting_mail().count()},
    )


@access.staff_required
def record(request: CareRequest) -> HttpResponse:
    now = timezone.now()
    local = now.astimezone(calendar.LONDON)
    initial = {"received_date": local.date(), "received_time": local.time().replace(second=0, microsecond=0)}
    form = RecordComplaintForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaints_ops.raise_complaint(
                account=form.cleaned_data["account"],
                channel=Complaint.Channel(form.cleaned_data["channel"]),
                summary=form.cleaned_data["summary"],
                description=form.cleaned_data["description"],
                received_at=form.received_at(),
                raised_by=request.user,
                now=now,
            )
        except complaints_ops.ComplaintRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Complaint {complaint.reference} recorded and acknowledged by letter.")
            return redirect("care:complaint", complaint_id=complaint.pk)
    return care_views._render(request, "care/complaints/record.html", {"form": form})


@access.staff_required
def detail(request: CareRequest, complaint_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    today = calendar.local_date(timezone.now())
    return care_views._render(
        request,
        "care/complaints/detail.html",
        {
            "complaint": complaint,
            "clock": complaints_queries.clock(complaint=complaint, today=today),
            "events": complaints_queries.timeline(complaint=complaint),
            "letter_form": LetterTextForm(),
            "note_form": NoteForm(),
        },
    )


@require_POST
@access.staff_required
def respond(request: CareRequest, complaint_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    form = LetterTextForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write what the response letter says.")
    else:
        with care_views._refusal_shown(request, complaints_ops.ComplaintRefused):
            complaints_ops.respond(
                complaint=complaint, text=form.cleaned_data["text"], actor=request.user, now=timezone.now()
            )
            messages.success(request, f"Response sent to the customer for {complaint.reference}.")
    return redirect("care:complaint", complaint_id=complaint.pk)


@require_POST
@access.staff_required
def final_response(request: CareRequest, complaint_id: int, resolved: bool) -> HttpResponse:
    complaint = _complaint(complaint_id)
    form = LetterTextForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write what the final response says.")
    else:
        with care_views._refusal_shown(request, complaints_ops.ComplaintRefused):
            complaints_ops.give_final_response(
                complaint=complaint,
                resolved=resolved,
                text=form.cleaned_data["text"],
                actor=request.user,
                now=timezone.now(),
            )
            what = "Final response (resolved)" if resolved else "Deadlock letter"
            messages.success(request, f"{what} sent for {complaint.reference}; the complaint is closed.")
    return redirect("care:complaint", complaint_id=complaint.pk)


@require_POST
@access.staff_required
def note(request: CareRequest, complaint_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the note.")
    else:
        with care_views._refusal_shown(request, complaints_ops.ComplaintRefused):
            complaints_ops.add_note(
                complaint=complaint, text=form.cleaned_data["text"], actor=request.user, now=timezone.now()
            )
            messages.success(request, "Note added.")
    return redirect("care:complaint", complaint_id=complaint.pk)


@access.staff_required
def mail_waiting(request: CareRequest) -> HttpResponse:
    return care_views._render(
        request,
        "care/complaints/mail.html",
        {"mails": complaints_queries.waiting_mail(), "assign_form": AssignForm(), "dismiss_form": DismissForm()},
    )


@never_cache
@access.staff_required
def mail_raw(request: CareRequest, mail_id: int) -> HttpResponse:
    """The message as it arrived, as a download (never shown in the browser: it is the sender's content)."""
    found = _mail(mail_id)
    response = HttpResponse(bytes(found.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="complaint-email-{found.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@access.staff_required
def mail_replay(request: CareRequest, mail_id: int) -> HttpResponse:
    found = _mail(mail_id)
    with care_views._refusal_shown(request, complaints_ops.ComplaintRefused):
        replayed = complaints_mail.replay(mail=found, actor=request.user, now=timezone.now())
        if replayed.complaint is not None:
            messages.success(request, f"E-mail {found.pk} is now complaint {replayed.complaint.reference}.")
        else:
            messages.error(request, f"E-mail {found.pk} is still waiting: {replayed.reason}")
    return redirect("care:complaint_mail")


@require_POST
@access.staff_required
def mail_assign(request: CareRequest, mail_id: int) -> HttpResponse:
    found = _mail(mail_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        problems = [str(problem) for problem in form.errors.get("account", ["Give an account number."])]
        messages.error(request, f"E-mail {found.pk}: {' '.join(problems)}")
        return redirect("care:complaint_mail")
    with care_views._refusal_shown(request, complaints_ops.ComplaintRefused):
        complaint = complaints_mail.assign(
            mail=found, account=form.cleaned_data["account"], actor=request.user, now=timezone.now()
        )
        messages.success(request, f"E-mail {found.pk} is now complaint {complaint.reference}.")
        return redirect("care:complaint", complaint_id=complaint.pk)
    return redirect("care:complaint_mail")


@require_POST
@access.staff_required
def mail_dismiss(request: CareRequest, mail_id: int) -> HttpResponse:
    found = _mail(mail_id)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"E-mail {found.pk}: say why it is dismissed.")
    else:
        with care_views._refusal_shown(request, complaints_ops.ComplaintRefused):
            complaints_mail.dismiss(
                mail=found, reason=form.cleaned_data["reason"], actor=request.user, now=timezone.now()
            )
            messages.success(request, f"E-mail {found.pk} dismissed.")
    return redirect("care:complaint_mail")
