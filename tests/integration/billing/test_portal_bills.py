"""Bills Online in the portal: the account's bills newest first, a bill as its invoice prints it, the PDF download."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from hearth.data.billing.models import Bill, BillLine
from hearth.domain.billing import invoice as billing_invoice
from tests.integration.billing.invoice_support import Line, cancel, make_bill, use_documents_folder
from tests.integration.conftest import Site

NOW = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    return tmp_path / "documents"


def monthly_bill(site: Site, start: date, end: date, kwh: str, *, estimated: bool = False) -> Bill:
    """A bill of ``kwh`` at 25p (5% VAT): e.g. 100 kWh -> £25.00 + VAT £1.25 = £26.25."""
    point = site.electricity_meter.supply_point
    energy = Decimal(kwh)
    base = (energy * Decimal("0.25")).quantize(Decimal("0.01"))
    return make_bill(
        site.electricity,
        period=(start, end),
        issue_date=end,
        estimated=estimated,
        lines=[
            Line(BillLine.Kind.ENERGY, "Electricity used", energy, "kWh", Decimal("0.25"), Decimal("0.05"), point),
            Line(BillLine.Kind.VAT, "VAT at 5%", base, "£", Decimal("0.05")),
        ],
    )


@pytest.fixture
def electricity_selected(signed_in: Client, household: Site) -> Client:
    signed_in.post("/accounts/select/", {"account": household.electricity.pk})
    return signed_in


def test_the_bills_are_listed_newest_first_with_their_figures(electricity_selected: Client, household: Site) -> None:
    september = monthly_bill(household, date(2026, 9, 1), date(2026, 10, 1), "100")  # £25.00 + £1.25 = £26.25
    october = monthly_bill(household, date(2026, 10, 1), date(2026, 11, 1), "200", estimated=True)  # £52.50
    billing_invoice.attach_invoice(bill=october, now=NOW)
    cancel(september, day=date(2026, 10, 20))

    page = electricity_selected.get("/services/bills/").content.decode()

    assert page.index(october.reference) < page.index(september.reference)
    october_row = page[page.index(f'data-bill="{october.reference}"') :].split("</tr>")[0]
    for shown in ("1 October 2026 to 31 October 2026", "1 November 2026", "£52.50", "Estimated", "Overdue"):
        assert shown in october_row
    assert "Download bill" in october_row
    september_row = page[page.index(f'data-bill="{september.reference}"') :].split("</tr>")[0]
    for shown in ("1 September 2026 to 30 September 2026", "£26.25", "Actual", "Cancelled", "Being prepared"):
        assert shown in september_row


def test_the_pdf_downloads_under_a_name_chosen_by_the_server_and_is_never_cached(
    electricity_selected: Client, household: Site, folder: Path
) -> None:
    bill = monthly_bill(household, date(2026, 10, 1), date(2026, 11, 1), "200")
    document = billing_invoice.attach_invoice(bill=bill, now=NOW)

    response = electricity_selected.get(f"/services/documents/{document.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{bill.reference}.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.streaming  # sent from storage in blocks, not read whole into memory
    assert response.getvalue() == Path(document.file.path).read_bytes()


def test_the_bill_page_shows_the_lines_the_invoice_prints(electricity_selected: Client, household: Site) -> None:
    bill = monthly_bill(household, date(2026, 10, 1), date(2026, 11, 1), "200")  # £50.00 + VAT £2.50 = £52.50

    page = electricity_selected.get(f"/services/bills/{bill.pk}/").content.decode()

    assert f"Bill {bill.reference}" in page
    for shown in ("200 kWh", "25p per kWh", "£50.00", "VAT at 5%", "£2.50", "£52.50", "16 November 2026"):
        assert shown in page
    assert "being prepared" in page  # no PDF stored yet: no download link


def test_a_bill_of_the_logins_other_account_selects_that_account_and_shows_it(
    electricity_selected: Client, household: Site
) -> None:
    """A paper bill's QR code opens its page whichever account is selected; the page says which account it is on."""
    gas_bill = make_bill(household.gas, lines=[])

    switched = electricity_selected.get(f"/services/bills/{gas_bill.pk}/")

    assert (switched.status_code, switched["Location"]) == (302, f"/services/bills/{gas_bill.pk}/")
    page = electricity_selected.get(f"/services/bills/{gas_bill.pk}/").content.decode()
    assert f"Bill {gas_bill.reference}" in page
    assert f"Account <strong>{household.gas.number}</strong>" in page
    assert electricity_selected.get("/services/bills/").content.decode().count(gas_bill.reference) >= 1
