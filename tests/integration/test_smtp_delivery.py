"""Login details travel over real SMTP: a local aiosmtpd server receives what Hearth sends."""

import email
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parseaddr
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.test import Client

from hearth.data.care.models import LoginDetailsRequest
from hearth.data.identity.models import AccountLink, User

pytestmark = [pytest.mark.smtp, pytest.mark.django_db]


class Collector:
    """An SMTP handler that keeps every envelope it is given."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Collector]:
    """A real SMTP server on 127.0.0.1, and Hearth's e-mail pointed at it."""
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield collector
    finally:
        controller.stop()


def test_login_details_arrive_over_smtp_with_a_temporary_password_that_signs_in(
    smtp_server: Collector, build: Any, household: Any, mailoutbox: list[mail.EmailMessage], sign_in: Any
) -> None:
    address = "new.customer@example.com"

    build.new_login(household.electricity, address, AccountLink.Role.HOLDER)

    assert mailoutbox == []  # really sent through SMTP, not the test outbox
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == [address]
    assert envelope.mail_from == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["To"] == address
    subject = str(message["Subject"])
    assert "login details" in subject
    assert settings.HEARTH_BRAND["name"] in subject
    body_part = message.get_body(preferencelist=("plain",))
    assert body_part is not None
    body = body_part.get_content()
    assert address in body
    found = re.search(r"Temporary password:\s*(\S+)", body)
    assert found, body
    temporary = found.group(1)

    response = sign_in(Client(), address, temporary)

    assert response.status_code == 302
    assert response["Location"] == "/activate/conditions/"


@pytest.fixture
def unreachable_smtp(settings: Any) -> None:
    """Hearth's e-mail pointed at a port where no mail server listens (a mail server that is down)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()
    settings.EMAIL_TIMEOUT = 5


def test_a_mail_server_that_is_down_does_not_change_the_forgot_password_answer(
    unreachable_smtp: None, customer_login: User
) -> None:
    unregistered = Client().post("/password/forgot/", {"email": "not.registered@example.com"})
    registered = Client(raise_request_exception=False).post("/password/forgot/", {"email": customer_login.email})

    assert registered.status_code == unregistered.status_code == 302
    assert registered["Location"] == unregistered["Location"]


def test_a_mail_server_that_is_down_does_not_change_the_get_login_details_answer_or_lose_the_request(
    unreachable_smtp: None, household: Any
) -> None:
    def ask(email: str) -> Any:
        return Client(raise_request_exception=False).post(
            "/login-details/",
            {"account_number": household.electricity.number, "postcode": "LS1 4AP", "email": email},
        )

    not_matching = ask("someone.else@example.com")
    matching = ask(household.customer.contact_email)

    assert matching.status_code == not_matching.status_code == 302
    assert matching["Location"] == not_matching["Location"]
    kept = LoginDetailsRequest.objects.get(email=household.customer.contact_email)
    assert kept.account == household.electricity  # care staff can send the login details once mail works
    assert kept.status == LoginDetailsRequest.Status.OPEN
    assert not User.objects.filter(email=household.customer.contact_email).exists()
