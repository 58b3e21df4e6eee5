"""The Priority Services Register (T&C 20.4, 11.1.3; Ofgem SLC 26): who in a household needs extra help, and why.

A registration belongs to a customer (the household or person we supply) and lists industry needs codes
(``hearth.domain.priority.needs``). A change is a new registration and the old one ended, so what was known on a
day stays readable; the debt path asks what protections held on the day it acts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Customer


class Registration(models.Model):
    """One household's entry on the register, from ``registered_at`` until ``ended_at``."""

    class Source(models.TextChoices):
        PORTAL = "PORTAL", "The customer, in the portal"
        CARE = "CARE", "Customer care"
        NETWORK = "NETWORK", "The network operator's data share"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="priority_registrations")
    needs = models.JSONField(default=list, help_text="Industry needs codes, e.g. ['07', '14']")
    source = models.CharField(max_length=8, choices=Source.choices)
    consent_at = models.DateTimeField(help_text="When the customer agreed to be registered and the data shared")
    registered_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(ended_at__isnull=True), name="priority_one_open_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} on the register with {self.needs}"
