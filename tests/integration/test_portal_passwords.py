"""Passwords in the portal: forgot password (FAQ 8), change password (FAQ 12), the rules (FAQ 9), logs."""

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from time_machine import TimeMachineFixture

from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import User

pytestmark = pytest.mark.django_db

UNREGISTERED = "not.registered@example.com"
NEW_PASSWORD = "Bright7Morning"


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def _reset_through_the_link(client: Client, path: str, password: str = NEW_PASSWORD) -> Any:
    """Open the e-mailed link and choose a password, as the customer does; returns the final response."""
    form_page = client.get(path, follow=True)
    assert 'name="new_password1"' in _text(form_page), "the reset link did not open the form"
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


# --- Forgot password (FAQ 8) ---------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_registered_and_unregistered_addresses(
    client: Client, customer_login: User, remove_csrf: Any
) -> None:
    registered = client.post("/password/forgot/", {"email": customer_login.email}, follow=True)
    unregistered = Client().post("/password/forgot/", {"email": UNREGISTERED}, follow=True)

    assert registered.redirect_chain == unregistered.redirect_chain
    assert registered.status_code == unregistered.status_code == 200
    assert remove_csrf(registered.content.decode()) == remove_csrf(unregistered.content.decode())
    # The screen tells people who get no e-mail what to do (FAQ 8).
    assert "Only e-mail addresses with a Customer Portal login receive this e-mail" in _text(registered)


def test_a_registered_address_receives_one_e_mail_with_a_reset_link(
    client: Client, customer_login: User, mailoutbox: list[mail.EmailMessage]
) -> None:
    client.post("/password/forgot/", {"email": customer_login.email.upper()})

    assert [message.to for message in mailoutbox] == [[customer_login.email]]
    assert re.search(r"https?://\S+/password/reset/\S+/\S+/", str(mailoutbox[0].body))


@pytest.mark.parametrize("who", ["unregistered", "staff"])
def test_an_address_without_a_portal_login_receives_nothing(
    client: Client, build: Any, mailoutbox: list[mail.EmailMessage], who: str
) -> None:
    address = UNREGISTERED
    if who == "staff":
        address = build.staff_login("casey@hearth.example", "CareConsole2026").email

    response = client.post("/password/forgot/", {"email": address})

    assert response.status_code == 302
    assert mailoutbox == []


def test_the_reset_link_works_once(customer_login: User, read_mail: Any, sign_in: Any) -> None:
    Client().post("/password/forgot/", {"email": customer_login.email})
    link = read_mail.reset_path(customer_login.email)

    assert _reset_through_the_link(Client(), link).status_code == 302
    second_use = Client().get(link, follow=True)

    assert "This link no longer works" in _text(second_use)
    assert 'name="new_password1"' not in _text(second_use)
    assert sign_in(Client(), customer_login.email, NEW_PASSWORD).status_code == 302


def test_the_reset_link_expires_after_an_hour(
    customer_login: User, password: str, read_mail: Any, sign_in: Any, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    Client().post("/password/forgot/", {"email": customer_login.email})
    link = read_mail.reset_path(customer_login.email)

    time_machine.shift(timedelta(minutes=59))
    assert 'name="new_password1"' in _text(Client().get(link, follow=True))  # still valid before the hour
    time_machine.shift(timedelta(minutes=2))
    late = Client().get(link, follow=True)

    assert "This link no longer works" in _text(late)
    assert sign_in(Client(), customer_login.email, password).status_code == 302  # password unchanged


def test_resetting_the_password_ends_the_logins_other_sessions(
    signed_in: Client, customer_login: User, read_mail: Any, sign_in: Any
) -> None:
    assert _signed_in(signed_in)
    Client().post("/password/forgot/", {"email": customer_login.email})

    _reset_through_the_link(Client(), read_mail.reset_path(customer_login.email))

    response = signed_in.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_reset_password_must_meet_the_rules_and_each_failed_rule_is_named(
    customer_login: User, read_mail: Any
) -> None:
    Client().post("/password/forgot/", {"email": customer_login.email})
    person = Client()
    form_page = person.get(read_mail.reset_path(customer_login.email), follow=True)

    response = person.post(form_page.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"})

    page = _text(response)
    assert response.status_code == 200
    assert "at least 8 characters" in page
    assert "capital letter" in page
    assert "numbers" in page


# --- Change password (FAQ 12) --------------------------------------------------------------------


def _change(client: Client, old: str, new: str) -> Any:
    return client.post("/password/change/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_change_password_needs_the_current_password(
    signed_in: Client, customer_login: User, password: str, sign_in: Any
) -> None:
    response = _change(signed_in, "Not4TheCurrent", NEW_PASSWORD)

    assert response.status_code == 200
    assert "old password was entered incorrectly" in _text(response)
    assert sign_in(Client(), customer_login.email, password).status_code == 302
    assert sign_in(Client(), customer_login.email, NEW_PASSWORD).status_code == 200


def test_change_password_keeps_this_session_and_ends_the_others(
    customer_login: User, password: str, sign_in: Any
) -> None:
    here, elsewhere = Client(), Client()
    sign_in(here, customer_login.email, password)
    sign_in(elsewhere, customer_login.email, password)

    response = _change(here, password, NEW_PASSWORD)

    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert sign_in(Client(), customer_login.email, NEW_PASSWORD).status_code == 302
    assert sign_in(Client(), customer_login.email, password).status_code == 200


def test_a_100_character_password_is_accepted_and_not_truncated(
    signed_in: Client, customer_login: User, password: str, sign_in: Any
) -> None:
    long_password = ("Correct7Horse" * 8)[:100]
    assert len(long_password) == 100

    assert _change(signed_in, password, long_password).status_code == 302

    assert sign_in(Client(), customer_login.email, long_password).status_code == 302
    assert sign_in(Client(), customer_login.email, long_password[:64]).status_code == 200
    assert sign_in(Client(), customer_login.email, long_password[:99]).status_code == 200


# --- Logs carry no secrets -----------------------------------------------------------------------


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        lines.append(repr(record.__dict__))
    return "\n".join(lines)


def test_logs_carry_no_passwords_temporary_passwords_or_reset_tokens(
    build: Any,
    household: Any,
    customer_login: User,
    password: str,
    read_mail: Any,
    sign_in: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    newcomer = build.new_login(household.gas, "newcomer@example.com")
    temporary = read_mail.temporary_password(newcomer.email)
    sign_in(Client(), newcomer.email, temporary)
    sign_in(Client(), customer_login.email, "Wrong4Guess")
    sign_in(Client(), customer_login.email, password)
    Client().post("/password/forgot/", {"email": customer_login.email})
    link = read_mail.reset_path(customer_login.email)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    _reset_through_the_link(Client(), link)
    Client().get(link, follow=True)  # the used link, refused
    sign_in(Client(), customer_login.email, NEW_PASSWORD)

    logged = _everything_logged(caplog)
    assert caplog.records, "nothing was logged: the test would prove nothing"
    for secret in (temporary, "Wrong4Guess", password, token, NEW_PASSWORD):
        assert secret not in logged


def test_every_password_change_is_audited_without_the_password(
    signed_in: Client, customer_login: User, password: str, read_mail: Any
) -> None:
    _change(signed_in, password, NEW_PASSWORD)
    Client().post("/password/forgot/", {"email": customer_login.email})
    _reset_through_the_link(Client(), read_mail.reset_path(customer_login.email), password="Third3Time")

    events = AuditEvent.objects.filter(action="login.password_changed", subject=customer_login.email)
    assert events.count() == 2
    assert {event.actor for event in events} == {customer_login}
    recorded = repr(list(events.values()))
    for secret in (password, NEW_PASSWORD, "Third3Time"):
        assert secret not in recorded
