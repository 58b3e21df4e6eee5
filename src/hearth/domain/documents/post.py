"""Post: the day's letters gathered into one print batch for the mailing house, and when a notice counts as delivered.

T&C 22.3: a posted notice is deemed delivered two working days after it was posted, an e-mailed one immediately.
Working days are those of :mod:`hearth.common.calendar` (no weekend, no bank holiday in England, Scotland or Wales).

A batch is one combined PDF and a manifest CSV, for one working day (``PrintBatch.batch_date`` is unique):

- Letters are ordered by postcode, then document reference, then delivery: the mailing house presorts by postcode
  for the Royal Mail's sorted-mail prices, letters to one address (a home's gas and electricity accounts) come out
  together, and the same deliveries always give the same order.
- Every letter starts on an odd page: a letter with an odd number of pages is followed by a blank page (the size of
  its last one), so duplex printing never puts one customer's page on the back of another's.
- The manifest has a row per letter: reference, name, the envelope's address lines, postcode, the letter's own page
  count (blank page not counted) and the page of the combined PDF it starts on.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from hearth.common import calendar, identifiers
from hearth.data.documents.models import Delivery, PrintBatch
from hearth.domain.audit import operations as audit_ops

POSTED_DELIVERY_DAYS = 2
"""T&C 22.3.1: a posted notice is deemed delivered this many working days after posting."""

ADDRESS_LINES = 6
"""Address columns in the manifest: a property's three lines, town and county, and one spare."""

MANIFEST_COLUMNS = (
    "reference",
    "name",
    *(f"address_line_{n}" for n in range(1, ADDRESS_LINES + 1)),
    "postcode",
    "page_count",
    "first_page",
)


class PrintBatchRefused(Exception):
    """No batch can be made for the day asked; the message says why."""


def deemed_delivered(*, channel: str, sent_on: date) -> date:
    """The day a document sent on ``sent_on`` is deemed delivered (T&C 22.3): an e-mail that day, post two working
    days later (the posting day itself never counts).

    :param channel: a :class:`Delivery.Channel` value.
    :raises ValueError: for any other channel.
    """
    if channel == Delivery.Channel.EMAIL:
        return sent_on
    if channel == Delivery.Channel.POST:
        return calendar.add_working_days(sent_on, POSTED_DELIVERY_DAYS)
    raise ValueError(f"No deemed-delivery rule for channel {channel!r}.")


@dataclass(frozen=True)
class Envelope:
    """The addressee of one letter as the mailing house needs it."""

    name: str
    lines: tuple[str, ...]
    postcode: str


def envelope_of(*, name: str, address: str) -> Envelope:
    """Split a delivery's postal address (one line per line of the envelope) into lines and postcode.

    The postcode is the last line, or the end of it ("Leeds LS1 4AP"); a first line repeating the name is dropped,
    since the name has its own column. An address with no recognisable postcode keeps every line and an empty
    postcode, for the mailing house to see rather than a letter silently left behind.
    """
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if lines and lines[0].casefold() == name.strip().casefold():
        lines.pop(0)
    postcode = ""
    if lines:
        words = lines[-1].split()
        for size in (2, 1):
            if len(words) < size:
                continue
            try:
                postcode = identifiers.normalise_postcode(" ".join(words[-size:]))
            except identifiers.InvalidIdentifier:
                continue
            rest = " ".join(words[:-size])
            lines[-1:] = [rest] if rest else []
            break
    if len(lines) > ADDRESS_LINES:
        lines[ADDRESS_LINES - 1 :] = [", ".join(lines[ADDRESS_LINES - 1 :])]
    return Envelope(name=name.strip(), lines=tuple(lines), postcode=postcode)


@dataclass(frozen=True)
class _Letter:
    delivery: Delivery
    envelope: Envelope
    reader: PdfReader


def _posting_moment(batch_date: date, now: datetime) -> datetime:
    """Posted now when the batch is made on its day; at the start of the day when it is made ahead of it, so the
    London date of ``sent_at`` is always the posting day."""
    return max(now, calendar.day_starts_at(batch_date))


def _check_day(batch_date: date, now: datetime) -> None:
    today = calendar.local_date(now)
    if not calendar.is_working_day(batch_date):
        raise PrintBatchRefused(
            f"{batch_date:%A} {batch_date.day} {batch_date:%B %Y} is not a working day (a weekend or a bank holiday "
            "in England, Scotland or Wales): the mailing house posts on working days only, and deemed delivery "
            "counts from the posting day."
        )
    if batch_date < today:
        raise PrintBatchRefused(
            f"{batch_date.isoformat()} has already gone: a batch made now would record its letters as posted, and "
            "deemed delivered, earlier than they were."
        )
    next_working_day = calendar.add_working_days(today, 1)
    if batch_date > next_working_day:
        raise PrintBatchRefused(
            f"{batch_date.isoformat()} is too far ahead: a batch can be made for today or the next working day "
            f"({next_working_day.isoformat()}) at the latest."
        )


def _letters(deliveries: Sequence[Delivery]) -> list[_Letter]:
    letters = []
    for delivery in deliveries:
        document = delivery.document
        try:
            with document.file.open("rb") as handle:
                reader = PdfReader(io.BytesIO(handle.read()))
            if not reader.pages:
                raise PdfReadError("no pages")
        except (OSError, PdfReadError, ValueError) as exc:
            raise PrintBatchRefused(
                f"The PDF of document {document.reference} cannot be read ({exc}); no letter was batched."
            ) from exc
        envelope = envelope_of(name=document.account.customer.name, address=delivery.address)
        letters.append(_Letter(delivery=delivery, envelope=envelope, reader=reader))
    # Postcode first for the mailing house's sort; addresses without one last; then a stable order.
    letters.sort(
        key=lambda letter: (
            letter.envelope.postcode == "",
            letter.envelope.postcode,
            letter.delivery.document.reference,
            letter.delivery.pk,
        )
    )
    return letters


def _combined(letters: Sequence[_Letter], batch_date: date) -> tuple[bytes, bytes, int]:
    """The combined PDF, the manifest CSV and the number of pages printed (blank pages included)."""
    writer = PdfWriter()
    manifest = io.StringIO()
    rows = csv.writer(manifest, lineterminator="\r\n")
    rows.writerow(MANIFEST_COLUMNS)
    for letter in letters:
        first_page = len(writer.pages) + 1
        pages = len(letter.reader.pages)
        writer.append(letter.reader)
        if pages % 2:
            last = letter.reader.pages[-1].mediabox
            writer.add_blank_page(width=float(last.width), height=float(last.height))
        envelope = letter.envelope
        address = (*envelope.lines, *("" for _ in range(ADDRESS_LINES - len(envelope.lines))))
        rows.writerow(
            (letter.delivery.document.reference, envelope.name, *address, envelope.postcode, pages, first_page)
        )
    writer.add_metadata({"/Title": f"Print batch {batch_date.isoformat()}"})
    pdf = io.BytesIO()
    writer.write(pdf)
    return pdf.getvalue(), manifest.getvalue().encode("utf-8"), len(writer.pages)


def make_print_batch(*, batch_date: date, now: datetime) -> PrintBatch | None:
    """Gather every post delivery waiting to be sent into the print batch of ``batch_date``.

    Each delivery becomes BATCHED in the batch, posted on ``batch_date`` and deemed delivered two working days
    later, all in one transaction with the batch row; both files are stored first and removed again if the row
    cannot be written. Returns None, making nothing, when no letter is waiting. A day has one batch: asked again,
    the batch already made is returned unchanged (its ``created_at`` is before ``now``), and letters planned since
    wait for the next day's.

    :raises PrintBatchRefused: if ``batch_date`` is not a working day, has gone, or is beyond the next working day;
        or if a letter's PDF cannot be read.
    """
    made = PrintBatch.objects.filter(batch_date=batch_date).first()
    if made is not None:
        return made
    _check_day(batch_date, now)
    batch = PrintBatch(batch_date=batch_date, created_at=now)
    try:
        with transaction.atomic():
            waiting = list(
                Delivery.objects.select_for_update(of=("self",))
                .filter(channel=Delivery.Channel.POST, status=Delivery.Status.PENDING)
                .select_related("document__account__customer")
                .order_by("id")
            )
            if not waiting:
                return None
            letters = _letters(waiting)
            pdf, manifest, pages = _combined(letters, batch_date)
            batch.document_count, batch.page_count = len(letters), pages
            batch.pdf.save(f"print-batch-{batch_date.isoformat()}.pdf", ContentFile(pdf), save=False)
            batch.manifest.save(f"print-batch-{batch_date.isoformat()}.csv", ContentFile(manifest), save=False)
            batch.save()
            Delivery.objects.filter(pk__in=[delivery.pk for delivery in waiting]).update(
                status=Delivery.Status.BATCHED,
                print_batch=batch,
                sent_at=_posting_moment(batch_date, now),
                deemed_delivered_date=deemed_delivered(channel=Delivery.Channel.POST, sent_on=batch_date),
            )
            audit_ops.record(
                actor=None,
                action="print_batch.made",
                subject=str(batch),
                at=now,
                after={"documents": batch.document_count, "pages": batch.page_count},
            )
    except IntegrityError:
        _remove_files(batch)
        raced = PrintBatch.objects.filter(batch_date=batch_date).first()
        if raced is None:
            raise
        return raced
    except BaseException:
        _remove_files(batch)
        raise
    return batch


def _remove_files(batch: PrintBatch) -> None:
    for field in (batch.pdf, batch.manifest):
        if field:
            field.delete(save=False)
