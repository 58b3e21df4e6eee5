"""Document types and documents: every PDF an account receives, stored once, never changed.

Files live in the ``documents`` storage (``settings.STORAGES``): a folder under the data folder by default, any
S3-compatible store in production by configuration. A document row is written once with its file's SHA-256, so a
copy sent years later can be shown to be the one issued.
"""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Account


class DocumentType(models.Model):
    """A kind of document (invoice, credit note, statement, letter, notice...): rows, so later areas add their own.

    ``must_be_delivered`` marks documents the supplier is obliged to send (price-change notices, Statements of
    Renewal, disconnection warnings): a customer's delivery rules cannot switch off every channel for them.
    """

    INVOICE, CREDIT_NOTE, STATEMENT, LETTER, NOTICE = "INVOICE", "CREDIT_NOTE", "STATEMENT", "LETTER", "NOTICE"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=80, help_text="Singular, as a customer reads it: 'Invoice'")
    plural_name = models.CharField(max_length=80, help_text="For menus: 'Invoices'")
    must_be_delivered = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in menus")

    def __str__(self) -> str:
        return self.code


def documents_storage() -> Storage:
    """A callable, so the storage is chosen by settings at run time and never frozen into a migration."""
    return storages["documents"]


def document_path(document: "Document", filename: str) -> str:
    """Files are grouped by account and year so a folder never holds millions of files."""
    return f"{document.account_id}/{document.issue_date:%Y}/{filename}"


class Document(models.Model):
    """One issued document of an account: immutable once written (the domain never updates a row)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="documents")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents")
    reference = models.CharField(max_length=40, unique=True, help_text="Printed on the document, e.g. INV-000123")
    issued_at = models.DateTimeField()
    issue_date = models.DateField(help_text="The local (Europe/London) day of issue, printed on the document")
    period_start_date = models.DateField(null=True, blank=True)
    period_end_date = models.DateField(null=True, blank=True, help_text="Exclusive")
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, help_text="Pounds")
    file = models.FileField(storage=documents_storage, upload_to=document_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    page_count = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start_date__isnull=True)
                | Q(period_end_date__isnull=True)
                | Q(period_end_date__gt=models.F("period_start_date")),
                name="document_period_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "issue_date"], name="document_by_account_and_day"),
            models.Index(fields=["account", "document_type", "issue_date"], name="document_by_account_and_type"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.document_type_id}) for {self.account_id}"


class DeliveryRule(models.Model):
    """One login's choice of channels for one document type of one account (FAQ 13: each login chooses its own).

    No row means the defaults (``hearth.domain.documents.rules.default_channels``); a row is written when the login
    applies its rules. A PDF can only be attached to an e-mail that is sent.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_rules")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="delivery_rules")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="delivery_rules")
    email_notification = models.BooleanField()
    email_attachment = models.BooleanField(help_text="The PDF attached to the e-mail")
    post = models.BooleanField(help_text="A paper copy by post")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account", "document_type"], name="delivery_rule_one_per_type"),
            models.CheckConstraint(
                condition=Q(email_attachment=False) | Q(email_notification=True),
                name="delivery_rule_attachment_needs_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.account_id} {self.document_type_id}"


class PrintBatch(models.Model):
    """The day's documents for the mailing house: one combined PDF and a manifest CSV (``hearth print_batch``)."""

    batch_date = models.DateField(unique=True, help_text="The working day the batch is posted")
    created_at = models.DateTimeField()
    pdf = models.FileField(storage=documents_storage, upload_to="print-batches/", max_length=255)
    manifest = models.FileField(storage=documents_storage, upload_to="print-batches/", max_length=255)
    document_count = models.PositiveIntegerField()
    page_count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Print batch {self.batch_date}"


class Delivery(models.Model):
    """One sending of one document by one channel: to a login's e-mail address, or by post to the account's address.

    Automatic deliveries (``requested_by`` empty) are made once per document, login and channel; care staff may
    resend any number of times. ``deemed_delivered_date`` follows T&C 22.3: an e-mail on the day it is sent, a
    letter 2 working days after posting.
    """

    class Channel(models.TextChoices):
        EMAIL = "EMAIL", "E-mail"
        POST = "POST", "Post"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Waiting to be sent"
        RETRYING = "RETRYING", "Retrying after a temporary failure"
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Failed"
        BATCHED = "BATCHED", "In a print batch"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.TextField(help_text="The e-mail address, or the postal address printed on the envelope")
    with_attachment = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True, help_text="E-mail accepted by the server, or posted")
    deemed_delivered_date = models.DateField(null=True, blank=True)
    print_batch = models.ForeignKey(
        PrintBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "user", "channel"],
                condition=Q(requested_by__isnull=True, user__isnull=False),
                name="delivery_automatic_once_per_login_and_channel",
            ),
            models.UniqueConstraint(
                fields=["document", "channel"],
                condition=Q(requested_by__isnull=True, channel="POST"),
                name="delivery_automatic_post_once_per_document",
            ),
        ]
        indexes = [models.Index(fields=["status", "channel"], name="delivery_by_status")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.channel} {self.status}"
