"""Putting a household on the register, changing it, taking it off, and reading its sealed health details.

Consent comes first (UK GDPR art. 9: health data needs explicit consent): no registration without the customer's
agreement to be registered; sharing with network operators is a second, separate agreement. A change is a new
registration and the old one ended (the data app's docstring says why). Free-text health details and the password
for visits are sealed at rest with ``HEARTH_HEALTH_DETAILS_KEYS``; only staff whose care role needs them may read
them (:func:`may_read_health_details`), and every read is audited (who, when, which registration) — the text itself
never goes in an audit event or a log line.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction

from hearth.common import calendar, sealed
from hearth.data.accounts.models import Customer
from hearth.data.identity.models import User
from hearth.data.priority.models import Registration
from hearth.domain.audit import operations as audit
from hearth.domain.priority.needs import BY_CODE

HEALTH_DETAILS_MAX = 2000
VISIT_PASSWORD_MAX = 40
READERS = (User.CareRole.VULNERABILITY, User.CareRole.SUPERVISOR)
"""The care roles whose work needs health details: the vulnerability team, and supervisors who review it."""


class RegistrationRefused(Exception):
    """The registration cannot be made as asked; ``field`` names the form field at fault, the message says why."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class HealthDetailsWithheld(Exception):
    """This login's role does not allow reading health details."""


@dataclass(frozen=True)
class HealthDetails:
    """What the register keeps sealed about one registration, opened for a reader who may see it."""

    health_details: str
    visit_password: str


def may_read_health_details(user: User) -> bool:
    """Whether ``user`` may read health details: staff in a role that needs them (:data:`READERS`)."""
    return user.kind == User.Kind.STAFF and user.care_role in READERS


def _seal(text: str) -> str:
    return sealed.seal(text, keys=settings.HEARTH_HEALTH_DETAILS_KEYS) if text else ""


def _unseal(token: str) -> str:
    return sealed.unseal(token, keys=settings.HEARTH_HEALTH_DETAILS_KEYS) if token else ""


def _checked_needs(needs: Sequence[str], needs_until: Mapping[str, date], today: date) -> dict[str, str]:
    """The temporary needs' last days as ISO dates. :raises RegistrationRefused: on a code or date that is wrong."""
    if not needs:
        raise RegistrationRefused("Choose at least one need.", field="needs")
    unknown = [code for code in needs if code not in BY_CODE]
    if unknown:
        raise RegistrationRefused(f"Unknown needs code {', '.join(unknown)}.", field="needs")
    until: dict[str, str] = {}
    for code in needs:
        need = BY_CODE[code]
        last_day = needs_until.get(code)
        if need.temporary and last_day is None:
            raise RegistrationRefused(f"Give the last day of the temporary need “{need.name}”.", field="needs_until")
        if last_day is not None and not need.temporary:
            raise RegistrationRefused(f"“{need.name}” is not temporary: it has no last day.", field="needs_until")
        if last_day is not None:
            if last_day < today:
                raise RegistrationRefused(
                    f"The last day of “{need.name}” ({last_day:%-d %B %Y}) has already passed.", field="needs_until"
                )
            until[code] = last_day.isoformat()
    return until


def register(
    *,
    customer: Customer,
    needs: Sequence[str],
    needs_until: Mapping[str, date],
    consent: bool,
    share_consent: bool,
    consent_note: str,
    health_details: str | None,
    visit_password: str | None,
    source: Registration.Source,
    actor: User | None,
    now: datetime,
) -> Registration:
    """Put the household on the register, or change its entry (the open one ends, a new one starts).

    ``health_details`` and ``visit_password``: None keeps what the open registration has; text replaces it.

    :raises RegistrationRefused: a business; no consent; no need, an unknown code, a temporary need without its last
        day; health details or a password too long.
    """
    if customer.kind != Customer.Kind.PERSON:
        raise RegistrationRefused("The Priority Services Register is for households, not businesses.")
    if not consent:
        raise RegistrationRefused(
            "The customer must agree to be on the Priority Services Register before we register them.",
            field="consent",
        )
    codes = list(dict.fromkeys(needs))
    until = _checked_needs(codes, needs_until, calendar.local_date(now))
    if health_details is not None and len(health_details) > HEALTH_DETAILS_MAX:
        raise RegistrationRefused(f"Keep health details to {HEALTH_DETAILS_MAX} characters.", field="health_details")
    if visit_password is not None and len(visit_password) > VISIT_PASSWORD_MAX:
        raise RegistrationRefused(f"Keep the password to {VISIT_PASSWORD_MAX} characters.", field="visit_password")
    with transaction.atomic():
        previous = Registration.objects.select_for_update().filter(customer=customer, ended_at__isnull=True).first()
        if previous is not None:
            _end(previous, reason="Replaced by a new registration", actor=actor, now=now)
        registration = Registration.objects.create(
            customer=customer,
            needs=codes,
            needs_until=until,
            source=source,
            consent_at=now,
            share_consent_at=now if share_consent else None,
            consent_note=consent_note[:200],
            health_details_sealed=(
                _seal(health_details.strip())
                if health_details is not None
                else (previous.health_details_sealed if previous else "")
            ),
            visit_password_sealed=(
                _seal(visit_password.strip())
                if visit_password is not None
                else (previous.visit_password_sealed if previous else "")
            ),
            registered_at=now,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="priority.registered",
            subject=f"Priority Services registration {registration.pk}",
            at=now,
            customer=customer,
            before=_described(previous) if previous else {},
            after=_described(registration),
        )
    return registration


def _described(registration: Registration) -> dict[str, object]:
    """A registration as the audit trail keeps it: codes and consent, whether details are held — never the details."""
    return {
        "needs": list(registration.needs),
        "needs_until": dict(registration.needs_until),
        "source": registration.source,
        "shared_with_network_operators": registration.share_consent_at is not None,
        "health_details_held": bool(registration.health_details_sealed),
        "visit_password_held": bool(registration.visit_password_sealed),
    }


def _end(registration: Registration, *, reason: str, actor: User | None, now: datetime) -> None:
    registration.ended_at = now
    registration.end_reason = reason[:200]
    registration.save(update_fields=["ended_at", "end_reason"])
    audit.record(
        actor=actor,
        action="priority.ended",
        subject=f"Priority Services registration {registration.pk}",
        at=now,
        customer=registration.customer,
        before={"ended_at": None},
        after={"ended_at": now.isoformat(), "reason": registration.end_reason},
    )


def end_registration(*, customer: Customer, reason: str, actor: User | None, now: datetime) -> Registration:
    """Take the household off the register (they asked, or no longer need it); the next share file tells the
    network operators. :raises RegistrationRefused: if it is not on the register, or no reason is given."""
    if not reason.strip():
        raise RegistrationRefused("Say why the registration ends.", field="reason")
    with transaction.atomic():
        registration = Registration.objects.select_for_update().filter(customer=customer, ended_at__isnull=True).first()
        if registration is None:
            raise RegistrationRefused("This customer is not on the Priority Services Register.")
        _end(registration, reason=reason.strip(), actor=actor, now=now)
    return registration


def read_health_details(*, registration: Registration, reader: User, now: datetime) -> HealthDetails:
    """Open the registration's sealed health details and visit password for ``reader``, and audit the read.

    :raises HealthDetailsWithheld: if the reader's role does not need them (nothing is opened or recorded).
    """
    if not may_read_health_details(reader):
        raise HealthDetailsWithheld("Health details are shown only to the vulnerability team and supervisors.")
    audit.record(
        actor=reader,
        action="priority.health_details_read",
        subject=f"Priority Services registration {registration.pk}",
        at=now,
        customer=registration.customer,
        after={"read": ["health_details", "visit_password"], "care_role": reader.care_role},
    )
    return HealthDetails(
        health_details=_unseal(registration.health_details_sealed),
        visit_password=_unseal(registration.visit_password_sealed),
    )
