"""Issued documents travel over real SMTP: a local aiosmtpd server receives what Hearth sends, and answers as a real
one would when it cannot take a message now (451) or ever (550 user unknown).

The invoice is a real one: a bill's PDF rendered and stored by ``attach_invoice``, which plans and dispatches its
deliveries once its transaction commits. Without a broker they are sent at once (and ``hearth deliver_pending``
retries); with one, a Celery worker consuming from Redis sends them and retries with backoff.
"""

import email
import importlib
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.apps import apps as django_apps
from django.core.management import call_command
from django.test import Client

from hearth.data.billing.models import Bill
from hearth.data.documents.models import Delivery, Document
from hearth.data.identity.models import User
from hearth.domain.billing import invoice as billing_invoice
from hearth.domain.documents import delivery as documents_delivery
from hearth.interfaces.tasks import documents as delivery_tasks
from tests.celery_worker import worker_on_redis
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in
from tests.integration.documents.delivery_support import NOW, care_client, choose, october_bill, words

pytestmark = pytest.mark.smtp

BUSY = "451 4.3.0 Mail server temporarily busy, try again later"
UNKNOWN = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"


class MailServer:
    """An SMTP handler that keeps every message it accepts; it refuses the recipients in ``unknown`` for good and
    answers the next ``busy`` messages with a 451."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.unknown: set[str] = set()
        self.busy = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.unknown:
            return UNKNOWN.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.busy:
            self.busy -= 1
            return BUSY
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages_to(self, address: str) -> list[EmailMessage]:
        found = []
        for envelope in self.envelopes:
            if envelope.rcpt_tos == [address]:
                message = email.message_from_bytes(envelope.content, policy=default_policy)
                assert isinstance(message, EmailMessage)
                found.append(message)
        return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def mail_server(settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1, and the delivery backend pointed at it; documents in this test's folder."""
    use_documents_folder(monkeypatch, tmp_path / "documents")
    server = MailServer()
    port = _free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    settings.HEARTH_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield server
    finally:
        controller.stop()


def london_today() -> Any:
    return datetime.now(ZoneInfo("Europe/London")).date()


def issue_invoice(bill: Bill, capture: Callable[..., Any]) -> Document:
    """The bill's invoice stored as a bill run stores it, and its transaction's commit callbacks run."""
    with capture(execute=True):
        return billing_invoice.attach_invoice(bill=bill, now=NOW)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_an_issued_invoice_arrives_at_each_login_as_its_rules_say(
    mail_server: MailServer, build: Builder, household: Site, django_capture_on_commit_callbacks: Any
) -> None:
    account = household.electricity
    build.activated_login("ann@example.com", account)  # the defaults: e-mail with the PDF attached
    bob = build.activated_login("bob@example.com", account)
    cat = build.activated_login("cat@example.com", account)
    build.new_login(account, "dan@example.com")  # its login-details e-mail goes to the test outbox, not SMTP
    choose(bob, account, email=True, attachment=False, post=False)
    choose(cat, account, email=False, attachment=False, post=False)
    bill = october_bill(account)
    today = london_today()

    document = issue_invoice(bill, django_capture_on_commit_callbacks)

    assert sorted(envelope.rcpt_tos[0] for envelope in mail_server.envelopes) == ["ann@example.com", "bob@example.com"]
    [to_ann] = mail_server.messages_to("ann@example.com")
    [to_bob] = mail_server.messages_to("bob@example.com")
    for message in (to_ann, to_bob):
        assert message["Subject"] == f"Hearth Energy: your invoice {bill.reference} for account {account.number}"
        assert f"Account number: {account.number}" in body_of(message)
        assert "Amount: £16.28" in body_of(message)
    assert to_ann.get_content_type() == "multipart/mixed"
    [pdf] = list(to_ann.iter_attachments())
    assert (pdf.get_content_type(), pdf.get_filename()) == ("application/pdf", f"{bill.reference}.pdf")
    with document.file.open("rb") as handle:
        assert pdf.get_content() == handle.read()
    assert to_bob.get_content_type() == "text/plain"
    assert not to_bob.is_multipart()
    assert "Sign in to your online account at" in body_of(to_bob)
    sent = Delivery.objects.filter(document=document).order_by("address")
    assert [(d.address, d.status, d.attempts, d.deemed_delivered_date) for d in sent] == [
        ("ann@example.com", "SENT", 1, today),
        ("bob@example.com", "SENT", 1, today),
    ]


def test_a_temporary_failure_without_a_broker_waits_and_deliver_pending_delivers_it(
    mail_server: MailServer, build: Builder, household: Site, django_capture_on_commit_callbacks: Any
) -> None:
    build.activated_login("ann@example.com", household.electricity)
    mail_server.busy = 1

    document = issue_invoice(october_bill(household.electricity), django_capture_on_commit_callbacks)

    [delivery] = documents_delivery.deliveries_of(document)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("RETRYING", 1, BUSY)
    assert mail_server.envelopes == []

    call_command("deliver_pending", "--older-than", "0")

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("SENT", 2)
    assert len(mail_server.messages_to("ann@example.com")) == 1


@pytest.fixture
def redis_worker(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Celery worker in this process with Redis as broker, and deliveries dispatched to it; retries after a second
    or two. Skips (or fails under HEARTH_REQUIRE) without Redis."""
    settings.HEARTH_DELIVERY_DISPATCHER = "hearth.interfaces.tasks.documents.queue_deliveries"
    monkeypatch.setattr(delivery_tasks, "RETRY_BACKOFF_SECONDS", 1)
    with worker_on_redis():
        yield


@pytest.fixture
def document_types(transactional_db: None) -> None:
    """The document types as the migrations seed them: a transactional test before this one flushed them away."""
    seeding = importlib.import_module("hearth.data.documents.migrations.0002_seed_document_types")
    seeding.seed(django_apps, None)


@pytest.mark.django_db(transaction=True)
def test_a_temporary_failure_is_retried_by_a_celery_worker_and_delivered(
    mail_server: MailServer, redis_worker: None, document_types: None, build: Builder, household: Site
) -> None:
    build.activated_login("ann@example.com", household.electricity)
    mail_server.busy = 1

    document = billing_invoice.attach_invoice(bill=october_bill(household.electricity), now=NOW)  # commits here

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        delivery = Delivery.objects.get(document=document)
        if delivery.status == "SENT":
            break
        time.sleep(0.1)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("SENT", 2, BUSY)
    assert len(mail_server.messages_to("ann@example.com")) == 1


def test_a_permanent_failure_is_recorded_and_shown_to_care_staff_and_to_the_customer(
    mail_server: MailServer, build: Builder, household: Site, django_capture_on_commit_callbacks: Any
) -> None:
    account = household.electricity
    build.activated_login("ann@example.com", account)
    bob: User = build.activated_login("bob@example.com", account)
    mail_server.unknown = {"bob@example.com"}

    document = issue_invoice(october_bill(account), django_capture_on_commit_callbacks)

    refused = UNKNOWN.format(address="bob@example.com")
    failed = Delivery.objects.get(document=document, user=bob)
    assert (failed.status, failed.attempts, failed.last_error, failed.sent_at) == ("FAILED", 1, refused, None)
    assert Delivery.objects.get(document=document, address="ann@example.com").status == "SENT"
    assert len(mail_server.messages_to("ann@example.com")) == 1
    assert mail_server.messages_to("bob@example.com") == []
    assert documents_delivery.failed_deliveries_of(user=bob, account=account) == [failed]

    log = care_client().get(f"/care/accounts/{account.number}/documents/{document.pk}/deliveries/")
    assert f"E-mail PDF attached bob@example.com Failed 1 {refused}" in words(log)

    customer = Client()
    assert sign_in(customer, "bob@example.com", PASSWORD).status_code == 302
    settings_page = customer.get("/your-details/delivery-settings/")
    assert settings_page.status_code == 200
    assert "Documents we could not deliver" in words(settings_page)
    assert f"Invoice {document.reference} bob@example.com" in words(settings_page)
    assert refused in words(settings_page)
