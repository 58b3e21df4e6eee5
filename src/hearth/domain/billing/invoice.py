"""The invoice and the credit note: a bill's stored rows laid out as a UK energy bill, rendered to PDF by Typst.

Everything printed comes from the bill's own rows (lines, consumption, balance fields) and the account's records, so
re-rendering an issued bill gives the same bytes. :func:`invoice_of` gathers them into plain text values (the
:class:`Invoice`), which the portal's bill page shows and the Typst templates print: the page and the PDF cannot
disagree. The values reach Typst as one JSON string in ``sys.inputs`` and are decoded there, never pasted into
markup, so a customer called ``O'Brien #1 *Ltd*`` prints as written. The brand, the page and the compiling are
those every document shares (:mod:`hearth.domain.documents.printing`).
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse

from hearth.common import calendar, consumer_help, qr_code
from hearth.common.calendar import local_date
from hearth.common.money import Money
from hearth.data.accounts.models import Fuel, SupplyPoint
from hearth.data.billing.models import Bill, BillConsumption, BillLine
from hearth.data.documents.models import Document, DocumentType
from hearth.data.metering.models import RegisterReading
from hearth.data.tariffs.models import Agreement, PaymentMethod, Product, Tariff
from hearth.domain.billing import annual, calculation, sql
from hearth.domain.billing import queries as billing_queries
from hearth.domain.documents import delivery as documents_delivery
from hearth.domain.documents import operations as documents_ops
from hearth.domain.documents import printing as documents_printing
from hearth.domain.tariffs import queries as tariff_queries

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"

EMERGENCIES: Final = {"gas": "0800 111 999", "power_cut": "105"}
"""The national gas emergency number (T&C 19.1) and the power-cut number for every electricity network."""

DIRECT_DEBITS: Final = (PaymentMethod.DIRECT_DEBIT, PaymentMethod.ANNUAL_DIRECT_DEBIT)

REGISTER_NAMES: Final = {"STANDARD": "Standard", "DAY": "Day", "NIGHT": "Night", "HALF_HOURLY": "Half-hourly"}

ESTIMATED_KINDS: Final = (RegisterReading.Kind.ESTIMATED, RegisterReading.Kind.DEEMED)

READING_WORDS: Final[dict[str, str]] = {
    RegisterReading.Kind.ACTUAL: "Actual",
    RegisterReading.Kind.CUSTOMER: "Actual (your reading)",
    RegisterReading.Kind.OPENING: "Actual (opening)",
    RegisterReading.Kind.FINAL: "Actual (final)",
    RegisterReading.Kind.ESTIMATED: "Estimated",
    RegisterReading.Kind.DEEMED: "Estimated (deemed)",
}
"""How each kind of reading is marked on the bill: every reading is either actual or estimated."""

PENCE_UNITS: Final = {"kWh": ("kWh", "kWh"), "day": ("days", "day"), "days": ("days", "day")}
"""Lines whose rate is printed in pence per unit, as tariffs are quoted: the unit's words for quantity and rate."""

PENCE: Final = Decimal("0.01")


# --- What the bill says, as text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadingRow:
    """The readings used for one register, the advance between them, and for gas the conversion to kWh."""

    meter_serial_number: str
    register: str
    start_date: str
    start_value: str
    start_kind: str
    end_date: str
    end_value: str
    end_kind: str
    start_estimated: bool
    end_estimated: bool
    advance: str
    volume: str
    correction_factor: str
    calorific_value: str
    kwh: str


@dataclass(frozen=True)
class LineRow:
    """One charge line: ``quantity`` at ``rate`` = ``amount``, and the VAT rate it attracts."""

    kind: str
    description: str
    quantity: str
    rate: str
    amount: str
    vat: str
    price: str
    """The rate as the customer bought it: pence with VAT to two places ("26.11p per kWh"); "" for other lines."""


@dataclass(frozen=True)
class SupplySection:
    """One supply point on the bill: where, which meters, the tariff, the readings and its charge lines."""

    fuel: str
    identifier_name: str
    identifier: str
    address: str
    meter_serial_numbers: tuple[str, ...]
    tariff: str
    readings: tuple[ReadingRow, ...]
    kwh: str
    lines: tuple[LineRow, ...]
    notes: tuple[str, ...]
    year: tuple[tuple[str, str], ...]
    """What UK bills carry: annual consumption, projected cost, tariff end date and exit fee, as (label, value)."""
    pay_less: str
    """The "could you pay less" line: the cheapest tariff on sale for this meter, or that this is it."""


@dataclass(frozen=True)
class Balance:
    """The account as it stood when the bill was issued (T&C 9.4.2)."""

    previous: str
    payments_and_credits: str
    this_bill: str
    carried_forward: str
    carried_forward_words: str


@dataclass(frozen=True)
class Invoice:
    """Everything an invoice or credit note prints, as text ready to show; ``kind`` is a DocumentType code."""

    kind: str
    title: str
    reference: str
    bill_reference: str
    brand: dict[str, str]
    account_number: str
    customer_name: str
    address_lines: tuple[str, ...]
    issue_date: str
    period: str
    period_days: str
    due_date: str
    estimated: bool
    final: bool
    supplies: tuple[SupplySection, ...]
    other_lines: tuple[LineRow, ...]
    vat_lines: tuple[LineRow, ...]
    charges_exc_vat: str
    vat: str
    total: str
    balance: Balance | None
    payment_method: str
    payment_instruction: str
    bank: dict[str, str]
    page_url: str
    qr_svg: str
    notes: tuple[str, ...]
    ombudsman: dict[str, str]
    advice: dict[str, str]
    emergencies: dict[str, str]


def period_words(bill: Bill) -> str:
    """A bill period as printed: its first and last days (the stored end date is exclusive)."""
    first, last = bill.period_start_date, bill.period_end_date - timedelta(days=1)
    return f"{documents_printing.day_words(first)} to {documents_printing.day_words(last)}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _money(amount: Decimal) -> str:
    return str(Money(amount))


def _figure(value: Decimal) -> str:
    """A quantity without trailing zeros, with thousands separators: 1,234.5."""
    return f"{value.normalize():,f}"


def _dial(value: Decimal) -> str:
    """A meter reading as the dials show it (no separators): 56311 or 56311.5."""
    return f"{value.normalize():f}"


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"


def pence_with_vat(pounds_exc_vat: Decimal, vat_rate: Decimal | None) -> Decimal:
    """A rate in pounds before VAT as the customer bought it: pence with VAT, rounded half-up to two places
    (24.8667p at 5% is 26.11p). Rounded first to four places as every inclusive price is (``tariffs.queries``), so
    the bill says what the tariff and its letters say."""
    pence = tariff_queries.inc_vat(pounds_exc_vat * 100, vat_rate or Decimal(0))
    return pence.quantize(PENCE, rounding=ROUND_HALF_UP)


def _line_row(line: BillLine, sign: int) -> LineRow:
    price = ""
    if line.unit == "£":
        quantity, rate = _money(line.quantity), _percent(line.rate)
    elif line.unit in PENCE_UNITS:
        many, one = PENCE_UNITS[line.unit]
        unit = one if line.quantity == 1 else many
        quantity, rate = f"{_figure(line.quantity)} {unit}", f"{(line.rate * 100).normalize():f}p per {one}"
        price = f"{pence_with_vat(line.rate, line.vat_rate)}p per {one}"
    else:
        quantity, rate = f"{_figure(line.quantity)} {line.unit}".strip(), _money(line.rate)
    return LineRow(
        kind=line.kind,
        description=line.description,
        quantity=quantity,
        rate=rate,
        amount=_money(sign * line.amount),
        vat="none" if line.vat_rate is None else _percent(line.vat_rate),
        price=price,
    )


def _reading_row(row: BillConsumption) -> ReadingRow:
    def read_date(reading: RegisterReading | None) -> str:
        return documents_printing.day_words(local_date(reading.read_at)) if reading is not None else ""

    def kind_words(kind: str) -> str:
        return READING_WORDS.get(kind, kind.title())

    return ReadingRow(
        meter_serial_number=row.meter_serial_number,
        register=REGISTER_NAMES.get(row.band, row.band.replace("_", " ").capitalize()),
        start_date=read_date(row.start_reading),
        start_value="" if row.start_value is None else _dial(row.start_value),
        start_kind=kind_words(row.start_kind),
        end_date=read_date(row.end_reading),
        end_value="" if row.end_value is None else _dial(row.end_value),
        end_kind=kind_words(row.end_kind),
        start_estimated=row.start_kind in ESTIMATED_KINDS,
        end_estimated=row.end_kind in ESTIMATED_KINDS,
        advance=f"{_figure(row.units)} {'m³' if row.unit == 'm3' else row.unit}",
        volume="" if row.volume_m3 is None else f"{_figure(row.volume_m3)} m³",
        correction_factor="" if row.correction_factor is None else _figure(row.correction_factor),
        calorific_value="" if row.calorific_value is None else f"{_figure(row.calorific_value)} MJ/m³",
        kwh=f"{_figure(row.kwh)} kWh",
    )


def _agreement_of(bill: Bill, agreements: Sequence[Agreement]) -> Agreement | None:
    """The agreement a supply point was on at the end of the bill period (the latest one inside it), among the
    point's ``agreements`` in order of ``valid_from`` and id."""
    start_at = calendar.day_starts_at(bill.period_start_date)
    end_at = calendar.day_starts_at(bill.period_end_date)
    inside = [
        agreement
        for agreement in agreements
        if agreement.valid_from < end_at and (agreement.valid_to is None or agreement.valid_to > start_at)
    ]
    return inside[-1] if inside else None


def _agreements(bills: Sequence[Bill], point_ids: Sequence[int]) -> dict[int, list[Agreement]]:
    """Each supply point's agreements overlapping any of the bills' periods, oldest first, each with its tariff and
    product, in one plain-cursor query."""
    found: dict[int, list[Agreement]] = defaultdict(list)
    if not bills or not point_ids:
        return found
    agreement_of, tariff_of, product_of = sql.reader(Agreement, "a"), sql.reader(Tariff, "t"), sql.reader(Product, "p")
    at_points, params = sql.among("a.supply_point_id", list(point_ids))
    overlapping, overlapping_params = sql.overlapping(
        "a",
        sql.instant(calendar.day_starts_at(min(bill.period_start_date for bill in bills))),
        sql.instant(calendar.day_starts_at(max(bill.period_end_date for bill in bills))),
    )
    for row in sql.select(
        f"SELECT {agreement_of.columns}, {tariff_of.columns}, {product_of.columns} "  # noqa: S608 - the models' tables
        f"FROM {Agreement._meta.db_table} a JOIN {Tariff._meta.db_table} t ON t.id = a.tariff_id "
        f"JOIN {Product._meta.db_table} p ON p.id = t.product_id "
        f"WHERE {at_points} AND {overlapping} ORDER BY a.valid_from, a.id",
        [*params, *overlapping_params],
    ):
        agreement = agreement_of.build(row)
        tariff = tariff_of.build(row, agreement_of.width)
        sql.attach(tariff, "product", product_of.build(row, agreement_of.width + tariff_of.width))
        sql.attach(agreement, "tariff", tariff)
        found[agreement.supply_point_id].append(agreement)
    return found


def bank_details(bill: Bill) -> dict[str, str]:
    """Where to pay by bank transfer (``HEARTH_BANK``), and the reference to quote: the account number."""
    configured = settings.HEARTH_BANK
    return {
        "account_name": str(configured["account_name"]),
        "sort_code": str(configured["sort_code"]),
        "account_number": str(configured["account_number"]),
        "reference": bill.account.number,
    }


def _payment(bill: Bill, method: str, brand: dict[str, str]) -> tuple[str, str]:
    """The payment method's name and what the customer has to do, by the due date."""
    owed, due = bill.balance_carried_forward, documents_printing.day_words(bill.due_date)
    name = PaymentMethod(method).label
    if owed <= 0:
        return name, "Nothing to pay: your account is in credit." if owed < 0 else "Nothing to pay."
    if method in DIRECT_DEBITS:
        return name, f"We will collect {_money(owed)} by Direct Debit on or after {due}."
    return name, (
        f"Please pay {_money(owed)} by {due}, quoting your account number {bill.account.number}: by bank transfer "
        f"to the account below, online at {brand['portal_url']} or by calling {brand['care_phone']}."
    )


def page_url(bill: Bill) -> str:
    """The bill's page in the portal, absolute, from the one configured site address (``HEARTH_SITE_URL``)."""
    return settings.HEARTH_SITE_URL + reverse("portal:bill", kwargs={"bill_id": bill.pk})


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as an SVG document (black on white, with its quiet zone), for the page and the PDF."""
    return qr_code.svg(qr_code.make(url, error="m"), scale=4)


def invoice_of(bill: Bill, *, credit_note: bool = False) -> Invoice:
    """What the bill's invoice (or, for a cancelled bill, its credit note) prints, from the bill's stored rows."""
    return invoices_of([bill], credit_note=credit_note)[bill.pk]


def invoices_of(bills: Sequence[Bill], *, credit_note: bool = False) -> dict[int, Invoice]:
    """What each bill's invoice (or credit note) prints, by bill id: every bill's rows read together, in a fixed
    number of queries however many bills (a bill run's chunk), so what prints is what :func:`invoice_of` prints.

    The bills are printed as given (read from the database by the caller); each one's account, customer and billing
    property are read only if the caller has not (the portal's access check has read the account already).
    """
    prefetch_related_objects(bills, "account__customer", "account__billing_property")
    loaded = {bill.pk: bill for bill in bills}
    ids = list(loaded)
    lines = billing_queries.lines_of_bills(ids)
    consumption = billing_queries.consumption_of_bills(ids)
    charged = {bill_id: _points_charged(consumption.get(bill_id, []), lines.get(bill_id, [])) for bill_id in ids}
    all_points = list(dict.fromkeys(point_id for point_ids in charged.values() for point_id in point_ids))
    fitted = annual.points_with_meter_kinds(all_points)
    points = {point_id: point for point_id, (point, _) in fitted.items()}
    agreements = _agreements(bills, all_points)
    forwarding = documents_printing.forwarding_accounts(bill.account for bill in bills)
    brand = documents_printing.brand()
    agreement_of = {
        (bill_id, point_id): _agreement_of(loaded[bill_id], agreements.get(point_id, []))
        for bill_id in ids
        for point_id in charged[bill_id]
    }
    supplies = {
        (bill_id, point_id): annual.Supply(
            loaded[bill_id], *fitted[point_id], agreement, _energy_vat_rate(lines.get(bill_id, []), point_id)
        )
        for (bill_id, point_id), agreement in agreement_of.items()
        if not credit_note  # a credit note has no year figures
    }
    years = dict(zip(supplies, annual.supply_years(list(supplies.values())), strict=True))
    return {
        bill_id: _invoice(
            loaded[bill_id],
            lines.get(bill_id, []),
            consumption.get(bill_id, []),
            points,
            {point_id: agreement_of[(bill_id, point_id)] for point_id in charged[bill_id]},
            {point_id: years[(bill_id, point_id)] for point_id in charged[bill_id] if (bill_id, point_id) in years},
            brand=brand,
            forwarding=loaded[bill_id].account_id in forwarding,
            credit_note=credit_note,
        )
        for bill_id in ids
    }


def _points_charged(consumption: list[BillConsumption], lines: list[BillLine]) -> list[int]:
    """The supply points the bill charged, in the order printed."""
    charged = [row.supply_point_id for row in consumption] + [line.supply_point_id for line in lines]
    return [point_id for point_id in dict.fromkeys(charged) if point_id is not None]


def _invoice(
    bill: Bill,
    lines: list[BillLine],
    consumption: list[BillConsumption],
    points: dict[int, SupplyPoint],
    agreements: dict[int, Agreement | None],
    years: dict[int, annual.SupplyYear],
    *,
    brand: dict[str, str],
    forwarding: bool,
    credit_note: bool,
) -> Invoice:
    sign = -1 if credit_note else 1
    point_ids = list(agreements)
    supplies = tuple(
        _supply_section(points[point_id], consumption, lines, agreements[point_id], years.get(point_id), sign)
        for point_id in point_ids
    )
    vat_lines = [line for line in lines if line.kind == BillLine.Kind.VAT]
    other = tuple(_line_row(line, sign) for line in lines if line.supply_point_id is None and line not in vat_lines)
    vat_total = sum((line.amount for line in vat_lines), Decimal("0.00"))
    total = sum((line.amount for line in lines), Decimal("0.00"))
    first = agreements[point_ids[0]] if point_ids else None
    # Without an agreement on record the customer pays on receipt of the bill (standard credit, T&C 9.1).
    method, instruction = _payment(bill, first.tariff.payment_method if first else PaymentMethod.STANDARD_CREDIT, brand)
    if credit_note:
        instruction = f"{_money(total)} is taken off your account balance: the charges of invoice {bill.reference}."
    url = "" if credit_note else page_url(bill)
    return Invoice(
        kind=DocumentType.CREDIT_NOTE if credit_note else DocumentType.INVOICE,
        title="Credit note" if credit_note else ("Final bill" if bill.is_final else "Your energy bill"),
        reference=credit_note_reference(bill) if credit_note else bill.reference,
        bill_reference=bill.reference,
        brand=brand,
        account_number=bill.account.number,
        customer_name=bill.account.customer.name,
        address_lines=documents_printing.postal_address_lines(bill.account, forwarding=forwarding),
        issue_date=documents_printing.day_words(issue_date_of(bill, credit_note=credit_note)),
        period=period_words(bill),
        period_days=_days((bill.period_end_date - bill.period_start_date).days),
        due_date=documents_printing.day_words(bill.due_date),
        estimated=bill.is_estimated,
        final=bill.is_final,
        supplies=supplies,
        other_lines=other,
        vat_lines=tuple(_line_row(line, sign) for line in vat_lines),
        charges_exc_vat=_money(sign * (total - vat_total)),
        vat=_money(sign * vat_total),
        total=_money(sign * total),
        balance=None if credit_note else _balance(bill),
        payment_method=method,
        payment_instruction=instruction,
        bank={} if credit_note else bank_details(bill),
        page_url=url,
        qr_svg=url and qr_svg(url),
        notes=_notes(bill, brand, credit_note),
        ombudsman=dict(consumer_help.ENERGY_OMBUDSMAN),
        advice=dict(consumer_help.CITIZENS_ADVICE),
        emergencies=dict(EMERGENCIES),
    )


def _year_rows(year: annual.SupplyYear, tariff: str) -> tuple[tuple[str, str], ...]:
    rows = []
    used = year.consumption
    if used is not None:
        if used.estimated:
            billed = _days(used.days_billed)
            words = f"about {_figure(used.kwh)} kWh (estimated: we have billed {billed}, scaled to a year by season)"
        else:
            words = f"{_figure(used.kwh)} kWh (your last 12 months)"
        rows.append(("Annual consumption", words))
    if year.projected_cost is not None:
        cost = f"{_money(year.projected_cost)} a year with VAT on {tariff}, at these prices"
        rows.append(("Projected annual cost", cost))
    if tariff:
        end = year.tariff_end_date
        rows.append(("Tariff ends", documents_printing.day_words(end) if end else "No end date (a variable tariff)"))
        rows.append(
            ("Exit fee", f"{_money(year.exit_fee)} if you leave before it ends" if year.exit_fee > 0 else "None")
        )
    return tuple(rows)


def _pay_less(year: annual.SupplyYear) -> str:
    if year.cheaper is not None:
        name = year.cheaper.tariff.product.display_name
        return (
            f"Could you pay less? Yes: {name} would cost about {_money(year.cheaper.annual_cost)} a year for the "
            f"same energy, {_money(year.cheaper.saving)} less. Ask us to change."
        )
    if year.cheapest_known:
        return "Could you pay less? No: you are on our cheapest tariff for your meter and the way you pay."
    return ""


def _energy_vat_rate(lines: list[BillLine], point_id: int) -> Decimal:
    """The VAT rate the bill charged on the point's energy (the reduced rate if it charged none): the rate its year
    figures are worked out at."""
    rates = [
        line.vat_rate
        for line in lines
        if line.supply_point_id == point_id and line.kind == BillLine.Kind.ENERGY and line.vat_rate
    ]
    return rates[0] if rates else calculation.REDUCED_VAT_RATE


def _supply_section(
    point: SupplyPoint,
    consumption: list[BillConsumption],
    lines: list[BillLine],
    agreement: Agreement | None,
    year: annual.SupplyYear | None,
    sign: int,
) -> SupplySection:
    rows = [row for row in consumption if row.supply_point_id == point.pk]
    own_lines = [line for line in lines if line.supply_point_id == point.pk]
    electricity = point.fuel == Fuel.ELECTRICITY
    tariff = agreement.tariff.product.display_name if agreement else ""
    return SupplySection(
        fuel=Fuel(point.fuel).label,
        identifier_name="MPAN" if electricity else "MPRN",
        identifier=point.identifier,
        address=", ".join(documents_printing.address_lines(point.supply_property)),
        meter_serial_numbers=tuple(dict.fromkeys(row.meter_serial_number for row in rows)),
        tariff=tariff,
        readings=tuple(_reading_row(row) for row in rows),
        kwh=f"{_figure(sum((row.kwh for row in rows), Decimal(0)))} kWh",
        lines=tuple(_line_row(line, sign) for line in own_lines),
        notes=tuple(note for line in own_lines for note in line.sources.get("back_billing_notes", ())),
        year=() if year is None else _year_rows(year, tariff),
        pay_less="" if year is None else _pay_less(year),
    )


def _balance(bill: Bill) -> Balance:
    forward = bill.balance_carried_forward
    words = "you owe" if forward > 0 else ("in credit" if forward < 0 else "nothing owed")
    return Balance(
        previous=_money(bill.previous_balance),
        payments_and_credits=_money(bill.payments_and_credits),
        this_bill=_money(bill.total),
        carried_forward=_money(forward),
        carried_forward_words=words,
    )


def _notes(bill: Bill, brand: dict[str, str], credit_note: bool) -> tuple[str, ...]:
    notes = []
    if credit_note:
        notes.append(f"This credit note cancels invoice {bill.reference} in full; a corrected bill follows if due.")
    if bill.is_estimated:
        notes.append(
            "This bill uses estimated readings (marked Estimated). Send us a reading at "
            f"{brand['portal_url']} and your next bill will correct the estimate."
        )
    if bill.is_final:
        notes.append("This is your final bill for this account: your supply with us ended in this period.")
    return tuple(notes)


def issue_date_of(bill: Bill, *, credit_note: bool) -> date:
    """The day printed on the invoice (the bill's issue date) or on its credit note (the day it was cancelled)."""
    if not credit_note:
        return bill.issue_date
    assert bill.cancelled_at is not None, "only a cancelled bill has a credit note"
    return local_date(bill.cancelled_at)


def credit_note_reference(bill: Bill) -> str:
    """The credit note's reference: ``CN-`` and the bill's reference without its ``INV-``."""
    return "CN-" + bill.reference.removeprefix("INV-")


# --- Rendering --------------------------------------------------------------------------------------------------


def typst_input(invoice: Invoice) -> str:
    """The JSON the templates read from ``sys.inputs.invoice``."""
    data: dict[str, Any] = vars(invoice) | {"logo_svg": documents_printing.logo_svg()}
    # Each dataclass inside as its fields in order, what dataclasses.asdict gives without its deep copy.
    return json.dumps(data, ensure_ascii=False, default=vars)


@dataclass(frozen=True)
class _Printed:
    """One of the bill's documents: the bill field holding it, its type, its template, and whether it credits."""

    field: str
    type_code: str
    template: Path
    credit_note: bool

    def render(self, invoice: Invoice) -> bytes:
        return documents_printing.render(self.template, invoice=typst_input(invoice))


INVOICE_PDF: Final = _Printed("document", DocumentType.INVOICE, TEMPLATES / "invoice.typ", credit_note=False)
CREDIT_NOTE_PDF: Final = _Printed(
    "credit_note", DocumentType.CREDIT_NOTE, TEMPLATES / "credit-note.typ", credit_note=True
)


def render_invoice_pdf(bill: Bill) -> bytes:
    return INVOICE_PDF.render(invoice_of(bill))


def render_credit_note_pdf(bill: Bill) -> bytes:
    return CREDIT_NOTE_PDF.render(invoice_of(bill, credit_note=True))


# --- Attaching the PDF to the bill ------------------------------------------------------------------------------


class NotCancelled(Exception):
    """Only a cancelled bill has a credit note."""


def _attach(bill: Bill, *, printed: _Printed, now: datetime, deliver: bool) -> Document:
    """The bill's document in ``printed.field``, rendered and stored the first time it is asked for."""
    result = _attach_all([bill], printed=printed, now=now, deliver=deliver)[bill.pk]
    if isinstance(result, Exception):
        raise result
    return result


def _attach_all(
    bills: Sequence[Bill], *, printed: _Printed, now: datetime, deliver: bool
) -> dict[int, Document | Exception]:
    """Each bill's document in ``printed.field`` by bill id, made the first time it is asked for, or the exception
    that stopped it, which does not stop the others.

    The bills' rows are read together, each PDF is compiled on its own (the bytes of one bill alone), and then, with
    the bills locked, the documents are stored, the bills pointed at them and their deliveries planned (``deliver``)
    in one transaction, the e-mails dispatched once it commits. The PDFs are rendered before the lock, to keep it
    short; two workers racing render the same bytes, and the document store returns the first one's document to the
    second. If reading or storing fails for the bills together, each is tried again alone, so a bad bill costs only
    itself.
    """
    results: dict[int, Document | Exception] = dict(_stored_already(bills, field=printed.field))
    missing = [bill for bill in bills if bill.pk not in results]
    if not missing:
        return results
    try:
        stored = Bill.objects.select_related("account__customer", "account__billing_property").in_bulk(
            [bill.pk for bill in missing]
        )
        invoices = invoices_of(list(stored.values()), credit_note=printed.credit_note)
        pdfs: dict[int, bytes] = {}
        for bill in missing:
            try:
                pdfs[bill.pk] = printed.render(invoices[bill.pk])
            except Exception as exc:
                results[bill.pk] = exc
        results |= _store(pdfs, printed=printed, now=now, deliver=deliver)
    except Exception as exc:
        if len(missing) == 1:
            return results | {missing[0].pk: exc}
        for bill in missing:
            results |= _attach_all([bill], printed=printed, now=now, deliver=deliver)
    for bill in missing:
        if isinstance(document := results[bill.pk], Document):
            setattr(bill, printed.field, document)
    return results


def _store(
    pdfs: dict[int, bytes], *, printed: _Printed, now: datetime, deliver: bool
) -> dict[int, Document | Exception]:
    """The rendered PDFs stored as the bills' documents in one transaction, by bill id (see :func:`_attach_all`)."""
    with transaction.atomic():
        locked = Bill.objects.select_for_update(of=("self",)).select_related("account").in_bulk(list(pdfs))
        results: dict[int, Document | Exception] = dict(
            _stored_already([locked[pk] for pk in pdfs], field=printed.field)
        )
        waiting = [locked[pk] for pk in pdfs if pk not in results]
        stored = documents_ops.store_documents(
            [
                documents_ops.NewDocument(
                    account=bill.account,
                    type_code=printed.type_code,
                    reference=credit_note_reference(bill) if printed.credit_note else bill.reference,
                    issued_at=now,
                    issue_date=issue_date_of(bill, credit_note=printed.credit_note),
                    period_start_date=bill.period_start_date,
                    period_end_date=bill.period_end_date,
                    amount=-bill.total if printed.credit_note else bill.total,
                    pdf=pdfs[bill.pk],
                )
                for bill in waiting
            ]
        )
        pointed = []
        for bill, document in zip(waiting, stored, strict=True):
            results[bill.pk] = document
            if isinstance(document, Document):
                setattr(bill, printed.field, document)
                pointed.append(bill)
        Bill.objects.bulk_update(pointed, [printed.field])
        if deliver:
            new = [document for document in stored if isinstance(document, Document)]
            documents_delivery.dispatch(documents_delivery.plan_deliveries_of(documents=new, now=now))
    return results


def _stored_already(bills: Sequence[Bill], *, field: str) -> dict[int, Document]:
    """The documents these bills already have in ``field``, by bill id."""
    ids = {bill.pk: document_id for bill in bills if (document_id := getattr(bill, f"{field}_id")) is not None}
    documents = Document.objects.in_bulk(list(ids.values()))
    return {bill_id: documents[document_id] for bill_id, document_id in ids.items()}


def attach_invoice(*, bill: Bill, now: datetime, deliver: bool = True) -> Document:
    """The bill's invoice (type INVOICE, the bill's reference), stored the first time; the same one afterwards.

    ``now`` is when the document is stored; the PDF prints the bill's own issue date, so it never depends on it.
    Stored the first time, it is delivered to the account's logins unless ``deliver`` is False.
    """
    return _attach(bill, printed=INVOICE_PDF, now=now, deliver=deliver)


def attach_invoices(*, bills: Sequence[Bill], now: datetime, deliver: bool = True) -> dict[int, Document | Exception]:
    """:func:`attach_invoice` for a chunk of bills (a bill run's), with a fixed number of queries and one
    transaction for the lot: by bill id, its invoice, or the exception that stopped that bill alone."""
    return _attach_all(bills, printed=INVOICE_PDF, now=now, deliver=deliver)


def attach_credit_note(*, bill: Bill, now: datetime, deliver: bool = True) -> Document:
    """A cancelled bill's credit note (type CREDIT_NOTE, ``CN-...``), stored the first time; the same one afterwards.

    :raises NotCancelled: if the bill is still live.
    """
    if bill.status != Bill.Status.CANCELLED or bill.cancelled_at is None:
        raise NotCancelled(f"Bill {bill.reference} is not cancelled, so it has no credit note.")
    return _attach(bill, printed=CREDIT_NOTE_PDF, now=now, deliver=deliver)


def attach_documents(*, bill: Bill, now: datetime, deliver: bool = True) -> None:
    """Whatever PDFs the bill should have and lacks: its invoice, and its credit note once it is cancelled.

    Called after the bill's own transaction commits (a bill run, a cancellation, a reissue), so a failure here never
    undoes the bill; the next bill run finds what is still missing (``runs``) and makes it. ``deliver`` False stores
    them without sending them to anyone (the demo's billed history).
    """
    if bill.document_id is None:
        attach_invoice(bill=bill, now=now, deliver=deliver)
    if bill.status == Bill.Status.CANCELLED and bill.credit_note_id is None:
        attach_credit_note(bill=bill, now=now, deliver=deliver)
