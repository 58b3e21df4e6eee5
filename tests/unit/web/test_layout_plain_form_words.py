"""Forms speak the portal's words: no "This field is required." or "Enter a valid email address." anywhere."""

import importlib
import pkgutil
from decimal import Decimal

from django import forms

import hearth.interfaces
from hearth.interfaces.web import plain_forms


class Example(plain_forms.PlainForm):
    email = forms.EmailField(label="E-mail address")
    meter_serial = forms.CharField(max_length=5)
    fuel = forms.ChoiceField(label="Fuel", choices=[("GAS", "Gas"), ("ELECTRICITY", "Electricity")])
    agree = forms.BooleanField(label="I accept the Conditions of Use")
    amount = forms.DecimalField(label="Amount", decimal_places=2)
    read_on = forms.DateField(label="Date of the reading", error_messages={"required": "Enter the day you read it."})
    MPAN = forms.CharField(label="MPAN")


def errors_for(data: dict[str, str]) -> dict[str, list[str]]:
    form = Example(data)
    assert not form.is_valid()
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def test_an_empty_form_names_each_missing_field_instead_of_saying_this_field_is_required() -> None:
    assert errors_for({}) == {
        "email": ["Enter the e-mail address."],
        "meter_serial": ["Enter the meter serial."],
        "fuel": ["Choose the fuel."],
        "agree": ["Tick the box to say: I accept the Conditions of Use."],
        "amount": ["Enter the amount."],
        "read_on": ["Enter the day you read it."],  # the form's own words are kept
        "MPAN": ["Enter the MPAN."],  # an abbreviation keeps its capitals
    }


def test_wrong_values_get_the_portals_words_with_an_example() -> None:
    errors = errors_for(
        {"email": "alex.example.com", "meter_serial": "1234567", "fuel": "COAL", "amount": "12.345", "read_on": "32/13"}
    )
    assert errors["email"] == ["Enter the e-mail address in the right form, like name@example.com."]
    assert errors["meter_serial"] == ["Use 5 characters or fewer (this has 7)."]
    assert errors["fuel"] == ["Choose one of the options shown."]
    assert errors["amount"] == ["Use no more than 2 digits after the point."]
    assert errors["read_on"] == ["Enter a real date, like 14/04/2027."]


def test_a_valid_form_is_untouched() -> None:
    form = Example(
        {
            "email": "alex@example.com",
            "meter_serial": "E1",
            "fuel": "GAS",
            "agree": "on",
            "amount": "12.50",
            "read_on": "2026-12-07",
            "MPAN": "1200023305967",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("12.50")


def interface_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(hearth.interfaces.__path__, "hearth.interfaces."):
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("hearth.interfaces."):
                found.append(sub)
    return found


def test_every_form_in_the_pages_uses_the_plain_words() -> None:
    classes = interface_form_classes()
    assert len(classes) > 40, "the walk should find the portal's and the console's forms"
    stock = [f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, plain_forms.PlainWords)]
    assert stock == [], "forms still speaking Django's stock words: make them plain_forms.PlainForm"
