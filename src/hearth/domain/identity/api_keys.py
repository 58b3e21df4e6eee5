"""API keys: a portal login's credential for the REST API (HTTP Basic, the key as user name, empty password).

A key is 40 random letters and digits, shown to the customer once when it is made. Hearth keeps only its SHA-256
hash (see :class:`hearth.data.identity.models.ApiKey` for why a fast hash is right for random keys) and its first
8 characters, the *prefix*, which finds the stored key before the hashes are compared in constant time.

A key acts for its login: it reaches the accounts linked to that login, as they are linked at the time of each
request. Revoking a key takes effect at the next request. Care staff logins cannot have keys.
"""

import hashlib
import hmac
import secrets
import string
from datetime import datetime, timedelta
from typing import Final

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from hearth.data.accounts.models import Customer
from hearth.data.identity.models import ApiKey, User
from hearth.domain.audit import operations as audit
from hearth.domain.identity import queries as identity_queries

KEY_LENGTH: Final = 40
PREFIX_LENGTH: Final = 8
NAME_MAX_LENGTH: Final = 100
MAX_ACTIVE_KEYS: Final = 10
"""A login may hold this many keys that are not revoked: enough for every app a household uses."""

LAST_USED_RESOLUTION: Final = timedelta(minutes=5)
"""`last_used_at` is written at most this often, so that a busy client does not write on every request."""

_ALPHABET: Final = string.ascii_letters + string.digits
_UNUSED_HASH: Final = hashlib.sha256(b"no key has this hash").hexdigest()


class ApiKeyRefused(Exception):
    """The key cannot be made or changed; the message says why, in words a customer understands."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(KEY_LENGTH))


def keys_of(*, user: User) -> QuerySet[ApiKey]:
    """The login's keys, newest first, revoked ones included (so the customer sees when each stopped)."""
    return ApiKey.objects.filter(user=user).order_by("-created_at", "-id")


def key_of(*, user: User, key_id: int) -> ApiKey | None:
    """One of the login's own keys by id; None for a key of another login (the portal answers 404)."""
    return ApiKey.objects.filter(user=user, pk=key_id).first()


def _customer_of(user: User) -> Customer | None:
    account = identity_queries.linked_accounts(user=user).first()
    return account.customer if account else None


@transaction.atomic
def create_api_key(*, user: User, name: str, now: datetime) -> tuple[ApiKey, str]:
    """Make a key for a portal login and return it with its plain text, which is never available again.

    :raises ApiKeyRefused: for a staff or inactive login, an empty or over-long name, or too many active keys.
    """
    if user.kind != User.Kind.CUSTOMER or user.is_staff:
        raise ApiKeyRefused("API keys are for customers' portal logins; care staff logins cannot have them.")
    if not user.is_active:
        raise ApiKeyRefused("This login is not active, so it cannot have API keys.")
    label = " ".join(name.split())
    if not label:
        raise ApiKeyRefused("Give the key a name, so you can tell what uses it (for example 'Home Assistant').")
    if len(label) > NAME_MAX_LENGTH:
        raise ApiKeyRefused(f"The name can be at most {NAME_MAX_LENGTH} characters; it has {len(label)}.")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per login (the limit)
    if ApiKey.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_KEYS:
        raise ApiKeyRefused(
            f"You already have {MAX_ACTIVE_KEYS} active keys, the most a login may have. Revoke one you no longer use."
        )
    while True:
        plaintext = _new_key()
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    user=user,
                    name=label,
                    prefix=plaintext[:PREFIX_LENGTH],
                    key_hash=_hash(plaintext),
                    created_at=now,
                )
        except IntegrityError:  # the prefix is taken (about one chance in 10^14): draw again
            continue
        break
    audit.record(
        actor=user,
        action="api_key.created",
        subject=f"API key {key.prefix}… '{label}' of {user.email}",
        customer=_customer_of(user),
        after={"prefix": key.prefix, "name": label},
        at=now,
    )
    return key, plaintext


@transaction.atomic
def revoke_api_key(*, key: ApiKey, by: User, now: datetime) -> ApiKey:
    """Revoke a key: it stops working at once. Revoking a revoked key changes nothing.

    :raises ApiKeyRefused: if ``by`` is neither the key's login nor care staff.
    """
    if key.user_id != by.pk and by.kind != User.Kind.STAFF:
        raise ApiKeyRefused("Only the login that owns a key can revoke it.")
    locked = ApiKey.objects.select_for_update().select_related("user").get(pk=key.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = now
    locked.save(update_fields=["revoked_at"])
    audit.record(
        actor=by,
        action="api_key.revoked",
        subject=f"API key {locked.prefix}… '{locked.name}' of {locked.user.email}",
        customer=_customer_of(locked.user),
        before={"revoked_at": None},
        after={"revoked_at": now.isoformat()},
        at=now,
    )
    key.revoked_at = now
    return locked


def authenticate_api_key(*, presented: str, now: datetime) -> User | None:
    """The login a presented key belongs to, or None if it is not a current key of an active customer login.

    The stored key is found by its prefix, then the SHA-256 hashes are compared with :func:`hmac.compare_digest`,
    so the time taken does not tell how much of a guess was right. Keys of revoked, staff or inactive logins fail.
    """
    if len(presented) != KEY_LENGTH or not (presented.isascii() and presented.isalnum()):
        return None  # not the shape of any key (and nothing odd, such as NUL, reaches the database)
    presented_hash = _hash(presented)
    key = ApiKey.objects.filter(prefix=presented[:PREFIX_LENGTH]).select_related("user").first()
    if key is None:
        hmac.compare_digest(presented_hash, _UNUSED_HASH)  # the same work as for a known prefix
        return None
    if not hmac.compare_digest(presented_hash, key.key_hash):
        return None
    if key.revoked_at is not None and key.revoked_at <= now:
        return None
    user = key.user
    if not user.is_active or user.kind != User.Kind.CUSTOMER or user.is_staff:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return user
