"""The Priority Services Register in the care console (T&C 20.4; ADR 0019): a customer's entry and its history,
registering or changing it on the customer's word (consent recorded), ending it; the health details page, only for
the vulnerability team and supervisors, each opening audited; the network operators' share files, for them too."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.data.accounts.models import Customer
from hearth.data.priority.models import NetworkShareFile, Registration
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.audit import operations as audit
from hearth.domain.priority import network_share
from hearth.domain.priority import operations as priority_ops
from hearth.domain.priority import queries as priority_queries
from hearth.domain.priority.needs import BY_CODE, SOURCE, SOURCE_URL, TAKEN_ON
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.web.forms_priority import CARE_WORDS, RegistrationForm


def _customer(customer_id: int) -> Customer:
    return care_views._found(accounts_queries.customer_by_id(customer_id=customer_id), "No such customer")


def _rows(customer: Customer) -> list[dict[str, object]]:
    return [
        {"registration": registration, "needs": [BY_CODE.get(code) or code for code in registration.needs]}
        for registration in priority_queries.registrations(customer)
    ]


@access.staff_required
def priority_services(request: CareRequest, customer_id: int) -> HttpResponse:
    """The customer's entry, its history and the form; POST registers or changes it on the customer's word."""
    customer = _customer(customer_id)
    current = priority_queries.current_registration(customer)
    form = RegistrationForm(request.POST or None, words=CARE_WORDS, initial=RegistrationForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        saved = form.register(
            customer=customer,
            source=Registration.Source.CARE,
            consent_note=f"To {request.user.email} in care, {timezone.localtime(now):%-d %b %Y %H:%M}",
            actor=request.user,
            now=now,
        )
        if saved is not None:
            messages.success(request, f"{customer.name} is on the Priority Services Register.")
            return redirect("care:priority", customer_id=customer.pk)
    return care_views._render(
        request,
        "care/priority/registration.html",
        {
            "customer": customer,
            "household": customer.kind == Customer.Kind.PERSON,
            "current": current,
            "rows": _rows(customer),
            "form": form,
            "may_read_health": priority_ops.may_read_health_details(request.user),
            "source": SOURCE,
            "source_url": SOURCE_URL,
            "taken_on": TAKEN_ON,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@access.staff_required
def end_registration(request: CareRequest, customer_id: int) -> HttpResponse:
    customer = _customer(customer_id)
    with care_views._refusal_shown(request, priority_ops.RegistrationRefused):
        priority_ops.end_registration(
            customer=customer, reason=request.POST.get("reason", ""), actor=request.user, now=timezone.now()
        )
        messages.success(request, f"{customer.name} is no longer on the Priority Services Register.")
    return redirect("care:priority", customer_id=customer.pk)


@access.role_required(*priority_ops.READERS)
def health_details(request: CareRequest, customer_id: int) -> HttpResponse:
    """The open registration's health details and visit password, opened for this reader and audited."""
    customer = _customer(customer_id)
    current = priority_queries.current_registration(customer)
    if current is None:
        raise Http404("Not on the register")
    opened = priority_ops.read_health_details(registration=current, reader=request.user, now=timezone.now())
    response = care_views._render(
        request, "care/priority/health_details.html", {"customer": customer, "current": current, "opened": opened}
    )
    response["Cache-Control"] = "no-store"
    return response


@access.role_required(*priority_ops.READERS)
def network_shares(request: CareRequest) -> HttpResponse:
    files = NetworkShareFile.objects.order_by("-created_at", "-id")[:200]
    return care_views._render(request, "care/priority/network_shares.html", {"files": files})


@access.role_required(*priority_ops.READERS)
def network_share_file(request: CareRequest, file_id: int) -> HttpResponse:
    """A share file as sent (it names households and their needs): downloaded, audited, never cached."""
    share_file = care_views._found(NetworkShareFile.objects.filter(pk=file_id).first(), "No such share file")
    try:
        data = network_share.file_bytes(share_file)
    except network_share.ShareFileMissing as exc:
        messages.error(request, str(exc))
        return redirect("care:priority_shares")
    audit.record(actor=request.user, action="priority.share_file_read", subject=share_file.name, at=timezone.now())
    response = HttpResponse(data, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{share_file.name}"'
    response["Cache-Control"] = "no-store"
    return response
