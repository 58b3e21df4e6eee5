"""Issuing bills end to end: readings and prices in, stored lines, consumption, ledger and balance box out.

Every expected figure is worked by hand in the test from the readings and prices it sets up (the arithmetic is in
the comments), never taken from the code under test. Amounts round half-up to the penny once per line; VAT is one
line per rate on the sum of the lines at that rate.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Supply, SupplyPoint
from hearth.data.billing.models import AdditionalCharge, BaseRate, Bill, BillLine, LedgerEntry
from hearth.data.identity.models import User
from hearth.data.metering.models import IntervalConsumption, Meter, ReadingSource, Register, RegisterReading
from hearth.data.tariffs.models import HalfHourlyPrice, PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries
from hearth.domain.tariffs import operations as tariff_ops

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
JULY, AUGUST, SEPTEMBER = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)
ISSUED_AUGUST = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
ISSUED_SEPTEMBER = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)
PRICES_FROM = date(2025, 1, 1)
_serials = count(1)
_MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)


def pennies(amount: Decimal) -> Decimal:
    """The reference rounding: half-up to the penny."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def midnight(day: date) -> datetime:
    """Local (Europe/London) midnight at the start of ``day``."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _mpan(serial: int) -> str:
    first_twelve = f"23{serial:010d}"
    check = sum(int(d) * w for d, w in zip(first_twelve, _MPAN_WEIGHTS, strict=True)) % 11 % 10
    return f"{first_twelve}{check}"


@dataclass
class Home:
    account: Account
    supply_point: SupplyPoint
    meter: Meter
    registers: dict[str, Register]


def home(
    *,
    fuel: Fuel = Fuel.ELECTRICITY,
    registers: Sequence[tuple[str, Register.Rate]] = (("S", Register.Rate.STANDARD),),
    supplied_from: date = PRICES_FROM,
    kind: Customer.Kind = Customer.Kind.PERSON,
    gas_units: Meter.GasUnits | None = None,
    annual_kwh: Decimal | None = None,
) -> Home:
    """A customer with one account, supply point and meter fitted at the start of the supply."""
    serial = next(_serials)
    customer = accounts_ops.create_customer(
        kind=kind, name=f"Customer {serial}", contact_email=f"c{serial}@example.com", now=midnight(supplied_from)
    )
    place = accounts_ops.create_property(
        address_line_1=f"{serial} Mill Street", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(
        customer=customer, fuel=fuel, billing_property=place, now=midnight(supplied_from)
    )
    supply_point = accounts_ops.add_supply_point(
        account=account,
        identifier=f"{9100000000 + serial}" if fuel == Fuel.GAS else _mpan(serial),
        supply_property=place,
        supply_start_date=supplied_from,
        profile_class="" if fuel == Fuel.GAS else "01",
        annual_consumption_kwh=annual_kwh,
    )
    meter = accounts_ops.install_meter(
        supply_point=supply_point,
        serial_number=f"M{serial:07d}",
        kind=Meter.Kind.CREDIT,
        installed_at=midnight(supplied_from),
        registers=list(registers),
        gas_units=gas_units or (Meter.GasUnits.METRIC if fuel == Fuel.GAS else None),
    )
    by_rate = {register.rate: register for register in meter.registers.all()}
    return Home(account, supply_point, meter, by_rate)


def tariff(
    *,
    fuel: Fuel = Fuel.ELECTRICITY,
    structure: Tariff.Structure = Tariff.Structure.SINGLE_RATE,
    standing: str,
    units: dict[str, str],
    night: tuple[time, time] | None = None,
) -> Tariff:
    serial = next(_serials)
    product = tariff_ops.create_product(
        code=f"HEARTH-VAR-{serial}",
        full_name="Hearth Flexible",
        display_name="Hearth Flexible",
        description="Prices follow the market.",
        kind=Product.Kind.VARIABLE,
        available_from=midnight(PRICES_FROM),
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=fuel,
        region="A",
        structure=structure,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal(standing),
        unit_rates_exc_vat={band: Decimal(value) for band, value in units.items()},
        valid_from=midnight(PRICES_FROM),
        night_starts_at=night[0] if night else None,
        night_ends_at=night[1] if night else None,
    )


def single_rate_tariff() -> Tariff:
    """24.8667p/kWh and 54.4667p/day excluding VAT (26.11p and 57.19p with 5% VAT: the demo's cap prices)."""
    return tariff(standing="54.4667", units={UnitRate.STANDARD: "24.8667"})


def on_tariff(place: Home, chosen: Tariff) -> None:
    tariff_ops.place_on_tariff(supply_point=place.supply_point, tariff=chosen, valid_from=midnight(PRICES_FROM))


def read(register: Register, day: date, value: str, kind: RegisterReading.Kind = RegisterReading.Kind.ACTUAL) -> None:
    """A reading taken at local midnight at the start of ``day`` (the instant a bill period ends)."""
    RegisterReading.objects.create(
        register=register,
        read_at=midnight(day),
        value=Decimal(value),
        source=ReadingSource.INDUSTRY,
        kind=kind,
        received_at=midnight(day) + timedelta(hours=6),
    )


def single_rate_home(opening: str = "10000", july_end: str = "10250") -> Home:
    place = home()
    on_tariff(place, single_rate_tariff())
    read(place.registers[Register.Rate.STANDARD], JULY, opening, RegisterReading.Kind.OPENING)
    read(place.registers[Register.Rate.STANDARD], AUGUST, july_end)
    return place


def issue(place: Home, start: date = JULY, end: date = AUGUST, now: datetime = ISSUED_AUGUST, **extra: Any) -> Bill:
    return billing_ops.issue_bill(account=place.account, period_start_date=start, period_end_date=end, now=now, **extra)


def amounts(bill: Bill, kind: str | None = None) -> list[Decimal]:
    return [line.amount for line in billing_queries.lines_of(bill) if kind is None or line.kind == kind]


def staff() -> User:
    return User.objects.create_user(f"casey{next(_serials)}@hearth.example", kind=User.Kind.STAFF)


def assert_balance_box_reconciles(bill: Bill) -> None:
    """T&C 9.4.2: previous balance + payments and credits + this bill = carried forward = the ledger after it."""
    bill.refresh_from_db()
    assert bill.previous_balance + bill.payments_and_credits + bill.total == bill.balance_carried_forward
    assert bill.balance_carried_forward == billing_queries.balance_of(bill.account)
    assert sum(amounts(bill), Decimal("0.00")) == bill.total


def test_a_household_single_rate_bill_charges_energy_standing_charge_and_5_percent_vat():
    place = single_rate_home()
    bill = issue(place)

    # 250 kWh x 24.8667p = 6216.675p -> £62.17; 31 days x 54.4667p = 1688.4677p -> £16.88;
    # VAT 5% of £79.05 = £3.9525 -> £3.95; total £83.00.
    energy, standing, vat = Decimal("62.17"), Decimal("16.88"), Decimal("3.95")
    assert pennies(Decimal(250) * Decimal("0.248667")) == energy
    assert pennies(Decimal(31) * Decimal("0.544667")) == standing
    assert pennies((energy + standing) * Decimal("0.05")) == vat
    assert amounts(bill, BillLine.Kind.ENERGY) == [energy]
    assert amounts(bill, BillLine.Kind.STANDING) == [standing]
    assert amounts(bill, BillLine.Kind.VAT) == [vat]
    assert bill.total == Decimal("83.00")
    assert bill.reference == f"INV-{place.account.number}-20260701"
    assert (bill.issue_date, bill.due_date) == (date(2026, 8, 3), date(2026, 8, 17))  # 14 days to pay
    assert not bill.is_estimated
    assert not bill.is_final
    assert (bill.previous_balance, bill.payments_and_credits, bill.balance_carried_forward) == (0, 0, bill.total)
    assert_balance_box_reconciles(bill)


def test_every_line_says_where_its_figures_came_from():
    place = single_rate_home()
    bill = issue(place)
    [row] = billing_queries.consumption_of(bill)
    assert (row.start_value, row.end_value, row.units, row.kwh) == (10000, 10250, 250, 250)
    assert (row.start_kind, row.end_kind) == ("OPENING", "ACTUAL")
    energy = BillLine.objects.get(bill=bill, kind=BillLine.Kind.ENERGY)
    standing = BillLine.objects.get(bill=bill, kind=BillLine.Kind.STANDING)
    unit_rate = UnitRate.objects.get(tariff__agreements__supply_point=place.supply_point)
    assert energy.sources["consumption"] == [row.position]
    assert energy.sources["unit_rate"] == unit_rate.pk
    assert energy.sources["readings"] == [row.start_reading_id, row.end_reading_id]
    assert standing.sources["days"] == 31
    assert energy.supply_point_id == standing.supply_point_id == place.supply_point.pk
    assert [line.position for line in billing_queries.lines_of(bill)] == [1, 2, 3]


def test_the_bill_posts_one_charge_to_the_ledger():
    place = single_rate_home()
    bill = issue(place)
    [entry] = LedgerEntry.objects.filter(account=place.account)
    assert (entry.kind, entry.amount, entry.bill_id) == (LedgerEntry.Kind.CHARGE, bill.total, bill.pk)


def test_an_economy_7_bill_charges_day_and_night_registers_at_their_own_rates():
    place = home(registers=(("DY", Register.Rate.DAY), ("NT", Register.Rate.NIGHT)))
    on_tariff(
        place,
        tariff(
            structure=Tariff.Structure.TWO_RATE,
            standing="50.0000",
            units={UnitRate.DAY: "30.0000", UnitRate.NIGHT: "15.0000"},
            night=(time(0, 30), time(7, 30)),
        ),
    )
    day, night = place.registers[Register.Rate.DAY], place.registers[Register.Rate.NIGHT]
    read(day, JULY, "5000", RegisterReading.Kind.OPENING)
    read(night, JULY, "2000", RegisterReading.Kind.OPENING)
    read(day, AUGUST, "5300")
    read(night, AUGUST, "2200")
    bill = issue(place)
    # day 300 kWh x 30p = £90.00; night 200 kWh x 15p = £30.00; standing 31 x 50p = £15.50;
    # VAT 5% of £135.50 = £6.775 -> £6.78; total £142.28.
    assert sorted(amounts(bill, BillLine.Kind.ENERGY)) == [Decimal("30.00"), Decimal("90.00")]
    assert amounts(bill, BillLine.Kind.STANDING) == [Decimal("15.50")]
    assert amounts(bill, BillLine.Kind.VAT) == [Decimal("6.78")]
    assert bill.total == Decimal("142.28")
    assert sorted(row.band for row in billing_queries.consumption_of(bill)) == ["DAY", "NIGHT"]
    assert_balance_box_reconciles(bill)


def interval_starts(start: date, end: date, step: timedelta = timedelta(minutes=30)) -> list[datetime]:
    """The UTC starts of the intervals of ``step`` covering the local days ``[start, end)``."""
    at, stop, starts = midnight(start).astimezone(UTC), midnight(end).astimezone(UTC), []
    while at < stop:
        starts.append(at)
        at += step
    return starts


def store_intervals(
    meter: Meter,
    starts: Sequence[datetime],
    kwh: Callable[[datetime], str],
    *,
    received_at: datetime,
    minutes: int = 30,
    quality: IntervalConsumption.Quality = IntervalConsumption.Quality.ACTUAL,
) -> None:
    """Store an interval of ``minutes`` of ``kwh(start)`` kWh at each of ``starts``."""
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=meter,
            interval_start=at,
            interval_minutes=minutes,
            quantity=Decimal(kwh(at)),
            unit="KWH",
            kwh=Decimal(kwh(at)),
            quality=quality,
            source=ReadingSource.SMART,
            received_at=received_at,
        )
        for at in starts
    )


def _half_hours(
    meter: Meter,
    start: date,
    end: date,
    kwh: str,
    quality: IntervalConsumption.Quality = IntervalConsumption.Quality.ACTUAL,
) -> int:
    """Store ``kwh`` for every half-hour of the local days ``[start, end)``; return how many there were."""
    starts = interval_starts(start, end)
    store_intervals(meter, starts, lambda at: kwh, received_at=midnight(end), quality=quality)
    return len(starts)


def _single_register_on_economy_7() -> Home:
    place = home()
    on_tariff(
        place,
        tariff(
            structure=Tariff.Structure.TWO_RATE,
            standing="50.0000",
            units={UnitRate.DAY: "30.0000", UnitRate.NIGHT: "15.0000"},
            night=(time(0, 30), time(7, 30)),
        ),
    )
    return place


def test_a_single_register_meter_on_economy_7_is_billed_from_half_hours_across_the_october_clock_change():
    place = _single_register_on_economy_7()
    saturday, monday = date(2026, 10, 24), date(2026, 10, 26)  # the clocks go back on Sunday 25 October
    assert _half_hours(place.meter, saturday, monday, "0.5") == 48 + 50
    bill = issue(place, saturday, monday, now=datetime(2026, 10, 27, 9, tzinfo=UTC))
    # Night 00:30-07:30 local: 14 half-hours on Saturday, 16 on Sunday (01:00-02:00 happens twice) = 30 x 0.5 kWh
    # = 15 kWh x 15p = £2.25; day 34 + 34 = 68 x 0.5 = 34 kWh x 30p = £10.20; standing 2 x 50p = £1.00;
    # VAT 5% of £13.45 = £0.6725 -> £0.67; total £14.12.
    assert sorted(amounts(bill, BillLine.Kind.ENERGY)) == [Decimal("2.25"), Decimal("10.20")]
    assert {row.band: row.kwh for row in billing_queries.consumption_of(bill)} == {"NIGHT": 15, "DAY": 34}
    assert bill.total == Decimal("14.12")
    assert_balance_box_reconciles(bill)


def test_a_single_register_meter_on_economy_7_without_half_hours_is_refused_saying_why():
    place = _single_register_on_economy_7()
    read(place.registers[Register.Rate.STANDARD], JULY, "100", RegisterReading.Kind.OPENING)
    read(place.registers[Register.Rate.STANDARD], AUGUST, "400")
    with pytest.raises(billing_ops.BillingError, match=r"Economy 7.*half-hourly"):
        issue(place)
    assert not Bill.objects.exists()


def test_a_gas_bill_converts_the_volume_to_kwh_and_keeps_the_steps(settings):
    settings.HEARTH_DEFAULT_CALORIFIC_VALUE = "40.0"
    place = home(fuel=Fuel.GAS, registers=(("G", Register.Rate.STANDARD),))
    on_tariff(place, tariff(fuel=Fuel.GAS, standing="28.0000", units={UnitRate.STANDARD: "7.0000"}))
    read(place.registers[Register.Rate.STANDARD], JULY, "1000", RegisterReading.Kind.OPENING)
    read(place.registers[Register.Rate.STANDARD], AUGUST, "1100")
    bill = issue(place)
    # 100 m3 x 1.02264 x 40 MJ/m3 / 3.6 = 1136.2666... -> 1136.267 kWh; x 7p = 7953.869p -> £79.54;
    # standing 31 x 28p = £8.68; VAT 5% of £88.22 = £4.411 -> £4.41; total £92.63.
    kwh = (Decimal(100) * Decimal("1.02264") * Decimal(40) / Decimal("3.6")).quantize(Decimal("0.001"), ROUND_HALF_UP)
    assert kwh == Decimal("1136.267")
    [row] = billing_queries.consumption_of(bill)
    assert (row.units, row.unit, row.volume_m3, row.correction_factor, row.calorific_value, row.kwh) == (
        100,
        "m3",
        100,
        Decimal("1.02264"),
        40,
        kwh,
    )
    assert amounts(bill, BillLine.Kind.ENERGY) == [Decimal("79.54")]
    assert bill.total == Decimal("92.63")
    assert_balance_box_reconciles(bill)


def test_a_price_change_mid_period_splits_the_energy_pro_rata_by_days():
    place = single_rate_home()
    chosen = Tariff.objects.get(agreements__supply_point=place.supply_point)
    tariff_ops.schedule_price_change(
        tariff=chosen,
        band=UnitRate.STANDARD,
        value_exc_vat=Decimal("20.0000"),
        valid_from=midnight(date(2026, 7, 16)),
        now=datetime(2026, 6, 1, tzinfo=UTC),
    )
    bill = issue(place)
    # 250 kWh over 31 days: 15 days at the old price = 250 x 15/31 = 120.9677... -> 120.968 kWh, the other 16 days
    # take the rest, 129.032 kWh. 120.968 x 24.8667p = 3008.0812p -> £30.08; 129.032 x 20p = £25.8064 -> £25.81;
    # standing 31 x 54.4667p = £16.88; VAT 5% of £72.77 = £3.6385 -> £3.64; total £76.41.
    energy = [line for line in billing_queries.lines_of(bill) if line.kind == BillLine.Kind.ENERGY]
    assert [line.quantity for line in energy] == [Decimal("120.968"), Decimal("129.032")]
    assert [line.amount for line in energy] == [Decimal("30.08"), Decimal("25.81")]
    old, new = UnitRate.objects.filter(tariff=chosen).order_by("valid_from")
    assert [line.sources["unit_rate"] for line in energy] == [old.pk, new.pk]
    assert [line.sources["days"] for line in energy] == [15, 16]
    assert bill.total == Decimal("76.41")
    assert_balance_box_reconciles(bill)


def test_a_missing_price_for_part_of_the_period_is_refused_with_the_days():
    place = home()
    late = single_rate_tariff()
    tariff_ops.place_on_tariff(supply_point=place.supply_point, tariff=late, valid_from=midnight(date(2026, 7, 10)))
    read(place.registers[Register.Rate.STANDARD], JULY, "0", RegisterReading.Kind.OPENING)
    read(place.registers[Register.Rate.STANDARD], AUGUST, "100")
    with pytest.raises(billing_ops.BillingError, match="no tariff agreement from 1 Jul 2026 until 10 Jul 2026"):
        issue(place)


def test_an_account_with_no_supply_in_the_period_is_refused():
    place = home(supplied_from=date(2026, 9, 1))
    with pytest.raises(billing_ops.BillingError, match="was not supplied"):
        issue(place)


def test_a_period_not_yet_over_is_refused():
    place = single_rate_home()
    with pytest.raises(billing_ops.BillingError, match="cannot be billed before then"):
        issue(place, now=datetime(2026, 7, 31, 22, 0, tzinfo=UTC))  # 23:00 on 31 July in London


def test_a_second_bill_for_the_same_period_is_refused_and_changes_nothing():
    place = single_rate_home()
    first = issue(place)
    with pytest.raises(billing_ops.BillAlreadyIssued, match=first.reference):
        issue(place)
    assert Bill.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


def test_a_period_overlapping_a_live_bill_is_refused():
    place = single_rate_home()
    july = issue(place)
    with pytest.raises(billing_ops.BillingError, match=f"{july.reference} already charges 1 Jul 2026 until 1 Aug 2026"):
        issue(place, date(2026, 7, 15), date(2026, 8, 1))


def test_the_database_constraint_still_refuses_a_second_bill_when_the_check_is_raced(monkeypatch):
    """Two processes can both pass the check before either writes; the constraint then decides."""
    place = single_rate_home()
    issue(place)
    monkeypatch.setattr(billing_ops, "_check_period_free", lambda *args: None)
    with pytest.raises(billing_ops.BillAlreadyIssued):
        issue(place)
    assert Bill.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


def test_an_additional_charge_is_billed_once_with_20_percent_vat():
    place = single_rate_home()
    read(place.registers[Register.Rate.STANDARD], SEPTEMBER, "10500")
    agent = staff()
    missed = billing_ops.raise_additional_charge(
        account=place.account,
        kind=AdditionalCharge.Kind.MISSED_APPOINTMENT,
        amount=None,
        incurred_date=date(2026, 7, 10),
        reason="Engineer visit missed without notice",
        meter_proved_accurate=None,
        actor=agent,
        now=midnight(date(2026, 7, 11)),
    )
    july = issue(place)
    august = issue(place, AUGUST, SEPTEMBER, now=ISSUED_SEPTEMBER)
    # July: £83.00 of energy as in the single-rate test, plus £70.00 at 20% VAT = £14.00 more.
    assert amounts(july, BillLine.Kind.ADDITIONAL) == [Decimal("70.00")]
    assert sorted(amounts(july, BillLine.Kind.VAT)) == [Decimal("3.95"), Decimal("14.00")]
    assert july.total == Decimal("83.00") + Decimal("70.00") + Decimal("14.00")
    assert amounts(august, BillLine.Kind.ADDITIONAL) == []
    missed.refresh_from_db()
    assert missed.bill_id == july.pk
    assert_balance_box_reconciles(august)


def test_a_charge_incurred_after_the_period_waits_for_the_next_bill():
    place = single_rate_home()
    agent = staff()
    later = billing_ops.raise_additional_charge(
        account=place.account,
        kind=AdditionalCharge.Kind.MISSED_APPOINTMENT,
        amount=None,
        incurred_date=date(2026, 8, 1),
        reason="Engineer visit missed without notice",
        meter_proved_accurate=None,
        actor=agent,
        now=midnight(date(2026, 8, 2)),
    )
    bill = issue(place)
    assert amounts(bill, BillLine.Kind.ADDITIONAL) == []
    later.refresh_from_db()
    assert later.bill is None


def _june_2025_home() -> Home:
    place = home()
    on_tariff(place, single_rate_tariff())
    read(place.registers[Register.Rate.STANDARD], date(2025, 6, 1), "1000", RegisterReading.Kind.OPENING)
    read(place.registers[Register.Rate.STANDARD], date(2025, 7, 1), "1300")
    return place


LATE_ISSUE = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)  # 12 months back is 16 June 2025


def test_energy_used_more_than_12_months_before_the_bill_is_not_charged():
    place = _june_2025_home()
    bill = issue(place, date(2025, 6, 1), date(2025, 7, 1), now=LATE_ISSUE)
    # Only 16-30 June 2025 (15 of 30 days) may be charged: 300 kWh x 15/30 = 150 kWh x 24.8667p = £37.30005 -> £37.30;
    # standing 15 x 54.4667p = £8.170005 -> £8.17; VAT 5% of £45.47 = £2.2735 -> £2.27; total £47.74.
    assert amounts(bill, BillLine.Kind.ENERGY) == [Decimal("37.30")]
    assert amounts(bill, BillLine.Kind.STANDING) == [Decimal("8.17")]
    assert bill.total == Decimal("47.74")
    first = billing_queries.lines_of(bill)[0]
    assert "1 Jun 2025 to 15 Jun 2025" in " ".join(first.sources["back_billing_notes"])
    assert_balance_box_reconciles(bill)


def test_an_obstruction_lets_the_obstructed_days_be_back_billed():
    place = _june_2025_home()
    billing_ops.record_obstruction(
        account=place.account,
        from_date=date(2025, 5, 1),
        to_date=date(2025, 6, 10),
        reason="Refused the meter reader access three times",
        actor=staff(),
        now=LATE_ISSUE,
    )
    bill = issue(place, date(2025, 6, 1), date(2025, 7, 1), now=LATE_ISSUE)
    # Charged: 1-9 June (obstructed, 9 days) and 16-30 June (15 days). Energy 300 x 9/30 = 90 kWh -> £22.38003 ->
    # £22.38 and 150 kWh -> £37.30; standing 9 x 54.4667p = £4.902003 -> £4.90 and 15 days -> £8.17;
    # VAT 5% of £72.75 = £3.6375 -> £3.64; total £76.39.
    assert sorted(amounts(bill, BillLine.Kind.ENERGY)) == [Decimal("22.38"), Decimal("37.30")]
    assert sorted(amounts(bill, BillLine.Kind.STANDING)) == [Decimal("4.90"), Decimal("8.17")]
    assert bill.total == Decimal("76.39")


def test_cancelling_posts_a_credit_note_and_the_period_can_be_billed_again():
    place = single_rate_home()
    agent = staff()
    billing_ops.raise_additional_charge(
        account=place.account,
        kind=AdditionalCharge.Kind.MISSED_APPOINTMENT,
        amount=None,
        incurred_date=date(2026, 7, 10),
        reason="Engineer visit missed without notice",
        meter_proved_accurate=None,
        actor=agent,
        now=midnight(date(2026, 7, 11)),
    )
    first = issue(place)
    # The customer says the end reading was 10200, not 10250: care correct it, cancel and reissue.
    RegisterReading.objects.filter(register=place.registers[Register.Rate.STANDARD], value=10250).update(
        status=RegisterReading.Status.REJECTED
    )
    RegisterReading.objects.create(
        register=place.registers[Register.Rate.STANDARD],
        read_at=midnight(AUGUST),
        value=Decimal("10200"),
        source=ReadingSource.CUSTOMER,
        kind=RegisterReading.Kind.CUSTOMER,
        received_at=ISSUED_AUGUST,
    )
    cancelled = billing_ops.cancel_bill(bill=first, reason="Wrong end reading", actor=agent, now=ISSUED_AUGUST)
    assert cancelled.status == Bill.Status.CANCELLED
    credit_note = LedgerEntry.objects.get(bill=first, kind=LedgerEntry.Kind.CREDIT_NOTE)
    assert credit_note.amount == -first.total
    assert billing_queries.balance_of(place.account) == 0

    second = billing_ops.reissue_bill(cancelled=cancelled, actor=agent, now=ISSUED_AUGUST + timedelta(hours=1))
    assert second.reference == f"{first.reference}-R1"
    assert second.replaces_id == first.pk
    # 200 kWh x 24.8667p = £49.7334 -> £49.73; standing £16.88; £70.00 missed appointment;
    # VAT 5% of £66.61 = £3.3305 -> £3.33 and 20% of £70.00 = £14.00; total £153.94.
    assert second.total == Decimal("49.73") + Decimal("16.88") + Decimal("3.33") + Decimal("70.00") + Decimal("14.00")
    assert amounts(second, BillLine.Kind.ADDITIONAL) == [Decimal("70.00")]
    assert billing_queries.balance_of(place.account) == second.total
    assert_balance_box_reconciles(second)
    with pytest.raises(billing_ops.BillingRefused, match="already cancelled"):
        billing_ops.cancel_bill(bill=first, reason="again", actor=agent, now=ISSUED_AUGUST)
    with pytest.raises(billing_ops.BillingRefused, match="already been reissued"):
        billing_ops.reissue_bill(cancelled=cancelled, actor=agent, now=ISSUED_AUGUST)


def test_the_ledger_keeps_a_running_balance_and_the_next_bill_shows_what_was_paid():
    place = single_rate_home()
    read(place.registers[Register.Rate.STANDARD], SEPTEMBER, "10500")
    agent = staff()
    july = issue(place)  # £83.00, as in the single-rate test
    billing_ops.record_payment(
        account=place.account,
        amount=Decimal("50.00"),
        reference="BACS 123",
        reason="",
        actor=agent,
        now=datetime(2026, 8, 10, tzinfo=UTC),
    )
    billing_ops.record_credit(
        account=place.account,
        amount=Decimal("10.00"),
        reason="Goodwill: late bill",
        actor=agent,
        now=datetime(2026, 8, 12, tzinfo=UTC),
    )
    august = issue(place, AUGUST, SEPTEMBER, now=ISSUED_SEPTEMBER)
    # August: 250 kWh again = £62.17; 31 days = £16.88; VAT £3.95; total £83.00.
    assert august.total == Decimal("83.00")
    rows = billing_queries.ledger_of(place.account)
    assert [(row.entry.kind, row.entry.amount, row.balance) for row in rows] == [
        ("CHARGE", Decimal("83.00"), Decimal("83.00")),
        ("PAYMENT", Decimal("-50.00"), Decimal("33.00")),
        ("CREDIT", Decimal("-10.00"), Decimal("23.00")),
        ("CHARGE", Decimal("83.00"), Decimal("106.00")),
    ]
    assert (august.previous_balance, august.payments_and_credits, august.balance_carried_forward) == (
        july.total,
        Decimal("-60.00"),
        Decimal("106.00"),
    )
    assert_balance_box_reconciles(august)


def test_late_payment_interest_across_a_base_rate_change_is_billed_without_vat():
    BaseRate.objects.all().delete()  # only the rates set here (the migration seeds the Bank's real ones)
    BaseRate.objects.create(effective_date=date(2026, 1, 1), percent=Decimal("4.00"))
    BaseRate.objects.create(effective_date=date(2026, 7, 20), percent=Decimal("3.75"))
    place = single_rate_home()
    interest = billing_ops.apply_late_payment_interest(
        account=place.account,
        principal=Decimal("1000.00"),
        start_date=date(2026, 7, 3),
        end_date=date(2026, 8, 1),
        actor=staff(),
        now=ISSUED_AUGUST,
    )
    # 3-19 July: 17 days at 4.00 + 4 = 8%: 1000 x 0.08 x 17 / 365 = £3.7260 -> £3.73;
    # 20-31 July: 12 days at 3.75 + 4 = 7.75%: 1000 x 0.0775 x 12 / 365 = £2.5479 -> £2.55; together £6.28.
    assert pennies(Decimal(1000) * Decimal("0.08") * 17 / 365) == Decimal("3.73")
    assert pennies(Decimal(1000) * Decimal("0.0775") * 12 / 365) == Decimal("2.55")
    assert interest.amount == Decimal("6.28")
    assert [(p["days"], p["annual_rate_percent"], p["interest"]) for p in interest.details["parts"]] == [
        (17, "8.00", "3.73"),
        (12, "7.75", "2.55"),
    ]
    bill = issue(place)
    line = BillLine.objects.get(bill=bill, kind=BillLine.Kind.INTEREST)
    assert (line.amount, line.vat_rate, line.sources["additional_charge"]) == (Decimal("6.28"), None, interest.pk)
    assert amounts(bill, BillLine.Kind.VAT) == [Decimal("3.95")]  # VAT only on the energy, as before
    assert bill.total == Decimal("83.00") + Decimal("6.28")
    assert_balance_box_reconciles(bill)


def test_a_supply_ending_in_the_period_makes_a_final_bill():
    place = single_rate_home()
    Supply.objects.filter(account=place.account).update(valid_to=date(2026, 7, 21))
    Meter.objects.filter(pk=place.meter.pk).update(removed_at=midnight(date(2026, 7, 21)))
    read(place.registers[Register.Rate.STANDARD], date(2026, 7, 21), "10150", RegisterReading.Kind.FINAL)
    bill = issue(place)
    # 1-20 July: 150 kWh x 24.8667p = £37.30005 -> £37.30; 20 days x 54.4667p = £10.89334 -> £10.89;
    # VAT 5% of £48.19 = £2.4095 -> £2.41; total £50.60.
    assert bill.is_final
    assert amounts(bill, BillLine.Kind.STANDING) == [Decimal("10.89")]
    assert bill.total == Decimal("50.60")


def test_a_business_customer_above_de_minimis_pays_the_climate_change_levy_and_20_percent_vat():
    place = home(kind=Customer.Kind.ORGANISATION)
    on_tariff(place, single_rate_tariff())
    read(place.registers[Register.Rate.STANDARD], JULY, "0", RegisterReading.Kind.OPENING)
    read(place.registers[Register.Rate.STANDARD], AUGUST, "1240")
    bill = issue(place)
    # 1240 kWh over 31 days = 40 kWh a day, over the 33 kWh de minimis. Energy 1240 x 24.8667p = £308.34708 ->
    # £308.35; standing £16.88; levy 1240 x £0.00801 = £9.9324 -> £9.93; VAT 20% of £335.16 = £67.032 -> £67.03.
    assert amounts(bill, BillLine.Kind.LEVY) == [Decimal("9.93")]
    assert amounts(bill, BillLine.Kind.VAT) == [Decimal("67.03")]
    assert bill.total == Decimal("308.35") + Decimal("16.88") + Decimal("9.93") + Decimal("67.03")


def test_a_business_customer_within_de_minimis_pays_neither_the_levy_nor_20_percent_vat():
    place = home(kind=Customer.Kind.ORGANISATION)
    on_tariff(place, single_rate_tariff())
    read(place.registers[Register.Rate.STANDARD], JULY, "0", RegisterReading.Kind.OPENING)
    read(place.registers[Register.Rate.STANDARD], AUGUST, "310")
    bill = issue(place)
    # 310 kWh over 31 days = 10 kWh a day: domestic use for VAT and the levy. Energy 310 x 24.8667p = £77.08677 ->
    # £77.09; standing £16.88; VAT 5% of £93.97 = £4.6985 -> £4.70.
    assert amounts(bill, BillLine.Kind.LEVY) == []
    assert bill.total == Decimal("77.09") + Decimal("16.88") + Decimal("4.70")


def test_a_dynamic_tariff_prices_each_half_hour_on_the_march_clock_change_day():
    place = home()
    dynamic = tariff(structure=Tariff.Structure.HALF_HOURLY, standing="50.0000", units={})
    on_tariff(place, dynamic)
    sunday, monday = date(2026, 3, 29), date(2026, 3, 30)  # the clocks go forward: 01:00 becomes 02:00
    assert _half_hours(place.meter, sunday, monday, "1.0") == 46
    at = midnight(sunday).astimezone(UTC)
    while at < midnight(monday):
        price = "10.0000" if at.astimezone(LONDON).hour < 12 else "20.0000"
        HalfHourlyPrice.objects.create(tariff=dynamic, interval_start=at, value_exc_vat=Decimal(price))
        at += timedelta(minutes=30)
    bill = issue(place, sunday, monday, now=datetime(2026, 3, 31, 9, tzinfo=UTC))
    # Before noon: 00:00, 00:30 and 02:00-11:30 = 2 + 20 = 22 half-hours x 1 kWh x 10p = £2.20; from noon 24 x 20p
    # = £4.80; energy £7.00 for 46 kWh; standing 1 day x 50p = £0.50; VAT 5% of £7.50 = £0.375 -> £0.38; £7.88.
    [energy] = [line for line in billing_queries.lines_of(bill) if line.kind == BillLine.Kind.ENERGY]
    assert (energy.quantity, energy.amount) == (46, Decimal("7.00"))
    assert energy.sources["half_hours"] == 46
    assert bill.total == Decimal("7.88")
    [row] = billing_queries.consumption_of(bill)
    assert (row.band, row.kwh, row.meter_serial_number) == ("HALF_HOURLY", 46, place.meter.serial_number)
    assert not bill.is_estimated
    assert_balance_box_reconciles(bill)


def test_a_half_hourly_bill_with_an_estimated_half_hour_is_marked_estimated():
    place = home()
    dynamic = tariff(structure=Tariff.Structure.HALF_HOURLY, standing="50.0000", units={})
    on_tariff(place, dynamic)
    monday, tuesday = date(2026, 6, 1), date(2026, 6, 2)
    _half_hours(place.meter, monday, tuesday, "1.0")
    IntervalConsumption.objects.filter(meter=place.meter, interval_start=midnight(monday)).update(
        quality=IntervalConsumption.Quality.ESTIMATED
    )
    at = midnight(monday).astimezone(UTC)
    while at < midnight(tuesday):
        HalfHourlyPrice.objects.create(tariff=dynamic, interval_start=at, value_exc_vat=Decimal("10.0000"))
        at += timedelta(minutes=30)
    bill = issue(place, monday, tuesday, now=datetime(2026, 6, 3, 9, tzinfo=UTC))
    assert bill.is_estimated


def test_a_bill_without_an_end_reading_is_estimated_and_says_so():
    place = home(annual_kwh=Decimal("2700"))
    on_tariff(place, single_rate_tariff())
    read(place.registers[Register.Rate.STANDARD], JULY, "10000", RegisterReading.Kind.OPENING)
    bill = issue(place)
    assert bill.is_estimated
    [row] = billing_queries.consumption_of(bill)
    assert (row.start_kind, row.end_kind) == ("OPENING", "ESTIMATED")
    assert row.end_reading is not None
    assert row.end_reading.read_at == midnight(AUGUST)
    assert_balance_box_reconciles(bill)


def test_an_over_estimate_trued_up_by_the_next_actual_reading_makes_a_credit_bill():
    """July is estimated far too high; August's actual reading gives a negative advance, and a bill in credit."""
    place = home(annual_kwh=Decimal("60000"))
    on_tariff(place, single_rate_tariff())
    register = place.registers[Register.Rate.STANDARD]
    read(register, JULY, "10000", RegisterReading.Kind.OPENING)
    july = issue(place)
    estimate = RegisterReading.objects.get(register=register, kind=RegisterReading.Kind.ESTIMATED).value
    read(register, SEPTEMBER, "10400")
    august = issue(place, AUGUST, SEPTEMBER, now=ISSUED_SEPTEMBER)

    # The two bills together charge exactly the 400 kWh the meter turned.
    advance = Decimal("10400") - estimate
    assert advance < 0
    energy = pennies(advance * Decimal("0.248667"))
    standing = pennies(31 * Decimal("0.544667"))
    vat = pennies((energy + standing) * Decimal("0.05"))
    assert august.total == energy + standing + vat
    assert august.total < 0
    assert LedgerEntry.objects.get(bill=august, kind=LedgerEntry.Kind.CHARGE).amount == august.total
    july_kwh, august_kwh = (sum(r.kwh for r in billing_queries.consumption_of(b)) for b in (july, august))
    assert july_kwh + august_kwh == Decimal(400)
    assert_balance_box_reconciles(august)


def test_a_bill_that_fails_part_way_leaves_nothing_behind():
    """The estimate is stored before the levy check refuses the bill: the one transaction takes both back."""
    place = home(kind=Customer.Kind.ORGANISATION, annual_kwh=Decimal("20000"))
    on_tariff(place, single_rate_tariff())
    read(place.registers[Register.Rate.STANDARD], date(2026, 3, 1), "0", RegisterReading.Kind.OPENING)
    with pytest.raises(billing_ops.BillingError, match="Climate Change Levy"):
        issue(place, date(2026, 3, 1), date(2026, 4, 1), now=datetime(2026, 4, 2, 9, tzinfo=UTC))
    assert not Bill.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not RegisterReading.objects.filter(kind=RegisterReading.Kind.ESTIMATED).exists()


def test_a_time_of_use_tariff_charges_each_band_at_its_rate():
    place = home()
    peak_tariff = tariff(structure=Tariff.Structure.TIME_OF_USE, standing="50.0000", units={})
    for band, starts_at, ends_at, pence in (
        ("PEAK", time(16), time(19), "40.0000"),
        ("OFF_PEAK", time(19), time(16), "20.0000"),
    ):
        UnitRate.objects.create(
            tariff=peak_tariff,
            band=band,
            band_starts_at=starts_at,
            band_ends_at=ends_at,
            value_exc_vat=Decimal(pence),
            valid_from=midnight(PRICES_FROM),
        )
    on_tariff(place, peak_tariff)
    _half_hours(place.meter, JULY, JULY + timedelta(days=1), "1.0")
    bill = issue(place, JULY, JULY + timedelta(days=1))
    # Peak 16:00-19:00 local = 6 half-hours x 1 kWh x 40p = £2.40; off-peak 42 kWh x 20p = £8.40; standing £0.50;
    # VAT 5% of £11.30 = £0.565 -> £0.57; total £11.87.
    assert {row.band: row.kwh for row in billing_queries.consumption_of(bill)} == {"PEAK": 6, "OFF_PEAK": 42}
    assert sorted(amounts(bill, BillLine.Kind.ENERGY)) == [Decimal("2.40"), Decimal("8.40")]
    assert bill.total == Decimal("11.87")
