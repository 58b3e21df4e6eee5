"""Who can sign in: customers' portal logins (an e-mail address) and care staff."""

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models

from hearth.data.accounts.models import Account


class UserManager(BaseUserManager["User"]):
    """Creates users keyed on a normalised (lower-case) e-mail address."""

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        user = self.model(email=normalise_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(kind=User.Kind.STAFF, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively: store them lower-case and trimmed."""
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Customers sign in to the portal; staff sign in to the care console with a second factor."""

    class Kind(models.TextChoices):
        CUSTOMER = "CUSTOMER", "Customer portal login"
        STAFF = "STAFF", "Customer-care staff"

    class CareRole(models.TextChoices):
        """What a staff login does in customer care, and so what it may see (ADR 0019). Customers have none."""

        AGENT = "AGENT", "Care agent"
        VULNERABILITY = "VULNERABILITY", "Vulnerability team"
        SUPERVISOR = "SUPERVISOR", "Supervisor"

    class SecurityQuestion(models.TextChoices):
        FIRST_SCHOOL = "FIRST_SCHOOL", "What was the name of your first school?"
        BIRTH_TOWN = "BIRTH_TOWN", "In which town or city were you born?"
        FIRST_PET = "FIRST_PET", "What was the name of your first pet?"
        MOTHER_MAIDEN = "MOTHER_MAIDEN", "What is your mother's maiden name?"
        FIRST_CAR = "FIRST_CAR", "What was the make of your first car?"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CUSTOMER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    care_role = models.CharField(max_length=16, choices=CareRole.choices, blank=True, help_text="Staff logins only")
    created_at = models.DateTimeField(auto_now_add=True)

    # Activation: a login is not activated until its first login walks the steps (FAQ 2, 6).
    must_choose_password = models.BooleanField(default=False)
    temporary_password_expires_at = models.DateTimeField(null=True, blank=True)
    first_login_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    # Used only by care staff to check a caller; stored hashed like a password; never logs anyone in.
    security_question = models.CharField(max_length=16, choices=SecurityQuestion.choices, blank=True)
    security_answer_hash = models.CharField(max_length=256, blank=True)
    security_answer_set_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="STAFF") | models.Q(is_staff=False), name="only_staff_kind_is_staff"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="STAFF") | models.Q(care_role=""), name="only_staff_have_a_care_role"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class AccountLink(models.Model):
    """A login's access to an account, with the role it holds there (T&C 15.7 authorised persons)."""

    class Role(models.TextChoices):
        HOLDER = "HOLDER", "Account holder"
        AUTHORISED = "AUTHORISED", "Authorised person"
        VIEWER = "VIEWER", "Viewer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_links")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="login_links")
    role = models.CharField(max_length=12, choices=Role.choices)
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="account_link_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.account} as {self.get_role_display()}"


class ConditionsAcceptance(models.Model):
    """A login's acceptance of one version of the portal's Conditions of Use."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="conditions_acceptances")
    version = models.CharField(max_length=32)
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="conditions_accepted_once")]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.version} at {self.accepted_at:%Y-%m-%d %H:%M}"


class ApiKey(models.Model):
    """A portal login's key for the REST API, used as the HTTP Basic user name with an empty password.

    Only the SHA-256 hash of the key is kept, never the key itself: it is shown once, when made. A plain (fast)
    hash is enough here, unlike for passwords: the key is 40 random letters and digits (about 238 bits), so no
    dictionary or brute-force search of the hash can find it, and a slow hash (Argon2) would only add its cost to
    every API request. ``prefix`` (the key's first 8 characters) is shown so a person can tell their keys apart,
    and is how a presented key is looked up before its hash is compared in constant time.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="What the customer uses it for, e.g. 'Home Assistant'")
    prefix = models.CharField(max_length=8, help_text="The key's first 8 characters, shown to tell keys apart")
    key_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole key, lower-case hex")
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix"], name="api_key_prefix_unique"),
            models.UniqueConstraint(fields=["key_hash"], name="api_key_hash_unique"),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_at__gte=models.F("created_at")),
                name="api_key_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"API key {self.prefix}… '{self.name}' of {self.user_id} ({state})"
