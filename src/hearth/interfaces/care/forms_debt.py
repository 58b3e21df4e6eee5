"""The care console's debt-path forms: one per step care takes, each with the reason the step keeps."""

from django import forms

from hearth.data.debt.models import Warrant
from hearth.interfaces.web import plain_forms

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "input_formats": ["%Y-%m-%d"]}
MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


class StepForm(plain_forms.PlainForm):
    reason = forms.CharField(
        label="Reason", max_length=300, error_messages={"required": "Give the reason: it is kept with the step."}
    )


class PlanForm(plain_forms.PlainForm):
    monthly_income = forms.DecimalField(label="Monthly income after tax and benefits (£)", **MONEY)  # type: ignore[arg-type]
    monthly_outgoings = forms.DecimalField(label="Essential monthly outgoings (£)", **MONEY)  # type: ignore[arg-type]
    instalment = forms.DecimalField(label="Instalment each month (£)", **MONEY)  # type: ignore[arg-type]
    first_due_date = forms.DateField(label="First instalment due", **DATE)  # type: ignore[arg-type]


class WarrantForm(StepForm):
    purpose = forms.ChoiceField(label="Warrant to", choices=Warrant.Purpose.choices)


class WarrantGrantedForm(plain_forms.PlainForm):
    court_name = forms.CharField(label="Court", max_length=120)
    reference = forms.CharField(label="Warrant reference", max_length=60)
    granted_on = forms.DateField(label="Granted on", **DATE)  # type: ignore[arg-type]


class DayForm(StepForm):
    day = forms.DateField(label="Day", **DATE)  # type: ignore[arg-type]


class DisconnectForm(DayForm):
    cost = forms.DecimalField(label="Cost to charge (16.5, £, excluding VAT; 0 for none)", **MONEY)  # type: ignore[arg-type]


class ReconnectForm(DisconnectForm):
    payment_on_account = forms.DecimalField(label="Payment on account asked for (16.4, £)", **MONEY)  # type: ignore[arg-type]
