"""The contact-details and new e-mail forms, the same in the portal (My details) and the care console."""

import re
from typing import Any

from django import forms

from hearth.data.accounts.models import Customer
from hearth.domain.privacy import contact
from hearth.interfaces.web import plain_forms

_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def _phone(value: str, label: str) -> str:
    value = value.strip()
    if value and not _PHONE.match(value):
        raise forms.ValidationError(f"Enter the {label} as digits, for example 07700 900123.")
    return value


class ContactDetailsForm(plain_forms.PlainForm):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter your full name."})
    contact_phone = forms.CharField(label="Phone number", max_length=32, required=False)
    mobile_phone = forms.CharField(label="Mobile phone number", max_length=32, required=False)
    correspondence_line_1 = forms.CharField(
        label="Address for letters, line 1",
        max_length=200,
        required=False,
        help_text="Leave the address empty to have letters sent to the address we supply.",
    )
    correspondence_line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    correspondence_town = forms.CharField(label="Town or city", max_length=100, required=False)
    correspondence_postcode = forms.CharField(label="Postcode", max_length=8, required=False)

    @classmethod
    def of(cls, customer: Customer, data: Any = None) -> "ContactDetailsForm":
        return cls(data, initial=vars(contact.details_of(customer)))

    def clean_contact_phone(self) -> str:
        return _phone(self.cleaned_data["contact_phone"], "phone number")

    def clean_mobile_phone(self) -> str:
        return _phone(self.cleaned_data["mobile_phone"], "mobile phone number")

    def clean_correspondence_postcode(self) -> str:
        value = " ".join(self.cleaned_data["correspondence_postcode"].upper().split())
        if value and not _POSTCODE.match(value):
            raise forms.ValidationError("Enter a real postcode, for example LS1 4AP.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        address = [data.get(f) for f in ("correspondence_line_1", "correspondence_town", "correspondence_postcode")]
        if any(address) and not all(address) and not self.errors:
            for name in ("correspondence_line_1", "correspondence_town", "correspondence_postcode"):
                if not data.get(name):
                    self.add_error(name, "Give the first line, the town and the postcode, or leave the address empty.")
        return data

    def details(self) -> contact.ContactDetails:
        return contact.ContactDetails(**{name: self.cleaned_data[name].strip() for name in contact.DETAIL_FIELDS})


class NewEmailForm(plain_forms.PlainForm):
    new_email = forms.EmailField(
        label="New e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter the new e-mail address.",
            "invalid": "Enter an e-mail address in the right form, like name@example.com.",
        },
    )
