"""Bills made directly with the models, for the invoice, document and Bills Online tests.

These tests are about what a bill prints, not how it is worked out, so a bill here is written row by row with
figures the test chooses; each line's amount is worked out here (quantity x rate, rounded half-up to the penny)
and the total and balances are the sums a person would do on paper.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage

from hearth.common.calendar import LONDON
from hearth.data.accounts.models import Account, SupplyPoint
from hearth.data.billing.models import Bill, BillConsumption, BillLine, LedgerEntry
from hearth.data.documents.models import Document
from hearth.data.metering.models import ReadingSource, Register, RegisterReading

PENNY = Decimal("0.01")
OCTOBER = (date(2026, 10, 1), date(2026, 11, 1))
"""A bill period across the October clock change (25 October 2026)."""


def at_local(day: date, clock: time = time(0, 0)) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


def reading(register: Register, value: str, kind: RegisterReading.Kind, day: date) -> RegisterReading:
    """A reading of ``register`` taken at local midnight at the start of ``day``."""
    source = {
        RegisterReading.Kind.CUSTOMER: ReadingSource.CUSTOMER,
        RegisterReading.Kind.ESTIMATED: ReadingSource.ESTIMATED,
    }.get(kind, ReadingSource.INDUSTRY)
    return RegisterReading.objects.create(
        register=register,
        read_at=at_local(day),
        value=Decimal(value),
        source=source,
        kind=kind,
        received_at=at_local(day, time(9, 0)),
    )


@dataclass(frozen=True)
class Line:
    """A charge line as the test writes it; its amount is quantity x rate rounded half-up once, done here."""

    kind: BillLine.Kind
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    vat_rate: Decimal | None = None
    supply_point: SupplyPoint | None = None
    sources: dict[str, Any] = field(default_factory=dict)

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.rate).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Used:
    """One register's readings on the bill and the energy between them (gas: with the conversion steps)."""

    register: Register
    start: RegisterReading | None
    end: RegisterReading | None
    units: Decimal
    unit: str
    kwh: Decimal
    volume_m3: Decimal | None = None
    correction_factor: Decimal | None = None
    calorific_value: Decimal | None = None


def make_bill(
    account: Account,
    *,
    lines: list[Line],
    used: Sequence[Used] = (),
    period: tuple[date, date] = OCTOBER,
    issue_date: date = date(2026, 11, 2),
    due_date: date = date(2026, 11, 16),
    previous_balance: Decimal = Decimal("0.00"),
    payments_and_credits: Decimal = Decimal("0.00"),
    estimated: bool = False,
    reference: str | None = None,
) -> Bill:
    """An issued bill with its lines, consumption rows and ledger charge; total and balance summed here."""
    total = sum((line.amount for line in lines), Decimal("0.00"))
    issued_at = at_local(issue_date, time(6, 0))
    bill = Bill.objects.create(
        account=account,
        reference=reference or f"INV-{account.number}-{period[0]:%Y%m%d}",
        period_start_date=period[0],
        period_end_date=period[1],
        issued_at=issued_at,
        issue_date=issue_date,
        due_date=due_date,
        is_estimated=estimated,
        total=total,
        previous_balance=previous_balance,
        payments_and_credits=payments_and_credits,
        balance_carried_forward=previous_balance + payments_and_credits + total,
    )
    BillLine.objects.bulk_create(
        BillLine(
            bill=bill,
            position=position,
            supply_point=line.supply_point,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            rate=line.rate,
            amount=line.amount,
            vat_rate=line.vat_rate,
            sources=line.sources,
        )
        for position, line in enumerate(lines, start=1)
    )
    BillConsumption.objects.bulk_create(
        BillConsumption(
            bill=bill,
            supply_point=row.register.meter.supply_point,
            register=row.register,
            meter_serial_number=row.register.meter.serial_number,
            band=row.register.rate,
            start_reading=row.start,
            end_reading=row.end,
            start_value=row.start.value if row.start else None,
            end_value=row.end.value if row.end else None,
            start_kind=row.start.kind if row.start else "",
            end_kind=row.end.kind if row.end else "",
            units=row.units,
            unit=row.unit,
            volume_m3=row.volume_m3,
            correction_factor=row.correction_factor,
            calorific_value=row.calorific_value,
            kwh=row.kwh,
            position=position,
        )
        for position, row in enumerate(used, start=1)
    )
    LedgerEntry.objects.create(
        account=account, kind=LedgerEntry.Kind.CHARGE, amount=total, posted_at=issued_at, description="Bill", bill=bill
    )
    return bill


def cancel(bill: Bill, *, day: date) -> Bill:
    """The bill cancelled on ``day`` with its credit note posted, as care staff leave it."""
    bill.status = Bill.Status.CANCELLED
    bill.cancelled_at = at_local(day, time(10, 0))
    bill.cancel_reason = "Meter reading corrected"
    bill.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    LedgerEntry.objects.create(
        account=bill.account,
        kind=LedgerEntry.Kind.CREDIT_NOTE,
        amount=-bill.total,
        posted_at=bill.cancelled_at,
        description="Credit note",
        bill=bill,
    )
    return bill


def use_documents_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Documents stored under ``folder`` for this test, not in the data folder.

    The file field took its storage from ``STORAGES`` when the model was loaded, so overriding the setting would not
    reach it: the field's storage itself is swapped.
    """
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", FileSystemStorage(location=folder))
