"""The customer portal's pages. Each view makes its domain calls and maps their errors to the page."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from hearth.data.identity.models import User
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.care import operations as care_ops
from hearth.domain.identity import operations as identity_ops
from hearth.domain.identity import queries as identity_queries
from hearth.domain.identity import throttle
from hearth.interfaces.portal import access, forms
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web import ratelimit
from hearth.interfaces.web.client_ip import client_ip
from hearth.interfaces.web.middleware import SESSION_STARTED_KEY

SERVICE_TILES = {
    accounts_queries.PortalService.BILLS_ONLINE: (
        "Bills Online",
        "Your invoices and documents (E-Billing).",
        "portal:bills",
    ),
    accounts_queries.PortalService.AMR: (
        "Automatic meter readings (AMR)",
        "The energy your automatic meter reading device reports each day and half-hour.",
        "portal:consumption",
    ),
    accounts_queries.PortalService.SMART_CONSUMPTION: (
        "Smart meter readings",
        "The energy your smart meter reports each day (and each half-hour, if you choose).",
        "portal:consumption",
    ),
}


@sensitive_post_parameters("password")
def sign_in(request: HttpRequest) -> HttpResponse:
    """FAQ 7, 10, 11: one answer for a wrong address or password, with the checks the FAQ lists."""
    if access.customer(request) is not None:
        return redirect("portal:dashboard")
    form = forms.SignInForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        if form.looks_like_old_name_login():
            problem = "name_login"
        else:
            email = form.cleaned_data["username"].strip().lower()
            now = timezone.now()
            wait = throttle.sign_in_wait_seconds(email=email, ip_address=client_ip(request), now=now)
            if wait > 0:
                context = {"form": forms.SignInForm(), "problem": "slow", "wait": wait}
                return render(request, "portal/sign_in.html", context, status=429)
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if not isinstance(user, User) or user.kind != User.Kind.CUSTOMER:
                problem = "wrong_details"
            elif identity_queries.temporary_password_expired(user=user, now=now):
                problem = "expired"
            else:
                login(request, user)
                request.session[SESSION_STARTED_KEY] = now.isoformat()
                identity_ops.record_sign_in(user=user, now=now)
                return redirect(access.next_step_url(user) or "portal:dashboard")
    elif request.method == "POST":
        problem = "wrong_details"
    return render(request, "portal/sign_in.html", {"form": form, "problem": problem}, status=200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("portal:login")


def _public_form_within_limits(request: HttpRequest, *, scope: str, email: str) -> bool:
    """Both hourly limits of a public e-mail-sending form: per address typed and per client IP."""
    hour = timedelta(hours=1)
    per_address = ratelimit.within_limit(
        scope=scope, key=email.strip().lower(), limit=settings.HEARTH_PUBLIC_FORM_LIMIT_PER_ADDRESS, window=hour
    )
    per_ip = ratelimit.within_limit(
        scope=scope, key=client_ip(request), limit=settings.HEARTH_PUBLIC_FORM_LIMIT_PER_IP, window=hour
    )
    return per_address and per_ip


def login_details(request: HttpRequest) -> HttpResponse:
    """FAQ 2, 8, 10: ask for login details; the answer on screen is the same whatever was typed."""
    form = forms.LoginDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _public_form_within_limits(request, scope="login-details", email=form.cleaned_data["email"]):
            identity_ops.request_login_details(
                account_number=form.cleaned_data["account_number"],
                postcode=form.cleaned_data["postcode"],
                email=form.cleaned_data["email"],
                now=timezone.now(),
            )
        return redirect("portal:login_details_sent")
    return render(request, "portal/login_details.html", {"form": form})


def login_details_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/login_details_sent.html")


class ForgotPasswordView(auth_views.PasswordResetView):
    form_class = forms.ForgotPasswordForm
    template_name = "portal/forgot_password.html"
    email_template_name = "email/password_reset.txt"
    subject_template_name = "email/password_reset_subject.txt"
    success_url = reverse_lazy("portal:forgot_password_sent")
    extra_email_context = {"brand": settings.HEARTH_BRAND}

    def form_valid(self, form: auth_forms.PasswordResetForm) -> HttpResponse:
        """Past the hourly limits nothing is sent, and the screen still answers the same."""
        if _public_form_within_limits(self.request, scope="password-reset", email=form.cleaned_data["email"]):
            return super().form_valid(form)
        return redirect(self.success_url)


class ForgotPasswordSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/forgot_password_sent.html"


class ResetPasswordView(auth_views.PasswordResetConfirmView):
    """A single-use link valid for an hour; setting the password ends the login's other sessions."""

    form_class = forms.ChoosePasswordForm
    template_name = "portal/reset_password.html"
    success_url = reverse_lazy("portal:reset_password_done")


class ResetPasswordDoneView(auth_views.PasswordResetCompleteView):
    template_name = "portal/reset_password_done.html"


@access.signed_in
def activate_conditions(request: HttpRequest) -> HttpResponse:
    user = access.customer(request)
    assert user is not None
    conditions = identity_queries.current_conditions()
    form = forms.AcceptConditionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identity_ops.accept_conditions(user=user, version=conditions.version, now=timezone.now())
        return redirect(access.next_step_url(user) or "portal:dashboard")
    first_time = user.activated_at is None
    return render(
        request, "portal/activate_conditions.html", {"form": form, "conditions": conditions, "first_time": first_time}
    )


@access.signed_in
def activate_security_question(request: HttpRequest) -> HttpResponse:
    user = access.customer(request)
    assert user is not None
    step = access.next_step_url(user)
    if step != "portal:activate_security_question":
        return redirect(step or "portal:dashboard")
    form = forms.SecurityQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identity_ops.set_security_answer(
            user=user,
            question=User.SecurityQuestion(form.cleaned_data["question"]),
            answer=form.cleaned_data["answer"],
            now=timezone.now(),
        )
        return redirect(access.next_step_url(user) or "portal:dashboard")
    return render(request, "portal/activate_security_question.html", {"form": form})


@sensitive_post_parameters("new_password1", "new_password2")
@access.signed_in
def activate_password(request: HttpRequest) -> HttpResponse:
    user = access.customer(request)
    assert user is not None
    step = access.next_step_url(user)
    if step != "portal:activate_password":
        return redirect(step or "portal:dashboard")
    form = forms.ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(request, user)
        messages.success(request, "Your Customer Portal account is activated.")
        return redirect("portal:dashboard")
    return render(request, "portal/activate_password.html", {"form": form})


def _account_context(request: PortalRequest) -> dict[str, object]:
    return {
        "link": request.link,
        "account": request.account,
        "linked_accounts": access.linked_accounts(request),
    }


@require_POST
@access.account_page()
def select_account(request: PortalRequest) -> HttpResponse:
    """Switch to another linked account and stay on the page (see _page_after_switch); an id that is not linked to
    this login is refused."""
    try:
        account_id = int(request.POST.get("account", ""))
    except ValueError:
        account_id = 0
    link = identity_queries.link_for(user=request.user, account_id=account_id)
    if link is None:
        messages.error(request, "That account is not linked to your login.")
    else:
        request.session[access.SELECTED_ACCOUNT_KEY] = link.account_id
        messages.success(request, f"You are now looking at account {link.account.number}.")
    return redirect(_page_after_switch(request.POST.get("next", "")))


def _page_after_switch(path: str) -> str:
    """The portal page the switcher was used on, when it is about whichever account is selected (no id in its
    address: Search, Delivery Settings...); the dashboard otherwise (a bill of the other account would be a 404)."""
    try:
        match = resolve(path)
    except Resolver404:
        return reverse("portal:dashboard")
    if match.namespace == "portal" and not match.args and not match.kwargs:
        return reverse(f"portal:{match.url_name}")
    return reverse("portal:dashboard")


@access.account_page()
def contact_care(request: PortalRequest) -> HttpResponse:
    """FAQ 7, 9, 11: a description and an optional screenshot become a case care staff see."""
    accounts = identity_queries.linked_accounts(user=request.user)
    form = forms.ContactCareForm(
        request.POST or None, request.FILES or None, accounts=accounts, initial={"account": request.account}
    )
    if request.method == "POST" and form.is_valid():
        case = care_ops.raise_case(
            raised_by=request.user,
            account=form.cleaned_data["account"],
            description=form.cleaned_data["description"],
            screenshot=form.cleaned_data["screenshot"],
            screenshot_content_type=form.screenshot_content_type,
            now=timezone.now(),
        )
        messages.success(request, f"Thank you: your message is with our Customer Care Team (reference {case.pk}).")
        return redirect("portal:dashboard")
    return render(request, "portal/contact_care.html", {"form": form, **_account_context(request)})


class ChangePasswordView(auth_views.PasswordChangeView):
    form_class = forms.ChangePasswordForm
    template_name = "portal/change_password.html"
    success_url = reverse_lazy("portal:dashboard")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


change_password = access.account_page()(ChangePasswordView.as_view())


@access.signed_in
def no_accounts(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/no_accounts.html")


def conditions_of_use(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/conditions.html", {"conditions": identity_queries.current_conditions()})


@access.account_page(*access.MANAGERS)
def account_logins(request: PortalRequest) -> HttpResponse:
    """FAQ 3: who else can use this account; holders and authorised persons may see it, viewers may not."""
    links = identity_queries.links_of_account(account=request.account)
    return render(request, "portal/account_logins.html", {"links": links, **_account_context(request)})
