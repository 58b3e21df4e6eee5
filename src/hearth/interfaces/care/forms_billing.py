"""The care console's billing forms: amounts in pounds and pence, dates, and the reason every change needs.

The forms check only what was typed (a positive amount with at most two decimal places, a real date, a period that
ends after it starts); whether the action is allowed is the billing domain's decision, shown on the same form.
"""

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django import forms

from hearth.common.money import PENNY
from hearth.data.billing.models import AdditionalCharge
from hearth.domain.billing import operations as billing_ops
from hearth.interfaces.web import plain_forms

AMOUNT_ERRORS = {
    "required": "Enter the amount in pounds and pence, like 25.00.",
    "invalid": "Enter the amount as a number of pounds and pence, like 25.00.",
    "min_value": "Enter an amount more than £0.00: amounts are entered as positive numbers.",
    "max_decimal_places": "Enter the amount with at most 2 decimal places (pounds and pence), like 25.50.",
    "max_digits": "The amount must be less than £100,000,000.",
    "max_whole_digits": "The amount must be less than £100,000,000.",
}


class PoundsField(forms.DecimalField):
    """A positive amount in pounds with at most two decimal places; a leading "£" and thousands commas are allowed,
    because that is how staff read amounts off letters and bank statements."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", AMOUNT_ERRORS)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(label=label, max_digits=10, decimal_places=2, min_value=PENNY, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the stubs give IntegerField's type
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
        return super().to_python(value)


def _date_field(label: str, *, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        error_messages={"required": "Enter the date.", "invalid": "Enter a real date, like 2026-11-30."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _reason_field(label: str = "Reason", *, help_text: str = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=300,
        required=required,
        help_text=help_text or "Kept with the record and shown in the account's history.",
        error_messages={
            "required": "Say why: the reason is kept with the record.",
            "max_length": "Keep the reason to 300 characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _period_ends_after_start(form: forms.Form, start: str, end: str, message: str) -> None:
    """The end of a half-open period must be a later day than its start; the error goes beside the end."""
    data = form.cleaned_data
    first, last = data.get(start), data.get(end)
    if isinstance(first, date) and isinstance(last, date) and last <= first:
        form.add_error(end, message)


class BillingForm(plain_forms.PlainForm):
    """A form on a page with several: its field ids start with ``id_prefix`` so labels and errors stay distinct."""

    id_prefix: ClassVar[str] = "billing"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class PaymentForm(BillingForm):
    """A payment received outside Direct Debit (a bank transfer, a card payment by phone), which lowers the balance."""

    id_prefix = "payment"

    amount = PoundsField(label="Amount received (£)")
    reference = forms.CharField(
        label="Payment reference",
        max_length=64,
        help_text="The bank's or card processor's reference, so the payment can be traced.",
        error_messages={
            "required": "Enter the payment's reference from the bank or card processor.",
            "max_length": "Keep the reference to 64 characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = _reason_field(
        "Note (optional)", help_text="For example: paid by bank transfer, customer called to tell us.", required=False
    )


class CreditForm(BillingForm):
    """A goodwill or correcting credit, which lowers the balance."""

    id_prefix = "credit"

    amount = PoundsField(label="Credit (£)")
    reason = _reason_field(help_text="For example: goodwill for the missed appointment on 3 November.")


FIXED_CHARGES_HINT = "Leave empty for {}: the T&C fix those sums.".format(
    " or ".join(f"a {kind.label.lower()} (£{amount})" for kind, amount in billing_ops.FIXED_CHARGES.items())
)

CHARGE_KINDS = [
    (kind.value, kind.label) for kind in AdditionalCharge.Kind if kind != AdditionalCharge.Kind.LATE_PAYMENT_INTEREST
]


class AdditionalChargeForm(BillingForm):
    """An additional charge under T&C 11, billed on the account's next bill with VAT at 20%."""

    id_prefix = "charge"

    kind = forms.ChoiceField(label="Charge", choices=CHARGE_KINDS)
    amount = PoundsField(
        label="Amount excluding VAT (£)",
        required=False,
        help_text=FIXED_CHARGES_HINT,
    )
    incurred_date = _date_field("Day of the visit, test or event")
    meter_proved_accurate = forms.BooleanField(
        label="The meter was tested and proved accurate (needed to charge for an accuracy test)", required=False
    )
    reason = _reason_field()


class InterestForm(BillingForm):
    """Late-payment interest (T&C 10.1.8) on an overdue sum over ``[start_date, end_date)``."""

    id_prefix = "interest"

    principal = PoundsField(label="Overdue amount (£)")
    start_date = _date_field(
        "Overdue from", help_text="The first day the amount was overdue (the day after it was due)."
    )
    end_date = _date_field("Interest up to", help_text="Interest runs up to the day before this day.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _period_ends_after_start(self, "start_date", "end_date", "Interest must end on a later day than it starts.")
        return data


class ObstructionForm(BillingForm):
    """The customer's obstruction of billing over ``[from_date, to_date)``, which lifts the back-billing limit."""

    id_prefix = "obstruction"

    from_date = _date_field("Obstructed billing from")
    to_date = _date_field("Until", help_text="The first day the customer no longer obstructed billing.")
    reason = _reason_field(help_text="What the customer did, e.g. refused access to read the meter on 4 May.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _period_ends_after_start(
            self, "from_date", "to_date", "The obstruction must end on a later day than it starts."
        )
        return data


class CancelBillForm(BillingForm):
    """Why a bill is cancelled: printed on nothing, kept with the bill and in the audit trail."""

    id_prefix = "cancel"

    reason = _reason_field(
        "Why is the bill cancelled?", help_text="For example: the end reading was wrong; corrected on 30 November."
    )


class StartRunForm(BillingForm):
    """A bill run started from the console: the day its periods must have ended by, and optionally one account."""

    id_prefix = "run"

    as_of_date = _date_field(
        "Bill periods that ended by",
        help_text="Usually the first of this month: every account's periods that ended by then are billed.",
    )
    account_number = forms.CharField(
        label="Only this account (optional)",
        max_length=16,
        required=False,
        help_text="Leave empty to bill every account with a period due.",
        error_messages={"max_length": "An account number has at most 16 characters."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"as_of_date": today.replace(day=1)})
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_as_of_date(self) -> date:
        day: date = self.cleaned_data["as_of_date"]
        if day > self.today:
            raise forms.ValidationError(
                f"Choose today ({self.today:%-d %B %Y}) or a day before: only periods that have ended can be billed."
            )
        return day
