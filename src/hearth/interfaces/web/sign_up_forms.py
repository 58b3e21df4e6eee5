"""The quote and sign-up forms, shared by the public join journey (portal) and the care console's sign-up: the same
questions in the same words, turned into ``contracts.quotes.Usage`` and ``contracts.sign_up.Application``."""

from decimal import Decimal
from typing import Any

from django import forms

from hearth.data.accounts.models import Fuel
from hearth.data.payments.models import PaymentArrangement
from hearth.data.tariffs.models import MeterKind
from hearth.domain.contracts import quotes
from hearth.domain.contracts.sign_up import Application
from hearth.domain.payments import arrangements, methods
from hearth.interfaces.web import plain_forms

Method = PaymentArrangement.Method

FUEL_CHOICES = [("BOTH", "Electricity and gas"), ("ELECTRICITY", "Electricity only"), ("GAS", "Gas only")]
METER_CHOICES = [
    (MeterKind.CREDIT, "A standard meter: I pay after I use energy"),
    (MeterKind.SMART, "A smart meter"),
    (MeterKind.PREPAYMENT, "A prepayment meter: I top up before I use energy"),
]
METHOD_WORDS = {
    Method.STANDARD_DIRECT_DEBIT: "Monthly Direct Debit, the same amount every month",
    Method.SEASONAL_DIRECT_DEBIT: "Monthly Direct Debit, more in winter and less in summer",
    Method.INITIAL_DIRECT_DEBIT: "Monthly Direct Debit starting 16 days after signing up (T&C 9.1.5)",
    Method.ANNUAL_DIRECT_DEBIT: "Annual Direct Debit, once a year in advance",
    Method.ANNUAL_CARD: "Annual card payment, once a year in advance",
    Method.STANDARD_CREDIT: "Pay each bill when it arrives",
    Method.PREPAYMENT: "Top up my prepayment meter",
}


def _kwh_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(1),
        max_value=Decimal(74000),
        decimal_places=0,
        help_text="From a bill or your annual statement. Leave empty and we use a typical home's use.",
        error_messages={
            "invalid": "Enter the kWh as a whole number, like 2700.",
            "max_value": "Above 74,000 kWh a year is a large supply: call us (T&C 3.2).",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class QuoteForm(plain_forms.PlainForm):
    """Where and what: enough to price every product (T&C 2.1 Application, 4.6)."""

    postcode = forms.CharField(
        label="Postcode of the home",
        max_length=10,
        error_messages={"required": "Enter the postcode of the home, like LS1 4AP."},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
    )
    fuels = forms.ChoiceField(
        label="What would you like us to supply?",
        choices=FUEL_CHOICES,
        initial="BOTH",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose electricity, gas or both."},
    )
    meter = forms.ChoiceField(
        label="Your meter",
        choices=METER_CHOICES,
        initial=MeterKind.CREDIT,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of meter you have."},
    )
    economy_7 = forms.BooleanField(label="My electricity meter has day and night rates (Economy 7)", required=False)
    electricity_kwh = _kwh_field("Electricity used in a year, kWh (optional)")
    gas_kwh = _kwh_field("Gas used in a year, kWh (optional)")

    def clean_postcode(self) -> str:
        try:
            return quotes.region_of_postcode(self.cleaned_data["postcode"]).postcode
        except quotes.QuoteRefused as exc:
            raise forms.ValidationError(str(exc)) from exc

    def usage(self) -> quotes.Usage:
        data = self.cleaned_data
        fuels = (Fuel.ELECTRICITY, Fuel.GAS) if data["fuels"] == "BOTH" else (Fuel(data["fuels"]),)
        return quotes.Usage(
            fuels=fuels,
            meter=MeterKind(data["meter"]),
            economy_7=bool(data["economy_7"]) and Fuel.ELECTRICITY in fuels,
            electricity_kwh=data["electricity_kwh"] if Fuel.ELECTRICITY in fuels else None,
            gas_kwh=data["gas_kwh"] if Fuel.GAS in fuels else None,
        )

    def session_data(self) -> dict[str, str]:
        """What the next steps need again, as text (the session stores JSON)."""
        return {name: "" if value is None else str(value) for name, value in self.cleaned_data.items()}


def usage_from_session(data: dict[str, str] | None) -> tuple[str, quotes.Usage] | None:
    """The postcode and usage a quote was made for, from the session; None if there is none or it is not valid."""
    if not data:
        return None
    form = QuoteForm({**data, "economy_7": "on" if data.get("economy_7") == "True" else ""})
    if not form.is_valid():
        return None
    return form.cleaned_data["postcode"], form.usage()


class DetailsForm(plain_forms.PlainForm):
    """Who, where exactly, how they pay, and the warranties of T&C 3.1: the rest of the Application."""

    name = forms.CharField(label="Full name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="We send your login details and your contract here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Phone number", max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel"})
    )
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
        error_messages={"required": "Enter the first line of the address."},
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        error_messages={"required": "Enter the town or city."},
    )
    mpan = forms.CharField(
        label="Electricity MPAN",
        max_length=40,
        required=False,
        help_text="The 13-digit number on your electricity bill, at the bottom of the box marked S.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    mprn = forms.CharField(
        label="Gas MPRN",
        max_length=20,
        required=False,
        help_text="The 6 to 10-digit meter point reference on your gas bill.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    payment_method = forms.ChoiceField(
        label="How would you like to pay?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like to pay."},
    )
    payment_day = forms.TypedChoiceField(
        label="Day of the month for your Direct Debit",
        choices=[("", "Choose a day"), *[(day, str(day)) for day in range(1, 29)]],
        coerce=int,
        required=False,
        empty_value=None,
        help_text="For monthly Direct Debits: the 1st to the 28th.",
    )
    holder_name = forms.CharField(
        label="Name on the bank account",
        max_length=60,
        required=False,
        help_text="For Direct Debit only.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    sort_code = forms.CharField(
        label="Sort code",
        max_length=8,
        required=False,
        help_text="6 digits, like 20-00-00",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=10,
        required=False,
        help_text="8 digits",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    early_start = forms.BooleanField(
        label="Start my supply as soon as possible, within the 14-day cooling-off period. If I then cancel, I pay "
        "for the energy used until supply ends.",
        required=False,
    )
    over_18 = forms.BooleanField(
        label="I am 18 or over (T&C 3.1.2)",
        error_messages={"required": "You must be 18 or over to sign up (T&C 3.1.2)."},
    )
    owns_or_occupies = forms.BooleanField(
        label="I own or live in this home and am responsible for paying its energy bills (T&C 3.1.1)",
        error_messages={
            "required": "You must own or occupy the home and be responsible for its energy bills (T&C 3.1.1)."
        },
    )

    def __init__(self, *args: Any, option: quotes.Option, usage: quotes.Usage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (code, METHOD_WORDS[Method(code)])
            for code in Method.values
            if methods.suits_tariff(code, option.payment_method)
        ]
        method_field = self.fields["payment_method"]
        assert isinstance(method_field, forms.ChoiceField)
        method_field.choices = choices
        if len(choices) == 1:
            method_field.initial = choices[0][0]
        if Fuel.ELECTRICITY not in usage.fuels:
            del self.fields["mpan"]
        if Fuel.GAS not in usage.fuels:
            del self.fields["mprn"]
        if not any(methods.suits_tariff(code, option.payment_method) for code in methods.DIRECT_DEBIT_METHODS):
            for name in ("payment_day", "holder_name", "sort_code", "account_number"):
                del self.fields[name]

    def application(self, *, postcode: str, usage: quotes.Usage, option: quotes.Option) -> Application:
        data = self.cleaned_data
        method = data["payment_method"]
        bank = None
        if method in methods.DIRECT_DEBIT_METHODS and (data.get("sort_code") or data.get("account_number")):
            bank = arrangements.BankDetails(
                holder_name=data.get("holder_name") or data["name"],
                sort_code=data["sort_code"],
                account_number=data["account_number"],
            )
        return Application(
            name=data["name"],
            email=data["email"],
            phone=data.get("phone", ""),
            address_line_1=data["address_line_1"],
            address_line_2=data.get("address_line_2", ""),
            town=data["town"],
            postcode=postcode,
            usage=usage,
            option_key=option.key,
            payment_method=method,
            payment_day=data.get("payment_day") if method in methods.MONTHLY_METHODS else None,
            bank_details=bank,
            mpan=data.get("mpan", ""),
            mprn=data.get("mprn", ""),
            early_start=data["early_start"],
            over_18=data["over_18"],
            owns_or_occupies=data["owns_or_occupies"],
        )

    def refuse(self, field: str | None, message: str) -> None:
        """A domain refusal beside the field it names (the option and the fuels have none here: the summary)."""
        self.add_error(field if field in self.fields else None, message)
