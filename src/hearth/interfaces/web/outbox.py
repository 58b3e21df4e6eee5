"""The embedded demo's e-mail: each message written as an .eml file that staff can read in the console."""

import uuid
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.utils import timezone


def outbox_dir() -> Path:
    return Path(settings.HEARTH_OUTBOX_DIR)


class OutboxEmailBackend(BaseEmailBackend):
    """Writes RFC 5322 messages to var/outbox/; production uses SMTP (EMAIL_HOST) instead."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            (folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


def list_messages() -> list[Path]:
    """Outbox messages, newest first."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.eml"), reverse=True)


def message_path(name: str) -> Path | None:
    """The message file called `name`, or None; never a path outside the outbox."""
    for path in list_messages():
        if path.name == name:
            return path
    return None
