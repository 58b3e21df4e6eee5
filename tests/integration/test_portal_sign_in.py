"""Signing in to the Customer Portal: the FAQ's login errors (7, 10, 11), throttling and session limits."""

import re
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client
from django.utils import timezone
from time_machine import TimeMachineFixture

from hearth.data.identity.models import User

pytestmark = pytest.mark.django_db

UNKNOWN = "nobody.here@example.com"


def _body(response: Any) -> str:
    return response.content.decode()


def _signed_in(client: Client) -> bool:
    """Whether the client can reach the dashboard (it is sent to the sign-in page when not)."""
    response = client.get("/")
    return response.status_code == 200


def _problem(response: Any) -> str:
    """The message at the top of the sign-in page that says what went wrong."""
    found = re.search(r'<div class="error-summary"[^>]*id="sign-in-problem">(.*?)</div>', _body(response), re.S)
    assert found, "no problem shown on the sign-in page"
    return re.sub(r"\s+", " ", found.group(1))


def _same_page(html: str, typed_address: str, remove_csrf: Any) -> str:
    """The page with what differs by design taken out: the CSRF token and the address the person typed."""
    return remove_csrf(html).replace(typed_address, "<typed address>")


# --- Login errors (FAQ 7, 10, 11) ---------------------------------------------------------------


def test_wrong_password_and_unknown_address_get_the_same_answer(
    client: Client, customer_login: User, sign_in: Any, remove_csrf: Any
) -> None:
    wrong_password = sign_in(client, customer_login.email, "Wrong4Password")
    unknown_address = sign_in(Client(), UNKNOWN, "Wrong4Password")

    assert wrong_password.status_code == unknown_address.status_code == 200
    assert _same_page(_body(wrong_password), customer_login.email, remove_csrf) == _same_page(
        _body(unknown_address), UNKNOWN, remove_csrf
    )
    assert not _signed_in(client)


def test_sign_in_error_lists_the_faq_checks_and_the_configured_care_address(
    client: Client, customer_login: User, sign_in: Any, settings: Any
) -> None:
    settings.HEARTH_BRAND = {**settings.HEARTH_BRAND, "care_email": "help.desk@supplier.example"}

    problem = _problem(sign_in(client, customer_login.email, "Wrong4Password"))

    assert "e-mail address your login details were sent to" in problem  # FAQ 11: is the address registered?
    assert "case sensitive" in problem  # FAQ 7, 11: the password is case sensitive
    assert 'href="mailto:help.desk@supplier.example"' in problem  # FAQ 7, 11: the configured care address


def test_a_name_instead_of_an_email_address_is_told_to_sign_in_with_an_email_address(
    client: Client, sign_in: Any
) -> None:
    response = sign_in(client, "Jo Bloggs", "Whatever1")

    problem = _problem(response)
    assert response.status_code == 200
    assert "Sign in with your e-mail address" in problem
    assert 'href="/login-details/"' in problem  # FAQ 10: how to get new login details
    assert "The e-mail address or password is not right" not in _body(response)


def test_passwords_are_case_sensitive(password: str, client: Client, customer_login: User, sign_in: Any) -> None:
    assert password.swapcase() != password

    response = sign_in(client, customer_login.email, password.swapcase())

    assert response.status_code == 200
    assert "The e-mail address or password is not right" in _body(response)
    assert not _signed_in(client)
    assert sign_in(client, customer_login.email, password).status_code == 302


def test_email_addresses_are_case_insensitive(
    password: str, client: Client, customer_login: User, sign_in: Any
) -> None:
    typed = "  JO.Bloggs@EXAMPLE.com "

    response = sign_in(client, typed, password)

    assert response.status_code == 302
    assert _signed_in(client)


def test_staff_login_cannot_sign_in_to_the_portal(client: Client, build: Any, sign_in: Any, remove_csrf: Any) -> None:
    staff = build.staff_login("casey@hearth.example", "CareConsole2026")

    staff_answer = sign_in(client, staff.email, "CareConsole2026")
    unknown_answer = sign_in(Client(), UNKNOWN, "CareConsole2026")

    assert staff_answer.status_code == unknown_answer.status_code == 200
    assert _same_page(_body(staff_answer), staff.email, remove_csrf) == _same_page(
        _body(unknown_answer), UNKNOWN, remove_csrf
    )
    assert "_auth_user_id" not in client.session


def test_expired_temporary_password_is_refused_with_the_expiry_message(
    client: Client, build: Any, household: Any, read_mail: Any, sign_in: Any, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    login = build.new_login(household.electricity, "new.customer@example.com")
    temporary = read_mail.temporary_password(login.email)

    time_machine.shift(timedelta(days=settings.HEARTH_TEMPORARY_PASSWORD_DAYS, minutes=1))
    response = sign_in(client, login.email, temporary)

    assert response.status_code == 200
    assert "Your temporary password has expired" in _problem(response)
    assert 'href="/login-details/"' in _problem(response)  # how to get new login details
    assert "_auth_user_id" not in client.session
    login.refresh_from_db()
    assert login.first_login_at is None


def test_temporary_password_works_until_its_expiry(
    client: Client, build: Any, household: Any, read_mail: Any, sign_in: Any, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    login = build.new_login(household.electricity, "new.customer@example.com")
    temporary = read_mail.temporary_password(login.email)

    time_machine.shift(timedelta(days=settings.HEARTH_TEMPORARY_PASSWORD_DAYS, minutes=-1))
    response = sign_in(client, login.email, temporary)

    assert response.status_code == 302
    assert response["Location"] == "/activate/conditions/"


# --- Throttling ----------------------------------------------------------------------------------


def _lock_out_text(response: Any) -> str:
    return re.sub(r"\s+", " ", _body(response))


def test_address_is_locked_after_the_failure_limit_even_with_the_right_password(
    password: str, customer_login: User, sign_in: Any, failure_limit: int
) -> None:
    # Each failure from a different address on the internet, the e-mail address typed in a different case:
    # the lock is on the e-mail address itself.
    for attempt in range(failure_limit):
        typed = customer_login.email.upper() if attempt % 2 else customer_login.email
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}"), typed, f"Wrong{attempt}Guess")

    person = Client(REMOTE_ADDR="203.0.113.50")
    response = sign_in(person, customer_login.email, password)

    assert response.status_code == 429
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"try again in {minutes} minutes" in _lock_out_text(response)
    assert "_auth_user_id" not in person.session
    assert not _signed_in(person)


def test_a_locked_unknown_address_gets_the_same_answer_as_a_locked_known_one(
    password: str, customer_login: User, sign_in: Any, failure_limit: int
) -> None:
    known, unknown = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
    for attempt in range(failure_limit):
        sign_in(known, customer_login.email, f"Wrong{attempt}Guess")
        sign_in(unknown, UNKNOWN, f"Wrong{attempt}Guess")

    known_answer = sign_in(known, customer_login.email, password)
    unknown_answer = sign_in(unknown, UNKNOWN, password)

    assert known_answer.status_code == unknown_answer.status_code == 429
    assert _body(known_answer) == _body(unknown_answer)


def test_one_client_address_is_locked_after_failures_for_many_e_mail_addresses(
    password: str, customer_login: User, sign_in: Any, failure_limit: int
) -> None:
    attacker_ip = "192.0.2.66"
    for attempt in range(failure_limit):
        sign_in(Client(REMOTE_ADDR=attacker_ip), f"guess{attempt}@example.com", "Wrong1Guess")

    from_locked_ip = sign_in(Client(REMOTE_ADDR=attacker_ip), customer_login.email, password)
    # A forwarded-for header is the client's own claim: it must not open a new door.
    spoofed = sign_in(
        Client(REMOTE_ADDR=attacker_ip, HTTP_X_FORWARDED_FOR="203.0.113.9"), customer_login.email, password
    )
    elsewhere = Client(REMOTE_ADDR="203.0.113.10")
    from_elsewhere = sign_in(elsewhere, customer_login.email, password)

    assert from_locked_ip.status_code == 429
    assert spoofed.status_code == 429
    assert from_elsewhere.status_code == 302  # the customer's own address is not locked by someone else's guesses
    assert _signed_in(elsewhere)


def test_the_lock_ends_after_the_cool_off_time(
    password: str, customer_login: User, sign_in: Any, failure_limit: int, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    person = Client(REMOTE_ADDR="198.51.100.7")
    for attempt in range(failure_limit):
        sign_in(person, customer_login.email, f"Wrong{attempt}Guess")
    assert sign_in(person, customer_login.email, password).status_code == 429

    time_machine.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    response = sign_in(person, customer_login.email, password)

    assert response.status_code == 302
    assert _signed_in(person)


def test_a_completed_password_reset_lifts_the_lock(
    password: str, customer_login: User, sign_in: Any, failure_limit: int, read_mail: Any
) -> None:
    person = Client(REMOTE_ADDR="198.51.100.8")
    for attempt in range(failure_limit):
        sign_in(person, customer_login.email, f"Wrong{attempt}Guess")
    assert sign_in(person, customer_login.email, password).status_code == 429

    person.post("/password/forgot/", {"email": customer_login.email})
    link = read_mail.reset_path(customer_login.email)
    form_page = person.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "Bright7Morning"
    done = person.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302

    response = sign_in(person, customer_login.email, new_password)

    assert response.status_code == 302
    assert _signed_in(person)


# --- Sessions ------------------------------------------------------------------------------------


def test_session_ends_after_30_minutes_idle(signed_in: Client, time_machine: TimeMachineFixture) -> None:
    # Frozen from just after sign-in; the session backend is the database (Django's default).
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    time_machine.move_to(timezone.now(), tick=False)
    assert signed_in.get("/").status_code == 200

    time_machine.shift(timedelta(minutes=29))
    assert signed_in.get("/").status_code == 200  # activity renews the idle limit ...
    time_machine.shift(timedelta(minutes=29))
    assert signed_in.get("/").status_code == 200  # ... so 58 minutes after sign-in it is still alive

    time_machine.shift(timedelta(minutes=31))
    response = signed_in.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_session_ends_12_hours_after_sign_in_however_active(
    password: str, client: Client, customer_login: User, sign_in: Any, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    assert sign_in(client, customer_login.email, password).status_code == 302

    step = timedelta(minutes=20)
    elapsed = timedelta(0)
    while elapsed + step <= timedelta(hours=12):
        time_machine.shift(step)
        elapsed += step
        assert client.get("/").status_code == 200, f"signed out after only {elapsed}"

    time_machine.shift(step)  # 12 hours 20 minutes after sign-in, still active every 20 minutes
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_failed_sign_in_records_keep_no_password(customer_login: User, sign_in: Any) -> None:
    sign_in(Client(), customer_login.email, "Wrong4Secret")
    sign_in(Client(), UNKNOWN, "Other7Secret")

    kept = repr(list(AccessAttempt.objects.values())) + repr(list(AccessFailureLog.objects.values()))
    assert customer_login.email in kept  # the attempts were recorded ...
    assert "Wrong4Secret" not in kept  # ... without what was typed as the password
    assert "Other7Secret" not in kept
