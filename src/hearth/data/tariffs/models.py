"""Products (price plans), tariffs per fuel and region, their effective-dated rates, and agreements.

Prices are stored in pence **excluding VAT**, to 4 decimal places; the VAT-inclusive figure is derived at the edge
(``hearth.domain.tariffs.queries.inc_vat``). Rates are never overwritten: a price change is a new row from a date,
and the previous row's ``valid_to`` is set to that moment — the only update a rate row ever gets, made by
``hearth.domain.tariffs.operations.schedule_price_change``. Periods are half-open, ``[valid_from, valid_to)``.

Regions are one letter, ``A`` to ``P``: for electricity the GSP group (``_A`` Eastern England ... ``_P`` North
Scotland, as Octopus keys them); for gas the same letters name the matching distribution zone, as suppliers' public
price lists do. A tariff's code follows Octopus: ``E-1R-<PRODUCT>-<REGION>`` (single-rate electricity),
``E-2R-...`` (two-rate, Economy 7), ``G-1R-...`` (gas).
"""

from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Fuel, SupplyPoint

REGIONS = tuple("ABCDEFGHJKLMNP")  # the GSP groups: there is no I or O


class PaymentMethod(models.TextChoices):
    """How the customer pays (T&C 9.1)."""

    DIRECT_DEBIT = "DIRECT_DEBIT", "Monthly Direct Debit"
    ANNUAL_DIRECT_DEBIT = "ANNUAL_DIRECT_DEBIT", "Annual Direct Debit"
    STANDARD_CREDIT = "STANDARD_CREDIT", "Pay on receipt of bill"
    PREPAYMENT = "PREPAYMENT", "Prepayment"


class MeterKind(models.TextChoices):
    """The kinds of meter a product may be restricted to (T&C 9.2)."""

    CREDIT = "CREDIT", "Credit"
    PREPAYMENT = "PREPAYMENT", "Prepayment"
    SMART = "SMART", "Smart"
    AMR = "AMR", "AMR"


class Product(models.Model):
    """A price plan: fixed (a term or an end date, no increases during it, an exit fee per fuel) or variable."""

    class Kind(models.TextChoices):
        FIXED = "FIXED", "Fixed"
        VARIABLE = "VARIABLE", "Variable"

    code = models.CharField(max_length=64, unique=True, help_text="e.g. HEARTH-FIX-12M-26-11")
    full_name = models.CharField(max_length=200)
    display_name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=40, default="HEARTH")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    is_standard_variable = models.BooleanField(
        default=False,
        help_text="The Standard Variable Tariff for its meter kinds (T&C 4.7); deemed contracts start on it",
    )
    term_months = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Fixed products: months")
    fixed_until_date = models.DateField(null=True, blank=True, help_text="Fixed products: prices fixed until this day")
    payment_methods = models.JSONField(default=list, help_text="PaymentMethod codes the product allows (T&C 9.2)")
    meter_kinds = models.JSONField(default=list, help_text="MeterKind codes the product allows")
    exit_fee_electricity = models.DecimalField(max_digits=8, decimal_places=2, default=0, help_text="Pounds")
    exit_fee_gas = models.DecimalField(max_digits=8, decimal_places=2, default=0, help_text="Pounds")
    missed_payment_fee = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text="Pounds excluding VAT for each missed Direct Debit (10.1.2)",
    )
    available_from = models.DateTimeField()
    available_to = models.DateTimeField(null=True, blank=True)
    is_business = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="FIXED", term_months__isnull=False)
                | Q(kind="FIXED", fixed_until_date__isnull=False)
                | Q(
                    kind="VARIABLE",
                    term_months__isnull=True,
                    fixed_until_date__isnull=True,
                    exit_fee_electricity=0,
                    exit_fee_gas=0,
                ),
                name="product_fixed_has_a_term_variable_has_no_term_or_exit_fee",
            ),
            models.CheckConstraint(
                condition=Q(is_standard_variable=False) | Q(kind="VARIABLE"),
                name="product_standard_variable_is_variable",
            ),
            models.CheckConstraint(
                condition=Q(exit_fee_electricity__gte=0, exit_fee_gas__gte=0), name="product_exit_fees_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(available_to__isnull=True) | Q(available_to__gt=models.F("available_from")),
                name="product_available_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Tariff(models.Model):
    """A product's prices for one fuel, region, rate structure and payment method."""

    class Structure(models.TextChoices):
        SINGLE_RATE = "SINGLE_RATE", "Single rate"
        TWO_RATE = "TWO_RATE", "Two rate (Economy 7)"
        TIME_OF_USE = "TIME_OF_USE", "Time of use"
        HALF_HOURLY = "HALF_HOURLY", "Half-hourly (dynamic)"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="tariffs")
    fuel = models.CharField(max_length=16, choices=Fuel.choices)
    region = models.CharField(max_length=1, help_text="GSP group letter A to P (see the module docstring)")
    code = models.CharField(max_length=80, unique=True, help_text="e.g. E-1R-HEARTH-FIX-12M-26-11-A")
    structure = models.CharField(max_length=12, choices=Structure.choices)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    night_starts_at = models.TimeField(null=True, blank=True, help_text="Economy 7: local (Europe/London) time")
    night_ends_at = models.TimeField(null=True, blank=True, help_text="Economy 7: local (Europe/London) time")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(region__in=REGIONS), name="tariff_region_is_a_gsp_group"),
            models.CheckConstraint(
                condition=Q(fuel="ELECTRICITY") | Q(structure="SINGLE_RATE"), name="tariff_gas_is_single_rate"
            ),
            models.CheckConstraint(
                condition=Q(structure="TWO_RATE", night_starts_at__isnull=False, night_ends_at__isnull=False)
                | (~Q(structure="TWO_RATE") & Q(night_starts_at__isnull=True, night_ends_at__isnull=True)),
                name="tariff_night_window_for_two_rate_only",
            ),
            models.UniqueConstraint(
                fields=["product", "fuel", "region", "structure", "payment_method"], name="tariff_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.code


def _period_constraints(prefix: str, open_fields: list[str]) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
            name=f"{prefix}_valid_to_after_from",
        ),
        models.UniqueConstraint(fields=open_fields, condition=Q(valid_to__isnull=True), name=f"{prefix}_one_open_row"),
        models.UniqueConstraint(fields=[*open_fields, "valid_from"], name=f"{prefix}_one_row_per_start"),
    ]


class StandingCharge(models.Model):
    """A daily standing charge in pence per day excluding VAT, over ``[valid_from, valid_to)``."""

    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="standing_charges")
    value_exc_vat = models.DecimalField(max_digits=10, decimal_places=4, help_text="Pence per day, excluding VAT")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = _period_constraints("standing_charge", ["tariff"])

    def __str__(self) -> str:
        return f"{self.tariff_id} {self.value_exc_vat}p/day from {self.valid_from}"


class UnitRate(models.Model):
    """A unit rate in pence per kWh excluding VAT for one band, over ``[valid_from, valid_to)``.

    ``band`` is STANDARD (single rate), DAY or NIGHT (Economy 7, the window on the tariff), or a band name for a
    time-of-use tariff, whose local times are ``band_starts_at`` and ``band_ends_at``.
    """

    STANDARD, DAY, NIGHT = "STANDARD", "DAY", "NIGHT"

    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="unit_rates")
    band = models.CharField(max_length=32)
    band_starts_at = models.TimeField(null=True, blank=True, help_text="Time-of-use bands: local time")
    band_ends_at = models.TimeField(null=True, blank=True, help_text="Time-of-use bands: local time")
    value_exc_vat = models.DecimalField(max_digits=10, decimal_places=4, help_text="Pence per kWh, excluding VAT")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = _period_constraints("unit_rate", ["tariff", "band"])

    def __str__(self) -> str:
        return f"{self.tariff_id} {self.band} {self.value_exc_vat}p/kWh from {self.valid_from}"


class HalfHourlyPrice(models.Model):
    """A dynamic tariff's unit rate for one half-hour, in pence per kWh excluding VAT."""

    pk = models.CompositePrimaryKey("tariff_id", "interval_start")
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="+", db_index=False)
    interval_start = models.DateTimeField()
    value_exc_vat = models.DecimalField(max_digits=10, decimal_places=4, help_text="Pence per kWh, excluding VAT")

    def __str__(self) -> str:
        return f"{self.tariff_id} {self.interval_start} {self.value_exc_vat}p/kWh"


class Agreement(models.Model):
    """A supply point on a tariff over the half-open period ``[valid_from, valid_to)``.

    Agreements of one supply point must not overlap. That is checked by ``place_on_tariff`` in the domain, not by
    a database exclusion constraint: SQLite (the test and small-installation database) has no exclusion
    constraints, and the rule must hold the same way on both databases.
    """

    supply_point = models.ForeignKey(SupplyPoint, on_delete=models.PROTECT, related_name="agreements")
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="agreements")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="agreement_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supply_point_id} on {self.tariff_id} from {self.valid_from}"
