"""The day's Bacs submission and the posting of collected Direct Debits work in bulk (updates by sets of ids, a lot of
collections at a time) and leave the rows the row-by-row code left: each new mandate lodged once, each ended one
cancelled once, each due collection sent once and paid once with its ledger payment and audit event.

Lots are made tiny here (two rows) so that every path crosses a lot boundary. Runs on SQLite and PostgreSQL; the race
of two runs needs PostgreSQL (SQLite takes one writer at a time, so the race cannot happen there).
"""

import hashlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from hearth.common.bacs import standard18
from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import LedgerEntry
from hearth.data.payments.models import BacsSubmission, Collection, Mandate, SubmissionRecord
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import operations as billing_ops
from hearth.domain.payments import arrangements, collections, submissions

NOW = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)
PROCESSING_DAY = date(2026, 11, 2)
"""A Monday, a Bacs processing day: the submission's input day (day 1)."""
COLLECTION_DAY = date(2026, 11, 4)
"""Day 3 of a file input on Monday 2 November: Tuesday is day 2, Wednesday the money moves."""
OVERDUE_DAY = date(2026, 11, 3)
NEW_MANDATE_LIVE = date(2026, 11, 5)
"""A mandate lodged on Monday: its first collection can be input on Tuesday and is taken on Thursday 5 November."""
NEXT_MONTH = date(2026, 12, 4)
SUBMITTED_AT = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
COLLECTED_AT = datetime(2026, 11, 4, 6, 0, tzinfo=UTC)

BANK = {
    "089999": "66374958",
    "107999": "88837491",
    "202959": "63748472",
    "871427": "46238510",
    "872427": "46238510",
}
"""Vocalink's published passing cases (sort code: account number), so the modulus check takes them."""


@pytest.fixture(autouse=True)
def _bacs_folder(settings: Any, tmp_path: Path) -> None:
    settings.HEARTH_BACS = {**settings.HEARTH_BACS, "folder": str(tmp_path / "bacs")}


@pytest.fixture
def lots_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submissions, "IDS_AT_A_TIME", 2)
    monkeypatch.setattr(collections, "POSTED_AT_A_TIME", 2)


def _account(name: str) -> Account:
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name=name, contact_email=f"{name.split()[0].lower()}@example.com", now=NOW
    )
    home = accounts_ops.create_property(
        address_line_1="1 Mill Street", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    return accounts_ops.open_account(customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=NOW)


def _mandate(name: str, sort_code: str, *, live_date: date | None = date(2026, 10, 1)) -> Mandate:
    """A mandate set up as the portal sets one up; lodged and live from ``live_date`` unless that is None."""
    details = arrangements.BankDetails(holder_name=name, sort_code=sort_code, account_number=BANK[sort_code])
    mandate = arrangements.set_up_mandate(account=_account(name), details=details, actor=None, now=NOW)
    if live_date is not None:
        Mandate.objects.filter(pk=mandate.pk).update(
            status=Mandate.Status.LIVE, lodged_date=date(2026, 9, 28), live_date=live_date
        )
        mandate.refresh_from_db()
    return mandate


def _collection(
    mandate: Mandate,
    day: date,
    amount: str,
    *,
    code: str = "17",
    status: Collection.Status = Collection.Status.SCHEDULED,
) -> Collection:
    return Collection.objects.create(
        account=mandate.account,
        mandate=mandate,
        purpose=Collection.Purpose.MONTHLY,
        transaction_code=code,
        amount=Decimal(amount),
        collection_date=day,
        status=status,
        scheduled_at=NOW,
    )


def _make() -> submissions.SubmissionResult:
    result = submissions.make_submission(processing_date=PROCESSING_DAY, now=SUBMITTED_AT, started_by="daily jobs")
    assert result is not None
    return result


# --- The submission ------------------------------------------------------------------------------------------------


@pytest.fixture
def day_of_mandates() -> dict[str, Any]:
    """Due, overdue and not-yet-due collections, a new mandate, and mandates ended by the customer and by the bank."""
    first = _mandate("Ann Jones", "089999")
    second = _mandate("Bob Smith", "107999")
    third = _mandate("Cy Patel", "202959")
    new = _mandate("Di Evans", "871427", live_date=None)
    not_yet_live = _mandate("Ed Brown", "872427", live_date=date(2026, 11, 6))
    ended = _mandate("Flo Green", "089999")
    ended_by_bank = _mandate("Gus White", "107999")
    rows = {
        "first": first,
        "new": new,
        "ended": ended,
        "due": [
            _collection(first, COLLECTION_DAY, "45.10", code="01"),
            _collection(second, OVERDUE_DAY, "30.00"),
            _collection(third, COLLECTION_DAY, "12.34"),
        ],
        "waiting": [
            _collection(first, NEXT_MONTH, "45.10"),
            _collection(new, COLLECTION_DAY, "20.00", code="01"),
            _collection(not_yet_live, COLLECTION_DAY, "25.00", code="01"),
        ],
        "cancelled": _collection(third, COLLECTION_DAY, "99.99", status=Collection.Status.CANCELLED),
    }
    arrangements.cancel_mandate(mandate=ended, reason="Customer asked", by_bank=False, actor=None, now=NOW)
    arrangements.cancel_mandate(mandate=ended_by_bank, reason="ADDACS 1", by_bank=True, actor=None, now=NOW)
    return rows


@pytest.mark.django_db
@pytest.mark.usefixtures("lots_of_two")
def test_the_days_submission_sends_each_due_collection_once_and_moves_the_overdue_one_to_the_day(day_of_mandates):
    result = _make()

    due = day_of_mandates["due"]
    submission = result.submission
    assert result.created
    assert (submission.debit_count, submission.debit_total, submission.mandate_record_count) == (
        3,
        Decimal("87.44"),  # 45.10 + 30.00 + 12.34
        2,  # the new mandate's 0N and the customer's cancellation's 0C
    )
    for collection in due:
        collection.refresh_from_db()
    assert [(c.status, c.submission_id, c.collection_date) for c in due] == [
        (Collection.Status.SUBMITTED, submission.pk, COLLECTION_DAY),
        (Collection.Status.SUBMITTED, submission.pk, COLLECTION_DAY),  # was due on the 3rd: taken on the day
        (Collection.Status.SUBMITTED, submission.pk, COLLECTION_DAY),
    ]
    waiting = Collection.objects.filter(pk__in=[c.pk for c in day_of_mandates["waiting"]]).order_by("id")
    assert [(c.status, c.submission_id, c.collection_date) for c in waiting] == [
        (Collection.Status.SCHEDULED, None, NEXT_MONTH),
        (Collection.Status.SCHEDULED, None, COLLECTION_DAY),  # its mandate is only being lodged
        (Collection.Status.SCHEDULED, None, COLLECTION_DAY),  # its mandate is live from the 6th
    ]
    day_of_mandates["cancelled"].refresh_from_db()
    assert (day_of_mandates["cancelled"].status, day_of_mandates["cancelled"].submission_id) == ("CANCELLED", None)


@pytest.mark.django_db
@pytest.mark.usefixtures("lots_of_two")
def test_the_new_mandate_is_lodged_on_the_day_and_live_two_bacs_days_after_the_next(day_of_mandates):
    _make()

    new = Mandate.objects.get(pk=day_of_mandates["new"].pk)
    assert (new.status, new.lodged_date, new.live_date) == (Mandate.Status.LODGED, PROCESSING_DAY, NEW_MANDATE_LIVE)


@pytest.mark.django_db
@pytest.mark.usefixtures("lots_of_two")
def test_the_file_holds_0n_then_0c_then_the_collections_with_the_payers_unsealed_account_numbers(day_of_mandates):
    result = _make()

    read = standard18.read_submission(result.path.read_bytes())
    assert [
        (i.transaction_code, i.destination_sort_code, i.destination_account_number, i.amount_pence, i.reference)
        for i in read.instructions
    ] == [
        ("0N", "871427", "46238510", 0, day_of_mandates["new"].reference),
        ("0C", "089999", "66374958", 0, day_of_mandates["ended"].reference),
        ("01", "089999", "66374958", 4510, day_of_mandates["first"].reference),
        ("17", "107999", "88837491", 3000, day_of_mandates["due"][1].mandate.reference),
        ("17", "202959", "63748472", 1234, day_of_mandates["due"][2].mandate.reference),
    ]
    records = SubmissionRecord.objects.filter(submission=result.submission).order_by("id")
    assert [(r.transaction_code, r.collection_id) for r in records] == [
        ("0N", None),
        ("0C", None),
        *[(c.transaction_code, c.pk) for c in day_of_mandates["due"]],
    ]


@pytest.mark.django_db
def test_the_submission_is_audited_and_its_file_matches_the_recorded_sha256(day_of_mandates):
    result = _make()

    data = result.path.read_bytes()
    submission = BacsSubmission.objects.get()
    assert (submission.sha256, submission.size_bytes) == (hashlib.sha256(data).hexdigest(), len(data))
    assert AuditEvent.objects.get(action="payments.bacs_submission_made").after == {
        "by": "daily jobs",
        "debits": 3,
        "debit_total": "87.44",
        "mandate_records": 2,
        "sha256": submission.sha256,
    }
    assert result.path.with_suffix(".manifest.json").exists()


@pytest.mark.django_db
def test_a_lost_file_is_written_again_with_the_same_bytes_from_the_rows(day_of_mandates):
    first = _make()
    data = first.path.read_bytes()
    first.path.unlink()
    first.path.with_suffix(".manifest.json").unlink()

    again = _make()

    assert not again.created
    assert again.path.read_bytes() == data
    assert BacsSubmission.objects.count() == 1
    assert SubmissionRecord.objects.count() == 5


@pytest.mark.django_db
def test_the_next_day_sends_what_became_due_and_no_mandate_record_twice(day_of_mandates):
    _make()

    later = submissions.make_submission(processing_date=date(2026, 11, 3), now=SUBMITTED_AT, started_by="daily jobs")

    # Input on Tuesday 3 November, taken on Thursday the 5th: the new mandate is live by then, so its collection of
    # the 4th goes, moved to the 5th; the mandate live from the 6th still waits.
    assert later is not None
    assert (later.submission.debit_count, later.submission.mandate_record_count) == (1, 0)
    new_mandates_collection = Collection.objects.get(pk=day_of_mandates["waiting"][1].pk)
    assert (new_mandates_collection.status, new_mandates_collection.collection_date) == (
        Collection.Status.SUBMITTED,
        NEW_MANDATE_LIVE,
    )
    assert Collection.objects.get(pk=day_of_mandates["waiting"][2].pk).status == Collection.Status.SCHEDULED
    assert sorted(SubmissionRecord.objects.values_list("transaction_code", flat=True)) == [
        "01",
        "01",
        "0C",
        "0N",
        "17",
        "17",
    ]


# --- Posting what was collected -----------------------------------------------------------------------------------


@pytest.fixture
def sent() -> list[Collection]:
    """Collections in a submission: three due by the collection day (one from the day before), one after it."""
    first, second, third = _mandate("Ann Jones", "089999"), _mandate("Bob Smith", "107999"), _mandate("Cy", "202959")
    submitted = Collection.Status.SUBMITTED
    return [
        _collection(first, COLLECTION_DAY, "45.10", code="01", status=submitted),
        _collection(second, OVERDUE_DAY, "30.00", status=submitted),
        _collection(third, COLLECTION_DAY, "12.34", status=submitted),
        _collection(third, NEW_MANDATE_LIVE, "12.34", status=submitted),
        _collection(first, NEXT_MONTH, "45.10"),
    ]


def _payments() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).order_by("id"))


@pytest.mark.django_db
@pytest.mark.usefixtures("lots_of_two")
def test_each_collection_due_posts_one_ledger_payment_and_is_marked_collected_with_it(sent):
    done = collections.post_collected(day=COLLECTION_DAY, now=COLLECTED_AT)

    due = [sent[1], sent[0], sent[2]]  # by collection day, then as scheduled
    assert [c.pk for c in done] == [c.pk for c in due]
    payments = _payments()
    assert [
        (p.account_id, p.amount, p.posted_at, p.description, p.reason, p.external_reference, p.recorded_by_id)
        for p in payments
    ] == [
        (
            c.account_id,
            -c.amount,
            COLLECTED_AT,
            f"Payment received ({c.mandate.reference})",
            "Direct Debit collected",
            c.mandate.reference,
            None,
        )
        for c in due
    ]
    rows = {c.pk: c for c in Collection.objects.filter(pk__in=[c.pk for c in sent])}
    assert [(rows[c.pk].status, rows[c.pk].payment_id) for c in due] == [
        (Collection.Status.COLLECTED, p.pk) for p in payments
    ]
    assert [(rows[c.pk].status, rows[c.pk].payment_id) for c in sent[3:]] == [
        (Collection.Status.SUBMITTED, None),  # taken on the 5th
        (Collection.Status.SCHEDULED, None),
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("lots_of_two")
def test_each_payment_is_audited_against_its_customer(sent):
    collections.post_collected(day=COLLECTION_DAY, now=COLLECTED_AT)

    events = AuditEvent.objects.filter(action="billing.payment_recorded").order_by("id")
    assert [(e.actor_id, e.actor_label, e.customer_id, e.subject, e.after, e.at) for e in events] == [
        (
            None,
            "system",
            c.account.customer_id,
            f"account {c.account.number}",
            {"amount": str(c.amount), "reason": "Direct Debit collected", "reference": c.mandate.reference},
            COLLECTED_AT,
        )
        for c in (sent[1], sent[0], sent[2])
    ]


@pytest.mark.django_db
def test_the_collections_returned_name_their_accounts_without_another_query(sent, django_assert_num_queries):
    done = collections.post_collected(day=COLLECTION_DAY, now=COLLECTED_AT)

    with django_assert_num_queries(0):
        assert [(c.account.number, c.amount) for c in done] == [
            (c.account.number, c.amount) for c in (sent[1], sent[0], sent[2])
        ]


@pytest.mark.django_db
@pytest.mark.usefixtures("lots_of_two")
def test_a_second_run_pays_nothing_twice(sent):
    collections.post_collected(day=COLLECTION_DAY, now=COLLECTED_AT)

    again = collections.post_collected(day=COLLECTION_DAY, now=COLLECTED_AT)

    assert again == []
    assert len(_payments()) == 3
    assert AuditEvent.objects.filter(action="billing.payment_recorded").count() == 3


class _AnotherRunPaysFirst:
    """``transaction`` for the collections module, where another run pays ``collection`` just before the first lot is
    locked: after this run listed what was due, before it locked it."""

    def __init__(self, pay: Callable[[], None]) -> None:
        self._pay: Callable[[], None] | None = pay

    def atomic(self) -> Any:
        if self._pay is not None:
            pay, self._pay = self._pay, None
            pay()
        return transaction.atomic()


@pytest.mark.django_db
@pytest.mark.usefixtures("lots_of_two")
def test_a_collection_another_run_paid_after_the_list_was_made_is_not_paid_again(sent, monkeypatch):
    paid_elsewhere = sent[1]

    def pay() -> None:
        entry = billing_ops.record_payment(
            account=paid_elsewhere.account,
            amount=paid_elsewhere.amount,
            reference=paid_elsewhere.mandate.reference,
            reason="Direct Debit collected",
            actor=None,
            now=COLLECTED_AT,
        )
        Collection.objects.filter(pk=paid_elsewhere.pk).update(status=Collection.Status.COLLECTED, payment=entry)

    monkeypatch.setattr(collections, "transaction", _AnotherRunPaysFirst(pay))

    done = collections.post_collected(day=COLLECTION_DAY, now=COLLECTED_AT)

    assert [c.pk for c in done] == [sent[0].pk, sent[2].pk]
    assert sorted(p.external_reference for p in _payments()) == sorted(c.mandate.reference for c in sent[:3])


def _race(runs: int, work: Callable[[], list[Collection]]) -> Iterator[list[Collection]]:
    """Start ``runs`` threads doing ``work`` at the same moment, each on its own connection; their results."""
    start = threading.Barrier(runs)
    results: list[list[Collection]] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    yield from results


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("lots_of_two")
def test_two_runs_racing_pay_each_collection_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: two runs cannot race there")
    mandates = [_mandate(f"Payer {n}", sort_code) for n, sort_code in enumerate(BANK)]
    due = [
        _collection(m, COLLECTION_DAY, f"{10 + n}.00", status=Collection.Status.SUBMITTED)
        for n, m in enumerate(mandates)
    ]

    results = list(_race(2, lambda: collections.post_collected(day=COLLECTION_DAY, now=COLLECTED_AT)))

    paid = sorted(c.pk for result in results for c in result)
    assert paid == sorted(c.pk for c in due)  # each by one run or the other, none by both
    assert sorted(p.external_reference for p in _payments()) == sorted(m.reference for m in mandates)
    assert set(Collection.objects.values_list("status", flat=True)) == {Collection.Status.COLLECTED}
