"""The "Set delivery rules" form (FAQ 13): a row per document type, a tick box per channel.

The form only reads the boxes; whether a choice is allowed is the domain's to say
(:func:`hearth.domain.documents.rules.apply_rules`), and its refusals are shown beside the row they are about.
"""

from dataclasses import dataclass
from typing import Any, Final

from django import forms

from hearth.data.documents.models import DocumentType
from hearth.domain.documents import rules
from hearth.interfaces.web import plain_forms

CHANNEL_LABELS: Final = {
    "email_notification": "E-mail notification",
    "email_attachment": "PDF attached to the e-mail",
    "post": "Paper copy by post",
}
"""The channels in the order the dialog shows them, named as the FAQ names them."""


@dataclass(frozen=True, slots=True)
class Box:
    """One tick box as the template writes it: the markup Django's ``CheckboxInput`` would render (none of these
    fields is required, has help text or an error of its own), without a widget template per box (ADR 0028)."""

    name: str
    id: str
    label: str
    checked: bool


@dataclass(frozen=True)
class RuleFields:
    """One document type's row of the form: its tick boxes and any refusal of them."""

    document_type: DocumentType
    boxes: list[Box]
    errors: list[str]

    @property
    def first_id(self) -> str:
        """Where the error summary's link for this row points."""
        return self.boxes[0].id


def _field_name(code: str, channel: str) -> str:
    return f"{code}__{channel}"


class DeliveryRulesForm(plain_forms.PlainForm):
    """A tick box per document type and channel, ticked as the login's rules are now."""

    def __init__(self, *args: Any, rows: list[rules.RuleRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule_rows = rows
        self._refusals: dict[str, str] = {}
        for row in rows:
            for channel, label in CHANNEL_LABELS.items():
                name = _field_name(row.document_type.code, channel)
                self.fields[name] = forms.BooleanField(label=label, required=False)
                self.initial[name] = getattr(row.channels, channel)

    def chosen(self) -> dict[str, rules.Channels]:
        """The ticked boxes as channels per document type code (call after ``is_valid``)."""
        return {
            row.document_type.code: rules.Channels(
                **{
                    channel: bool(self.cleaned_data[_field_name(row.document_type.code, channel)])
                    for channel in CHANNEL_LABELS
                }
            )
            for row in self.rule_rows
        }

    def refuse(self, refused: rules.RulesRefused) -> None:
        """Show the domain's reasons beside their rows (and in the summary at the top)."""
        for code, message in refused.problems.items():
            if any(row.document_type.code == code for row in self.rule_rows):
                self._refusals[code] = message
            else:
                self.add_error(None, message)

    @property
    def refused(self) -> bool:
        return bool(self._refusals) or bool(self.non_field_errors())

    def _box(self, name: str) -> Box:
        field = self[name]
        return Box(field.html_name, field.id_for_label, str(field.label), field.field.widget.check_test(field.value()))

    def rows(self) -> list[RuleFields]:
        return [
            RuleFields(
                document_type=row.document_type,
                boxes=[self._box(_field_name(row.document_type.code, channel)) for channel in CHANNEL_LABELS],
                errors=[self._refusals[row.document_type.code]] if row.document_type.code in self._refusals else [],
            )
            for row in self.rule_rows
        ]
