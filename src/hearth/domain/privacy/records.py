"""Which rows name a person: a walk of Django's models along foreign keys to the person's roots.

The person is a customer; the roots are the customer's row, their accounts, and the portal logins that hold those
accounts (``AccountLink`` role HOLDER). A row names the person when a chain of foreign keys leads from it to a
root. Nothing here lists the areas' models: a model added later (prepayment, debt, complaints, priority, meter
services...) is found by the same walk, so the subject-access export and erasure cover it without an edit.

Only :data:`EXCLUDED_MODELS` and :data:`EXCLUDED_FIELDS` are left out, each with its reason.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet

from hearth.data.accounts.models import Account, Customer
from hearth.data.identity.models import AccountLink, User

MAX_DEPTH = 4
"""How many foreign keys a chain may follow (a bill line: line → bill → account is two)."""

EXCLUDED_MODELS: dict[str, str] = {
    "otp_totp.TOTPDevice": "a staff login's second-factor secret: customers have none, and a secret is not shared",
}
"""Models that reach the person but are not exported, each with why."""

EXCLUDED_FIELDS: dict[str, str] = {
    "identity.User.password": "a hash of the password: not information about the person, and it helps an attacker",
    "identity.User.security_answer_hash": "a hash of the security answer, for the same reason as the password",
    "identity.ApiKey.key_hash": "a hash of an API key, for the same reason as the password",
    "privacy.SubjectAccessRequest.export": "an earlier export itself: it would put one copy inside the next",
}
"""Fields left out of exported rows (``app_label.Model.field``), each with why."""


@dataclass(frozen=True)
class Person:
    """The ids of a customer's roots."""

    customer_id: int
    account_ids: tuple[int, ...]
    login_ids: tuple[int, ...]

    def ids_of(self, model: type[models.Model]) -> tuple[int, ...]:
        if model is Customer:
            return (self.customer_id,)
        if model is Account:
            return self.account_ids
        return self.login_ids


ROOTS: tuple[type[models.Model], ...] = (Customer, Account, User)


def person_of(customer: Customer) -> Person:
    """The customer's roots as they are now."""
    account_ids = tuple(Account.objects.filter(customer=customer).order_by("id").values_list("id", flat=True))
    holders = AccountLink.objects.filter(account__customer=customer, role=AccountLink.Role.HOLDER)
    login_ids = tuple(
        User.objects.filter(pk__in=holders.values("user_id"), kind=User.Kind.CUSTOMER)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return Person(customer_id=customer.pk, account_ids=account_ids, login_ids=login_ids)


def label_of(model: type[models.Model]) -> str:
    return model._meta.label


def _foreign_keys(model: type[models.Model]) -> Iterator[models.ForeignKey[models.Model, models.Model]]:
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and isinstance(field.related_model, type):
            yield field


def paths_to_person(model: type[models.Model]) -> list[tuple[str, type[models.Model]]]:
    """Every chain of foreign keys from ``model`` to a root: (lookup, root), e.g. ``("bill__account", Account)``.

    A root itself is reached by its own key (``("pk", Customer)``). A chain stops at the first root it meets and
    never passes through a model twice.
    """
    if model in ROOTS:
        return [("pk", model)]
    found: list[tuple[str, type[models.Model]]] = []

    def walk(current: type[models.Model], prefix: str, seen: frozenset[type[models.Model]]) -> None:
        if len(seen) > MAX_DEPTH:
            return
        for field in _foreign_keys(current):
            target = field.related_model
            assert isinstance(target, type)
            lookup = f"{prefix}{field.name}"
            if target in ROOTS:
                found.append((lookup, target))
            elif target not in seen:
                walk(target, f"{lookup}__", seen | {target})

    walk(model, "", frozenset({model}))
    return found


def models_naming_a_person() -> list[type[models.Model]]:
    """Every installed model with a chain of foreign keys to a person's root, in label order."""
    return sorted((m for m in apps.get_models() if paths_to_person(m)), key=label_of)


def exported_models() -> list[type[models.Model]]:
    """The models whose rows a subject-access export holds: those naming a person, less the exclusions."""
    return [m for m in models_naming_a_person() if label_of(m) not in EXCLUDED_MODELS]


def rows_of(model: type[models.Model], person: Person) -> QuerySet[models.Model]:
    """The rows of ``model`` that name ``person`` by any chain, each once, in key order."""
    condition = Q(pk__in=[])
    for lookup, root in paths_to_person(model):
        ids = person.ids_of(root)
        if ids:
            condition |= Q(**{f"{lookup}__in": ids})
    manager = model._default_manager
    # A subquery rather than DISTINCT: several chains may reach one row, and PostgreSQL cannot compare JSON columns.
    return manager.filter(pk__in=manager.filter(condition).values("pk")).order_by("pk")
