"""Personal data in the console: the queue of requests (due dates, overdue first) and a customer's personal data.

Care changes contact details like the customer can (a new e-mail address still only through the link sent to it),
raises subject-access requests and erasure requests taken by phone or letter, and downloads an export to post it
(audited, like every download).
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.common import calendar
from hearth.data.accounts.models import Customer
from hearth.data.privacy.models import Channel, SubjectAccessRequest
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.privacy import contact, erasure, subject_access
from hearth.interfaces.care import access
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.web.forms_privacy import ContactDetailsForm, NewEmailForm
from hearth.interfaces.web.privacy_download import export_response


@access.staff_required
def requests_queue(request: CareRequest) -> HttpResponse:
    """Subject-access requests still to answer (soonest due first, overdue marked) and erasures waiting."""
    today = calendar.local_date(timezone.now())
    context = {
        "waiting": subject_access.waiting(),
        "today": today,
        "erasures": erasure.delayed(),
    }
    return render(request, "care/privacy/queue.html", context)


def _customer(customer_id: int) -> Customer:
    customer = accounts_queries.customer_by_id(customer_id=customer_id)
    if customer is None:
        raise Http404("No such customer")
    return customer


@access.staff_required
def customer_personal_data(request: CareRequest, customer_id: int) -> HttpResponse:
    """A customer's contact details and data requests; POST ``action=details|email|access|erasure``."""
    customer = _customer(customer_id)
    details_form = ContactDetailsForm.of(customer)
    email_form = NewEmailForm()
    status = 200
    if request.method == "POST":
        now = timezone.now()
        action = request.POST.get("action")
        if action == "details":
            details_form = ContactDetailsForm.of(customer, request.POST)
            if details_form.is_valid():
                contact.update_details(customer=customer, details=details_form.details(), actor=request.user, now=now)
                messages.success(request, "Contact details saved.")
                return redirect("care:customer_personal_data", customer_id=customer.pk)
        elif action == "email":
            email_form = NewEmailForm(request.POST)
            if email_form.is_valid():
                try:
                    contact.request_email_change(
                        customer=customer, new_email=email_form.cleaned_data["new_email"], actor=request.user, now=now
                    )
                except contact.ChangeRefused as exc:
                    email_form.add_error("new_email", str(exc))
                else:
                    messages.success(request, "Confirmation link sent to the new address.")
                    return redirect("care:customer_personal_data", customer_id=customer.pk)
        elif action == "access":
            try:
                subject_access.raise_request(
                    customer=customer, channel=Channel.CARE, raised_by=request.user, requester=None, now=now
                )
            except subject_access.RequestRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Subject-access request recorded; the export is made by the daily job.")
            return redirect("care:customer_personal_data", customer_id=customer.pk)
        elif action == "erasure":
            try:
                done = erasure.raise_erasure(customer=customer, channel=Channel.CARE, raised_by=request.user, now=now)
            except erasure.ErasureFailed as exc:
                messages.error(request, f"Erasure stopped, nothing changed: {exc}")
            else:
                messages.info(request, f"Erasure request: {done.get_status_display()}. {done.reason}")
            return redirect("care:customer_personal_data", customer_id=customer.pk)
        status = 400
    context = {
        "customer": customer,
        "details_form": details_form,
        "email_form": email_form,
        "requests": subject_access.requests_of(customer),
        "erasures": customer.erasure_requests.order_by("-received_at", "-id"),
        "now": timezone.now(),
    }
    return render(request, "care/privacy/customer.html", context, status=status)


@require_POST
@access.staff_required
def subject_access_download(request: CareRequest, request_id: int) -> HttpResponse:
    """The export, for staff to send by post or secure e-mail; audited."""
    found = SubjectAccessRequest.objects.filter(pk=request_id).select_related("customer").first()
    now = timezone.now()
    if found is None or not subject_access.downloadable(found, now):
        raise Http404("No export to download.")
    subject_access.record_download(request=found, by=request.user, now=now)
    return export_response(found)
