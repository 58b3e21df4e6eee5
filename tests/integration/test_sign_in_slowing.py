"""Repeated sign-in failures slow, then lock (ADR 0005); the wait is the same for known and unknown addresses."""

from datetime import timedelta

import pytest

from hearth.data.identity.models import User
from tests.integration.conftest import PASSWORD


@pytest.fixture
def slowing(settings):
    settings.HEARTH_LOGIN_SLOW_AFTER = 3
    settings.HEARTH_LOGIN_SLOW_SECONDS = 5
    settings.AXES_FAILURE_LIMIT = 5


def _fail(sign_in, client, email, times):
    for _ in range(times):
        assert sign_in(client, email, "Wrong1Password").status_code == 200


def test_after_three_failures_the_next_attempt_must_wait_even_with_the_right_password(
    slowing, client, sign_in, customer_login: User, time_machine
):
    time_machine.move_to("2026-11-23 10:00:00Z", tick=False)
    _fail(sign_in, client, customer_login.email, 3)
    response = sign_in(client, customer_login.email, PASSWORD)
    assert response.status_code == 429
    assert b"wait 5 seconds" in response.content
    assert "_auth_user_id" not in client.session

    time_machine.move_to("2026-11-23 10:00:06Z", tick=False)
    assert sign_in(client, customer_login.email, PASSWORD).status_code == 302


def test_the_wait_doubles_with_each_further_failure_then_the_address_locks(
    slowing, client, sign_in, customer_login: User, time_machine
):
    time_machine.move_to("2026-11-23 10:00:00Z", tick=False)
    _fail(sign_in, client, customer_login.email, 3)
    time_machine.shift(timedelta(seconds=5))
    _fail(sign_in, client, customer_login.email, 1)  # the 4th failure
    response = sign_in(client, customer_login.email, PASSWORD)
    assert response.status_code == 429
    assert b"wait 10 seconds" in response.content

    time_machine.shift(timedelta(seconds=10))
    fifth = sign_in(client, customer_login.email, "Wrong1Password")  # the 5th failure reaches the limit
    assert fifth.status_code == 429
    assert b"Too many sign-in attempts" in fifth.content
    time_machine.shift(timedelta(seconds=60))
    locked = sign_in(client, customer_login.email, PASSWORD)
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content


def test_an_unknown_address_is_slowed_exactly_like_a_known_one(
    slowing, client, sign_in, customer_login: User, time_machine, remove_csrf
):
    time_machine.move_to("2026-11-23 10:00:00Z", tick=False)
    _fail(sign_in, client, customer_login.email, 3)
    known = sign_in(client, customer_login.email, "Wrong1Password")
    unknown_client = type(client)(REMOTE_ADDR="192.0.2.44")
    _fail(sign_in, unknown_client, "nobody@example.com", 3)
    unknown = sign_in(unknown_client, "nobody@example.com", "Wrong1Password")
    assert known.status_code == unknown.status_code == 429
    assert remove_csrf(known.content.decode()) == remove_csrf(unknown.content.decode())


def test_slowing_applies_per_client_ip_across_addresses(slowing, client, sign_in, customer_login: User, time_machine):
    time_machine.move_to("2026-11-23 10:00:00Z", tick=False)
    for n in range(3):
        assert sign_in(client, f"guess{n}@example.com", "Wrong1Password").status_code == 200
    assert sign_in(client, customer_login.email, PASSWORD).status_code == 429
