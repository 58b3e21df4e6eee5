"""Meter faults, accuracy tests, meter moves and the engineer visits they need (T&C 7.2-7.5, 11.1.1-11.1.3, 11.1.8).

Each request is a case tracked to an outcome; a charge it leads to is an ``AdditionalCharge`` raised through the
billing operations and linked here, so the case says why the customer was (or was not) charged. ADR 0020.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Account
from hearth.data.billing.models import AdditionalCharge
from hearth.data.documents.models import Document
from hearth.data.metering.models import Meter


class Channel(models.TextChoices):
    PORTAL = "PORTAL", "The customer, in the portal"
    CARE = "CARE", "Customer care"


class FaultReport(models.Model):
    """A problem with the metering equipment the customer told us of (7.3), until its outcome is recorded."""

    class Kind(models.TextChoices):
        DAMAGE = "DAMAGE", "Damaged"
        FAULT = "FAULT", "Not working properly"
        STOPPED = "STOPPED", "Stopped recording"
        DISPLAY_BLANK = "DISPLAY_BLANK", "Display blank"
        SUSPECTED_TAMPERING = "SUSPECTED_TAMPERING", "Suspected tampering"

    class Outcome(models.TextChoices):
        REPAIRED = "REPAIRED", "Repaired"
        REPLACED = "REPLACED", "Meter replaced"
        NO_FAULT_FOUND = "NO_FAULT_FOUND", "No fault found"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="meter_faults")
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="fault_reports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(max_length=1000)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    customer_responsible = models.BooleanField(null=True, help_text="7.5: found responsible for the damage")
    finding = models.TextField(max_length=1000, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    charge = models.OneToOneField(
        AdditionalCharge, on_delete=models.PROTECT, null=True, blank=True, related_name="meter_fault"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", resolved_at__isnull=True, customer_responsible__isnull=True)
                | (~Q(outcome="") & Q(resolved_at__isnull=False, customer_responsible__isnull=False)),
                name="meter_fault_resolved_whole",
            ),
            models.CheckConstraint(
                condition=Q(charge__isnull=True) | Q(customer_responsible=True),
                name="meter_fault_charged_only_if_responsible",
            ),
        ]

    def __str__(self) -> str:
        return f"fault {self.pk} on {self.meter_id}: {self.kind} {self.outcome or 'open'}"


class AccuracyTest(models.Model):
    """A meter accuracy test the customer asked for (11.1.1), its price stated and accepted before it was booked."""

    class Result(models.TextChoices):
        ACCURATE = "ACCURATE", "Within tolerance: charged"
        INACCURATE = "INACCURATE", "Outside tolerance: meter replaced, not charged"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="meter_accuracy_tests")
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="accuracy_tests")
    reason = models.TextField(max_length=1000, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    price = models.DecimalField(max_digits=8, decimal_places=2, help_text="Pounds excluding VAT, as stated")
    price_accepted_at = models.DateTimeField(help_text="When the customer confirmed, having seen the price")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    error_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    result = models.CharField(max_length=12, choices=Result.choices, blank=True)
    tested_date = models.DateField(null=True, blank=True)
    result_recorded_at = models.DateTimeField(null=True, blank=True)
    result_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    charge = models.OneToOneField(
        AdditionalCharge, on_delete=models.PROTECT, null=True, blank=True, related_name="meter_accuracy_test"
    )
    rebill_required = models.BooleanField(default=False, help_text="Inaccurate: past bills to be checked by care")
    rebill_done_at = models.DateTimeField(null=True, blank=True)
    rebill_note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="meter_test_price_positive"),
            models.CheckConstraint(
                condition=Q(result="", error_percent__isnull=True) | (~Q(result="") & Q(error_percent__isnull=False)),
                name="meter_test_result_with_error",
            ),
            models.CheckConstraint(
                condition=Q(charge__isnull=True) | Q(result="ACCURATE"), name="meter_test_charged_only_if_accurate"
            ),
            models.UniqueConstraint(fields=["meter"], condition=Q(result=""), name="meter_test_one_open_per_meter"),
        ]

    def __str__(self) -> str:
        return f"accuracy test {self.pk} of {self.meter_id}: {self.result or 'awaiting result'}"


class MeterMove(models.Model):
    """Moving a meter's position at the property (11.1.3): charged unless required because of a vulnerability."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="meter_moves")
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="moves")
    reason = models.TextField(max_length=1000)
    price = models.DecimalField(max_digits=8, decimal_places=2, help_text="Pounds excluding VAT, as quoted")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    for_vulnerability = models.BooleanField(
        help_text="On the Priority Services Register when asked: required due to a vulnerability, so not charged"
    )
    completed_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    charge = models.OneToOneField(
        AdditionalCharge, on_delete=models.PROTECT, null=True, blank=True, related_name="meter_move"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="meter_move_price_not_negative"),
            models.CheckConstraint(
                condition=Q(charge__isnull=True) | Q(for_vulnerability=False), name="meter_move_vulnerable_not_charged"
            ),
        ]

    def __str__(self) -> str:
        return f"meter move {self.pk} of {self.meter_id}"


class Appointment(models.Model):
    """An engineer's visit booked for a day and slot, and what became of it (11.1.8)."""

    class Purpose(models.TextChoices):
        INSTALLATION = "INSTALLATION", "Meter installation"
        REPAIR = "REPAIR", "Repair or replacement"
        ACCURACY_TEST = "ACCURACY_TEST", "Accuracy test"
        METER_MOVE = "METER_MOVE", "Moving the meter"

    class Slot(models.TextChoices):
        MORNING = "MORNING", "8am to 12 noon"
        AFTERNOON = "AFTERNOON", "12 noon to 5pm"

    class Status(models.TextChoices):
        BOOKED = "BOOKED", "Booked"
        CANCELLED = "CANCELLED", "Cancelled"
        REBOOKED = "REBOOKED", "Moved to another day"
        ATTENDED = "ATTENDED", "Visit done"
        CUSTOMER_ABSENT = "CUSTOMER_ABSENT", "Missed: no one at home"
        ENGINEER_ABSENT = "ENGINEER_ABSENT", "Missed: our engineer did not come"

    class CancelledBy(models.TextChoices):
        CUSTOMER = "CUSTOMER", "The customer"
        SUPPLIER = "SUPPLIER", "Us or our meter operator"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="engineer_appointments")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    fault = models.ForeignKey(FaultReport, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    accuracy_test = models.ForeignKey(
        AccuracyTest, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    meter_move = models.ForeignKey(MeterMove, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    visit_date = models.DateField()
    slot = models.CharField(max_length=10, choices=Slot.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    booked_at = models.DateTimeField()
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When cancelled, moved or its outcome recorded")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_by = models.CharField(max_length=8, choices=CancelledBy.choices, blank=True)
    notice_in_time = models.BooleanField(null=True, help_text="Cancelled by the customer with two working days' notice")
    rebooked_as = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rebooked_from"
    )
    reminder = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    charge = models.OneToOneField(
        AdditionalCharge, on_delete=models.PROTECT, null=True, blank=True, related_name="missed_appointment"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    purpose="INSTALLATION", fault__isnull=True, accuracy_test__isnull=True, meter_move__isnull=True
                )
                | (
                    Q(purpose="REPAIR", meter_move__isnull=True)
                    & (Q(fault__isnull=True) | Q(accuracy_test__isnull=True))
                )
                | Q(purpose="ACCURACY_TEST", accuracy_test__isnull=False, fault__isnull=True, meter_move__isnull=True)
                | Q(purpose="METER_MOVE", meter_move__isnull=False, fault__isnull=True, accuracy_test__isnull=True),
                name="appointment_case_matches_purpose",
            ),
            models.CheckConstraint(
                condition=Q(charge__isnull=True) | Q(status__in=["CANCELLED", "REBOOKED", "CUSTOMER_ABSENT"]),
                name="appointment_charged_only_when_customer_failed",
            ),
            models.UniqueConstraint(
                fields=["account", "visit_date", "slot"], condition=Q(status="BOOKED"), name="appointment_one_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} visit {self.pk} on {self.visit_date} {self.slot}: {self.status}"
