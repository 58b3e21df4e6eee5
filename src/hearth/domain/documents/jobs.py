"""Documents' daily jobs: the e-mails still waiting, and the day's print batch (see
``hearth.domain.scheduling.jobs``)."""

from datetime import date, datetime, timedelta

from hearth.common import calendar
from hearth.data.documents.models import Delivery
from hearth.domain.documents import delivery as documents_delivery
from hearth.domain.documents import post
from hearth.domain.scheduling import jobs

LEFT_TO_THEIR_SENDING = timedelta(minutes=5)
"""E-mails planned this recently are still being sent by their own task or request; the job leaves them alone."""


def deliver_pending(*, day: date, now: datetime, report: jobs.JobReport) -> None:
    """One more attempt at each document e-mail still waiting: what ``hearth deliver_pending`` does.

    Sent is done; refused for now (tried again later) or for good is failed, with the mail server's answer.
    Idempotent: an e-mail sent is never waiting again.
    """
    sent = documents_delivery.send_waiting(created_before=now - LEFT_TO_THEIR_SENDING, now=now)
    for delivery in sent:
        reference = delivery.document.reference
        if delivery.status == Delivery.Status.SENT:
            report.done(reference, f"E-mailed to {delivery.address}")
        elif delivery.status == Delivery.Status.RETRYING:
            report.failed(
                reference,
                f"Not e-mailed to {delivery.address} yet (attempt {delivery.attempts} of "
                f"{documents_delivery.MAX_ATTEMPTS}, tried again later): {delivery.last_error}",
            )
        elif delivery.status == Delivery.Status.FAILED:
            report.failed(reference, f"Not e-mailed to {delivery.address}, given up: {delivery.last_error}")


def print_batch(*, day: date, now: datetime, report: jobs.JobReport) -> None:
    """Make the print batch of ``day`` for the mailing house: what ``hearth print_batch --date DAY`` does.

    A weekend or bank holiday has nothing to do (the letters wait for the next working day's batch). Each letter
    batched is done; a batch that cannot be made (a day gone by, an unreadable PDF) is failed with the reason.
    Idempotent: a day has one batch, and asked again the batch already made is left as it is.
    """
    if not calendar.is_working_day(day):
        return
    try:
        batch = post.make_print_batch(batch_date=day, now=now)
    except post.PrintBatchRefused as exc:
        report.failed(f"Print batch of {day.isoformat()}", str(exc))
        return
    if batch is None or batch.created_at < now:
        return
    letters = batch.deliveries.select_related("document").order_by("id")
    for delivery in letters:
        report.done(
            delivery.document.reference, f"In the print batch of {day:%-d %b %Y} for the post ({batch.pdf.name})"
        )
