"""Forgot password and Get login details cannot flood an inbox or the care queue; the screen never changes."""

from datetime import timedelta

from hearth.data.care.models import LoginDetailsRequest


def test_a_fourth_reset_request_in_an_hour_sends_nothing_but_answers_the_same(
    client, customer_login, mailoutbox, settings, time_machine
):
    settings.HEARTH_PUBLIC_FORM_LIMIT_PER_ADDRESS = 3
    time_machine.move_to("2026-11-23 10:05:00Z", tick=False)
    answers = [client.post("/password/forgot/", {"email": customer_login.email}) for _ in range(4)]

    assert [a.status_code for a in answers] == [302] * 4
    assert len({a["Location"] for a in answers}) == 1
    assert len(mailoutbox) == 3

    time_machine.move_to("2026-11-23 11:05:00Z", tick=False)
    client.post("/password/forgot/", {"email": customer_login.email})
    assert len(mailoutbox) == 4


def test_typing_the_address_in_capitals_does_not_get_round_the_limit(client, customer_login, mailoutbox, settings):
    settings.HEARTH_PUBLIC_FORM_LIMIT_PER_ADDRESS = 1
    client.post("/password/forgot/", {"email": customer_login.email})
    client.post("/password/forgot/", {"email": customer_login.email.upper()})
    assert len(mailoutbox) == 1


def test_one_client_ip_cannot_flood_the_care_queue_with_login_details_requests(client, db, settings):
    settings.HEARTH_PUBLIC_FORM_LIMIT_PER_IP = 5
    for n in range(8):
        response = client.post(
            "/login-details/", {"account_number": f"99{n}", "postcode": "LS1 4AP", "email": f"p{n}@example.com"}
        )
        assert response.status_code == 302
    assert LoginDetailsRequest.objects.count() == 5


def test_the_limit_window_ends(client, db, settings, time_machine):
    settings.HEARTH_PUBLIC_FORM_LIMIT_PER_ADDRESS = 1
    time_machine.move_to("2026-11-23 10:00:00Z", tick=False)
    data = {"account_number": "1", "postcode": "LS1 4AP", "email": "p@example.com"}
    client.post("/login-details/", data)
    client.post("/login-details/", data)
    time_machine.shift(timedelta(hours=1))
    client.post("/login-details/", data)
    assert LoginDetailsRequest.objects.count() == 2
