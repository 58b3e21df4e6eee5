"""The care console's payment forms: a reason for each action, and a Bacs report to import."""

from django import forms

from hearth.domain.payments import operations as payment_ops
from hearth.interfaces.web import plain_forms

REPORT_MAX_BYTES = 20 * 1024 * 1024


class ReasonForm(plain_forms.PlainForm):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Give the reason: it is kept with the record and the customer may be told it."},
    )


class ReportUploadForm(plain_forms.PlainForm):
    file = forms.FileField(
        label="Bacs report (ARUDD, ADDACS or AUDDIS, XML)",
        error_messages={"required": "Choose the report file the bank sent."},
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > REPORT_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; a Bacs report is much smaller. Check the file.")
        return upload


class IndemnityClaimForm(plain_forms.PlainForm):
    collection = forms.TypedChoiceField(
        label="Collection the bank refunded", coerce=int, error_messages={"required": "Choose the collection."}
    )
    reason_code = forms.ChoiceField(
        label="DDICA reason",
        choices=[(code, f"{code}: {words}") for code, words in payment_ops.DDICA_REASONS.items()],
    )
    received_date = forms.DateField(
        label="Day the claim advice arrived",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": "Enter the day the claim advice arrived.", "invalid": "Enter a real date."},
    )
    is_false_claim = forms.BooleanField(label="We dispute it: the claim is false (T&C 10.3)", required=False)
    note = forms.CharField(label="Why (required for a false claim)", max_length=300, required=False)

    def __init__(self, *args: object, collections: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [("", "Choose a collection"), *collections]  # type: ignore[attr-defined]
