"""Consumption in the portal as a person uses it (issue 3): the charts and tables, the CSV, a meter reading, consent.

Days are counted back from the real today (the live server runs on the real clock); every expected figure is worked
out here with Decimal, independently of the pages' code.
"""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Customer, Fuel, Supply
from hearth.data.metering.models import IntervalConsumption, Meter, ReadingSource, Register, RegisterReading
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.metering import readings as metering_readings

from .support import Builder, check_accessibility, heading, sign_in

UK = ZoneInfo("Europe/London")
PASSWORD = "Meadow42Lantern"


def _today() -> date:
    return datetime.now(UK).date()


def _half_hours(day: date) -> list[datetime]:
    """The UTC starts of a UK day's half-hours (46, 48 or 50), stepped in UTC between UK midnights."""
    start = datetime(day.year, day.month, day.day, tzinfo=UK).astimezone(UTC)
    after = day + timedelta(days=1)
    end = datetime(after.year, after.month, after.day, tzinfo=UK).astimezone(UTC)
    starts = []
    while start < end:
        starts.append(start)
        start += timedelta(minutes=30)
    return starts


def _three_places(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def _gas_kwh(cubic_metres: Decimal) -> Decimal:
    """kWh = m3 * 1.02264 * 39.5 (the default calorific value) / 3.6."""
    return cubic_metres * Decimal("1.02264") * Decimal("39.5") / Decimal("3.6")


def _store(meter: Meter, starts: list[datetime], quantity: Decimal, unit: str) -> None:
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=meter,
            interval_start=start,
            interval_minutes=30,
            quantity=quantity,
            unit=unit,
            kwh=quantity if unit == "KWH" else _gas_kwh(quantity).quantize(Decimal("0.0001")),
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.AMR if unit == "M3" else ReadingSource.SMART,
            received_at=start + timedelta(hours=8),
        )
        for start in starts
    )


def _table(page: Page) -> list[list[str]]:
    rows: list[list[str]] = page.evaluate(
        """() => [...document.querySelectorAll('table.figures tbody tr')].map(
            tr => [...tr.children].map(cell => cell.innerText.trim()))"""
    )
    return rows


def _download_csv(page: Page) -> tuple[str, list[dict[str, str]]]:
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download CSV")).click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    return download.suggested_filename, list(csv.DictReader(io.StringIO(text)))


def _supplied_for_weeks(account_ids: list[int]) -> None:
    Supply.objects.filter(account_id__in=account_ids).update(valid_from=_today() - timedelta(days=60))


def test_gas_consumption_daily_and_within_day_with_the_conversion_and_csv(page: Page, build: Builder) -> None:
    business = accounts_ops.create_customer(
        kind=Customer.Kind.ORGANISATION,
        name="Brightwell Bakery Ltd",
        contact_email="gas@brightwell.example",
        now=build.now(),
    )
    account = build.account(business, fuel=Fuel.GAS)
    meter = build.meter(account, kind=Meter.Kind.AMR)
    build.amr_device(meter)
    _supplied_for_weeks([account.pk])
    yesterday = _today() - timedelta(days=1)
    day_before = yesterday - timedelta(days=1)
    _store(meter, _half_hours(day_before), Decimal("0.0400"), "M3")
    _store(meter, _half_hours(yesterday), Decimal("0.0750"), "M3")
    build.activated_login(account, "gas@brightwell.example", PASSWORD)

    sign_in(page, "gas@brightwell.example", PASSWORD)
    page.get_by_role("link", name="AMR").click()
    heading(page, "Your consumption")
    check_accessibility(page)

    page.get_by_role("link", name=f"Daily use of meter {meter.serial_number}").click()
    heading(page, "Daily use")
    expect(page.get_by_role("img", name=re.compile("^Bar chart of gas used each day"))).to_be_visible()
    rows = _table(page)
    assert len(rows) == 30
    day_volume = Decimal("0.0750") * len(_half_hours(yesterday))
    before_volume = Decimal("0.0400") * len(_half_hours(day_before))
    assert rows[-1][1:3] == [_three_places(day_volume), _three_places(_gas_kwh(day_volume))]
    assert rows[-2][1:3] == [_three_places(before_volume), _three_places(_gas_kwh(before_volume))]
    assert rows[0][1:4] == ["no data", "no data", "Missing: no data"]
    expect(
        page.get_by_text("kWh = m³ × 1.02264 (volume correction) × 39.5 (calorific value, MJ/m³) ÷ 3.6")  # noqa: RUF001
    ).to_be_visible()
    check_accessibility(page)

    name, csv_rows = _download_csv(page)
    first = yesterday - timedelta(days=29)
    assert name == f"daily-use-{meter.serial_number}-{first:%Y%m%d}-{yesterday:%Y%m%d}.csv"
    assert len(csv_rows) == len(rows)
    for csv_row, row in zip(csv_rows, rows, strict=True):
        assert (csv_row["quantity"] or "no data", csv_row["kwh"] or "no data") == (row[1], row[2])
        assert datetime.fromisoformat(csv_row["interval_start"]).astimezone(UK).date().day == int(row[0].split()[1])

    page.get_by_role("link", name="See one day half-hour by half-hour").click()
    heading(page, "Half-hourly use")
    rows = _table(page)
    assert len(rows) == len(_half_hours(yesterday))
    assert rows[0][0].startswith("00:00")
    assert rows[0][1:3] == ["0.075", _three_places(_gas_kwh(Decimal("0.075")))]
    expect(page.get_by_role("img", name=re.compile("^Bar chart of gas used each half-hour"))).to_be_visible()
    check_accessibility(page)

    name, csv_rows = _download_csv(page)
    assert name == f"half-hourly-use-{meter.serial_number}-{yesterday:%Y%m%d}.csv"
    assert [(r["quantity"], r["unit"], r["kwh"], r["quality"]) for r in csv_rows] == [
        (row[1], "m3", row[2], "ACTUAL") for row in rows
    ]

    page.get_by_role("link", name=re.compile("^Previous day")).click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile(f"{day_before.day} {day_before:%B %Y}"))
    ).to_be_visible()
    assert _table(page)[0][1] == "0.040"


def _reading_home(build: Builder) -> Register:
    customer = build.customer("Ada Reader", "ada@example.com")
    account = build.account(customer, fuel=Fuel.ELECTRICITY)
    meter = build.meter(account, kind=Meter.Kind.CREDIT)
    now = build.now()
    Meter.objects.filter(pk=meter.pk).update(installed_at=now - timedelta(days=200))
    register = Register.objects.get(meter=meter)
    metering_readings.record_register_reading(
        register=register,
        read_at=now - timedelta(days=90),
        value=Decimal(10000),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.ACTUAL,
        received_at=now - timedelta(days=90),
    )
    build.activated_login(account, "ada@example.com", PASSWORD)
    return register


def test_a_meter_reading_lower_is_refused_and_a_high_one_confirmed(page: Page, build: Builder) -> None:
    register = _reading_home(build)
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/services/meter-reading/")
    heading(page, "Give a meter reading")
    box = page.get_by_label("Standard rate reading, in kWh (register S)")
    expect(page.get_by_text("Last reading: 10000 on")).to_be_visible()
    check_accessibility(page)

    box.fill("9000")
    page.get_by_role("button", name=re.compile("^Send reading")).click()
    expect(page.get_by_role("alert")).to_contain_text("lower than the last reading 10000")
    check_accessibility(page)
    assert not RegisterReading.objects.filter(register=register, source=ReadingSource.CUSTOMER).exists()

    # 90 days at 2,500 kWh a year is about 616 kWh: 5,000 is far above it.
    page.get_by_label("Standard rate reading, in kWh (register S)").fill("15000")
    page.get_by_role("button", name=re.compile("^Send reading")).click()
    expect(page.get_by_role("alert")).to_contain_text("far more than the")
    confirm = page.get_by_label("Yes, this reading is right")
    expect(confirm).to_be_visible()
    check_accessibility(page)
    confirm.check()
    page.get_by_role("button", name=re.compile("^Send reading")).click()

    heading(page, "Thank you: your reading is recorded")
    row = page.get_by_role("row").filter(has_text="15000 kWh")
    today = _today()
    expect(row).to_contain_text(f"{today.day} {today:%B %Y}")
    expect(row).to_contain_text("Accepted")
    check_accessibility(page)
    reading = RegisterReading.objects.get(register=register, source=ReadingSource.CUSTOMER)
    assert reading.value == Decimal(15000)


def test_a_household_turns_half_hourly_data_on_and_off(page: Page, build: Builder) -> None:
    customer = build.customer("Kit Moss", "kit.moss@example.com")
    account = build.account(customer, fuel=Fuel.ELECTRICITY)
    meter = build.meter(account, kind=Meter.Kind.SMART)
    _supplied_for_weeks([account.pk])
    yesterday = _today() - timedelta(days=1)
    _store(meter, _half_hours(yesterday), Decimal("0.2500"), "KWH")
    build.activated_login(account, "kit.moss@example.com", PASSWORD)

    sign_in(page, "kit.moss@example.com", PASSWORD)
    page.get_by_role("link", name="Smart meter").click()
    page.get_by_role("link", name=f"Half-hourly use of meter {meter.serial_number}").click()
    heading(page, "Half-hourly use")
    expect(page.get_by_role("heading", name="Half-hourly figures are not available")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="choose to share half-hourly data").click()
    heading(page, "Half-hourly data from your smart meter")
    expect(page.get_by_text("Your choice now: Keep daily totals only")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name=re.compile("^Opt in")).click()
    expect(page.get_by_role("status")).to_contain_text("Recorded at")
    expect(page.get_by_text("Your choice now: Keep half-hourly data")).to_be_visible()
    expect(page.get_by_role("table", name="Changes to this choice")).to_contain_text("Opted in: half-hourly data")
    check_accessibility(page)

    page.goto(f"/services/consumption/{meter.pk}/day/")
    assert _table(page)[0][1] == "0.250"

    page.goto("/services/half-hourly-data/")
    page.get_by_role("button", name=re.compile("^Opt out")).click()
    expect(page.get_by_text("Your choice now: Keep daily totals only")).to_be_visible()
    page.goto(f"/services/consumption/{meter.pk}/day/")
    expect(page.get_by_role("heading", name="Half-hourly figures are not available")).to_be_visible()
