"""Direct Debit instructions (mandates): checked bank details, sealed account numbers, and their Bacs lifecycle.

A mandate is made ``PENDING``; the next Bacs day's submission lodges it with a ``0N`` record (``LODGED``); it is live
from two Bacs days after the following input day (``LIVE``). Ending it from Hearth sends a ``0C``; the bank ending it
(ADDACS) does not, since the bank already knows. The test reads each file back as the bank would.
"""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hearth.common import sealed
from hearth.data.payments.models import Mandate, SubmissionRecord
from hearth.data.tariffs.models import Tariff
from hearth.domain.payments import arrangements, bacs_reports, submissions
from hearth.domain.payments import operations as payment_ops
from tests.integration.payments.support import FAILS_MODULUS, JO, SAM, addacs, advice, at, payer, read_submission

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 1, 11)
TUESDAY = date(2027, 1, 12)


def _set_up(tariff: Tariff, bank=JO) -> Mandate:
    return arrangements.set_up_mandate(account=payer(tariff), details=bank.details(), actor=None, now=at(MONDAY))


def test_a_mandate_made_with_vocalinks_published_example_details_waits_to_be_lodged(tariff: Tariff) -> None:
    mandate = _set_up(tariff)

    assert mandate.status == Mandate.Status.PENDING
    assert (mandate.sort_code, mandate.account_number_last2, mandate.holder_name) == ("089999", "58", "JO BLOGGS")
    assert mandate.lodged_date is None
    assert mandate.live_date is None


def test_bank_details_failing_the_modulus_check_are_refused_with_the_reason(tariff: Tariff) -> None:
    account = payer(tariff)

    with pytest.raises(arrangements.PaymentRefused, match="sort code and account number do not match"):
        arrangements.set_up_mandate(account=account, details=FAILS_MODULUS.details(), actor=None, now=at(MONDAY))

    assert not Mandate.objects.filter(account=account).exists()


def test_the_account_number_is_stored_sealed_and_only_its_last_two_digits_in_clear(tariff: Tariff) -> None:
    mandate = _set_up(tariff)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM payments_mandate WHERE id = %s", [mandate.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert JO.number not in row
    assert mandate.account_number_last2 == "58"
    assert (
        sealed.unseal(mandate.account_number_sealed, keys=settings.HEARTH_BANK_DETAILS_KEYS) == JO.number
    )  # the seal opens with the configured key


def test_the_next_bacs_days_submission_lodges_the_new_mandate_with_a_0N(tariff: Tariff, bacs_folder: Path) -> None:
    mandate = _set_up(tariff)

    result = submissions.make_submission(processing_date=TUESDAY, now=at(TUESDAY, 7), started_by="test")

    assert result is not None
    (record,) = read_submission(result.submission, bacs_folder).instructions
    assert (record.transaction_code, record.amount_pence, record.reference) == ("0N", 0, mandate.reference)
    assert (record.destination_sort_code, record.destination_account_number) == (JO.sort_code, JO.number)
    mandate.refresh_from_db()
    assert (mandate.status, mandate.lodged_date) == (Mandate.Status.LODGED, TUESDAY)


def test_a_lodged_mandate_goes_live_two_bacs_days_after_the_next_input_day(tariff: Tariff, bacs_folder: Path) -> None:
    # Lodged on Tuesday 12 January 2027; a collection could be input on Wednesday 13th and taken two Bacs days
    # later, Friday 15th: the live date.
    mandate = _set_up(tariff)
    submissions.make_submission(processing_date=TUESDAY, now=at(TUESDAY, 7), started_by="test")

    assert submissions.activate_lodged_mandates(day=date(2027, 1, 14), now=at(date(2027, 1, 14))) == []
    live = submissions.activate_lodged_mandates(day=date(2027, 1, 15), now=at(date(2027, 1, 15)))

    mandate.refresh_from_db()
    assert [m.pk for m in live] == [mandate.pk]
    assert (mandate.status, mandate.live_date) == (Mandate.Status.LIVE, date(2027, 1, 15))


def test_a_direct_debit_cancelled_by_care_staff_sends_a_0C_in_the_next_submission(
    tariff: Tariff, bacs_folder: Path
) -> None:
    mandate = _set_up(tariff)
    submissions.make_submission(processing_date=TUESDAY, now=at(TUESDAY, 7), started_by="test")

    payment_ops.cancel_direct_debit(
        mandate=mandate, reason="the customer asked us to", by_bank=False, actor=None, now=at(date(2027, 1, 13))
    )
    result = submissions.make_submission(
        processing_date=date(2027, 1, 14), now=at(date(2027, 1, 14), 7), started_by="t"
    )

    assert result is not None
    (record,) = read_submission(result.submission, bacs_folder).instructions
    assert (record.transaction_code, record.amount_pence, record.reference) == ("0C", 0, mandate.reference)
    assert (record.destination_sort_code, record.destination_account_number) == (JO.sort_code, JO.number)


def test_a_direct_debit_the_bank_cancelled_sends_no_0C(tariff: Tariff, bacs_folder: Path) -> None:
    mandate = _set_up(tariff)
    other = _set_up(tariff, SAM)  # lodged the same day; its 0C shows the next file is made and read
    submissions.make_submission(processing_date=TUESDAY, now=at(TUESDAY, 7), started_by="test")
    report = addacs(
        [advice(reference=mandate.reference, code="1", account=JO, table={"1": "cancelled"}, effective=TUESDAY)],
        report_date=date(2027, 1, 13),
    )
    bacs_reports.import_report(file_name="addacs.xml", data=report, imported_by="test", now=at(date(2027, 1, 13)))
    payment_ops.cancel_direct_debit(
        mandate=other, reason="the customer asked us to", by_bank=False, actor=None, now=at(date(2027, 1, 13))
    )

    result = submissions.make_submission(
        processing_date=date(2027, 1, 14), now=at(date(2027, 1, 14), 7), started_by="t"
    )

    mandate.refresh_from_db()
    assert (mandate.status, mandate.ended_by_bank) == (Mandate.Status.CANCELLED, True)
    assert result is not None
    records = read_submission(result.submission, bacs_folder).instructions
    assert [(r.transaction_code, r.reference) for r in records] == [("0C", other.reference)]
    assert not SubmissionRecord.objects.filter(mandate=mandate, transaction_code="0C").exists()
