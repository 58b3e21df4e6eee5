"""Rules of issue 3 on meter data coming in: intervals not yet ended are refused, a household's AMR data without
half-hourly consent is kept as daily totals only (T&C 7.7), and an unreadable line of an AMR file is kept in the
quarantine (nothing is lost).

Expected figures are computed here from the messages and rows the tests write, not taken from the code under test.
"""

import html
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.data.accounts.models import Customer
from hearth.data.metering.models import (
    AmrDevice,
    DailyConsumption,
    InboundSms,
    IntervalConsumption,
    Meter,
    RejectedFlowLine,
)
from hearth.domain.identity import operations as identity_ops
from hearth.domain.metering import amr, consent
from hearth.domain.metering import flows as metering_flows
from tests.integration.amr_support import message
from tests.integration.conftest import Builder, Site

LONDON = ZoneInfo("Europe/London")
SET_UP_AT = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
SIM = "+447700900123"
DAY = date(2026, 5, 8)  # a 48 half-hour day (BST)
AMR_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
STAFF_EMAIL = "agent.rules@hearth.example"
STAFF_PASSWORD = "Console4Rules9"


def words(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode())))


@pytest.fixture
def care(db) -> Client:
    device: TOTPDevice = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Rule Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def amr_site(build: Builder, kind: Customer.Kind) -> tuple[Site, AmrDevice]:
    """A customer of `kind` with an AMR electricity meter and device (pulse weight 0.01 kWh) since December 2025."""
    with time_machine.travel(SET_UP_AT, tick=False):
        site = build.site(
            name="Pat Pulse" if kind == Customer.Kind.PERSON else "Pulse Works Ltd",
            email="pat@pulse.example",
            postcode="LS1 4AP",
            electricity_meter=Meter.Kind.AMR,
            gas_meter=Meter.Kind.CREDIT,
            kind=kind,
        )
        return site, build.amr_device(site.electricity_meter)


def ingest_day(device: AmrDevice, counts: list[int]) -> InboundSms:
    body = message(device.serial_number, DAY, sum(counts), counts)
    return amr.ingest_sms(
        message_sid=f"SM-{device.serial_number}",
        from_number=SIM,
        to_number="",
        body=body,
        received_at=AMR_NOW,
        now=AMR_NOW,
    ).message


COUNTS = [(i % 5) + 1 for i in range(48)]  # 144 pulses in all
DAY_KWH = Decimal(sum(COUNTS)) * Decimal("0.01")  # 1.44 kWh


# --- Intervals not yet ended ---------------------------------------------------------------------------------------


def test_an_interval_that_has_not_ended_yet_is_refused_naming_its_line(build):
    with time_machine.travel(SET_UP_AT, tick=False):
        site = build.site(
            name="Brightwell Bakery Ltd",
            email="accounts@brightwell.example",
            postcode="EH6 6QU",
            electricity_meter=Meter.Kind.SMART,
            gas_meter=Meter.Kind.SMART,
            kind=Customer.Kind.ORGANISATION,
        )
    meter = site.electricity_meter
    mpan = meter.supply_point.identifier
    now = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)  # GMT: 09:15 UK time
    content = "\n".join(
        [
            "mpan_or_mprn,meter_serial,interval_start,quantity,unit",
            f"{mpan},{meter.serial_number},2026-11-02T08:30:00+00:00,0.5,kWh",  # ended 09:00: complete
            f"{mpan},{meter.serial_number},2026-11-02T09:00:00+00:00,0.5,kWh",  # ends 09:30: still running
            f"{mpan},{meter.serial_number},2026-11-05T12:00:00+00:00,0.5,kWh",  # days ahead
        ]
    ).encode()

    summary = metering_flows.import_intervals(name="early.csv", source=content, now=now)

    assert summary.accepted == 1
    not_ended = "interval has not ended yet"
    assert [(entry.where, entry.reason) for entry in summary.rejected] == [
        ("line 3", f"interval start '2026-11-02T09:00:00+00:00': {not_ended} (it ends 02 Nov 2026 09:30 UK time)"),
        ("line 4", f"interval start '2026-11-05T12:00:00+00:00': {not_ended} (it ends 05 Nov 2026 12:30 UK time)"),
    ]
    stored = list(IntervalConsumption.objects.filter(meter=meter).values_list("interval_start", flat=True))
    assert stored == [datetime(2026, 11, 2, 8, 30, tzinfo=UTC)]
    assert RejectedFlowLine.objects.count() == 2  # kept for care staff to replay once the interval has ended


# --- AMR data and half-hourly consent (T&C 7.7) -------------------------------------------------------------------


def test_a_households_amr_data_without_half_hourly_consent_is_kept_as_the_daily_total_only(build):
    site, device = amr_site(build, Customer.Kind.PERSON)

    stored = ingest_day(device, COUNTS)

    assert stored.status == InboundSms.Status.ACCEPTED
    assert not IntervalConsumption.objects.filter(meter=site.electricity_meter).exists()
    daily = DailyConsumption.objects.get(meter=site.electricity_meter)
    assert (daily.day_date, daily.quantity, daily.kwh) == (DAY, DAY_KWH, DAY_KWH)


def test_a_household_that_opted_in_to_half_hourly_data_keeps_its_amr_intervals(build):
    site, device = amr_site(build, Customer.Kind.PERSON)
    consent.record_consent(
        supply_point=site.electricity_meter.supply_point, granted=True, by=None, now=datetime(2026, 1, 5, tzinfo=UTC)
    )

    ingest_day(device, COUNTS)

    rows = list(IntervalConsumption.objects.filter(meter=site.electricity_meter).order_by("interval_start"))
    assert [row.quantity for row in rows] == [Decimal(count) * Decimal("0.01") for count in COUNTS]
    assert rows[0].interval_start == datetime(2026, 5, 7, 23, 0, tzinfo=UTC)  # midnight BST
    assert DailyConsumption.objects.get(meter=site.electricity_meter).quantity == DAY_KWH


def test_a_household_that_withdrew_consent_mid_day_keeps_only_the_half_hours_before_it(build):
    site, device = amr_site(build, Customer.Kind.PERSON)
    supply_point = site.electricity_meter.supply_point
    consent.record_consent(supply_point=supply_point, granted=True, by=None, now=datetime(2026, 1, 5, tzinfo=UTC))
    withdrawn = datetime(2026, 5, 8, 12, 0, tzinfo=LONDON)
    consent.record_consent(supply_point=supply_point, granted=False, by=None, now=withdrawn)

    ingest_day(device, COUNTS)

    starts = list(
        IntervalConsumption.objects.filter(meter=site.electricity_meter)
        .order_by("interval_start")
        .values_list("interval_start", flat=True)
    )
    midnight = datetime(2026, 5, 8, tzinfo=LONDON)
    assert starts == [(midnight + timedelta(minutes=30 * i)).astimezone(UTC) for i in range(24)]
    assert DailyConsumption.objects.get(meter=site.electricity_meter).quantity == DAY_KWH


def test_a_business_keeps_its_amr_data_within_the_day_by_contract(build):
    site, device = amr_site(build, Customer.Kind.ORGANISATION)

    ingest_day(device, COUNTS)

    assert IntervalConsumption.objects.filter(meter=site.electricity_meter).count() == 48
    assert DailyConsumption.objects.get(meter=site.electricity_meter).quantity == DAY_KWH


# --- An unreadable line of an AMR file -----------------------------------------------------------------------------


def test_an_unreadable_line_of_an_amr_file_is_kept_in_quarantine_with_its_reason_and_line(care, tmp_path):
    path = tmp_path / "messages.txt"
    path.write_text("no comma on this line\n,AMR1;AMR-00001;nobody sent this\n", encoding="utf-8")

    out = io.StringIO()
    call_command("ingest_amr_sms", str(path), stdout=out, stderr=io.StringIO())

    summary = out.getvalue()
    assert "unreadable lines (kept in quarantine for care staff): 2" in summary
    assert "line 1: expected '<sender>,<body>': no sender before a comma" in summary
    assert "line 2: expected '<sender>,<body>'" in summary
    kept = list(amr.quarantined_messages())
    assert [(m.body, m.from_number) for m in kept] == [
        ("no comma on this line", ""),
        (",AMR1;AMR-00001;nobody sent this", ""),
    ]
    assert kept[0].reason == "line 1: expected '<sender>,<body>': no sender before a comma"
    page = words(care.get("/care/amr/quarantine/"))
    assert "line 2: expected '<sender>,<body>': no sender before a comma" in page

    again = io.StringIO()
    call_command("ingest_amr_sms", str(path), stdout=again, stderr=io.StringIO())
    assert "already ingested (same line seen before, nothing changed): 2" in again.getvalue()
    assert InboundSms.objects.count() == 2
