"""Payments: how the selected account pays, its Direct Debit and schedule, its history, refunds, and the simulator.

Everything is read through the selected account. Viewers see the page; only the holder and authorised persons
change anything (T&C 15.7: another person may administer the account). Bank account numbers appear only as their
last two digits.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hearth.common import calendar
from hearth.data.billing.models import LedgerEntry
from hearth.data.payments.models import PaymentArrangement
from hearth.domain.billing import queries as billing_queries
from hearth.domain.payments import estimates, methods, refunds, schedule
from hearth.domain.payments import operations as payment_ops
from hearth.domain.payments import queries as payment_queries
from hearth.domain.payments import reviews as payment_reviews
from hearth.interfaces.portal import access, views, views_consumption
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.portal.forms_payments import DirectDebitForm, PaymentDayForm, RefundForm

HISTORY_KINDS = (LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.PAYMENT_REVERSAL, LedgerEntry.Kind.REFUND)
Method = PaymentArrangement.Method


def _refused(form: Form, exc: payment_ops.PaymentRefused | refunds.RefundRefused) -> None:
    """The refusal beside the field it is about (and so in the summary too), or in the summary alone."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@access.account_page()
def payments(request: PortalRequest) -> HttpResponse:
    """The account's payment method, Direct Debit, next payments, history, refunds and why an amount changed."""
    account = request.account
    today = calendar.local_date(timezone.now())
    arrangement = payment_queries.arrangement_of(account)
    method = payment_queries.method_of(account)
    balance = billing_queries.balance_of(account)
    history = [row for row in billing_queries.ledger_of(account) if row.entry.kind in HISTORY_KINDS][::-1][:24]
    taken = payment_queries.payments_taken(account)
    day_change_allowed = schedule.payment_day_change_allowed(payments_taken=taken)
    return render(
        request,
        "portal/payments/payments.html",
        {
            "arrangement": arrangement,
            "method_label": Method(method).label,
            "is_direct_debit": method in methods.DIRECT_DEBIT_METHODS,
            "is_monthly": method in methods.MONTHLY_METHODS,
            "mandate": payment_queries.current_mandate(account),
            "balance": balance,
            "balance_words": payment_ops.balance_words(balance),
            "upcoming": list(payment_queries.upcoming_collections(account)[:6]),
            "history": history,
            "refunds": payment_queries.refunds_of(account),
            "review": payment_reviews.latest_review(account),
            "can_manage": access.can_manage(request),
            "day_change_allowed": day_change_allowed,
            "day_change_reason": schedule.PAYMENT_DAY_CHANGE_REFUSED,
            "today": today,
            **views._account_context(request),
        },
    )


@require_http_methods(["GET", "POST"])
@access.account_page(*access.MANAGERS)
def direct_debit(request: PortalRequest) -> HttpResponse:
    """Set up (or change the bank account of) a Direct Debit; the notice of the payments follows by the rules."""
    form = DirectDebitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment_ops.set_up_direct_debit(
                account=request.account,
                method=data["method"],
                payment_day=data.get("payment_day") or None,
                details=payment_ops.BankDetails(
                    holder_name=data["holder_name"], sort_code=data["sort_code"], account_number=data["account_number"]
                ),
                actor=request.user,
                now=timezone.now(),
            )
        except payment_ops.PaymentRefused as exc:
            _refused(form, exc)
        else:
            return redirect("portal:payments")
    return render(request, "portal/payments/direct_debit.html", {"form": form, **views._account_context(request)})


@require_http_methods(["GET", "POST"])
@access.account_page(*access.MANAGERS)
def payment_day(request: PortalRequest) -> HttpResponse:
    """Change the day of the month the Direct Debit is taken (T&C 9.1.6: from the third payment on); before then the
    page says why it cannot yet."""
    form = PaymentDayForm(request.POST or None)
    taken = payment_queries.payments_taken(request.account)
    if request.method == "POST" and form.is_valid():
        try:
            payment_ops.change_payment_day(
                account=request.account,
                payment_day=form.cleaned_data["payment_day"],
                actor=request.user,
                now=timezone.now(),
            )
        except payment_ops.PaymentRefused as exc:
            form.add_error("payment_day", str(exc))
        else:
            return redirect("portal:payments")
    return render(
        request,
        "portal/payments/payment_day.html",
        {
            "form": form,
            "arrangement": payment_queries.arrangement_of(request.account),
            "allowed": schedule.payment_day_change_allowed(payments_taken=taken),
            "refused": schedule.PAYMENT_DAY_CHANGE_REFUSED,
            **views._account_context(request),
        },
    )


@require_http_methods(["GET", "POST"])
@access.account_page(*access.MANAGERS)
def refund(request: PortalRequest) -> HttpResponse:
    """Ask for credit back (T&C 12): what would be paid, what is kept back and why, and how to be paid."""
    now = timezone.now()
    offer = refunds.quote(account=request.account, now=now)
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = None
        if data["destination"] == refunds.Destination.OTHER_ACCOUNT:
            details = payment_ops.BankDetails(
                holder_name=data["holder_name"], sort_code=data["sort_code"], account_number=data["account_number"]
            )
        try:
            refunds.request_refund(
                account=request.account,
                destination=data["destination"],
                payee_name=data.get("holder_name", ""),
                bank_details=details,
                cheque_address="",
                actor=request.user,
                now=now,
            )
        except refunds.RefundRefused as exc:
            _refused(form, exc)
        else:
            return redirect("portal:payments")
    return render(
        request,
        "portal/payments/refund.html",
        {
            "form": form,
            "offer": offer,
            "open_refund": payment_queries.open_refund_of(request.account),
            "reading_days": refunds.RECENT_READING_DAYS,
            **views._account_context(request),
        },
    )


@dataclass(frozen=True)
class MonthBars:
    """One month of a plan's chart: the energy's cost and the payment, as SVG bars (positions in the viewBox)."""

    label: str
    cost_x: str
    cost_y: str
    cost_height: str
    paid_x: str
    paid_y: str
    paid_height: str
    width: str
    label_x: str
    tooltip: str


CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 60, 790, 16, 236
"""The plot inside the simulator chart's 800 x 280 viewBox."""


def _month_bars(months: list[schedule.SimulatedMonth]) -> tuple[list[MonthBars], list[tuple[str, str]]]:
    """Each month's cost (outlined) beside its payment (solid) on one scale, and the y-axis ticks (position, £)."""
    top = views_consumption.nice_ceiling(max((max(m.cost, m.collection) for m in months), default=Decimal(0)))
    slot = Decimal(CHART_RIGHT - CHART_LEFT) / max(len(months), 1)
    bar = slot * Decimal("0.38")
    plot = Decimal(CHART_BOTTOM - CHART_TOP)

    def height(value: Decimal) -> Decimal:
        return plot * max(value, Decimal(0)) / top

    bars = []
    for index, month in enumerate(months):
        x = CHART_LEFT + slot * index + slot * Decimal("0.1")
        cost, paid = height(month.cost), height(month.collection)
        bars.append(
            MonthBars(
                label=f"{month.month:%b}",
                cost_x=f"{x:.1f}",
                cost_y=f"{CHART_BOTTOM - cost:.1f}",
                cost_height=f"{cost:.1f}",
                paid_x=f"{x + bar:.1f}",
                paid_y=f"{CHART_BOTTOM - paid:.1f}",
                paid_height=f"{paid:.1f}",
                width=f"{bar:.1f}",
                label_x=f"{x + bar:.1f}",
                tooltip=f"{month.month:%B %Y}: energy £{month.cost:,.2f}, payment £{month.collection:,.2f}",
            )
        )
    ticks = [(f"{CHART_BOTTOM - plot * step / 4:.1f}", f"£{top * step / 4:,.0f}") for step in range(5)]
    return bars, ticks


@dataclass(frozen=True)
class SimulatedPlan:
    key: str
    title: str
    months: list[schedule.SimulatedMonth]

    @property
    def chart(self) -> tuple[list[MonthBars], list[tuple[str, str]]]:
        return _month_bars(self.months)

    @property
    def chart_label(self) -> str:
        return (
            f"Bar chart of {self.title.lower()}: each month's energy cost beside its payment; "
            f"£{self.collected:,.2f} paid over the year. The same figures are in the table."
        )

    @property
    def collected(self) -> Decimal:
        return sum((month.collection for month in self.months), Decimal("0.00"))

    @property
    def year_end(self) -> Decimal:
        return self.months[-1].balance_after if self.months else Decimal("0.00")


@access.account_page()
def simulator(request: PortalRequest) -> HttpResponse:
    """Try standard, seasonal and annual Direct Debit on this account's own expected use before choosing."""
    now = timezone.now()
    balance = billing_queries.balance_of(request.account)
    try:
        estimate = estimates.annual_estimate(account=request.account, at=now)
    except estimates.EstimateUnavailable as exc:
        return render(
            request, "portal/payments/simulator.html", {"problem": str(exc), **views._account_context(request)}
        )
    costs = [(month.month, month.cost) for month in estimate.months]
    standard = schedule.standard_monthly_amount(annual_cost=estimate.annual_cost, balance=balance)
    annual = schedule.annual_amount(term_cost=estimate.annual_cost + max(balance, Decimal("0.00")))
    plans = [
        SimulatedPlan(
            key,
            title,
            schedule.simulate_year(
                monthly_costs=costs,
                opening_balance=balance,
                method=key,
                standard=standard,
                seasonal_percent=payment_ops.arrangements.SEASONAL_PERCENT,
                annual_amount=annual,
            ),
        )
        for key, title in (
            (Method.STANDARD_DIRECT_DEBIT, "Same every month"),
            (Method.SEASONAL_DIRECT_DEBIT, "Seasonal"),
            (Method.ANNUAL_DIRECT_DEBIT, "Once a year"),
        )
    ]
    return render(
        request,
        "portal/payments/simulator.html",
        {
            "estimate": estimate,
            "plans": plans,
            "balance_words": payment_ops.balance_words(balance),
            **views._account_context(request),
        },
    )
