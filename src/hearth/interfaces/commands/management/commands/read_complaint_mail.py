"""Read the complaints mailbox now (cron every few minutes in production; the daily job catches up what is left)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from hearth.domain.complaints import mail


class Command(BaseCommand):
    help = "Read the complaints Maildir (HEARTH_COMPLAINTS_MAILDIR) into complaints; print what became of each."

    def handle(self, *args: Any, **options: Any) -> None:
        taken = mail.read_mailbox(folder=settings.HEARTH_COMPLAINTS_MAILDIR, now=timezone.now())
        for message in taken:
            if message.complaint is not None:
                self.stdout.write(f"E-mail {message.pk}: complaint {message.complaint.reference}")
            else:
                self.stdout.write(f"E-mail {message.pk}: {message.get_status_display()}: {message.reason}")
        waiting = sum(1 for message in taken if message.complaint is None)
        self.stdout.write(f"{len(taken)} new message(s), {waiting} waiting for care.")
