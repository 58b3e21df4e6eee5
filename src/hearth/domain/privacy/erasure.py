"""Erasure requests (UK GDPR art. 17) and what must be kept (art. 17(3)(b), (e)): ADR 0016.

A request is delayed while any of the customer's accounts is supplied or owes money (the supply contract and the
debt are still being performed, art. 6(1)(b)): the daily job tries again. An organisation is refused (the right is
a person's). Otherwise, in one transaction:

- rows of the models :data:`RETENTION` keeps (financial, contract and meter records, the audit trail) stay, with
  the person's words taken out of them: every text or JSON value holding one of the person's names, addresses,
  e-mail addresses or phone numbers gets ``[erased]`` instead, and :data:`REPLACEMENTS` clears the named columns
  whose text is not the customer's own spelling (a Bacs account holder's name);
- rows of every other model naming the person (:mod:`records` finds them) are deleted;
- the customer and their holding logins keep their rows (bills point at them) but lose every personal value, and
  the logins can no longer sign in.
"""

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError, Q, QuerySet

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Supply
from hearth.data.identity.models import User
from hearth.data.privacy.models import Channel, ErasureRequest, SubjectAccessRequest
from hearth.domain.audit import operations as audit
from hearth.domain.billing import queries as billing_queries
from hearth.domain.privacy import contact, records, subject_access

ERASED = "[erased]"


@dataclasses.dataclass(frozen=True)
class Retention:
    """How long rows are kept after the customer's last account closes, and the rule that says so."""

    years: int
    source: str


_FINANCIAL = Retention(
    6,
    "Limitation Act 1980 s. 5 (claims on a contract: 6 years); HMRC VAT Notice 700/21 s. 1.3 and Companies Act "
    "2006 s. 388 (accounting records and VAT invoices: 6 years)",
)
RETENTION: dict[str, Retention] = {
    "accounts": _FINANCIAL,
    "billing": _FINANCIAL,
    "payments": _FINANCIAL,
    "documents.Document": _FINANCIAL,
    "documents.Delivery": _FINANCIAL,
    "contracts": _FINANCIAL,
    "metering": _FINANCIAL,
    "tariffs": _FINANCIAL,
    "prepayment": _FINANCIAL,
    "debt": _FINANCIAL,
    "meter_services": _FINANCIAL,
    "complaints": Retention(
        6, "Energy Ombudsman and court claims (Limitation Act 1980 s. 5); Ofgem's complaint record-keeping"
    ),
    "audit": Retention(6, "UK GDPR art. 5(2) accountability: the record of what was done, for the same 6 years"),
    "privacy.SubjectAccessRequest": Retention(6, "UK GDPR art. 5(2): the record that a request was answered"),
    "privacy.ErasureRequest": Retention(6, "UK GDPR art. 5(2): the record that a request was answered"),
    "care.Case": Retention(6, "the record of what the customer asked and was told (Limitation Act 1980 s. 5)"),
    "scheduling": Retention(6, "the record of what the daily jobs did, with the financial records they made"),
}
"""Models kept (anonymised) on erasure, by ``app_label.Model`` or by app; any other model naming the person —
logins' links, keys and delivery rules, the register (health data), pending e-mail changes — is deleted."""

REPLACEMENTS: dict[str, dict[str, str]] = {
    "payments.Mandate": {"holder_name": "ERASED"},
    "payments.Refund": {"payee_name": ERASED, "cheque_address": ""},
    "documents.Delivery": {"address": ERASED},
}
"""Columns of kept rows cleared whatever they hold: personal values not written as the customer's own details."""

CUSTOMER_FIELDS = ("contact_email", *(field for field in contact.DETAIL_FIELDS if field != "name"))
"""The customer's contact columns emptied on erasure (the name is replaced): a detail added later is erased too."""


def retention_of(model: type[models.Model]) -> Retention | None:
    label = records.label_of(model)
    return RETENTION.get(label) or RETENTION.get(model._meta.app_label)


class ErasureFailed(Exception):
    """Erasure stopped and changed nothing; the message says which rows stood in the way."""


def blockers(customer: Customer, *, today: date) -> list[str]:
    """Why the customer's data cannot be erased yet, in words the customer reads (none: it can)."""
    reasons = []
    supplied = Supply.objects.filter(account__customer=customer).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=today)
    )
    if supplied.exists() or Account.objects.filter(customer=customer, status=Account.Status.ACTIVE).exists():
        reasons.append("we still supply you: we need your details to supply and bill you until your accounts close")
    owing = [a.number for a in Account.objects.filter(customer=customer) if billing_queries.balance_of(a) > 0]
    if owing:
        reasons.append(f"account {', '.join(owing)} still owes money: we keep your details until it is paid")
    return reasons


def delayed() -> QuerySet[ErasureRequest]:
    """Erasures waiting for a supply to end or a debt to be paid, oldest first."""
    return (
        ErasureRequest.objects.filter(status=ErasureRequest.Status.DELAYED)
        .select_related("customer")
        .order_by("received_at", "id")
    )


def raise_erasure(*, customer: Customer, channel: Channel, raised_by: User, now: datetime) -> ErasureRequest:
    """Record the request and carry it out now if nothing stands in the way; else refuse or delay it with why."""
    if customer.kind != Customer.Kind.PERSON:
        status, reason = ErasureRequest.Status.REFUSED, "the right to erasure is a person's; this is an organisation"
    else:
        status, reason = ErasureRequest.Status.DELAYED, ""
    with transaction.atomic():
        existing = ErasureRequest.objects.filter(customer=customer, status=ErasureRequest.Status.DELAYED).first()
        if existing is not None:
            return existing
        request = ErasureRequest.objects.create(
            customer=customer,
            channel=channel,
            raised_by=raised_by,
            received_at=now,
            status=status,
            reason=reason,
            checked_at=now,
        )
        audit.record(
            actor=raised_by,
            action="privacy.erasure_requested",
            subject=f"Erasure request {request.pk}",
            customer=customer,
            after={"channel": channel, "status": status, "reason": reason},
            at=now,
        )
    if status == ErasureRequest.Status.DELAYED:
        try_erasure(request=request, now=now)
    return request


def try_erasure(*, request: ErasureRequest, now: datetime) -> ErasureRequest:
    """Carry out a delayed request if nothing stands in the way now, else record why it waits.

    :raises ErasureFailed: if a row the law lets us delete is still needed by a kept one (nothing is changed).
    """
    customer = request.customer
    reasons = blockers(customer, today=calendar.local_date(now))
    if reasons:
        reason = "We cannot erase your details yet: " + "; ".join(reasons) + "."
        changed = reason != request.reason
        request.reason, request.checked_at = reason[:500], now
        request.save(update_fields=["reason", "checked_at"])
        if changed:
            audit.record(
                actor=None,
                action="privacy.erasure_delayed",
                subject=f"Erasure request {request.pk}",
                customer=customer,
                after={"reason": request.reason},
                at=now,
            )
        return request
    with transaction.atomic():
        counts = _erase(customer, now)
        request.status, request.reason, request.checked_at, request.erased_at = (
            ErasureRequest.Status.DONE,
            "",
            now,
            now,
        )
        request.raised_by = None
        request.save(update_fields=["status", "reason", "checked_at", "erased_at", "raised_by"])
        audit.record(
            actor=None,
            action="privacy.erasure_done",
            subject=f"Erasure request {request.pk}",
            customer=customer,
            after=counts,
            at=now,
        )
    return request


def _personal_values(customer: Customer, logins: Iterable[User]) -> list[str]:
    values = [customer.name, *(getattr(customer, f) for f in CUSTOMER_FIELDS)]
    for login in logins:
        values += [login.email, login.full_name]
    # Longest first, so a full name is replaced before a part of it; short values would erase unrelated words.
    return sorted({v.strip() for v in values if v and len(v.strip()) >= 4}, key=len, reverse=True)


def _scrub(value: Any, personal: list[str]) -> Any:
    if isinstance(value, str):
        for word in personal:
            value = value.replace(word, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(v, personal) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, personal) for k, v in value.items()}
    return value


_TEXT = (models.CharField, models.TextField, models.JSONField)


def _anonymise_rows(model: type[models.Model], rows: Iterable[models.Model], personal: list[str]) -> int:
    fixed = REPLACEMENTS.get(records.label_of(model), {})
    fields = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, _TEXT) and not f.choices and not f.is_relation and not isinstance(f, models.FileField)
    ]
    count = 0
    for row in rows:
        changed = []
        for field in fields:
            old = getattr(row, field.attname)
            new = fixed[field.name] if field.name in fixed else _scrub(old, personal)
            if isinstance(new, str) and field.max_length:
                new = new[: field.max_length]
            if new != old:
                setattr(row, field.attname, new)
                changed.append(field.attname)
        if changed:
            row.save(update_fields=changed)
            count += 1
    return count


def _erase(customer: Customer, now: datetime) -> dict[str, int]:
    for ready in subject_access.requests_of(customer).filter(status=SubjectAccessRequest.Status.READY):
        subject_access.expire_export(request=ready, now=now)
    person = records.person_of(customer)
    logins = list(User.objects.filter(pk__in=person.login_ids))
    personal = _personal_values(customer, logins)
    counts: dict[str, int] = {}
    for model in records.models_naming_a_person():
        if model in records.ROOTS:
            continue
        rows = records.rows_of(model, person)
        label = records.label_of(model)
        if retention_of(model) is not None:
            counts[f"{label} anonymised"] = _anonymise_rows(model, rows, personal)
            continue
        try:
            deleted, _ = rows.delete()
        except ProtectedError as exc:
            raise ErasureFailed(f"{label}: rows are still needed by kept records ({exc.protected_objects})") from exc
        counts[f"{label} deleted"] = deleted
    for login in logins:
        login.email = f"erased-{login.pk}@erased.invalid"
        login.full_name = ""
        login.is_active = False
        login.security_question, login.security_answer_hash, login.security_answer_set_at = "", "", None
        login.set_unusable_password()
        login.save()
    customer.name = f"Erased customer {customer.pk}"
    for field in CUSTOMER_FIELDS:
        setattr(customer, field, "")
    customer.save()
    counts["identity.User anonymised"] = len(logins)
    return counts
