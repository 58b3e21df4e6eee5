"""The invoice and the credit note: real PDFs, read back with pdftotext, say what a UK energy bill must say.

Every figure expected here is worked out by hand in the comments (or typed from the bill the test wrote), never taken
from the invoice code.
"""

import hashlib
import io
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from hearth.data.accounts.models import Fuel
from hearth.data.billing.models import Bill, BillLine
from hearth.data.documents.models import Document
from hearth.data.metering.models import Meter, Register, RegisterReading
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.billing import invoice as billing_invoice
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.billing.invoice_support import (
    Line,
    Used,
    at_local,
    cancel,
    make_bill,
    reading,
    use_documents_folder,
)
from tests.integration.conftest import Site

NOW = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
ENERGY, STANDING, ADDITIONAL, VAT = (
    BillLine.Kind.ENERGY,
    BillLine.Kind.STANDING,
    BillLine.Kind.ADDITIONAL,
    BillLine.Kind.VAT,
)
A, E, C = RegisterReading.Kind.ACTUAL, RegisterReading.Kind.ESTIMATED, RegisterReading.Kind.CUSTOMER


@dataclass(frozen=True)
class Printed:
    """What a PDF prints, as pdftotext reads it: ``in`` looks in the running text, ``row`` finds a table row."""

    words: str
    rows: tuple[str, ...]

    def __contains__(self, text: str) -> bool:
        return text in self.words

    def on_a_row(self, text: str) -> bool:
        """Whether ``text`` is printed on one row of the page (a label and its value side by side)."""
        return any(text in row for row in self.rows)

    def row(self, label: str) -> str:
        """The printed row (laid out as on the page) that starts with ``label``."""
        found = [row for row in self.rows if row.startswith(label)]
        assert found, f"no row starting {label!r} in:\n" + "\n".join(self.rows)
        return found[0]


def pdftotext(path: Path, *options: str) -> str:
    executable = shutil.which("pdftotext")
    if executable is None:
        pytest.fail("pdftotext is missing (apt-get install poppler-utils)")
    return subprocess.run([executable, *options, str(path), "-"], capture_output=True, check=True, text=True).stdout


def read_pdf(pdf: bytes, tmp_path: Path) -> Printed:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    rows = tuple(" ".join(line.split()) for line in pdftotext(path, "-layout").splitlines())
    return Printed(words=" ".join(pdftotext(path).split()), rows=rows)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(autouse=True)
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    return tmp_path / "documents"


def on_tariff(site: Site, fuel: Fuel, payment_method: PaymentMethod) -> None:
    product = tariff_ops.create_product(
        code=f"TEST-{fuel[:1]}",
        full_name="Hearth Steady Variable",
        display_name="Hearth Steady",
        description="",
        kind=Product.Kind.VARIABLE,
        available_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    tariff = tariff_ops.create_tariff(
        product=product,
        fuel=fuel,
        region="A",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=payment_method,
        standing_charge_exc_vat=Decimal("54.4667"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("24.8667")},
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    meter = site.electricity_meter if fuel == Fuel.ELECTRICITY else site.gas_meter
    tariff_ops.place_on_tariff(
        supply_point=meter.supply_point, tariff=tariff, valid_from=datetime(2026, 9, 1, tzinfo=UTC)
    )


def electricity_bill(site: Site) -> Bill:
    """An electricity bill for October 2026 on an estimated closing reading, with a missed appointment charged.

    Energy 300.5 kWh x 24.8667p = £74.7244... -> £74.72; standing charge 31 days x 54.4667p = £16.8847 -> £16.88;
    missed appointment £70.00 at 20% VAT. VAT 5% of £91.60 = £4.58; VAT 20% of £70.00 = £14.00.
    Total £74.72 + £16.88 + £70.00 + £4.58 + £14.00 = £180.18. Balance: £120.50 owed, £120.50 paid, so £180.18.
    """
    point = site.electricity_meter.supply_point
    register = site.electricity_meter.registers.get()
    start = reading(register, "56311", A, date(2026, 10, 1))
    end = reading(register, "56611.5", E, date(2026, 11, 1))
    return make_bill(
        site.electricity,
        estimated=True,
        previous_balance=Decimal("120.50"),
        payments_and_credits=Decimal("-120.50"),
        used=[Used(register, start, end, Decimal("300.5"), "kWh", Decimal("300.5"))],
        lines=[
            Line(ENERGY, "Electricity used", Decimal("300.5"), "kWh", Decimal("0.248667"), Decimal("0.05"), point),
            Line(STANDING, "Standing charge", Decimal("31"), "days", Decimal("0.544667"), Decimal("0.05"), point),
            Line(ADDITIONAL, "Missed appointment", Decimal("1"), "charge", Decimal("70"), Decimal("0.20")),
            Line(VAT, "VAT at 5%", Decimal("91.60"), "£", Decimal("0.05")),
            Line(VAT, "VAT at 20%", Decimal("70.00"), "£", Decimal("0.20")),
        ],
    )


def gas_bill(site: Site) -> Bill:
    """A gas bill for October 2026 from an actual and a customer reading, 1000 -> 1100 m³.

    100 m³ x 1.02264 x 39.5 MJ/m³ ÷ 3.6 = 4039.428 ÷ 3.6 = 1122.0633... -> 1,122.063 kWh.
    Energy 1122.063 kWh x 6.981p = £78.3312... -> £78.33; standing 31 days x 27.6571p = £8.5737... -> £8.57;
    VAT 5% of £86.90 = £4.345 -> £4.35 (half-up). Total £78.33 + £8.57 + £4.35 = £91.25.
    """
    point = site.gas_meter.supply_point
    register = site.gas_meter.registers.get()
    start = reading(register, "1000", A, date(2026, 10, 1))
    end = reading(register, "1100", C, date(2026, 11, 1))
    return make_bill(
        site.gas,
        used=[
            Used(
                register,
                start,
                end,
                Decimal("100"),
                "m3",
                Decimal("1122.063"),
                volume_m3=Decimal("100"),
                correction_factor=Decimal("1.02264"),
                calorific_value=Decimal("39.5"),
            )
        ],
        lines=[
            Line(ENERGY, "Gas used", Decimal("1122.063"), "kWh", Decimal("0.06981"), Decimal("0.05"), point),
            Line(STANDING, "Standing charge", Decimal("31"), "days", Decimal("0.276571"), Decimal("0.05"), point),
            Line(VAT, "VAT at 5%", Decimal("86.90"), "£", Decimal("0.05")),
        ],
    )


def test_the_invoice_says_what_a_uk_energy_bill_must_say(household: Site, tmp_path: Path, settings) -> None:
    on_tariff(household, Fuel.ELECTRICITY, PaymentMethod.DIRECT_DEBIT)
    bill = electricity_bill(household)

    text = read_pdf(billing_invoice.render_invoice_pdf(bill), tmp_path)

    brand = settings.HEARTH_BRAND
    for must in (brand["name"], brand["care_phone"], brand["care_email"]):  # the supplier and how to reach it
        assert must in text
    assert "Jo Bloggs" in text
    assert household.electricity.billing_property.postcode in text
    assert household.electricity.number in text
    assert f"MPAN {household.electricity_meter.supply_point.identifier}" in text
    assert household.electricity_meter.serial_number in text
    assert "1 October 2026 to 31 October 2026 (31 days)" in text
    assert "Date of issue 2 November 2026" in text
    assert "Hearth Steady" in text  # the tariff
    # The readings used, each marked actual or estimated.
    readings = text.row(household.electricity_meter.serial_number + " Standard")
    assert readings.startswith(household.electricity_meter.serial_number + " Standard 56311 56611.5")
    assert readings.endswith("300.5 kWh")
    assert "Actual, 1 October 2026" in text
    assert "Estimated, 1 November 2026" in text
    assert "This bill uses estimated readings" in text
    # Each charge line with its quantity, rate, VAT rate and amount, on one row.
    assert text.row("Electricity used") == "Electricity used 300.5 kWh 24.8667p per kWh 5% £74.72"
    assert text.row("Standing charge") == "Standing charge 31 days 54.4667p per day 5% £16.88"
    assert text.row("Missed appointment") == "Missed appointment 1 charge £70.00 20% £70.00"
    assert text.row("VAT at 5%") == "VAT at 5% £91.60 5% £4.58"
    assert text.row("VAT at 20%") == "VAT at 20% £70.00 20% £14.00"
    assert text.row("Charges excluding VAT") == "Charges excluding VAT £161.60"
    assert text.row("Your energy bill total") == "Your energy bill total £180.18"
    # The balance (T&C 9.4.2), the payment method and the due date.
    assert text.on_a_row("Balance on your last bill £120.50")
    assert text.on_a_row("Payments and credits since then -£120.50")
    assert text.on_a_row("This bill, including VAT £180.18")
    assert text.on_a_row("Balance carried forward (you owe) £180.18")
    assert "Payment method: Monthly Direct Debit" in text
    assert "We will collect £180.18 by Direct Debit on or after 16" in text
    assert "Payment due by 16 November 2026" in text
    # How to read it, and how to complain: the Energy Ombudsman after 8 weeks or a deadlock letter.
    assert "How to read your bill" in text
    assert "8 weeks" in text
    assert "deadlock letter" in text
    assert "Energy Ombudsman" in text
    assert "0330 440 1624" in text
    # Citizens Advice as T&C 21.1 gives it (the bill printed 0808 223 1133 before issue 12).
    assert "Citizens Advice consumer service" in text
    assert "0345 404 0506" in text
    assert "0808 223 1133" not in text
    assert "0800 111 999" in text  # the gas emergency number


def test_a_gas_invoice_shows_the_conversion_from_volume_to_kwh(household: Site, tmp_path: Path) -> None:
    on_tariff(household, Fuel.GAS, PaymentMethod.STANDARD_CREDIT)
    bill = gas_bill(household)

    text = read_pdf(billing_invoice.render_invoice_pdf(bill), tmp_path)

    assert f"MPRN {household.gas_meter.supply_point.identifier}" in text
    serial = household.gas_meter.serial_number
    assert text.row(serial + " Standard").endswith("100 m³")
    assert "Actual (your reading), 1 November 2026" in text
    assert text.row(serial + " 100 m³") == f"{serial} 100 m³ 1.02264 39.5 MJ/m³ 3.6 1,122.063 kWh"
    assert text.row("Gas used") == "Gas used 1,122.063 kWh 6.981p per kWh 5% £78.33"
    assert text.row("Standing charge") == "Standing charge 31 days 27.6571p per day 5% £8.57"
    assert text.row("VAT at 5%") == "VAT at 5% £86.90 5% £4.35"
    assert text.row("Your energy bill total") == "Your energy bill total £91.25"
    assert "Payment method: Pay on receipt of bill" in text
    assert f"Please pay £91.25 by 16 November 2026, quoting your account number {household.gas.number}" in text
    assert "estimated readings" not in text


def test_text_from_the_customer_prints_as_written_and_is_never_read_as_typst_markup(
    household: Site, tmp_path: Path
) -> None:
    name = "O'Brien #set page(width: 1cm) *Ltd* $x$ @ref <label> [b] // c \\ _u_"
    household.customer.name = name
    household.customer.save(update_fields=["name"])
    bill = electricity_bill(household)

    pdf = billing_invoice.render_invoice_pdf(bill)

    assert name in read_pdf(pdf, tmp_path)
    assert page_count(pdf) >= 1


def test_the_invoice_is_stored_once_as_the_bills_invoice_document(household: Site, folder: Path) -> None:
    bill = electricity_bill(household)

    document = billing_invoice.attach_invoice(bill=bill, now=NOW)
    again = billing_invoice.attach_invoice(bill=Bill.objects.get(pk=bill.pk), now=datetime(2026, 11, 9, tzinfo=UTC))

    assert again.pk == document.pk
    assert Document.objects.count() == 1
    bill.refresh_from_db()
    assert bill.document_id == document.pk
    assert document.document_type.code == "INVOICE"
    assert document.reference == bill.reference == f"INV-{household.electricity.number}-20261001"
    assert (document.amount, document.issue_date) == (Decimal("180.18"), date(2026, 11, 2))
    assert (document.period_start_date, document.period_end_date) == (date(2026, 10, 1), date(2026, 11, 1))
    stored = Path(document.file.path).read_bytes()
    assert Path(document.file.path).is_relative_to(folder)
    assert document.sha256 == hashlib.sha256(stored).hexdigest()
    assert document.page_count == page_count(stored)
    # Rendering the issued bill again gives the very same bytes: the PDF depends on the bill alone.
    assert billing_invoice.render_invoice_pdf(bill) == stored


def test_a_cancelled_bill_gets_a_credit_note_reversing_every_line(household: Site, tmp_path: Path) -> None:
    bill = electricity_bill(household)
    with pytest.raises(billing_invoice.NotCancelled):
        billing_invoice.attach_credit_note(bill=bill, now=NOW)
    cancel(bill, day=date(2026, 11, 20))

    credit_note = billing_invoice.attach_credit_note(bill=bill, now=NOW)
    again = billing_invoice.attach_credit_note(bill=Bill.objects.get(pk=bill.pk), now=NOW)

    assert again.pk == credit_note.pk
    assert credit_note.document_type.code == "CREDIT_NOTE"
    assert credit_note.reference == f"CN-{household.electricity.number}-20261001"
    assert (credit_note.amount, credit_note.issue_date) == (Decimal("-180.18"), date(2026, 11, 20))
    assert Bill.objects.get(pk=bill.pk).credit_note_id == credit_note.pk
    with credit_note.file.open("rb") as handle:
        text = read_pdf(handle.read(), tmp_path)
    assert "Credit note" in text
    assert text.on_a_row(f"Credit note for invoice {bill.reference}")
    assert "Date of issue 20 November 2026" in text
    assert text.row("Electricity used").endswith("-£74.72")
    assert text.row("Missed appointment").endswith("-£70.00")
    assert text.row("VAT at 20%").endswith("-£14.00")
    assert text.row("Credit note total") == "Credit note total -£180.18"
    assert "Energy Ombudsman" in text


def test_a_bill_read_across_the_clock_change_shows_each_reading_on_its_local_day(
    household: Site, tmp_path: Path
) -> None:
    """Readings at local midnight: 1 November 00:00 GMT is 1 November, 1 October 00:00 BST is 30 September 23:00 UTC."""
    bill = electricity_bill(household)
    start = RegisterReading.objects.get(register__meter=household.electricity_meter, value=Decimal("56311"))
    assert start.read_at == at_local(date(2026, 10, 1)) == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)

    text = read_pdf(billing_invoice.render_invoice_pdf(bill), tmp_path)

    assert "30 September 2026" not in text
    assert "Actual, 1 October 2026" in text


def test_a_meter_with_two_registers_shows_each_register_reading(household: Site, tmp_path: Path) -> None:
    meter: Meter = household.electricity_meter
    day = Register.objects.create(meter=meter, identifier="DY", rate=Register.Rate.DAY)
    night = Register.objects.create(meter=meter, identifier="NT", rate=Register.Rate.NIGHT)
    bill = make_bill(
        household.electricity,
        used=[
            Used(
                day,
                reading(day, "100", A, date(2026, 10, 1)),
                reading(day, "300", A, date(2026, 11, 1)),
                Decimal("200"),
                "kWh",
                Decimal("200"),
            ),
            Used(
                night,
                reading(night, "50", A, date(2026, 10, 1)),
                reading(night, "150", E, date(2026, 11, 1)),
                Decimal("100"),
                "kWh",
                Decimal("100"),
            ),
        ],
        lines=[Line(ENERGY, "Day units", Decimal("200"), "kWh", Decimal("0.3"), Decimal("0.05"), meter.supply_point)],
    )

    text = read_pdf(billing_invoice.render_invoice_pdf(bill), tmp_path)

    assert text.row(f"{meter.serial_number} Day").endswith("200 kWh")
    assert text.row(f"{meter.serial_number} Night").endswith("100 kWh")
    assert text.on_a_row("Energy used 300 kWh")


def test_energy_from_half_hourly_data_says_so_instead_of_showing_readings(household: Site, tmp_path: Path) -> None:
    meter: Meter = household.electricity_meter
    register = meter.registers.get()
    bill = make_bill(
        household.electricity,
        period=(date(2026, 3, 29), date(2026, 3, 30)),  # the March clock-change day: 23 hours, 46 half-hours
        used=[Used(register, None, None, Decimal("46"), "kWh", Decimal("46"))],
        lines=[
            Line(STANDING, "Standing charge", Decimal("1"), "days", Decimal("0.5"), Decimal("0.05"), meter.supply_point)
        ],
    )

    text = read_pdf(billing_invoice.render_invoice_pdf(bill), tmp_path)

    assert text.row(f"{meter.serial_number} Standard").endswith("half-hourly data 46 kWh")
    assert "29 March 2026 to 29 March 2026 (1 day)" in text
    assert text.row("Standing charge") == "Standing charge 1 day 50p per day 5% £0.50"


def test_an_account_left_in_credit_is_told_there_is_nothing_to_pay(household: Site, tmp_path: Path) -> None:
    """£100.00 paid on account; this bill 100 kWh x 25p = £25.00 + 5% VAT £1.25 = £26.25; so £73.75 in credit."""
    on_tariff(household, Fuel.ELECTRICITY, PaymentMethod.DIRECT_DEBIT)
    point = household.electricity_meter.supply_point
    bill = make_bill(
        household.electricity,
        payments_and_credits=Decimal("-100.00"),
        lines=[
            Line(ENERGY, "Electricity used", Decimal("100"), "kWh", Decimal("0.25"), Decimal("0.05"), point),
            Line(VAT, "VAT at 5%", Decimal("25.00"), "£", Decimal("0.05")),
        ],
    )

    text = read_pdf(billing_invoice.render_invoice_pdf(bill), tmp_path)

    assert text.on_a_row("Balance carried forward (in credit) -£73.75")
    assert "Nothing to pay: your account is in credit." in text
    assert "We will collect" not in text
