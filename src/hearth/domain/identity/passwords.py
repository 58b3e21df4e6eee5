"""The portal's password rules (FAQ 9 and 12), as a Django password validator."""

from typing import Any

from django.core.exceptions import ValidationError


class PortalPasswordRulesValidator:
    """At least one capital letter and a mixture of letters and numbers; each failed rule is named.

    Length (at least 8) is Django's MinimumLengthValidator; nothing truncates or caps long passwords.
    """

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if not any(c.isupper() for c in password):
            errors.append(ValidationError("Your password must contain at least one capital letter.", code="no_capital"))
        if not any(c.isalpha() for c in password):
            errors.append(
                ValidationError(
                    "Your password must contain at least one letter (a mixture of letters and numbers).",
                    code="no_letter",
                )
            )
        if not any(c.isdigit() for c in password):
            errors.append(
                ValidationError(
                    "Your password must contain at least one number (a mixture of letters and numbers).",
                    code="no_number",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return "Use at least one capital letter and a mixture of letters and numbers."
