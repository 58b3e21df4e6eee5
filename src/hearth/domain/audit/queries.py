"""Read the audit trail."""

from django.db.models import QuerySet

from hearth.data.accounts.models import Customer
from hearth.data.audit.models import AuditEvent


def events_for_customer(*, customer: Customer) -> QuerySet[AuditEvent]:
    """A customer's audit trail, newest first."""
    return AuditEvent.objects.filter(customer=customer).order_by("-at", "-id")
