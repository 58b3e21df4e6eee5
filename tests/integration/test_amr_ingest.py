"""AMR daily SMS ingest (issue 3, docs/amr-sms.md): stored once, duplicates and replays change nothing, bad messages
are quarantined with their reason and replayable after a fix, clock-change days, counter roll-over and mismatch,
gas m³ to kWh, device exchange, missing days, and the `ingest_amr_sms` command.

Messages are built here with binascii; expected interval starts, quantities and kWh are computed here independently.
"""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import User
from hearth.data.metering.models import AmrDevice, DailyConsumption, InboundSms, IntervalConsumption, Meter
from hearth.domain.metering import amr, devices
from tests.integration.amr_support import amr_business, message
from tests.integration.conftest import Builder, Site

LONDON = ZoneInfo("Europe/London")
SIM = "+447700900123"
GAS_SIM = "+447700900456"
FITTED_AT = datetime(2026, 1, 1, 0, 0, tzinfo=LONDON)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HUNDREDTH = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")

ACCEPTED = InboundSms.Status.ACCEPTED
FLAGGED = InboundSms.Status.FLAGGED
DUPLICATE = InboundSms.Status.DUPLICATE
QUARANTINED = InboundSms.Status.QUARANTINED


def local_midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(UTC)


_sids = iter(range(1, 1_000_000))


def ingest(body: str, *, sid: str = "", sender: str = SIM, now: datetime = NOW) -> amr.SmsOutcome:
    return amr.ingest_sms(
        message_sid=sid or f"SM{next(_sids):032d}",
        from_number=sender,
        to_number="+447700900000",
        body=body,
        received_at=now,
        now=now,
    )


def intervals(meter: Meter) -> list[IntervalConsumption]:
    return list(IntervalConsumption.objects.filter(meter=meter).order_by("interval_start"))


def snapshot(meter: Meter) -> list[tuple[datetime, Decimal, Decimal]]:
    return [(row.interval_start, row.quantity, row.kwh) for row in intervals(meter)] + [
        (datetime.combine(row.day_date, datetime.min.time(), tzinfo=UTC), row.quantity, row.kwh)
        for row in DailyConsumption.objects.filter(meter=meter).order_by("day_date")
    ]


@pytest.fixture
def site(build: Builder) -> Site:
    """A business with an AMR electricity meter and an AMR gas meter, both in place since December 2025."""
    return amr_business(build, gas_meter=Meter.Kind.AMR)


@pytest.fixture
def staff(build: Builder) -> User:
    return build.staff_login("agent@hearth.example", "Agent4Console7")


def fit(meter: Meter, serial: str, sim: str, *, unit: AmrDevice.Unit, at: datetime = FITTED_AT) -> AmrDevice:
    return devices.register_device(
        meter=meter,
        details=devices.DeviceDetails(serial, sim, HUNDREDTH, unit),
        installed_at=at,
        actor=None,
        now=NOW,
    )


@pytest.fixture
def device(site: Site) -> AmrDevice:
    """AMR-E1 on the electricity meter: 0.01 kWh a pulse, SIM +447700900123, fitted 1 January 2026."""
    return fit(site.electricity_meter, "AMR-E1", SIM, unit=AmrDevice.Unit.KWH)


# --- A good message, stored once ----------------------------------------------------------------------------------


def test_a_good_message_stores_each_half_hour_and_the_day(site, device):
    counts = [i % 7 for i in range(48)]
    outcome = ingest(message("AMR-E1", date(2026, 5, 8), 1000, counts))

    assert (outcome.message.status, outcome.message.reason, outcome.repeated) == (ACCEPTED, "", False)
    assert outcome.message.device == device
    assert outcome.message.day_date == date(2026, 5, 8)
    rows = intervals(site.electricity_meter)
    midnight_bst = datetime(2026, 5, 7, 23, 0, tzinfo=UTC)
    assert [row.interval_start for row in rows] == [midnight_bst + timedelta(minutes=30 * i) for i in range(48)]
    assert [row.quantity for row in rows] == [count * HUNDREDTH for count in counts]
    assert [row.kwh for row in rows] == [count * HUNDREDTH for count in counts]
    assert {(row.unit, row.quality, row.source, row.interval_minutes) for row in rows} == {("KWH", "ACTUAL", "AMR", 30)}
    daily = DailyConsumption.objects.get(meter=site.electricity_meter, day_date=date(2026, 5, 8))
    assert daily.quantity == daily.kwh == sum(counts) * HUNDREDTH
    assert (daily.quality, daily.source) == ("ACTUAL", "AMR")


def test_the_same_message_id_again_changes_nothing(site, device):
    body = message("AMR-E1", date(2026, 5, 8), 1000, [1] * 48)
    first = ingest(body, sid="SM0001")
    stored = snapshot(site.electricity_meter)
    for _ in range(3):
        again = ingest(body, sid="SM0001", now=NOW + timedelta(hours=1))
        assert again.repeated
        assert again.message.pk == first.message.pk
        assert again.message.status == ACCEPTED
    assert InboundSms.objects.count() == 1
    assert snapshot(site.electricity_meter) == stored


def test_the_same_day_under_a_new_message_id_is_a_duplicate_and_changes_nothing(site, device):
    first = ingest(message("AMR-E1", date(2026, 5, 8), 1000, [1] * 48), sid="SM0001")
    stored = snapshot(site.electricity_meter)

    resent = ingest(message("AMR-E1", date(2026, 5, 8), 1000, [1] * 48), sid="SM0002")
    assert resent.message.status == DUPLICATE
    assert resent.message.reason == "device AMR-E1's day 2026-05-08 is already stored from message SM0001"

    changed = ingest(message("AMR-E1", date(2026, 5, 8), 1048, [2] * 48), sid="SM0003")
    assert changed.message.status == DUPLICATE
    assert "its counts differ from the stored ones and were not stored" in changed.message.reason

    assert snapshot(site.electricity_meter) == stored
    assert InboundSms.objects.get(pk=first.message.pk).status == ACCEPTED


# --- Quarantine and replay ----------------------------------------------------------------------------------------


def test_an_unknown_device_is_quarantined_and_accepted_on_replay_once_registered(site, staff):
    body = message("AMR-G7", date(2026, 5, 8), 500, [3] * 48)
    outcome = ingest(body, sender=GAS_SIM)
    assert outcome.message.status == QUARANTINED
    assert outcome.message.reason == "no AMR device has serial AMR-G7"
    assert intervals(site.gas_meter) == []
    assert list(amr.quarantined_messages()) == [outcome.message]

    fit(site.gas_meter, "AMR-G7", GAS_SIM, unit=AmrDevice.Unit.CUBIC_METRES)
    replayed = amr.replay_sms(message=outcome.message, actor=staff, now=NOW + timedelta(minutes=5))

    assert replayed.pk == outcome.message.pk
    assert (replayed.status, replayed.reason) == (ACCEPTED, "")
    assert len(intervals(site.gas_meter)) == 48
    assert list(amr.quarantined_messages()) == []
    event = AuditEvent.objects.get(action="amr_sms.replayed")
    assert event.actor == staff
    assert event.customer == site.customer
    assert event.before == {"status": "QUARANTINED", "reason": "no AMR device has serial AMR-G7"}
    assert event.after == {"status": "ACCEPTED", "reason": ""}


def test_a_message_from_another_number_is_quarantined_until_the_sim_is_corrected(site, device, staff):
    outcome = ingest(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48), sender="+447700900999")
    assert outcome.message.status == QUARANTINED
    assert outcome.message.reason == ("the sender +447700900999 is not the SIM of device AMR-E1 (+447700900123)")
    assert intervals(site.electricity_meter) == []

    still = amr.replay_sms(message=outcome.message, actor=staff, now=NOW)
    assert still.status == QUARANTINED

    devices.correct_device(device=device, serial_number="AMR-E1", sim_phone_number="07700 900999", actor=staff, now=NOW)
    assert amr.replay_sms(message=outcome.message, actor=staff, now=NOW).status == ACCEPTED
    assert len(intervals(site.electricity_meter)) == 48
    assert AuditEvent.objects.filter(action="amr_device.corrected", customer=site.customer).count() == 1


def test_a_mistyped_serial_is_fixed_by_correcting_the_device_record(site, staff):
    mistyped = fit(site.electricity_meter, "AMR-EI", SIM, unit=AmrDevice.Unit.KWH)
    outcome = ingest(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    assert outcome.message.reason == "no AMR device has serial AMR-E1"

    devices.correct_device(device=mistyped, serial_number="AMR-E1", sim_phone_number=SIM, actor=staff, now=NOW)
    assert amr.replay_sms(message=outcome.message, actor=staff, now=NOW).status == ACCEPTED


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (message("AMR-E1", date(2026, 5, 8), 48, [1] * 48)[:-4] + "0000", "bad CRC: expected "),
        (message("AMR-E1", date(2026, 10, 25), 48, [1] * 48), "2026-10-25 has 50 half-hours; the message has 48"),
        (message("AMR-E1", date(2026, 5, 8), 48, [1] * 47 + ["x"]), "interval 48 is not a number: 'x'"),  # type: ignore[list-item]
        ("Your parcel is on its way", "the message does not start with AMR1"),
        ("", "the message is empty"),
    ],
)
def test_an_unreadable_message_is_kept_in_quarantine_with_its_reason(site, device, staff, body, reason):
    outcome = ingest(body)
    assert outcome.message.status == QUARANTINED
    assert outcome.message.reason.startswith(reason)
    assert outcome.message.body == body
    assert intervals(site.electricity_meter) == []

    replayed = amr.replay_sms(message=outcome.message, actor=staff, now=NOW)
    assert replayed.status == QUARANTINED
    assert replayed.reason.startswith(reason)
    assert AuditEvent.objects.filter(action="amr_sms.replayed").count() == 1


def test_only_quarantined_messages_can_be_replayed(site, device, staff):
    outcome = ingest(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48))
    with pytest.raises(amr.ReplayRefused, match="not quarantined"):
        amr.replay_sms(message=outcome.message, actor=staff, now=NOW)


def test_a_day_before_the_device_was_fitted_or_after_it_was_retired_is_quarantined(site, device, staff):
    before = ingest(message("AMR-E1", date(2025, 12, 31), 48, [1] * 48))
    assert before.message.status == QUARANTINED
    assert before.message.reason.startswith("device AMR-E1 was not fitted on 2025-12-31")

    devices.retire_device(device=device, retired_at=datetime(2026, 6, 1, tzinfo=LONDON), actor=staff, now=NOW)
    after = ingest(message("AMR-E1", date(2026, 6, 1), 48, [1] * 48))
    assert after.message.status == QUARANTINED
    assert after.message.reason.startswith("device AMR-E1 was not fitted on 2026-06-01")
    last_day = ingest(message("AMR-E1", date(2026, 5, 31), 48, [1] * 48))
    assert last_day.message.status == ACCEPTED


def test_a_day_that_has_not_ended_is_quarantined_and_accepted_on_replay_after_it(site, device, staff):
    evening = datetime(2026, 5, 8, 20, 0, tzinfo=LONDON)
    outcome = ingest(message("AMR-E1", date(2026, 5, 8), 48, [1] * 48), now=evening)
    assert outcome.message.status == QUARANTINED
    assert "had not ended" in outcome.message.reason
    next_morning = datetime(2026, 5, 9, 0, 5, tzinfo=LONDON)
    assert amr.replay_sms(message=outcome.message, actor=staff, now=next_morning).status == ACCEPTED


# --- Clock-change days --------------------------------------------------------------------------------------------


def test_the_spring_clock_change_day_stores_46_half_hours_at_their_utc_starts(site, device):
    counts = list(range(1, 47))
    outcome = ingest(message("AMR-E1", date(2026, 3, 29), 5000, counts))
    assert outcome.message.status == ACCEPTED
    rows = intervals(site.electricity_meter)
    # Midnight is GMT (00:00 UTC); at 01:00 GMT the clocks go to 02:00 BST; the day ends at 23:00 UTC.
    expected = [datetime(2026, 3, 29, 0, 0, tzinfo=UTC) + timedelta(minutes=30 * i) for i in range(46)]
    assert [row.interval_start for row in rows] == expected
    assert rows[2].interval_start.astimezone(LONDON).strftime("%H:%M %Z") == "02:00 BST"
    assert rows[-1].interval_start == datetime(2026, 3, 29, 22, 30, tzinfo=UTC)
    assert [row.quantity for row in rows] == [count * HUNDREDTH for count in counts]


def test_the_autumn_clock_change_day_stores_50_half_hours_at_their_utc_starts(site, device):
    counts = list(range(1, 51))
    outcome = ingest(message("AMR-E1", date(2026, 10, 25), 5000, counts))
    assert outcome.message.status == ACCEPTED
    rows = intervals(site.electricity_meter)
    expected = [datetime(2026, 10, 24, 23, 0, tzinfo=UTC) + timedelta(minutes=30 * i) for i in range(50)]
    assert [row.interval_start for row in rows] == expected
    one_oclock = [row for row in rows if row.interval_start.astimezone(LONDON).strftime("%H:%M") == "01:00"]
    assert [row.interval_start for row in one_oclock] == [
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    ]
    assert DailyConsumption.objects.get(meter=site.electricity_meter).quantity == sum(counts) * HUNDREDTH


def test_quarter_hours_on_the_autumn_day_are_100(site, device):
    outcome = ingest(message("AMR-E1", date(2026, 10, 25), 100, [1] * 100, minutes=15))
    assert outcome.message.status == ACCEPTED
    rows = intervals(site.electricity_meter)
    assert len(rows) == 100
    assert {row.interval_minutes for row in rows} == {15}
    assert rows[-1].interval_start == datetime(2026, 10, 25, 23, 45, tzinfo=UTC)


# --- The day's counter --------------------------------------------------------------------------------------------


def test_counts_that_agree_with_the_counter_across_its_roll_over_are_accepted(site, device):
    top = 2**32 - 1
    first = ingest(message("AMR-E1", date(2026, 5, 7), top - 5, [1] * 48))
    # 16 pulses on: top-5 -> top (5 pulses), -> 0 (1 pulse), -> 10 (10 pulses).
    second = ingest(message("AMR-E1", date(2026, 5, 8), 10, [1] * 16 + [0] * 32))
    assert (first.message.status, second.message.status) == (ACCEPTED, ACCEPTED)
    assert second.message.reason == ""


def test_counts_that_disagree_with_the_counter_are_stored_but_flagged(site, device):
    ingest(message("AMR-E1", date(2026, 5, 7), 1000, [1] * 48))
    outcome = ingest(message("AMR-E1", date(2026, 5, 8), 1051, [1] * 48))
    assert outcome.message.status == FLAGGED
    assert outcome.message.reason == (
        "the interval counts add up to 48 pulses but the counter advanced 51 "
        "(from 1000 at the end of 2026-05-07 to 1051)"
    )
    assert len(intervals(site.electricity_meter)) == 96
    assert DailyConsumption.objects.get(meter=site.electricity_meter, day_date=date(2026, 5, 8)).quantity == Decimal(
        "0.48"
    )


def test_a_late_day_checks_the_day_after_it_when_it_arrives(site, device):
    day_after = ingest(message("AMR-E1", date(2026, 5, 8), 1051, [1] * 48))
    assert day_after.message.status == ACCEPTED  # nothing to check against yet
    late = ingest(message("AMR-E1", date(2026, 5, 7), 1000, [1] * 48))
    assert late.message.status == ACCEPTED
    day_after.message.refresh_from_db()
    assert day_after.message.status == FLAGGED
    assert day_after.message.reason.endswith("(checked when 2026-05-07 arrived later)")


def test_missing_days_show_as_missing_until_they_arrive(site, device):
    for day in (date(2026, 5, 8), date(2026, 5, 10)):
        ingest(message("AMR-E1", day, 48, [1] * 48))

    def statuses() -> list[tuple[date, str]]:
        return [
            (row.day, row.status)
            for row in amr.amr_days(device=device, from_date=date(2026, 5, 7), to_date=date(2026, 5, 11))
        ]

    assert statuses() == [
        (date(2026, 5, 7), "MISSING"),
        (date(2026, 5, 8), "RECEIVED"),
        (date(2026, 5, 9), "MISSING"),
        (date(2026, 5, 10), "RECEIVED"),
    ]
    ingest(message("AMR-E1", date(2026, 5, 9), 48, [1] * 48))
    assert statuses()[2] == (date(2026, 5, 9), "RECEIVED")


def test_days_before_fitting_are_not_listed_as_missing(site, device):
    rows = amr.amr_days(device=device, from_date=date(2025, 12, 30), to_date=date(2026, 1, 3))
    assert [row.day for row in rows] == [date(2026, 1, 1), date(2026, 1, 2)]


# --- Gas ----------------------------------------------------------------------------------------------------------


def gas_kwh(cubic_metres: Decimal, calorific_value: str) -> Decimal:
    """DOMAIN.md: kWh = m³ x 1.02264 x CV / 3.6, rounded once to the 4 places stored."""
    energy = cubic_metres * Decimal("1.02264") * Decimal(calorific_value) / Decimal("3.6")
    return energy.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("calorific_value", [None, "40.1"])
def test_a_gas_device_stores_cubic_metres_and_their_kwh(site, settings, calorific_value):
    if calorific_value:
        settings.HEARTH_DEFAULT_CALORIFIC_VALUE = calorific_value
    cv = calorific_value or "39.5"  # the documented default
    fit(site.gas_meter, "AMR-G1", GAS_SIM, unit=AmrDevice.Unit.CUBIC_METRES)
    counts = [i * 37 % 101 for i in range(48)]
    assert ingest(message("AMR-G1", date(2026, 5, 8), 9999, counts), sender=GAS_SIM).message.status == ACCEPTED

    rows = intervals(site.gas_meter)
    assert [row.unit for row in rows] == ["M3"] * 48
    assert [row.quantity for row in rows] == [count * HUNDREDTH for count in counts]
    assert [row.kwh for row in rows] == [gas_kwh(count * HUNDREDTH, cv) for count in counts]
    daily = DailyConsumption.objects.get(meter=site.gas_meter, day_date=date(2026, 5, 8))
    assert daily.quantity == sum(counts) * HUNDREDTH
    assert daily.kwh == gas_kwh(sum(counts) * HUNDREDTH, cv)


# --- Device exchange ----------------------------------------------------------------------------------------------


def test_on_the_day_of_an_exchange_each_device_gives_its_part_of_the_day(site, device, staff):
    exchanged_at = datetime(2026, 5, 8, 12, 10, tzinfo=LONDON)  # during the 12:00-12:30 half-hour
    new = devices.replace_device(
        device=device,
        details=devices.DeviceDetails("AMR-E2", "+447700900124", HUNDREDTH, AmrDevice.Unit.KWH),
        replaced_at=exchanged_at,
        actor=staff,
        now=NOW,
    )
    # Old device: 1 pulse in each half-hour up to and including 12:00; new device: 2 from 12:00 on.
    old_counts = [1] * 25 + [0] * 23
    new_counts = [0] * 24 + [2] * 24
    old = ingest(message("AMR-E1", date(2026, 5, 8), 25, old_counts))
    fresh = ingest(message("AMR-E2", date(2026, 5, 8), 48, new_counts), sender="+447700900124")
    assert (old.message.status, fresh.message.status) == (ACCEPTED, ACCEPTED)
    assert fresh.message.device == new

    quantities = [row.quantity for row in intervals(site.electricity_meter)]
    assert quantities == [HUNDREDTH] * 24 + [3 * HUNDREDTH] + [2 * HUNDREDTH] * 23
    daily = DailyConsumption.objects.get(meter=site.electricity_meter, day_date=date(2026, 5, 8))
    assert daily.quantity == (25 + 48) * HUNDREDTH
    assert AuditEvent.objects.filter(action="amr_device.replaced", customer=site.customer).count() == 1


def test_pulses_from_a_device_after_it_was_retired_are_flagged_and_not_stored(site, device, staff):
    devices.retire_device(device=device, retired_at=datetime(2026, 5, 8, 12, 0, tzinfo=LONDON), actor=staff, now=NOW)
    outcome = ingest(message("AMR-E1", date(2026, 5, 8), 30, [0] * 24 + [0, 0, 30] + [0] * 21))
    assert outcome.message.status == FLAGGED
    assert outcome.message.reason == (
        "30 pulses were counted outside the time device AMR-E1 was fitted and were not stored"
    )
    assert len(intervals(site.electricity_meter)) == 24
    assert DailyConsumption.objects.get(meter=site.electricity_meter).quantity == 0


# --- The command --------------------------------------------------------------------------------------------------


def test_the_command_ingests_a_file_and_prints_a_summary_and_a_rerun_changes_nothing(site, device, tmp_path):
    lines = [
        "# AMR messages exported from the old system",
        f"{SIM},{message('AMR-E1', date(2026, 5, 7), 1000, [1] * 48)}",
        f"{SIM},{message('AMR-E1', date(2026, 5, 8), 1051, [1] * 48)}",
        f"{SIM},{message('AMR-E1', date(2026, 5, 8), 1048, [1] * 48)}",
        "",
        f"+447700900555,{message('AMR-X9', date(2026, 5, 8), 48, [1] * 48)}",
        f"{SIM},{message('AMR-E1', date(2026, 5, 9), 1099, [1] * 48)[:-4]}0000",
        "no comma on this line",
    ]
    path = tmp_path / "messages.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_amr_sms", str(path), stdout=out, stderr=err)
    summary = out.getvalue()
    assert "accepted: 1" in summary
    assert "flagged (stored with a data-quality flag): 1" in summary
    assert "line 3: the interval counts add up to 48 pulses but the counter advanced 51" in summary
    assert "duplicates (day already stored, nothing changed): 1" in summary
    assert "lines 4" in summary
    assert "quarantined (kept for care staff to fix and replay): 2" in summary
    assert "line 6: no AMR device has serial AMR-X9" in summary
    assert "line 7: bad CRC: expected " in summary
    assert "unreadable lines (kept in quarantine for care staff): 1" in summary
    assert "line 8: expected '<sender>,<body>'" in summary
    assert "messages.txt" in err.getvalue()  # the progress bar
    stored = snapshot(site.electricity_meter)
    assert InboundSms.objects.count() == 6

    again = io.StringIO()
    call_command("ingest_amr_sms", str(path), stdout=again, stderr=io.StringIO())
    assert "accepted: 0" in again.getvalue()
    assert "already ingested (same line seen before, nothing changed): 6" in again.getvalue()
    assert InboundSms.objects.count() == 6
    assert snapshot(site.electricity_meter) == stored


def test_the_command_says_when_it_cannot_read_the_file(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("ingest_amr_sms", str(tmp_path / "absent.txt"), stdout=io.StringIO())
