"""Change portal logins: create them, send login details, walk activation, link accounts, set roles."""

import logging
import secrets
import smtplib
import string
from datetime import datetime, timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from hearth.common import identifiers
from hearth.data.accounts.models import Account, Customer
from hearth.data.care.models import LoginDetailsRequest
from hearth.data.identity.models import AccountLink, ConditionsAcceptance, User, normalise_email
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.audit import operations as audit
from hearth.domain.identity import queries as identity_queries

logger = logging.getLogger(__name__)


class LoginRefused(Exception):
    """The login cannot be created or changed; the message says why, for care staff."""


# Letters and digits without look-alikes (0/O, 1/l/I), so a temporary password can be typed from paper.
_TEMPORARY_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def _temporary_password() -> str:
    """Twelve random characters that also meet the portal's own password rules."""
    while True:
        candidate = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
        if (
            any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate


def _send_login_details(*, user: User, now: datetime) -> None:
    """Give the login a fresh temporary password and e-mail it with how to activate (ADR 0003)."""
    temporary_password = _temporary_password()
    user.set_password(temporary_password)
    user.must_choose_password = True
    user.temporary_password_expires_at = now + timedelta(days=settings.HEARTH_TEMPORARY_PASSWORD_DAYS)
    user.save(update_fields=["password", "must_choose_password", "temporary_password_expires_at"])
    brand = settings.HEARTH_BRAND
    body = render_to_string(
        "email/login_details.txt",
        {
            "brand": brand,
            "email": user.email,
            "temporary_password": temporary_password,
            "expires_at": user.temporary_password_expires_at,
            "login_url": f"{brand['portal_url']}/login/",
        },
    )
    EmailMessage(
        subject=f"Your {brand['name']} Customer Portal login details",
        body=body,
        to=[user.email],
    ).send()


def _audit_login(
    *,
    user: User,
    actor: User | None,
    action: str,
    now: datetime,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    """Audit a change to a login on the page of every customer whose accounts it is linked to."""
    linked = {link.account.customer for link in user.account_links.select_related("account__customer")}
    customers: list[Customer | None] = [*sorted(linked, key=lambda c: c.pk)] or [None]
    for customer in customers:
        audit.record(
            actor=actor, action=action, subject=user.email, customer=customer, before=before, after=after, at=now
        )


@transaction.atomic
def create_portal_login(
    *, account: Account, email: str, role: AccountLink.Role, actor: User | None, now: datetime
) -> User:
    """Create (or reuse) the portal login for `email`, link it to `account`, and e-mail login details.

    An existing login for the address is linked rather than duplicated. Only a login still on a
    temporary password is sent a new one: a login that chose its own password (at activation or
    through a reset) keeps it and simply sees the new account.

    :raises LoginRefused: the address belongs to a staff login.
    """
    address = normalise_email(email)
    user = User.objects.filter(email=address).first()
    if user is not None and user.kind != User.Kind.CUSTOMER:
        raise LoginRefused("That e-mail address belongs to a staff login; use another address.")
    created = user is None
    if user is None:
        user = User.objects.create_user(address, kind=User.Kind.CUSTOMER)
        audit.record(actor=actor, action="login.created", subject=address, customer=account.customer, at=now)
    link_account(user=user, account=account, role=role, actor=actor, now=now)
    if created or (user.activated_at is None and user.must_choose_password):
        _send_login_details(user=user, now=now)
        audit.record(actor=actor, action="login.details_sent", subject=address, customer=account.customer, at=now)
    return user


@transaction.atomic
def resend_login_details(*, user: User, actor: User, now: datetime) -> None:
    """Send a new temporary password; the old one stops working. For logins not yet activated."""
    if user.activated_at is not None:
        raise LoginRefused("This login is already activated; the customer can use 'Forgot password'.")
    _send_login_details(user=user, now=now)
    _audit_login(user=user, actor=actor, action="login.details_sent", now=now)


@transaction.atomic
def request_login_details(*, account_number: str, postcode: str, email: str, now: datetime) -> None:
    """Public 'get login details': send at once when the address is the account's contact address.

    Otherwise the request waits for care staff. The caller learns nothing either way: the screen
    answers the same, so this neither reveals accounts nor registered addresses.
    """
    address = normalise_email(email)
    note = ""
    account = accounts_queries.account_by_number(number=account_number)
    try:
        normalised_postcode = identifiers.normalise_postcode(postcode)
    except identifiers.InvalidIdentifier:
        normalised_postcode = postcode.strip().upper()
    matches = account is not None and account.billing_property.postcode == normalised_postcode
    if account is not None and matches and account.customer.contact_email.lower() == address:
        existing = User.objects.filter(email=address).first()
        if existing is None or (existing.kind == User.Kind.CUSTOMER and existing.activated_at is None):
            try:
                with transaction.atomic():
                    create_portal_login(
                        account=account, email=address, role=AccountLink.Role.HOLDER, actor=None, now=now
                    )
                return
            except (smtplib.SMTPException, OSError) as exc:
                # The mail server is down: keep the request for care staff rather than lose it (or answer
                # differently from a request that does not match).
                logger.warning(
                    "Login details could not be e-mailed (%s); the request waits for care staff.", type(exc).__name__
                )
                note = "Login details could not be e-mailed at the time (mail server unavailable)."
    LoginDetailsRequest.objects.create(
        account_number=account_number.strip()[:32],
        postcode=postcode.strip()[:16],
        email=address,
        account=account if matches else None,
        received_at=now,
        note=note,
    )


@transaction.atomic
def decide_login_details_request(
    *, request: LoginDetailsRequest, send: bool, note: str, actor: User, now: datetime
) -> None:
    """Care staff send login details for a waiting request (to its account) or decline it."""
    if request.status != LoginDetailsRequest.Status.OPEN:
        raise LoginRefused("This request has already been decided.")
    if send:
        if request.account is None:
            raise LoginRefused("The account number and postcode did not match an account; link it by hand.")
        create_portal_login(
            account=request.account, email=request.email, role=AccountLink.Role.HOLDER, actor=actor, now=now
        )
    request.status = LoginDetailsRequest.Status.SENT if send else LoginDetailsRequest.Status.DECLINED
    request.decided_at = now
    request.decided_by = actor
    request.note = note
    request.save(update_fields=["status", "decided_at", "decided_by", "note"])


def record_sign_in(*, user: User, now: datetime) -> None:
    """Note the first sign-in: from then on the login is being activated (FAQ 6)."""
    if user.first_login_at is None:
        user.first_login_at = now
        user.save(update_fields=["first_login_at"])


def _finish_activation_if_done(*, user: User, now: datetime) -> None:
    conditions = identity_queries.current_conditions()
    if user.activated_at is None and not identity_queries.pending_steps(
        user=user, conditions_version=conditions.version
    ):
        user.activated_at = now
        user.save(update_fields=["activated_at"])
        _audit_login(user=user, actor=user, action="login.activated", now=now)


def accept_conditions(*, user: User, version: str, now: datetime) -> None:
    """Record acceptance of a version of the Conditions of Use (once per version)."""
    ConditionsAcceptance.objects.get_or_create(user=user, version=version, defaults={"accepted_at": now})
    _finish_activation_if_done(user=user, now=now)


def _normalised_answer(answer: str) -> str:
    """Answers compare without regard to case or extra spaces, as a caller says them on the phone."""
    return " ".join(answer.casefold().split())


def set_security_answer(*, user: User, question: User.SecurityQuestion, answer: str, now: datetime) -> None:
    """Store the security question and the answer hashed like a password."""
    if len(_normalised_answer(answer)) < 3:
        raise LoginRefused("Your answer must be at least 3 characters long.")
    user.security_question = question
    user.security_answer_hash = make_password(_normalised_answer(answer))
    user.security_answer_set_at = now
    user.save(update_fields=["security_question", "security_answer_hash", "security_answer_set_at"])
    _finish_activation_if_done(user=user, now=now)


def choose_password(*, user: User, password: str, now: datetime) -> None:
    """Set a password the customer chose; raises django ValidationError naming each failed rule."""
    validate_password(password, user)
    user.set_password(password)
    user.must_choose_password = False
    user.temporary_password_expires_at = None
    user.save(update_fields=["password", "must_choose_password", "temporary_password_expires_at"])
    axes_reset(username=user.email)
    _audit_login(user=user, actor=user, action="login.password_changed", now=now)
    _finish_activation_if_done(user=user, now=now)


def check_security_answer(*, user: User, answer: str, actor: User, now: datetime) -> bool:
    """Care staff check a caller's answer; the check is audited, and never signs anyone in."""
    matched = bool(user.security_answer_hash) and check_password(_normalised_answer(answer), user.security_answer_hash)
    _audit_login(user=user, actor=actor, action="login.security_answer_checked", now=now, after={"matched": matched})
    return matched


def unlock_login(*, user: User, actor: User, now: datetime) -> None:
    """Clear the failed-login lock-out for an address (care staff, or a completed password reset)."""
    axes_reset(username=user.email)
    _audit_login(user=user, actor=actor, action="login.unlocked", now=now)


def link_account(
    *, user: User, account: Account, role: AccountLink.Role, actor: User | None, now: datetime
) -> AccountLink:
    """Give a login access to an account with a role; linking again changes nothing."""
    link, created = AccountLink.objects.get_or_create(
        user=user, account=account, defaults={"role": role, "linked_at": now}
    )
    if created:
        audit.record(
            actor=actor,
            action="login.account_linked",
            subject=f"{user.email} → {account.number}",
            customer=account.customer,
            after={"role": role},
            at=now,
        )
    return link


def unlink_account(*, link: AccountLink, actor: User, now: datetime) -> None:
    audit.record(
        actor=actor,
        action="login.account_unlinked",
        subject=f"{link.user.email} → {link.account.number}",
        customer=link.account.customer,
        before={"role": link.role},
        at=now,
    )
    link.delete()


def set_role(*, link: AccountLink, role: AccountLink.Role, actor: User, now: datetime) -> None:
    before = link.role
    if before == role:
        return
    link.role = role
    link.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="login.role_changed",
        subject=f"{link.user.email} → {link.account.number}",
        customer=link.account.customer,
        before={"role": before},
        after={"role": role},
        at=now,
    )


@transaction.atomic
def create_staff_login(
    *,
    email: str,
    full_name: str,
    password: str,
    now: datetime,
    totp_key: str | None = None,
    care_role: str = User.CareRole.AGENT,
) -> TOTPDevice:
    """Create a care-staff login with its TOTP second factor and care role; returns the device to enrol in an app.

    `totp_key` (hex) is for the deterministic demo only; operators let it be generated.
    """
    address = normalise_email(email)
    if User.objects.filter(email=address).exists():
        raise LoginRefused(f"A login for {address} already exists.")
    validate_password(password, User(email=address, full_name=full_name))
    user = User.objects.create_user(
        address, password, kind=User.Kind.STAFF, is_staff=True, full_name=full_name, care_role=User.CareRole(care_role)
    )
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, key=totp_key or random_hex(20))
    audit.record(actor=None, action="staff.created", subject=address, at=now, after={"care_role": user.care_role})
    return device
