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
