"""The care console's prepayment forms: what staff type for a top-up taken by phone or at PayPoint, a meter charge,
credit an engineer added, and a switch of meter mode asked for by the customer. Whether the action is allowed is the
prepayment domain's decision, shown on the same form."""

from django import forms

from hearth.data.prepayment.models import Vend
from hearth.interfaces.care.forms_billing import BillingForm, PoundsField, _date_field, _reason_field


class TopUpForm(BillingForm):
    """A top-up paid by phone to care, or at a PayPoint shop (its receipt number makes a second entry harmless)."""

    id_prefix = "top-up"

    channel = forms.ChoiceField(
        label="Paid by", choices=[(c.value, c.label) for c in Vend.Channel if c != Vend.Channel.CARD]
    )
    amount = PoundsField(label="Amount paid (£)")
    external_reference = forms.CharField(
        label="Payment or receipt reference",
        max_length=64,
        help_text="The card processor's or PayPoint's reference: the same reference again tops up once.",
        error_messages={
            "required": "Enter the payment's reference, so the same payment is never credited twice.",
            "max_length": "Keep the reference to 64 characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ReplacementCardForm(BillingForm):
    id_prefix = "replacement"

    reason = _reason_field(help_text="For example: card reported lost on the phone, new card posted.")


class FalseGasEmergencyForm(BillingForm):
    id_prefix = "false-gas"

    incurred_date = _date_field("Day the engineer came out")
    reason = _reason_field(help_text="What the engineer found, and the job reference.")


class EngineerCreditForm(BillingForm):
    id_prefix = "engineer-credit"

    amount = PoundsField(label="Credit the engineer added (£)")
    reason = _reason_field(help_text="The emergency job's reference and why credit was needed.")


class ModeSwitchForm(BillingForm):
    """The switch is only ever at the customer's request (the debt path has its own steps)."""

    id_prefix = "mode"

    asked = forms.BooleanField(
        label="The customer asked for this switch",
        error_messages={"required": "Tick the box to confirm the customer asked for the switch."},
    )
