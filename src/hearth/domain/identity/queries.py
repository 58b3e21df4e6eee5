"""Read portal logins, their links to accounts and where each stands in activation."""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Exists, Q, QuerySet

from hearth.data.accounts.models import Account, Customer
from hearth.data.identity.models import AccountLink, ConditionsAcceptance, User
from hearth.domain.identity import throttle


class ActivationStep(enum.StrEnum):
    """What a login must still do before it reaches the dashboard, in the order the FAQ gives."""

    ACCEPT_CONDITIONS = "ACCEPT_CONDITIONS"
    SET_SECURITY_QUESTION = "SET_SECURITY_QUESTION"
    CHOOSE_PASSWORD = "CHOOSE_PASSWORD"  # noqa: S105 - a step name, not a password


@dataclass(frozen=True)
class ConditionsOfUse:
    version: str
    text: str


def current_conditions() -> ConditionsOfUse:
    """The Conditions of Use in force: a versioned text from configuration."""
    path = Path(settings.HEARTH_CONDITIONS_OF_USE_FILE)
    return ConditionsOfUse(version=current_conditions_version(), text=path.read_text(encoding="utf-8"))


def current_conditions_version() -> str:
    """The version of the Conditions of Use in force, without reading their text (every portal request asks)."""
    return str(settings.HEARTH_CONDITIONS_OF_USE_VERSION)


def pending_steps(*, user: User, conditions_version: str) -> list[ActivationStep]:
    """The steps this login still has to take; empty when it may use the portal."""
    accepted = ConditionsAcceptance.objects.filter(user=user, version=conditions_version).exists()
    return _steps(user=user, accepted_conditions=accepted)


def _steps(*, user: User, accepted_conditions: bool) -> list[ActivationStep]:
    steps = []
    if not accepted_conditions:
        steps.append(ActivationStep.ACCEPT_CONDITIONS)
    if not user.security_answer_hash:
        steps.append(ActivationStep.SET_SECURITY_QUESTION)
    if user.must_choose_password:
        steps.append(ActivationStep.CHOOSE_PASSWORD)
    return steps


@dataclass(frozen=True)
class PortalStanding:
    """What every account-scoped portal page checks about a login: its activation steps left and its links."""

    steps: list[ActivationStep]
    links: Sequence[AccountLink]
    """Every account link of the login with its account, customer and billing address, by account number."""


def portal_standing(*, user: User, conditions_version: str) -> PortalStanding:
    """The login's links and activation in one query (a second only for a login with no links at all).

    Issue 14: the access check took most of a signed-in request when it asked for the conditions, the first
    account and the link one query each, and the page then listed the accounts again.
    """
    accepted = Exists(ConditionsAcceptance.objects.filter(user=user, version=conditions_version))
    links = list(links_of_login(user=user).annotate(conditions_accepted=accepted))
    if links:
        return PortalStanding(steps=_steps(user=user, accepted_conditions=links[0].conditions_accepted), links=links)
    return PortalStanding(steps=pending_steps(user=user, conditions_version=conditions_version), links=[])


def last_conditions_acceptance(*, user: User) -> ConditionsAcceptance | None:
    return ConditionsAcceptance.objects.filter(user=user).order_by("-accepted_at", "-id").first()


def temporary_password_expired(*, user: User, now: datetime) -> bool:
    """A temporary credential from a login-details e-mail stops working after its expiry."""
    expires_at = user.temporary_password_expires_at
    return user.must_choose_password and expires_at is not None and expires_at <= now


def linked_accounts(*, user: User) -> QuerySet[Account]:
    """Every account this login may see, in a stable order."""
    return (
        Account.objects.filter(login_links__user=user)
        .select_related("customer", "billing_property")
        .order_by("number", "id")
    )


def link_for(*, user: User, account_id: int) -> AccountLink | None:
    """The login's link to an account, or None: the one check every account-scoped page makes."""
    return AccountLink.objects.filter(user=user, account_id=account_id).select_related("account").first()


def links_of_account(*, account: Account) -> QuerySet[AccountLink]:
    return AccountLink.objects.filter(account=account).select_related("user").order_by("user__email", "id")


def portal_login_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=email.strip().lower(), kind=User.Kind.CUSTOMER).first()


def portal_login_by_id(*, user_id: int) -> User | None:
    """A customer's portal login by id; never a staff login (care staff act only on portal logins)."""
    return User.objects.filter(pk=user_id, kind=User.Kind.CUSTOMER).first()


def portal_logins_for_customer(*, customer: Customer) -> QuerySet[User]:
    """The portal logins linked to any of the customer's accounts."""
    linked = AccountLink.objects.filter(account__customer=customer).values("user_id")
    return User.objects.filter(pk__in=linked, kind=User.Kind.CUSTOMER).order_by("email", "id")


def links_of_login(*, user: User) -> QuerySet[AccountLink]:
    """Every account link of a login, with the account and its customer."""
    return (
        AccountLink.objects.filter(user=user)
        .select_related("account__customer", "account__billing_property")
        .order_by("account__number", "id")
    )


def portal_link_by_id(*, link_id: int) -> AccountLink | None:
    """A portal login's link to an account by id; links of staff logins are never returned."""
    return (
        AccountLink.objects.filter(pk=link_id, user__kind=User.Kind.CUSTOMER)
        .select_related("user", "account__customer")
        .first()
    )


def login_locked_out(*, user: User, now: datetime) -> bool:
    """Whether repeated failed sign-ins have locked the login's address (django-axes, within the cool-off)."""
    failures, _last = throttle.recent_failures(condition=Q(username=user.email), now=now)
    return bool(failures >= settings.AXES_FAILURE_LIMIT)
