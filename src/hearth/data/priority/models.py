"""The Priority Services Register (T&C 20.4, 11.1.3; Ofgem SLC 26): who in a household needs extra help, and why.

A registration belongs to a customer (the household or person we supply) and lists industry needs codes
(``hearth.domain.priority.needs``). A change is a new registration and the old one ended, so what was known on a
day stays readable; the debt path asks what protections held on the day it acts.

Health details (free text) and the password for visits are kept sealed (``*_sealed``, ``hearth.common.sealed``):
never in clear at rest, read only by staff whose care role needs them, each read audited (ADR 0019).
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
    needs = models.JSONField(default=list, help_text="Industry needs codes, e.g. ['14', '22']")
    needs_until = models.JSONField(
        default=dict, help_text="The last day of each temporary need, e.g. {'33': '2027-02-28'}"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    consent_at = models.DateTimeField(help_text="When the customer agreed to be registered")
    share_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer agreed to their entry being shared with network operators"
    )
    consent_note = models.CharField(
        max_length=200, blank=True, help_text="How consent was given, e.g. 'on the phone to care, 7 Dec 2026'"
    )
    health_details_sealed = models.TextField(blank=True, help_text="Sealed free text about health; never shown whole")
    visit_password_sealed = models.TextField(blank=True, help_text="Sealed password a visitor must say")
    registered_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(ended_at__isnull=True), name="priority_one_open_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} on the register with {self.needs}"


class NetworkShareFile(models.Model):
    """One file of register changes sent to one network operator (a distributor), for one day (ADR 0019)."""

    distributor = models.CharField(max_length=8, help_text="Distributor id (MPAN's first two digits) or GAS")
    run_date = models.DateField()
    sequence = models.PositiveIntegerField(help_text="1, 2, 3… per distributor")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    row_count = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["distributor", "run_date"], name="priority_share_one_file_a_day"),
            models.UniqueConstraint(fields=["distributor", "sequence"], name="priority_share_sequence_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class NetworkShareLine(models.Model):
    """A registration as written in a share file: added, changed, or removed from the operator's register."""

    class Action(models.TextChoices):
        ADD = "ADD", "Added"
        UPDATE = "UPDATE", "Changed"
        REMOVE = "REMOVE", "Removed"

    share_file = models.ForeignKey(NetworkShareFile, on_delete=models.PROTECT, related_name="lines")
    distributor = models.CharField(max_length=8)
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="share_lines")
    supply_point_identifier = models.CharField(max_length=13)
    action = models.CharField(max_length=6, choices=Action.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "supply_point_identifier", "action"], name="priority_share_line_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.supply_point_identifier} in {self.share_file_id}"
