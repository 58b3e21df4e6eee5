"""My details and My data (T&C 3.3, 18; UK GDPR arts. 15, 17): the selected account's customer.

Contact details are changed by the account's holder or an authorised person; a new e-mail address only through
the link sent to it, opened while signed in as a holder (a GET shows a button, so a mail scanner that opens links
cannot use up the one use). A copy of the data and erasure are the person's own rights: the holder's only. The
export downloads only for the login that asked for it; any other gets the 404 of a request that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.data.identity.models import AccountLink
from hearth.data.privacy.models import Channel, ErasureRequest, SubjectAccessRequest
from hearth.domain.privacy import contact, erasure, subject_access
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web.forms_privacy import ContactDetailsForm, NewEmailForm
from hearth.interfaces.web.privacy_download import export_response


@access.account_page(*access.MANAGERS)
def my_details(request: PortalRequest) -> HttpResponse:
    """The customer's contact details (POST ``action=details``) and a new e-mail address (``action=email``)."""
    customer = request.account.customer
    details_form = ContactDetailsForm.of(customer)
    email_form = NewEmailForm()
    status = 200
    if request.method == "POST":
        now = timezone.now()
        if request.POST.get("action") == "email":
            email_form = NewEmailForm(request.POST)
            if email_form.is_valid():
                try:
                    contact.request_email_change(
                        customer=customer, new_email=email_form.cleaned_data["new_email"], actor=request.user, now=now
                    )
                except contact.ChangeRefused as exc:
                    email_form.add_error("new_email", str(exc))
                else:
                    messages.success(
                        request,
                        "We have sent a link to the new address. Follow it within a day to start using it; "
                        "until then we keep writing to the old one.",
                    )
                    return redirect("portal:my_details")
        else:
            details_form = ContactDetailsForm.of(customer, request.POST)
            if details_form.is_valid():
                changed = contact.update_details(
                    customer=customer, details=details_form.details(), actor=request.user, now=now
                )
                messages.success(request, "Your details are saved." if changed else "Nothing had changed.")
                return redirect("portal:my_details")
        status = 400
    context = {
        "customer": customer,
        "details_form": details_form,
        "email_form": email_form,
        "pending": customer.email_changes.filter(status="PENDING").first(),
        **views._account_context(request),
    }
    return render(request, "portal/privacy/my_details.html", context, status=status)


@access.account_page()
def confirm_email(request: PortalRequest, token: str) -> HttpResponse:
    """Confirm a new contact e-mail address: a button (GET), then the change (POST)."""
    error = ""
    if request.method == "POST":
        try:
            contact.confirm_email_change(token=token, user=request.user, now=timezone.now())
        except contact.ChangeRefused as exc:
            error = str(exc)
        else:
            messages.success(request, "Your new contact e-mail address is confirmed. We have told the old address.")
            return redirect("portal:dashboard")
    context = {"error": error, **views._account_context(request)}
    return render(request, "portal/privacy/confirm_email.html", context, status=400 if error else 200)


def _holder_only(request: PortalRequest) -> None:
    if request.link.role != AccountLink.Role.HOLDER:
        raise PermissionDenied("Only the account holder can ask for their data or for it to be erased.")


@access.account_page()
def my_data(request: PortalRequest) -> HttpResponse:
    """The customer's requests for a copy of their data and for erasure; POST ``action=access|erasure`` raises one."""
    _holder_only(request)
    customer = request.account.customer
    now = timezone.now()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "access":
            try:
                subject_access.raise_request(
                    customer=customer, channel=Channel.PORTAL, raised_by=request.user, requester=request.user, now=now
                )
            except subject_access.RequestRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "We have your request. We will e-mail you when your copy is ready.")
        elif action == "erasure":
            try:
                done = erasure.raise_erasure(customer=customer, channel=Channel.PORTAL, raised_by=request.user, now=now)
            except erasure.ErasureFailed:
                messages.error(request, "We could not erase your details just now; our team will look into it.")
            else:
                if done.status != ErasureRequest.Status.DONE:
                    messages.info(request, done.reason or "We have your request.")
        return redirect("portal:my_data")
    context = {
        "requests": subject_access.requests_of(customer),
        "erasures": customer.erasure_requests.order_by("-received_at", "-id"),
        "now": now,
        "download_days": subject_access.DOWNLOAD_DAYS,
        **views._account_context(request),
    }
    return render(request, "portal/privacy/my_data.html", context)


@access.account_page()
def subject_access_download(request: PortalRequest, request_id: int) -> HttpResponse:
    """The export, for the login that asked for it, while it may be downloaded; audited."""
    found: SubjectAccessRequest | None = subject_access.request_for_requester(request_id=request_id, user=request.user)
    now = timezone.now()
    if found is None or not subject_access.downloadable(found, now):
        raise Http404("No such copy of your data.")
    subject_access.record_download(request=found, by=request.user, now=now)
    return export_response(found)
