"""The Payments pages' forms: Direct Debit set-up, payment day, refund request; errors in the customer's words."""

from django import forms

from hearth.data.payments.models import PaymentArrangement, Refund
from hearth.interfaces.web import plain_forms

Method = PaymentArrangement.Method

PAYMENT_DAYS = [(day, f"{day}") for day in range(1, 29)]


class PaymentDayField(forms.TypedChoiceField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            choices=[("", "Choose a day"), *PAYMENT_DAYS],
            coerce=int,
            error_messages={"required": "Choose the day of the month, from the 1st to the 28th."},
            **kwargs,  # type: ignore[arg-type]
        )


class BankAccountFields(plain_forms.PlainForm):
    holder_name = forms.CharField(
        label="Name on the bank account",
        max_length=60,
        error_messages={"required": "Enter the name on the bank account, as the bank has it."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    sort_code = forms.CharField(
        label="Sort code",
        max_length=8,
        help_text="6 digits, like 20-00-00",
        error_messages={"required": "Enter the sort code: 6 digits, like 20-00-00."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=10,
        help_text="8 digits",
        error_messages={"required": "Enter the account number: 8 digits."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )


class DirectDebitForm(BankAccountFields):
    method = forms.ChoiceField(
        label="How would you like to pay?",
        choices=[
            (Method.STANDARD_DIRECT_DEBIT, "The same amount every month"),
            (Method.SEASONAL_DIRECT_DEBIT, "More in winter, less in summer (seasonal)"),
            (Method.ANNUAL_DIRECT_DEBIT, "Once a year, in advance"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often you would like to pay."},
    )
    payment_day = PaymentDayField(
        label="Day of the month to pay",
        required=False,
        help_text="For monthly payments: the 1st to the 28th",
    )
    field_order = ["method", "payment_day", "holder_name", "sort_code", "account_number"]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("method") != Method.ANNUAL_DIRECT_DEBIT and not data.get("payment_day"):
            self.add_error("payment_day", "Choose the day of the month, from the 1st to the 28th.")
        return data


class PaymentDayForm(plain_forms.PlainForm):
    payment_day = PaymentDayField(label="New day of the month to pay")


class RefundForm(plain_forms.PlainForm):
    destination = forms.ChoiceField(
        label="How would you like your refund?",
        choices=Refund.Destination.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like your refund."},
    )
    holder_name = forms.CharField(label="Name on the bank account", max_length=60, required=False)
    sort_code = forms.CharField(
        label="Sort code", max_length=8, required=False, help_text="Only for another bank account: 6 digits"
    )
    account_number = forms.CharField(
        label="Account number", max_length=10, required=False, help_text="Only for another bank account: 8 digits"
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("destination") == Refund.Destination.OTHER_ACCOUNT:
            for name, words in (
                ("holder_name", "Enter the name on the bank account."),
                ("sort_code", "Enter the sort code: 6 digits, like 20-00-00."),
                ("account_number", "Enter the account number: 8 digits."),
            ):
                if not data.get(name):
                    self.add_error(name, words)
        return data
