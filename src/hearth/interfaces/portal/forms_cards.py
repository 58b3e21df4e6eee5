"""The pay-by-card form: an amount in pounds; the card payment rules (£1.00 up to the maximum) are the domain's."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from hearth.common.money import Money
from hearth.domain.payments import cards
from hearth.interfaces.web import plain_forms


class CardAmountForm(plain_forms.PlainForm):
    amount = forms.CharField(
        label="Amount to pay, in pounds",
        max_length=16,
        error_messages={
            "required": "Enter the amount you want to pay, like 45.50.",
            "max_length": "Enter the amount in pounds and pence, like 45.50.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["amount"].label = label
        limits = f"From {Money(cards.MINIMUM)} to {Money(cards.maximum())}"
        self.fields["amount"].help_text = f"{limits}, in pounds and pence, like 45.50."

    def clean_amount(self) -> Decimal:
        """The amount as a Decimal; a £ sign, commas and spaces are allowed as people write them."""
        text = self.cleaned_data["amount"].replace("£", "").replace(",", "").replace(" ", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("Enter the amount in pounds and pence, like 45.50.") from None
        if not amount.is_finite():
            raise forms.ValidationError("Enter the amount in pounds and pence, like 45.50.")
        return amount
