"""Meter help in the portal (T&C 7.3, 11.1.1, 11.1.8): report a fault, ask for an accuracy test with its charge shown
before confirming, and see, cancel or move engineer visits.

Every login on the account sees the page; holders and authorised persons may act. A visit of an account not linked
to the login answers 404, like one that does not exist. Each action is one call to ``meter_services.operations``;
its refusal is shown beside the field it names.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.common import calendar
from hearth.data.meter_services.models import Appointment, Channel
from hearth.data.metering.models import Meter
from hearth.domain.identity import queries as identity_queries
from hearth.domain.meter_services import operations, queries, rules
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web.forms_meter_help import AccuracyTestForm, FaultForm, VisitChangeForm


def _price() -> queries.Price:
    return queries.Price.of(queries.accuracy_test_price())


def _price_words(price: queries.Price) -> str:
    return f"£{price.total:,.2f} (£{price.excluding_vat:,.2f} plus £{price.vat:,.2f} VAT at 20%)"


def _test_form(request: PortalRequest, data: object = None, meters: QuerySet[Meter] | None = None) -> AccuracyTestForm:
    price = _price()
    return AccuracyTestForm(
        data,
        meters=queries.meters(request.account) if meters is None else meters,
        price=price.excluding_vat,
        price_words=_price_words(price),
    )


def _page(
    request: PortalRequest, *, fault_form: FaultForm | None = None, test_form: AccuracyTestForm | None = None
) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    manage = access.can_manage(request)
    meters = queries.meters(request.account)
    visits = [
        (visit, rules.last_free_cancellation_date(visit.visit_date))
        for visit in queries.upcoming(request.account, today)
    ]
    return render(
        request,
        "portal/meter_help.html",
        {
            "can_manage": manage,
            "visits": visits,
            "today": today,
            "faults": queries.faults(request.account)[:10],
            "tests": queries.accuracy_tests(request.account)[:10],
            "price": _price(),
            "missed_words": operations.MISSED_VISIT_WORDS,
            "fault_form": fault_form or (FaultForm(meters=meters) if manage else None),
            "test_form": test_form or (_test_form(request, meters=meters) if manage else None),
            "has_meters": bool(meters),  # the meters read once, for this and both forms' selects
            **views._account_context(request),
        },
        status=400 if (fault_form and fault_form.errors) or (test_form and test_form.errors) else 200,
    )


@access.account_page()
def meter_help(request: PortalRequest) -> HttpResponse:
    """The page: visits to come, faults and tests with their outcomes, and (for managers) the two forms."""
    return _page(request)


@access.account_page(*access.MANAGERS)
def report_fault(request: PortalRequest) -> HttpResponse:
    """Where the fault form posts; a GET shows the page."""
    if request.method != "POST":
        return _page(request)
    form = FaultForm(request.POST, meters=queries.meters(request.account))
    if form.is_valid():
        try:
            operations.report_fault(
                account=request.account,
                meter=form.cleaned_data["meter"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                channel=Channel.PORTAL,
                actor=request.user,
                now=timezone.now(),
            )
        except operations.MeterServiceRefused as exc:
            form.show_refusal(exc)
        else:
            messages.success(request, "Thank you: we have your report and will call you to arrange a visit.")
            return redirect("portal:meter_help")
    return _page(request, fault_form=form)


@access.account_page(*access.MANAGERS)
def ask_accuracy_test(request: PortalRequest) -> HttpResponse:
    """Where the test form posts; a GET shows the page. The price was on the form the customer sent."""
    if request.method != "POST":
        return _page(request)
    form = _test_form(request, request.POST)
    if form.is_valid():
        try:
            test = operations.request_accuracy_test(
                account=request.account,
                meter=form.cleaned_data["meter"],
                reason=form.cleaned_data["reason"],
                stated_price=form.cleaned_data["stated_price"],
                price_accepted=form.cleaned_data["price_accepted"],
                visit_date=form.cleaned_data["visit_date"],
                slot=form.cleaned_data["slot"],
                channel=Channel.PORTAL,
                actor=request.user,
                now=timezone.now(),
            )
        except operations.MeterServiceRefused as exc:
            form = _test_form(request, request.POST)  # a changed price is shown as it is now
            form.is_valid()
            form.show_refusal(exc)
        else:
            visit = test.visits.get()
            messages.success(
                request, f"Your test is booked for {visit.visit_date:%A %-d %B %Y}, {visit.get_slot_display()}."
            )
            return redirect("portal:meter_help")
    return _page(request, test_form=form)


@access.account_page()
def change_visit(request: PortalRequest, appointment_id: int) -> HttpResponse:
    """Cancel or move one booked visit of any of the login's accounts (a letter's link works whichever account is
    selected); after the last free day, only with the charge accepted. Viewers may not."""
    visit = Appointment.objects.filter(pk=appointment_id).select_related("account").first()
    link = identity_queries.link_for(user=request.user, account_id=visit.account_id) if visit is not None else None
    if visit is None or link is None:
        raise Http404("No such visit on your accounts.")
    if link.role not in access.MANAGERS:
        raise PermissionDenied("Your role on this account does not allow this.")
    now = timezone.now()
    last_free = rules.last_free_cancellation_date(visit.visit_date)
    late = not rules.notice_in_time(told_on=calendar.local_date(now), visit_date=visit.visit_date)
    form = VisitChangeForm(
        request.POST or None, meters=None, late_words=operations.MISSED_VISIT_WORDS if late else None
    )
    if request.method == "POST" and visit.status == Appointment.Status.BOOKED and form.is_valid():
        accept = bool(form.cleaned_data.get("accept_charge"))
        try:
            if form.cleaned_data["action"] == "CANCEL":
                operations.cancel_visit(
                    appointment=visit, by="CUSTOMER", accept_charge=accept, actor=request.user, now=now
                )
                messages.success(request, "Your visit is cancelled.")
            else:
                moved = operations.rebook_visit(
                    appointment=visit,
                    visit_date=form.cleaned_data["visit_date"],
                    slot=form.cleaned_data["slot"],
                    by="CUSTOMER",
                    accept_charge=accept,
                    actor=request.user,
                    now=now,
                )
                messages.success(
                    request, f"Your visit is moved to {moved.visit_date:%A %-d %B %Y}, {moved.get_slot_display()}."
                )
        except operations.MeterServiceRefused as exc:
            form.show_refusal(exc)
        else:
            return redirect("portal:meter_help")
    return render(
        request,
        "portal/meter_help_visit.html",
        {"visit": visit, "form": form, "last_free": last_free, "late": late, **views._account_context(request)},
        status=400 if form.errors else 200,
    )
