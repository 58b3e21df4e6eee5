"""The daily print batch: letters waiting for the post in one PDF and a manifest CSV for the mailing house.

Each letter's pages have their own width (300 + 10 x letter + page) so the combined PDF shows, page by page, which
letter is where and where a blank page was put in. The batch day is Friday 27 November 2026: Monday 30th is
St Andrew's Day (a bank holiday in Scotland only), so a letter posted that Friday is deemed delivered on
Wednesday 2 December (Tuesday 1st is the first working day, Wednesday the second; T&C 22.3).
"""

import csv
import io
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db.models.fields.files import FieldFile
from pypdf import PdfReader, PdfWriter

from hearth.data.accounts.models import Account
from hearth.data.audit.models import AuditEvent
from hearth.data.documents.models import Delivery, Document, DocumentType, PrintBatch
from hearth.domain.audit import operations as audit_ops
from hearth.domain.documents import delivery as delivery_ops
from hearth.domain.documents import operations as documents_ops
from hearth.domain.documents import post
from tests.integration.conftest import Site

FRIDAY = date(2026, 11, 27)
FRIDAY_MORNING = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # GMT: the London day is the same
DEEMED_FROM_FRIDAY = date(2026, 12, 2)

HOUSEHOLD_ADDRESS = "Jo Bloggs\n1 Mill Street\nLeeds\nLS1 4AP"
BUSINESS_ADDRESS = "Brightwell Bakery Ltd\nUnit 4, Mill Yard\nEdinburgh EH6 6QU"


def pdf_with_widths(*widths: int) -> bytes:
    writer = PdfWriter()
    for width in widths:
        writer.add_blank_page(width=width, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Documents and print batches stored under a folder of this test (the fields' storages swapped)."""
    storage = FileSystemStorage(location=tmp_path / "documents")
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(PrintBatch._meta.get_field("pdf"), "storage", storage)
    monkeypatch.setattr(PrintBatch._meta.get_field("manifest"), "storage", storage)
    return tmp_path / "documents"


def document(account: Account, *, type_code: str, reference: str, widths: tuple[int, ...]) -> Document:
    return documents_ops.store_document(
        account=account,
        type_code=type_code,
        reference=reference,
        issued_at=datetime(2026, 11, 26, 6, 0, tzinfo=UTC),
        issue_date=date(2026, 11, 26),
        period_start_date=None,
        period_end_date=None,
        amount=None,
        pdf=pdf_with_widths(*widths),
    )


def delivery(
    of: Document, *, address: str, channel: str = Delivery.Channel.POST, status: str = Delivery.Status.PENDING
) -> Delivery:
    return Delivery.objects.create(
        document=of,
        channel=channel,
        address=address,
        status=status,
        created_at=datetime(2026, 11, 26, 6, 0, tzinfo=UTC),
    )


@pytest.fixture
def letters(household: Site, business: Site, folder: Path) -> dict[str, Delivery]:
    """Three letters waiting on two accounts, made in the reverse of the order they are printed in."""
    notice = document(household.electricity, type_code=DocumentType.NOTICE, reference="NOT-H2", widths=(321,))
    invoice = document(
        household.electricity, type_code=DocumentType.INVOICE, reference="INV-H1", widths=(311, 312, 313)
    )
    letter = document(business.electricity, type_code=DocumentType.LETTER, reference="LET-B1", widths=(301, 302))
    return {
        "NOT-H2": delivery(notice, address=HOUSEHOLD_ADDRESS),
        "INV-H1": delivery(invoice, address=HOUSEHOLD_ADDRESS),
        "LET-B1": delivery(letter, address=BUSINESS_ADDRESS),
    }


def page_widths(pdf: bytes) -> list[int]:
    return [round(float(page.mediabox.width)) for page in PdfReader(io.BytesIO(pdf)).pages]


def manifest_rows(batch: PrintBatch) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read(batch.manifest).decode("utf-8"))))


def read(field: FieldFile) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def test_letters_are_combined_by_postcode_each_starting_on_an_odd_page(letters: dict[str, Delivery]) -> None:
    batch = post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING)

    assert batch is not None
    # EH6 6QU before LS1 4AP; within LS1 4AP, INV-H1 before NOT-H2. A 3-page and a 1-page letter get a blank page
    # (the size of their last page) so the next letter starts on an odd page: 2 + (3 + 1) + (1 + 1) = 8 pages.
    assert page_widths(read(batch.pdf)) == [301, 302, 311, 312, 313, 313, 321, 321]
    assert (batch.document_count, batch.page_count) == (3, 8)
    assert batch.batch_date == FRIDAY


def test_the_manifest_lists_each_letter_with_its_address_pages_and_first_page(letters: dict[str, Delivery]) -> None:
    batch = post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING)

    assert batch is not None
    blank_lines = {"address_line_3": "", "address_line_4": "", "address_line_5": "", "address_line_6": ""}
    household = {"name": "Jo Bloggs", "address_line_1": "1 Mill Street", "address_line_2": "Leeds", **blank_lines}
    household |= {"postcode": "LS1 4AP"}
    assert manifest_rows(batch) == [
        {
            "reference": "LET-B1",
            "name": "Brightwell Bakery Ltd",
            "address_line_1": "Unit 4, Mill Yard",
            "address_line_2": "Edinburgh",
            **blank_lines,
            "postcode": "EH6 6QU",
            "page_count": "2",
            "first_page": "1",
        },
        {"reference": "INV-H1", **household, "page_count": "3", "first_page": "3"},
        {"reference": "NOT-H2", **household, "page_count": "1", "first_page": "7"},
    ]


def test_batched_letters_are_posted_that_day_and_deemed_delivered_two_working_days_later(
    letters: dict[str, Delivery],
) -> None:
    batch = post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING)

    for waiting in letters.values():
        waiting.refresh_from_db()
        assert waiting.status == Delivery.Status.BATCHED
        assert waiting.print_batch == batch
        assert waiting.sent_at == FRIDAY_MORNING
        # Friday 27th -> weekend, St Andrew's Day Monday 30th skipped; Tuesday 1 December (1), Wednesday 2nd (2).
        assert waiting.deemed_delivered_date == DEEMED_FROM_FRIDAY


def test_only_letters_waiting_for_the_post_are_batched(household: Site, folder: Path) -> None:
    emailed = document(household.electricity, type_code=DocumentType.INVOICE, reference="INV-1", widths=(300,))
    returned = document(household.electricity, type_code=DocumentType.INVOICE, reference="INV-2", widths=(300,))
    posted = document(household.electricity, type_code=DocumentType.INVOICE, reference="INV-3", widths=(300,))
    by_email = delivery(emailed, address="jo.bloggs@example.com", channel=Delivery.Channel.EMAIL)
    failed = delivery(returned, address=HOUSEHOLD_ADDRESS, status=Delivery.Status.FAILED)
    waiting = delivery(posted, address=HOUSEHOLD_ADDRESS)

    batch = post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING)

    assert batch is not None
    assert batch.document_count == 1
    assert list(batch.deliveries.order_by("id")) == [waiting]
    for untouched in (by_email, failed):
        untouched.refresh_from_db()
        assert (untouched.print_batch, untouched.sent_at, untouched.deemed_delivered_date) == (None, None, None)
    assert by_email.status == Delivery.Status.PENDING
    assert failed.status == Delivery.Status.FAILED


def test_a_second_run_for_the_same_day_changes_nothing(letters: dict[str, Delivery], folder: Path) -> None:
    first = post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING)
    assert first is not None
    stored = {path: path.read_bytes() for path in files_in(folder / "print-batches")}
    issued_later = document(
        letters["INV-H1"].document.account, type_code=DocumentType.LETTER, reference="LET-H3", widths=(300,)
    )
    late = delivery(issued_later, address=HOUSEHOLD_ADDRESS)

    again = post.make_print_batch(batch_date=FRIDAY, now=datetime(2026, 11, 27, 11, 0, tzinfo=UTC))

    assert again == first
    assert again is not None
    assert again.created_at == FRIDAY_MORNING
    assert PrintBatch.objects.count() == 1
    assert {path: path.read_bytes() for path in files_in(folder / "print-batches")} == stored
    late.refresh_from_db()
    assert (late.status, late.print_batch) == (Delivery.Status.PENDING, None), "it waits for the next day's batch"


def test_a_day_with_nothing_to_post_makes_no_batch(household: Site, folder: Path) -> None:
    assert post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING) is None

    assert not PrintBatch.objects.exists()
    assert files_in(folder) == []


def test_a_batch_made_the_evening_before_is_posted_on_its_day(letters: dict[str, Delivery]) -> None:
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    tuesday = date(2026, 12, 1)  # the next working day: Monday 30th is St Andrew's Day

    batch = post.make_print_batch(batch_date=tuesday, now=friday_evening)

    assert batch is not None
    assert batch.created_at == friday_evening
    posted = Delivery.objects.get(pk=letters["LET-B1"].pk)
    assert posted.sent_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # London midnight in winter (GMT)
    # Tuesday 1 December -> Wednesday 2nd (1), Thursday 3rd (2).
    assert posted.deemed_delivered_date == date(2026, 12, 3)


@pytest.mark.parametrize(
    ("batch_date", "reason"),
    [
        (date(2026, 11, 28), "Saturday 28 November 2026 is not a working day"),
        (date(2026, 11, 30), "Monday 30 November 2026 is not a working day"),  # St Andrew's Day, Scotland only
        (date(2026, 11, 26), "2026-11-26 has already gone"),
        (date(2026, 12, 2), "2026-12-02 is too far ahead"),
    ],
    ids=["saturday", "st-andrews-day", "yesterday", "beyond-the-next-working-day"],
)
def test_a_batch_is_made_only_for_today_or_the_next_working_day(
    letters: dict[str, Delivery], folder: Path, batch_date: date, reason: str
) -> None:
    with pytest.raises(post.PrintBatchRefused, match=reason):
        post.make_print_batch(batch_date=batch_date, now=FRIDAY_MORNING)

    assert not PrintBatch.objects.exists()
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}


def test_a_batch_that_fails_half_way_leaves_no_trace(
    letters: dict[str, Delivery], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files_in(folder)

    def crash(**_: object) -> None:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(audit_ops, "record", crash)
        with pytest.raises(RuntimeError):
            post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING)

    assert not PrintBatch.objects.exists()
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}
    assert files_in(folder) == before
    assert post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING) is not None


def test_making_a_batch_is_audited(letters: dict[str, Delivery]) -> None:
    post.make_print_batch(batch_date=FRIDAY, now=FRIDAY_MORNING)

    event = AuditEvent.objects.get(action="print_batch.made")
    assert (event.at, event.after) == (FRIDAY_MORNING, {"documents": 3, "pages": 8})


@pytest.mark.parametrize(
    ("address", "lines", "postcode"),
    [
        ("Jo Bloggs\n1 Mill Street\nLeeds\nLS1 4AP", ("1 Mill Street", "Leeds"), "LS1 4AP"),
        ("1 Mill Street\r\nLeeds ls14ap\n", ("1 Mill Street", "Leeds"), "LS1 4AP"),
        ("1 Mill Street, Leeds LS1 4AP", ("1 Mill Street, Leeds",), "LS1 4AP"),
        ("1 Mill Street\nLeeds", ("1 Mill Street", "Leeds"), ""),
        ("A\nB\nC\nD\nE\nF\nG\nLS1 4AP", ("A", "B", "C", "D", "E", "F, G"), "LS1 4AP"),
    ],
    ids=["name-and-postcode-lines", "postcode-ending-a-line", "one-line", "no-postcode", "too-many-lines"],
)
def test_the_envelope_is_read_from_the_delivery_address(address: str, lines: tuple[str, ...], postcode: str) -> None:
    envelope = post.envelope_of(name="Jo Bloggs", address=address)

    assert (envelope.name, envelope.lines, envelope.postcode) == ("Jo Bloggs", lines, postcode)


def test_the_envelope_reads_the_address_the_delivery_planner_writes(household: Site) -> None:
    home = household.electricity.billing_property

    envelope = post.envelope_of(name="Jo Bloggs", address=delivery_ops.postal_address(household.electricity))

    assert (envelope.lines, envelope.postcode) == ((home.address_line_1, "Leeds"), "LS1 4AP")


def run_command(*args: str, at: datetime) -> str:
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("print_batch", *args, stdout=out)
    return out.getvalue()


def test_the_command_makes_the_batch_and_says_where_it_is(letters: dict[str, Delivery], folder: Path) -> None:
    output = run_command("--date", "2026-11-27", at=FRIDAY_MORNING)

    batch = PrintBatch.objects.get()
    pdf_path = folder / "print-batches" / "print-batch-2026-11-27.pdf"
    manifest_path = folder / "print-batches" / "print-batch-2026-11-27.csv"
    assert "Print batch of 2026-11-27 made." in output
    assert "Documents 3" in output
    assert "Pages 8" in output
    assert f"PDF {pdf_path}" in output
    assert f"Manifest {manifest_path}" in output
    assert pdf_path.read_bytes() == read(batch.pdf)
    assert len(PdfReader(pdf_path).pages) == 8


def test_the_command_run_again_says_nothing_changed(letters: dict[str, Delivery], folder: Path) -> None:
    run_command("--date", "2026-11-27", at=FRIDAY_MORNING)
    stored = {path: path.read_bytes() for path in files_in(folder)}

    output = run_command("--date", "2026-11-27", at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC))

    assert "already made at 2026-11-27 09:30 GMT; nothing changed." in output
    assert "Documents 3" in output
    assert PrintBatch.objects.count() == 1
    assert {path: path.read_bytes() for path in files_in(folder)} == stored


def test_the_command_says_when_there_is_nothing_to_post(household: Site, folder: Path) -> None:
    output = run_command("--date", "2026-11-27", at=FRIDAY_MORNING)

    assert "Nothing to post on 2026-11-27" in output
    assert not PrintBatch.objects.exists()


@pytest.mark.parametrize("text", ["27/11/2026", "2026-11-31", "tomorrow", ""])
def test_the_command_refuses_a_date_it_cannot_read(db: None, text: str) -> None:
    with pytest.raises(CommandError, match="--date: expected a date as YYYY-MM-DD"):
        run_command("--date", text, at=FRIDAY_MORNING)


def test_the_command_refuses_a_day_the_mailing_house_does_not_post(letters: dict[str, Delivery]) -> None:
    with pytest.raises(CommandError, match="Monday 30 November 2026 is not a working day"):
        run_command("--date", "2026-11-30", at=FRIDAY_MORNING)

    assert not PrintBatch.objects.exists()
