"""Write audit events."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hearth.data.accounts.models import Customer
from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import User


def event(
    *,
    actor: User | None,
    action: str,
    subject: str,
    at: datetime,
    customer_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """The event that `actor` (None: the system or the public) did `action` to `subject`, not yet written.

    :func:`record` writes one; :func:`record_all` writes many in a few statements, for work done in bulk (which
    knows its customers by id: loading each would cost more than the event).
    """
    return AuditEvent(
        actor=actor,
        actor_label=actor.email if actor else "system",
        action=action,
        subject=subject[:254],
        customer_id=customer_id,
        before=before or {},
        after=after or {},
        at=at,
    )


def record(
    *,
    actor: User | None,
    action: str,
    subject: str,
    at: datetime,
    customer: Customer | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` (None: the system or the public) did `action` to `subject`."""
    customer_id = None if customer is None else customer.pk
    done = event(
        actor=actor, action=action, subject=subject, at=at, customer_id=customer_id, before=before, after=after
    )
    done.save(force_insert=True)
    return done


def record_all(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Write events made by :func:`event`, many to a statement."""
    return AuditEvent.objects.bulk_create(events, batch_size=1000)
