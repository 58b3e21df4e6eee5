"""Complaints (T&C 20): each case with its clocks and timeline, and the complaint e-mails as they arrived."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document

ONCE_KINDS = ("RECEIVED", "ACKNOWLEDGED", "RESPONSE_OVERDUE", "EIGHT_WEEKS", "RESOLVED", "DEADLOCK")
"""Steps that happen at most once to a complaint: a database constraint keeps a re-run from doing them twice."""


class Complaint(models.Model):
    """One complaint about an account, from any channel, with the dates its clocks promise (ADR 0018).

    ``response_due_date`` and ``ombudsman_date`` are worked out once, when the complaint is received, so a promise
    printed in the acknowledgement never moves.
    """

    class Channel(models.TextChoices):
        PORTAL = "PORTAL", "Online account"
        EMAIL = "EMAIL", "E-mail"
        PHONE = "PHONE", "Phone"
        LETTER = "LETTER", "Letter"
        LIVE_CHAT = "LIVE_CHAT", "Live chat"
        SOCIAL_MEDIA = "SOCIAL_MEDIA", "Social media"

    class Status(models.TextChoices):
        OPEN = "OPEN", "Waiting for our response"
        RESPONDED = "RESPONDED", "Responded, still open"
        RESOLVED = "RESOLVED", "Resolved (final response)"
        DEADLOCKED = "DEADLOCKED", "Not resolved (deadlock letter)"

    CLOSED = (Status.RESOLVED, Status.DEADLOCKED)

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    summary = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    received_at = models.DateTimeField()
    response_due_date = models.DateField()
    ombudsman_date = models.DateField(help_text="The day 8 weeks after receipt: the Energy Ombudsman can be asked")
    responded_at = models.DateTimeField(null=True, blank=True)
    final_response_at = models.DateTimeField(null=True, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "response_due_date"], name="complaint_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ombudsman_date__gt=models.F("response_due_date")), name="complaint_clocks_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["RESOLVED", "DEADLOCKED"]) | Q(final_response_at__isnull=False),
                name="complaint_closed_has_final_response",
            ),
        ]

    def __str__(self) -> str:
        return f"complaint {self.reference} on {self.account_id} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"CMP-{self.pk:06d}"


class ComplaintEvent(models.Model):
    """A step in a complaint's timeline: received, a letter sent, a note, a clock passed."""

    class Kind(models.TextChoices):
        RECEIVED = "RECEIVED", "Received"
        ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged in writing"
        NOTE = "NOTE", "Note"
        RESPONDED = "RESPONDED", "Response sent"
        RESPONSE_OVERDUE = "RESPONSE_OVERDUE", "Response overdue"
        EIGHT_WEEKS = "EIGHT_WEEKS", "8 weeks: told of the Energy Ombudsman"
        RESOLVED = "RESOLVED", "Final response: resolved"
        DEADLOCK = "DEADLOCK", "Final response: deadlock letter"

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    text = models.TextField(blank=True)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=Q(kind__in=ONCE_KINDS),
                name="complaint_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on complaint {self.complaint_id} at {self.at:%Y-%m-%d %H:%M}"


class InboundMail(models.Model):
    """One message read from the complaints mailbox, kept as the bytes that arrived (ADR 0018).

    A message that could not be read or matched to a customer stays here with its reason, for care to see, assign
    or replay; one that became a complaint points to it.
    """

    class Status(models.TextChoices):
        COMPLAINT = "COMPLAINT", "Became a complaint"
        UNREADABLE = "UNREADABLE", "Could not be read"
        UNMATCHED = "UNMATCHED", "Sender not matched to a customer"
        DISMISSED = "DISMISSED", "Dismissed by care"

    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    mailbox_key = models.CharField(max_length=255, help_text="The Maildir file name it was read from")
    message_id = models.CharField(max_length=998, blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    body = models.TextField(blank=True)
    attachments = models.JSONField(default=list, help_text="[{name, content_type, size_bytes}] of each attachment")
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.TextField(blank=True)
    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="inbound_mail"
    )
    received_at = models.DateTimeField()
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="COMPLAINT", complaint__isnull=False)
                | (~Q(status="COMPLAINT") & Q(complaint__isnull=True)),
                name="inbound_mail_complaint_iff_status",
            )
        ]

    def __str__(self) -> str:
        return f"complaint e-mail {self.pk} from {self.from_address or '?'} ({self.get_status_display()})"
