"""Bills Online as a customer uses it (issue 4): the tile, the list, a bill's page and its PDF, which says the same.

The bill is written with the models (tests/integration/billing/invoice_support.py) and its figures worked out by
hand below; the PDF is the real one, rendered by Typst and read back with pdftotext.
"""

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Fuel
from hearth.data.billing.models import BillLine
from hearth.data.documents.models import DocumentType
from hearth.data.metering.models import Meter, RegisterReading
from hearth.domain.billing import invoice as billing_invoice
from tests.integration.billing.invoice_support import Line, Used, make_bill, reading, use_documents_folder

from .support import Builder, check_accessibility, heading, sign_in

PASSWORD = "Harbour58Quill"


def pdf_rows(path: Path) -> list[str]:
    """The PDF's printed rows as pdftotext lays them out, spaces squeezed."""
    executable = shutil.which("pdftotext")
    if executable is None:
        pytest.fail("pdftotext is missing (apt-get install poppler-utils)")
    out = subprocess.run([executable, "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return [" ".join(line.split()) for line in out.splitlines()]


def test_a_customer_opens_bills_online_sees_the_bill_and_downloads_the_same_bill_as_a_pdf(
    page: Page, build: Builder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    # Browser tests empty the database after each test, seeded rows included: the invoice type is put back.
    DocumentType.objects.get_or_create(
        code=DocumentType.INVOICE, defaults={"name": "Invoice", "plural_name": "Invoices", "position": 10}
    )
    account = build.account(fuel=Fuel.ELECTRICITY, meter=Meter.Kind.CREDIT)
    meter = Meter.objects.get(supply_point__supplies__account=account)
    register = meter.registers.get()
    build.activated_login(account, "reader@example.com", PASSWORD)
    # 412.25 kWh x 24.8667p = £102.5129... -> £102.51; 31 days x 54.4667p = £16.8847 -> £16.88;
    # VAT 5% of £119.39 = £5.9695 -> £5.97. Total £102.51 + £16.88 + £5.97 = £125.36.
    bill = make_bill(
        account,
        estimated=True,
        used=[
            Used(
                register,
                reading(register, "10000", RegisterReading.Kind.ACTUAL, date(2026, 10, 1)),
                reading(register, "10412.25", RegisterReading.Kind.ESTIMATED, date(2026, 11, 1)),
                Decimal("412.25"),
                "kWh",
                Decimal("412.25"),
            )
        ],
        lines=[
            Line(
                BillLine.Kind.ENERGY,
                "Electricity used",
                Decimal("412.25"),
                "kWh",
                Decimal("0.248667"),
                Decimal("0.05"),
                meter.supply_point,
            ),
            Line(
                BillLine.Kind.STANDING,
                "Standing charge",
                Decimal("31"),
                "days",
                Decimal("0.544667"),
                Decimal("0.05"),
                meter.supply_point,
            ),
            Line(BillLine.Kind.VAT, "VAT at 5%", Decimal("119.39"), "£", Decimal("0.05")),
        ],
    )
    billing_invoice.attach_invoice(bill=bill, now=datetime(2026, 11, 2, 7, 0, tzinfo=UTC))

    sign_in(page, "reader@example.com", PASSWORD)
    heading(page, "Your services")
    page.get_by_role("link", name="Bills Online").click()
    heading(page, "Bills Online")
    row = page.locator(f'tr[data-bill="{bill.reference}"]')
    expect(row).to_contain_text("1 October 2026 to 31 October 2026")
    expect(row).to_contain_text("£125.36")
    expect(row).to_contain_text("Estimated")
    check_accessibility(page)

    page.get_by_role("link", name=bill.reference, exact=True).click()
    heading(page, f"Bill {bill.reference}")
    expect(page.locator('dd[data-figure="total"]')).to_have_text("£125.36")
    expect(page.locator("dl.bill-prices")).to_contain_text("26.11p per kWh")  # 24.8667p with 5% VAT
    page.get_by_text("How we worked this out").first.click()  # the working before VAT, on request
    shown_lines = [
        " ".join(" ".join(cell.split()) for cell in line.locator("th, td").all_inner_texts())
        for line in page.locator("tr.bill-line").all()
    ]
    assert shown_lines == [
        "Electricity used 412.25 kWh 24.8667p per kWh 5% £102.51",
        "Standing charge 31 days 54.4667p per day 5% £16.88",
    ]
    check_accessibility(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download this bill (PDF)").click()
    download = info.value
    assert download.suggested_filename == f"{bill.reference}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = pdf_rows(saved)
    for line in shown_lines:  # every line shown in the portal is printed on the PDF, the same
        assert line in rows
    assert "VAT at 5% £119.39 5% £5.97" in rows
    assert "Your energy bill total £125.36" in rows
