"""The batch path bills exactly as one bill at a time does, with a number of queries that does not grow with the chunk.

Two identical sets of varied accounts (single rate with a mid-period price change, Economy 7 registers, half-hourly
dynamic prices, imperial gas, an estimate later trued up, a business, one that cannot be billed) share the same
tariffs. One set is billed a chunk at a time (``issue_bills``), the other account by account (``issue_bill``), over
two months; every bill, line, consumption row, ledger entry and stored reading is then compared field by field,
with the ids that must differ (accounts, meters, readings) replaced by what they stand for.
"""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearth.data.accounts.models import Account, Customer, Fuel, Supply
from hearth.data.billing.models import AdditionalCharge, Bill, BillConsumption, BillLine, LedgerEntry
from hearth.data.metering.models import IntervalConsumption, Meter, Register, RegisterReading
from hearth.data.tariffs.models import HalfHourlyPrice, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import batch as billing_batch
from hearth.domain.billing import operations as billing_ops
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.billing.test_issue_bill import (
    AUGUST,
    JULY,
    SEPTEMBER,
    Home,
    _half_hours,
    home,
    midnight,
    on_tariff,
    read,
    single_rate_tariff,
    staff,
    tariff,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)
PERIODS = [(JULY, AUGUST), (AUGUST, SEPTEMBER)]
MOVE_DATE = date(2026, 7, 15)
Kind = RegisterReading.Kind


def _tariffs() -> dict[str, Tariff]:
    single = single_rate_tariff()
    tariff_ops.schedule_price_change(  # mid-July: the July bill splits its energy over two prices
        tariff=single,
        band=UnitRate.STANDARD,
        value_exc_vat=Decimal("27.1234"),
        valid_from=midnight(date(2026, 7, 15)),
        now=midnight(date(2026, 6, 1)),
    )
    economy_7 = tariff(
        structure=Tariff.Structure.TWO_RATE,
        standing="52.1000",
        units={UnitRate.DAY: "29.0150", UnitRate.NIGHT: "13.2500"},
        night=(time(0, 30), time(7, 30)),
    )
    dynamic = tariff(structure=Tariff.Structure.HALF_HOURLY, standing="47.9000", units={})
    at, stop = midnight(JULY).astimezone(UTC), midnight(SEPTEMBER).astimezone(UTC)
    prices = []
    while at < stop:
        hour = at.astimezone(midnight(JULY).tzinfo).hour
        prices.append(HalfHourlyPrice(tariff=dynamic, interval_start=at, value_exc_vat=Decimal(9 + hour) / 2))
        at += timedelta(minutes=30)
    HalfHourlyPrice.objects.bulk_create(prices)
    gas = tariff(fuel=Fuel.GAS, standing="29.6000", units={UnitRate.STANDARD: "6.3350"})
    return {"single": single, "economy_7": economy_7, "dynamic": dynamic, "gas": gas}


def _single(tariffs: dict[str, Tariff]) -> Home:
    place = home()
    on_tariff(place, tariffs["single"])
    register = place.registers[Register.Rate.STANDARD]
    read(register, JULY, "10000", Kind.OPENING)
    read(register, AUGUST, "10262")
    read(register, SEPTEMBER, "10540")
    agent = staff()
    billing_ops.record_payment(
        account=place.account, amount=Decimal("40.00"), reference="BANK 1", reason="", actor=agent, now=midnight(JULY)
    )
    billing_ops.raise_additional_charge(
        account=place.account,
        kind=AdditionalCharge.Kind.MISSED_APPOINTMENT,
        amount=None,
        incurred_date=date(2026, 8, 10),
        reason="Engineer visit missed",
        meter_proved_accurate=None,
        actor=agent,
        now=midnight(date(2026, 8, 11)),
    )
    return place


def _economy_7(tariffs: dict[str, Tariff]) -> Home:
    place = home(registers=[("D", Register.Rate.DAY), ("N", Register.Rate.NIGHT)])
    on_tariff(place, tariffs["economy_7"])
    for rate, values in (
        (Register.Rate.DAY, ("5000", "5180", "5371")),
        (Register.Rate.NIGHT, ("2000", "2095", "2203")),
    ):
        read(place.registers[rate], JULY, values[0], Kind.OPENING)
        read(place.registers[rate], AUGUST, values[1])
        read(place.registers[rate], SEPTEMBER, values[2], Kind.CUSTOMER)
    return place


def _dynamic(tariffs: dict[str, Tariff]) -> Home:
    place = home()
    on_tariff(place, tariffs["dynamic"])
    _half_hours(place.meter, JULY, date(2026, 7, 20), "0.4120")
    _half_hours(place.meter, date(2026, 7, 20), date(2026, 7, 21), "0.3000", IntervalConsumption.Quality.ESTIMATED)
    _half_hours(place.meter, date(2026, 7, 21), SEPTEMBER, "0.2875")
    return place


def _economy_7_smart(tariffs: dict[str, Tariff]) -> Home:
    """Economy 7 on a one-register smart meter: the night and day bands come from its half-hours."""
    place = home()
    on_tariff(place, tariffs["economy_7"])
    _half_hours(place.meter, JULY, date(2026, 8, 3), "0.2417")
    _half_hours(place.meter, date(2026, 8, 3), SEPTEMBER, "0.3051")
    return place


def _gas(tariffs: dict[str, Tariff]) -> Home:
    place = home(fuel=Fuel.GAS, gas_units=Meter.GasUnits.IMPERIAL)
    on_tariff(place, tariffs["gas"])
    register = next(iter(place.registers.values()))
    read(register, JULY, "1000", Kind.OPENING)
    read(register, AUGUST, "1021")
    read(register, SEPTEMBER, "1049")
    return place


def _estimated(tariffs: dict[str, Tariff]) -> Home:
    """No reading at the end of July: an estimate from 3,100 kWh a year, trued up by September's actual."""
    place = home(annual_kwh=Decimal("3100"))
    on_tariff(place, tariffs["single"])
    register = place.registers[Register.Rate.STANDARD]
    read(register, JULY, "20000", Kind.OPENING)
    read(register, SEPTEMBER, "20400")
    return place


def _business(tariffs: dict[str, Tariff]) -> Home:
    place = home(kind=Customer.Kind.ORGANISATION)
    on_tariff(place, tariffs["single"])
    register = place.registers[Register.Rate.STANDARD]
    read(register, JULY, "40000", Kind.OPENING)
    read(register, AUGUST, "42100")  # 2,100 kWh in 31 days: above the 33 kWh a day de minimis
    read(register, SEPTEMBER, "42700")  # 600 kWh: below it
    return place


def _unbillable(tariffs: dict[str, Tariff]) -> Home:
    """No reading after the opening one and no annual consumption to estimate from."""
    place = home(annual_kwh=None)
    on_tariff(place, tariffs["single"])
    read(place.registers[Register.Rate.STANDARD], JULY, "300", Kind.OPENING)
    return place


KINDS: dict[str, Callable[[dict[str, Tariff]], Home]] = {
    "single": _single,
    "economy_7": _economy_7,
    "economy_7_smart": _economy_7_smart,
    "dynamic": _dynamic,
    "gas": _gas,
    "estimated": _estimated,
    "business": _business,
    "unbillable": _unbillable,
}


def _outcome(result: Bill | Exception, place: Home) -> tuple[str, str]:
    if isinstance(result, Bill):
        return ("bill", _named(result.reference, place))
    return (type(result).__name__, _named(str(result), place))


def _named(text: str, place: Home) -> str:
    """``text`` with the identifiers that differ between the two sets replaced by what they are."""
    for identifier, name in (
        (place.account.number, "<account>"),
        (place.supply_point.identifier, "<supply point>"),
        (place.meter.serial_number, "<meter>"),
    ):
        text = text.replace(identifier, name)
    return text


def _snapshot(place: Home) -> dict[str, Any]:
    """Everything billing wrote for the account, ids replaced by what they stand for."""
    readings: dict[int | None, tuple[str, str, str, str]] = {
        reading.pk: (reading.register.identifier, reading.read_at.isoformat(), str(reading.value), reading.kind)
        for reading in RegisterReading.objects.filter(register__meter=place.meter).select_related("register")
    }
    charges = {charge.pk: charge.description for charge in AdditionalCharge.objects.filter(account=place.account)}
    periods: dict[int | None, str] = {
        bill.pk: str(bill.period_start_date) for bill in Bill.objects.filter(account=place.account)
    }

    def sources(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: sources(v, k) for k, v in value.items()}
        if key == "readings":
            return [readings[pk] for pk in value]
        if key == "additional_charge":
            return charges[value]
        if isinstance(value, list):
            return [sources(item) for item in value]
        return json.loads(_named(json.dumps(value), place))

    skip = {"id", "account", "bill", "supply_point", "register", "start_reading", "end_reading", "recorded_by"}

    def fields(row: Any) -> dict[str, Any]:
        values = {}
        for field in row._meta.concrete_fields:
            if field.name in skip:
                continue
            value = getattr(row, field.attname)
            values[field.name] = _named(value, place) if isinstance(value, str) else value
        return values

    bills = []
    for bill in Bill.objects.filter(account=place.account).order_by("period_start_date", "id"):
        bills.append(
            {
                **fields(bill),
                "lines": [
                    {**fields(line), "sources": sources(line.sources), "supply_point": line.supply_point_id is not None}
                    for line in BillLine.objects.filter(bill=bill).order_by("position")
                ],
                "consumption": [
                    {
                        **fields(row),
                        "register": row.register.identifier if row.register else None,
                        "start_reading": readings.get(row.start_reading_id),
                        "end_reading": readings.get(row.end_reading_id),
                    }
                    for row in BillConsumption.objects.filter(bill=bill).select_related("register").order_by("position")
                ],
                "charges": sorted(charges[charge.pk] for charge in AdditionalCharge.objects.filter(bill=bill)),
            }
        )
    ledger = [
        {**fields(entry), "bill": periods.get(entry.bill_id)}
        for entry in LedgerEntry.objects.filter(account=place.account).order_by("posted_at", "id")
    ]
    return {"bills": bills, "ledger": ledger, "readings": sorted(readings.values())}


def test_a_chunk_billed_together_gives_exactly_the_bills_of_one_account_at_a_time():
    tariffs = _tariffs()
    together = {name: build(tariffs) for name, build in KINDS.items()}
    alone = {name: build(tariffs) for name, build in KINDS.items()}

    outcomes_together: dict[str, list[tuple[str, str]]] = {name: [] for name in KINDS}
    outcomes_alone: dict[str, list[tuple[str, str]]] = {name: [] for name in KINDS}
    for start, end in PERIODS:
        requests = [billing_batch.BillRequest(place.account.pk, start, end) for place in together.values()]
        results = billing_ops.issue_bills(requests=requests, now=NOW)
        for (name, place), result in zip(together.items(), results, strict=True):
            outcomes_together[name].append(_outcome(result, place))
        for name, place in alone.items():
            try:
                bill_alone: Bill | Exception = billing_ops.issue_bill(
                    account=place.account, period_start_date=start, period_end_date=end, now=NOW
                )
            except billing_ops.BillingError as exc:
                bill_alone = exc
            outcomes_alone[name].append(_outcome(bill_alone, place))

    assert outcomes_together == outcomes_alone
    assert outcomes_together["unbillable"][0][0] == "BillingError"
    assert "annual consumption" in outcomes_together["unbillable"][0][1]
    assert all(
        kind == "bill" for name, results in outcomes_together.items() if name != "unbillable" for kind, _ in results
    )
    for name in KINDS:
        assert _snapshot(together[name]) == _snapshot(alone[name]), name
    # The set exercises what it claims to: a split price, an estimate stored and trued up, VAT either side of de
    # minimis, an estimated half-hour, the additional charge and the payment in the balance box.
    single = Bill.objects.filter(account=together["single"].account).order_by("period_start_date")
    assert BillLine.objects.filter(bill=single[0], kind=BillLine.Kind.ENERGY).count() == 2
    assert single[1].payments_and_credits == Decimal("0.00")
    assert single[0].payments_and_credits == Decimal("-40.00")
    assert AdditionalCharge.objects.get(account=together["single"].account).bill == single[1]
    estimated = Bill.objects.filter(account=together["estimated"].account).order_by("period_start_date")
    assert [bill.is_estimated for bill in estimated] == [True, True]
    assert RegisterReading.objects.filter(register__meter=together["estimated"].meter, kind=Kind.ESTIMATED).count() == 1
    business_energy = BillLine.objects.filter(
        bill__account=together["business"].account, kind=BillLine.Kind.ENERGY
    ).order_by("bill__period_start_date", "position")
    assert [line.vat_rate for line in business_energy] == [Decimal("0.20"), Decimal("0.20"), Decimal("0.05")]
    assert Bill.objects.get(account=together["dynamic"].account, period_start_date=JULY).is_estimated
    smart_bands = BillConsumption.objects.filter(
        bill__account=together["economy_7_smart"].account, bill__period_start_date=JULY
    )
    # 00:30-07:30 is 14 of July's 48 half-hours a day, every one 0.2417 kWh: 31 x 14 x 0.2417 at night, the rest by
    # day; stored to the watt-hour.
    watt_hour = Decimal("0.001")
    assert sorted((row.band, row.kwh) for row in smart_bands) == [
        ("DAY", (31 * 34 * Decimal("0.2417")).quantize(watt_hour)),
        ("NIGHT", (31 * 14 * Decimal("0.2417")).quantize(watt_hour)),
    ]
    for place in together.values():
        for bill in Bill.objects.filter(account=place.account):
            lines = BillLine.objects.filter(bill=bill)
            assert sum((line.amount for line in lines), Decimal("0.00")) == bill.total
            assert bill.previous_balance + bill.payments_and_credits + bill.total == bill.balance_carried_forward


def test_a_failure_in_a_chunk_leaves_no_estimate_behind_and_the_others_are_billed():
    """An account that stores an estimate and then fails (no price after 20 July) keeps no estimate, as when alone."""
    tariffs = _tariffs()
    ending = single_rate_tariff()
    UnitRate.objects.filter(tariff=ending).update(valid_to=midnight(date(2026, 7, 20)))
    failing = home(annual_kwh=Decimal("3100"))
    on_tariff(failing, ending)
    read(failing.registers[Register.Rate.STANDARD], JULY, "500", Kind.OPENING)
    single, gas = _single(tariffs), _gas(tariffs)
    requests = [billing_batch.BillRequest(place.account.pk, JULY, AUGUST) for place in (single, failing, gas)]

    results = billing_ops.issue_bills(requests=requests, now=NOW)

    assert [type(result).__name__ for result in results] == ["Bill", "BillingError", "Bill"]
    assert "no standard unit rate from 20 Jul 2026" in str(results[1])
    assert not RegisterReading.objects.filter(register__meter=failing.meter, kind=Kind.ESTIMATED).exists()
    assert not Bill.objects.filter(account=failing.account).exists()
    assert set(Bill.objects.values_list("account_id", flat=True)) == {single.account.pk, gas.account.pk}


def _varied_accounts(tariffs: dict[str, Tariff], copies: int) -> list[Home]:
    return [build(tariffs) for _ in range(copies) for build in (_single, _economy_7, _dynamic, _gas, _business)]


def _queries(places: list[Home]) -> int:
    requests = [billing_batch.BillRequest(place.account.pk, JULY, AUGUST) for place in places]
    with CaptureQueriesContext(connection) as captured:
        results = billing_ops.issue_bills(requests=requests, now=NOW)
    assert all(isinstance(result, Bill) for result in results)
    return len(captured.captured_queries)


def test_the_queries_of_a_chunk_do_not_grow_with_the_number_of_accounts_in_it():
    tariffs = _tariffs()
    five = _queries(_varied_accounts(tariffs, 1))
    twenty_five = _queries(_varied_accounts(tariffs, 5))
    one_at_a_time = _queries(_varied_accounts(tariffs, 1)[:1])

    # Reads are one query per table whatever the chunk; only the bulk inserts split into batches of the backend's
    # maximum parameters, one more statement per few hundred rows.
    assert twenty_five <= five + 3, (five, twenty_five)
    assert twenty_five / 25 < five / 5 / 4
    assert five <= one_at_a_time + 3, (one_at_a_time, five)


def test_a_chunk_refused_by_the_constraint_is_issued_bill_by_bill_and_the_race_reports_already_billed(monkeypatch):
    """Another process billed one account between the check and the write: the others are still billed."""
    tariffs = _tariffs()
    places = [_single(tariffs), _gas(tariffs), _economy_7(tariffs)]
    raced = billing_ops.issue_bill(account=places[1].account, period_start_date=JULY, period_end_date=AUGUST, now=NOW)
    monkeypatch.setattr(billing_ops, "_check_period_free", lambda *args: None)  # both passed the check
    requests = [billing_batch.BillRequest(place.account.pk, JULY, AUGUST) for place in places]

    results = billing_ops.issue_bills(requests=requests, now=NOW)

    assert [type(result).__name__ for result in results] == ["Bill", "BillAlreadyIssued", "Bill"]
    assert "at the same moment by another process" in str(results[1])
    assert list(Bill.objects.filter(account=places[1].account)) == [raced]
    assert Bill.objects.count() == LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE).count() == 3


def _change_of_tenancy(tariffs: dict[str, Tariff]) -> tuple[Home, Account]:
    """The first occupier leaves on 15 July (a reading that day); the next one's supply starts from it."""
    moving_out = _single(tariffs)
    register = moving_out.registers[Register.Rate.STANDARD]
    read(register, MOVE_DATE, "10120")
    Supply.objects.filter(account=moving_out.account).update(valid_to=MOVE_DATE)
    newcomer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="New Occupier", contact_email="new@example.com", now=midnight(MOVE_DATE)
    )
    moving_in = accounts_ops.open_account(
        customer=newcomer,
        fuel=Fuel.ELECTRICITY,
        billing_property=moving_out.supply_point.supply_property,
        now=midnight(MOVE_DATE),
    )
    Supply.objects.create(account=moving_in, supply_point=moving_out.supply_point, valid_from=MOVE_DATE)
    return moving_out, moving_in


def test_two_accounts_of_a_chunk_on_one_supply_point_bill_in_turn_as_they_would_alone():
    """The newcomer's first bill starts from the reading the leaver's final bill ended on, as when billed in turn."""
    tariffs = _tariffs()
    together_out, together_in = _change_of_tenancy(tariffs)
    alone_out, alone_in = _change_of_tenancy(tariffs)
    periods = {together_out.account.pk: (JULY, MOVE_DATE), together_in.pk: (MOVE_DATE, AUGUST)}
    requests = [billing_batch.BillRequest(pk, *period) for pk, period in periods.items()]

    results = billing_ops.issue_bills(requests=requests, now=NOW)
    billing_ops.issue_bill(account=alone_out.account, period_start_date=JULY, period_end_date=MOVE_DATE, now=NOW)
    billing_ops.issue_bill(account=alone_in, period_start_date=MOVE_DATE, period_end_date=AUGUST, now=NOW)

    bills = [result for result in results if isinstance(result, Bill)]
    assert len(bills) == 2, results
    final, first = (BillConsumption.objects.get(bill=bill) for bill in bills)
    assert first.start_reading_id == final.end_reading_id
    assert (final.start_value, final.end_value, first.start_value, first.end_value) == (
        Decimal("10000"),
        Decimal("10120"),
        Decimal("10120"),
        Decimal("10262"),
    )
    together = [(bill.total, bill.is_final) for bill in Bill.objects.filter(account__in=periods).order_by("id")]
    alone = [
        (bill.total, bill.is_final)
        for bill in Bill.objects.filter(account__in=[alone_out.account, alone_in]).order_by("id")
    ]
    assert together == alone
