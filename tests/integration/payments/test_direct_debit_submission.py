"""The day's Bacs submission, read back as the bank reads it (``standard18.read_submission``).

Three payers set up their Direct Debits on Monday 11 January 2027 for the 1st, 2nd and 3rd of the month; the
submission of Tuesday 12th lodges them (live from Friday 15th). A file input on a Bacs day is processed the next
Bacs day (the date in its UHL1 label) and collects on the one after (day 3): Thursday 28 January's file collects on
Monday 1 February, Friday 29th's on Tuesday 2nd, Monday 1 February's on Wednesday 3rd.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hearth.data.payments.models import BacsSubmission, Collection, Mandate, SubmissionRecord
from hearth.data.tariffs.models import Tariff
from hearth.domain.payments import collections, submissions
from hearth.domain.payments import operations as payment_ops
from tests.integration.payments.support import (
    ALEX,
    JO,
    SAM,
    BankAccount,
    at,
    payer,
    read_submission,
    submission_file,
)

pytestmark = pytest.mark.django_db

SET_UP = date(2027, 1, 11)
LODGED = date(2027, 1, 12)


@dataclass(frozen=True)
class Payers:
    first: Mandate  # pays on the 1st, from JO's account
    second: Mandate  # the 2nd, SAM's
    third: Mandate  # the 3rd, ALEX's


def _direct_debit(tariff: Tariff, bank: BankAccount, payment_day: int, day: date = SET_UP) -> Mandate:
    return payment_ops.set_up_direct_debit(
        account=payer(tariff),
        method=payment_ops.Method.STANDARD_DIRECT_DEBIT,
        payment_day=payment_day,
        details=bank.details(),
        actor=None,
        now=at(day),
    )


def _submit(day: date) -> submissions.SubmissionResult:
    submissions.activate_lodged_mandates(day=day, now=at(day, 6))
    result = submissions.make_submission(processing_date=day, now=at(day, 7), started_by="test")
    assert result is not None
    return result


def _pence(amount: Decimal) -> int:
    pence = amount * 100
    assert pence == int(pence)
    return int(pence)


def _first_collection(mandate: Mandate) -> Collection:
    return Collection.objects.filter(mandate=mandate).order_by("collection_date").first()  # type: ignore[return-value]


@pytest.fixture
def payers(tariff: Tariff, bacs_folder: Path) -> Payers:
    made = Payers(
        first=_direct_debit(tariff, JO, 1), second=_direct_debit(tariff, SAM, 2), third=_direct_debit(tariff, ALEX, 3)
    )
    _submit(LODGED)
    return made


def test_the_days_file_carries_each_collection_due_on_its_third_bacs_day_and_no_other(
    payers: Payers, bacs_folder: Path
) -> None:
    collection = _first_collection(payers.first)

    result = _submit(date(2027, 1, 28))

    sent = read_submission(result.submission, bacs_folder)
    assert sent.processing_date == date(2027, 1, 29)  # day 2: the file collects on Monday 1 February
    (record,) = sent.instructions
    assert collection.collection_date == date(2027, 2, 1)
    assert (record.transaction_code, record.amount_pence) == ("01", _pence(collection.amount))
    assert (record.destination_sort_code, record.destination_account_number) == ("089999", "66374958")
    assert (record.reference, record.destination_name) == (payers.first.reference, "JO BLOGGS")
    collection.refresh_from_db()
    assert (collection.status, collection.submission_id) == (Collection.Status.SUBMITTED, result.submission.pk)


def test_each_file_takes_the_collections_of_its_own_collection_day(payers: Payers, bacs_folder: Path) -> None:
    sent = {
        day: read_submission(_submit(day).submission, bacs_folder) for day in (date(2027, 1, 28), date(2027, 1, 29))
    }

    assert [r.reference for r in sent[date(2027, 1, 28)].instructions] == [payers.first.reference]
    assert [r.reference for r in sent[date(2027, 1, 29)].instructions] == [payers.second.reference]
    assert [r.destination_account_number for r in sent[date(2027, 1, 29)].instructions] == [SAM.number]


def test_a_collection_whose_input_day_was_missed_goes_in_the_next_file_on_that_files_day(
    payers: Payers, bacs_folder: Path
) -> None:
    # The 3rd's file (Monday 1 February) was never made; Tuesday 2nd's collects on Thursday 4th, late but once.
    _submit(date(2027, 1, 28))
    _submit(date(2027, 1, 29))

    sent = read_submission(_submit(date(2027, 2, 2)).submission, bacs_folder)

    assert [(r.reference, r.transaction_code) for r in sent.instructions] == [(payers.third.reference, "01")]
    assert _first_collection(payers.third).collection_date == date(2027, 2, 4)


def test_a_collection_after_the_first_is_sent_with_code_17(payers: Payers, bacs_folder: Path) -> None:
    for day in (date(2027, 1, 28), date(2027, 1, 29), date(2027, 2, 1)):
        _submit(day)
    collections.post_collected(day=date(2027, 2, 3), now=at(date(2027, 2, 3), 6))

    sent = read_submission(_submit(date(2027, 2, 25)).submission, bacs_folder)  # collects on Monday 1 March

    march = Collection.objects.get(mandate=payers.first, collection_date=date(2027, 3, 1))
    assert [(r.reference, r.transaction_code, r.amount_pence) for r in sent.instructions] == [
        (payers.first.reference, "17", _pence(march.amount))
    ]


def test_the_files_trailer_and_row_total_the_collections(tariff: Tariff, payers: Payers, bacs_folder: Path) -> None:
    # A fourth payer on the 1st as well, from the second payer's bank: two collections in one file.
    fourth = _direct_debit(tariff, SAM, 1, date(2027, 1, 13))
    _submit(date(2027, 1, 14))  # its 0N
    amounts = [_first_collection(m).amount for m in (payers.first, fourth)]

    result = _submit(date(2027, 1, 28))

    total = _pence(sum(amounts, Decimal(0)))
    utl1 = submission_file(result.submission, bacs_folder).decode("ascii").splitlines()[-1]
    # UTL1: debit value 5-17, credit value 18-30, debit count 31-37, credit count 38-44; the contra (code 99) is the
    # one credit, balancing the two debits.
    assert utl1[:4] == "UTL1"
    assert (int(utl1[4:17]), int(utl1[17:30]), int(utl1[30:37]), int(utl1[37:44])) == (total, total, 2, 1)
    read = read_submission(result.submission, bacs_folder)
    assert (read.debit_total_pence, read.debit_count) == (total, 2)
    row = result.submission
    assert (row.debit_count, row.debit_total, row.mandate_record_count) == (2, sum(amounts, Decimal(0)), 0)


def test_the_full_account_number_is_in_the_file_and_in_no_row_or_manifest(payers: Payers, bacs_folder: Path) -> None:
    result = _submit(date(2027, 1, 28))

    assert JO.number.encode() in submission_file(result.submission, bacs_folder)
    manifest = json.loads((bacs_folder / "bacs-20270128.manifest.json").read_text())
    assert JO.number not in json.dumps(manifest)
    assert (
        manifest["sha256"]
        == result.submission.sha256
        == hashlib.sha256(submission_file(result.submission, bacs_folder)).hexdigest()
    )
    rows = [
        *SubmissionRecord.objects.values_list(),
        *Collection.objects.values_list(),
        *Mandate.objects.values_list(),
        *BacsSubmission.objects.values_list(),
    ]
    assert not any(JO.number in str(value) for row in rows for value in row)


def test_there_is_one_submission_a_day_and_asking_again_returns_it_unchanged(payers: Payers, bacs_folder: Path) -> None:
    made = _submit(date(2027, 1, 28))
    counts = (BacsSubmission.objects.count(), SubmissionRecord.objects.count())

    again = submissions.make_submission(
        processing_date=date(2027, 1, 28), now=at(date(2027, 1, 28), 15), started_by="t"
    )

    assert again is not None
    assert (made.created, again.created) == (True, False)
    assert again.submission.pk == made.submission.pk
    assert (BacsSubmission.objects.count(), SubmissionRecord.objects.count()) == counts


def test_a_deleted_file_is_written_again_byte_for_byte(payers: Payers, bacs_folder: Path) -> None:
    made = _submit(date(2027, 1, 28))
    original = submission_file(made.submission, bacs_folder)
    (bacs_folder / made.submission.file_name).unlink()
    (bacs_folder / "bacs-20270128.manifest.json").unlink()

    again = submissions.make_submission(
        processing_date=date(2027, 1, 28), now=at(date(2027, 1, 28), 15), started_by="t"
    )

    assert again is not None
    assert submission_file(again.submission, bacs_folder) == original
    assert (bacs_folder / "bacs-20270128.manifest.json").exists()


def test_a_file_on_disk_with_other_bytes_is_refused_and_left_as_it_is(payers: Payers, bacs_folder: Path) -> None:
    made = _submit(date(2027, 1, 28))
    path = bacs_folder / made.submission.file_name
    tampered = path.read_bytes().replace(b"JO BLOGGS", b"JO BLOGGZ")
    path.write_bytes(tampered)

    with pytest.raises(submissions.SubmissionProblem, match="exists with other contents"):
        submissions.make_submission(processing_date=date(2027, 1, 28), now=at(date(2027, 1, 28), 15), started_by="t")

    assert path.read_bytes() == tampered


def test_no_file_is_made_on_a_day_bacs_does_not_process(payers: Payers, bacs_folder: Path) -> None:
    with pytest.raises(submissions.SubmissionProblem, match="not a Bacs processing day"):
        submissions.make_submission(processing_date=date(2027, 1, 30), now=at(date(2027, 1, 30)), started_by="t")


def test_the_first_collection_from_new_bank_details_is_sent_as_a_first_collection(
    tariff: Tariff, payers: Payers, bacs_folder: Path
) -> None:
    for day in (date(2027, 1, 28), date(2027, 1, 29), date(2027, 2, 1)):
        _submit(day)
    collections.post_collected(day=date(2027, 2, 3), now=at(date(2027, 2, 3), 6))
    # On Monday 22 February the first payer moves to SAM's bank. The new notice allows collections from Monday
    # 8 March; 1 March was announced already and moves to the new instruction, its first collection.
    moved = payment_ops.set_up_direct_debit(
        account=payers.first.account,
        method=payment_ops.Method.STANDARD_DIRECT_DEBIT,
        payment_day=1,
        details=SAM.details(),
        actor=None,
        now=at(date(2027, 2, 22)),
    )
    lodging = read_submission(_submit(date(2027, 2, 23)).submission, bacs_folder)  # 0C for the old, 0N for the new

    march = read_submission(_submit(date(2027, 2, 25)).submission, bacs_folder)  # collects Monday 1 March

    assert sorted((r.transaction_code, r.reference) for r in lodging.instructions) == [
        ("0C", payers.first.reference),
        ("0N", moved.reference),
    ]
    assert [(r.transaction_code, r.reference, r.destination_account_number) for r in march.instructions] == [
        ("01", moved.reference, SAM.number)
    ]
    codes = [
        c.transaction_code
        for c in Collection.objects.filter(mandate=moved)
        .exclude(status=Collection.Status.CANCELLED)
        .order_by("collection_date")
    ]
    assert codes == ["01"] + ["17"] * (len(codes) - 1)
