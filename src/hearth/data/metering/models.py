"""Meters, their registers and the AMR devices fitted to them."""

from django.db import models

from hearth.data.accounts.models import SupplyPoint


class Meter(models.Model):
    """A physical meter on a supply point, installed (and later removed) at known times."""

    class Kind(models.TextChoices):
        CREDIT = "CREDIT", "Credit"
        PREPAYMENT = "PREPAYMENT", "Prepayment"
        SMART = "SMART", "Smart"
        AMR = "AMR", "AMR (automatic meter reading)"

    class GasUnits(models.TextChoices):
        METRIC = "METRIC", "Metric (cubic metres)"
        IMPERIAL = "IMPERIAL", "Imperial (hundreds of cubic feet)"

    supply_point = models.ForeignKey(SupplyPoint, on_delete=models.PROTECT, related_name="meters")
    serial_number = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    gas_units = models.CharField(max_length=8, choices=GasUnits.choices, blank=True)
    installed_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supply_point", "serial_number"], name="meter_serial_unique_per_point"),
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True) | models.Q(removed_at__gt=models.F("installed_at")),
                name="meter_removed_after_installed",
            ),
        ]

    def __str__(self) -> str:
        return f"meter {self.serial_number} ({self.get_kind_display()})"


class Register(models.Model):
    """A register of a meter: what a reading is a reading of (a single rate, day, night...)."""

    class Rate(models.TextChoices):
        STANDARD = "STANDARD", "Standard"
        DAY = "DAY", "Day"
        NIGHT = "NIGHT", "Night"
        OTHER = "OTHER", "Other time-of-use band"

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="registers")
    identifier = models.CharField(max_length=8, help_text="As the meter and industry flows name it: S, 01, DY, NT...")
    rate = models.CharField(max_length=8, choices=Rate.choices, default=Rate.STANDARD)
    is_settlement_register = models.BooleanField(default=True)
    digits = models.PositiveSmallIntegerField(default=5, help_text="Dial digits, for roll-over")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter", "identifier"], name="register_identifier_unique_per_meter"),
        ]

    def __str__(self) -> str:
        return f"register {self.identifier} of {self.meter}"


class AmrDevice(models.Model):
    """An automatic meter reading unit: counts a meter's pulses and reports them by SMS once a day."""

    class Unit(models.TextChoices):
        KWH = "KWH", "kWh"
        CUBIC_METRES = "M3", "m³"

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="amr_devices")
    serial_number = models.CharField(max_length=32, unique=True)
    sim_phone_number = models.CharField(max_length=20, help_text="E.164, e.g. +447700900123")
    pulse_weight = models.DecimalField(max_digits=10, decimal_places=5, help_text="Units per pulse")
    unit = models.CharField(max_length=4, choices=Unit.choices)
    installed_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pulse_weight__gt=0), name="amr_pulse_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"AMR {self.serial_number} on {self.meter}"


class ReadingSource(models.TextChoices):
    """Where a reading or an interval came from."""

    AMR = "AMR", "AMR device"
    SMART = "SMART", "Smart meter"
    CUSTOMER = "CUSTOMER", "Customer"
    INDUSTRY = "INDUSTRY", "Industry flow"
    CARE = "CARE", "Care agent"
    ESTIMATED = "ESTIMATED", "Estimated"


class RegisterReading(models.Model):
    """A cumulative reading of one register, with where it came from and when it was read and received."""

    class Kind(models.TextChoices):
        ACTUAL = "ACTUAL", "Actual"
        CUSTOMER = "CUSTOMER", "Customer reading"
        ESTIMATED = "ESTIMATED", "Estimated"
        OPENING = "OPENING", "Opening (start of supply or new meter)"
        FINAL = "FINAL", "Final (end of supply or meter removed)"
        DEEMED = "DEEMED", "Deemed"

    class Status(models.TextChoices):
        ACCEPTED = "ACCEPTED", "Accepted"
        FOR_REVIEW = "FOR_REVIEW", "Waiting for care staff"
        REJECTED = "REJECTED", "Rejected"

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="readings")
    read_at = models.DateTimeField()
    value = models.DecimalField(max_digits=14, decimal_places=3)
    source = models.CharField(max_length=10, choices=ReadingSource.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    received_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True, help_text="Why it is flagged or held, in plain words")
    reference = models.CharField(max_length=100, blank=True, help_text="Flow file and line, message id...")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["register", "read_at", "source"], name="register_reading_unique_per_source_and_time"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="register_reading_not_negative"),
        ]
        indexes = [models.Index(fields=["register", "read_at"], name="register_reading_by_time")]

    def __str__(self) -> str:
        return f"{self.register} = {self.value} at {self.read_at:%Y-%m-%d %H:%M} ({self.get_kind_display()})"


class IntervalConsumption(models.Model):
    """Energy used by one meter in one interval (half-hourly or finer), in the meter's own unit and in kWh.

    Keyed on (meter, interval_start) with no surrogate id: at national scale this is the largest table,
    written in bulk and read by meter and time range (ADR 0009).
    """

    class Quality(models.TextChoices):
        ACTUAL = "ACTUAL", "Actual"
        ESTIMATED = "ESTIMATED", "Estimated"
        MISSING = "MISSING", "Missing"

    pk = models.CompositePrimaryKey("meter_id", "interval_start")
    # No index of its own: the primary key starts with the meter and serves every look-up by meter (ADR 0009).
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="+", db_index=False)
    interval_start = models.DateTimeField()
    interval_minutes = models.PositiveSmallIntegerField(default=30)
    quantity = models.DecimalField(max_digits=12, decimal_places=4, help_text="In the meter's own unit")
    unit = models.CharField(max_length=4, choices=AmrDevice.Unit.choices)
    kwh = models.DecimalField(max_digits=12, decimal_places=4)
    quality = models.CharField(max_length=10, choices=Quality.choices)
    source = models.CharField(max_length=10, choices=ReadingSource.choices)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_minutes__in=[15, 30, 60]), name="interval_minutes_supported"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.interval_start:%Y-%m-%d %H:%M} {self.quantity} {self.unit}"


class DailyConsumption(models.Model):
    """Energy used by one meter on one local (Europe/London) day: what households without consent keep."""

    pk = models.CompositePrimaryKey("meter_id", "day_date")
    # No index of its own: the primary key starts with the meter (ADR 0009).
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="+", db_index=False)
    day_date = models.DateField()
    quantity = models.DecimalField(max_digits=12, decimal_places=4)
    unit = models.CharField(max_length=4, choices=AmrDevice.Unit.choices)
    kwh = models.DecimalField(max_digits=12, decimal_places=4)
    quality = models.CharField(max_length=10, choices=IntervalConsumption.Quality.choices)
    source = models.CharField(max_length=10, choices=ReadingSource.choices)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.meter_id} {self.day_date} {self.quantity} {self.unit}"


class InboundSms(models.Model):
    """Every SMS that reached the gateway webhook, kept whatever happened to it (nothing is lost)."""

    class Status(models.TextChoices):
        ACCEPTED = "ACCEPTED", "Accepted"
        FLAGGED = "FLAGGED", "Accepted with a data-quality flag"
        DUPLICATE = "DUPLICATE", "Duplicate of a day already stored"
        QUARANTINED = "QUARANTINED", "Quarantined"

    message_sid = models.CharField(max_length=64, unique=True)
    from_number = models.CharField(max_length=32)
    to_number = models.CharField(max_length=32, blank=True)
    body = models.TextField(help_text="As received; a character no text column holds (NUL) written as its escape")
    raw_body = models.BinaryField(
        null=True, blank=True, help_text="The body's bytes, kept when it had a character the text column refuses"
    )
    received_at = models.DateTimeField()
    device = models.ForeignKey(AmrDevice, on_delete=models.PROTECT, null=True, blank=True, related_name="messages")
    day_date = models.DateField(null=True, blank=True, help_text="The local day the message reports")
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=300, blank=True)
    processed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "day_date"],
                condition=models.Q(status__in=["ACCEPTED", "FLAGGED"]),
                name="inbound_sms_one_accepted_day_per_device",
            ),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_sms_by_status")]

    def __str__(self) -> str:
        return f"SMS {self.message_sid} from {self.from_number} ({self.get_status_display()})"


class HalfHourlyConsent(models.Model):
    """A household's choice about half-hourly smart data (T&C 7.7): each change is a new row, never an edit."""

    supply_point = models.ForeignKey(SupplyPoint, on_delete=models.PROTECT, related_name="half_hourly_consents")
    granted = models.BooleanField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        "identity.User", on_delete=models.PROTECT, null=True, related_name="+", help_text="Login or care agent"
    )

    class Meta:
        indexes = [models.Index(fields=["supply_point", "recorded_at"], name="consent_by_time")]

    def __str__(self) -> str:
        return (
            f"{self.supply_point} half-hourly {'granted' if self.granted else 'withdrawn'} {self.recorded_at:%Y-%m-%d}"
        )


class FlowFile(models.Model):
    """An imported industry flow or interval file, by content hash, so importing it again changes nothing."""

    class Kind(models.TextChoices):
        D0010 = "D0010", "D0010 meter readings"
        INTERVALS = "INTERVALS", "Interval consumption CSV"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    flow_reference = models.CharField(max_length=64, blank=True, help_text="The file id in the flow's header")
    imported_at = models.DateTimeField()
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "sha256"], name="flow_file_imported_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class RejectedFlowLine(models.Model):
    """A line of a flow file that could not be accepted: kept with its reason for care staff to fix and replay."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Waiting for care staff"
        REPLAYED = "REPLAYED", "Replayed"
        DISMISSED = "DISMISSED", "Dismissed"

    flow_file = models.ForeignKey(FlowFile, on_delete=models.CASCADE, related_name="rejected_lines")
    line_number = models.PositiveIntegerField()
    content = models.TextField(help_text="The line, and the group lines it belongs to")
    raw = models.BinaryField(
        null=True, blank=True, help_text="The lines' bytes, kept when they had a character the text column refuses"
    )
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    def __str__(self) -> str:
        return f"{self.flow_file} line {self.line_number}: {self.reason}"


class SmartMeterCommand(models.Model):
    """An instruction to a smart meter, kept whatever became of it (ADR 0014).

    The debt path, prepayment and care ask for a command with the first day it may be sent (``not_before``: the end
    of the notice the T&C require, 7.6.2 and 10.2); the daily job sends it through the ``SmartMeter`` interface on
    or after that day. Nothing reaches a meter except through this table.
    """

    class Kind(models.TextChoices):
        SWITCH_TO_PREPAYMENT = "SWITCH_TO_PREPAYMENT", "Switch to prepayment mode"
        SWITCH_TO_CREDIT = "SWITCH_TO_CREDIT", "Switch to credit mode"
        ADD_CREDIT = "ADD_CREDIT", "Add credit to the meter"
        SET_DEBT_RECOVERY = "SET_DEBT_RECOVERY", "Set the debt recovered from top-ups"
        SUSPEND_SUPPLY = "SUSPEND_SUPPLY", "Suspend supply"
        RESTORE_SUPPLY = "RESTORE_SUPPLY", "Restore supply"

    class Status(models.TextChoices):
        WAITING = "WAITING", "Waiting for its day"
        SENT = "SENT", "Sent to the meter"
        CONFIRMED = "CONFIRMED", "Confirmed by the meter"
        FAILED = "FAILED", "Failed"
        WITHDRAWN = "WITHDRAWN", "Withdrawn before it was sent"

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="commands")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    payload = models.JSONField(default=dict, help_text="e.g. the credit in pounds, the recovery rate")
    reason = models.CharField(max_length=300)
    not_before = models.DateField(help_text="First day it may be sent: the notice the customer was given ends")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        "identity.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="Empty: a job"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=64, blank=True, help_text="The adapter's reference for the command")
    outcome = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "not_before"], name="smart_command_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.meter_id} ({self.get_status_display()})"
