"""The care console's forms: each field's error says what is wrong in plain words."""

from typing import Any

from django import forms

from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.identity.models import AccountLink
from hearth.interfaces.web import plain_forms


class OneTimeCodeInput(forms.TextInput):
    """A code is used once: never put it back in the page after a failed attempt."""

    def format_value(self, value: Any) -> str | None:
        return None


class StaffSignInForm(plain_forms.PlainForm):
    """E-mail, password and the authenticator's code together, so a failure never says which part was wrong."""

    username = forms.CharField(
        label="E-mail address",
        max_length=254,
        error_messages={"required": "Enter your e-mail address."},
        widget=forms.TextInput(attrs={"autocomplete": "username", "type": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label="Authenticator code",
        max_length=12,
        help_text="The 6-digit code your authenticator app shows now.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
        widget=OneTimeCodeInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_otp_token(self) -> str:
        token = "".join(self.cleaned_data["otp_token"].split())
        if len(token) != 6 or not token.isascii() or not token.isdigit():
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app.")
        return token


class SearchForm(plain_forms.PlainForm):
    q = forms.CharField(
        label="Account number, name, e-mail address, postcode, MPAN or MPRN",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false"}),
    )


ROLE_CHOICES = AccountLink.Role.choices


ACCOUNT_NUMBER_REQUIRED = {"required": "Enter the account number."}


class CreateLoginForm(plain_forms.PlainForm):
    account_number = forms.CharField(label="Account number", max_length=32, error_messages=ACCOUNT_NUMBER_REQUIRED)
    email = forms.EmailField(
        label="E-mail address to sign in with",
        max_length=254,
        help_text="The login details are e-mailed to this address.",
        error_messages={
            "required": "Enter the e-mail address.",
            "invalid": "Enter an e-mail address like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    role = forms.ChoiceField(label="Role on this account", choices=ROLE_CHOICES, initial=AccountLink.Role.HOLDER)


class LinkAccountForm(plain_forms.PlainForm):
    account_number = forms.CharField(
        label="Account number to link", max_length=32, error_messages=ACCOUNT_NUMBER_REQUIRED
    )
    role = forms.ChoiceField(label="Role on that account", choices=ROLE_CHOICES, initial=AccountLink.Role.VIEWER)


class RoleForm(plain_forms.PlainForm):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)


class CheckAnswerForm(plain_forms.PlainForm):
    answer = forms.CharField(
        label="The caller's answer",
        max_length=100,
        help_text="Type what the caller says. Hearth says only whether it matches.",
        error_messages={"required": "Type the caller's answer."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class DecideRequestForm(plain_forms.PlainForm):
    SEND = "send"
    DECLINE = "decline"

    decision = forms.ChoiceField(choices=[(SEND, "Send login details"), (DECLINE, "Decline")])
    note = forms.CharField(label="Note", max_length=1000, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.DECLINE and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the request is declined.")
        return cleaned


class CreateCustomerForm(plain_forms.PlainForm):
    kind = forms.ChoiceField(
        label="The customer is", choices=Customer.Kind.choices, widget=forms.RadioSelect, initial=Customer.Kind.PERSON
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="A person's full name or the organisation's name.",
        error_messages={"required": "Enter the customer's name."},
    )
    contact_email = forms.EmailField(
        label="Contact e-mail address (optional)",
        max_length=254,
        required=False,
        help_text="If given, a portal login for this address is created and its login details are e-mailed.",
        error_messages={"invalid": "Enter an e-mail address like name@example.com, or leave it empty."},
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    contact_phone = forms.CharField(
        label="Phone number (optional)",
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    address_line_1 = forms.CharField(
        label="Address line 1", max_length=200, error_messages={"required": "Enter the first line of the address."}
    )
    address_line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, error_messages={"required": "Enter the town or city."})
    postcode = forms.CharField(label="Postcode", max_length=10, error_messages={"required": "Enter the postcode."})
    nation = forms.ChoiceField(label="Nation", choices=Nation.choices)
    fuels = forms.MultipleChoiceField(
        label="Fuels supplied",
        choices=Fuel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="One account is opened for each fuel ticked.",
        error_messages={"required": "Tick electricity, gas or both."},
    )


class AddSupplyPointForm(plain_forms.PlainForm):
    account = forms.ModelChoiceField(queryset=Account.objects.none(), label="Account", empty_label=None)
    identifier = forms.CharField(
        label="MPAN core or MPRN",
        max_length=32,
        help_text="13-digit MPAN core for an electricity account; 6 to 11-digit MPRN for a gas account.",
        error_messages={"required": "Enter the MPAN core or MPRN."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    supply_start_date = forms.DateField(
        label="Supply starts on",
        error_messages={"required": "Enter the date the supply starts.", "invalid": "Enter a real date."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "supply-%s")
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["account"].label_from_instance = lambda account: (  # type: ignore[attr-defined]
            f"{account.number} ({account.get_fuel_display()})"
        )
