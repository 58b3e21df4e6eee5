"""Sealing secrets kept at rest (bank account numbers): authenticated encryption with a key from configuration.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) so a sealed value cannot be read or changed without the
key. The key is 32 bytes given as url-safe base64; several keys may be given, newest first, so a key can be rotated:
values sealed with an older key still open, and new values are sealed with the newest.
"""

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SealBroken(Exception):
    """A sealed value could not be opened: it was changed, or it was sealed with a key no longer configured."""


def _fernet(keys: Sequence[str]) -> MultiFernet:
    if not keys:
        raise ValueError("No sealing key is configured.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def seal(value: str, *, keys: Sequence[str]) -> str:
    """``value`` encrypted with the newest key, as text safe to store."""
    return seal_bytes(value.encode(), keys=keys).decode()


def unseal(token: str, *, keys: Sequence[str]) -> str:
    """The value behind ``token``.

    :raises SealBroken: if no configured key opens it or it was altered.
    """
    return unseal_bytes(token.encode(), keys=keys).decode()


def seal_bytes(value: bytes, *, keys: Sequence[str]) -> bytes:
    """``value`` (a whole file that carries secrets) encrypted with the newest key."""
    return _fernet(keys).encrypt(value)


def unseal_bytes(token: bytes, *, keys: Sequence[str]) -> bytes:
    """The bytes behind ``token``.

    :raises SealBroken: if no configured key opens it or it was altered.
    """
    try:
        return _fernet(keys).decrypt(token)
    except (InvalidToken, ValueError) as exc:
        raise SealBroken("The sealed value cannot be opened with the configured keys.") from exc
