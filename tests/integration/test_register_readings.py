"""Register readings (domain/metering/readings.py): the rules every reading meets, whoever sends it.

Expected use is computed here from Ofgem's Typical Domestic Consumption Values (DOMAIN.md) and DOMAIN.md's gas
conversion, independently of the code under test.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from hearth.common.calendar import LONDON
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.metering import readings as metering_readings

pytestmark = pytest.mark.django_db

ACTUAL = RegisterReading.Kind.ACTUAL
CUSTOMER = ReadingSource.CUSTOMER

# DOMAIN.md: electricity 2,500 kWh a year single-rate; gas 9,500 kWh; kWh = m³ x 1.02264 x 39.5 / 3.6.
ELECTRICITY_PER_DAY = Decimal(2500) / Decimal(365)
GAS_KWH_PER_M3 = Decimal("1.02264") * Decimal("39.5") / Decimal("3.6")
GAS_M3_PER_DAY = Decimal(9500) / Decimal(365) / GAS_KWH_PER_M3


def _limit(per_day: Decimal, days: int) -> Decimal:
    """The "far above" limit: more than 3 times the expected use, plus a week of expected use."""
    return 3 * per_day * days + 7 * per_day


def _register(meter: Meter) -> Register:
    return meter.registers.get()


def _record(register: Register, at: datetime, value: str, **extra) -> RegisterReading:
    extra.setdefault("source", CUSTOMER)
    extra.setdefault("kind", RegisterReading.Kind.CUSTOMER)
    return metering_readings.record_register_reading(
        register=register, read_at=at, value=Decimal(value), received_at=at, **extra
    )


@pytest.fixture
def meter(household) -> Meter:
    return household.electricity_meter


@pytest.fixture
def start(meter) -> datetime:
    return meter.installed_at + timedelta(hours=1)


def test_a_first_reading_is_accepted(meter, start):
    reading = _record(_register(meter), start, "12345")
    assert reading.status == RegisterReading.Status.ACCEPTED
    assert metering_readings.last_reading(register=_register(meter)) == reading


def test_a_reading_lower_than_the_last_is_refused_saying_what_and_when(meter, start):
    register = _register(meter)
    _record(register, start, "12345")
    with pytest.raises(metering_readings.ReadingRejected) as refused:
        _record(register, start + timedelta(days=3), "12300")
    local_day = start.astimezone(LONDON)
    assert f"lower than the last reading 12345 on {local_day.day} {local_day:%B %Y}" in str(refused.value)
    assert RegisterReading.objects.filter(register=register).count() == 1


def test_an_actual_reading_below_an_earlier_estimate_is_accepted_to_true_it_up(meter, start):
    """An over-estimate is not a reading of the meter: the real one that follows corrects it, lower or not."""
    register = _register(meter)
    _record(register, start, "1000")
    metering_readings.record_estimated_reading(
        register=register,
        read_at=start + timedelta(days=30),
        value=Decimal("1371"),
        note="Estimated for a bill",
        received_at=start + timedelta(days=30),
    )
    reading = _record(register, start + timedelta(days=32), "1350")
    assert reading.status == RegisterReading.Status.ACCEPTED
    earlier = _record(register, start + timedelta(days=20), "1200")
    assert earlier.status == RegisterReading.Status.ACCEPTED


def test_a_lower_reading_on_a_replaced_meter_is_held_for_care_staff(meter, start):
    register = _register(meter)
    first = _record(register, start, "12345")
    held = _record(register, start + timedelta(days=3), "00012", meter_replaced=True)
    assert held.status == RegisterReading.Status.FOR_REVIEW
    assert "replaced" in held.note
    # Held readings are not the register's last accepted reading.
    assert metering_readings.last_reading(register=register) == first


def test_register_roll_over_is_accepted_as_the_advance_through_zero(meter, start):
    register = _register(meter)  # a 5-digit dial: 99999 then 00000
    _record(register, start, "99950")
    reading = _record(register, start + timedelta(days=10), "00020")
    assert reading.status == RegisterReading.Status.ACCEPTED
    assert "70 kWh" in reading.note  # 99950 → 100000 → 100020


def test_a_lower_reading_far_from_the_dial_top_is_not_a_roll_over(meter, start):
    register = _register(meter)
    _record(register, start, "50000")
    with pytest.raises(metering_readings.ReadingRejected):
        _record(register, start + timedelta(days=10), "00020")


def test_a_roll_over_far_above_expected_still_needs_confirmation(meter, start):
    register = _register(meter)
    _record(register, start, "95000")
    with pytest.raises(metering_readings.ReadingNeedsConfirmation):
        _record(register, start + timedelta(days=1), "05000")  # 10,000 kWh in a day


def test_an_advance_far_above_expected_needs_confirmation(meter, start):
    register = _register(meter)
    _record(register, start, "10000")
    days = 10
    limit = _limit(ELECTRICITY_PER_DAY, days)
    just_over = (10000 + limit + 1).quantize(Decimal(1))
    with pytest.raises(metering_readings.ReadingNeedsConfirmation) as asked:
        _record(register, start + timedelta(days=days), str(just_over))
    assert asked.value.advance == just_over - 10000
    assert asked.value.expected == (ELECTRICITY_PER_DAY * days).quantize(Decimal(1))
    assert "confirm" in str(asked.value)
    assert RegisterReading.objects.filter(register=register).count() == 1


def test_an_advance_within_the_limit_is_accepted_without_asking(meter, start):
    register = _register(meter)
    _record(register, start, "10000")
    days = 10
    just_under = (10000 + _limit(ELECTRICITY_PER_DAY, days) - 1).quantize(Decimal(1))
    assert _record(register, start + timedelta(days=days), str(just_under)).note == ""


def test_a_confirmed_high_reading_is_stored_with_a_note(meter, start):
    register = _register(meter)
    _record(register, start, "10000")
    reading = _record(register, start + timedelta(days=1), "19000", confirmed_high=True)
    assert reading.status == RegisterReading.Status.ACCEPTED
    assert "Far above expected" in reading.note
    assert "confirmed" in reading.note


def test_the_supply_points_annual_consumption_sets_the_expectation(meter, start):
    supply_point = meter.supply_point
    supply_point.annual_consumption_kwh = Decimal(36500)  # 100 kWh a day
    supply_point.save()
    register = _register(meter)
    _record(register, start, "10000")
    # 10 days: limit = 3 x 1,000 + 700 = 3,700 kWh.
    assert _record(register, start + timedelta(days=10), "13650").status == RegisterReading.Status.ACCEPTED
    with pytest.raises(metering_readings.ReadingNeedsConfirmation):
        _record(register, start + timedelta(days=20), "17400")


def test_a_multi_rate_meter_expects_the_multi_rate_typical_use(household, start):
    supply_point = household.electricity_meter.supply_point
    meter = accounts_ops.install_meter(
        supply_point=supply_point,
        serial_number="E7-0001",
        kind=Meter.Kind.CREDIT,
        installed_at=household.electricity_meter.installed_at,
        registers=[("DY", Register.Rate.DAY), ("NT", Register.Rate.NIGHT)],
    )
    day = meter.registers.get(identifier="DY")
    per_day = Decimal(3400) / Decimal(365)
    _record(day, start, "1000")
    limit = _limit(per_day, 10)
    _record(day, start + timedelta(days=10), str((1000 + limit - 1).quantize(Decimal(1))))


def test_gas_expectation_is_in_cubic_metres(household):
    meter = household.gas_meter
    register = _register(meter)
    start = meter.installed_at + timedelta(hours=1)
    _record(register, start, "1000")
    limit = _limit(GAS_M3_PER_DAY, 10)
    under = (1000 + limit - 1).quantize(Decimal(1))
    assert _record(register, start + timedelta(days=10), str(under)).status == RegisterReading.Status.ACCEPTED
    with pytest.raises(metering_readings.ReadingNeedsConfirmation) as asked:
        _record(register, start + timedelta(days=20), str(under + limit + 2))
    assert "m³" in str(asked.value)


def test_the_same_reading_again_returns_the_stored_one_and_changes_nothing(meter, start):
    register = _register(meter)
    first = _record(register, start, "12345.5")
    again = _record(register, start, "12345.50")
    assert again.pk == first.pk
    assert RegisterReading.objects.filter(register=register).count() == 1


def test_a_different_value_for_the_same_time_and_source_is_refused(meter, start):
    register = _register(meter)
    _record(register, start, "12345")
    with pytest.raises(metering_readings.ReadingRejected) as refused:
        _record(register, start, "12346")
    assert "already recorded as 12345" in str(refused.value)


def test_another_source_may_read_the_same_register_at_the_same_time(meter, start):
    register = _register(meter)
    _record(register, start, "12345")
    industry = _record(register, start, "12345", source=ReadingSource.INDUSTRY, kind=ACTUAL)
    assert industry.status == RegisterReading.Status.ACCEPTED


def test_a_new_meters_readings_are_independent_of_the_old_meters(meter, start):
    old = _register(meter)
    _record(old, start, "50000")
    exchanged_at = start + timedelta(days=30)
    Meter.objects.filter(pk=meter.pk).update(removed_at=exchanged_at)
    _record(old, exchanged_at, "50150", kind=RegisterReading.Kind.FINAL)
    new_meter = accounts_ops.install_meter(
        supply_point=meter.supply_point,
        serial_number="NEW-0001",
        kind=Meter.Kind.SMART,
        installed_at=exchanged_at,
        registers=[("S", Register.Rate.STANDARD)],
    )
    new = _register(new_meter)
    opening = _record(new, exchanged_at, "00003", kind=RegisterReading.Kind.OPENING)
    assert opening.status == RegisterReading.Status.ACCEPTED
    assert [r.value for r in metering_readings.readings_for_meter(meter=new_meter)] == [Decimal(3)]
    assert [r.value for r in metering_readings.readings_for_meter(meter=meter)] == [Decimal(50000), Decimal(50150)]


def test_a_reading_when_the_meter_was_not_fitted_is_refused(meter, start):
    register = _register(meter)
    with pytest.raises(metering_readings.ReadingRejected) as refused:
        _record(register, meter.installed_at - timedelta(days=1), "100")
    assert "was fitted on" in str(refused.value)
    Meter.objects.filter(pk=meter.pk).update(removed_at=start + timedelta(days=1))
    register.refresh_from_db()
    with pytest.raises(metering_readings.ReadingRejected) as refused:
        _record(register, start + timedelta(days=2), "100")
    assert "was removed on" in str(refused.value)


def test_a_reading_dated_in_the_future_is_refused(meter, start):
    with pytest.raises(metering_readings.ReadingRejected) as refused:
        metering_readings.record_register_reading(
            register=_register(meter),
            read_at=start + timedelta(days=1),
            value=Decimal(100),
            source=CUSTOMER,
            kind=RegisterReading.Kind.CUSTOMER,
            received_at=start,
        )
    assert "in the future" in str(refused.value)


def test_a_late_reading_higher_than_a_later_one_is_refused(meter, start):
    register = _register(meter)
    _record(register, start, "1000")
    _record(register, start + timedelta(days=10), "1050")
    with pytest.raises(metering_readings.ReadingRejected) as refused:
        _record(register, start + timedelta(days=5), "1060")
    assert "higher than the later reading 1050" in str(refused.value)
    assert _record(register, start + timedelta(days=5), "1020").status == RegisterReading.Status.ACCEPTED


def test_a_negative_reading_is_refused(meter, start):
    with pytest.raises(metering_readings.ReadingRejected):
        _record(_register(meter), start, "-1")


def test_last_reading_before_a_time(meter, start):
    register = _register(meter)
    first = _record(register, start, "100")
    second = _record(register, start + timedelta(days=1), "110")
    assert metering_readings.last_reading(register=register) == second
    assert metering_readings.last_reading(register=register, before=second.read_at) == first
    assert metering_readings.last_reading(register=register, before=first.read_at) is None
