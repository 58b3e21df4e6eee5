"""The care console's billing pages: an account's bills, ledger and billing actions; a bill with where each figure
came from; bill runs with their progress, failures and skips.

Each action makes one call into ``hearth.domain.billing.operations`` and shows its refusal (``BillingRefused``, or
``BillingError`` when a reissued bill cannot be made) on the form that asked for it, in the domain's words; the pages
read through ``hearth.domain.billing.queries`` and ``.runs``.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.billing.models import AdditionalCharge, Bill, BillConsumption, BillLine
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.data.metering.models import RegisterReading
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.billing import invoice as billing_invoice
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries
from hearth.domain.billing import runs as billing_runs
from hearth.interfaces.care import access, forms_billing
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.tasks import billing as billing_tasks

F = TypeVar("F", bound=forms_billing.BillingForm)

ACCOUNT_FORMS: tuple[type[forms_billing.BillingForm], ...] = (
    forms_billing.PaymentForm,
    forms_billing.CreditForm,
    forms_billing.AdditionalChargeForm,
    forms_billing.InterestForm,
    forms_billing.ObstructionForm,
)

logger = logging.getLogger(__name__)


# --- Where a bill line's figures came from ------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One entry of a line's ``sources``: a label and its values, each with the page anchor it points at (if any)."""

    label: str
    values: list[tuple[str, str]]


_SOURCE_LABELS = {
    "consumption": "Readings (consumption rows)",
    "readings": "Meter readings (ids)",
    "unit_rate": "Unit rate row",
    "standing_charge": "Standing charge row",
    "days": "Days",
    "half_hours": "Half-hours",
    "half_hourly_prices": "Half-hourly price rows",
    "back_billing_days_of": "Days before the back-billing limit, of",
    "back_billing_notes": "Not charged (back-billing limit)",
    "additional_charge": "Additional charge",
    "incurred_date": "Incurred on",
    "principal": "Overdue amount (£)",
    "above_base_percent": "Above base rate (%)",
    "parts": "Interest at each base rate",
}

SOURCE_VALUES_SHOWN = 6
"""A list of more ids than this (a month of half-hourly prices has about 1,500) is shown by its ends and count."""


def _source_texts(value: Any) -> list[str]:
    """A source's value as short texts: each id of a short list, the ends of a long one, a record as "key: value"
    pairs in name order (PostgreSQL's jsonb keeps its own key order)."""
    if isinstance(value, dict):
        return ["; ".join(f"{key.replace('_', ' ')}: {item}" for key, item in sorted(value.items()))]
    if not isinstance(value, list | tuple):
        return [str(value)]
    if len(value) > SOURCE_VALUES_SHOWN and all(not isinstance(item, dict | list) for item in value):
        return [f"{len(value)} rows, {value[0]} to {value[-1]}"]
    return [text for item in value for text in _source_texts(item)]


def _sources(sources: Mapping[str, Any]) -> list[Source]:
    """A line's sources in words, in one order whatever the database kept (PostgreSQL's jsonb reorders keys);
    consumption rows link to the readings table on the same page."""
    known = list(_SOURCE_LABELS)
    ordered = sorted(
        sources.items(), key=lambda item: (known.index(item[0]) if item[0] in known else len(known), item[0])
    )
    shown = []
    for key, value in ordered:
        label = _SOURCE_LABELS.get(key, key.replace("_", " ").capitalize())
        if key == "consumption" and isinstance(value, list):
            shown.append(Source(label, [(str(position), f"consumption-{position}") for position in value]))
        else:
            shown.append(Source(label, [(text, "") for text in _source_texts(value)]))
    return shown


def _figure(value: Decimal) -> str:
    """A quantity or rate at the precision it was stored, without trailing zeros or an exponent: 24.8667, 31."""
    return f"{Decimal(value).normalize():f}"


@dataclass(frozen=True)
class LineRow:
    line: BillLine
    quantity: str
    rate: str
    sources: list[Source]


def _reading_kind(code: str) -> str:
    return RegisterReading.Kind(code).label if code in RegisterReading.Kind.values else code


@dataclass(frozen=True)
class ConsumptionRow:
    consumption: BillConsumption
    start_kind: str
    end_kind: str
    start_estimated: bool
    end_estimated: bool


def _consumption_row(consumption: BillConsumption) -> ConsumptionRow:
    estimated = RegisterReading.Kind.ESTIMATED
    return ConsumptionRow(
        consumption,
        _reading_kind(consumption.start_kind),
        _reading_kind(consumption.end_kind),
        consumption.start_kind == estimated,
        consumption.end_kind == estimated,
    )


@dataclass(frozen=True)
class BillRow:
    bill: Bill
    last_date: date


def _last_date(bill: Bill) -> date:
    """The last day a bill covers, as people say a period: its end is exclusive."""
    return bill.period_end_date - timedelta(days=1)


# --- Looking things up --------------------------------------------------------------------------------------------


def _account_or_404(number: str) -> Account:
    return care_views._found(accounts_queries.account_by_number(number=number), "No such account")


def _bill_or_404(account: Account, bill_id: int) -> Bill:
    return care_views._found(billing_queries.bill_of_account(account, bill_id), "No such bill")


REFUSALS = (billing_ops.BillingRefused, billing_ops.BillingError)
"""What the billing domain raises when it will not do what care staff asked; the message says why."""


# --- The account's billing page -----------------------------------------------------------------------------------


def _account_page(
    request: CareRequest, account: Account, bound: forms_billing.BillingForm | None = None
) -> HttpResponse:
    """The account's billing page; ``bound`` is a posted form that was not accepted, shown again with its errors."""
    forms = {
        form_class.id_prefix: bound if isinstance(bound, form_class) else form_class() for form_class in ACCOUNT_FORMS
    }
    balance = billing_queries.balance_of(account)
    context = {
        "account": account,
        "customer": account.customer,
        "bills": [BillRow(bill, _last_date(bill)) for bill in billing_queries.bills_of(account)],
        "ledger": billing_queries.ledger_of(account),
        "balance": balance,
        "balance_amount": abs(balance),
        "unbilled": billing_queries.unbilled_charges_of(account),
        "obstructions": billing_queries.obstructions_of(account),
        "forms": forms,
        "error_form": bound if bound is not None and bound.errors else None,
    }
    return care_views._render(
        request, "care/billing/account.html", context, status=400 if context["error_form"] else 200
    )


@access.staff_required
def account_billing(request: CareRequest, number: str) -> HttpResponse:
    return _account_page(request, _account_or_404(number))


def _account_action(
    request: CareRequest, number: str, form_class: type[F], act: Callable[[Account, F], str]
) -> HttpResponse:
    """A posted action on the account: if the form is valid, run ``act`` (the domain call, returning the message to
    show) and go back to the billing page; an invalid form or a refusal shows the page again with the errors."""
    account = _account_or_404(number)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = act(account, form)
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("care:billing", number=account.number)
    return _account_page(request, account, form)


@require_POST
@access.staff_required
def record_payment(request: CareRequest, number: str) -> HttpResponse:
    def act(account: Account, form: forms_billing.PaymentForm) -> str:
        data = form.cleaned_data
        entry = billing_ops.record_payment(
            account=account,
            amount=data["amount"],
            reference=data["reference"],
            reason=data["reason"],
            actor=request.user,
            now=timezone.now(),
        )
        return f"Payment of £{-entry.amount} recorded on account {account.number}."

    return _account_action(request, number, forms_billing.PaymentForm, act)


@require_POST
@access.staff_required
def record_credit(request: CareRequest, number: str) -> HttpResponse:
    def act(account: Account, form: forms_billing.CreditForm) -> str:
        data = form.cleaned_data
        entry = billing_ops.record_credit(
            account=account, amount=data["amount"], reason=data["reason"], actor=request.user, now=timezone.now()
        )
        return f"Credit of £{-entry.amount} recorded on account {account.number}."

    return _account_action(request, number, forms_billing.CreditForm, act)


@require_POST
@access.staff_required
def raise_charge(request: CareRequest, number: str) -> HttpResponse:
    def act(account: Account, form: forms_billing.AdditionalChargeForm) -> str:
        data = form.cleaned_data
        charge = billing_ops.raise_additional_charge(
            account=account,
            kind=AdditionalCharge.Kind(data["kind"]),
            amount=data["amount"],
            incurred_date=data["incurred_date"],
            reason=data["reason"],
            meter_proved_accurate=True if data["meter_proved_accurate"] else None,
            actor=request.user,
            now=timezone.now(),
        )
        return f"{charge.get_kind_display()} of £{charge.amount} (excluding VAT) will be billed on the next bill."

    return _account_action(request, number, forms_billing.AdditionalChargeForm, act)


@require_POST
@access.staff_required
def apply_interest(request: CareRequest, number: str) -> HttpResponse:
    def act(account: Account, form: forms_billing.InterestForm) -> str:
        data = form.cleaned_data
        charge = billing_ops.apply_late_payment_interest(
            account=account,
            principal=data["principal"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            actor=request.user,
            now=timezone.now(),
        )
        return f"Late-payment interest of £{charge.amount} will be billed on the next bill."

    return _account_action(request, number, forms_billing.InterestForm, act)


@require_POST
@access.staff_required
def record_obstruction(request: CareRequest, number: str) -> HttpResponse:
    def act(account: Account, form: forms_billing.ObstructionForm) -> str:
        data = form.cleaned_data
        obstruction = billing_ops.record_obstruction(
            account=account,
            from_date=data["from_date"],
            to_date=data["to_date"],
            reason=data["reason"],
            actor=request.user,
            now=timezone.now(),
        )
        return (
            f"Recorded that the customer obstructed billing from {obstruction.from_date:%-d %B %Y} until "
            f"{obstruction.to_date:%-d %B %Y}: energy used then may be billed beyond 12 months."
        )

    return _account_action(request, number, forms_billing.ObstructionForm, act)


# --- A bill -------------------------------------------------------------------------------------------------------


@access.staff_required
def bill_detail(request: CareRequest, number: str, bill_id: int) -> HttpResponse:
    account = _account_or_404(number)
    bill = _bill_or_404(account, bill_id)
    lines = [
        LineRow(line, _figure(line.quantity), _figure(line.rate), _sources(line.sources))
        for line in billing_queries.lines_of(bill)
    ]
    context = {
        "account": account,
        "customer": account.customer,
        "bill": bill,
        "last_date": _last_date(bill),
        "replaced_by": getattr(bill, "replaced_by", None),
        "consumption": [_consumption_row(row) for row in billing_queries.consumption_of(bill)],
        "lines": lines,
    }
    return care_views._render(request, "care/billing/bill.html", context)


def _pdf(document: Document | None) -> FileResponse:
    """A bill's PDF for staff: never cached, never sniffed, under the document's reference as its name."""
    if document is None:
        raise Http404("This bill has no PDF")
    try:
        stream = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The PDF file is missing") from exc
    response = FileResponse(
        stream, content_type="application/pdf", as_attachment=True, filename=f"{document.reference}.pdf"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@access.staff_required
def bill_pdf(request: CareRequest, number: str, bill_id: int) -> FileResponse:
    return _pdf(_bill_or_404(_account_or_404(number), bill_id).document)


@access.staff_required
def credit_note_pdf(request: CareRequest, number: str, bill_id: int) -> FileResponse:
    return _pdf(_bill_or_404(_account_or_404(number), bill_id).credit_note)


def _attach_documents(request: CareRequest, bill: Bill) -> None:
    """Make the bill's PDFs now; if that fails the bill stands and the next bill run makes them."""
    try:
        billing_invoice.attach_documents(bill=bill, now=timezone.now())
    except Exception:
        logger.exception("PDF for bill %s failed after a console action", bill.reference)
        messages.warning(request, f"The PDF for {bill.reference} could not be made now; the next bill run makes it.")


@access.staff_required
def cancel_bill(request: CareRequest, number: str, bill_id: int) -> HttpResponse:
    """Cancelling asks first, on its own page, with the reason: a credit note then reverses the bill in the ledger."""
    account = _account_or_404(number)
    bill = _bill_or_404(account, bill_id)
    form = forms_billing.CancelBillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = billing_ops.cancel_bill(
                bill=bill, reason=form.cleaned_data["reason"], actor=request.user, now=timezone.now()
            )
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Bill {bill.reference} is cancelled: a credit note of £{bill.total} reverses it."
            )
            _attach_documents(request, cancelled)
            return redirect("care:bill", number=account.number, bill_id=bill.pk)
    context = {
        "account": account,
        "customer": account.customer,
        "bill": bill,
        "last_date": _last_date(bill),
        "form": form,
    }
    return care_views._render(request, "care/billing/cancel.html", context, status=400 if form.errors else 200)


@require_POST
@access.staff_required
def reissue_bill(request: CareRequest, number: str, bill_id: int) -> HttpResponse:
    account = _account_or_404(number)
    bill = _bill_or_404(account, bill_id)
    try:
        new = billing_ops.reissue_bill(cancelled=bill, actor=request.user, now=timezone.now())
    except REFUSALS as exc:
        messages.error(request, f"Bill {bill.reference} was not reissued: {exc}")
        return redirect("care:bill", number=account.number, bill_id=bill.pk)
    messages.success(request, f"Bill {bill.reference} is reissued as {new.reference} (total £{new.total}).")
    _attach_documents(request, new)
    return redirect("care:bill", number=account.number, bill_id=new.pk)


# --- Bill runs ----------------------------------------------------------------------------------------------------

RUNS_SHOWN = 50
"""How many of the latest runs the list shows."""

RUN_STARTERS = (User.CareRole.SUPERVISOR,)
"""Care roles that may start a bill run: it issues every due bill at once, so a supervisor decides."""


def _may_start_runs(user: User) -> bool:
    return user.care_role in RUN_STARTERS


def _run_form(data: Any = None) -> forms_billing.StartRunForm:
    return forms_billing.StartRunForm(data, today=calendar.local_date(timezone.now()))


def _runs_page(request: CareRequest, form: forms_billing.StartRunForm | None = None) -> HttpResponse:
    context = {
        "rows": billing_runs.latest_runs(limit=RUNS_SHOWN),
        "may_start": _may_start_runs(request.user),
        "form": form or _run_form(),
    }
    return care_views._render(request, "care/billing/runs.html", context, status=400 if form is not None else 200)


@access.staff_required
def bill_runs(request: CareRequest) -> HttpResponse:
    return _runs_page(request)


@require_POST
@access.role_required(*RUN_STARTERS)
def start_bill_run(request: CareRequest) -> HttpResponse:
    """Start a run through the task queue (workers bill it; without a broker it runs here) and show its page."""
    form = _run_form(request.POST)
    if not form.is_valid():
        return _runs_page(request, form)
    data = form.cleaned_data
    try:
        run = billing_runs.start_run(
            as_of_date=data["as_of_date"],
            account_number=data["account_number"].strip(),
            started_by=f"{request.user.email} (care console)",
            now=timezone.now(),
            actor=request.user,
        )
    except billing_runs.BillRunRefused as exc:
        form.add_error("account_number" if data["account_number"].strip() else None, str(exc))
        return _runs_page(request, form)
    billing_tasks.queue_run(run)
    count = run.accounts_total
    if count:
        messages.success(request, f"Bill run {run.pk} started: {count} account{'s' if count != 1 else ''} to bill.")
    else:
        messages.success(
            request, f"Bill run {run.pk}: nothing to bill for periods that ended by {run.as_of_date:%-d %B %Y}."
        )

    return redirect("care:bill_run", run_id=run.pk)


@access.staff_required
def bill_run(request: CareRequest, run_id: int) -> HttpResponse:
    run = care_views._found(billing_runs.run_by_id(run_id), "No such bill run")
    context = {
        "run": run,
        "done": billing_runs.accounts_done(run),
        "summary": billing_runs.summary_of(run),
        "totals": billing_runs.totals_of(run),
    }
    return care_views._render(request, "care/billing/run.html", context)
