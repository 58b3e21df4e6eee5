"""Personal data (T&C 3.3, 18; UK GDPR arts. 15 and 17): contact e-mail changes waiting for confirmation,
subject-access requests and erasure requests. ADR 0016 says what is kept, for how long, and why."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Customer
from hearth.data.documents.models import documents_storage


class Channel(models.TextChoices):
    PORTAL = "PORTAL", "The customer, in the portal"
    CARE = "CARE", "Customer care (phone, letter or e-mail)"


class EmailChange(models.Model):
    """A new contact e-mail address, used only once the link sent to it is followed (one use, expiring).

    Only the SHA-256 of the link's random part is kept, so the table cannot be used to confirm a change.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Waiting for the link to be followed"
        CONFIRMED = "CONFIRMED", "Confirmed"
        SUPERSEDED = "SUPERSEDED", "Replaced by a later request"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="email_changes")
    old_email = models.EmailField(blank=True)
    new_email = models.EmailField()
    nonce_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link's random part")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("requested_at")), name="email_change_expires"),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="PENDING"), name="email_change_one_pending_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"E-mail change {self.pk} of customer {self.customer_id} ({self.status})"


class SubjectAccessRequest(models.Model):
    """A request for a copy of everything held about a customer (UK GDPR art. 15), due one month from receipt.

    A daily job makes the export (a ZIP of JSON, one file per table, and the person's files); only ``requester``
    may download it in the portal (care may too, for posting), until ``expires_at``.
    """

    class Status(models.TextChoices):
        RECEIVED = "RECEIVED", "Received: the export is being made"
        READY = "READY", "Ready to download"
        EXPIRED = "EXPIRED", "Export deleted after its download period"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subject_access_requests")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The portal login that may download the export; none when care sends it",
    )
    received_at = models.DateTimeField()
    received_date = models.DateField(help_text="The local (Europe/London) day of receipt")
    due_date = models.DateField(help_text="One month from receipt, on a working day (ADR 0016)")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RECEIVED)
    export = models.FileField(storage=documents_storage, upload_to="subject-access/", max_length=255, blank=True)
    export_sha256 = models.CharField(max_length=64, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(due_date__gt=models.F("received_date")), name="sar_due_after_receipt"),
            models.CheckConstraint(
                condition=Q(status="RECEIVED") | Q(ready_at__isnull=False, expires_at__isnull=False),
                name="sar_ready_has_times",
            ),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="RECEIVED"), name="sar_one_open_per_customer"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="sar_by_status_and_due")]

    def __str__(self) -> str:
        return f"Subject-access request {self.pk} of customer {self.customer_id} ({self.status})"

    @property
    def reference(self) -> str:
        """How the request is named to the customer and staff: the export's name, the console, the job's report."""
        return f"SAR-{self.pk:06d}"


class ErasureRequest(models.Model):
    """A request to erase a customer's personal data (UK GDPR art. 17).

    Delayed while an account is supplied or owes money (the daily job tries again); refused when the law does not
    give the right (an organisation is not a data subject). Done: names gone, financial records kept anonymised.
    """

    class Status(models.TextChoices):
        DELAYED = "DELAYED", "Delayed: an account is still supplied or owes money"
        REFUSED = "REFUSED", "Refused"
        DONE = "DONE", "Erased"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="erasure_requests")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", help_text="Empty once erased"
    )
    received_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True, help_text="Why delayed or refused, as told to the customer")
    checked_at = models.DateTimeField(help_text="When the blockers were last checked")
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="DONE", erased_at__isnull=False) | (~Q(status="DONE") & Q(erased_at__isnull=True)),
                name="erasure_done_has_time",
            ),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="DELAYED"), name="erasure_one_open_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"Erasure request {self.pk} of customer {self.customer_id} ({self.status})"
