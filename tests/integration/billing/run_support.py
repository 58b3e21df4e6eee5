"""What the bill-run tests share: billable accounts, and the bill periods a run owes them worked out by hand.

Accounts are made through the domain operations (customer, account, supply point, meter, tariff agreement) with an
opening reading at the start of supply; without later readings their bills use estimates from the annual
consumption. ``expected_periods`` walks the calendar a day at a time: a reference independent of the code under
test's month arithmetic.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from django.utils import timezone

from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Supply
from hearth.data.billing.models import BillingArrangement
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.tariffs import operations as tariff_ops

LONDON = ZoneInfo("Europe/London")
_MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
_serials = count(1)


def day_starts_at(day: date) -> datetime:
    """Local midnight at the start of ``day``, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def months_before(day: date, months: int) -> date:
    """The first of the month ``months`` calendar months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def this_month() -> date:
    """The first of the current month (London): runs as of it bill only periods that have ended."""
    return timezone.localdate().replace(day=1)


def _mpan_core(serial: int) -> str:
    first_twelve = f"24{serial:010d}"
    check = sum(int(d) * w for d, w in zip(first_twelve, _MPAN_WEIGHTS, strict=True)) % 11 % 10
    return f"{first_twelve}{check}"


def single_rate_tariff(*, valid_from_date: date) -> Tariff:
    """An electricity single-rate tariff from ``valid_from_date``: 50p a day and 25p a kWh excluding VAT."""
    product = tariff_ops.create_product(
        code=f"RUN-VAR-{next(_serials)}",
        full_name="Hearth Run Test Variable",
        display_name="Hearth Flexible",
        description="Prices follow the market.",
        kind=Product.Kind.VARIABLE,
        available_from=day_starts_at(valid_from_date),
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="C",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal("50.0000"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("25.0000")},
        valid_from=day_starts_at(valid_from_date),
    )


def billable_account(
    tariff: Tariff,
    *,
    number: str,
    supply_start_date: date,
    supply_end_date: date | None = None,
    frequency: BillingArrangement.Frequency | None = None,
    readings: Sequence[tuple[date, Decimal]] = (),
    annual_kwh: Decimal | None = Decimal("3100"),
) -> Account:
    """An electricity account on ``tariff`` from ``supply_start_date``, opening reading 1000 then ``readings``.

    Each reading is an actual one taken at local midnight at the start of its day (a period's end).
    """
    serial = next(_serials)
    now = day_starts_at(supply_start_date)
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name=f"Run Customer {number}", contact_email=f"run{number}@example.com", now=now
    )
    home = accounts_ops.create_property(
        address_line_1=f"{serial} Furnace Row", town="Sheffield", postcode="S1 2HE", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=now, number=number
    )
    supply_point = accounts_ops.add_supply_point(
        account=account,
        identifier=_mpan_core(serial),
        supply_property=home,
        supply_start_date=supply_start_date,
        profile_class="01",
        annual_consumption_kwh=annual_kwh,
    )
    if supply_end_date is not None:
        Supply.objects.filter(account=account).update(valid_to=supply_end_date)
    meter = accounts_ops.install_meter(
        supply_point=supply_point,
        serial_number=f"R{serial:07d}",
        kind=Meter.Kind.CREDIT,
        installed_at=now - timedelta(days=30),
        registers=[("S", Register.Rate.STANDARD)],
    )
    register = meter.registers.get()
    _reading(register, supply_start_date, Decimal(1000), RegisterReading.Kind.OPENING)
    for day, value in readings:
        _reading(register, day, value, RegisterReading.Kind.ACTUAL)
    tariff_ops.place_on_tariff(
        supply_point=supply_point,
        tariff=tariff,
        valid_from=now,
        valid_to=None if supply_end_date is None else day_starts_at(supply_end_date),
    )
    if frequency is not None:
        BillingArrangement.objects.create(account=account, frequency=frequency)
    return account


def _reading(register: Register, day: date, value: Decimal, kind: RegisterReading.Kind) -> RegisterReading:
    at = day_starts_at(day)
    return RegisterReading.objects.create(
        register=register,
        read_at=at,
        value=value,
        source=ReadingSource.INDUSTRY,
        kind=kind,
        status=RegisterReading.Status.ACCEPTED,
        received_at=at + timedelta(hours=9),
    )


def expected_periods(
    *, supply_start_date: date, as_of_date: date, quarterly: bool = False, supply_end_date: date | None = None
) -> list[tuple[date, date]]:
    """Every bill period a clean run owes, found by walking day by day and cutting at each month's (quarter's) 1st."""
    quarter_months = {1, 4, 7, 10} if quarterly else set(range(1, 13))
    periods: list[tuple[date, date]] = []
    start = day = supply_start_date
    while day <= as_of_date:
        day += timedelta(days=1)
        boundary = day.day == 1 and day.month in quarter_months
        if (boundary or day == supply_end_date) and day <= as_of_date:
            periods.append((start, day))
            start = day
        if day == supply_end_date:
            break
    return periods
