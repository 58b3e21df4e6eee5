"""What the sign-up, cooling-off and join-journey tests share: products on sale in Yorkshire (region M, Leeds "LS")
at round prices, and an application that passes every check unless a test changes one field."""

import dataclasses
from datetime import datetime, time
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from hearth.data.accounts.models import Fuel
from hearth.data.tariffs.models import MeterKind, PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.contracts import quotes
from hearth.domain.contracts.sign_up import Application
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.payments.account_support import LONDON, PRICES_FROM, midnight
from tests.integration.payments.support import JO

MPAN = "2500000000018"  # valid (check digit 8); distributor 25 is not one of the 14 original ones
YORKSHIRE_MPAN = "2300000000019"  # distributor 23: Yorkshire (M)
MPRN = "1234567890"
POSTCODE = "LS1 4AP"

_codes = count(1)


@pytest.fixture(autouse=True)
def documents_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    use_documents_folder(monkeypatch, tmp_path / "documents")


def product(
    *,
    kind: Product.Kind = Product.Kind.FIXED,
    payment_methods: tuple[PaymentMethod, ...] = (PaymentMethod.DIRECT_DEBIT,),
    electricity: tuple[str, str] = ("20", "40"),
    gas: tuple[str, str] = ("6", "30"),
    region: str = "M",
    exit_fee: str = "50.00",
    economy_7: tuple[str, str] | None = None,
) -> Product:
    """A product on sale since :data:`PRICES_FROM` with electricity and gas tariffs in ``region`` for each payment
    method, at (pence per kWh, pence per day) excluding VAT; ``economy_7`` adds a two-rate tariff (day, night)."""
    serial = next(_codes)
    fixed = kind == Product.Kind.FIXED
    made = tariff_ops.create_product(
        code=f"JOIN-TEST-{serial}",
        full_name=f"Join Test {serial}",
        display_name=f"Join Test {serial}",
        description="For the sign-up tests.",
        kind=kind,
        available_from=midnight(PRICES_FROM),
        payment_methods=payment_methods,
        meter_kinds=(MeterKind.CREDIT, MeterKind.SMART, MeterKind.PREPAYMENT),
        term_months=12 if fixed else None,
        exit_fee_electricity=Decimal(exit_fee) if fixed else Decimal(0),
        exit_fee_gas=Decimal(exit_fee) if fixed else Decimal(0),
    )
    for method in payment_methods:
        for fuel, (unit, standing) in ((Fuel.ELECTRICITY, electricity), (Fuel.GAS, gas)):
            tariff_ops.create_tariff(
                product=made,
                fuel=fuel,
                region=region,
                structure=Tariff.Structure.SINGLE_RATE,
                payment_method=method,
                standing_charge_exc_vat=Decimal(standing),
                unit_rates_exc_vat={UnitRate.STANDARD: Decimal(unit)},
                valid_from=midnight(PRICES_FROM),
            )
        if economy_7 is not None:
            tariff_ops.create_tariff(
                product=made,
                fuel=Fuel.ELECTRICITY,
                region=region,
                structure=Tariff.Structure.TWO_RATE,
                payment_method=method,
                standing_charge_exc_vat=Decimal(electricity[1]),
                unit_rates_exc_vat={UnitRate.DAY: Decimal(economy_7[0]), UnitRate.NIGHT: Decimal(economy_7[1])},
                valid_from=midnight(PRICES_FROM),
                night_starts_at=time(0, 30),
                night_ends_at=time(7, 30),
            )
    return made


def application(on: Product, **changes: Any) -> Application:
    """Jo's dual-fuel application for ``on`` paid by monthly Direct Debit, every warranty given."""
    usage = changes.pop("usage", quotes.Usage(fuels=(Fuel.ELECTRICITY, Fuel.GAS), meter=MeterKind.CREDIT))
    method = changes.pop("tariff_method", PaymentMethod.DIRECT_DEBIT)
    base = Application(
        name="Jo Bloggs",
        email="jo.bloggs@example.com",
        phone="07700 900123",
        address_line_1="3 Mill Lane",
        address_line_2="",
        town="Leeds",
        postcode=POSTCODE,
        usage=usage,
        option_key=f"{on.code}|{method}",
        payment_method="STANDARD_DIRECT_DEBIT",
        payment_day=12,
        bank_details=JO.details(),
        mpan=MPAN,
        mprn=MPRN,
        early_start=False,
        over_18=True,
        owns_or_occupies=True,
    )
    return dataclasses.replace(base, **changes)


def at(year: int, month: int, day: int, hour: int = 11) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)
