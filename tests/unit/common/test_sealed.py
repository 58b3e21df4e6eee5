"""Sealed values open with the keys configured when they are opened: the keys are made ready once per set of keys,
so rotating them (a new key first, the old kept) or withdrawing one takes effect at once."""

import pytest
from cryptography.fernet import Fernet

from hearth.common import sealed

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_value_sealed_with_the_old_key_opens_after_a_new_key_is_put_first():
    token = sealed.seal("66374958", keys=[OLD])

    assert sealed.unseal(token, keys=[OLD]) == "66374958"
    assert sealed.unseal(token, keys=[NEW, OLD]) == "66374958"


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


def test_no_key_is_refused():
    with pytest.raises(ValueError, match="No sealing key"):
        sealed.seal("66374958", keys=[])
