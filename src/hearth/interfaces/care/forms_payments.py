"""The care console's payment forms: a reason for each action, and a Bacs report to import."""

from django import forms

REPORT_MAX_BYTES = 20 * 1024 * 1024


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Give the reason: it is kept with the record and the customer may be told it."},
    )


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label="Bacs report (ARUDD, ADDACS or AUDDIS, XML)",
        error_messages={"required": "Choose the report file the bank sent."},
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > REPORT_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; a Bacs report is much smaller. Check the file.")
        return upload
