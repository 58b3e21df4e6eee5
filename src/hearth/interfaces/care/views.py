"""The care console's pages. Each view makes its domain calls and maps their errors to the page."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

import django_otp
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from hearth.common import calendar, identifiers
from hearth.data.accounts.models import Account, Customer, Fuel, Nation, SupplyPoint
from hearth.data.audit.models import AuditEvent
from hearth.data.care.models import Case
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import Meter
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.audit import queries as audit_queries
from hearth.domain.audit import words as audit_words
from hearth.domain.care import operations as care_ops
from hearth.domain.care import queries as care_queries
from hearth.domain.care import summary as care_summary
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries
from hearth.interfaces.care import access, forms
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.web import outbox
from hearth.interfaces.web.middleware import SESSION_STARTED_KEY

SIGN_IN_FAILED = "The e-mail address, password or authenticator code is not right."
SCREENSHOT_TYPES = {"image/png": "png", "image/jpeg": "jpg"}

T = TypeVar("T")


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render a console page with what the menu shows (the number of open login-details requests)."""
    page: dict[str, Any] = {"open_requests_count": care_queries.open_login_details_requests().count()}
    page.update(context or {})
    return render(request, template, page, status=status)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the console page the action came from (the `next` field), else to `default`."""
    return redirect(access.safe_care_path(request, request.POST.get("next")) or default)


def _found(found: T | None, missing: str) -> T:
    """What a lookup found, else a 404 saying what is missing ("No such meter")."""
    if found is None:
        raise Http404(missing)
    return found


@contextmanager
def _refusal_shown(request: HttpRequest, refused: type[Exception], *, prefix: str = "") -> Iterator[None]:
    """Run an action's domain call and its success message: a `refused` error skips the rest of the block and is
    shown as an error message instead (after `prefix`). The view then redirects as it would anyway."""
    try:
        yield
    except refused as exc:
        messages.error(request, f"{prefix}{exc}")


def _role(value: str) -> AccountLink.Role:
    return AccountLink.Role(value)


# --- Signing in and out -------------------------------------------------------------------------------------------


@sensitive_post_parameters("password", "otp_token")
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Staff only, with the second factor; one message for every failure so nothing is revealed."""
    next_url = access.safe_care_path(request, request.POST.get("next") or request.GET.get("next"))
    if access.staff(request) is not None:
        return redirect(next_url or "care:search")
    form = forms.StaffSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["username"].strip().lower()
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        device = None
        if isinstance(user, User) and user.kind == User.Kind.STAFF and user.is_staff:
            device = django_otp.match_token(user, form.cleaned_data["otp_token"])
        if isinstance(user, User) and device is not None:
            now = timezone.now()
            login(request, user)
            django_otp.login(request, device)
            request.session[SESSION_STARTED_KEY] = now.isoformat()
            return redirect(next_url or "care:search")
        if user is not None:
            # The password was right but the login may not enter (a customer) or the code was wrong:
            # count it as a failure too, so guessing codes is throttled like guessing passwords.
            user_login_failed.send(sender=__name__, credentials={"username": email}, request=request)
        form.add_error(None, SIGN_IN_FAILED)
    return render(request, "care/sign_in.html", {"form": form, "next": next_url or ""})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out of the care console.")
    return redirect("care:login")


# --- Finding and creating customers --------------------------------------------------------------------------------


@access.staff_required
def search(request: CareRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    results = None
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            results = list(accounts_queries.find_customers(query=query))
    rows = [(customer, list(accounts_queries.accounts_of_customer(customer=customer))) for customer in results or []]
    return _render(request, "care/search.html", {"form": form, "query": query, "results": results, "rows": rows})


@access.staff_required
def create_customer(request: CareRequest) -> HttpResponse:
    form = forms.CreateCustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = care_ops.onboard_customer(
                kind=Customer.Kind(data["kind"]),
                name=data["name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                address_line_1=data["address_line_1"],
                address_line_2=data["address_line_2"],
                town=data["town"],
                postcode=data["postcode"],
                nation=Nation(data["nation"]),
                fuels=[Fuel(fuel) for fuel in data["fuels"]],
                actor=request.user,
                now=timezone.now(),
            )
        except identifiers.InvalidIdentifier as exc:
            form.add_error("postcode", str(exc))
        except identity_ops.LoginRefused as exc:
            form.add_error("contact_email", str(exc))
        else:
            sent = f" Login details were e-mailed to {customer.contact_email}." if customer.contact_email else ""
            messages.success(request, f"Created {customer.name}.{sent}")
            return redirect("care:customer", customer_id=customer.pk)
    return _render(request, "care/create_customer.html", {"form": form})


# --- The customer page -------------------------------------------------------------------------------------------


@dataclass
class SupplyPointRow:
    supply_point: SupplyPoint
    meters: list[Meter] = field(default_factory=list)


@dataclass
class AccountRow:
    account: Account
    supply_points: list[SupplyPointRow]
    summary: care_summary.AccountSummary


@dataclass
class LoginRow:
    user: User
    links: list[AccountLink]
    other_links: int
    conditions_version: str
    conditions_accepted_at: datetime | None
    locked: bool


@dataclass
class AuditRow:
    event: AuditEvent
    words: str
    change: str


AUDIT_EVENTS_PER_PAGE = 25


def _change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """An audit event's before → after, one key at a time, in words care staff can read aloud."""
    parts = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in before and key in after:
            parts.append(f"{key}: {before[key]} → {after[key]}")
        elif key in before:
            parts.append(f"{key}: {before[key]} → (none)")
        else:
            parts.append(f"{key}: {after[key]}")
    return "; ".join(parts)


def _login_row(user: User, *, customer: Customer | None, now: datetime) -> LoginRow:
    all_links = list(identity_queries.links_of_login(user=user))
    links = [link for link in all_links if customer is None or link.account.customer_id == customer.pk]
    acceptance = identity_queries.last_conditions_acceptance(user=user)
    return LoginRow(
        user=user,
        links=links,
        other_links=len(all_links) - len(links),
        conditions_version=acceptance.version if acceptance else "",
        conditions_accepted_at=acceptance.accepted_at if acceptance else None,
        locked=identity_queries.login_locked_out(user=user, now=now),
    )


def _customer_page(
    request: CareRequest, customer: Customer, *, supply_form: forms.AddSupplyPointForm | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    today = calendar.local_date(now)
    accounts = accounts_queries.accounts_of_customer(customer=customer)
    account_rows = []
    for account in accounts:
        meters = list(accounts_queries.current_meters(account=account))
        points = [
            SupplyPointRow(sp, [m for m in meters if m.supply_point_id == sp.pk])
            for sp in accounts_queries.current_supply_points(account=account)
        ]
        account_rows.append(AccountRow(account, points, care_summary.account_summary(account, today=today)))
    logins = [
        _login_row(user, customer=customer, now=now)
        for user in identity_queries.portal_logins_for_customer(customer=customer)
    ]
    events = Paginator(audit_queries.events_for_customer(customer=customer), AUDIT_EVENTS_PER_PAGE)
    audit_page = events.get_page(request.GET.get("audit_page"))
    return _render(
        request,
        "care/customer.html",
        {
            "customer": customer,
            "account_rows": account_rows,
            "logins": logins,
            "cases": care_queries.cases_for_customer(customer=customer),
            "audit_page": audit_page,
            "events": [
                AuditRow(event, audit_words.describe(event.action), _change(event.before, event.after))
                for event in audit_page
            ],
            "supply_form": supply_form or forms.AddSupplyPointForm(accounts=accounts),
            "error_form": supply_form if supply_form is not None and supply_form.errors else None,
            "here": request.path,
        },
        status=status,
    )


def _customer_or_404(customer_id: int) -> Customer:
    return _found(accounts_queries.customer_by_id(customer_id=customer_id), "No such customer")


@access.staff_required
def customer_detail(request: CareRequest, customer_id: int) -> HttpResponse:
    return _customer_page(request, _customer_or_404(customer_id))


@require_POST
@access.staff_required
def add_supply_point(request: CareRequest, customer_id: int) -> HttpResponse:
    customer = _customer_or_404(customer_id)
    form = forms.AddSupplyPointForm(request.POST, accounts=accounts_queries.accounts_of_customer(customer=customer))
    if form.is_valid():
        account: Account = form.cleaned_data["account"]
        try:
            supply_point = care_ops.register_supply_point(
                account=account,
                identifier=form.cleaned_data["identifier"],
                supply_start_date=form.cleaned_data["supply_start_date"],
                actor=request.user,
                now=timezone.now(),
            )
        except accounts_ops.InvalidSupplyPoint as exc:
            form.add_error("identifier", str(exc))
        else:
            messages.success(request, f"Added {supply_point} to account {account.number}.")
            return redirect("care:customer", customer_id=customer.pk)
    return _customer_page(request, customer, supply_form=form)


# --- Portal logins -----------------------------------------------------------------------------------------------


def _login_or_404(user_id: int) -> User:
    return _found(identity_queries.portal_login_by_id(user_id=user_id), "No such portal login")


def _link_or_404(link_id: int) -> AccountLink:
    return _found(identity_queries.portal_link_by_id(link_id=link_id), "No such link")


@access.staff_required
def create_login(request: CareRequest) -> HttpResponse:
    """FAQ 2, 8, 10: care staff set up a login from an account number and an e-mail address."""
    initial = {"account_number": request.GET.get("account", "")[:32]}
    form = forms.CreateLoginForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["account_number"].strip()
        account = accounts_queries.account_by_number(number=number)
        if account is None:
            form.add_error("account_number", f"No account has the number {number}.")
        else:
            try:
                user = identity_ops.create_portal_login(
                    account=account,
                    email=form.cleaned_data["email"],
                    role=_role(form.cleaned_data["role"]),
                    actor=request.user,
                    now=timezone.now(),
                )
            except identity_ops.LoginRefused as exc:
                form.add_error("email", str(exc))
            else:
                if user.activated_at is None:
                    messages.success(request, f"Login details e-mailed to {user.email} for account {account.number}.")
                else:
                    messages.success(
                        request,
                        f"{user.email} is already activated: it is now linked to account {account.number} "
                        "and can see it when it next signs in. No e-mail was sent.",
                    )
                return redirect("care:customer", customer_id=account.customer_id)
    return _render(request, "care/create_login.html", {"form": form})


def _login_page(
    request: CareRequest,
    user: User,
    *,
    link_form: forms.LinkAccountForm | None = None,
    answer_form: forms.CheckAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    row = _login_row(user, customer=None, now=timezone.now())
    customers = {link.account.customer_id: link.account.customer for link in row.links}
    return _render(
        request,
        "care/login_detail.html",
        {
            "login": user,
            "row": row,
            "customers": list(customers.values()),
            "link_form": link_form or forms.LinkAccountForm(auto_id="link-%s"),
            "answer_form": answer_form or forms.CheckAnswerForm(auto_id="answer-%s"),
            "error_form": next((form for form in (link_form, answer_form) if form is not None and form.errors), None),
            "role_choices": forms.ROLE_CHOICES,
            "here": request.path,
        },
        status=status,
    )


@access.staff_required
def login_detail(request: CareRequest, user_id: int) -> HttpResponse:
    return _login_page(request, _login_or_404(user_id))


@require_POST
@access.staff_required
def resend_login_details(request: CareRequest, user_id: int) -> HttpResponse:
    user = _login_or_404(user_id)
    with _refusal_shown(request, identity_ops.LoginRefused):
        identity_ops.resend_login_details(user=user, actor=request.user, now=timezone.now())
        messages.success(request, f"New login details e-mailed to {user.email}; the previous ones no longer work.")
    return _back(request, reverse("care:login_detail", args=[user.pk]))


@require_POST
@access.staff_required
def unlock_login(request: CareRequest, user_id: int) -> HttpResponse:
    user = _login_or_404(user_id)
    identity_ops.unlock_login(user=user, actor=request.user, now=timezone.now())
    messages.success(request, f"{user.email} is unlocked: the customer can sign in again.")
    return _back(request, reverse("care:login_detail", args=[user.pk]))


@sensitive_post_parameters("answer")
@require_POST
@access.staff_required
def check_answer(request: CareRequest, user_id: int) -> HttpResponse:
    """Check a caller's security answer; say only whether it matches (never the answer or its hash)."""
    user = _login_or_404(user_id)
    form = forms.CheckAnswerForm(request.POST, auto_id="answer-%s")
    if not form.is_valid():
        return _login_page(request, user, answer_form=form)
    matched = identity_ops.check_security_answer(
        user=user, answer=form.cleaned_data["answer"], actor=request.user, now=timezone.now()
    )
    if matched:
        messages.success(request, "The answer matches.")
    elif not user.security_answer_hash:
        messages.error(request, "The answer does not match: this login has not set a security answer yet.")
    else:
        messages.error(request, "The answer does not match.")
    return _back(request, reverse("care:login_detail", args=[user.pk]))


@require_POST
@access.staff_required
def add_link(request: CareRequest, user_id: int) -> HttpResponse:
    """FAQ 15: link a login to another account (gas and electricity under one login)."""
    user = _login_or_404(user_id)
    form = forms.LinkAccountForm(request.POST, auto_id="link-%s")
    if form.is_valid():
        number = form.cleaned_data["account_number"].strip()
        account = accounts_queries.account_by_number(number=number)
        if account is None:
            form.add_error("account_number", f"No account has the number {number}.")
        elif identity_queries.link_for(user=user, account_id=account.pk) is not None:
            form.add_error("account_number", f"{user.email} is already linked to account {number}.")
        else:
            identity_ops.link_account(
                user=user,
                account=account,
                role=_role(form.cleaned_data["role"]),
                actor=request.user,
                now=timezone.now(),
            )
            messages.success(request, f"Linked {user.email} to account {account.number}.")
            return _back(request, reverse("care:login_detail", args=[user.pk]))
    return _login_page(request, user, link_form=form)


@require_POST
@access.staff_required
def remove_link(request: CareRequest, link_id: int) -> HttpResponse:
    link = _link_or_404(link_id)
    email, number, customer_id = link.user.email, link.account.number, link.account.customer_id
    identity_ops.unlink_account(link=link, actor=request.user, now=timezone.now())
    messages.success(request, f"{email} no longer has access to account {number}.")
    return _back(request, reverse("care:customer", args=[customer_id]))


@require_POST
@access.staff_required
def change_role(request: CareRequest, link_id: int) -> HttpResponse:
    link = _link_or_404(link_id)
    form = forms.RoleForm(request.POST)
    if form.is_valid():
        role = _role(form.cleaned_data["role"])
        identity_ops.set_role(link=link, role=role, actor=request.user, now=timezone.now())
        messages.success(request, f"{link.user.email} is now {role.label} on account {link.account.number}.")
    else:
        messages.error(request, "Choose a role from the list.")
    return _back(request, reverse("care:customer", args=[link.account.customer_id]))


# --- Login-details requests --------------------------------------------------------------------------------------


@access.staff_required
def login_details_requests(request: CareRequest) -> HttpResponse:
    return _render(request, "care/requests.html", {"requests": care_queries.open_login_details_requests()})


@require_POST
@access.staff_required
def decide_request(request: CareRequest, request_id: int) -> HttpResponse:
    waiting = _found(care_queries.login_details_request_by_id(request_id=request_id), "No such request")
    form = forms.DecideRequestForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        messages.error(request, f"Request from {waiting.email}: {problems}")
        return redirect("care:requests")
    send = form.cleaned_data["decision"] == forms.DecideRequestForm.SEND
    with _refusal_shown(request, identity_ops.LoginRefused, prefix=f"Request from {waiting.email}: "):
        identity_ops.decide_login_details_request(
            request=waiting, send=send, note=form.cleaned_data["note"].strip(), actor=request.user, now=timezone.now()
        )
        done = "login details e-mailed" if send else "declined"
        messages.success(request, f"Request from {waiting.email}: {done}.")
    return redirect("care:requests")


# --- Cases -------------------------------------------------------------------------------------------------------


def _case_or_404(case_id: int) -> Case:
    return _found(care_queries.case_by_id(case_id=case_id), "No such case")


@access.staff_required
def cases(request: CareRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    chosen = Case.Status(status) if status in Case.Status.values else None
    return _render(
        request,
        "care/cases.html",
        {"cases": care_queries.cases(status=chosen), "status": chosen or "", "statuses": Case.Status.choices},
    )


@access.staff_required
def case_detail(request: CareRequest, case_id: int) -> HttpResponse:
    return _render(request, "care/case.html", {"case": _case_or_404(case_id)})


@access.staff_required
def case_screenshot(request: CareRequest, case_id: int) -> FileResponse:
    """The customer's screenshot: the stored type, never cached, never sniffed, under a name Hearth chooses."""
    case = _case_or_404(case_id)
    if not case.screenshot:
        raise Http404("This case has no screenshot")
    content_type = case.screenshot_content_type
    extension = SCREENSHOT_TYPES.get(content_type)
    if extension is None:  # not a type the portal accepts: never shown in the browser
        content_type, extension = "application/octet-stream", "bin"
    try:
        stream = case.screenshot.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The screenshot file is missing") from exc
    response = FileResponse(
        stream,
        content_type=content_type,
        as_attachment=extension == "bin",
        filename=f"case-{case.pk}-screenshot.{extension}",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@access.staff_required
def close_case(request: CareRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(case_id)
    if case.status == Case.Status.CLOSED:
        messages.error(request, f"Case {case.pk} is already closed.")
    else:
        care_ops.close_case(case=case, actor=request.user, now=timezone.now())
        messages.success(request, f"Case {case.pk} is closed.")
    return redirect("care:case", case_id=case.pk)


# --- The demo's outbox -------------------------------------------------------------------------------------------


@dataclass
class OutboxRow:
    name: str
    sent_at: datetime | None
    to: str
    subject: str


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as stream:
        message = BytesParser(policy=policy.default).parse(stream)
    assert isinstance(message, EmailMessage)
    return message


def _sent_at(message: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return None


@access.staff_required
def outbox_list(request: CareRequest) -> HttpResponse:
    rows = []
    for path in outbox.list_messages():
        message = _parse(path)
        rows.append(OutboxRow(path.name, _sent_at(message), str(message["To"] or ""), str(message["Subject"] or "")))
    return _render(request, "care/outbox.html", {"messages_sent": rows})


@access.staff_required
def outbox_message(request: CareRequest, name: str) -> HttpResponse:
    path = _found(outbox.message_path(name), "No such message")
    message = _parse(path)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    row = OutboxRow(path.name, _sent_at(message), str(message["To"] or ""), str(message["Subject"] or ""))
    return _render(request, "care/outbox_message.html", {"message": row, "body": text})
