"""The care console's payment pages: an account's payments (method, Direct Debit, schedule, refunds, reviews,
referral), the refunds queue with each request's 28-day clock, and the Bacs side (the day's submission, the reports
received and what was done with each entry, the entries kept for care to replay or dismiss).

Each action is one domain call; a refusal is shown in the domain's words. Bank account numbers appear only as their
last two digits; the submission and refund files (which carry them whole) are downloads for staff only.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.common import calendar
from hearth.data.accounts.models import Account
from hearth.data.payments.models import BacsReport, RefundBatch
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.billing import queries as billing_queries
from hearth.domain.payments import bacs_reports, late_payment, methods, refunds, submissions
from hearth.domain.payments import operations as payment_ops
from hearth.domain.payments import queries as payment_queries
from hearth.domain.payments import reviews as payment_reviews
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.care.forms_payments import IndemnityClaimForm, ReasonForm, ReportUploadForm


def _account_or_404(number: str) -> Account:
    return care_views._found(accounts_queries.account_by_number(number=number), "No such account")


def _claimable(account: Account) -> list[tuple[int, str]]:
    return [
        (c.pk, f"{c.collection_date:%-d %b %Y} £{c.amount}")
        for c in payment_queries.collection_history(account)
        if c.status == c.Status.COLLECTED
    ]


def _account_page(request: CareRequest, account: Account, claim_form: IndemnityClaimForm | None = None) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    balance = billing_queries.balance_of(account)
    method = payment_queries.method_of(account)
    return care_views._render(
        request,
        "care/payments/account.html",
        {
            "account": account,
            "customer": account.customer,
            "arrangement": payment_queries.arrangement_of(account),
            "method_label": payment_ops.Method(method).label,
            "reviewed": method in methods.MONTHLY_METHODS or method in methods.ANNUAL_METHODS,
            "mandate": payment_queries.current_mandate(account),
            "tariff_move": payment_queries.pending_tariff_move(account),
            "balance_words": payment_ops.balance_words(balance),
            "upcoming": list(payment_queries.upcoming_collections(account)[:12]),
            "collections": payment_queries.collection_history(account),
            "card_payments": payment_queries.card_payments_of(account),
            "refunds": payment_queries.refunds_of(account),
            "reviews": payment_queries.reviews_of(account),
            "overdue": late_payment.overdue_bills_of(account, today),
            "today": today,
            "claim_form": claim_form or IndemnityClaimForm(collections=_claimable(account)),
        },
        status=400 if claim_form is not None else 200,
    )


@access.staff_required
def account_payments(request: CareRequest, number: str) -> HttpResponse:
    return _account_page(request, _account_or_404(number))


@require_POST
@access.staff_required
def record_indemnity_claim(request: CareRequest, number: str) -> HttpResponse:
    account = _account_or_404(number)
    form = IndemnityClaimForm(request.POST, collections=_claimable(account))
    if form.is_valid():
        data = form.cleaned_data
        collection = payment_queries.collection_of_account(account, data["collection"])
        if collection is None:
            raise Http404("No such collection")
        try:
            payment_ops.record_indemnity_claim(
                collection=collection,
                reason_code=data["reason_code"],
                received_date=data["received_date"],
                is_false_claim=data["is_false_claim"],
                note=data["note"],
                actor=request.user,
                now=timezone.now(),
            )
        except payment_ops.PaymentRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Indemnity claim recorded on {collection.collection_date:%-d %b %Y}.")
            return redirect("care:payments", number=account.number)
    return _account_page(request, account, form)


@require_POST
@access.staff_required
def cancel_direct_debit(request: CareRequest, number: str) -> HttpResponse:
    account = _account_or_404(number)
    mandate = payment_queries.current_mandate(account)
    form = ReasonForm(request.POST)
    if mandate is None:
        messages.error(request, "This account has no Direct Debit to cancel.")
    elif not form.is_valid():
        messages.error(request, "Give the reason for cancelling: the customer is told it.")
    else:
        try:
            payment_ops.cancel_direct_debit(
                mandate=mandate,
                reason=form.cleaned_data["reason"],
                by_bank=False,
                actor=request.user,
                now=timezone.now(),
            )
        except payment_ops.PaymentRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Direct Debit {mandate.reference} cancelled; the customer has been told.")
    return redirect("care:payments", number=account.number)


@require_POST
@access.staff_required
def review_now(request: CareRequest, number: str) -> HttpResponse:
    account = _account_or_404(number)
    now = timezone.now()
    try:
        review = payment_reviews.review_account(account=account, today=calendar.local_date(now), now=now)
    except payment_reviews.ReviewSkipped as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Reviewed: {review.workings['reason']}")
    return redirect("care:payments", number=account.number)


@require_POST
@access.staff_required
def refer_to_agency(request: CareRequest, number: str) -> HttpResponse:
    account = _account_or_404(number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for the referral.")
        return redirect("care:payments", number=account.number)
    try:
        referral = late_payment.refer_to_agency(
            account=account, reason=form.cleaned_data["reason"], actor=request.user, now=timezone.now()
        )
    except late_payment.ReferralRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"£{referral.amount} referred to the debt collection agency; it goes in the next file."
        )
    return redirect("care:payments", number=account.number)


# --- Refunds ---------------------------------------------------------------------------------------------------------


@access.staff_required
def refunds_queue(request: CareRequest) -> HttpResponse:
    today = calendar.local_date(timezone.now())
    rows = [(refund, refunds.days_left(refund, today)) for refund in payment_queries.open_refunds()]
    return care_views._render(request, "care/payments/refunds.html", {"rows": rows, "today": today})


def _refund_or_404(refund_id: int):  # type: ignore[no-untyped-def]
    return care_views._found(payment_queries.refund_by_id(refund_id), "No such refund")


@require_POST
@access.staff_required
def approve_refund(request: CareRequest, refund_id: int) -> HttpResponse:
    refund = _refund_or_404(refund_id)
    try:
        refunds.approve_refund(refund=refund, actor=request.user, now=timezone.now())
    except refunds.RefundRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Refund to account {refund.account.number} approved.")
    return redirect("care:refunds")


@require_POST
@access.staff_required
def decline_refund(request: CareRequest, refund_id: int) -> HttpResponse:
    refund = _refund_or_404(refund_id)
    form = ReasonForm(request.POST)
    try:
        refunds.reject_refund(refund=refund, reason=form.data.get("reason", ""), actor=request.user, now=timezone.now())
    except refunds.RefundRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Refund to account {refund.account.number} declined.")
    return redirect("care:refunds")


@require_POST
@access.staff_required
def pay_refunds(request: CareRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in RefundBatch.Kind.values:
        raise Http404("No such kind of refund file")
    batch = refunds.pay_approved(kind=kind, created_by=request.user.email, now=timezone.now())
    if batch is None:
        messages.error(request, "No approved refunds are waiting to be paid that way.")
    else:
        messages.success(request, f"{batch.refund_count} refunds (£{batch.total}) written to {batch.file_name}.")
    return redirect("care:refunds")


# --- Bacs ------------------------------------------------------------------------------------------------------------


@access.staff_required
def bacs(request: CareRequest) -> HttpResponse:
    return _bacs_page(request, ReportUploadForm())


def _bacs_page(request: CareRequest, upload_form: ReportUploadForm, status: int = 200) -> HttpResponse:
    """The Direct Debit page; ``upload_form`` is a posted report that was refused, shown again with its errors."""
    return care_views._render(
        request,
        "care/payments/bacs.html",
        {
            "submissions": payment_queries.submissions(),
            "reports": payment_queries.reports(),
            "kept": payment_queries.kept_items(),
            "upload_form": upload_form,
        },
        status=status,
    )


@require_POST
@access.staff_required
def make_submission(request: CareRequest) -> HttpResponse:
    now = timezone.now()
    day = calendar.local_date(now)
    try:
        result = submissions.make_submission(processing_date=day, now=now, started_by=request.user.email)
    except submissions.SubmissionProblem as exc:
        messages.error(request, str(exc))
    else:
        if result is None:
            messages.success(request, "Nothing to send to Bacs today.")
        else:
            messages.success(request, f"{result.submission.file_name}: {result.submission.debit_count} collections.")
    return redirect("care:bacs")


@access.staff_required
def submission_file(request: CareRequest, submission_id: int) -> FileResponse:
    submission = care_views._found(payment_queries.submission_by_id(submission_id), "No such submission")
    path = submissions.write_files(submission)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=submission.file_name)  # noqa: SIM115
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@access.staff_required
def upload_report(request: CareRequest) -> HttpResponse:
    form = ReportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _bacs_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        report = bacs_reports.import_report(
            file_name=upload.name, data=upload.read(), imported_by=request.user.email, now=timezone.now()
        )
    except bacs_reports.ReportRefused as exc:
        messages.error(request, str(exc))
        return redirect("care:bacs")
    return redirect("care:bacs_report", report_id=report.pk)


@access.staff_required
def report_detail(request: CareRequest, report_id: int) -> HttpResponse:
    report: BacsReport = care_views._found(payment_queries.report_by_id(report_id), "No such report")
    return care_views._render(
        request,
        "care/payments/report.html",
        {"report": report, "items": payment_queries.items_of(report)},
    )


@require_POST
@access.staff_required
def replay_item(request: CareRequest, item_id: int) -> HttpResponse:
    item = care_views._found(payment_queries.report_item_by_id(item_id), "No such entry")
    item = bacs_reports.replay_item(item=item, actor=request.user, now=timezone.now())
    if item.outcome == item.Outcome.KEPT:
        messages.error(request, f"Still cannot act on entry {item.line}: {item.action}")
    else:
        messages.success(request, f"Entry {item.line}: {item.action}")
    return redirect("care:bacs_report", report_id=item.report_id)


@require_POST
@access.staff_required
def dismiss_item(request: CareRequest, item_id: int) -> HttpResponse:
    item = care_views._found(payment_queries.report_item_by_id(item_id), "No such entry")
    try:
        bacs_reports.dismiss_item(
            item=item, reason=request.POST.get("reason", ""), actor=request.user, now=timezone.now()
        )
    except bacs_reports.ReportRefused as exc:
        messages.error(request, str(exc))
    return redirect("care:bacs_report", report_id=item.report_id)


@require_POST
@access.staff_required
def export_referrals(request: CareRequest) -> HttpResponse:
    path = late_payment.export_referrals(now=timezone.now())
    messages.success(request, f"Referrals written to {path.name}." if path else "No referrals are waiting.")
    return redirect("care:bacs")
