"""Customers, their properties and their gas and electricity accounts."""

from django.db import models


class Nation(models.TextChoices):
    ENGLAND = "ENGLAND", "England"
    SCOTLAND = "SCOTLAND", "Scotland"
    WALES = "WALES", "Wales"
    NORTHERN_IRELAND = "NORTHERN_IRELAND", "Northern Ireland"


class Fuel(models.TextChoices):
    ELECTRICITY = "ELECTRICITY", "Electricity"
    GAS = "GAS", "Gas"


class Customer(models.Model):
    """A person or an organisation that buys energy from the supplier."""

    class Kind(models.TextChoices):
        PERSON = "PERSON", "Person"
        ORGANISATION = "ORGANISATION", "Organisation"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    mobile_phone = models.CharField(max_length=32, blank=True)
    # Where letters go when not to the supply address (T&C 3.3: the customer keeps these up to date); empty: the
    # account's billing property.
    correspondence_line_1 = models.CharField(max_length=200, blank=True)
    correspondence_line_2 = models.CharField(max_length=200, blank=True)
    correspondence_town = models.CharField(max_length=100, blank=True)
    correspondence_postcode = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Property(models.Model):
    """A premises the supplier supplies; its nation decides bank holidays and some rules."""

    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    address_line_3 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, db_index=True)
    nation = models.CharField(max_length=16, choices=Nation.choices)

    class Meta:
        verbose_name_plural = "properties"

    def __str__(self) -> str:
        return f"{self.address_line_1}, {self.town} {self.postcode}"


class Account(models.Model):
    """A billing account for one fuel; a customer has one per fuel (and per property)."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        CLOSED = "CLOSED", "Closed"

    number = models.CharField(max_length=16, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts")
    fuel = models.CharField(max_length=16, choices=Fuel.choices)
    billing_property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="accounts")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    opened_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.number} ({self.get_fuel_display()})"


class SupplyPoint(models.Model):
    """A meter point: an MPAN core for electricity or an MPRN for gas, at a property.

    Which account is supplied through it, and when, lives in `Supply` so that moving house and
    switching add rows instead of rewriting this one.
    """

    fuel = models.CharField(max_length=16, choices=Fuel.choices)
    identifier = models.CharField(max_length=13, help_text="MPAN core (13 digits) or MPRN (6 to 11 digits)")
    profile_class = models.CharField(max_length=2, blank=True, help_text="Electricity only; empty under MHHS")
    supply_property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="supply_points")
    annual_consumption_kwh = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fuel", "identifier"], name="supply_point_identifier_unique"),
            models.CheckConstraint(
                condition=models.Q(fuel="GAS", profile_class="") | models.Q(fuel="ELECTRICITY"),
                name="supply_point_profile_class_electricity_only",
            ),
        ]

    def __str__(self) -> str:
        label = "MPAN" if self.fuel == Fuel.ELECTRICITY else "MPRN"
        return f"{label} {self.identifier}"


class Supply(models.Model):
    """An account supplied through a supply point over the half-open period [valid_from, valid_to)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="supplies")
    supply_point = models.ForeignKey(SupplyPoint, on_delete=models.PROTECT, related_name="supplies")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "supplies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="supply_period_not_empty",
            ),
            models.UniqueConstraint(
                fields=["supply_point"], condition=models.Q(valid_to__isnull=True), name="supply_point_one_open_supply"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} via {self.supply_point} from {self.valid_from}"
