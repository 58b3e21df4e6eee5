"""How each account pays (T&C 8-12): its payment arrangement, Direct Debit mandates and collections, the Bacs files
sent and the reports received, card payments and Stripe's events, refunds, reviews, reminders and referrals.

The database holds the rules a crash or a replay must not break: one live mandate per account, one live collection
per mandate and day, one Bacs submission per input day, a collection in at most one submission, a Stripe event acted
on once, a report file imported once, one reminder of each stage per bill. Bank account numbers are never stored in
clear: ``*_sealed`` holds them encrypted (``hearth.common.sealed``) and ``*_last2`` the two digits that may be shown.
Amounts are pounds (2 dp).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Account
from hearth.data.billing.models import Bill, LedgerEntry
from hearth.data.documents.models import Document
from hearth.data.metering.models import RegisterReading
from hearth.data.tariffs.models import Tariff


class PaymentArrangement(models.Model):
    """How one account pays now; every change is audited (before → after), so this row holds only the present."""

    class Method(models.TextChoices):
        """The payment methods of T&C 9.1.1-9.1.8, as an account holds them (a tariff's restriction is coarser)."""

        STANDARD_DIRECT_DEBIT = "STANDARD_DIRECT_DEBIT", "Monthly Direct Debit"
        SEASONAL_DIRECT_DEBIT = "SEASONAL_DIRECT_DEBIT", "Seasonal Direct Debit"
        ANNUAL_DIRECT_DEBIT = "ANNUAL_DIRECT_DEBIT", "Annual Direct Debit"
        ANNUAL_CARD = "ANNUAL_CARD", "Annual payment by debit or credit card"
        INITIAL_DIRECT_DEBIT = "INITIAL_DIRECT_DEBIT", "Initial Direct Debit"
        PREPAYMENT = "PREPAYMENT", "Prepayment"
        STANDARD_CREDIT = "STANDARD_CREDIT", "Pay on receipt of bill"

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="payment_arrangement")
    method = models.CharField(max_length=24, choices=Method.choices)
    payment_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Day of the month Direct Debits are collected (1-28)"
    )
    regular_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Monthly Direct Debit (standard)"
    )
    seasonal_percent = models.PositiveSmallIntegerField(
        default=0, help_text="Seasonal Direct Debit: winter months this much above, summer months below (≤ 50)"
    )
    signed_up_date = models.DateField(
        help_text="The day the customer signed up: initial Direct Debit days count from it"
    )
    annual_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Annual Direct Debit or card: paid in advance"
    )
    annual_due_date = models.DateField(
        null=True, blank=True, help_text="Annual payment due by (within cooling-off for annual tariffs, T&C 9.2.1)"
    )
    last_reviewed_date = models.DateField(null=True, blank=True, help_text="The last six-monthly review (9.4.4)")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(payment_day__isnull=True) | Q(payment_day__gte=1, payment_day__lte=28),
                name="payment_arrangement_day_1_to_28",
            ),
            models.CheckConstraint(condition=Q(seasonal_percent__lte=50), name="payment_arrangement_seasonal_max_50"),
            models.CheckConstraint(
                condition=Q(regular_amount__isnull=True) | Q(regular_amount__gte=0),
                name="payment_arrangement_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} pays by {self.method}"


class Mandate(models.Model):
    """A Direct Debit Instruction: the payer's bank account and its Bacs lifecycle (AUDDIS 0N → live → 0C)."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Waiting to be lodged"
        LODGED = "LODGED", "Lodged with the bank"
        LIVE = "LIVE", "Active"
        CANCELLED = "CANCELLED", "Cancelled"
        REJECTED = "REJECTED", "Rejected by the bank"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="mandates")
    reference = models.CharField(max_length=18, unique=True, help_text="The Bacs reference the payer's bank sees")
    holder_name = models.CharField(max_length=18, help_text="As the bank holds it, Bacs characters")
    sort_code = models.CharField(max_length=6)
    account_number_sealed = models.TextField(help_text="Encrypted; never shown or logged whole")
    account_number_last2 = models.CharField(max_length=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    lodged_date = models.DateField(null=True, blank=True, help_text="Bacs input day of the 0N record")
    live_date = models.DateField(null=True, blank=True, help_text="First day a collection may be taken")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    ended_by_bank = models.BooleanField(
        default=False, help_text="The bank ended it (ADDACS/AUDDIS): no 0C record is sent for it"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["PENDING", "LODGED", "LIVE"]),
                name="mandate_one_live_per_account",
            ),
            models.CheckConstraint(condition=Q(sort_code__regex=r"^[0-9]{6}$"), name="mandate_sort_code_6_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"


class BacsSubmission(models.Model):
    """One day's Standard 18 file: written whole with its manifest; one per Bacs input day (no double collections)."""

    processing_date = models.DateField(unique=True, help_text="Bacs input day (day 1 of the 3-day cycle)")
    serial = models.CharField(max_length=6, unique=True)
    file_name = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    debit_count = models.PositiveIntegerField()
    debit_total = models.DecimalField(max_digits=14, decimal_places=2)
    mandate_record_count = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Bacs submission {self.serial} for {self.processing_date}"


class Collection(models.Model):
    """One Direct Debit collection: an amount taken from a mandate on a day (Bacs day 3), with its advance notice.

    ``SCHEDULED`` until the day's submission carries it, ``SUBMITTED`` until its day, then ``COLLECTED`` (the ledger
    payment is posted); an ARUDD unpaid makes it ``UNPAID`` and reverses the payment.
    """

    class Purpose(models.TextChoices):
        MONTHLY = "MONTHLY", "Monthly"
        SEASONAL = "SEASONAL", "Seasonal monthly"
        ANNUAL = "ANNUAL", "Annual, in advance"
        INITIAL = "INITIAL", "Initial"
        RE_PRESENTATION = "RE_PRESENTATION", "Re-presented after an unpaid"

    class Status(models.TextChoices):
        SCHEDULED = "SCHEDULED", "Scheduled"
        SUBMITTED = "SUBMITTED", "Sent to the bank"
        COLLECTED = "COLLECTED", "Collected"
        UNPAID = "UNPAID", "Returned unpaid"
        CANCELLED = "CANCELLED", "Cancelled"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="collections")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="collections")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    transaction_code = models.CharField(max_length=2, help_text="Bacs 01 first, 17 regular, 18 re-presented, 19 final")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    collection_date = models.DateField(help_text="The day the money moves (Bacs day 3)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_at = models.DateTimeField()
    notice = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="Advance notice"
    )
    submission = models.ForeignKey(
        BacsSubmission, on_delete=models.PROTECT, null=True, blank=True, related_name="collections"
    )
    payment = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="collection"
    )
    reversal = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_collection"
    )
    represents = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="re_presentation"
    )
    outcome = models.CharField(max_length=300, blank=True, help_text="Why it was cancelled or returned unpaid")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mandate", "collection_date"],
                condition=~Q(status="CANCELLED"),
                name="collection_one_live_per_mandate_and_day",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="collection_amount_positive"),
            models.CheckConstraint(
                condition=Q(transaction_code__in=["01", "17", "18", "19"]), name="collection_transaction_code"
            ),
        ]
        indexes = [models.Index(fields=["status", "collection_date"], name="collection_by_status_and_day")]

    def __str__(self) -> str:
        return f"{self.account_id} £{self.amount} on {self.collection_date} ({self.status})"


class SubmissionRecord(models.Model):
    """A line of a Bacs submission: a collection (01/17/18/19) or a mandate record (0N/0C) with a zero amount."""

    submission = models.ForeignKey(BacsSubmission, on_delete=models.CASCADE, related_name="records")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="+")
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, null=True, blank=True, related_name="submission_record"
    )
    transaction_code = models.CharField(max_length=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mandate", "transaction_code"],
                condition=Q(transaction_code__in=["0N", "0C"]),
                name="submission_one_mandate_record_of_each_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.transaction_code} {self.mandate_id} {self.amount}"


class BacsReport(models.Model):
    """A report file from the bank (ARUDD, ADDACS, AUDDIS), kept as received but sealed (it carries payers' account
    numbers); imported once (by its SHA-256)."""

    class Kind(models.TextChoices):
        ARUDD = "ARUDD", "Unpaid Direct Debits (ARUDD)"
        ADDACS = "ADDACS", "Mandate changes and cancellations (ADDACS)"
        AUDDIS = "AUDDIS", "Mandate lodgement rejections (AUDDIS)"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    raw = models.BinaryField(help_text="The file as received")
    report_date = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField()
    imported_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class BacsReportItem(models.Model):
    """One entry of a report and what Hearth did with it; an entry it could not act on is kept to be replayed."""

    class Outcome(models.TextChoices):
        APPLIED = "APPLIED", "Applied"
        KEPT = "KEPT", "Kept for care staff"
        DISMISSED = "DISMISSED", "Dismissed by care staff"

    report = models.ForeignKey(BacsReport, on_delete=models.CASCADE, related_name="items")
    line = models.PositiveIntegerField(help_text="Where in the file (1 = first entry)")
    reference = models.CharField(max_length=40, blank=True)
    reason_code = models.CharField(max_length=4, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    raw = models.TextField(help_text="The entry as it stood in the file (new account numbers masked)")
    details = models.JSONField(
        default=dict, help_text="The entry's other fields as read (dates, new sort code; account numbers sealed)"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    action = models.CharField(max_length=500, help_text="What was done, or why nothing could be")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "line"], name="bacs_report_item_line_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.line} {self.reason_code} {self.outcome}"


class IndemnityClaim(models.Model):
    """A Direct Debit Indemnity Claim (DDIC): the bank refunded the payer; a false claim leaves the sum owed (10.3)."""

    collection = models.OneToOneField(Collection, on_delete=models.PROTECT, related_name="indemnity_claim")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason_code = models.CharField(max_length=2, help_text="DDICA reason code 1-8")
    received_date = models.DateField()
    is_false_claim = models.BooleanField(default=False)
    still_owed = models.DecimalField(max_digits=10, decimal_places=2, help_text="What the customer still owes (10.3)")
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"DDIC {self.collection_id} £{self.amount}"


class CardPayment(models.Model):
    """A payment by card through Stripe (a PaymentIntent); the ledger payment is posted only when Stripe says so.

    The customer pays on Stripe's hosted Checkout page. Stripe makes the PaymentIntent only when they pay there, so
    ``payment_intent_id`` is empty until its first event arrives; ``checkout_session_id`` is the page Hearth opened.
    """

    class Purpose(models.TextChoices):
        ONE_OFF = "ONE_OFF", "One-off payment"
        ANNUAL = "ANNUAL", "Annual payment in advance"
        TOP_UP = "TOP_UP", "Prepayment top-up"

    class Status(models.TextChoices):
        CREATED = "CREATED", "Waiting for the card"
        SUCCEEDED = "SUCCEEDED", "Paid"
        FAILED = "FAILED", "Failed"
        CANCELLED = "CANCELLED", "Cancelled"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="card_payments")
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    payment = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="card_payment"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="card_payment_amount_positive")]

    def __str__(self) -> str:
        stripe_id = self.payment_intent_id or self.checkout_session_id
        return f"Card payment {self.pk} {stripe_id} £{self.amount} ({self.status})"


class StripeEvent(models.Model):
    """A verified Stripe webhook event, recorded once by its id: a replay finds the row and changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField()
    payload = models.JSONField()
    outcome = models.CharField(max_length=300)
    card_payment = models.ForeignKey(
        CardPayment, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )

    def __str__(self) -> str:
        return f"{self.event_id} {self.event_type}"


class RefundBatch(models.Model):
    """A file of approved refunds handed to the bank (Faster Payments/Bacs credits) or a list of cheques to write."""

    class Kind(models.TextChoices):
        BANK = "BANK", "Bank transfer file"
        CHEQUE = "CHEQUE", "Cheque list"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    file_name = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    refund_count = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"{self.kind} refunds {self.file_name}"


class Refund(models.Model):
    """A customer's request for their credit back (T&C 12) and each step after it, with its 28-day clock."""

    class Destination(models.TextChoices):
        DIRECT_DEBIT_ACCOUNT = "DIRECT_DEBIT_ACCOUNT", "The bank account I pay by Direct Debit from"
        OTHER_ACCOUNT = "OTHER_ACCOUNT", "Another bank account"
        CHEQUE = "CHEQUE", "A cheque by post"

    class Status(models.TextChoices):
        REQUESTED = "REQUESTED", "Waiting for approval"
        WAITING_FINAL_BILL = "WAITING_FINAL_BILL", "Waiting for the final bill"
        APPROVED = "APPROVED", "Approved, to be paid"
        PAID = "PAID", "Paid"
        REJECTED = "REJECTED", "Declined"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="refunds")
    status = models.CharField(max_length=20, choices=Status.choices)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(help_text="28 days from the request (T&C 12.4)")
    credit_at_request = models.DecimalField(max_digits=10, decimal_places=2)
    kept_back = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, help_text="One month's Direct Debit kept back (T&C 12.2)"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="What will be paid")
    destination = models.CharField(max_length=20, choices=Destination.choices)
    payee_name = models.CharField(max_length=200)
    sort_code = models.CharField(max_length=6, blank=True)
    account_number_sealed = models.TextField(blank=True)
    account_number_last2 = models.CharField(max_length=2, blank=True)
    cheque_address = models.TextField(blank=True)
    reading = models.ForeignKey(
        RegisterReading, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="T&C 12.1"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField(max_length=300, blank=True)
    batch = models.ForeignKey(RefundBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds")
    paid_at = models.DateTimeField(null=True, blank=True)
    ledger_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="refund"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="refund_amount_not_negative"),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["REQUESTED", "WAITING_FINAL_BILL", "APPROVED"]),
                name="refund_one_open_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} {self.account_id} £{self.amount} ({self.status})"


class DirectDebitReview(models.Model):
    """A six-monthly review of an account's Direct Debit (T&C 9.4.4): the figures, the outcome and why."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="direct_debit_reviews")
    review_date = models.DateField()
    previous_amount = models.DecimalField(max_digits=10, decimal_places=2)
    recommended_amount = models.DecimalField(max_digits=10, decimal_places=2)
    changed = models.BooleanField()
    workings = models.JSONField(help_text="Annual usage, cost, balance, months, threshold: shown to the customer")
    notice = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "review_date"], name="direct_debit_review_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} reviewed {self.review_date}: {self.previous_amount} -> {self.recommended_amount}"


class PaymentReminder(models.Model):
    """A reminder or final notice about an overdue bill (T&C 10.1), sent once per stage as a document."""

    class Stage(models.TextChoices):
        REMINDER = "REMINDER", "Reminder"
        FINAL_NOTICE = "FINAL_NOTICE", "Final notice"

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="reminders")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    overdue_amount = models.DecimalField(max_digits=10, decimal_places=2)
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bill", "stage"], name="payment_reminder_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.stage}"


class DebtReferral(models.Model):
    """An account referred to a debt collection agency (T&C 10.1.3) by care staff, exported in a file."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debt_referrals")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    oldest_due_date = models.DateField()
    reason = models.CharField(max_length=300)
    referred_at = models.DateTimeField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    export_file_name = models.CharField(max_length=120, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="debt_referral_amount_positive")]

    def __str__(self) -> str:
        return f"{self.account_id} referred £{self.amount}"


class TariffMove(models.Model):
    """An account moved to another tariff because it does not pay as its tariff requires (T&C 9.2, 9.2.1), after
    42 days' notice (T&C 10.2): the notice, the day it takes effect and what happened then.

    One move waits per account at a time (a constraint), so a re-run of the daily job never sends a second notice.
    """

    class Reason(models.TextChoices):
        WRONG_PAYMENT_METHOD = "WRONG_PAYMENT_METHOD", "Not paying by the tariff's payment method (T&C 9.2, 10.2)"
        ANNUAL_PAYMENT_MISSED = "ANNUAL_PAYMENT_MISSED", "Annual payment not made in the cooling-off period (T&C 9.2.1)"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Notice given"
        DONE = "DONE", "Moved"
        CANCELLED = "CANCELLED", "Not needed any more"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="tariff_moves")
    reason = models.CharField(max_length=24, choices=Reason.choices)
    target_tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    notice_date = models.DateField(help_text="The day the notice was issued")
    effective_date = models.DateField(help_text="42 days after the notice is deemed delivered (T&C 10.2, 22.3)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When it was carried out or cancelled")
    outcome = models.CharField(max_length=300, blank=True, help_text="What was done, or why it was not needed")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="PENDING"), name="tariff_move_one_pending_per_account"
            ),
            models.CheckConstraint(
                condition=Q(effective_date__gt=models.F("notice_date")), name="tariff_move_effective_after_notice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} to {self.target_tariff_id} on {self.effective_date} ({self.status})"
