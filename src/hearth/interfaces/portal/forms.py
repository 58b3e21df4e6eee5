"""The portal's forms: each field's error says what is wrong in plain words."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from hearth.data.accounts.models import Account
from hearth.data.identity.models import User
from hearth.domain.identity import operations as identity_ops
from hearth.interfaces.web import plain_forms


class SignInForm(plain_forms.PlainForm):
    username = forms.CharField(
        label="E-mail address",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "type": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def looks_like_old_name_login(self) -> bool:
        """The old portal signed in with a name; an address without '@' is one of those."""
        return "@" not in self.cleaned_data.get("username", "")


class LoginDetailsForm(plain_forms.PlainForm):
    account_number = forms.CharField(
        label="Account number", max_length=32, help_text="It is on your bills and letters."
    )
    postcode = forms.CharField(label="Postcode of the supply address", max_length=10)
    email = forms.EmailField(label="E-mail address you would like to sign in with", max_length=254)


class ForgotPasswordForm(plain_forms.PlainWords, auth_forms.PasswordResetForm):
    """Only customers' active portal logins can receive a reset e-mail; nobody learns which those are."""

    email = forms.EmailField(
        label="E-mail address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email: str) -> Any:
        return User.objects.filter(email=email.strip().lower(), kind=User.Kind.CUSTOMER, is_active=True)


class AcceptConditionsForm(plain_forms.PlainForm):
    accept = forms.BooleanField(
        label="I have read and accept the Conditions of Use",
        error_messages={
            "required": "Tick the box to accept the Conditions of Use, or sign out if you do not accept them."
        },
    )


class SecurityQuestionForm(plain_forms.PlainForm):
    question = forms.ChoiceField(
        label="Security question",
        choices=[("", "Choose a question"), *User.SecurityQuestion.choices],
        error_messages={"required": "Choose a security question.", "invalid_choice": "Choose one of the questions."},
    )
    answer = forms.CharField(
        label="Your answer",
        max_length=100,
        help_text="Customer care will ask for this when you call us, to check it is you. It never signs you in.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_answer(self) -> str:
        answer: str = self.cleaned_data["answer"]
        if len(" ".join(answer.split())) < 3:
            raise forms.ValidationError("Your answer must be at least 3 characters long.")
        return answer


class ChoosePasswordForm(plain_forms.PlainWords, auth_forms.SetPasswordForm):
    """Sets the password through the identity domain, which also lifts any lock-out and audits the change."""

    def validate_password_for_user(self, user: Any, password_field_name: str = "new_password1") -> None:  # noqa: S107
        """Show each failed password rule beside the new password, not beside its confirmation."""
        super().validate_password_for_user(user, "new_password1")

    def save(self, commit: bool = True) -> User:
        user: User = self.user
        identity_ops.choose_password(user=user, password=self.cleaned_data["new_password1"], now=timezone.now())
        return user


class ChangePasswordForm(auth_forms.PasswordChangeForm, ChoosePasswordForm):
    """'Change password' from the menu: the current password first, then as ChoosePasswordForm."""


class ContactCareForm(plain_forms.PlainForm):
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(),
        label="Which account is this about?",
        required=False,
        empty_label="Not about one account",
    )
    description = forms.CharField(
        label="What is the problem?",
        max_length=5000,
        widget=forms.Textarea,
        help_text="Tell us what you were doing and what happened.",
    )
    screenshot = forms.FileField(
        label="Screenshot (optional)", required=False, help_text="A PNG or JPEG picture of the problem."
    )

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        limit = filesizeformat(settings.HEARTH_SCREENSHOT_MAX_BYTES)
        self.fields["screenshot"].help_text = f"A PNG or JPEG picture of the problem, up to {limit}."
        self.screenshot_content_type = ""

    def clean_screenshot(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("screenshot")
        if not upload:
            return None
        limit = settings.HEARTH_SCREENSHOT_MAX_BYTES
        if upload.size is None or upload.size > limit:
            # filesizeformat: "2.0 MB", or "500 bytes" for a small limit (never "0 MB").
            raise forms.ValidationError(f"The screenshot must be {filesizeformat(limit)} or smaller.")
        try:
            with Image.open(upload) as image:
                image.verify()
                image_format = image.format
        except Image.DecompressionBombError as exc:
            # A header claiming billions of pixels (a decompression bomb) is bad input, not a server error.
            raise forms.ValidationError(
                "The screenshot is too large a picture (too many pixels): attach a picture of your screen."
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise forms.ValidationError("The screenshot must be a PNG or JPEG picture.") from exc
        if image_format not in {"PNG", "JPEG"}:
            raise forms.ValidationError("The screenshot must be a PNG or JPEG picture.")
        upload.seek(0)
        self.screenshot_content_type = "image/png" if image_format == "PNG" else "image/jpeg"
        return upload
