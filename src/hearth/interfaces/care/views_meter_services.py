"""The care console's meter-services pages (T&C 7.3-7.5, 11.1.1-11.1.3, 11.1.8): what a caller asks on the phone.

- An account's page: its visits, faults, tests and moves, with forms to report a fault, book an accuracy test (the
  price read to the customer and accepted) and record a meter move request.
- A fault, a test, a move: its details, what to record next (outcome, result, re-bill checked, move done) and a form
  to book the engineer's visit.
- A visit: cancel or move it (by the customer or by us), or record what happened on the day.
- Inaccurate meters whose past bills care must check.

Each action is one call to ``meter_services.operations``; its refusal is shown beside the field it names.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.meter_services.models import AccuracyTest, Appointment, Channel, FaultReport, MeterMove
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.meter_services import operations, queries, rules
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.care.forms_meter_services import (
    BookVisitForm,
    CareVisitChangeForm,
    MoveDoneForm,
    MoveRequestForm,
    RebillForm,
    ResolveFaultForm,
    TestResultForm,
    VisitOutcomeForm,
)
from hearth.interfaces.web.forms_meter_help import AccuracyTestForm, FaultForm, MeterHelpForm

Action = Callable[[dict[str, Any]], str]


def _act(request: CareRequest, form: MeterHelpForm, action: Action) -> bool:
    """Validate ``form`` and run ``action`` on its data: True when done (its message shown), else the errors stay on
    the form."""
    if not form.is_valid():
        return False
    try:
        done = action(form.cleaned_data)
    except operations.MeterServiceRefused as exc:
        form.show_refusal(exc)
        return False
    messages.success(request, done)
    return True


def _posted(request: CareRequest, name: str, make: Callable[..., MeterHelpForm], **kwargs: Any) -> MeterHelpForm:
    """The form named ``name``: bound to the POST if it was the one submitted, else empty."""
    return make(request.POST if request.POST.get("form") == name else None, **kwargs)


def _price_words() -> str:
    price = queries.Price.of(queries.accuracy_test_price())
    return f"£{price.total:,.2f} (£{price.excluding_vat:,.2f} plus £{price.vat:,.2f} VAT)"


def _run(request: CareRequest, actions: dict[str, tuple[MeterHelpForm | None, Action]]) -> bool:
    """Run the action whose form was submitted (the POST's ``form``), if that form is on the page."""
    form, action = actions.get(request.POST.get("form", ""), (None, None))
    return request.method == "POST" and form is not None and action is not None and _act(request, form, action)


def _page(request: CareRequest, template: str, context: dict[str, Any], shown: dict[str, Any]) -> HttpResponse:
    """A page with its forms, answering 400 when one of them was refused."""
    refused = any(isinstance(form, forms.Form) and form.errors for form in shown.values())
    return care_views._render(request, template, {**context, **shown}, status=400 if refused else 200)


@access.staff_required
def account_page(request: CareRequest, number: str) -> HttpResponse:
    account: Account = care_views._found(accounts_queries.account_by_number(number=number), "No such account")
    meters = queries.meters(account)
    now = timezone.now()
    price = queries.accuracy_test_price()
    fault_form = _posted(request, "fault", FaultForm, meters=meters)
    test_form = _posted(request, "test", AccuracyTestForm, meters=meters, price=price, price_words=_price_words())
    move_form = _posted(request, "move", MoveRequestForm, meters=meters)
    common: dict[str, Any] = {"account": account, "channel": Channel.CARE, "actor": request.user, "now": now}

    def fault(data: dict[str, Any]) -> str:
        return f"Fault {operations.report_fault(**common, **data).pk} recorded."

    def test(data: dict[str, Any]) -> str:
        return f"Accuracy test {operations.request_accuracy_test(**common, **data).pk} booked."

    def move(data: dict[str, Any]) -> str:
        done = operations.request_meter_move(account=account, actor=request.user, now=now, **data)
        return f"Meter move {done.pk} recorded{': on the register, so not charged' if done.for_vulnerability else ''}."

    if _run(request, {"fault": (fault_form, fault), "test": (test_form, test), "move": (move_form, move)}):
        return redirect("care:meter_services", number=account.number)
    return _page(
        request,
        "care/meter_services/account.html",
        {
            "account": account,
            "customer": account.customer,
            "visits": queries.appointments(account),
            "faults": queries.faults(account),
            "tests": queries.accuracy_tests(account),
            "moves": queries.meter_moves(account),
        },
        {"fault_form": fault_form, "test_form": test_form, "move_form": move_form},
    )


def _booking(request: CareRequest, purpose: str | None, **case: Any) -> Action:
    """The action of a case page's "Book the engineer's visit" form."""

    def book(data: dict[str, Any]) -> str:
        if purpose is None:
            raise operations.MeterServiceRefused("", "Nothing is left to visit for.")
        account = next(iter(case.values())).account
        visit = operations.book_visit(
            account=account, purpose=purpose, actor=request.user, now=timezone.now(), **data, **case
        )
        return f"Visit booked for {visit.visit_date:%a %-d %b %Y}."

    return book


def _case_context(case: FaultReport | AccuracyTest | MeterMove) -> dict[str, Any]:
    return {
        "case": case,
        "account": case.account,
        "customer": case.account.customer,
        "visits": case.visits.order_by("-visit_date", "-id"),
    }


@access.staff_required
def fault_page(request: CareRequest, fault_id: int) -> HttpResponse:
    fault: FaultReport = care_views._found(
        FaultReport.objects.filter(pk=fault_id).select_related("account__customer", "meter", "charge").first(),
        "No such fault",
    )
    open_case = fault.resolved_at is None
    resolve_form = _posted(request, "resolve", ResolveFaultForm) if open_case else None
    book_form = _posted(request, "book", BookVisitForm) if open_case else None

    def resolve(data: dict[str, Any]) -> str:
        done = operations.resolve_fault(fault=fault, actor=request.user, now=timezone.now(), **data)
        return f"Fault resolved, {'charged' if done.charge else 'no charge'}."

    book = _booking(request, Appointment.Purpose.REPAIR, fault=fault)
    if _run(request, {"resolve": (resolve_form, resolve), "book": (book_form, book)}):
        return redirect("care:meter_fault", fault_id=fault.pk)
    return _page(
        request,
        "care/meter_services/fault.html",
        _case_context(fault),
        {"resolve_form": resolve_form, "book_form": book_form},
    )


@access.staff_required
def test_page(request: CareRequest, test_id: int) -> HttpResponse:
    test: AccuracyTest = care_views._found(
        AccuracyTest.objects.filter(pk=test_id).select_related("account__customer", "meter", "charge").first(),
        "No such accuracy test",
    )
    result_form = _posted(request, "result", TestResultForm) if not test.result else None
    rebill_form = _posted(request, "rebill", RebillForm) if test.rebill_required and not test.rebill_done_at else None
    purpose = {"": Appointment.Purpose.ACCURACY_TEST, AccuracyTest.Result.INACCURATE: Appointment.Purpose.REPAIR}.get(
        test.result
    )
    book_form = _posted(request, "book", BookVisitForm) if purpose else None
    now = timezone.now()

    def result(data: dict[str, Any]) -> str:
        done = operations.record_test_result(test=test, actor=request.user, now=now, **data)
        return f"Result recorded: {done.get_result_display()}."

    def rebill(data: dict[str, Any]) -> str:
        operations.record_rebill_checked(test=test, actor=request.user, now=now, **data)
        return "Re-billing recorded."

    book = _booking(request, purpose, accuracy_test=test)
    if _run(request, {"result": (result_form, result), "rebill": (rebill_form, rebill), "book": (book_form, book)}):
        return redirect("care:meter_test", test_id=test.pk)
    return _page(
        request,
        "care/meter_services/test.html",
        _case_context(test),
        {"result_form": result_form, "rebill_form": rebill_form, "book_form": book_form},
    )


@access.staff_required
def move_page(request: CareRequest, move_id: int) -> HttpResponse:
    move: MeterMove = care_views._found(
        MeterMove.objects.filter(pk=move_id).select_related("account__customer", "meter", "charge").first(),
        "No such meter move",
    )
    open_case = move.completed_at is None
    done_form = _posted(request, "done", MoveDoneForm) if open_case else None
    book_form = _posted(request, "book", BookVisitForm) if open_case else None

    def moved(data: dict[str, Any]) -> str:
        done = operations.complete_meter_move(move=move, actor=request.user, now=timezone.now(), **data)
        return f"Move recorded as done, {'charged' if done.charge else 'no charge'}."

    book = _booking(request, Appointment.Purpose.METER_MOVE, meter_move=move)
    if _run(request, {"done": (done_form, moved), "book": (book_form, book)}):
        return redirect("care:meter_move", move_id=move.pk)
    return _page(
        request, "care/meter_services/move.html", _case_context(move), {"done_form": done_form, "book_form": book_form}
    )


@access.staff_required
def visit_page(request: CareRequest, appointment_id: int) -> HttpResponse:
    visit: Appointment = care_views._found(
        Appointment.objects.filter(pk=appointment_id).select_related("account__customer", "charge").first(),
        "No such visit",
    )
    now = timezone.now()
    today = calendar.local_date(now)
    last_free = rules.last_free_cancellation_date(visit.visit_date)
    booked = visit.status == Appointment.Status.BOOKED
    late_words = (
        None if rules.notice_in_time(told_on=today, visit_date=visit.visit_date) else operations.MISSED_VISIT_WORDS
    )
    change_form = (
        _posted(request, "change", CareVisitChangeForm, late_words=late_words)
        if booked and today < visit.visit_date
        else None
    )
    outcome_form = _posted(request, "outcome", VisitOutcomeForm) if booked and today >= visit.visit_date else None

    def change(data: dict[str, Any]) -> str:
        accept = bool(data.get("accept_charge"))
        if data["action"] == "CANCEL":
            operations.cancel_visit(appointment=visit, by=data["by"], accept_charge=accept, actor=request.user, now=now)
            return "Visit cancelled."
        moved = operations.rebook_visit(
            appointment=visit,
            visit_date=data["visit_date"],
            slot=data["slot"],
            by=data["by"],
            accept_charge=accept,
            actor=request.user,
            now=now,
        )
        return f"Visit moved to {moved.visit_date:%a %-d %b %Y}."

    def outcome(data: dict[str, Any]) -> str:
        done = operations.record_visit(appointment=visit, actor=request.user, now=now, **data)
        return f"Recorded: {done.get_status_display()}."

    if _run(request, {"change": (change_form, change), "outcome": (outcome_form, outcome)}):
        return redirect("care:meter_visit", appointment_id=visit.pk)
    return _page(
        request,
        "care/meter_services/visit.html",
        {
            "visit": visit,
            "account": visit.account,
            "customer": visit.account.customer,
            "last_free": last_free,
            "late": late_words is not None,
        },
        {"change_form": change_form, "outcome_form": outcome_form},
    )


@access.staff_required
def rebills(request: CareRequest) -> HttpResponse:
    """Meters found inaccurate whose past bills are still to be checked and re-billed."""
    return care_views._render(request, "care/meter_services/rebills.html", {"tests": queries.awaiting_rebill()})
