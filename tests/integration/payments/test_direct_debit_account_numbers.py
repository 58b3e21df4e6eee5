"""A payer's full account number is shown, logged and sent nowhere: only its last two digits ("ending 58").

A whole Direct Debit cycle runs with every log record captured at DEBUG (the SQL Django runs included): the customer
sets up the Direct Debit on the portal's form, the Bacs files lodge it and collect, the bank's unpaid report and a
transfer to a new account are imported on the console's upload page. Then the customer's and care staff's payments
pages are read, and the e-mails and notices sent. The one place the number belongs, the Bacs file, is checked to hold
it, to show the search would find it.
"""

import logging
import re
from collections.abc import Iterator
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from pypdf import PdfReader

from hearth.common.bacs import calendar as bacs_calendar
from hearth.common.bacs import reports
from hearth.data.documents.models import Document
from hearth.data.payments.models import BacsReport, Collection, Mandate
from hearth.data.tariffs.models import Tariff
from hearth.domain.identity import operations as identity_ops
from hearth.domain.payments import collections, submissions
from tests.integration.conftest import PASSWORD, sign_in
from tests.integration.payments.support import (
    JO,
    SAM,
    addacs,
    advice,
    arudd,
    at,
    login_of,
    payer,
    read_submission,
    returned,
    submission_file,
)

pytestmark = pytest.mark.django_db

STAFF_EMAIL = "agent.payments@hearth.example"
STAFF_PASSWORD = "Console4Payments9"


@pytest.fixture
def sql_logged() -> Iterator[None]:
    """Django logs each query with its parameters (``django.db.backends`` at DEBUG), as with DEBUG on."""
    connection.force_debug_cursor = True
    yield
    connection.force_debug_cursor = False


@pytest.fixture
def care() -> Client:
    device = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Payments Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def _upload(care: Client, name: str, data: bytes) -> BacsReport:
    response = care.post("/care/bacs/reports/upload/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return BacsReport.objects.get(file_name=name)


def _text_of(document: Document) -> str:
    with document.file.open("rb") as pdf:
        return " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.read())).pages)


def _shown(text: str) -> str:
    """Text as read: tags out, spaces collapsed, so a number split by markup would still be found."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def test_the_full_account_number_is_in_no_log_page_e_mail_or_notice_only_its_last_two_digits(
    tariff: Tariff,
    bacs_folder: Path,
    care: Client,
    caplog: pytest.LogCaptureFixture,
    mailoutbox: list[mail.EmailMessage],
    sql_logged: None,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # Django's own loggers stop at INFO unless told
    account = payer(tariff)
    customer = Client()
    assert sign_in(customer, login_of(account).email, PASSWORD).status_code == 302

    form = {"method": "STANDARD_DIRECT_DEBIT", "payment_day": "1", "holder_name": JO.holder}
    response = customer.post(
        "/services/payments/direct-debit/", {**form, "sort_code": "08-99-99", "account_number": JO.number}
    )
    assert response.status_code == 302, _shown(response.content.decode())[:3000]
    mandate = Mandate.objects.get(account=account)
    first = Collection.objects.filter(mandate=mandate).order_by("collection_date").first()
    assert first is not None

    lodging = bacs_calendar.next_processing_day_on_or_after(timezone.localdate() + timedelta(days=1))
    submissions.make_submission(processing_date=lodging, now=at(lodging, 7), started_by="test")
    input_day = bacs_calendar.latest_input_day_for(first.collection_date)
    submissions.activate_lodged_mandates(day=input_day, now=at(input_day, 6))
    made = submissions.make_submission(processing_date=input_day, now=at(input_day, 7), started_by="test")
    assert made is not None
    collections.post_collected(day=first.collection_date, now=at(first.collection_date, 6))
    sent = read_submission(made.submission, bacs_folder)
    (record,) = sent.instructions
    reported: date = bacs_calendar.add_processing_days(first.collection_date, 2)
    unpaid = _upload(
        care,
        "ARUDD.xml",
        arudd([returned(record, code="0", processing_date=sent.processing_date)], report_date=reported),
    )
    moved = _upload(
        care,
        "ADDACS.xml",
        addacs(
            [
                advice(
                    reference=mandate.reference,
                    code="3",
                    account=JO,
                    table=reports.ADDACS_REASONS,
                    effective=reported,
                    new_sort_code=SAM.sort_code,
                    new_number=SAM.number,
                )
            ],
            report_date=reported,
        ),
    )

    pages = {
        path: client.get(path)
        for client, path in [
            (customer, "/"),
            (customer, "/services/payments/"),
            (customer, "/services/payments/direct-debit/"),
            (customer, "/services/payments/refund/"),
            (care, f"/care/accounts/{account.number}/payments/"),
            (care, f"/care/accounts/{account.number}/billing/"),
            (care, "/care/bacs/"),
            (care, f"/care/bacs/reports/{unpaid.pk}/"),
            (care, f"/care/bacs/reports/{moved.pk}/"),
        ]
    }
    notices = [_text_of(document) for document in Document.objects.filter(document_type__code="PAYMENT_NOTICE")]
    mails = [f"{m.subject} {m.body} {[a for a in m.attachments if not str(a).startswith('%PDF')]}" for m in mailoutbox]

    assert JO.number.encode() in submission_file(made.submission, bacs_folder)  # where it belongs
    for path, page in pages.items():
        assert page.status_code == 200, path
        for number in (JO.number, SAM.number):
            assert number not in _shown(page.content.decode()), path
    for number in (JO.number, SAM.number):
        assert number not in caplog.text
        assert not [r for r in caplog.records if number in r.getMessage()]
        assert not [text for text in notices + mails if number in text]
    for path in ("/services/payments/", f"/care/accounts/{account.number}/payments/"):
        assert "ending 91" in _shown(pages[path].content.decode()), path  # the new account's last two digits
    assert len(notices) >= 2
    assert all("ending 58" in text or "ending 91" in text for text in notices)
    assert any(r.name == "django.db.backends" for r in caplog.records)  # the queries were logged and searched
