"""E-mail through the task engine: the domain sends ordinary Django e-mail; this backend queues it.

A worker then hands each message to the delivery backend (SMTP in production), retrying temporary
failures with backoff, so a slow or briefly unavailable mail server never fails a customer's request.
"""

import base64
import smtplib
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from hearth.interfaces.tasks.app import app


def _serialise(message: EmailMessage) -> dict[str, Any]:
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple):
            name, content, mimetype = attachment
            data = content.encode() if isinstance(content, str) else content
            attachments.append([name, base64.b64encode(data).decode(), mimetype])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "attachments": attachments,
    }


def _deserialise(data: dict[str, Any]) -> EmailMessage:
    message = EmailMessage(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for name, content, mimetype in data["attachments"]:
        message.attach(name, base64.b64decode(content), mimetype)
    return message


@app.task(
    name="hearth.deliver_email",
    autoretry_for=(smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_email(message: dict[str, Any]) -> int:
    """Send one queued message through the delivery backend; returns how many were sent."""
    connection = get_connection(settings.HEARTH_EMAIL_DELIVERY_BACKEND)
    return connection.send_messages([_deserialise(message)]) or 0


class TaskQueueEmailBackend(BaseEmailBackend):
    """Queues each message as a `deliver_email` task instead of sending it in the request."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Queue once the surrounding transaction commits, so a rolled-back change e-mails nobody."""
        for message in email_messages:
            payload = _serialise(message)
            transaction.on_commit(partial(deliver_email.delay, payload))
        return len(email_messages)
