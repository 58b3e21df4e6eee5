"""The Priority Services Register form the portal and the care console share (T&C 20.4; ADR 0019).

The needs come from the one list (``priority.needs``), temporary ones with a last day. Registration needs the
customer's agreement; sharing with network operators is a second, separate one. Health details and the password for
visits are optional; left empty, a change keeps what was given before. Each page has its own words: the portal
speaks to the customer ("you"), the console to staff ("the customer").
"""

from datetime import date, datetime
from typing import Any

from django import forms

from hearth.data.accounts.models import Customer
from hearth.data.identity.models import User
from hearth.data.priority.models import Registration
from hearth.domain.priority import operations as priority_ops
from hearth.domain.priority.needs import NEEDS
from hearth.interfaces.web import plain_forms
from hearth.interfaces.web.forms_moving import date_field

PORTAL_WORDS = {
    "consent": "I agree to be on the Priority Services Register, and for you to keep what I tell you here",
    "share_consent": "I agree that you share my needs with my electricity and gas network operators, so they can "
    "help in a power cut or gas emergency",
    "health_details": "Anything else about your health we should know (optional)",
    "health_details_hint": "Only our vulnerability team can read this. We do not share it with anyone.",
    "visit_password": "A password for visits (optional)",
    "visit_password_hint": "Anyone we send to your home will say it, so you know they are from us.",
}
CARE_WORDS = {
    "consent": "The customer agreed to be on the register, and for us to keep what they told us",
    "share_consent": "The customer agreed that we share their needs with their network operators",
    "health_details": "Health details the customer gave (optional)",
    "health_details_hint": "Sealed; shown only to the vulnerability team and supervisors. Empty keeps what is held.",
    "visit_password": "Password for visits (optional)",
    "visit_password_hint": "Empty keeps the password held.",
}


class RegistrationForm(plain_forms.PlainForm):
    """Needs, the last day of a temporary need, consent, and the optional sealed details."""

    needs = forms.MultipleChoiceField(
        label="Needs",
        choices=[(need.code, f"{need.name} ({need.code})") for need in NEEDS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one need."},
    )
    needs_until = date_field(
        "Last day of the temporary need",
        help_text="Only for a temporary need (life changes, recovery after hospital, a householder under 18).",
    )
    health_details = forms.CharField(
        required=False, max_length=priority_ops.HEALTH_DETAILS_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    visit_password = forms.CharField(required=False, max_length=priority_ops.VISIT_PASSWORD_MAX)
    consent = forms.BooleanField(required=False)
    share_consent = forms.BooleanField(required=False)

    def __init__(self, *args: Any, words: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("consent", "share_consent", "health_details", "visit_password"):
            self.fields[name].label = words[name]
        self.fields["health_details"].help_text = words["health_details_hint"]
        self.fields["visit_password"].help_text = words["visit_password_hint"]
        self.fields["visit_password"].widget.attrs["autocomplete"] = "off"

    @staticmethod
    def initial_from(registration: Registration | None) -> dict[str, object]:
        """The form filled from the open registration (never its sealed details)."""
        if registration is None:
            return {}
        until = [date.fromisoformat(value) for value in registration.needs_until.values()]
        return {
            "needs": list(registration.needs),
            "needs_until": min(until) if until else None,
            "share_consent": registration.share_consent_at is not None,
        }

    def needs_until_by_code(self) -> dict[str, date]:
        """The last day given, for each temporary need chosen."""
        last_day = self.cleaned_data.get("needs_until")
        if last_day is None:
            return {}
        temporary = {need.code for need in NEEDS if need.temporary}
        return {code: last_day for code in self.cleaned_data["needs"] if code in temporary}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("needs_until") and cleaned.get("needs") and not self.needs_until_by_code():
            self.add_error("needs_until", "A last day is only for a temporary need; choose one, or leave it empty.")
        return cleaned

    def register(
        self, *, customer: Customer, source: Registration.Source, consent_note: str, actor: User, now: datetime
    ) -> Registration | None:
        """Make the registration from the valid form, or show the domain's refusal beside its field (None)."""
        data = self.cleaned_data
        try:
            return priority_ops.register(
                customer=customer,
                needs=data["needs"],
                needs_until=self.needs_until_by_code(),
                consent=data["consent"],
                share_consent=data["share_consent"],
                consent_note=consent_note,
                health_details=data["health_details"] or None,
                visit_password=data["visit_password"] or None,
                source=source,
                actor=actor,
                now=now,
            )
        except priority_ops.RegistrationRefused as exc:
            self.add_error(exc.field if exc.field in self.fields else None, str(exc))
            return None
