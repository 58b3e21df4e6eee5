"""E-mail goes through the real task engine: a Celery worker consuming from Redis delivers it."""

import time
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from hearth.interfaces.tasks import mail as task_mail
from hearth.interfaces.tasks.app import app
from tests.conftest import missing_service

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_worker(settings):
    """A Celery worker in this process, with Redis as broker; skips (or fails under HEARTH_REQUIRE) without Redis."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        missing_service("redis", f"no Redis at {REDIS_URL}: {exc}")
    queue = f"hearth-test-{uuid.uuid4().hex[:8]}"
    settings.HEARTH_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_BACKEND = "hearth.interfaces.tasks.mail.TaskQueueEmailBackend"
    previous = {
        key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager", "task_default_queue")
    }
    app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]):
            yield
    finally:
        app.conf.update(previous)


@pytest.mark.django_db(transaction=True)
def test_email_sent_in_a_request_is_delivered_by_a_worker_through_redis(redis_worker):
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
