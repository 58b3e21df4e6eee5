"""Search's refine boxes (FAQ 14): every box may be left empty; what is typed wrong gets a message beside its box.

The form is read from the address (a GET form), so a search can be bookmarked and its pages linked.
"""

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

from django import forms

from hearth.data.accounts.models import Account
from hearth.data.documents.models import DocumentType
from hearth.interfaces.web import plain_forms

ALL_ACCOUNTS: Final = "all"

# Pounds and pence as people type them: "120", "120.5", "£1,200.50", "-15.00" (a credit note). At most 10 digits of
# pounds, as a document's amount holds.
_MONEY: Final = re.compile(r"(?P<sign>-?)£?(?P<pounds>\d{1,10}|\d{1,3}(?:,\d{3}){1,3})(?:\.(?P<pence>\d{1,2}))?")


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=_DateInput(),
        error_messages={"invalid": f"Enter the “{label.lower()}” date as a real date, like 2026-10-25."},
    )


class MoneyField(forms.Field):
    """An amount in pounds and pence, or nothing."""

    def __init__(self, *, label: str) -> None:
        super().__init__(
            label=label,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )

    def to_python(self, value: Any) -> Decimal | None:
        text = "".join(str(value or "").split())
        if not text:
            return None
        match = _MONEY.fullmatch(text)
        if match is None:
            raise forms.ValidationError(
                f"Enter the “{str(self.label).lower()}” in pounds and pence, like 120.50.", code="invalid"
            )
        pence = (match["pence"] or "").ljust(2, "0")
        return Decimal(f"{match['sign']}{match['pounds'].replace(',', '')}.{pence}")


def _account_words(account: Account) -> str:
    return f"{account.number} – {account.get_fuel_display()}"  # noqa: RUF001 - the en dash of the account switcher


class DocumentSearchForm(plain_forms.PlainForm):
    """The refine boxes; ``account`` is offered only to a login linked to several accounts."""

    document_type = forms.ChoiceField(label="Document type", required=False)
    date_from = _date_field("Issued from")
    date_to = _date_field("Issued to")
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=40,
        help_text="All or part of it, like INV-0001.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    amount_from = MoneyField(label="Amount from")
    amount_to = MoneyField(label="Amount to")
    account = forms.ChoiceField(label="Account", required=False)

    def __init__(
        self,
        data: Any,
        *,
        document_types: Sequence[DocumentType],
        accounts: Sequence[Account],
        selected: Account,
    ) -> None:
        super().__init__(data)
        self.accounts = {str(account.pk): account for account in accounts}
        self.selected = selected
        type_field = self.fields["document_type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [("", "Any type"), *((kind.code, kind.name) for kind in document_types)]
        type_field.error_messages["invalid_choice"] = "Choose one of the document types in the list."
        if len(accounts) > 1:
            account_field = self.fields["account"]
            assert isinstance(account_field, forms.ChoiceField)
            account_field.choices = [
                *((str(account.pk), _account_words(account)) for account in accounts),
                (ALL_ACCOUNTS, "All your accounts"),
            ]
            account_field.initial = str(selected.pk)
            account_field.error_messages["invalid_choice"] = "Choose one of your accounts in the list."
        else:
            del self.fields["account"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if isinstance(first, date) and isinstance(last, date) and last < first:
            self.add_error("date_to", "The “issued to” date must be the same as or after the “issued from” date.")
        low, high = cleaned.get("amount_from"), cleaned.get("amount_to")
        if isinstance(low, Decimal) and isinstance(high, Decimal) and high < low:
            self.add_error("amount_to", "The “amount to” must be the same as or more than the “amount from”.")
        return cleaned

    def account_ids(self) -> list[int]:
        """The accounts to search (a valid form): the one chosen, all of them, or else the selected account."""
        chosen = self.cleaned_data.get("account") or str(self.selected.pk)
        if chosen == ALL_ACCOUNTS:
            return [account.pk for account in self.accounts.values()]
        return [self.accounts[chosen].pk]

    @property
    def several_accounts(self) -> bool:
        return "account" in self.fields
