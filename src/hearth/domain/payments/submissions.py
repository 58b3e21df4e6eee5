"""The day's Bacs submission: new and cancelled mandates (0N/0C) and the collections due, in one Standard 18 file.

One submission per Bacs input day (a unique constraint), and a collection in at most one submission (one-to-one):
the rows are written in one transaction, the file after it commits, to a temporary name renamed into place, with a
manifest beside it. The file is derived from the rows alone, so a run killed after the commit writes the very same
bytes when it runs again (the stored SHA-256 proves it), and a run killed before the commit left nothing behind.
"""

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import IntegrityError, transaction

from hearth.common import sealed
from hearth.common.bacs import calendar as bacs_calendar
from hearth.common.bacs import standard18
from hearth.data.payments.models import BacsSubmission, Collection, Mandate, SubmissionRecord
from hearth.domain.audit import operations as audit

COLLECTION_CODES = ("01", "17", "18", "19")

IDS_AT_A_TIME: Final = 5000
"""Rows one statement updates by id: well within the parameters a statement takes (32,766 on SQLite from 3.32)."""

ROWS_AT_A_TIME: Final = 1000
"""Records one INSERT writes (Django writes fewer where the database allows fewer parameters)."""


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


def _in_chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    return (ids[start : start + IDS_AT_A_TIME] for start in range(0, len(ids), IDS_AT_A_TIME))


def render(submission: BacsSubmission) -> bytes:
    """The submission's Standard 18 bytes, from its records alone (deterministic: the same rows, the same bytes).

    The payers' account numbers are unsealed here, for this file only (never a page or a log). The row keeps the
    input day (day 1); the file's UHL1 label carries the processing day (day 2), the Bacs day after it, so that the
    collections are taken on day 3 as they were scheduled.
    """
    bacs, keys = settings.HEARTH_BACS, settings.HEARTH_BANK_DETAILS_KEYS
    records = (
        SubmissionRecord.objects.filter(submission=submission)
        .order_by("id")
        .values_list(
            "mandate__sort_code",
            "mandate__account_number_sealed",
            "mandate__holder_name",
            "transaction_code",
            "amount",
            "mandate__reference",
        )
    )
    return standard18.write_submission(
        service_user_number=bacs["service_user_number"],
        service_user_name=bacs["service_user_name"],
        originating_sort_code=bacs["sort_code"],
        originating_account_number=bacs["account_number"],
        processing_date=bacs_calendar.add_processing_days(submission.processing_date, 1),  # Bacs day 2
        file_serial=submission.serial,
        instructions=[
            standard18.Instruction(
                destination_sort_code=sort_code,
                destination_account_number=sealed.unseal(account_number, keys=keys),
                destination_name=holder_name,
                transaction_code=code,
                amount_pence=_pence(amount),
                reference=reference,
            )
            for sort_code, account_number, holder_name, code, amount, reference in records
        ],
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


def write_file(*, subfolder: str, name: str, data: bytes) -> Path:
    """A file for the bank or an agency (refunds, debt referrals) in its place under the Bacs folder, written whole."""
    target = folder() / subfolder
    target.mkdir(parents=True, exist_ok=True)
    path = target / name
    _write_atomically(path, data)
    return path


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
    return _write_files(submission, render(submission))


def _write_files(submission: BacsSubmission, data: bytes) -> Path:
    """Write (or check) the file and manifest of ``data``, the submission's rows as just rendered."""
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


@dataclass(slots=True)
class _DaysWork:
    """What a day's submission carries: its records (in file order) and the rows they change."""

    records: list[SubmissionRecord] = field(default_factory=list)
    lodged: list[int] = field(default_factory=list)
    """Mandates lodged by their 0N records."""
    submitted: list[int] = field(default_factory=list)
    """Collections sent."""
    overdue: list[int] = field(default_factory=list)
    """Collections sent after their day: they are taken on the submission's collection date instead."""


def _days_work(processing_date: date, collection_date: date) -> _DaysWork:
    """New mandates to lodge, ended mandates to cancel, and the collections whose latest input day has come."""
    work, zero = _DaysWork(), Decimal("0.00")
    work.lodged = list(
        Mandate.objects.filter(status=Mandate.Status.PENDING).order_by("id").values_list("id", flat=True)
    )
    work.records.extend(SubmissionRecord(mandate_id=m, transaction_code="0N", amount=zero) for m in work.lodged)
    cancelled = (
        Mandate.objects.filter(status=Mandate.Status.CANCELLED, ended_by_bank=False, lodged_date__isnull=False)
        .exclude(pk__in=SubmissionRecord.objects.filter(transaction_code="0C").values("mandate_id"))
        .order_by("id")
        .values_list("id", flat=True)
    )
    work.records.extend(SubmissionRecord(mandate_id=m, transaction_code="0C", amount=zero) for m in cancelled)
    due = (
        Collection.objects.filter(
            status=Collection.Status.SCHEDULED,
            collection_date__lte=collection_date,
            mandate__status__in=[Mandate.Status.LODGED, Mandate.Status.LIVE],
            mandate__live_date__lte=collection_date,
        )
        .order_by("id")
        .values_list("id", "mandate_id", "transaction_code", "amount", "collection_date")
    )
    for collection_id, mandate_id, code, amount, day in due:
        work.records.append(
            SubmissionRecord(mandate_id=mandate_id, collection_id=collection_id, transaction_code=code, amount=amount)
        )
        work.submitted.append(collection_id)
        if day < collection_date:
            work.overdue.append(collection_id)
    return work


def _write_rows(work: _DaysWork, submission: BacsSubmission, processing_date: date, collection_date: date) -> None:
    """The records, and the mandates and collections they send, a few statements for the lot (not one per row)."""
    for record in work.records:
        record.submission = submission
    SubmissionRecord.objects.bulk_create(work.records, batch_size=ROWS_AT_A_TIME)
    # The first collection may be input the day after the 0N, so it lands two Bacs days after that.
    live_date = bacs_calendar.collection_date_for(bacs_calendar.add_processing_days(processing_date, 1))
    for ids in _in_chunks(work.lodged):
        Mandate.objects.filter(pk__in=ids).update(
            status=Mandate.Status.LODGED, lodged_date=processing_date, live_date=live_date
        )
    for ids in _in_chunks(work.submitted):
        Collection.objects.filter(pk__in=ids).update(status=Collection.Status.SUBMITTED, submission=submission)
    for ids in _in_chunks(work.overdue):
        Collection.objects.filter(pk__in=ids).update(collection_date=collection_date)


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
            work = _days_work(processing_date, collection_date)
            if not work.records:
                transaction.set_rollback(True)
                return None
            debits = [r for r in work.records if r.transaction_code in COLLECTION_CODES]
            submission = BacsSubmission.objects.create(
                processing_date=processing_date,
                serial=f"{processing_date:%y%m%d}",
                file_name=_file_name(processing_date),
                sha256="",
                size_bytes=0,
                debit_count=len(debits),
                debit_total=sum((r.amount for r in debits), Decimal("0.00")),
                mandate_record_count=len(work.records) - len(debits),
                created_at=now,
            )
            _write_rows(work, submission, processing_date, collection_date)
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
    # The bytes rendered from the committed rows: rendering them again would give the same (the SHA-256 says so).
    return SubmissionResult(submission, _write_files(submission, data), created=True)


def activate_lodged_mandates(*, day: date, now: datetime) -> list[Mandate]:
    """Lodged mandates no AUDDIS report rejected by their live day are live."""
    ready = list(
        Mandate.objects.filter(status=Mandate.Status.LODGED, live_date__lte=day)
        .select_related("account__customer")
        .order_by("id")
    )
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
