"""What a supply point used over a bill period (domain/billing/usage.py): register advances and half-hours.

Expected figures are worked out here by hand or from definitions (DOMAIN.md's gas conversion, the profile's cosine in
floats), never read back from the code under test. Periods are local days; a period ends at local midnight.
"""

import math
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import count

import pytest

from hearth.common.calendar import LONDON
from hearth.data.accounts.models import Account, Fuel, SupplyPoint
from hearth.data.billing.models import Bill, BillConsumption
from hearth.data.metering.models import IntervalConsumption, Meter, ReadingSource, Register, RegisterReading
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import usage
from tests.integration.conftest import Builder, _mpan_core

pytestmark = pytest.mark.django_db

Kind = RegisterReading.Kind
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SOURCE_OF_KIND = {
    Kind.ACTUAL: ReadingSource.INDUSTRY,
    Kind.OPENING: ReadingSource.INDUSTRY,
    Kind.FINAL: ReadingSource.INDUSTRY,
    Kind.CUSTOMER: ReadingSource.CUSTOMER,
    Kind.ESTIMATED: ReadingSource.ESTIMATED,
}
_serials = count(500)


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A Europe/London wall-clock time as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def supply_point(build: Builder, *, fuel: Fuel, annual_kwh: str | None = None) -> SupplyPoint:
    serial = next(_serials)
    customer = build.customer(name=f"Customer {serial}", email=f"customer{serial}@example.com")
    account = build.account(customer, fuel=fuel)
    return accounts_ops.add_supply_point(
        account=account,
        identifier=_mpan_core(serial) if fuel == Fuel.ELECTRICITY else f"{7000000000 + serial}",
        supply_property=account.billing_property,
        supply_start_date=date(2025, 1, 1),
        profile_class="01" if fuel == Fuel.ELECTRICITY else "",
        annual_consumption_kwh=Decimal(annual_kwh) if annual_kwh else None,
    )


def meter(
    point: SupplyPoint,
    *,
    installed_at: datetime,
    registers: tuple[tuple[str, Register.Rate], ...] = (("S", Register.Rate.STANDARD),),
    gas_units: Meter.GasUnits | None = None,
) -> Meter:
    if point.fuel == Fuel.GAS and gas_units is None:
        gas_units = Meter.GasUnits.METRIC
    return accounts_ops.install_meter(
        supply_point=point,
        serial_number=f"E{next(_serials):07d}",
        kind=Meter.Kind.CREDIT,
        installed_at=installed_at,
        registers=list(registers),
        gas_units=gas_units,
    )


def read(register: Register, at: datetime, value: str, kind: Kind = Kind.ACTUAL) -> RegisterReading:
    return RegisterReading.objects.create(
        register=register,
        read_at=at,
        value=Decimal(value),
        source=SOURCE_OF_KIND[kind],
        kind=kind,
        received_at=at,
    )


def issue_bill(point: SupplyPoint, start_date: date, end_date: date, advances: list[usage.RegisterAdvance]) -> Bill:
    """A bill as the operations area issues one: enough rows for the next bill to start from its readings."""
    account = Account.objects.get(supplies__supply_point=point)
    bill = Bill.objects.create(
        account=account,
        reference=f"INV-{account.number}-{start_date:%Y%m%d}",
        period_start_date=start_date,
        period_end_date=end_date,
        issued_at=local(end_date, 9),
        issue_date=end_date,
        due_date=end_date + timedelta(days=14),
        total=Decimal("0.00"),
        previous_balance=Decimal("0.00"),
        payments_and_credits=Decimal("0.00"),
        balance_carried_forward=Decimal("0.00"),
    )
    for position, advance in enumerate(advances, start=1):
        BillConsumption.objects.create(
            bill=bill,
            supply_point=point,
            register_id=advance.register_id,
            meter_serial_number=advance.meter_serial_number,
            band=advance.band,
            start_reading_id=advance.start.reading_id,
            end_reading_id=advance.end.reading_id,
            start_value=advance.start.value,
            end_value=advance.end.value,
            start_kind=advance.start.kind,
            end_kind=advance.end.kind,
            units=advance.units,
            unit=advance.unit,
            kwh=advance.kwh,
            position=position,
        )
    return bill


def reference_share(start_date: date, end_date: date, swing: float) -> float:
    """Σ c_d over [start, end) from the profile's definition: (1 + swing cos(2π (d - 15) / N)) / N, N days a year."""
    total = 0.0
    day = start_date
    while day < end_date:
        days_in_year = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days
        total += (1 + swing * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / days_in_year)) / days_in_year
        day += timedelta(days=1)
    return total


def whole(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


ELECTRICITY_SWING = 0.2
GAS_SWING = 0.6
GAS_KWH_PER_M3 = Decimal("1.02264") * Decimal("39.5") / Decimal("3.6")  # DOMAIN.md, default CV 39.5


@pytest.fixture
def electricity(build: Builder) -> SupplyPoint:
    return supply_point(build, fuel=Fuel.ELECTRICITY, annual_kwh="3650")


@pytest.fixture
def single_rate(electricity: SupplyPoint) -> Register:
    return meter(electricity, installed_at=local(date(2025, 12, 1))).registers.get()


# --- Choosing the readings -----------------------------------------------------------------------------------------


def test_the_first_bill_runs_from_the_opening_reading_to_an_actual_reading_near_the_end(electricity, single_rate):
    opening = read(single_rate, local(date(2026, 3, 1), 9), "1000", Kind.OPENING)
    actual = read(single_rate, local(date(2026, 3, 29), 10), "1234")
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert (advance.start.reading_id, advance.end.reading_id) == (opening.pk, actual.pk)
    assert (advance.units, advance.unit, advance.kwh) == (Decimal("234.000"), "kWh", Decimal("234.000"))
    assert advance.band == "STANDARD"
    assert advance.gas is None
    assert not advance.estimated
    assert (advance.start_date, advance.end_date) == (date(2026, 3, 1), date(2026, 4, 1))


def test_an_actual_reading_is_preferred_to_a_nearer_customer_reading(electricity, single_rate):
    read(single_rate, local(date(2026, 3, 1)), "1000", Kind.OPENING)
    actual = read(single_rate, local(date(2026, 3, 27), 10), "1200")
    read(single_rate, local(date(2026, 3, 31), 20), "1230", Kind.CUSTOMER)
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert advance.end.reading_id == actual.pk


def test_of_two_customer_readings_the_nearer_the_end_is_used(electricity, single_rate):
    read(single_rate, local(date(2026, 3, 1)), "1000", Kind.OPENING)
    read(single_rate, local(date(2026, 3, 26), 10), "1200", Kind.CUSTOMER)
    nearer = read(single_rate, local(date(2026, 3, 31), 20), "1230", Kind.CUSTOMER)
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert advance.end.reading_id == nearer.pk


def test_a_reading_more_than_seven_days_before_the_end_does_not_end_the_period(electricity, single_rate):
    read(single_rate, local(date(2026, 3, 1)), "1000", Kind.OPENING)
    # The period ends at 00:00 on 1 April (BST): seven days earlier is 00:00 on 25 March.
    read(single_rate, local(date(2026, 3, 24), 23, 59), "1200")
    inside = read(single_rate, local(date(2026, 3, 25), 0, 1), "1201", Kind.CUSTOMER)
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert advance.end.reading_id == inside.pk
    inside.delete()
    [estimated] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert estimated.end.kind == Kind.ESTIMATED


def test_held_and_rejected_readings_are_not_used(electricity, single_rate):
    read(single_rate, local(date(2026, 3, 1)), "1000", Kind.OPENING)
    accepted = read(single_rate, local(date(2026, 3, 28)), "1100", Kind.CUSTOMER)
    held = read(single_rate, local(date(2026, 3, 30)), "1150")
    held.status = RegisterReading.Status.FOR_REVIEW
    held.save()
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert advance.end.reading_id == accepted.pk


def test_the_next_bill_starts_from_the_reading_the_last_issued_bill_ended_on(electricity, single_rate):
    read(single_rate, local(date(2026, 2, 1)), "1000", Kind.OPENING)
    february_end = read(single_rate, local(date(2026, 2, 27), 8), "1280")
    march_end = read(single_rate, local(date(2026, 3, 30), 8), "1500")
    february = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 2, 1), end_date=date(2026, 3, 1), now=NOW
    )
    issue_bill(electricity, date(2026, 2, 1), date(2026, 3, 1), february)
    [march] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert (march.start.reading_id, march.end.reading_id) == (february_end.pk, march_end.pk)
    assert march.units == Decimal("220.000")
    # The start reading was taken before the period began: the advance still covers the bill's days.
    assert (march.start_date, march.end_date) == (date(2026, 3, 1), date(2026, 4, 1))


def test_a_cancelled_bills_end_reading_is_not_a_start(electricity, single_rate):
    opening = read(single_rate, local(date(2026, 2, 1)), "1000", Kind.OPENING)
    february = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 2, 1), end_date=date(2026, 3, 1), now=NOW
    )
    cancelled = issue_bill(electricity, date(2026, 2, 1), date(2026, 3, 1), february)
    Bill.objects.filter(pk=cancelled.pk).update(status=Bill.Status.CANCELLED, cancelled_at=NOW)
    [rebill] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 2, 1), end_date=date(2026, 3, 1), now=NOW
    )
    assert rebill.start.reading_id == opening.pk
    # The estimate stored for the cancelled bill is the same one: no second estimate at that time.
    assert rebill.end.reading_id == february[0].end.reading_id


# --- Estimates and their true-up -----------------------------------------------------------------------------------


def test_with_no_reading_near_the_end_an_estimate_is_stored_from_the_annual_consumption(electricity, single_rate):
    read(single_rate, local(date(2026, 1, 1)), "1000", Kind.OPENING)
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 1, 1), end_date=date(2026, 2, 1), now=NOW
    )
    expected_units = whole(3650 * reference_share(date(2026, 1, 1), date(2026, 2, 1), ELECTRICITY_SWING))
    estimate = RegisterReading.objects.get(pk=advance.end.reading_id)
    assert estimate.read_at == datetime(2026, 2, 1, 0, 0, tzinfo=UTC)  # local midnight, GMT in winter
    assert estimate.value == 1000 + expected_units
    assert (estimate.source, estimate.kind, estimate.status) == (
        ReadingSource.ESTIMATED,
        Kind.ESTIMATED,
        RegisterReading.Status.ACCEPTED,
    )
    assert estimate.received_at == NOW
    assert estimate.note == (
        f"Estimated: 1000 on 1 January 2026 plus {expected_units} kWh, the annual consumption of 3650 kWh spread over "
        "the 31 days by Hearth's seasonal profile."
    )
    assert advance.units == expected_units
    assert advance.estimated


def test_a_summer_estimate_is_dated_at_local_midnight_in_bst(electricity, single_rate):
    read(single_rate, local(date(2026, 6, 1)), "1000", Kind.OPENING)
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 6, 1), end_date=date(2026, 7, 1), now=NOW
    )
    assert advance.end.read_at == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert advance.units == whole(3650 * reference_share(date(2026, 6, 1), date(2026, 7, 1), ELECTRICITY_SWING))


def test_working_out_the_same_period_again_reuses_the_stored_estimate(electricity, single_rate):
    read(single_rate, local(date(2026, 1, 1)), "1000", Kind.OPENING)
    # An estimate already stored at the period end (by an earlier run) is used as it is, even if the figures moved.
    earlier = read(single_rate, datetime(2026, 2, 1, tzinfo=UTC), "1333", Kind.ESTIMATED)
    first = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 1, 1), end_date=date(2026, 2, 1), now=NOW
    )
    SupplyPoint.objects.filter(pk=electricity.pk).update(annual_consumption_kwh=Decimal("9000"))
    electricity.refresh_from_db()
    again = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 1, 1), end_date=date(2026, 2, 1), now=NOW
    )
    assert first[0].end.reading_id == again[0].end.reading_id == earlier.pk
    assert again[0].units == Decimal("333.000")
    assert RegisterReading.objects.filter(register=single_rate, source=ReadingSource.ESTIMATED).count() == 1


@pytest.mark.parametrize("actual_value", ["1350", "1700"], ids=["over-estimate", "under-estimate"])
def test_an_estimate_is_trued_up_by_the_next_actual_reading(electricity, single_rate, actual_value):
    read(single_rate, local(date(2026, 1, 1)), "1000", Kind.OPENING)
    january = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 1, 1), end_date=date(2026, 2, 1), now=NOW
    )
    estimate_value = 1000 + whole(3650 * reference_share(date(2026, 1, 1), date(2026, 2, 1), ELECTRICITY_SWING))
    assert january[0].end.value == estimate_value
    issue_bill(electricity, date(2026, 1, 1), date(2026, 2, 1), january)

    actual = read(single_rate, local(date(2026, 2, 26), 11), actual_value)
    [february] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 2, 1), end_date=date(2026, 3, 1), now=NOW
    )
    assert (february.start.reading_id, february.end.reading_id) == (january[0].end.reading_id, actual.pk)
    # The true-up is the actual reading less the estimate, negative for an over-estimate (not the dial going round).
    assert february.units == Decimal(actual_value) - estimate_value
    assert january[0].kwh + february.kwh == Decimal(actual_value) - 1000
    assert february.estimated  # it starts from an estimate, so the bill says so


def test_without_a_reading_or_an_annual_consumption_the_usage_is_unavailable(build):
    point = supply_point(build, fuel=Fuel.ELECTRICITY)
    register = meter(point, installed_at=local(date(2025, 12, 1))).registers.get()
    with pytest.raises(usage.UsageUnavailable) as no_start:
        usage.register_advances(supply_point=point, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW)
    serial = register.meter.serial_number
    assert str(no_start.value) == (
        f"There is no reading to start from for meter {serial} register S: no opening reading and no earlier bill."
    )
    read(register, local(date(2026, 3, 1)), "1000", Kind.OPENING)
    with pytest.raises(usage.UsageUnavailable) as no_end:
        usage.register_advances(supply_point=point, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW)
    assert str(no_end.value) == (
        f"There is no reading of meter {serial} register S in the 7 days to 1 April 2026, and no annual consumption "
        f"for MPAN {point.identifier} to estimate one from. Ask for a reading or record the annual consumption."
    )
    assert not RegisterReading.objects.filter(source=ReadingSource.ESTIMATED).exists()


def test_a_supply_point_without_a_meter_in_the_period_is_unavailable(build):
    point = supply_point(build, fuel=Fuel.GAS, annual_kwh="9500")
    meter(point, installed_at=local(date(2026, 5, 3)))
    with pytest.raises(usage.UsageUnavailable) as unavailable:
        usage.register_advances(supply_point=point, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW)
    assert str(unavailable.value) == (
        f"MPRN {point.identifier} had no meter with a register to bill for 1 March 2026 to 31 March 2026."
    )


def test_a_period_that_has_not_ended_is_not_estimated(electricity, single_rate):
    read(single_rate, local(date(2026, 11, 1)), "1000", Kind.OPENING)
    with pytest.raises(usage.UsageUnavailable, match="The period has not ended: it ends at the start of 1 December"):
        usage.register_advances(
            supply_point=electricity, start_date=date(2026, 11, 1), end_date=date(2026, 12, 1), now=NOW
        )


# --- Meters: exchanges, roll-over, Economy 7, gas ------------------------------------------------------------------


def test_a_meter_exchange_gives_one_advance_per_meter(electricity):
    old = meter(electricity, installed_at=local(date(2025, 12, 1)))
    old_register = old.registers.get()
    read(old_register, local(date(2026, 3, 1)), "5100", Kind.OPENING)
    final = read(old_register, local(date(2026, 3, 15), 10), "5400", Kind.FINAL)
    old.removed_at = local(date(2026, 3, 15), 10, 5)
    old.save()
    new = meter(electricity, installed_at=local(date(2026, 3, 15), 10, 30))
    new_register = new.registers.get()
    opening = read(new_register, local(date(2026, 3, 15), 10, 30), "0", Kind.OPENING)
    actual = read(new_register, local(date(2026, 3, 31), 12), "120")

    advances = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert [(a.meter_id, a.end.reading_id, a.units) for a in advances] == [
        (old.pk, final.pk, Decimal("300.000")),
        (new.pk, actual.pk, Decimal("120.000")),
    ]
    assert advances[1].start.reading_id == opening.pk
    # The exchange day counts for both meters.
    assert (advances[0].start_date, advances[0].end_date) == (date(2026, 3, 1), date(2026, 3, 16))
    assert (advances[1].start_date, advances[1].end_date) == (date(2026, 3, 15), date(2026, 4, 1))
    assert not RegisterReading.objects.filter(source=ReadingSource.ESTIMATED).exists()


def test_a_meter_removed_without_a_final_reading_is_unavailable(electricity):
    old = meter(electricity, installed_at=local(date(2025, 12, 1)))
    read(old.registers.get(), local(date(2026, 3, 1)), "5100", Kind.OPENING)
    old.removed_at = local(date(2026, 3, 15), 10)
    old.save()
    with pytest.raises(usage.UsageUnavailable) as unavailable:
        usage.register_advances(
            supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
        )
    assert str(unavailable.value) == (
        f"Meter {old.serial_number} was removed on 15 March 2026 but register S has no final reading. "
        "Record the final reading to bill it."
    )


def test_the_dial_going_round_between_two_actual_readings_is_a_roll_over(electricity, single_rate):
    read(single_rate, local(date(2026, 3, 1)), "99950", Kind.OPENING)
    read(single_rate, local(date(2026, 3, 30)), "30")
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    # A five-digit dial: 99950 -> 99999 -> 00000 -> 00030 is 50 + 30 units.
    assert advance.units == Decimal("80.000")


def test_an_estimate_past_the_top_of_the_dial_goes_round_and_still_counts_forwards(electricity, single_rate):
    read(single_rate, local(date(2026, 1, 1)), "99990", Kind.OPENING)
    [advance] = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 1, 1), end_date=date(2026, 2, 1), now=NOW
    )
    expected_units = whole(3650 * reference_share(date(2026, 1, 1), date(2026, 2, 1), ELECTRICITY_SWING))
    assert advance.end.value == 99990 + expected_units - 100000
    assert advance.units == expected_units


def test_economy_7_day_and_night_registers_advance_separately(electricity):
    e7 = meter(
        electricity,
        installed_at=local(date(2025, 12, 1)),
        registers=(("DY", Register.Rate.DAY), ("NT", Register.Rate.NIGHT)),
    )
    day, night = e7.registers.get(identifier="DY"), e7.registers.get(identifier="NT")
    read(day, local(date(2026, 3, 1)), "1000", Kind.OPENING)
    read(night, local(date(2026, 3, 1)), "500", Kind.OPENING)
    read(day, local(date(2026, 3, 30), 9), "1300")
    read(night, local(date(2026, 3, 30), 9), "600")
    march = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    assert [(a.band, a.units, a.kwh) for a in march] == [
        ("DAY", Decimal("300.000"), Decimal("300.000")),
        ("NIGHT", Decimal("100.000"), Decimal("100.000")),
    ]
    issue_bill(electricity, date(2026, 3, 1), date(2026, 4, 1), march)

    # No reading in April: the annual consumption is split as the registers have advanced so far, 300 to 100.
    april = usage.register_advances(
        supply_point=electricity, start_date=date(2026, 4, 1), end_date=date(2026, 5, 1), now=NOW
    )
    meter_units = 3650 * reference_share(date(2026, 3, 30), date(2026, 5, 1), ELECTRICITY_SWING)
    assert [(a.band, a.end.kind, a.end.value) for a in april] == [
        ("DAY", Kind.ESTIMATED, 1300 + whole(meter_units * 0.75)),
        ("NIGHT", Kind.ESTIMATED, 600 + whole(meter_units * 0.25)),
    ]


def test_an_imperial_gas_meter_is_converted_from_hundreds_of_cubic_feet(build):
    point = supply_point(build, fuel=Fuel.GAS, annual_kwh="12000")
    register = meter(point, installed_at=local(date(2025, 12, 1)), gas_units=Meter.GasUnits.IMPERIAL).registers.get()
    read(register, local(date(2026, 3, 1)), "100", Kind.OPENING)
    read(register, local(date(2026, 3, 31), 9), "150")
    [advance] = usage.register_advances(
        supply_point=point, start_date=date(2026, 3, 1), end_date=date(2026, 4, 1), now=NOW
    )
    # 50 hcf x 2.83 = 141.5 m³; x 1.02264 = 144.70356; x 39.5 = 5715.79062; / 3.6 = 1587.7196166... kWh.
    assert (advance.units, advance.unit) == (Decimal("50.000"), "hcf")
    assert advance.gas is not None
    assert advance.gas.volume_m3 == Decimal("141.5")
    assert advance.gas.calorific_value == Decimal("39.5")
    assert advance.kwh == Decimal("1587.720")


def test_a_gas_estimate_turns_the_annual_quantity_into_the_meters_units(build):
    point = supply_point(build, fuel=Fuel.GAS, annual_kwh="12000")
    metric = meter(point, installed_at=local(date(2025, 12, 1))).registers.get()
    read(metric, local(date(2026, 1, 1)), "2000", Kind.OPENING)
    [advance] = usage.register_advances(
        supply_point=point, start_date=date(2026, 1, 1), end_date=date(2026, 2, 1), now=NOW
    )
    january_kwh = 12000 * reference_share(date(2026, 1, 1), date(2026, 2, 1), GAS_SWING)
    expected_m3 = whole(january_kwh / float(GAS_KWH_PER_M3))
    assert (advance.unit, advance.units) == ("m3", expected_m3)
    assert advance.kwh == (expected_m3 * GAS_KWH_PER_M3).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def test_an_imperial_gas_estimate_is_in_hundreds_of_cubic_feet(build):
    point = supply_point(build, fuel=Fuel.GAS, annual_kwh="12000")
    imperial = meter(point, installed_at=local(date(2025, 12, 1)), gas_units=Meter.GasUnits.IMPERIAL)
    read(imperial.registers.get(), local(date(2026, 1, 1)), "400", Kind.OPENING)
    [advance] = usage.register_advances(
        supply_point=point, start_date=date(2026, 1, 1), end_date=date(2026, 2, 1), now=NOW
    )
    january_kwh = 12000 * reference_share(date(2026, 1, 1), date(2026, 2, 1), GAS_SWING)
    assert (advance.unit, advance.units) == ("hcf", whole(january_kwh / float(GAS_KWH_PER_M3) / 2.83))


# --- Half-hourly usage ---------------------------------------------------------------------------------------------


def _half_hours(smart: Meter, first: datetime, last: datetime, kwh: str = "0.5", minutes: int = 30) -> None:
    """Store an interval every ``minutes`` from ``first`` (included) to ``last`` (excluded), UTC steps."""
    rows = []
    at = first.astimezone(UTC)
    while at < last:
        rows.append(
            IntervalConsumption(
                meter=smart,
                interval_start=at,
                interval_minutes=minutes,
                quantity=Decimal(kwh),
                unit="KWH",
                kwh=Decimal(kwh),
                quality=IntervalConsumption.Quality.ACTUAL,
                source=ReadingSource.SMART,
                received_at=NOW,
            )
        )
        at += timedelta(minutes=minutes)
    IntervalConsumption.objects.bulk_create(rows)


@pytest.fixture
def smart(electricity: SupplyPoint) -> Meter:
    return meter(electricity, installed_at=local(date(2025, 12, 1)))


@pytest.mark.parametrize(
    ("day", "half_hours"),
    [(date(2026, 3, 29), 46), (date(2026, 10, 25), 50), (date(2026, 6, 10), 48)],
    ids=["last Sunday of March", "last Sunday of October", "an ordinary day"],
)
def test_a_day_has_48_half_hours_except_on_the_clock_change_days(electricity, smart, day, half_hours):
    _half_hours(smart, local(day - timedelta(days=1)), local(day + timedelta(days=2)))
    usage_of_day = usage.interval_usage(supply_point=electricity, start_date=day, end_date=day + timedelta(days=1))
    assert len(usage_of_day) == half_hours
    assert sum(kwh for _, kwh in usage_of_day) == Decimal("0.5") * half_hours
    assert usage_of_day[0][0] == local(day)
    assert usage_of_day[-1][0] == local(day + timedelta(days=1)) - timedelta(minutes=30)


def test_a_month_across_the_october_change_has_two_more_half_hours_than_48_a_day(electricity, smart):
    _half_hours(smart, local(date(2026, 10, 1)), local(date(2026, 11, 1)))
    october = usage.interval_usage(supply_point=electricity, start_date=date(2026, 10, 1), end_date=date(2026, 11, 1))
    assert len(october) == 31 * 48 + 2


def test_missing_half_hours_are_counted_in_the_message(electricity, smart):
    day = date(2026, 10, 25)
    _half_hours(smart, local(day), local(day + timedelta(days=1)))
    # 01:00 and 01:30 GMT, the second time the clocks show them that night, and 02:00.
    IntervalConsumption.objects.filter(
        meter=smart,
        interval_start__in=[datetime(2026, 10, 25, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 2, 0, tzinfo=UTC)],
    ).delete()
    IntervalConsumption.objects.filter(meter=smart, interval_start=datetime(2026, 10, 25, 1, 30, tzinfo=UTC)).update(
        quality=IntervalConsumption.Quality.MISSING
    )
    with pytest.raises(usage.UsageUnavailable) as unavailable:
        usage.interval_usage(supply_point=electricity, start_date=day, end_date=day + timedelta(days=1))
    assert str(unavailable.value) == (
        f"3 of the 50 half-hours of MPAN {electricity.identifier} for 25 October 2026 to 25 October 2026 have no "
        "reading; the first missing one starts 25 October 2026 at 01:00."
    )


def test_finer_intervals_are_added_up_into_half_hours(electricity, smart):
    day = date(2026, 6, 10)
    _half_hours(smart, local(day), local(day + timedelta(days=1)), kwh="0.25", minutes=15)
    june = usage.interval_usage(supply_point=electricity, start_date=day, end_date=day + timedelta(days=1))
    assert len(june) == 48
    assert {kwh for _, kwh in june} == {Decimal("0.50")}


def test_the_half_hours_of_an_exchanged_meter_and_its_replacement_make_one_series(electricity):
    day = date(2026, 6, 10)
    old = meter(electricity, installed_at=local(date(2025, 12, 1)))
    new = meter(electricity, installed_at=local(day, 12))
    _half_hours(old, local(day), local(day, 12))
    _half_hours(new, local(day, 12), local(day + timedelta(days=1)), kwh="0.75")
    june = usage.interval_usage(supply_point=electricity, start_date=day, end_date=day + timedelta(days=1))
    assert [kwh for _, kwh in june] == [Decimal("0.5")] * 24 + [Decimal("0.75")] * 24


def test_half_hours_keep_the_fourth_decimal_place_of_a_kwh(electricity, smart):
    """Read as whole ten-thousandths of a kWh: 0.1235 kWh stays 0.1235, and a day of them adds up exactly."""
    day = date(2026, 6, 10)
    _half_hours(smart, local(day), local(day + timedelta(days=1)), kwh="0.1235")
    june = usage.interval_usage(supply_point=electricity, start_date=day, end_date=day + timedelta(days=1))
    assert {kwh for _, kwh in june} == {Decimal("0.1235")}
    assert sum(kwh for _, kwh in june) == Decimal("5.9280")  # 48 x 0.1235


def test_an_hourly_interval_that_does_not_halve_in_ten_thousandths_is_halved_exactly(electricity, smart):
    """0.0003 kWh over an hour is 0.00015 kWh in each of its half-hours, finer than the stored four places."""
    day = date(2026, 6, 10)
    _half_hours(smart, local(day), local(day + timedelta(days=1)), kwh="0.0003", minutes=60)
    june = usage.interval_usage(supply_point=electricity, start_date=day, end_date=day + timedelta(days=1))
    assert len(june) == 48
    assert {kwh for _, kwh in june} == {Decimal("0.00015")}
    assert sum(kwh for _, kwh in june) == Decimal("0.0072")  # 24 hours x 0.0003
