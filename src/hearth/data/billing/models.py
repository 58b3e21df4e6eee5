"""Bills and their lines, the consumption they charge, the account ledger, additional charges and bill runs.

A bill is written whole in one transaction (bill, lines, consumption rows, ledger entry) and never edited: a
mistake is put right by cancelling it (a credit note reverses it in the ledger) and issuing a new one. The database
holds the rules a crash must not break: one live bill per account and period, one ledger posting per bill and kind.
Amounts are pounds (2 dp) except rates, which keep their precision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Account, SupplyPoint
from hearth.data.documents.models import Document
from hearth.data.metering.models import Register, RegisterReading


class BillingArrangement(models.Model):
    """How often an account is billed and how long it has to pay; an account without one is billed monthly."""

    class Frequency(models.TextChoices):
        MONTHLY = "MONTHLY", "Monthly"
        QUARTERLY = "QUARTERLY", "Quarterly"

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="billing_arrangement")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    payment_terms_days = models.PositiveSmallIntegerField(default=14, help_text="Days from issue to the due date")

    def __str__(self) -> str:
        return f"{self.account_id} billed {self.frequency}"


class BillRun(models.Model):
    """One run of ``hearth bill_run``: what it was asked to do and how far it got."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING", "Running"
        FINISHED = "FINISHED", "Finished"

    as_of_date = models.DateField(help_text="Bill every period that ended on or before this day")
    account_number = models.CharField(max_length=16, blank=True, help_text="Only this account, when given")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts_total = models.PositiveIntegerField(default=0, help_text="Accounts the run set out to consider")
    started_by = models.CharField(max_length=150, blank=True, help_text="Who or what started it")

    def __str__(self) -> str:
        return f"Bill run {self.pk} as of {self.as_of_date}"


class Bill(models.Model):
    """An invoice for one account and one bill period ``[period_start_date, period_end_date)``.

    ``total`` is the sum of the bill's lines (charges and VAT); the balance fields are the ledger as it stood when
    the bill was issued (T&C 9.4.2), printed on the invoice.
    """

    class Status(models.TextChoices):
        ISSUED = "ISSUED", "Issued"
        CANCELLED = "CANCELLED", "Cancelled"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="bills")
    reference = models.CharField(max_length=40, unique=True)
    period_start_date = models.DateField()
    period_end_date = models.DateField(help_text="Exclusive")
    issued_at = models.DateTimeField()
    issue_date = models.DateField(help_text="Local (Europe/London) day of issue")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    is_estimated = models.BooleanField(default=False, help_text="Any reading used was estimated")
    is_final = models.BooleanField(default=False, help_text="The supply ended inside the period")
    total = models.DecimalField(max_digits=12, decimal_places=2, help_text="This bill's charges including VAT")
    previous_balance = models.DecimalField(max_digits=12, decimal_places=2)
    payments_and_credits = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Posted since the previous bill, as a negative amount"
    )
    balance_carried_forward = models.DecimalField(max_digits=12, decimal_places=2)
    run = models.ForeignKey(BillRun, on_delete=models.PROTECT, null=True, blank=True, related_name="bills")
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", help_text="Rebill of"
    )
    document = models.OneToOneField(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="bill")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    credit_note = models.OneToOneField(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="cancelled_bill"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period_start_date"],
                condition=Q(status="ISSUED"),
                name="bill_one_live_bill_per_account_and_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end_date__gt=models.F("period_start_date")), name="bill_period_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status="ISSUED", cancelled_at__isnull=True)
                | Q(status="CANCELLED", cancelled_at__isnull=False),
                name="bill_cancelled_has_a_time",
            ),
        ]
        indexes = [models.Index(fields=["account", "period_end_date"], name="bill_by_account_and_end")]

    def __str__(self) -> str:
        return f"{self.reference} {self.account_id} {self.period_start_date} to {self.period_end_date}"


class BillConsumption(models.Model):
    """The readings a bill used for one register and the energy between them (with the gas conversion steps).

    Printed on the invoice as the readings table; the energy lines cite these rows. For half-hourly billing the
    readings are absent and ``kwh`` is the sum of the intervals.
    """

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="consumption")
    supply_point = models.ForeignKey(SupplyPoint, on_delete=models.PROTECT, related_name="+")
    register = models.ForeignKey(Register, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    meter_serial_number = models.CharField(max_length=32)
    band = models.CharField(max_length=32, help_text="STANDARD, DAY, NIGHT, a time-of-use band or HALF_HOURLY")
    start_reading = models.ForeignKey(
        RegisterReading, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reading = models.ForeignKey(RegisterReading, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    start_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    end_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    start_kind = models.CharField(max_length=10, blank=True, help_text="RegisterReading.Kind of the start")
    end_kind = models.CharField(max_length=10, blank=True, help_text="RegisterReading.Kind of the end")
    units = models.DecimalField(max_digits=14, decimal_places=3, help_text="Advance in the meter's own unit")
    unit = models.CharField(max_length=4, help_text="kWh, m3 or hcf")
    volume_m3 = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    correction_factor = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    calorific_value = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    kwh = models.DecimalField(max_digits=14, decimal_places=3)
    position = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.bill_id} {self.meter_serial_number} {self.band} {self.kwh} kWh"


class BillLine(models.Model):
    """One printed line: ``quantity`` ``unit`` x ``rate`` = ``amount``; ``sources`` says where each number came from.

    ``sources`` holds ids and figures, e.g. ``{"consumption": [12], "unit_rate": 7, "days": 30}``, so a disputed
    figure can be traced to the reading and the rate row behind it.
    """

    class Kind(models.TextChoices):
        ENERGY = "ENERGY", "Energy"
        STANDING = "STANDING", "Standing charge"
        LEVY = "LEVY", "Levy"
        ADDITIONAL = "ADDITIONAL", "Additional charge"
        INTEREST = "INTEREST", "Late-payment interest"
        VAT = "VAT", "VAT"

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    supply_point = models.ForeignKey(SupplyPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    unit = models.CharField(max_length=10)
    rate = models.DecimalField(max_digits=16, decimal_places=8, help_text="Pounds per unit")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    sources = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bill", "position"], name="bill_line_position_unique")]

    def __str__(self) -> str:
        return f"{self.bill_id}#{self.position} {self.description} {self.amount}"


class LedgerEntry(models.Model):
    """A movement on the account's balance: positive adds to what the customer owes, negative reduces it.

    The running balance is the sum of entries in (``posted_at``, ``id``) order. A bill posts one CHARGE (negative for
    a bill that comes to a credit) and, if cancelled, one CREDIT_NOTE reversing it; the constraint makes a second
    posting of either impossible.
    """

    class Kind(models.TextChoices):
        CHARGE = "CHARGE", "Bill"
        CREDIT_NOTE = "CREDIT_NOTE", "Credit note (bill cancelled)"
        PAYMENT = "PAYMENT", "Payment"
        CREDIT = "CREDIT", "Credit"
        REFUND = "REFUND", "Refund"
        PAYMENT_REVERSAL = "PAYMENT_REVERSAL", "Payment returned unpaid"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    posted_at = models.DateTimeField()
    description = models.CharField(max_length=200)
    reason = models.CharField(max_length=300, blank=True, help_text="Why a credit or payment was recorded by hand")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_reference = models.CharField(max_length=64, blank=True, help_text="A payment's bank or card reference")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bill", "kind"], condition=Q(bill__isnull=False), name="ledger_one_posting_per_bill_and_kind"
            ),
            models.CheckConstraint(
                # A bill's charge is negative when it trues up an over-estimate; its credit note reverses it.
                condition=Q(kind__in=["CHARGE", "CREDIT_NOTE"])
                | Q(kind__in=["REFUND", "PAYMENT_REVERSAL"], amount__gte=0)
                | Q(kind__in=["PAYMENT", "CREDIT"], amount__lte=0),
                name="ledger_amount_sign_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["account", "posted_at"], name="ledger_by_account_and_time")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.amount} at {self.posted_at:%Y-%m-%d %H:%M}"


class AdditionalCharge(models.Model):
    """A charge under T&C 11 (or late-payment interest, T&C 10.1.8) raised by care staff, billed on the next bill."""

    class Kind(models.TextChoices):
        METER_ACCURACY_TEST = "METER_ACCURACY_TEST", "Meter accuracy test (meter proved accurate)"
        METER_REPAIR = "METER_REPAIR", "Meter repair or replacement"
        METER_MOVE = "METER_MOVE", "Moving a meter"
        DISCONNECTION = "DISCONNECTION", "Disconnection"
        RECONNECTION = "RECONNECTION", "Reconnection"
        REPLACEMENT_CARD_OR_KEY = "REPLACEMENT_CARD_OR_KEY", "Replacement prepayment card or key"
        REGULATORY = "REGULATORY", "Regulatory charge passed through"
        MISSED_APPOINTMENT = "MISSED_APPOINTMENT", "Missed appointment"
        FALSE_GAS_EMERGENCY = "FALSE_GAS_EMERGENCY", "False gas emergency report"
        LATE_PAYMENT_INTEREST = "LATE_PAYMENT_INTEREST", "Late-payment interest"
        MISSED_PAYMENT_FEE = "MISSED_PAYMENT_FEE", "Missed Direct Debit payment fee"
        BANK_CHARGES = "BANK_CHARGES", "Bank charges for a failed payment"
        EXIT_FEE = "EXIT_FEE", "Exit fee for leaving a fixed contract early (T&C 14.4)"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="additional_charges")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="Pounds excluding VAT")
    incurred_date = models.DateField(help_text="The day of the visit, test or event")
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when a daily job raised it (interest, missed-payment fees)",
    )
    reason = models.CharField(max_length=300)
    details = models.JSONField(default=dict, help_text="e.g. interest: principal, days, base rate, annual rate")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="additional_charges")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="additional_charge_positive")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.amount}"


class BaseRate(models.Model):
    """The Bank of England base rate from a day (configuration with effective dates, for T&C 10.1.8 interest)."""

    effective_date = models.DateField(unique=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.percent}% from {self.effective_date}"


class BillingObstruction(models.Model):
    """Care staff's record that the customer obstructed billing, lifting the 12-month back-billing limit.

    Covers energy used in ``[from_date, to_date)`` (Ofgem SLC 21BA: e.g. refused access to read the meter).
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="billing_obstructions")
    from_date = models.DateField()
    to_date = models.DateField()
    reason = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(to_date__gt=models.F("from_date")), name="obstruction_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} obstructed {self.from_date} to {self.to_date}"


class BillRunItem(models.Model):
    """What a run did with one account and period: billed, skipped with a reason, or failed with the reason."""

    class Outcome(models.TextChoices):
        BILLED = "BILLED", "Billed"
        SKIPPED = "SKIPPED", "Skipped"
        FAILED = "FAILED", "Failed"

    run = models.ForeignKey(BillRun, on_delete=models.CASCADE, related_name="items")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    period_start_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["run", "outcome"], name="bill_run_item_by_outcome")]

    def __str__(self) -> str:
        return f"run {self.run_id} {self.account_id} {self.outcome}"
