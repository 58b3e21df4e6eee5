"""Supply contracts as dated things: the contract of an account for a product, its events, the registrations that
switch a supply point in or out, the notices the T&C require, and home moves (ADR 0013).

Dates are local (Europe/London) days. A contract supplies over the half-open period
``[supply_start_date, end_date)``, as ``Supply`` does, so the day a contract ends is the first day it no longer
covers. ``fixed_term_end_date`` is different on purpose: it is the **last** day of the fixed prices, the day the
customer reads on their Statement of Renewal ("your fixed prices end on 31 December 2027").

Only ``hearth.domain.tariffs.contracts`` changes a contract's state, so the contract, its account's agreements and
its supplies always move together.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Account, Property, SupplyPoint
from hearth.data.documents.models import Document
from hearth.data.tariffs.models import Product


class Contract(models.Model):
    """An account's contract for one product, from commencement (T&C 1.4, 2.1) to its end.

    PENDING: entered into, supply not started yet (switching in, a renewal waiting for the fixed term's end).
    LIVE: supplying. ENDED: supply under it ended (``end_reason`` says why). CANCELLED: ended before supply under it
    started (cooling-off, a switch that failed, a renewal withdrawn).
    """

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting to start"
        LIVE = "LIVE", "Supplying"
        ENDED = "ENDED", "Ended"
        CANCELLED = "CANCELLED", "Cancelled"

    class Origin(models.TextChoices):
        SIGN_UP = "SIGN_UP", "Signed up"
        DEEMED = "DEEMED", "Deemed contract on moving in (T&C 4.7)"
        RENEWAL = "RENEWAL", "Renewed with us"
        ROLLOVER = "ROLLOVER", "Rolled onto the variable tariff (T&C 6.2)"
        TARIFF_MOVE = "TARIFF_MOVE", "Moved to another tariff by us"
        HOME_MOVE = "HOME_MOVE", "Moved with the customer to a new home (T&C 13.5)"
        MIGRATED = "MIGRATED", "Recorded from an agreement made before contracts were kept"

    class Channel(models.TextChoices):
        WEB = "WEB", "Website"
        CARE = "CARE", "Customer care"
        SYSTEM = "SYSTEM", "Hearth"

    class EndReason(models.TextChoices):
        COOLING_OFF = "COOLING_OFF", "Cancelled in the cooling-off period (T&C 2.1, 4.4)"
        SWITCH_FAILED = "SWITCH_FAILED", "The switch to us did not go ahead (T&C 5.3)"
        WITHDRAWN = "WITHDRAWN", "Withdrawn before it started"
        SWITCHED_AWAY = "SWITCHED_AWAY", "Switched to another supplier (T&C 14)"
        MOVED_OUT = "MOVED_OUT", "Moved out (T&C 13)"
        REPLACED = "REPLACED", "Replaced by a new contract with us"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contracts")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="contracts")
    payment_method = models.CharField(max_length=24, help_text="PaymentArrangement.Method agreed (T&C 9.8)")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    origin = models.CharField(max_length=12, choices=Origin.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SYSTEM)
    commencement_date = models.DateField(help_text="The day the contract was entered into (T&C 1.4, 2.1)")
    cooling_off_end_date = models.DateField(help_text="The last day it can be cancelled without a fee (T&C 2.1)")
    supply_start_date = models.DateField(null=True, blank=True, help_text="Start of Supply (T&C 2.1); once known")
    fixed_term_end_date = models.DateField(null=True, blank=True, help_text="Last day of the fixed prices")
    end_date = models.DateField(null=True, blank=True, help_text="First day no longer supplied under it")
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    exit_fee = models.DecimalField(max_digits=8, decimal_places=2, default=0, help_text="Pounds charged on leaving")
    exit_fee_waiver = models.CharField(max_length=200, blank=True, help_text="Why no fee was charged (T&C 14.5.x)")
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next", help_text="The one it follows"
    )
    credit_check = models.CharField(max_length=200, blank=True, help_text="Outcome where the tariff needs one (9.7)")
    supply_requested_early = models.BooleanField(
        default=False, help_text="The customer asked for supply to start within the cooling-off period (T&C 2.1)"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(state="LIVE"), name="contract_one_live_per_account"
            ),
            models.UniqueConstraint(
                fields=["account"], condition=Q(state="PENDING"), name="contract_one_pending_per_account"
            ),
            models.CheckConstraint(
                condition=Q(cooling_off_end_date__gte=models.F("commencement_date")),
                name="contract_cooling_off_after_commencement",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(supply_start_date__isnull=True)
                | Q(end_date__gte=models.F("supply_start_date")),
                name="contract_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["ENDED", "CANCELLED"], end_reason__gt="")
                | (Q(state__in=["PENDING", "LIVE"]) & Q(end_reason="")),
                name="contract_end_reason_when_ended",
            ),
            models.CheckConstraint(
                condition=Q(state="PENDING") | Q(state="CANCELLED") | Q(supply_start_date__isnull=False),
                name="contract_supplied_has_start",
            ),
            models.CheckConstraint(condition=Q(exit_fee__gte=0), name="contract_exit_fee_not_negative"),
        ]
        indexes = [models.Index(fields=["state", "fixed_term_end_date"], name="contract_state_fixed_end")]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.product_id} from {self.commencement_date} ({self.state})"


class ContractEvent(models.Model):
    """One thing that happened to a contract, in care staff's words: the contract timeline (issue 11)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40, help_text="e.g. signed_up, supply_started, renewal_statement, ended")
    summary = models.CharField(max_length=500)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["contract", "at"], name="contract_event_by_contract")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} at {self.at}"


class Registration(models.Model):
    """A supply point's change of supplier: to us (GAIN, T&C 5) or from us (LOSS, T&C 14), with its clock.

    REQUESTED: sent to the switching service. PENDING: accepted, a start date set. OBJECTED: an objection raised
    (by the old supplier on a gain, by us on a loss); it may still be cleared. REJECTED: refused by the service.
    WITHDRAWN: called off (cooling-off, a new supplier's withdrawal). COMPLETED: the supplier changed on
    ``start_date``.
    """

    class Direction(models.TextChoices):
        GAIN = "GAIN", "Switching to us"
        LOSS = "LOSS", "Switching away"

    class State(models.TextChoices):
        REQUESTED = "REQUESTED", "Requested"
        PENDING = "PENDING", "Accepted, waiting for the day"
        OBJECTED = "OBJECTED", "Objected"
        REJECTED = "REJECTED", "Rejected"
        WITHDRAWN = "WITHDRAWN", "Withdrawn"
        COMPLETED = "COMPLETED", "Completed"

    class Objection(models.TextChoices):
        OLD_SUPPLIER = "OLD_SUPPLIER", "The current supplier objected (T&C 5.3.1)"
        INFORMATION = "INFORMATION", "Information missing or wrong (T&C 5.3.2)"
        CHANGED_MIND = "CHANGED_MIND", "The customer changed their mind or the date (T&C 5.3.3)"
        UNSUPPORTED = "UNSUPPORTED", "Metering or network we cannot support (T&C 5.3.4)"
        BEYOND_CONTROL = "BEYOND_CONTROL", "Beyond our reasonable control (T&C 5.3.5)"
        DEBT = "DEBT", "Debt on the account (T&C 14.7, 14.8)"

    OPEN_STATES = ("REQUESTED", "PENDING", "OBJECTED")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="registrations")
    supply_point = models.ForeignKey(SupplyPoint, on_delete=models.PROTECT, related_name="registrations")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    reference = models.CharField(max_length=40, unique=True, help_text="Ours, on every message about it")
    other_supplier = models.CharField(max_length=40, blank=True, help_text="The old or the new supplier")
    requested_at = models.DateTimeField()
    requested_start_date = models.DateField()
    start_date = models.DateField(null=True, blank=True, help_text="The day the supplier changes, once agreed")
    objection = models.CharField(max_length=16, choices=Objection.choices, blank=True)
    objection_detail = models.CharField(max_length=300, blank=True)
    objected_at = models.DateTimeField(null=True, blank=True)
    clear_by_date = models.DateField(null=True, blank=True, help_text="Debt objections: 30 working days (14.7, 14.8)")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supply_point", "direction"],
                condition=Q(state__in=["REQUESTED", "PENDING", "OBJECTED"]),
                name="registration_one_open_per_point_and_direction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.direction} {self.state}"


class SwitchingMessage(models.Model):
    """A message to or from the switching service, kept whole: what was read or written, and for one that could
    not be processed, why, so staff can see and replay it (QUALITY: nothing is lost)."""

    class Direction(models.TextChoices):
        OUTBOUND = "OUTBOUND", "Sent"
        INBOUND = "INBOUND", "Received"

    class Status(models.TextChoices):
        SENT = "SENT", "Sent"
        PROCESSED = "PROCESSED", "Processed"
        FAILED = "FAILED", "Could not be processed"

    direction = models.CharField(max_length=8, choices=Direction.choices)
    kind = models.CharField(max_length=40)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    file_name = models.CharField(max_length=200)
    line_number = models.PositiveIntegerField(default=0)
    body = models.TextField(help_text="The message as read or written")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "at"], name="switching_message_by_status")]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} {self.file_name}:{self.line_number} ({self.status})"


class ContractNotice(models.Model):
    """A notice the T&C require, issued as a document, with the day it is deemed delivered (T&C 22.3) and the day
    what it announces takes effect. One per contract, kind and ``key`` (the price change, the fixed term's end...),
    so a daily job run twice never sends two."""

    class Kind(models.TextChoices):
        CONFIRMATION = "CONFIRMATION", "Confirmation Correspondence (T&C 2.1)"
        RENEWAL_STATEMENT = "RENEWAL_STATEMENT", "Statement of Renewal (T&C 4.2.2, 6.1)"
        PRICE_CHANGE = "PRICE_CHANGE", "Price change (T&C 4.3)"
        CONTRACT_CHANGE = "CONTRACT_CHANGE", "Change to the contract (T&C 15.3)"
        TARIFF_MOVE = "TARIFF_MOVE", "Move to another tariff (T&C 3.2, 15.6)"
        CANCELLATION = "CANCELLATION", "Cancellation confirmed"
        SWITCH_UPDATE = "SWITCH_UPDATE", "News about a switch (T&C 5.3, 14.7, 14.8)"
        MOVE_OUT = "MOVE_OUT", "Home move confirmed (T&C 13)"
        END_OF_SUPPLY = "END_OF_SUPPLY", "Supply ended"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=60, blank=True, help_text="What it is about, e.g. the price change's day")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    deemed_delivered_date = models.DateField()
    effective_date = models.DateField(null=True, blank=True, help_text="When what it announces takes effect")
    disadvantageous = models.BooleanField(default=False, help_text="Lets the customer leave without a fee (14.5.4)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "key"], name="contract_notice_one_per_kind_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.key}"


class HomeMove(models.Model):
    """A customer leaving a property (T&C 13): who told us and when, the day they move, the day the contract ends
    (13.1, 13.2), where to send the final bill (13.4) and whether supply follows them (13.5)."""

    class ToldBy(models.TextChoices):
        CUSTOMER = "CUSTOMER", "The customer"
        NEW_OCCUPIER = "NEW_OCCUPIER", "The new occupier"

    class State(models.TextChoices):
        RECORDED = "RECORDED", "Waiting for the day"
        DONE = "DONE", "Contract ended"
        CANCELLED = "CANCELLED", "Cancelled"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="home_moves")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="home_moves")
    told_by = models.CharField(max_length=12, choices=ToldBy.choices)
    told_at = models.DateTimeField()
    move_out_date = models.DateField()
    new_occupier_move_in_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(help_text="First day no longer supplied (T&C 13.1, 13.2)")
    forwarding_address = models.ForeignKey(
        Property, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="T&C 13.4"
    )
    new_home = models.ForeignKey(
        Property, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="Supply there (13.5)"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECORDED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(state="RECORDED"), name="home_move_one_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} moving out {self.move_out_date}"
