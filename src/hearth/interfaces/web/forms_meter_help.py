"""The forms of meter help, shared by the portal and the care console: a fault, an accuracy test with its price
accepted, and a visit cancelled or moved (T&C 7.3, 11.1.1, 11.1.8). The domain (``meter_services.operations``)
decides; its refusal is shown beside the field it names."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator

from hearth.data.meter_services.models import Appointment, FaultReport
from hearth.data.metering.models import Meter
from hearth.domain.meter_services import operations
from hearth.interfaces.web import plain_forms


class _MetersReadOnce(ModelChoiceIterator):
    """The meters read once, from the queryset's own cache: Django's iterator asks the database again each time the
    select needs its choices (whether the field is required, then each option)."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for meter in self.queryset:
            yield self.choice(meter)

    def __len__(self) -> int:
        return len(self.queryset) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.queryset)


class MeterChoiceField(forms.ModelChoiceField):
    """The account's meters as a select. The queryset is kept as the view gave it, not copied as Django's field
    does, so a page with two forms and a "has meters" test reads the meters once; each request makes its own."""

    iterator = _MetersReadOnce

    def _meters(self) -> QuerySet[Meter] | None:
        return self._queryset

    def _set_meters(self, queryset: QuerySet[Meter] | None) -> None:
        self._queryset = queryset
        self.widget.choices = self.choices

    queryset = property(_meters, _set_meters)

    def label_from_instance(self, obj: Meter) -> str:
        return f"{obj.supply_point.get_fuel_display()} meter {obj.serial_number}"


class MeterHelpForm(plain_forms.PlainForm):
    """A form about one of the account's meters; ``show_refusal`` puts the domain's refusal in place."""

    def __init__(self, *args: object, meters: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if "meter" in self.fields:
            field = self.fields["meter"]
            assert isinstance(field, MeterChoiceField)
            field.queryset = meters

    def show_refusal(self, refused: operations.MeterServiceRefused) -> None:
        self.add_error(refused.field if refused.field in self.fields else None, refused.message)


class FaultForm(MeterHelpForm):
    meter = MeterChoiceField(queryset=Meter.objects.none(), label="Which meter", empty_label=None)
    kind = forms.ChoiceField(
        label="What is wrong",
        choices=FaultReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is wrong with the meter."},
    )
    description = forms.CharField(
        label="What you see",
        help_text="For example what the display shows, or when it stopped.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Tell us what you see."},
    )


class VisitDayForm(MeterHelpForm):
    visit_date = forms.DateField(
        label="Day for the engineer's visit",
        help_text="A working day (not a weekend or bank holiday), from tomorrow, within 90 days.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Choose a day for the visit.", "invalid": "Enter a real date, like 14/04/2027."},
    )
    slot = forms.ChoiceField(
        label="Time of day",
        choices=Appointment.Slot.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a morning or an afternoon."},
    )


class AccuracyTestForm(VisitDayForm):
    """The test's price is stated above the form and again beside the box the customer ticks to accept it."""

    meter = MeterChoiceField(queryset=Meter.objects.none(), label="Which meter", empty_label=None)
    reason = forms.CharField(
        label="Why you think the meter is wrong (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    stated_price = forms.DecimalField(widget=forms.HiddenInput, max_digits=8, decimal_places=2)
    price_accepted = forms.BooleanField(required=False)

    field_order = ["meter", "visit_date", "slot", "reason", "price_accepted"]

    def __init__(self, *args: object, price_words: str, price: Decimal, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stated_price"].initial = price
        self.fields["price_accepted"].label = (
            f"I accept that if the meter is found accurate I will be charged {price_words}; if it is not, the test is "
            "free"
        )


class VisitChangeForm(VisitDayForm):
    """Cancel a visit, or move it to another day; a late change needs the charge accepted."""

    action = forms.ChoiceField(
        label="What would you like to do",
        choices=[("MOVE", "Move the visit to another day"), ("CANCEL", "Cancel the visit")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to move or cancel the visit."},
    )
    accept_charge = forms.BooleanField(required=False)
    field_order = ["action", "visit_date", "slot", "accept_charge"]

    def __init__(self, *args: object, late_words: str | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visit_date"].required = False
        self.fields["slot"].required = False
        self.fields["visit_date"].label = "New day (if moving)"
        self.fields["slot"].label = "New time of day (if moving)"
        if late_words is None:
            del self.fields["accept_charge"]
        else:
            self.fields["accept_charge"].label = f"I accept the charge of {late_words} for changing it this late"

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "MOVE":
            if not cleaned.get("visit_date") and "visit_date" not in self.errors:
                self.add_error("visit_date", "Choose the new day for the visit.")
            if not cleaned.get("slot") and "slot" not in self.errors:
                self.add_error("slot", "Choose a morning or an afternoon.")
        return cleaned
