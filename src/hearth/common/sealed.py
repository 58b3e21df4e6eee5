"""Sealing secrets kept at rest (bank account numbers): authenticated encryption with a key from configuration.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) so a sealed value cannot be read or changed without the
key. The key is 32 bytes given as url-safe base64; several keys may be given, newest first, so a key can be rotated:
values sealed with an older key still open, and new values are sealed with the newest.
"""

import functools
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SealBroken(Exception):
    """A sealed value could not be opened: it was changed, or it was sealed with a key no longer configured."""


def _fernet(keys: Sequence[str]) -> MultiFernet:
    return _opened(tuple(keys))


@functools.lru_cache(maxsize=8)
def _opened(keys: tuple[str, ...]) -> MultiFernet:
    """The keys checked and made ready once, not for each value: that costs a fifth of an unsealing, and a day's Bacs
    file unseals every payer's account number."""
    check_keys(keys)
    return MultiFernet([Fernet(key.encode()) for key in keys])


def check_keys(keys: Sequence[str]) -> None:
    """Refuse, at start-up rather than at the first seal, keys that cannot seal anything.

    :raises ValueError: if there is no key, or one is not 32 bytes in url-safe base64 (counted from 1, newest first).
    """
    if not keys:
        raise ValueError("No sealing key is configured.")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ValueError(f"Key {position} is not a Fernet key (32 bytes in url-safe base64).") from exc


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
