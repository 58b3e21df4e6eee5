"""Prepayment (T&C 9.5, 9.6, 10.1.1): the periods a supply point is paid by prepayment, the credit on its meter as
a ledger, and the debts recovered through the meter (ADR 0014).

The credit ledger mirrors the billing ledger's rule with the sign turned round, because a meter holds credit: a
positive entry adds credit (a top-up, emergency credit), a negative one takes it (energy, standing charge, debt
recovered). The balance is the sum. Amounts are pounds with VAT (what the customer paid and sees on the meter).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Account, SupplyPoint
from hearth.data.documents.models import Document
from hearth.data.metering.models import SmartMeterCommand


class Prepayment(models.Model):
    """A supply point paid by prepayment over ``[started_on, ended_on)``: how it began, and the recovery rate."""

    class Reason(models.TextChoices):
        CHOSEN = "CHOSEN", "Chosen by the customer"
        MOVED_IN = "MOVED_IN", "Moved into a home with a prepayment meter (9.6)"
        DEBT = "DEBT", "Debt (10.1.4)"
        WARRANT = "WARRANT", "Installed under warrant (10.1.5)"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="prepayments")
    supply_point = models.ForeignKey(SupplyPoint, on_delete=models.PROTECT, related_name="prepayments")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    notice = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="The notice given"
    )
    recovery_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="Share of each top-up taken towards debt (10.1.1)"
    )
    recovery_weekly_cap = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text="At most this much recovered in a week"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supply_point"], condition=Q(ended_on__isnull=True), name="prepayment_one_open_per_point"
            ),
            models.CheckConstraint(
                condition=Q(recovery_percent__gte=0, recovery_percent__lte=100), name="prepayment_recovery_percent"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
                name="prepayment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supply_point} on prepayment from {self.started_on}"


class CreditEntry(models.Model):
    """A movement of the credit on a prepayment meter: positive adds credit, negative takes it."""

    class Kind(models.TextChoices):
        TOP_UP = "TOP_UP", "Top-up"
        EMERGENCY_CREDIT = "EMERGENCY_CREDIT", "Emergency credit"
        EMERGENCY_CREDIT_REPAID = "EMERGENCY_CREDIT_REPAID", "Emergency credit repaid"
        ENERGY = "ENERGY", "Energy used"
        STANDING_CHARGE = "STANDING_CHARGE", "Standing charge"
        DEBT_RECOVERY = "DEBT_RECOVERY", "Towards debt"
        ADJUSTMENT = "ADJUSTMENT", "Adjustment"

    prepayment = models.ForeignKey(Prepayment, on_delete=models.PROTECT, related_name="credit_entries")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    posted_at = models.DateTimeField()
    reference = models.CharField(max_length=40, blank=True, help_text="A top-up's vend reference")
    description = models.CharField(max_length=200)
    charged_for = models.DateField(
        null=True, blank=True, help_text="The day a daily charge (energy, standing charge) is for: once a day each"
    )

    class Meta:
        indexes = [models.Index(fields=["prepayment", "posted_at"], name="credit_by_prepayment_and_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["prepayment", "kind", "charged_for"],
                condition=Q(charged_for__isnull=False),
                name="credit_daily_charge_once_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prepayment_id} {self.kind} {self.amount}"


class MeterDebt(models.Model):
    """A debt recovered through the meter from top-ups (10.1.1, 19.5, 19.6, 11.1.5): what it is for and how much.

    What is still owed is the debts' total less the ``DEBT_RECOVERY`` credit entries taken towards them.
    """

    class Kind(models.TextChoices):
        ARREARS = "ARREARS", "Arrears moved from the account"
        FALSE_GAS_EMERGENCY = "FALSE_GAS_EMERGENCY", "False gas emergency call-out (19.5)"
        EMERGENCY_CREDIT_BY_ENGINEER = "EMERGENCY_CREDIT_BY_ENGINEER", "Credit an engineer added (19.6)"
        REPLACEMENT_CARD_OR_KEY = "REPLACEMENT_CARD_OR_KEY", "Replacement card or key (11.1.5)"
        OTHER = "OTHER", "Other charge"

    prepayment = models.ForeignKey(Prepayment, on_delete=models.PROTECT, related_name="debts")
    kind = models.CharField(max_length=28, choices=Kind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    description = models.CharField(max_length=200)
    reason = models.CharField(max_length=300)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="meter_debt_positive")]

    def __str__(self) -> str:
        return f"{self.prepayment_id} {self.kind} {self.amount}"


class Vend(models.Model):
    """A top-up (a vend, 9.5.1): what was paid, by which channel, and how it was shared out on the meter.

    The customer keeps ``reference``; ``external_reference`` is the payment's own (Stripe's PaymentIntent, a PayPoint
    receipt), unique, so a payment told twice credits the meter once. The shares always add up to the payment:
    emergency credit repaid first, then debt recovered (10.1.1), the rest credited.
    """

    class Channel(models.TextChoices):
        CARD = "CARD", "Card in the portal"
        CARE = "CARE", "Paid by phone to customer care"
        PAYPOINT = "PAYPOINT", "PayPoint (reference at a shop)"

    prepayment = models.ForeignKey(Prepayment, on_delete=models.PROTECT, related_name="vends")
    reference = models.CharField(max_length=24, unique=True, help_text="Printed to the customer")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    emergency_repaid = models.DecimalField(max_digits=10, decimal_places=2)
    debt_recovered = models.DecimalField(max_digits=10, decimal_places=2)
    credited = models.DecimalField(max_digits=10, decimal_places=2)
    external_reference = models.CharField(max_length=255, blank=True)
    vended_at = models.DateTimeField()
    vended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    command = models.ForeignKey(
        SmartMeterCommand, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="ADD_CREDIT"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["external_reference"], condition=~Q(external_reference=""), name="vend_paid_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="vend_amount_positive"),
            models.CheckConstraint(
                condition=Q(emergency_repaid__gte=0, debt_recovered__gte=0, credited__gte=0),
                name="vend_shares_positive",
            ),
            models.CheckConstraint(
                condition=Q(amount=models.F("emergency_repaid") + models.F("debt_recovered") + models.F("credited")),
                name="vend_shares_add_up",
            ),
        ]
        indexes = [models.Index(fields=["prepayment", "vended_at"], name="vend_by_prepayment_and_time")]

    def __str__(self) -> str:
        return f"Vend {self.reference} £{self.amount} ({self.channel})"
