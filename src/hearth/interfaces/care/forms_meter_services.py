"""The care console's meter-services forms (T&C 7.3-7.5, 11.1.1-11.1.3, 11.1.8), beside the shared ones of
``web.forms_meter_help`` that the portal uses too."""

from django import forms

from hearth.data.meter_services.models import Appointment, FaultReport
from hearth.data.metering.models import Meter
from hearth.domain.meter_services import operations
from hearth.interfaces.web.forms_meter_help import MeterChoiceField, MeterHelpForm, VisitChangeForm, VisitDayForm


def _money(label: str, help_text: str = "", *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, help_text=help_text, required=required, max_digits=8, decimal_places=2, min_value=0
    )


class MoveRequestForm(MeterHelpForm):
    meter = MeterChoiceField(queryset=Meter.objects.none(), label="Which meter", empty_label=None)
    reason = forms.CharField(label="Why it is to be moved", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    price = _money(
        "Quoted price, pounds excluding VAT",
        "Tell the customer the price with VAT. Not charged if the household is on the Priority Services Register "
        "(T&C 11.1.3).",
    )


class ResolveFaultForm(MeterHelpForm):
    outcome = forms.ChoiceField(label="What was done", choices=FaultReport.Outcome.choices, widget=forms.RadioSelect)
    finding = forms.CharField(label="What the engineer found", widget=forms.Textarea(attrs={"rows": 2}))
    customer_responsible = forms.BooleanField(
        label="The customer was found responsible for the damage (T&C 7.5)", required=False
    )
    repair_cost = _money(
        "Cost of the repair or replacement, pounds excluding VAT (only if responsible)", required=False
    )


class TestResultForm(MeterHelpForm):
    error_percent = forms.DecimalField(
        label="Error in per cent (+ records too much, - too little)",
        help_text="Electricity is accurate from -3.50 to +2.50, gas from -2.00 to +2.00, both ends included.",
        max_digits=6,
        decimal_places=2,
    )
    tested_date = forms.DateField(label="Day of the test", widget=forms.DateInput(attrs={"type": "date"}))


class RebillForm(MeterHelpForm):
    note = forms.CharField(label="Bills checked and what was re-billed", max_length=300)


class MoveDoneForm(MeterHelpForm):
    completed_date = forms.DateField(label="Day the meter was moved", widget=forms.DateInput(attrs={"type": "date"}))


class BookVisitForm(VisitDayForm):
    """A visit for the case on the page; its purpose follows from the case (a fault or an inaccurate meter: repair)."""


class CareVisitChangeForm(VisitChangeForm):
    by = forms.ChoiceField(
        label="Who is cancelling or moving it",
        choices=Appointment.CancelledBy.choices,
        widget=forms.RadioSelect,
        help_text="Only the customer's late change is charged.",
    )
    field_order = ["by", "action", "visit_date", "slot", "accept_charge"]


class VisitOutcomeForm(MeterHelpForm):
    outcome = forms.ChoiceField(
        label="What happened",
        choices=[(status.value, status.label) for status in operations.VISIT_OUTCOMES],
        widget=forms.RadioSelect,
    )
