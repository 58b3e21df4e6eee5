"""The debt path (T&C 10.1, 10.2, 16; ADR 0015): one case per account in debt, its steps, its repayment plans and
the warrant a court granted. The states and the moves between them are kept in ``hearth.domain.debt.path``."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.data.accounts.models import Account
from hearth.data.documents.models import Document


class DebtCase(models.Model):
    """An account's way along the debt path, from an overdue bill until the debt is paid."""

    class State(models.TextChoices):
        OVERDUE = "OVERDUE", "Overdue"
        REMINDED = "REMINDED", "Reminded (final notice sent)"
        ON_PLAN = "ON_PLAN", "On a repayment plan"
        PLAN_NOT_AGREED = "PLAN_NOT_AGREED", "Repayment plan offered, not agreed"
        PLAN_BROKEN = "PLAN_BROKEN", "Repayment plan broken"
        REFERRED = "REFERRED", "Referred to a debt collection agency (10.1.3)"
        PREPAYMENT_NOTICE = "PREPAYMENT_NOTICE", "Notice of prepayment given (10.1.4, 10.2)"
        ON_PREPAYMENT = "ON_PREPAYMENT", "On prepayment (10.1.4, 10.1.5)"
        WARRANT_APPLIED = "WARRANT_APPLIED", "Warrant applied for"
        WARRANT_GRANTED = "WARRANT_GRANTED", "Warrant granted"
        DISCONNECTION_NOTICE = "DISCONNECTION_NOTICE", "Written notice of disconnection given (16.2)"
        DISCONNECTED = "DISCONNECTED", "Disconnected (16.1.1)"
        RECONNECTED = "RECONNECTED", "Reconnected (16.4, 16.5)"
        CLOSED = "CLOSED", "Closed"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debt_cases")
    state = models.CharField(max_length=20, choices=State.choices, default=State.OVERDUE)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    prepayment_notice = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    prepayment_notice_deemed_on = models.DateField(null=True, blank=True)
    disconnection_notice = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disconnection_notice_deemed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=Q(closed_on__isnull=True), name="debt_one_open_case"),
            models.CheckConstraint(
                condition=(Q(closed_on__isnull=True) & ~Q(state="CLOSED")) | Q(closed_on__isnull=False, state="CLOSED"),
                name="debt_closed_when_closed_on",
            ),
        ]

    def __str__(self) -> str:
        return f"Debt case {self.pk} of account {self.account_id}: {self.state}"


class DebtStep(models.Model):
    """One recorded step of a case: the state reached, from which, on what day, by whom and why."""

    case = models.ForeignKey(DebtCase, on_delete=models.PROTECT, related_name="steps")
    from_state = models.CharField(max_length=20, choices=DebtCase.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=DebtCase.State.choices)
    day = models.DateField(help_text="The day the step took effect (UK)")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: the daily job",
    )
    reason = models.CharField(max_length=300)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    details = models.JSONField(default=dict, help_text="What was checked on the day: the register, amounts")

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="debt_step_by_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state or '-'} -> {self.to_state} on {self.day}"


class RepaymentPlan(models.Model):
    """A plan agreed on the customer's ability to pay: the income and outgoings assessed, and the instalments."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Being paid"
        KEPT = "KEPT", "Kept: paid in full"
        BROKEN = "BROKEN", "Broken: an instalment was missed"
        ENDED = "ENDED", "Ended (the case moved on)"

    case = models.ForeignKey(DebtCase, on_delete=models.PROTECT, related_name="plans")
    monthly_income = models.DecimalField(max_digits=10, decimal_places=2)
    monthly_outgoings = models.DecimalField(max_digits=10, decimal_places=2, help_text="Essential outgoings")
    debt = models.DecimalField(max_digits=10, decimal_places=2, help_text="The debt when the plan was agreed")
    instalment = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    agreed_at = models.DateTimeField()
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="ACTIVE"), name="debt_one_active_plan"),
            models.CheckConstraint(condition=Q(instalment__gt=0), name="debt_plan_instalment_positive"),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} of case {self.case_id}: £{self.instalment} a month"


class PlanInstalment(models.Model):
    """One instalment of a plan: what is due by a day. Kept when payments since the plan cover it and every earlier
    one by the end of the grace period."""

    plan = models.ForeignKey(RepaymentPlan, on_delete=models.PROTECT, related_name="instalments")
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "due_date"], name="debt_instalment_once_a_day")]

    def __str__(self) -> str:
        return f"£{self.amount} due {self.due_date} (plan {self.plan_id})"


class Warrant(models.Model):
    """A warrant of entry: applied for, then granted by a Magistrates' Court (a Sheriff Court in Scotland)."""

    class Court(models.TextChoices):
        MAGISTRATES = "MAGISTRATES", "Magistrates' Court"
        SHERIFF = "SHERIFF", "Sheriff Court"

    class Purpose(models.TextChoices):
        PREPAYMENT = "PREPAYMENT", "Install a prepayment meter (10.1.5)"
        DISCONNECTION = "DISCONNECTION", "Disconnect the supply (10.1.6)"

    case = models.ForeignKey(DebtCase, on_delete=models.PROTECT, related_name="warrants")
    purpose = models.CharField(max_length=14, choices=Purpose.choices)
    court = models.CharField(max_length=12, choices=Court.choices)
    applied_on = models.DateField()
    court_name = models.CharField(max_length=120, blank=True)
    reference = models.CharField(max_length=60, blank=True)
    granted_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(granted_on__isnull=True) | (~Q(court_name="") & ~Q(reference="")),
                name="debt_warrant_granted_names_court",
            )
        ]

    def __str__(self) -> str:
        return f"Warrant {self.reference or '(applied)'} of case {self.case_id}"
