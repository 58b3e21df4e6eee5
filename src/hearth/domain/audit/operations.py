"""Write audit events."""

from datetime import datetime
from typing import Any

from hearth.data.accounts.models import Customer
from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import User


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
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor else "system",
        action=action,
        subject=subject[:254],
        customer=customer,
        before=before or {},
        after=after or {},
        at=at,
    )
