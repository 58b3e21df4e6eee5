"""Sealing secrets at rest: what is sealed opens only with a configured key, and an altered seal never opens."""

import pytest
from cryptography.fernet import Fernet

from hearth.common import sealed

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_a_sealed_file_opens_to_the_same_bytes_and_does_not_show_them() -> None:
    data = b'<MessagingAdvice payer-account-number="66374958" />\n'

    token = sealed.seal_bytes(data, keys=[NEW_KEY])

    assert b"66374958" not in token
    assert sealed.unseal_bytes(token, keys=[NEW_KEY]) == data


def test_a_value_sealed_with_an_older_key_still_opens_after_a_new_key_is_put_in_front() -> None:
    token = sealed.seal("66374958", keys=[OLD_KEY])

    assert sealed.unseal(token, keys=[NEW_KEY, OLD_KEY]) == "66374958"


def test_an_altered_or_foreign_seal_is_refused() -> None:
    token = sealed.seal_bytes(b"66374958", keys=[NEW_KEY])
    altered = token[:-4] + (b"AAAA" if token[-4:] != b"AAAA" else b"BBBB")

    with pytest.raises(sealed.SealBroken):
        sealed.unseal_bytes(altered, keys=[NEW_KEY])
    with pytest.raises(sealed.SealBroken):
        sealed.unseal_bytes(token, keys=[OLD_KEY])
