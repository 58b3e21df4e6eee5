"""The bank's reports (ARUDD, ADDACS, AUDDIS) imported as care staff import them, each entry acted on by its code.

The bank is played by the test: each ARUDD entry is made from a record of Hearth's own submission as read back,
naming the file's processing day as a bank does. What each code must do is docs/payments.md's table, restated
here:

- ARUDD, every code: the collection is returned unpaid and its payment reversed.
- ARUDD 0 (refer to payer), 1 (instruction cancelled), B (account closed): the product's missed-payment fee and the
  bank's charge; 0 is re-presented once (code 18).
- ARUDD 1, B, 3, 5, 6, 2, A: the Direct Debit ends, the account pays on receipt of bill and is told by a notice.
- ARUDD 2, A, 4, 7, 8, 9: care staff to check.
- ADDACS 0, 1, 2, B, D: the Direct Debit ends (D: care staff check the notice); 3, C, E: the instruction's details
  change; R: the instruction is live again.
- AUDDIS, a rejected instruction: the mandate is rejected, its collections cancelled, the customer told.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from hearth.common import sealed
from hearth.common.bacs import reports, standard18
from hearth.data.billing.models import AdditionalCharge, LedgerEntry
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.data.payments.models import BacsReport, BacsReportItem, Collection, Mandate, PaymentArrangement
from hearth.data.tariffs.models import Tariff
from hearth.domain.documents import letters
from hearth.domain.identity import operations as identity_ops
from hearth.domain.payments import arrangements, bacs_reports, collections, submissions
from hearth.domain.payments import operations as payment_ops
from tests.integration.payments.conftest import BANK_CHARGE
from tests.integration.payments.support import (
    ALEX,
    FEE,
    JO,
    SAM,
    addacs,
    advice,
    arudd,
    at,
    auddis,
    payer,
    read_submission,
    returned,
)

pytestmark = pytest.mark.django_db

Method = PaymentArrangement.Method
ARUDD_CODES = list(reports.ARUDD_REASONS)
FEE_CODES = {"0", "1", "B"}
ENDING_CODES = {"1", "B", "3", "5", "6", "2", "A"}
CARE_CHECK_CODES = {"2", "A", "4", "7", "8", "9"}

SET_UP = date(2027, 1, 11)
REPORTED = date(2027, 2, 3)  # the Wednesday after the 1 February collection


@dataclass
class Paid:
    """A Direct Debit whose first collection (1 February 2027) has been taken, and the file that took it."""

    mandate: Mandate
    collection: Collection
    sent: standard18.Submission

    @property
    def record(self) -> standard18.Instruction:
        (record,) = [r for r in self.sent.instructions if r.reference == self.mandate.reference]
        return record


def _submit(day: date) -> submissions.SubmissionResult | None:
    submissions.activate_lodged_mandates(day=day, now=at(day, 6))
    return submissions.make_submission(processing_date=day, now=at(day, 7), started_by="test")


def _import(data: bytes, day: date = REPORTED, name: str = "report.xml") -> BacsReport:
    return bacs_reports.import_report(file_name=name, data=data, imported_by="care@hearth.example", now=at(day))


def _paid(tariff: Tariff, bacs_folder: Path, count: int = 1) -> list[Paid]:
    """``count`` Direct Debits on the 1st whose first collection, on 1 February 2027, has been taken."""
    mandates = [
        payment_ops.set_up_direct_debit(
            account=payer(tariff),
            method=Method.STANDARD_DIRECT_DEBIT,
            payment_day=1,
            details=JO.details(),
            actor=None,
            now=at(SET_UP),
        )
        for _ in range(count)
    ]
    _submit(date(2027, 1, 12))
    result = _submit(date(2027, 1, 28))
    assert result is not None
    collections.post_collected(day=date(2027, 2, 1), now=at(date(2027, 2, 1), 6))
    sent = read_submission(result.submission, bacs_folder)
    return [
        Paid(
            mandate=mandate,
            collection=Collection.objects.get(mandate=mandate, collection_date=date(2027, 2, 1)),
            sent=sent,
        )
        for mandate in mandates
    ]


@pytest.fixture
def paid(tariff: Tariff, bacs_folder: Path) -> Paid:
    (only,) = _paid(tariff, bacs_folder)
    return only


def _return(paid: Paid, code: str) -> BacsReportItem:
    report = _import(
        arudd([returned(paid.record, code=code, processing_date=paid.sent.processing_date)], report_date=REPORTED)
    )
    (item,) = report.items.all()
    return item


def _notices(mandate: Mandate) -> list[Document]:
    return list(Document.objects.filter(account=mandate.account, document_type__code="PAYMENT_NOTICE").order_by("id"))


def _charges(mandate: Mandate) -> dict[str, Decimal]:
    return {c.kind: c.amount for c in AdditionalCharge.objects.filter(account=mandate.account)}


# --- ARUDD -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ARUDD_CODES)
def test_every_unpaid_collection_has_its_payment_reversed(paid: Paid, code: str) -> None:
    item = _return(paid, code)

    paid.collection.refresh_from_db()
    assert paid.collection.status == Collection.Status.UNPAID
    assert item.outcome == BacsReportItem.Outcome.APPLIED
    assert (item.mandate_id, item.collection_id) == (paid.mandate.pk, paid.collection.pk)
    reversal = LedgerEntry.objects.get(account=paid.mandate.account, kind=LedgerEntry.Kind.PAYMENT_REVERSAL)
    assert reversal.amount == paid.collection.amount
    assert paid.collection.reversal_id == reversal.pk


@pytest.mark.parametrize("code", ARUDD_CODES)
def test_the_missed_payment_fee_and_bank_charge_are_added_only_for_refer_to_payer_cancelled_or_closed(
    paid: Paid, code: str
) -> None:
    _return(paid, code)

    expected = (
        {AdditionalCharge.Kind.MISSED_PAYMENT_FEE: FEE, AdditionalCharge.Kind.BANK_CHARGES: Decimal(BANK_CHARGE)}
        if code in FEE_CODES
        else {}
    )
    assert _charges(paid.mandate) == expected


@pytest.mark.parametrize("code", ARUDD_CODES)
def test_unpaid_codes_meaning_the_instruction_is_gone_end_the_direct_debit_and_tell_the_customer(
    paid: Paid, code: str
) -> None:
    notices_before = len(_notices(paid.mandate))

    item = _return(paid, code)

    paid.mandate.refresh_from_db()
    arrangement = PaymentArrangement.objects.get(account=paid.mandate.account)
    scheduled = Collection.objects.filter(mandate=paid.mandate, status=Collection.Status.SCHEDULED)
    if code in ENDING_CODES:
        assert (paid.mandate.status, paid.mandate.ended_by_bank) == (Mandate.Status.CANCELLED, True)
        assert arrangement.method == Method.STANDARD_CREDIT
        assert not scheduled.exists()
        assert len(_notices(paid.mandate)) == notices_before + 1
        assert "Direct Debit ended" in item.action
    else:
        assert paid.mandate.status == Mandate.Status.LIVE
        assert arrangement.method == Method.STANDARD_DIRECT_DEBIT
        assert scheduled.exclude(purpose=Collection.Purpose.RE_PRESENTATION).count() == 11
    assert ("care staff to check" in item.action) == (code in CARE_CHECK_CODES)


@pytest.mark.parametrize("code", [c for c in ARUDD_CODES if c != "0"])
def test_only_refer_to_payer_is_re_presented(paid: Paid, code: str) -> None:
    _return(paid, code)

    assert not Collection.objects.filter(purpose=Collection.Purpose.RE_PRESENTATION).exists()


def test_refer_to_payer_is_re_presented_once_with_code_18_after_a_new_notice(paid: Paid, bacs_folder: Path) -> None:
    notices_before = _notices(paid.mandate)

    _return(paid, "0")

    # Reported and imported on Wednesday 3 February 2027: a notice e-mailed that day allows a collection ten
    # working days on, Wednesday 17 February; the file of Monday 15th carries it with code 18.
    again = Collection.objects.get(purpose=Collection.Purpose.RE_PRESENTATION)
    assert (again.collection_date, again.amount, again.transaction_code) == (
        date(2027, 2, 17),
        paid.collection.amount,
        "18",
    )
    assert again.represents_id == paid.collection.pk
    new_notices = [n for n in _notices(paid.mandate) if n not in notices_before]
    assert [n.pk for n in new_notices] == [again.notice_id]
    result = _submit(date(2027, 2, 15))
    assert result is not None
    sent = read_submission(result.submission, bacs_folder)
    assert [(r.reference, r.transaction_code, r.amount_pence) for r in sent.instructions] == [
        (paid.mandate.reference, "18", paid.record.amount_pence)
    ]


def test_two_collections_returned_in_one_report_are_each_re_presented_under_a_notice_of_its_own(
    paid: Paid, bacs_folder: Path
) -> None:
    march = _submit(date(2027, 2, 25))  # collects Monday 1 March
    assert march is not None
    collections.post_collected(day=date(2027, 3, 1), now=at(date(2027, 3, 1), 6))
    sent_in_march = read_submission(march.submission, bacs_folder)
    (march_record,) = sent_in_march.instructions
    entries = [
        returned(paid.record, code="0", processing_date=paid.sent.processing_date),
        returned(march_record, code="0", processing_date=sent_in_march.processing_date),
    ]

    _import(arudd(entries, report_date=date(2027, 3, 3)), day=date(2027, 3, 3))

    again = list(Collection.objects.filter(purpose=Collection.Purpose.RE_PRESENTATION).order_by("collection_date"))
    assert len(again) == 2
    assert again[0].collection_date != again[1].collection_date
    assert again[0].notice_id != again[1].notice_id
    for collection in again:
        assert collection.notice is not None
        assert collection.notice.amount == collection.amount


def test_a_re_presented_collection_returned_again_is_not_re_presented_twice(paid: Paid, bacs_folder: Path) -> None:
    _return(paid, "0")
    result = _submit(date(2027, 2, 15))
    assert result is not None
    collections.post_collected(day=date(2027, 2, 17), now=at(date(2027, 2, 17), 6))
    sent = read_submission(result.submission, bacs_folder)
    (record,) = sent.instructions

    report = _import(
        arudd([returned(record, code="0", processing_date=sent.processing_date)], report_date=date(2027, 2, 19)),
        day=date(2027, 2, 19),
    )

    (item,) = report.items.all()
    assert "not re-presented again" in item.action
    assert Collection.objects.filter(purpose=Collection.Purpose.RE_PRESENTATION).count() == 1
    assert Collection.objects.get(purpose=Collection.Purpose.RE_PRESENTATION).status == Collection.Status.UNPAID
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT_REVERSAL).count() == 2


def test_a_re_presentation_never_falls_on_a_day_the_direct_debit_already_collects(paid: Paid) -> None:
    # The report is imported late, on Monday 15 February 2027: ten working days on is Monday 1 March, the day of
    # the next monthly collection; the re-presentation takes the next Bacs day, Tuesday 2 March.
    entry = returned(paid.record, code="0", processing_date=paid.sent.processing_date)
    (item,) = _import(arudd([entry], report_date=REPORTED), day=date(2027, 2, 15)).items.all()

    assert item.outcome == BacsReportItem.Outcome.APPLIED
    again = Collection.objects.get(purpose=Collection.Purpose.RE_PRESENTATION)
    assert again.collection_date == date(2027, 3, 2)
    assert Collection.objects.get(mandate=paid.mandate, collection_date=date(2027, 3, 1)).purpose == "MONTHLY"


def test_a_bank_code_is_read_by_its_description(paid: Paid) -> None:
    # Banks send their own four-digit return code; the public reason is named by the description.
    entry = returned(paid.record, code="B", processing_date=paid.sent.processing_date, bank_code="1012")
    (item,) = _import(arudd([entry], report_date=REPORTED)).items.all()

    assert item.reason_code == "B"
    paid.mandate.refresh_from_db()
    assert paid.mandate.status == Mandate.Status.CANCELLED


# --- ADDACS ----------------------------------------------------------------------------------------------------------


def _addacs(paid: Paid, code: str, **new: str) -> BacsReportItem:
    entry = advice(
        reference=paid.mandate.reference, code=code, account=JO, table=reports.ADDACS_REASONS, effective=REPORTED, **new
    )
    (item,) = _import(addacs([entry], report_date=REPORTED)).items.all()
    return item


@pytest.mark.parametrize("code", ["0", "1", "2", "B", "D"])
def test_an_addacs_cancellation_ends_the_direct_debit_and_tells_the_customer(paid: Paid, code: str) -> None:
    notices_before = len(_notices(paid.mandate))

    item = _addacs(paid, code)

    paid.mandate.refresh_from_db()
    assert (paid.mandate.status, paid.mandate.ended_by_bank) == (Mandate.Status.CANCELLED, True)
    assert PaymentArrangement.objects.get(account=paid.mandate.account).method == Method.STANDARD_CREDIT
    assert not Collection.objects.filter(mandate=paid.mandate, status=Collection.Status.SCHEDULED).exists()
    assert len(_notices(paid.mandate)) == notices_before + 1
    assert item.outcome == BacsReportItem.Outcome.APPLIED
    assert ("care staff to check the advance notice" in item.action) == (code == "D")


@pytest.mark.parametrize(("code", "sort_code", "number"), [("3", SAM.sort_code, SAM.number), ("C", "089999", None)])
def test_an_addacs_transfer_moves_the_instruction_and_the_next_file_collects_from_the_new_account(
    paid: Paid, bacs_folder: Path, code: str, sort_code: str, number: str | None
) -> None:
    new = {"new_sort_code": sort_code} | ({"new_number": number} if number else {})

    item = _addacs(paid, code, **new)

    paid.mandate.refresh_from_db()
    assert item.outcome == BacsReportItem.Outcome.APPLIED
    assert paid.mandate.sort_code == sort_code
    assert sealed.unseal(paid.mandate.account_number_sealed, keys=settings.HEARTH_BANK_DETAILS_KEYS) == (
        number or JO.number
    )
    assert paid.mandate.account_number_last2 == (number or JO.number)[-2:]
    result = _submit(date(2027, 2, 25))  # collects Monday 1 March
    assert result is not None
    (record,) = read_submission(result.submission, bacs_folder).instructions
    assert (record.destination_sort_code, record.destination_account_number) == (sort_code, number or JO.number)
    assert record.transaction_code == "17"


def test_an_addacs_amendment_changes_the_name_on_the_instruction(paid: Paid) -> None:
    _addacs(paid, "E", new_name="JOANNE BLOGGS")

    paid.mandate.refresh_from_db()
    assert paid.mandate.holder_name == "JOANNE BLOGGS"
    assert paid.mandate.status == Mandate.Status.LIVE


def test_an_addacs_reinstatement_makes_a_cancelled_instruction_live_again(paid: Paid) -> None:
    _addacs(paid, "1")

    item = _addacs(paid, "R")

    paid.mandate.refresh_from_db()
    assert paid.mandate.status == Mandate.Status.LIVE
    assert "care staff to check" in item.action


def test_a_reinstatement_while_the_account_has_a_newer_direct_debit_is_kept_for_care_staff(paid: Paid) -> None:
    _addacs(paid, "1")
    newer = payment_ops.set_up_direct_debit(
        account=paid.mandate.account,
        method=Method.STANDARD_DIRECT_DEBIT,
        payment_day=1,
        details=SAM.details(),
        actor=None,
        now=at(date(2027, 2, 4)),
    )

    item = _addacs(paid, "R")

    assert item.outcome == BacsReportItem.Outcome.KEPT
    assert newer.reference in item.action
    paid.mandate.refresh_from_db()
    newer.refresh_from_db()
    assert (paid.mandate.status, newer.status) == (Mandate.Status.CANCELLED, Mandate.Status.PENDING)


# --- AUDDIS ----------------------------------------------------------------------------------------------------------


def test_an_auddis_rejection_rejects_the_instruction_cancels_its_collections_and_tells_the_customer(
    tariff: Tariff, bacs_folder: Path
) -> None:
    mandate = payment_ops.set_up_direct_debit(
        account=payer(tariff),
        method=Method.STANDARD_DIRECT_DEBIT,
        payment_day=1,
        details=ALEX.details(),
        actor=None,
        now=at(SET_UP),
    )
    result = _submit(date(2027, 1, 12))
    assert result is not None
    lodged = read_submission(result.submission, bacs_folder)
    notices_before = len(_notices(mandate))
    rejection = advice(
        reference=mandate.reference,
        code="L",
        account=ALEX,
        table=reports.AUDDIS_REASONS,
        effective=date(2027, 1, 13),
        transaction_code="0N",
    )

    report = _import(auddis([rejection], report_date=date(2027, 1, 14), submission=lodged), day=date(2027, 1, 14))

    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.REJECTED
    assert not Collection.objects.filter(mandate=mandate).exclude(status=Collection.Status.CANCELLED).exists()
    assert PaymentArrangement.objects.get(account=mandate.account).method == Method.STANDARD_CREDIT
    assert len(_notices(mandate)) == notices_before + 1
    items = {item.reference: item for item in report.items.all()}
    assert items[mandate.reference].outcome == BacsReportItem.Outcome.APPLIED
    assert "Incorrect payer's account details" in items[mandate.reference].action
    assert submissions.activate_lodged_mandates(day=date(2027, 1, 15), now=at(date(2027, 1, 15))) == []


# --- Entries kept, replayed, dismissed --------------------------------------------------------------------------------


@pytest.fixture
def staff(db: None) -> User:
    identity_ops.create_staff_login(
        email="care@hearth.example", full_name="Casey Care", password="Console4Care9", now=at(SET_UP)
    )
    return User.objects.get(email="care@hearth.example")


def test_an_entry_for_an_unknown_reference_is_kept_with_its_reason_and_applied_when_replayed_after_the_mandate_exists(
    tariff: Tariff, staff: User
) -> None:
    account = payer(tariff)
    reference = f"HRTH{account.number}-1"  # the reference its first instruction will have
    entry = advice(reference=reference, code="1", account=SAM, table=reports.ADDACS_REASONS, effective=REPORTED)
    (item,) = _import(addacs([entry], report_date=REPORTED)).items.all()
    assert item.outcome == BacsReportItem.Outcome.KEPT
    assert item.action == f"No Direct Debit has the reference {reference!r}."

    mandate = arrangements.set_up_mandate(account=account, details=SAM.details(), actor=None, now=at(REPORTED, 11))
    replayed = bacs_reports.replay_item(item=item, actor=staff, now=at(REPORTED, 12))

    assert mandate.reference == reference
    assert replayed.outcome == BacsReportItem.Outcome.APPLIED
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.CANCELLED


def test_a_kept_entry_is_dismissed_only_with_a_reason(tariff: Tariff, staff: User) -> None:
    entry = advice(
        reference="HRTH9999999999-1", code="1", account=SAM, table=reports.ADDACS_REASONS, effective=REPORTED
    )
    (item,) = _import(addacs([entry], report_date=REPORTED)).items.all()

    with pytest.raises(bacs_reports.ReportRefused, match="reason"):
        bacs_reports.dismiss_item(item=item, reason="  ", actor=staff, now=at(REPORTED, 11))
    dismissed = bacs_reports.dismiss_item(
        item=item, reason="Not one of ours: another supplier's reference", actor=staff, now=at(REPORTED, 11)
    )

    dismissed.refresh_from_db()
    assert dismissed.outcome == BacsReportItem.Outcome.DISMISSED
    assert "another supplier's reference" in dismissed.action


def test_importing_the_same_report_twice_changes_nothing(paid: Paid) -> None:
    data = arudd([returned(paid.record, code="0", processing_date=paid.sent.processing_date)], report_date=REPORTED)
    first = _import(data)

    def state() -> tuple[int, ...]:
        return (
            BacsReport.objects.count(),
            BacsReportItem.objects.count(),
            LedgerEntry.objects.count(),
            AdditionalCharge.objects.count(),
            Collection.objects.count(),
            Document.objects.count(),
        )

    before = state()
    second = _import(data, day=date(2027, 2, 4), name="report-again.xml")

    assert second.pk == first.pk
    assert state() == before


def test_a_report_written_on_one_line_has_each_entry_acted_on(tariff: Tariff, bacs_folder: Path) -> None:
    first, second = _paid(tariff, bacs_folder, 2)
    entries = [returned(paid.record, code="0", processing_date=paid.sent.processing_date) for paid in (first, second)]
    one_line = b"".join(line.strip() for line in arudd(entries, report_date=REPORTED).splitlines())

    report = _import(one_line)

    items = list(report.items.order_by("line"))
    assert [(i.reference, i.outcome) for i in items] == [
        (first.mandate.reference, BacsReportItem.Outcome.APPLIED),
        (second.mandate.reference, BacsReportItem.Outcome.APPLIED),
    ]
    assert Collection.objects.filter(status=Collection.Status.UNPAID).count() == 2


def test_an_import_cut_short_is_finished_by_importing_the_file_again(
    tariff: Tariff, bacs_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paid = _paid(tariff, bacs_folder, 3)
    data = arudd(
        [returned(p.record, code="B", processing_date=p.sent.processing_date) for p in paid], report_date=REPORTED
    )
    issue_letter = letters.issue_letter
    calls = []

    def disk_full_on_the_second_letter(**kwargs: Any) -> Document:
        calls.append(kwargs)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return issue_letter(**kwargs)

    monkeypatch.setattr(letters, "issue_letter", disk_full_on_the_second_letter)
    with pytest.raises(OSError, match="No space left"):
        _import(data)
    monkeypatch.setattr(letters, "issue_letter", issue_letter)

    report = _import(data, day=date(2027, 2, 4))

    assert [i.outcome for i in report.items.order_by("line")] == [BacsReportItem.Outcome.APPLIED] * 3
    for each in paid:
        each.mandate.refresh_from_db()
        assert each.mandate.status == Mandate.Status.CANCELLED
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT_REVERSAL).count() == 3
    assert AdditionalCharge.objects.filter(kind=AdditionalCharge.Kind.MISSED_PAYMENT_FEE).count() == 3


def test_a_file_that_is_not_a_bacs_report_is_refused_and_nothing_is_stored(paid: Paid) -> None:
    with pytest.raises(bacs_reports.ReportRefused, match="cannot be read as a Bacs report"):
        _import(b"<invoice><total>12.00</total></invoice>", name="invoice.xml")
    with pytest.raises(bacs_reports.ReportRefused, match="cannot be read as a Bacs report"):
        _import(b"Dear Hearth, please stop my Direct Debit.", name="letter.txt")

    assert not BacsReport.objects.exists()


# --- Account numbers in reports --------------------------------------------------------------------------------------


def _database_text() -> str:
    """Every row of the payments, audit and billing tables as text, binary columns decoded as they are stored."""
    text = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith(("payments_", "audit_", "billing_", "documents_")):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database itself
            for row in cursor.fetchall():
                for value in row:
                    text.append(bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview) else str(value))
    return "\n".join(text)


def test_a_new_account_number_in_a_report_is_never_stored_in_clear(paid: Paid) -> None:
    moved = advice(
        reference=paid.mandate.reference,
        code="3",
        account=JO,
        table=reports.ADDACS_REASONS,
        effective=REPORTED,
        new_sort_code=SAM.sort_code,
        new_number=SAM.number,
    )
    unreadable = advice(
        reference=paid.mandate.reference,
        code="Z",
        account=JO,
        table={},
        effective=REPORTED,
        new_sort_code=ALEX.sort_code,
        new_number=ALEX.number,
    )

    report = _import(addacs([moved, unreadable], report_date=REPORTED))

    outcomes = sorted(item.outcome for item in report.items.all())
    assert outcomes == [BacsReportItem.Outcome.APPLIED, BacsReportItem.Outcome.KEPT]
    stored = _database_text()
    for number in (JO.number, SAM.number, ALEX.number):
        assert number not in stored, number
    assert bacs_reports.report_file(report) == addacs([moved, unreadable], report_date=REPORTED)
