"""The day's Bacs submission: new and cancelled mandates (0N/0C) and the collections due, in one Standard 18 file.

One submission per Bacs input day (a unique constraint), and a collection in at most one submission (one-to-one):
the rows are written in one transaction, the file after it commits, to a temporary name renamed into place, with a
manifest beside it. The file is derived from the rows alone, so a run killed after the commit writes the very same
bytes when it runs again (the stored SHA-256 proves it), and a run killed before the commit left nothing behind.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from hearth.common.bacs import calendar as bacs_calendar
from hearth.common.bacs import standard18
from hearth.data.payments.models import BacsSubmission, Collection, Mandate, SubmissionRecord
from hearth.domain.audit import operations as audit
from hearth.domain.payments import arrangements

COLLECTION_CODES = ("01", "17", "18", "19")


class SubmissionProblem(Exception):
    """The day's submission cannot be made (not a Bacs day, or a file on disk differs from the one recorded)."""


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    submission: BacsSubmission
    path: Path
    created: bool


def folder() -> Path:
    return Path(settings.HEARTH_BACS["folder"])


def _file_name(processing_date: date) -> str:
    return f"bacs-{processing_date:%Y%m%d}.std18"


def _pence(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _instruction(record: SubmissionRecord) -> standard18.Instruction:
    mandate = record.mandate
    return standard18.Instruction(
        destination_sort_code=mandate.sort_code,
        destination_account_number=arrangements.account_number_of(mandate),
        destination_name=mandate.holder_name,
        transaction_code=record.transaction_code,
        amount_pence=_pence(record.amount),
        reference=mandate.reference,
    )


def render(submission: BacsSubmission) -> bytes:
    """The submission's Standard 18 bytes, from its records alone (deterministic: the same rows, the same bytes).

    The row keeps the input day (day 1); the file's UHL1 label carries the processing day (day 2), the Bacs day
    after it, so that the collections are taken on day 3 as they were scheduled.
    """
    bacs = settings.HEARTH_BACS
    records = SubmissionRecord.objects.filter(submission=submission).select_related("mandate").order_by("id")
    return standard18.write_submission(
        service_user_number=bacs["service_user_number"],
        service_user_name=bacs["service_user_name"],
        originating_sort_code=bacs["sort_code"],
        originating_account_number=bacs["account_number"],
        processing_date=bacs_calendar.add_processing_days(submission.processing_date, 1),  # Bacs day 2
        file_serial=submission.serial,
        instructions=[_instruction(record) for record in records],
    )


def _manifest(submission: BacsSubmission, data: bytes) -> bytes:
    """What an operator checks before sending: counts, total, SHA-256 — and no bank details."""
    return (
        json.dumps(
            {
                "file": submission.file_name,
                "processing_date": submission.processing_date.isoformat(),
                "serial": submission.serial,
                "debits": submission.debit_count,
                "debit_total": str(submission.debit_total),
                "mandate_records": submission.mandate_record_count,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            },
            indent=2,
        ).encode()
        + b"\n"
    )


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_files(submission: BacsSubmission) -> Path:
    """Write (or check) the submission's file and manifest; the file's SHA-256 must be the one recorded.

    :raises SubmissionProblem: a file on disk with other contents, or rows that now render differently.
    """
    data = render(submission)
    if hashlib.sha256(data).hexdigest() != submission.sha256:
        raise SubmissionProblem(f"{submission.file_name} no longer renders to the file recorded; nothing was written.")
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    path = target / submission.file_name
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() != submission.sha256:
        raise SubmissionProblem(f"{path} exists with other contents; it was left as it is for an operator to check.")
    if not path.exists():
        _write_atomically(path, data)
    manifest = path.with_suffix(".manifest.json")
    if not manifest.exists():
        _write_atomically(manifest, _manifest(submission, data))
    return path


def _records_for(processing_date: date, collection_date: date) -> tuple[list[SubmissionRecord], list[Collection]]:
    """New mandates to lodge, ended mandates to cancel, and the collections whose latest input day has come."""
    records: list[SubmissionRecord] = []
    for mandate in Mandate.objects.filter(status=Mandate.Status.PENDING).order_by("id"):
        mandate.status = Mandate.Status.LODGED
        mandate.lodged_date = processing_date
        # The first collection may be input the day after the 0N, so it lands two Bacs days after that.
        mandate.live_date = bacs_calendar.collection_date_for(bacs_calendar.add_processing_days(processing_date, 1))
        mandate.save(update_fields=["status", "lodged_date", "live_date"])
        records.append(SubmissionRecord(mandate=mandate, transaction_code="0N", amount=Decimal("0.00")))
    cancelled = (
        Mandate.objects.filter(status=Mandate.Status.CANCELLED, ended_by_bank=False, lodged_date__isnull=False)
        .exclude(pk__in=SubmissionRecord.objects.filter(transaction_code="0C").values("mandate_id"))
        .order_by("id")
    )
    records.extend(SubmissionRecord(mandate=m, transaction_code="0C", amount=Decimal("0.00")) for m in cancelled)
    due = list(
        Collection.objects.filter(
            status=Collection.Status.SCHEDULED,
            collection_date__lte=collection_date,
            mandate__status__in=[Mandate.Status.LODGED, Mandate.Status.LIVE],
            mandate__live_date__lte=collection_date,
        )
        .select_related("mandate")
        .order_by("id")
    )
    for collection in due:
        collection.collection_date = max(collection.collection_date, collection_date)
        collection.status = Collection.Status.SUBMITTED
        records.append(
            SubmissionRecord(
                mandate=collection.mandate,
                collection=collection,
                transaction_code=collection.transaction_code,
                amount=collection.amount,
            )
        )
    return records, due


def make_submission(*, processing_date: date, now: datetime, started_by: str) -> SubmissionResult | None:
    """The submission for Bacs input day ``processing_date``: made once, its file written (again) as needed.

    Returns None when there is nothing to send.

    :raises SubmissionProblem: ``processing_date`` is not a Bacs processing day, or its file cannot be written.
    """
    if not bacs_calendar.is_processing_day(processing_date):
        raise SubmissionProblem(f"{processing_date:%A %-d %B %Y} is not a Bacs processing day.")
    existing = BacsSubmission.objects.filter(processing_date=processing_date).first()
    if existing is not None:
        return SubmissionResult(existing, write_files(existing), created=False)
    collection_date = bacs_calendar.collection_date_for(processing_date)
    try:
        with transaction.atomic():
            records, due = _records_for(processing_date, collection_date)
            if not records:
                transaction.set_rollback(True)
                return None
            debits = [r for r in records if r.transaction_code in COLLECTION_CODES]
            submission = BacsSubmission.objects.create(
                processing_date=processing_date,
                serial=f"{processing_date:%y%m%d}",
                file_name=_file_name(processing_date),
                sha256="",
                size_bytes=0,
                debit_count=len(debits),
                debit_total=sum((r.amount for r in debits), Decimal("0.00")),
                mandate_record_count=len(records) - len(debits),
                created_at=now,
            )
            for record in records:
                record.submission = submission
            SubmissionRecord.objects.bulk_create(records)
            for collection in due:
                collection.submission = submission
            Collection.objects.bulk_update(due, ["status", "collection_date", "submission"])
            data = render(submission)
            submission.sha256 = hashlib.sha256(data).hexdigest()
            submission.size_bytes = len(data)
            submission.save(update_fields=["sha256", "size_bytes"])
            audit.record(
                actor=None,
                action="payments.bacs_submission_made",
                subject=submission.file_name,
                at=now,
                after={
                    "by": started_by,
                    "debits": submission.debit_count,
                    "debit_total": str(submission.debit_total),
                    "mandate_records": submission.mandate_record_count,
                    "sha256": submission.sha256,
                },
            )
    except IntegrityError:
        # Another run made the day's submission first: that one is the day's file.
        existing = BacsSubmission.objects.get(processing_date=processing_date)
        return SubmissionResult(existing, write_files(existing), created=False)
    except standard18.SubmissionRefused as exc:
        raise SubmissionProblem(f"The submission could not be written: {exc}") from exc
    return SubmissionResult(submission, write_files(submission), created=True)


def activate_lodged_mandates(*, day: date, now: datetime) -> list[Mandate]:
    """Lodged mandates no AUDDIS report rejected by their live day are live."""
    ready = list(Mandate.objects.filter(status=Mandate.Status.LODGED, live_date__lte=day).order_by("id"))
    Mandate.objects.filter(pk__in=[m.pk for m in ready]).update(status=Mandate.Status.LIVE)
    for mandate in ready:
        audit.record(
            actor=None,
            action="payments.mandate_live",
            subject=f"account {mandate.account.number}",
            customer=mandate.account.customer,
            at=now,
            after={"mandate": mandate.reference, "live_date": day.isoformat()},
        )
    return ready
