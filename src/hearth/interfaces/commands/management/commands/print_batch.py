"""`hearth print_batch --date YYYY-MM-DD`: the day's letters in one PDF and a manifest CSV for the mailing house.

Every post delivery waiting to be sent goes into the batch of that working day; the deliveries are marked as posted
that day and deemed delivered two working days later (T&C 22.3). Run again for the same day, it changes nothing and
says so, pointing at the batch already made.
"""

import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from hearth.data.documents.models import PrintBatch
from hearth.domain.documents import post

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _batch_date(text: str) -> date:
    try:
        if _ISO_DATE.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise CommandError(f"--date: expected a date as YYYY-MM-DD (for example 2026-12-01); got {text!r}.")


def _where(file: FieldFile) -> str:
    """The file's path on disk, or its name in the store when the store is not a folder (S3)."""
    try:
        return str(file.path)
    except NotImplementedError:
        return str(file.name)


class Command(BaseCommand):
    help = (
        "Make the print batch of a working day: every letter waiting for the post in one PDF (each letter starting "
        "on an odd page) and a manifest CSV. Safe to run again: a day already batched is left as it is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the working day the batch is posted")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_date = _batch_date(options["date"])
        now = timezone.now()
        try:
            batch = post.make_print_batch(batch_date=batch_date, now=now)
        except post.PrintBatchRefused as exc:
            raise CommandError(str(exc)) from exc
        if batch is None:
            self.stdout.write(f"Nothing to post on {batch_date.isoformat()}: no letter is waiting.")
            return
        if batch.created_at < now:
            self.stdout.write(
                self.style.WARNING(
                    f"The print batch of {batch_date.isoformat()} was already made at "
                    f"{timezone.localtime(batch.created_at):%Y-%m-%d %H:%M %Z}; nothing changed."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Print batch of {batch_date.isoformat()} made."))
        self._write_summary(batch)

    def _write_summary(self, batch: PrintBatch) -> None:
        self.stdout.write(f"Documents {batch.document_count}")
        self.stdout.write(f"Pages {batch.page_count}")
        self.stdout.write(f"PDF {_where(batch.pdf)}")
        self.stdout.write(f"Manifest {_where(batch.manifest)}")
