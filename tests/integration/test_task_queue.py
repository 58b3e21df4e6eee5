"""E-mail goes through the real task engine: a Celery worker consuming from Redis delivers it."""

import time

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from hearth.interfaces.tasks import mail as task_mail
from hearth.interfaces.tasks.app import app
from tests.celery_worker import worker_on_redis


@pytest.fixture
def queued_email(settings):
    """E-mail queued for a worker, which delivers it to Django's test outbox."""
    settings.HEARTH_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_BACKEND = "hearth.interfaces.tasks.mail.TaskQueueEmailBackend"


@pytest.fixture
def redis_worker(queued_email):
    """A Celery worker in this process, with Redis as broker; skips (or fails under HEARTH_REQUIRE) without Redis."""
    with worker_on_redis():
        yield


@pytest.mark.django_db(transaction=True)
def test_email_sent_in_a_request_is_delivered_by_a_worker_through_redis(redis_worker):
    _send_and_wait_for_delivery()


@pytest.mark.django_db(transaction=True)
def test_a_producer_pooled_for_another_broker_does_not_take_the_worker_messages(queued_email):
    """An earlier test pooled a producer for RabbitMQ; the Redis worker of a later one must still get its messages."""
    original = app.conf.broker_url
    app.conf.broker_url = "amqp://guest:guest@127.0.0.1:5672//"
    try:
        assert app.amqp.producer_pool is not None  # pooled for RabbitMQ, as the earlier test left it
        kept_backend = app.backend  # the result backend as earlier tests in this process left it
        with worker_on_redis():
            assert app.backend is not kept_backend
            assert type(app.backend).__name__ == "RedisBackend"
            _send_and_wait_for_delivery()
    finally:
        app.conf.broker_url = original


def _send_and_wait_for_delivery() -> None:
    message = EmailMessage("Your login details", "Hello", to=["customer@example.com"])
    message.attach("note.txt", b"attached", "text/plain")

    assert message.send() == 1  # queued by TaskQueueEmailBackend, not sent in the caller
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)

    assert [m.to for m in mail.outbox] == [["customer@example.com"]]
    assert mail.outbox[0].subject == "Your login details"
    assert mail.outbox[0].attachments == [("note.txt", "attached", "text/plain")]


@pytest.mark.django_db(transaction=True)
def test_email_from_a_rolled_back_change_is_never_queued(settings, monkeypatch):
    settings.EMAIL_BACKEND = "hearth.interfaces.tasks.mail.TaskQueueEmailBackend"
    queued: list[dict] = []
    monkeypatch.setattr(task_mail.deliver_email, "delay", queued.append)

    class Abandoned(Exception):
        pass

    def change_that_fails() -> None:
        with transaction.atomic():
            EmailMessage("Your login details", "Hello", to=["customer@example.com"]).send()
            raise Abandoned

    with pytest.raises(Abandoned):
        change_that_fails()

    with transaction.atomic():
        EmailMessage("Your login details", "Hello", to=["kept@example.com"]).send()
        assert queued == []  # not before the commit
    assert [payload["to"] for payload in queued] == [["kept@example.com"]]
