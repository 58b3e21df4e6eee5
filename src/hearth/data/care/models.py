"""Customer care's records: cases raised from the portal and login-details requests."""

from django.conf import settings
from django.db import models

from hearth.data.accounts.models import Account


class LoginDetailsRequest(models.Model):
    """A 'get login details' request that could not be answered at once: care staff decide it."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Waiting for care staff"
        SENT = "SENT", "Login details sent"
        DECLINED = "DECLINED", "Declined"

    account_number = models.CharField(max_length=32)
    postcode = models.CharField(max_length=16)
    email = models.EmailField()
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    received_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"login details for {self.email} on {self.account_number} ({self.get_status_display()})"


class Case(models.Model):
    """A customer's message to care from the portal, with an optional screenshot."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        CLOSED = "CLOSED", "Closed"

    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, null=True, related_name="cases")
    description = models.TextField()
    screenshot = models.FileField(upload_to="case-screenshots/%Y/%m/", blank=True)
    screenshot_content_type = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"case {self.pk} from {self.raised_by} ({self.get_status_display()})"
