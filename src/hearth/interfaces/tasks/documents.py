"""Document e-mails through the task engine: one task per delivery, retried with exponential backoff.

``settings.HEARTH_DELIVERY_DISPATCHER`` names one of the two dispatchers below: :func:`queue_deliveries` when there
is a broker, :func:`send_deliveries_now` otherwise (the demo, a single machine). The domain decides when a temporary
failure becomes final (``delivery.MAX_ATTEMPTS``) and records it FAILED, so the task's own retry limit is only a
safety net.
"""

import logging
from collections.abc import Sequence

from celery import Task
from celery.utils.time import get_exponential_backoff_interval
from django.utils import timezone

from hearth.domain.documents import delivery as documents_delivery
from hearth.interfaces.tasks.app import app

logger = logging.getLogger(__name__)

RETRY_BACKOFF_SECONDS = 60
"""The first retry waits up to a minute, each next one up to twice as long (with jitter, so the e-mails held up by
one mail-server outage do not all come back at once) ..."""
RETRY_BACKOFF_MAX_SECONDS = 3600
"""... but never more than an hour."""


def retry_countdown(retries: int) -> int:
    """Seconds before retry number ``retries + 1``."""
    return int(
        get_exponential_backoff_interval(
            factor=RETRY_BACKOFF_SECONDS, retries=retries, maximum=RETRY_BACKOFF_MAX_SECONDS, full_jitter=True
        )
    )


@app.task(name="hearth.deliver_document", bind=True, max_retries=documents_delivery.MAX_ATTEMPTS)
def deliver_document(self: Task, delivery_id: int) -> None:
    """Send one e-mail delivery; a temporary failure comes back after the backoff."""
    found = documents_delivery.delivery_by_id(delivery_id)
    if found is None:
        logger.warning("Delivery %s no longer exists; nothing sent.", delivery_id)
        return
    try:
        documents_delivery.send_email_delivery(delivery=found, now=timezone.now())
    except documents_delivery.TemporaryDeliveryFailure as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


def queue_deliveries(delivery_ids: Sequence[int]) -> None:
    """The dispatcher with a broker: a task per e-mail, so one slow mail server never holds up a bill run."""
    for delivery_id in delivery_ids:
        deliver_document.delay(delivery_id)


def send_deliveries_now(delivery_ids: Sequence[int]) -> None:
    """The dispatcher without a broker: send each e-mail at once. One refused for now stays RETRYING and is sent
    again by ``hearth deliver_pending`` (run it every few minutes from cron)."""
    for delivery_id in delivery_ids:
        found = documents_delivery.delivery_by_id(delivery_id)
        if found is None:
            continue
        try:
            documents_delivery.send_email_delivery(delivery=found, now=timezone.now())
        except documents_delivery.TemporaryDeliveryFailure as exc:
            logger.info("%s; hearth deliver_pending tries again.", exc)
