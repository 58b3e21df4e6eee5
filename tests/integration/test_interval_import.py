"""Importing half-hourly smart-meter consumption (flows.import_intervals), the `hearth import_intervals` command,
and half-hourly consent (consent.py, T&C 7.7): households without consent keep daily totals only.

Expected kWh and UTC starts are computed here (DOMAIN.md's conversion; the clock-change days written out), not taken
from the code under test.
"""

import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from hearth.common.calendar import LONDON
from hearth.data.accounts.models import Customer, Supply
from hearth.data.audit.models import AuditEvent
from hearth.data.metering.models import DailyConsumption, FlowFile, IntervalConsumption, Meter, RejectedFlowLine
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.metering import consent
from hearth.domain.metering import flows as metering_flows

pytestmark = pytest.mark.django_db

SET_UP_AT = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # after the last day the tests import (2 November) has ended
HEADER = "mpan_or_mprn,meter_serial,interval_start,quantity,unit"
HALF_HOUR = timedelta(minutes=30)


def _gas_kwh(cubic_metres: str) -> Decimal:
    """DOMAIN.md: kWh = m³ x 1.02264 x CV / 3.6, with the default CV 39.5; stored to 4 places, half-up."""
    exact = Decimal(cubic_metres) * Decimal("1.02264") * Decimal("39.5") / Decimal("3.6")
    return exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _local_day_starts(day: date) -> list[datetime]:
    """The UTC starts of a London day's half-hours, stepping in UTC (London wall-clock arithmetic would be wrong)."""
    at = datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)
    starts = []
    while at < end:
        starts.append(at)
        at += HALF_HOUR
    return starts


def _rows(meter: Meter, day: date, quantity: str = "0.5", unit: str | None = None) -> list[str]:
    gas = meter.supply_point.fuel == "GAS"
    unit = unit or ("m3" if gas else "kWh")
    identifier = meter.supply_point.identifier
    return [
        f"{identifier},{meter.serial_number},{start.astimezone(LONDON).isoformat()},{quantity},{unit}"
        for start in _local_day_starts(day)
    ]


def _csv(*rows: str, header: bool = True) -> bytes:
    return ("\n".join([HEADER, *rows] if header else rows) + "\n").encode()


def _import(content: bytes, name: str = "smart.csv") -> metering_flows.ImportSummary:
    return metering_flows.import_intervals(name=name, source=content, now=NOW)


@pytest.fixture
def business(build):
    with time_machine.travel(SET_UP_AT, tick=False):
        return build.site(
            name="Brightwell Bakery Ltd",
            email="accounts@brightwell.example",
            postcode="EH6 6QU",
            electricity_meter=Meter.Kind.SMART,
            gas_meter=Meter.Kind.SMART,
            kind=Customer.Kind.ORGANISATION,
        )


@pytest.fixture
def household(build):
    with time_machine.travel(SET_UP_AT, tick=False):
        return build.site(
            name="Jo Bloggs",
            email="jo@example.com",
            postcode="LS1 4AP",
            electricity_meter=Meter.Kind.SMART,
            gas_meter=Meter.Kind.SMART,
        )


# --- Storing intervals ---------------------------------------------------------------------------------------------


def test_a_business_keeps_every_half_hour_with_its_kwh_and_the_days_total(business):
    meter = business.electricity_meter
    summary = _import(_csv(*_rows(meter, date(2026, 11, 1), "0.25")))

    assert (summary.accepted, summary.duplicates, summary.rejected) == (48, 0, ())
    stored = IntervalConsumption.objects.filter(meter=meter).order_by("interval_start")
    assert stored.count() == 48
    first = stored.first()
    assert first is not None
    assert first.interval_start == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # GMT in November
    assert (first.quantity, first.unit, first.kwh) == (Decimal("0.25"), "KWH", Decimal("0.25"))
    assert (first.quality, first.source, first.interval_minutes) == ("ACTUAL", "SMART", 30)
    daily = DailyConsumption.objects.get(meter=meter)
    assert (daily.day_date, daily.kwh) == (date(2026, 11, 1), Decimal("12.00"))


def test_gas_cubic_metres_are_stored_with_their_kwh_by_the_domain_conversion(business):
    meter = business.gas_meter
    summary = _import(_csv(*_rows(meter, date(2026, 11, 1), "1.234")))

    assert summary.accepted == 48
    row = IntervalConsumption.objects.filter(meter=meter).first()
    assert row is not None
    assert (row.quantity, row.unit) == (Decimal("1.234"), "M3")
    assert row.kwh == _gas_kwh("1.234")
    daily = DailyConsumption.objects.get(meter=meter)
    assert daily.quantity == Decimal("1.234") * 48
    assert daily.kwh == _gas_kwh("1.234") * 48


def test_the_october_clock_change_day_has_50_half_hours_with_the_right_utc_starts(business):
    meter = business.electricity_meter
    rows = _rows(meter, date(2026, 10, 25))
    assert len(rows) == 50
    # The hour from 01:00 happens twice: once in BST (+01:00), once in GMT (+00:00).
    assert f"{meter.supply_point.identifier},{meter.serial_number},2026-10-25T01:30:00+01:00,0.5,kWh" in rows
    assert f"{meter.supply_point.identifier},{meter.serial_number},2026-10-25T01:30:00+00:00,0.5,kWh" in rows

    summary = _import(_csv(*rows))

    assert summary.accepted == 50
    starts = list(
        IntervalConsumption.objects.filter(meter=meter)
        .order_by("interval_start")
        .values_list("interval_start", flat=True)
    )
    # Local midnight (BST) is 23:00 UTC the day before; 50 half-hours later is midnight GMT.
    assert starts[0] == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert starts[-1] == datetime(2026, 10, 25, 23, 30, tzinfo=UTC)
    assert datetime(2026, 10, 25, 0, 30, tzinfo=UTC) in starts  # 01:30 BST
    assert datetime(2026, 10, 25, 1, 30, tzinfo=UTC) in starts  # 01:30 GMT
    assert len(set(starts)) == 50
    assert DailyConsumption.objects.get(meter=meter, day_date=date(2026, 10, 25)).kwh == Decimal(25)


def test_the_march_clock_change_day_has_46_half_hours(household):
    meter = household.electricity_meter
    consent.record_consent(supply_point=meter.supply_point, granted=True, by=None, now=SET_UP_AT)
    with time_machine.travel(SET_UP_AT, tick=False):
        Meter.objects.filter(pk=meter.pk).update(installed_at=datetime(2026, 3, 1, tzinfo=UTC))
        Supply.objects.filter(supply_point=meter.supply_point).update(valid_from=date(2026, 3, 1))
    consent.record_consent(supply_point=meter.supply_point, granted=True, by=None, now=datetime(2026, 3, 2, tzinfo=UTC))
    rows = _rows(meter, date(2026, 3, 29))
    assert len(rows) == 46

    summary = _import(_csv(*rows))

    assert summary.accepted == 46
    assert IntervalConsumption.objects.filter(meter=meter).count() == 46
    assert DailyConsumption.objects.get(meter=meter, day_date=date(2026, 3, 29)).kwh == Decimal(23)


def test_importing_the_same_file_twice_changes_nothing(business):
    content = _csv(*_rows(business.electricity_meter, date(2026, 11, 1)))
    _import(content)
    counts = (IntervalConsumption.objects.count(), DailyConsumption.objects.count(), FlowFile.objects.count())
    audit = AuditEvent.objects.count()

    again = _import(content, "copy.csv")

    assert again.already_imported
    assert (IntervalConsumption.objects.count(), DailyConsumption.objects.count(), FlowFile.objects.count()) == counts
    assert AuditEvent.objects.count() == audit


def test_rows_already_stored_are_skipped_as_duplicates_and_keep_their_values(business):
    meter = business.electricity_meter
    _import(_csv(*_rows(meter, date(2026, 11, 1), "0.5")))
    overlapping = _rows(meter, date(2026, 11, 1), "9.9")[:10] + _rows(meter, date(2026, 11, 2), "0.5")

    summary = _import(_csv(*overlapping))

    assert (summary.accepted, summary.duplicates) == (48, 10)
    assert set(
        IntervalConsumption.objects.filter(
            meter=meter, interval_start__lt=datetime(2026, 11, 2, tzinfo=UTC)
        ).values_list("quantity", flat=True)
    ) == {Decimal("0.5")}


def test_a_row_repeated_in_the_file_is_stored_once(business):
    meter = business.electricity_meter
    rows = _rows(meter, date(2026, 11, 1), "0.5")
    summary = _import(_csv(*rows, rows[5].replace(",0.5,", ",7.5,")))
    assert (summary.accepted, summary.duplicates) == (48, 1)
    assert IntervalConsumption.objects.filter(meter=meter).count() == 48
    assert not IntervalConsumption.objects.filter(meter=meter, quantity=Decimal("7.5")).exists()


def test_the_header_row_is_optional_and_its_columns_may_come_in_any_order(business):
    meter = business.electricity_meter
    ident, serial = meter.supply_point.identifier, meter.serial_number
    no_header = _import(_csv(f"{ident},{serial},2026-11-01T00:00:00Z,1.5,kWh", header=False), "a.csv")
    reordered = _import(
        f"unit,quantity,interval_start,meter_serial,mpan_or_mprn\nkWh,2.5,2026-11-01T00:30:00+00:00,{serial},{ident}\n".encode(),
        "b.csv",
    )
    assert (no_header.accepted, reordered.accepted) == (1, 1)
    assert IntervalConsumption.objects.get(
        meter=meter, interval_start=datetime(2026, 11, 1, 0, 30, tzinfo=UTC)
    ).quantity == Decimal("2.5")


# --- Checks: a bad row is rejected with its line number, the others are stored -------------------------------------


def test_each_bad_row_is_rejected_with_its_line_number_and_reason_while_the_rest_are_stored(business):
    electricity, gas = business.electricity_meter, business.gas_meter
    mpan, serial = electricity.supply_point.identifier, electricity.serial_number
    bad_check_digit = mpan[:-1] + str((int(mpan[-1]) + 1) % 10)
    rows = [
        f"{mpan},{serial},2026-11-01T00:00:00+00:00,0.5,kWh",  # line 2: good
        f"{bad_check_digit},{serial},2026-11-01T00:00:00+00:00,0.5,kWh",  # 3
        f"2399999999999,{serial},2026-11-01T00:00:00+00:00,0.5,kWh",  # 4: not 13 valid digits? (check digit)
        f"{mpan},NOPE,2026-11-01T00:30:00+00:00,0.5,kWh",  # 5
        f"{gas.supply_point.identifier},{gas.serial_number},2026-11-01T00:00:00+00:00,0.5,kWh",  # 6: gas in kWh
        f"{mpan},{serial},2026-11-01T01:00:00+00:00,-0.5,kWh",  # 7
        f"{mpan},{serial},2026-11-01T01:15:00+00:00,0.5,kWh",  # 8
        f"{mpan},{serial},2026-11-01T01:30:00,0.5,kWh",  # 9: no offset
        f"{mpan},{serial},yesterday,0.5,kWh",  # 10
        f"{mpan},{serial},2026-11-01T02:00:00+00:00,0.5",  # 11: a column short
        f"{mpan},{serial},2026-08-01T02:00:00+00:00,0.5,kWh",  # 12: before the meter was fitted
        f"{mpan},{serial},2026-11-01T02:30:00+00:00,lots,kWh",  # 13
        f"{mpan},{serial},2026-11-01T03:00:00+00:00,0.5,kWh",  # 14: good
    ]
    summary = _import(_csv(*rows))

    reasons = {entry.line_number: entry.reason for entry in summary.rejected}
    assert sorted(reasons) == list(range(3, 14))
    assert "fails its check digit" in reasons[3]
    assert "is not one of ours" in reasons[4] or "check digit" in reasons[4]
    assert reasons[5] == f"meter NOPE is not on MPAN {mpan}"
    assert "is gas, measured in m3" in reasons[6]
    assert "is negative" in reasons[7]
    assert "not on the hour or half-hour" in reasons[8]
    assert "no UTC offset" in reasons[9]
    assert "ISO 8601" in reasons[10]
    assert "4 columns where 5 are expected" in reasons[11]
    assert "was not fitted at 01 Aug 2026 03:00 (UK time)" in reasons[12]
    assert "'lots' is not a number" in reasons[13]
    assert summary.accepted == 2
    kept = RejectedFlowLine.objects.get(line_number=7)
    assert kept.content == f"{mpan},{serial},2026-11-01T01:00:00+00:00,-0.5,kWh"


def test_rows_of_an_unknown_meter_share_one_entry_and_replay_once_it_is_fitted(business):
    supply_point = business.electricity_meter.supply_point
    rows = [
        row.replace(business.electricity_meter.serial_number, "LATE-1")
        for row in _rows(business.electricity_meter, date(2026, 11, 1))
    ]
    summary = _import(_csv(*rows))

    (entry,) = summary.rejected
    assert (entry.line_number, entry.lines, entry.where) == (2, 48, "lines 2-49")
    with time_machine.travel(SET_UP_AT, tick=False):
        accounts_ops.install_meter(
            supply_point=supply_point,
            serial_number="LATE-1",
            kind=Meter.Kind.SMART,
            installed_at=SET_UP_AT,
            registers=[],
        )

    outcome = metering_flows.replay_rejected_line(line=RejectedFlowLine.objects.get(), now=NOW)

    assert (outcome.replayed, outcome.accepted) == (True, 48)
    assert IntervalConsumption.objects.filter(meter__serial_number="LATE-1").count() == 48
    flow = FlowFile.objects.get()
    assert (flow.accepted, flow.rejected) == (48, 0)


# --- Half-hourly consent (T&C 7.7) ---------------------------------------------------------------------------------


def test_a_household_without_consent_gets_daily_totals_only(household):
    meter = household.electricity_meter
    summary = _import(_csv(*_rows(meter, date(2026, 11, 1), "0.5")))

    assert (summary.accepted, summary.kept_daily) == (48, 48)
    assert "48 kept as daily totals" in summary.text
    assert not IntervalConsumption.objects.filter(meter=meter).exists()
    daily = DailyConsumption.objects.get(meter=meter)
    assert (daily.day_date, daily.quantity, daily.kwh) == (date(2026, 11, 1), Decimal(24), Decimal(24))


def test_a_household_gas_meter_without_consent_keeps_converted_daily_totals(household):
    meter = household.gas_meter
    _import(_csv(*_rows(meter, date(2026, 11, 1), "0.1")))
    daily = DailyConsumption.objects.get(meter=meter)
    assert daily.quantity == Decimal("4.8")
    assert daily.kwh == _gas_kwh("0.1") * 48
    assert not IntervalConsumption.objects.filter(meter=meter).exists()


def test_a_household_with_consent_keeps_half_hours(household):
    meter = household.electricity_meter
    consent.record_consent(
        supply_point=meter.supply_point, granted=True, by=None, now=datetime(2026, 10, 1, tzinfo=UTC)
    )
    summary = _import(_csv(*_rows(meter, date(2026, 11, 1))))
    assert (summary.accepted, summary.kept_daily) == (48, 0)
    assert IntervalConsumption.objects.filter(meter=meter).count() == 48


def test_after_consent_is_withdrawn_only_daily_totals_are_kept(household):
    meter = household.electricity_meter
    supply_point = meter.supply_point
    consent.record_consent(supply_point=supply_point, granted=True, by=None, now=datetime(2026, 10, 1, tzinfo=UTC))
    consent.record_consent(supply_point=supply_point, granted=False, by=None, now=datetime(2026, 11, 1, 12, tzinfo=UTC))
    # 31 October (consent stood) and 2 November (withdrawn); 1 November is split: the day is kept whole, daily only.
    rows = _rows(meter, date(2026, 10, 31)) + _rows(meter, date(2026, 11, 2))
    _import(_csv(*rows))
    starts = {
        at.date() for at in IntervalConsumption.objects.filter(meter=meter).values_list("interval_start", flat=True)
    }
    assert starts == {date(2026, 10, 31)}
    assert set(DailyConsumption.objects.filter(meter=meter).values_list("day_date", flat=True)) == {
        date(2026, 10, 31),
        date(2026, 11, 2),
    }


def test_a_part_day_without_consent_is_kept_as_rejected_not_stored(household):
    meter = household.electricity_meter
    summary = _import(_csv(*_rows(meter, date(2026, 11, 1))[:20]))
    (entry,) = summary.rejected
    assert entry.lines == 20
    assert "only whole days are kept: this file has 20 of the 48 half-hours of 01 Nov 2026" in entry.reason
    assert not DailyConsumption.objects.exists()
    assert not IntervalConsumption.objects.exists()


def test_a_business_is_always_within_the_day(business):
    assert consent.has_half_hourly_consent(supply_point=business.electricity_meter.supply_point, at=NOW)


def test_household_consent_follows_its_latest_choice_and_is_audited(household):
    supply_point = household.electricity_meter.supply_point
    assert not consent.has_half_hourly_consent(supply_point=supply_point, at=NOW)
    given = datetime(2026, 10, 1, tzinfo=UTC)
    withdrawn = datetime(2026, 10, 20, tzinfo=UTC)
    consent.record_consent(supply_point=supply_point, granted=True, by=None, now=given)
    consent.record_consent(supply_point=supply_point, granted=False, by=None, now=withdrawn)
    assert consent.has_half_hourly_consent(supply_point=supply_point, at=given + timedelta(days=1))
    assert not consent.has_half_hourly_consent(supply_point=supply_point, at=withdrawn + timedelta(days=1))
    assert not consent.has_half_hourly_consent(supply_point=supply_point, at=given - timedelta(days=1))
    events = AuditEvent.objects.filter(action__startswith="half-hourly data consent").order_by("at")
    assert [(e.action, e.before, e.after) for e in events] == [
        ("half-hourly data consent given", {"half_hourly": False}, {"half_hourly": True}),
        ("half-hourly data consent withdrawn", {"half_hourly": True}, {"half_hourly": False}),
    ]
    assert events[0].customer == household.customer


def test_a_new_household_does_not_inherit_the_previous_ones_consent(household, build):
    supply_point = household.electricity_meter.supply_point
    consent.record_consent(supply_point=supply_point, granted=True, by=None, now=datetime(2026, 9, 10, tzinfo=UTC))
    Supply.objects.filter(supply_point=supply_point).update(valid_to=date(2026, 10, 1))
    newcomer = build.customer(name="Nia New", email="nia@example.com")
    account = build.account(newcomer, fuel="ELECTRICITY")
    Supply.objects.create(account=account, supply_point=supply_point, valid_from=date(2026, 10, 1))

    assert consent.has_half_hourly_consent(supply_point=supply_point, at=datetime(2026, 9, 20, tzinfo=UTC))
    assert not consent.has_half_hourly_consent(supply_point=supply_point, at=datetime(2026, 10, 5, tzinfo=UTC))


# --- The command ---------------------------------------------------------------------------------------------------


def test_the_command_prints_the_summary_with_rejected_lines(business, tmp_path):
    meter = business.electricity_meter
    path = tmp_path / "smart.csv"
    path.write_bytes(
        _csv(*_rows(meter, date(2026, 11, 1)), f"{meter.supply_point.identifier},X,2026-11-02T00:00:00Z,1,kWh")
    )
    out = io.StringIO()

    call_command("import_intervals", str(path), stdout=out, stderr=io.StringIO())

    text = out.getvalue()
    assert "smart.csv: 48 interval rows accepted, 1 rejected, 0 duplicates skipped." in text
    assert f"line 50: meter X is not on MPAN {meter.supply_point.identifier}" in text


def test_the_command_fails_for_a_file_it_cannot_read(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_intervals", str(tmp_path / "nope.csv"), stdout=io.StringIO(), stderr=io.StringIO())
