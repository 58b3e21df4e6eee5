"""Bills a customer can check (issue 13): prices in pence with VAT as bought, beside the working before VAT; the
annual consumption and projected cost; the tariff's end date and exit fee; bank details to pay by transfer; the
cheapest tariff on sale for the meter; a QR code of the bill's page; Paid / Due / Overdue in the list.

Every expected figure is worked out by hand in the comments, not by the code under test.
"""

import itertools
import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import segno
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hearth.data.accounts.models import Fuel
from hearth.data.billing.models import Bill, BillLine, LedgerEntry
from hearth.data.metering.models import Meter
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.billing import annual
from hearth.domain.billing import invoice as billing_invoice
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.billing.invoice_support import Line, Used, make_bill, use_documents_folder
from tests.integration.billing.test_invoice import read_pdf
from tests.integration.conftest import Site

ENERGY, STANDING, VAT = BillLine.Kind.ENERGY, BillLine.Kind.STANDING, BillLine.Kind.VAT
ON_SALE = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    """Monday 7 December 2026, 10:00 UTC, for the sign-in and the pages alike."""
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    return tmp_path / "documents"


def product(code: str, name: str, standing: str, unit: str, **options) -> Tariff:
    """A product on sale since 1 January 2026 with one single-rate electricity tariff in region A, paid by Direct
    Debit, at ``standing`` pence a day and ``unit`` pence a kWh before VAT."""
    made = tariff_ops.create_product(
        code=code,
        full_name=name,
        display_name=name,
        description="",
        kind=options.pop("kind", Product.Kind.VARIABLE),
        available_from=ON_SALE,
        **options,
    )
    return tariff_ops.create_tariff(
        product=made,
        fuel=Fuel.ELECTRICITY,
        region="A",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal(standing),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal(unit)},
        valid_from=ON_SALE,
    )


@pytest.fixture
def steady(household: Site) -> Tariff:
    """The customer's tariff: 54.4667p a day and 24.8667p a kWh before VAT, bought as 57.19p and 26.11p with 5% VAT
    (54.4667 x 1.05 = 57.190035; 24.8667 x 1.05 = 26.110035). Cheaper ones are on sale: Saver, fixed for 12 months
    with a £75 exit fee, at 50p and 20p; and Prepay Only at 10p and 10p, which this smart meter cannot have."""
    tariff = product("STEADY", "Hearth Steady", "54.4667", "24.8667")
    tariff_ops.place_on_tariff(
        supply_point=household.electricity_meter.supply_point,
        tariff=tariff,
        valid_from=datetime(2025, 9, 1, tzinfo=UTC),
    )
    product(
        "SAVER",
        "Hearth Saver",
        "50",
        "20",
        kind=Product.Kind.FIXED,
        term_months=12,
        exit_fee_electricity=Decimal("75.00"),
    )
    product("PREPAY", "Hearth Prepay Only", "10", "10", meter_kinds=(Meter.Kind.PREPAYMENT,))
    return tariff


def month_bill(site: Site, start: date, end: date, kwh: str) -> Bill:
    """A month's bill of ``kwh`` (from the meter's half-hourly data) at the Steady prices; its amounts are worked out
    by invoice_support (quantity x rate)."""
    point = site.electricity_meter.supply_point
    register = site.electricity_meter.registers.get()
    energy = Line(ENERGY, "Electricity used", Decimal(kwh), "kWh", Decimal("0.248667"), Decimal("0.05"), point)
    days = Decimal((end - start).days)
    standing = Line(STANDING, "Standing charge", days, "days", Decimal("0.544667"), Decimal("0.05"), point)
    base = energy.amount + standing.amount
    return make_bill(
        site.electricity,
        period=(start, end),
        issue_date=end,
        due_date=date(end.year, end.month, 15),
        used=[Used(register, None, None, Decimal(kwh), "kWh", Decimal(kwh))],
        lines=[energy, standing, Line(VAT, "VAT at 5%", base, "£", Decimal("0.05"))],
        reference=f"INV-{site.electricity.number}-{start:%Y%m}",
    )


def a_year_of_bills(site: Site) -> list[Bill]:
    """Twelve bills, November 2025 to October 2026, of 250 kWh each: 3,000 kWh in the last 12 months."""
    starts = [date(2025, 11, 1), date(2025, 12, 1)] + [date(2026, month, 1) for month in range(1, 12)]
    return [month_bill(site, start, end, "250") for start, end in itertools.pairwise(starts)]


def test_prices_are_shown_in_pence_with_vat_beside_the_working_before_vat(household: Site, steady: Tariff) -> None:
    bill = month_bill(household, date(2026, 10, 1), date(2026, 11, 1), "300.5")

    supply = billing_invoice.invoice_of(bill).supplies[0]

    assert [(line.description, line.price, line.rate) for line in supply.lines] == [
        ("Electricity used", "26.11p per kWh", "24.8667p per kWh"),
        ("Standing charge", "57.19p per day", "54.4667p per day"),
    ]


@pytest.mark.parametrize(
    ("pounds_exc_vat", "vat_rate", "pence_with_vat"),
    [
        ("0.248667", "0.05", "26.11"),  # 24.8667 x 1.05 = 26.110035
        ("0.2381", "0.05", "25.00"),  # 23.81 x 1.05 = 25.0005: rounds down at the third place
        ("0.123450", "0.20", "14.81"),  # 12.345 x 1.2 = 14.814
        ("0.104762", "0.05", "11.00"),  # 10.4762 x 1.05 = 11.00001
        ("0.10", None, "10.00"),  # no VAT on the line
    ],
)
def test_pence_with_vat_rounds_half_up_to_two_places(pounds_exc_vat, vat_rate, pence_with_vat) -> None:
    rate = Decimal(vat_rate) if vat_rate else None
    assert billing_invoice.pence_with_vat(Decimal(pounds_exc_vat), rate) == Decimal(pence_with_vat)


def test_a_year_of_history_gives_the_annual_consumption_projected_cost_and_the_cheapest_tariff(
    household: Site, steady: Tariff
) -> None:
    bills = a_year_of_bills(household)

    supply = billing_invoice.invoice_of(bills[-1]).supplies[0]

    year = dict(supply.year)
    assert year["Annual consumption"] == "3,000 kWh (your last 12 months)"
    # Steady: 3,000 kWh x 24.8667p = 74,600.1p, 365 days x 54.4667p = 19,880.3455p; 94,480.4455p = £944.804455,
    # with 5% VAT £992.0446... -> £992.04.
    assert year["Projected annual cost"] == "£992.04 a year with VAT on Hearth Steady, at these prices"
    assert year["Tariff ends"] == "No end date (a variable tariff)"
    assert year["Exit fee"] == "None"
    # Saver: 3,000 x 20p = 60,000p + 365 x 50p = 18,250p = £782.50, with VAT £821.625 -> £821.63; saving
    # £992.04 - £821.63 = £170.41. Prepay Only would be cheaper still but does not fit a smart meter.
    assert supply.pay_less == (
        "Could you pay less? Yes: Hearth Saver would cost about £821.63 a year for the same energy, £170.41 less. "
        "Ask us to change."
    )


def test_with_less_than_a_year_of_bills_the_annual_consumption_is_an_estimate_and_says_so(
    household: Site, steady: Tariff
) -> None:
    bill = month_bill(household, date(2026, 10, 1), date(2026, 11, 1), "300.5")

    year = dict(billing_invoice.invoice_of(bill).supplies[0].year)

    # October is days 274 to 304 of 2026. The seasonal profile weighs day d as 1 + 0.2 cos(2π(d - 15)/365) over a
    # year of weights summing to 365, so October's share is the sum of its weights / 365, and the year is
    # 300.5 kWh / that share, to the nearest kWh.
    share = math.fsum(1 + 0.2 * math.cos(2 * math.pi * (d - 15) / 365) for d in range(274, 305)) / 365
    kwh = Decimal(300.5 / share).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert year["Annual consumption"] == (
        f"about {kwh:,} kWh (estimated: we have billed 31 days, scaled to a year by season)"
    )
    pence = kwh * Decimal("24.8667") + 365 * Decimal("54.4667")
    cost = (pence / 100 * Decimal("1.05")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert year["Projected annual cost"] == f"£{cost:,} a year with VAT on Hearth Steady, at these prices"


def test_a_fixed_tariff_shows_its_end_date_and_exit_fee_and_the_cheapest_says_so(household: Site) -> None:
    saver = product(
        "SAVER",
        "Hearth Saver",
        "50",
        "20",
        kind=Product.Kind.FIXED,
        term_months=12,
        exit_fee_electricity=Decimal("75.00"),
    )
    # On the Saver since 1 April 2026 (local midnight, 23:00 UTC the day before): 12 months end on 31 March 2027.
    tariff_ops.place_on_tariff(
        supply_point=household.electricity_meter.supply_point,
        tariff=saver,
        valid_from=datetime(2026, 3, 31, 23, 0, tzinfo=UTC),
    )
    bill = month_bill(household, date(2026, 10, 1), date(2026, 11, 1), "300.5")

    supply = billing_invoice.invoice_of(bill).supplies[0]

    year = dict(supply.year)
    assert year["Tariff ends"] == "31 March 2027"
    assert year["Exit fee"] == "£75.00 if you leave before it ends"
    cheapest = "Could you pay less? No: you are on our cheapest tariff for your meter and the way you pay."
    assert supply.pay_less == cheapest


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (x, y) of a segno SVG: its one path is runs of ``h`` lines, moved by relative ``m``."""
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg)
    assert path is not None, svg
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path.group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark.update((int(x) + i, int(y)) for i in range(int(float(a))))
            x += float(a)
    return dark


def matrix_modules(qr: segno.QRCode, border: int = 4) -> set[tuple[int, int]]:
    return {(x + border, y + border) for y, row in enumerate(qr.matrix) for x, dark in enumerate(row) if dark}


def test_the_qr_code_encodes_the_bills_page_from_the_site_address(household: Site, steady: Tariff, settings) -> None:
    settings.HEARTH_SITE_URL = "https://portal.hearth.example"
    bill = month_bill(household, date(2026, 10, 1), date(2026, 11, 1), "300.5")

    invoice = billing_invoice.invoice_of(bill)

    url = f"https://portal.hearth.example/services/bills/{bill.pk}/"
    assert invoice.page_url == url
    drawn = svg_modules(invoice.qr_svg)
    assert drawn == matrix_modules(segno.make(url, error="m"))
    another_bill = f"https://portal.hearth.example/services/bills/{bill.pk + 1}/"
    assert drawn != matrix_modules(segno.make(another_bill, error="m"))


def test_the_pdf_prints_prices_with_vat_the_year_bank_details_and_the_qr_code(
    household: Site, steady: Tariff, tmp_path: Path, settings
) -> None:
    settings.HEARTH_BANK = {"account_name": "Hearth Energy Ltd", "sort_code": "12-34-56", "account_number": "87654321"}
    bill = a_year_of_bills(household)[-1]

    text = read_pdf(billing_invoice.render_invoice_pdf(bill), tmp_path)

    assert "Your prices, with VAT: Electricity used 26.11p per kWh; Standing charge 57.19p per day" in text
    assert "How we worked this out" in text
    assert text.row("Electricity used") == "Electricity used 250 kWh 24.8667p per kWh 5% £62.17"
    assert text.on_a_row("Annual consumption 3,000 kWh (your last 12 months)")
    assert text.on_a_row("Projected annual cost £992.04 a year with VAT on Hearth Steady")
    assert "Hearth Saver would cost about £821.63 a year" in text
    assert text.on_a_row("Sort code 12-34-56")
    assert text.on_a_row("Account number 87654321")
    assert text.on_a_row(f"Reference {household.electricity.number}")
    assert f"/services/bills/{bill.pk}/" in "".join(text.words.split()), text.words[-600:]


@pytest.fixture
def electricity_selected(signed_in: Client, household: Site) -> Client:
    signed_in.post("/accounts/select/", {"account": household.electricity.pk})
    return signed_in


def test_the_list_and_the_bill_page_say_paid_due_or_overdue(
    electricity_selected: Client, household: Site, steady: Tariff
) -> None:
    # 100 kWh bills: September due 15 October and paid; October due 15 November; November due 15 December.
    september = month_bill(household, date(2026, 9, 1), date(2026, 10, 1), "100")
    october = month_bill(household, date(2026, 10, 1), date(2026, 11, 1), "100")
    november = month_bill(household, date(2026, 11, 1), date(2026, 12, 1), "100")
    LedgerEntry.objects.create(
        account=household.electricity,
        kind=LedgerEntry.Kind.PAYMENT,
        amount=-september.total,
        posted_at=datetime(2026, 10, 10, tzinfo=UTC),
        description="Payment",
    )

    page = electricity_selected.get("/services/bills/").content.decode()

    def status(bill: Bill) -> str:
        row = page[page.index(f'data-bill="{bill.reference}"') :].split("</tr>")[0]
        found = re.search(r'data-status="(\w+)"', row)
        assert found is not None
        return found.group(1)

    assert [status(b) for b in (september, october, november)] == ["PAID", "OVERDUE", "DUE"]
    assert "was due 15 November 2026" in page
    assert "by 15 December 2026" in page
    bill_page = electricity_selected.get(f"/services/bills/{october.pk}/").content.decode()
    assert 'data-status="OVERDUE"' in bill_page
    for shown in ("26.11p per kWh", "57.19p per day", "How we worked this out", "24.8667p per kWh", "Sort code"):
        assert shown in bill_page
    assert "<svg" in bill_page


def test_the_cheapest_tariff_is_found_in_the_same_queries_however_many_tariffs_are_on_sale(
    household: Site, steady: Tariff
) -> None:
    """Every tariff on sale is priced from one read of their prices (ADR 0028), not a read per tariff."""
    bill = a_year_of_bills(household)[-1]
    with CaptureQueriesContext(connection) as three_on_sale:
        before = billing_invoice.invoice_of(bill).supplies[0].pay_less
    for n in range(4):
        product(f"MORE{n}", f"Hearth More {n}", "60", str(30 + n))
    with CaptureQueriesContext(connection) as seven_on_sale:
        after = billing_invoice.invoice_of(bill).supplies[0].pay_less

    assert before == after  # the new ones cost more than Saver: the answer stands
    assert "Hearth Saver would cost about £821.63 a year" in after
    assert len(seven_on_sale) == len(three_on_sale)


def test_a_points_meter_kinds_are_those_of_its_fitted_meters_and_a_point_with_none_is_still_read(
    household: Site,
) -> None:
    """A tariff on sale is offered only if its product allows every fitted meter's kind: a second meter counts, a
    removed one does not, and a point whose meters were all removed still prints with its address (read in one
    query, the meters joined to the points)."""
    electricity, gas = household.electricity_meter, household.gas_meter
    Meter.objects.create(
        supply_point=electricity.supply_point,
        serial_number="M-PREPAY",
        kind=Meter.Kind.PREPAYMENT,
        installed_at=electricity.installed_at,
    )
    Meter.objects.filter(pk=gas.pk).update(removed_at=gas.installed_at + timedelta(hours=1))

    with CaptureQueriesContext(connection) as read:
        found = annual.points_with_meter_kinds([electricity.supply_point_id, gas.supply_point_id])

    assert found[electricity.supply_point_id][1] == {Meter.Kind.SMART, Meter.Kind.PREPAYMENT}
    point, kinds = found[gas.supply_point_id]
    assert (point.identifier, kinds) == (gas.supply_point.identifier, frozenset())
    assert point.supply_property.postcode == household.gas.billing_property.postcode
    assert len(read) == 1
