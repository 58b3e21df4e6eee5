"""What the prepayment tests share: a smart-metered electricity account on a single-rate tariff (50p a day, 25p a
kWh, excluding VAT) put on prepayment from a chosen day, its half-hourly data, and the time of a day in UK time."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Nation
from hearth.data.metering.models import IntervalConsumption, Meter, ReadingSource, Register
from hearth.data.prepayment.models import MeterDebt, Prepayment
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.billing.run_support import single_rate_tariff

_serials = count(1)
_MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` UK time on ``day``, as an aware UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=calendar.LONDON).astimezone(UTC)


def _mpan(serial: int) -> str:
    first_twelve = f"19{serial:010d}"
    return first_twelve + str(sum(int(d) * w for d, w in zip(first_twelve, _MPAN_WEIGHTS, strict=True)) % 11 % 10)


def smart_account(*, number: str, start: date) -> Account:
    """An electricity account supplied from ``start`` through a smart meter, on the single-rate tariff."""
    serial = 7000 + next(_serials)
    now = calendar.day_starts_at(start)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name=f"Pat Payg {number}", contact_email=f"payg{number}@example.com", now=now
    )
    home = accounts_ops.create_property(
        address_line_1=f"Flat {serial}, Kiln Court", town="Stoke-on-Trent", postcode="ST1 5AA", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number=number
    )
    point = accounts_ops.add_supply_point(
        account=account, identifier=_mpan(serial), supply_property=home, supply_start_date=start, profile_class="01"
    )
    accounts_ops.install_meter(
        supply_point=point,
        serial_number=f"PPT{serial:05d}",
        kind=Meter.Kind.SMART,
        installed_at=now - timedelta(days=30),
        registers=[("S", Register.Rate.STANDARD)],
    )
    tariff_ops.place_on_tariff(supply_point=point, tariff=single_rate_tariff(valid_from_date=start), valid_from=now)
    return account


def on_prepayment(
    *,
    number: str = "7100000001",
    start: date = date(2026, 10, 24),
    percent: str = "0",
    weekly_cap: str | None = None,
    debt: str | None = None,
) -> Prepayment:
    """A smart account on prepayment (chosen) from ``start``, recovering ``percent`` of top-ups towards ``debt``."""
    account = smart_account(number=number, start=start)
    prepayment = prepayment_ops.start_prepayment(
        account=account,
        day=start,
        reason=Prepayment.Reason.CHOSEN,
        now=calendar.day_starts_at(start),
        recovery_percent=Decimal(percent),
        recovery_weekly_cap=None if weekly_cap is None else Decimal(weekly_cap),
    )
    if debt is not None:
        prepayment_ops.add_meter_debt(
            prepayment=prepayment,
            kind=MeterDebt.Kind.ARREARS,
            amount=Decimal(debt),
            description="Arrears moved from the account",
            reason="test",
            now=calendar.day_starts_at(start),
        )
    return prepayment


def meter_of(prepayment: Prepayment) -> Meter:
    return prepayment.supply_point.meters.get()


def half_hours(meter: Meter, day: date, kwh: str, *, count_: int | None = None, skip: int = 0) -> None:
    """Store the day's half-hourly data, ``kwh`` each: the day's half-hours from number ``skip`` (0: midnight) to
    the end of the day, or to number ``count_``."""
    starts = calendar.day_starts_at(day)
    whole = int((calendar.day_starts_at(day + timedelta(days=1)) - starts).total_seconds() // 1800)
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=meter,
            interval_start=starts + timedelta(minutes=30 * n),
            interval_minutes=30,
            quantity=Decimal(kwh),
            unit="KWH",
            kwh=Decimal(kwh),
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.SMART,
            received_at=starts + timedelta(days=1, hours=2),
        )
        for n in range(skip, whole if count_ is None else count_)
    )
