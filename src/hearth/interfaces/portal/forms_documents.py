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


class DocumentSearchForm(plain_forms.PlainForm):
    """The free-text box and the refine boxes, on the selected account (the portal's one account switcher chooses
    it); ``all_accounts`` widens the search to every linked account and is offered only to a login with several."""

    text = forms.CharField(
        label="Search your documents",
        required=False,
        max_length=100,
        help_text="Any words from the document: its type, reference, month, year or amount, like “invoice october”.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
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
    all_accounts = forms.BooleanField(label="Search all your accounts, not only this one", required=False)

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
        if len(accounts) < 2:
            del self.fields["all_accounts"]

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
        """The accounts to search (a valid form): every linked one when asked, else the selected account."""
        if self.cleaned_data.get("all_accounts"):
            return [account.pk for account in self.accounts.values()]
        return [self.selected.pk]

    @property
    def several_accounts(self) -> bool:
        return "all_accounts" in self.fields

    @property
    def refined(self) -> bool:
        """Whether a refine box (not the free-text box) is filled, so the page opens them."""
        boxes = (name for name in self.fields if name not in ("text", "all_accounts"))
        return self.is_bound and any(self.data.get(name) for name in boxes)
