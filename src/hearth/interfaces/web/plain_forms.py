"""Django's stock form messages in the words the portal uses (the FAQ's "e-mail address"), named after the field.

Every form in the portal and the console is a ``PlainForm`` (or mixes in ``PlainWords``), so a field that gives no
message of its own says "Enter the e-mail address" rather than "This field is required." A message a form writes
itself is kept.
"""

from typing import Any

from django import forms


def _named(field: forms.Field, name: str) -> str:
    label = str(field.label or name.replace("_", " "))
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]  # "MPAN" stays, "Postcode" does not


def _required(field: forms.Field, name: str) -> str:
    what = _named(field, name)
    if isinstance(field, forms.BooleanField):
        return f"Tick the box to say: {field.label}."
    if isinstance(field, forms.FileField):
        return f"Choose the file: {what}."
    if isinstance(field, forms.ChoiceField):
        return f"Choose the {what}."
    return f"Enter the {what}."


PLAIN_MESSAGES: dict[type[forms.Field], dict[str, str]] = {
    forms.EmailField: {"invalid": "Enter the e-mail address in the right form, like name@example.com."},
    forms.DateField: {"invalid": "Enter a real date, like 14/04/2027."},
    forms.IntegerField: {
        "invalid": "Enter a whole number, like 12.",
        "min_value": "Enter %(limit_value)s or more.",
        "max_value": "Enter %(limit_value)s or less.",
    },
    forms.DecimalField: {
        "invalid": "Enter a number, like 12.50.",
        "max_decimal_places": "Use no more than %(max)s digits after the point.",
        "max_digits": "Use no more than %(max)s digits in all.",
        "max_whole_digits": "Use no more than %(max)s digits before the point.",
    },
    forms.CharField: {
        "max_length": "Use %(limit_value)d characters or fewer (this has %(show_value)d).",
        "min_length": "Use at least %(limit_value)d characters (this has %(show_value)d).",
    },
    forms.ChoiceField: {"invalid_choice": "Choose one of the options shown."},
    forms.MultipleChoiceField: {"invalid_choice": "Choose only from the options shown."},
    forms.FileField: {"empty": "The file you chose is empty: choose another.", "invalid": "Choose a file to upload."},
}
"""The plain message for each of Django's stock codes, by the field class that defines the code."""


def _stock(field: forms.Field, code: str) -> str | None:
    """Django's own message for ``code`` on this kind of field, to tell it from one a form wrote."""
    for klass in type(field).__mro__:
        message = getattr(klass, "default_error_messages", {}).get(code)
        if message is not None:
            return str(message)
    return None


class PlainWords:
    """Replace the stock messages of each field that did not set its own; keep the ones a form wrote."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            plain = {"required": _required(field, name)}
            for klass in reversed(type(field).__mro__):
                plain.update(PLAIN_MESSAGES.get(klass, {}))
            for code, message in plain.items():
                current = field.error_messages.get(code)
                if current is None or str(current) == _stock(field, code):  # None: the validator's stock words
                    field.error_messages[code] = message


class PlainForm(PlainWords, forms.Form):
    """The base of every form in Hearth's pages."""
