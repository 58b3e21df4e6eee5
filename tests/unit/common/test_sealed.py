"""Sealed bank details: only the configured keys open them, a rotated-out key still opens what it sealed, and keys
that cannot seal are refused when they are checked rather than at the first seal."""

import pytest
from cryptography.fernet import Fernet

from hearth.common import sealed

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_value_sealed_with_an_older_key_still_opens_after_a_new_key_is_put_in_front():
    token = sealed.seal("31926819", keys=[OLD])
    assert "31926819" not in token
    assert sealed.unseal(token, keys=[NEW, OLD]) == "31926819"


def test_a_value_sealed_with_a_key_no_longer_configured_does_not_open():
    token = sealed.seal("31926819", keys=[OLD])
    with pytest.raises(sealed.SealBroken):
        sealed.unseal(token, keys=[NEW])


def test_no_key_at_all_is_refused():
    with pytest.raises(ValueError, match="No sealing key is configured"):
        sealed.check_keys([])


def test_a_key_that_is_not_32_bytes_of_url_safe_base64_is_refused_by_its_position():
    with pytest.raises(ValueError, match="Key 2 is not a Fernet key"):
        sealed.check_keys([NEW, "not-a-fernet-key"])
    sealed.check_keys([NEW, OLD])


def test_new_values_are_sealed_with_the_newest_key():
    token = sealed.seal("88837491", keys=[NEW, OLD])

    assert sealed.unseal(token, keys=[NEW]) == "88837491"
    with pytest.raises(sealed.SealBroken):
        sealed.unseal(token, keys=[OLD])


def test_a_withdrawn_key_no_longer_opens_what_it_sealed_though_it_opened_it_before():
    token = sealed.seal("63748472", keys=[OLD])
    assert sealed.unseal(token, keys=[NEW, OLD]) == "63748472"

    with pytest.raises(sealed.SealBroken):
        sealed.unseal(token, keys=[NEW])


def test_a_sealed_file_opens_to_the_same_bytes_and_does_not_show_them() -> None:
    data = b'<MessagingAdvice payer-account-number="66374958" />\n'

    token = sealed.seal_bytes(data, keys=[NEW])

    assert b"66374958" not in token
    assert sealed.unseal_bytes(token, keys=[NEW]) == data


def test_an_altered_or_foreign_seal_is_refused() -> None:
    token = sealed.seal_bytes(b"66374958", keys=[NEW])
    altered = token[:-4] + (b"AAAA" if token[-4:] != b"AAAA" else b"BBBB")

    with pytest.raises(sealed.SealBroken):
        sealed.unseal_bytes(altered, keys=[NEW])
    with pytest.raises(sealed.SealBroken):
        sealed.unseal_bytes(token, keys=[OLD])
