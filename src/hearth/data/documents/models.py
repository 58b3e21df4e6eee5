"""Document types and documents: every PDF an account receives, stored once, never changed.

Files live in the ``documents`` storage (``settings.STORAGES``): a folder under the data folder by default, any
S3-compatible store in production by configuration. A document row is written once with its file's SHA-256, so a
copy sent years later can be shown to be the one issued.
"""

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
