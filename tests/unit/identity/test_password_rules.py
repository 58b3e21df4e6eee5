"""The portal's password rules (FAQ 9, 12; QUALITY.md): each failed rule named, long passwords kept whole.

No database: the validators and the hasher work on an unsaved login.
"""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from hearth.data.identity.models import User
from hearth.domain.identity.passwords import PortalPasswordRulesValidator

EMAIL = "jo.bloggs@example.com"

# The words a customer reads that name each rule.
RULE_WORDS = {
    "too short": "8 characters",
    "no capital": "capital",
    "no number": "at least one number",
    "no letter": "at least one letter",
    "common": "common",
    "similar to e-mail": "similar",
}


def _login() -> User:
    return User(email=EMAIL, kind=User.Kind.CUSTOMER)


def _messages(password: str) -> list[str]:
    try:
        validate_password(password, _login())
    except ValidationError as error:
        return list(error.messages)
    return []


def _rules_named(messages: list[str]) -> set[str]:
    return {rule for rule, word in RULE_WORDS.items() if any(word in message for message in messages)}


@pytest.mark.parametrize(
    ("password", "broken"),
    [
        ("Ab1cD2e", {"too short"}),  # 7 characters
        ("kettle4lamp9", {"no capital"}),
        ("KettleLampOn", {"no number"}),
        ("40718263", {"no capital", "no letter"}),
        ("a1", {"too short", "no capital"}),
        ("!!!!", {"too short", "no capital", "no letter", "no number"}),
        ("Password1", {"common"}),
        ("JoBloggs12", {"similar to e-mail"}),
    ],
)
def test_each_failed_password_rule_is_named(password: str, broken: set[str]) -> None:
    messages = _messages(password)

    assert _rules_named(messages) == broken, messages
    assert len(messages) == len(broken)  # one message per broken rule, nothing else


@pytest.mark.parametrize("password", ["Kettle4Lamp", "ORCHARD7LANE", "Zz9zzzzz", "É9éééééé"])
def test_a_password_that_meets_the_faq_rules_is_accepted(password: str) -> None:
    assert _messages(password) == []


def test_the_portal_rules_alone_name_capital_letters_and_numbers_separately() -> None:
    validator = PortalPasswordRulesValidator()
    with pytest.raises(ValidationError) as caught:
        validator.validate("lowercaseonly")

    assert _rules_named(caught.value.messages) == {"no capital", "no number"}
    assert "capital" in validator.get_help_text()


def test_a_100_character_password_is_accepted_and_not_truncated() -> None:
    long_password = ("Correct7Horse" * 8)[:100]
    assert len(long_password) == 100
    assert _messages(long_password) == []
    login = _login()

    login.set_password(long_password)

    assert login.password.startswith("argon2$argon2id$")  # Argon2id (QUALITY.md)
    assert login.check_password(long_password)
    assert not login.check_password(long_password[:64])
    assert not login.check_password(long_password[:99])
    assert not login.check_password(long_password + "x")


def test_passwords_are_case_sensitive() -> None:
    login = _login()
    login.set_password("Kettle4Lamp")

    assert login.check_password("Kettle4Lamp")
    assert not login.check_password("kettle4lamp")
    assert not login.check_password("KETTLE4LAMP")
