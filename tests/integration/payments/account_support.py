"""What the refund, late-payment, review, estimate and arrangement tests share: supplied accounts on known prices.

Accounts are made through the domain operations (customer, account, supply point, meter, tariff agreement) so the
estimate and the payment rules see what a real customer has; balances are ledger entries the test chooses, and
Direct Debits are written as rows when a test is about what happens to one, not how it is set up (the Bacs tests do
that). Bank details are Vocalink's published modulus-checking examples: each passes the check and none is a real
account.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from hearth.data.accounts.models import Account, Customer, Fuel, Nation, SupplyPoint
from hearth.data.billing.models import LedgerEntry
from hearth.data.documents.models import Document
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.payments.models import Mandate, PaymentArrangement
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.payments import arrangements
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.payments.support import JO, BankAccount

LONDON = ZoneInfo("Europe/London")
PENNY = Decimal("0.01")
PRICES_FROM = date(2025, 1, 1)
"""Tariffs and supplies start here, well before any day the tests look at."""

_MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
_serials = count(1)


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock London time on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def midnight(day: date) -> datetime:
    """Local midnight at the start of ``day``."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _mpan_core(serial: int) -> str:
    first_twelve = f"25{serial:010d}"
    check = sum(int(d) * w for d, w in zip(first_twelve, _MPAN_WEIGHTS, strict=True)) % 11 % 10
    return f"{first_twelve}{check}"


def tariff(
    *,
    fuel: Fuel = Fuel.ELECTRICITY,
    pence_per_kwh: str | dict[str, str] = "25",
    pence_per_day: str = "50",
    payment_methods: tuple[PaymentMethod, ...] = tuple(PaymentMethod),
    kind: Product.Kind = Product.Kind.VARIABLE,
) -> Tariff:
    """A tariff at these prices (pence, excluding VAT) from :data:`PRICES_FROM`; a dict of rates makes Economy 7."""
    serial = next(_serials)
    product = tariff_ops.create_product(
        code=f"PAY-TEST-{serial}",
        full_name="Hearth Payments Test",
        display_name="Hearth Payments Test",
        description="For the payments tests.",
        kind=kind,
        available_from=midnight(PRICES_FROM),
        payment_methods=payment_methods,
        term_months=12 if kind == Product.Kind.FIXED else None,
    )
    two_rate = isinstance(pence_per_kwh, dict)
    rates = (
        {band: Decimal(value) for band, value in pence_per_kwh.items()}
        if isinstance(pence_per_kwh, dict)
        else {UnitRate.STANDARD: Decimal(pence_per_kwh)}
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=fuel,
        region="C",
        structure=Tariff.Structure.TWO_RATE if two_rate else Tariff.Structure.SINGLE_RATE,
        payment_method=payment_methods[0],
        standing_charge_exc_vat=Decimal(pence_per_day),
        unit_rates_exc_vat=rates,
        valid_from=midnight(PRICES_FROM),
        night_starts_at=time(0, 30) if two_rate else None,
        night_ends_at=time(7, 30) if two_rate else None,
    )


def supplied_account(
    on_tariff: Tariff | None,
    *,
    annual_kwh: str | None = "3100",
    meter: Meter.Kind = Meter.Kind.CREDIT,
    customer_kind: Customer.Kind = Customer.Kind.PERSON,
    name: str = "Jo Bloggs",
) -> Account:
    """An account supplied since :data:`PRICES_FROM` through one supply point with one meter, on ``on_tariff``
    (or on no tariff), fuel and registers as the tariff has them (electricity when there is none)."""
    serial = next(_serials)
    fuel = Fuel(on_tariff.fuel) if on_tariff else Fuel.ELECTRICITY
    opened = midnight(PRICES_FROM)
    customer = accounts_ops.create_customer(
        kind=customer_kind, name=name, contact_email=f"payer{serial}@example.com", now=opened
    )
    home = accounts_ops.create_property(
        address_line_1=f"{serial} Canal Wharf", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(customer=customer, fuel=fuel, billing_property=home, now=opened)
    gas = fuel == Fuel.GAS
    supply_point = accounts_ops.add_supply_point(
        account=account,
        identifier=f"{9200000000 + serial}" if gas else _mpan_core(serial),
        supply_property=home,
        supply_start_date=PRICES_FROM,
        profile_class="" if gas else "02",
        annual_consumption_kwh=Decimal(annual_kwh) if annual_kwh is not None else None,
    )
    two_rate = on_tariff is not None and on_tariff.structure == Tariff.Structure.TWO_RATE
    registers = (
        [("01", Register.Rate.DAY), ("02", Register.Rate.NIGHT)]
        if two_rate
        else [("G" if gas else "S", Register.Rate.STANDARD)]
    )
    accounts_ops.install_meter(
        supply_point=supply_point,
        serial_number=f"P{serial:07d}",
        kind=meter,
        installed_at=opened - timedelta(days=30),
        registers=registers,
        gas_units=Meter.GasUnits.METRIC if gas else None,
    )
    if on_tariff is not None:
        tariff_ops.place_on_tariff(supply_point=supply_point, tariff=on_tariff, valid_from=opened)
    return account


def supply_point_of(account: Account) -> SupplyPoint:
    return SupplyPoint.objects.get(supplies__account=account)


def register_of(account: Account) -> Register:
    return Register.objects.filter(meter__supply_point__supplies__account=account).order_by("id").first()  # type: ignore[return-value]


def read_meter(account: Account, read_at: datetime, value: str = "12345") -> RegisterReading:
    """An accepted reading the customer gave at ``read_at``."""
    return RegisterReading.objects.create(
        register=register_of(account),
        read_at=read_at,
        value=Decimal(value),
        source=ReadingSource.CUSTOMER,
        kind=RegisterReading.Kind.CUSTOMER,
        status=RegisterReading.Status.ACCEPTED,
        received_at=read_at,
    )


def post(account: Account, kind: LedgerEntry.Kind, amount: str, when: datetime) -> LedgerEntry:
    """A ledger entry as billing posts it (positive: owed; negative: paid or credited)."""
    return LedgerEntry.objects.create(
        account=account, kind=kind, amount=Decimal(amount), posted_at=when, description=str(kind)
    )


def in_credit(account: Account, credit: str, when: datetime) -> None:
    """The customer has paid ``credit`` more than they were charged."""
    post(account, LedgerEntry.Kind.PAYMENT, f"-{credit}", when)


def monthly_direct_debit(
    account: Account,
    *,
    amount: str,
    payment_day: int = 1,
    signed_up: date = PRICES_FROM,
    mandate_status: Mandate.Status = Mandate.Status.LIVE,
    bank: BankAccount = JO,
) -> Mandate:
    """A monthly Direct Debit of ``amount`` from ``bank``, as set up long ago (arrangement and mandate rows)."""
    PaymentArrangement.objects.create(
        account=account,
        method=PaymentArrangement.Method.STANDARD_DIRECT_DEBIT,
        payment_day=payment_day,
        regular_amount=Decimal(amount),
        signed_up_date=signed_up,
        updated_at=midnight(signed_up),
    )
    return Mandate.objects.create(
        account=account,
        reference=f"HRTH{account.number}-1"[:18],
        holder_name=bank.holder.upper(),
        sort_code=bank.sort_code,
        account_number_sealed=arrangements.seal_account_number(bank.number),
        account_number_last2=bank.number[-2:],
        status=mandate_status,
        created_at=midnight(signed_up),
        live_date=signed_up if mandate_status == Mandate.Status.LIVE else None,
    )


def to_pennies_up(amount: Decimal) -> Decimal:
    """Up to the next whole penny: an amount that must cover a cost (done with integers, not the code's helper)."""
    pence = amount * 100
    whole = int(pence)
    return Decimal(whole + (1 if pence > whole else 0)) / 100


@pytest.fixture(name="documents_in_tmp")
def documents_in_tmp_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Letters and notices stored in the test's own folder."""
    use_documents_folder(monkeypatch, tmp_path / "documents")


@pytest.fixture(name="bacs_folder")
def bacs_folder_fixture(tmp_path: Path, settings: Any) -> Path:
    """Refund files and referral files written in the test's own folder."""
    folder = tmp_path / "bacs"
    settings.HEARTH_BACS = {**settings.HEARTH_BACS, "folder": str(folder)}
    return folder


def pdf_text(document: Document) -> str:
    """The words a stored PDF document prints, spaces and line breaks squeezed to single spaces."""
    with document.file.open("rb") as pdf:
        text = " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    return " ".join(text.split())
