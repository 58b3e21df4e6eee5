"""The audit trail: every change of state a customer or regulator could ask about."""

from django.conf import settings
from django.db import models

from hearth.data.accounts.models import Customer


class AuditEvent(models.Model):
    """Who changed what, when, with the state before and after: what a customer or regulator may ask about."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_label = models.CharField(max_length=254, help_text="The actor as shown, kept if the user goes")
    action = models.CharField(max_length=64, db_index=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, related_name="audit_events")
    subject = models.CharField(max_length=254, help_text="What the action was done to")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.subject}"
