"""`hearth deliver_pending [--older-than MINUTES]`: send the document e-mails still waiting.

Without a task broker an e-mail refused for now (a 4xx answer, the mail server down) stays RETRYING: run this every
few minutes from cron and each run is one more attempt, until it is sent or, after the last attempt, recorded as
failed. With a broker it sends what was planned but never reached a worker (the broker was down at the time).
E-mails younger than --older-than are left to the sending already under way.
"""

from collections import Counter
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hearth.data.documents.models import Delivery
from hearth.domain.documents import delivery as documents_delivery

DEFAULT_OLDER_THAN_MINUTES = 5


class Command(BaseCommand):
    help = (
        "Send the document e-mails still waiting (PENDING or RETRYING) that were planned more than --older-than "
        "minutes ago; prints how many were sent, are still retrying and failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=DEFAULT_OLDER_THAN_MINUTES,
            metavar="MINUTES",
            help=f"leave e-mails planned in the last MINUTES alone (default {DEFAULT_OLDER_THAN_MINUTES})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        created_before = now - timedelta(minutes=options["older_than"])
        waiting = documents_delivery.send_waiting(created_before=created_before, now=now)
        counts = Counter(delivery.status for delivery in waiting)
        self.stdout.write(f"Sent {counts[Delivery.Status.SENT]}")
        self.stdout.write(f"Still retrying {counts[Delivery.Status.RETRYING]}")
        self.stdout.write(f"Failed {counts[Delivery.Status.FAILED]}")
        for delivery in waiting:
            if delivery.status == Delivery.Status.FAILED:
                self.stdout.write(f"  {delivery.document.reference} to {delivery.address}: {delivery.last_error}")
