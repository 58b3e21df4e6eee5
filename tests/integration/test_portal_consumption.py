"""Consumption in the portal (issue 3, FAQ 5): daily and within-day figures, gas conversion, marks, CSV, who sees what.

Intervals are made directly (``IntervalConsumption`` rows by ``bulk_create``), and every expected figure and time is
worked out here independently of the page's code: UK times from the zone database, gas kWh by the published formula
with ``Decimal``.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from hearth.data.accounts.models import Customer, Supply
from hearth.data.metering.models import DailyConsumption, IntervalConsumption, Meter, ReadingSource
from hearth.domain.metering import consent as metering_consent
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")
THREE_PLACES = Decimal("0.001")
SUPPLY_FROM = date(2026, 1, 1)


# --- Reading what the page shows ------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The rows (cell texts) of the figures table, and the bars of the chart with their kind."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.footer: list[str] = []
        self.bars: list[str] = []
        self.caption = ""
        self._in_figures = False
        self._section = ""
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and "figures" in (attributes.get("class") or ""):
            self._in_figures = True
        if tag in {"rect", "circle"} and attributes.get("data-kind"):
            self.bars.append(attributes["data-kind"] or "")
        if not self._in_figures:
            return
        if tag in {"thead", "tbody", "tfoot"}:
            self._section = tag
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self._in_figures:
            return
        if tag == "table":
            self._in_figures = False
        elif tag == "caption":
            self._in_caption = False
        elif tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._section == "tbody":
                self.rows.append(self._row)
            elif self._section == "tfoot":
                self.footer = self._row
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.caption += data
        if self._cell is not None:
            self._cell.append(data)


def _read(response: Any) -> _Tables:
    tables = _Tables()
    tables.feed(response.content.decode())
    return tables


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- Making data -----------------------------------------------------------------------------------------------


def _half_hours(day: date) -> list[datetime]:
    """The UTC starts of a UK day's half-hours, stepped in UTC from UK midnight to the next UK midnight."""
    start = datetime(day.year, day.month, day.day, tzinfo=UK).astimezone(UTC)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=UK).astimezone(UTC)
    starts = []
    while start < end:
        starts.append(start)
        start += timedelta(minutes=30)
    return starts


@dataclass
class Interval:
    start: datetime
    quantity: Decimal
    quality: str = IntervalConsumption.Quality.ACTUAL
    received_at: datetime | None = None


def _store(meter: Meter, intervals: list[Interval], *, unit: str = "KWH") -> None:
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=meter,
            interval_start=interval.start,
            interval_minutes=30,
            quantity=interval.quantity,
            unit=unit,
            kwh=interval.quantity if unit == "KWH" else _gas_kwh(interval.quantity).quantize(Decimal("0.0001")),
            quality=interval.quality,
            source=ReadingSource.SMART,
            received_at=interval.received_at or interval.start + timedelta(hours=6),
        )
        for interval in intervals
    )


def _gas_kwh(cubic_metres: Decimal, calorific_value: Decimal = Decimal("39.5")) -> Decimal:
    """The published conversion: kWh = m3 * 1.02264 * CV / 3.6."""
    return cubic_metres * Decimal("1.02264") * calorific_value / Decimal("3.6")


def _shown(value: Decimal) -> str:
    return str(value.quantize(THREE_PLACES, rounding=ROUND_HALF_UP))


def _supplied_since_january(*sites: Site) -> None:
    """The builder starts supplies today; the tests look at days earlier in the year."""
    for site in sites:
        Supply.objects.filter(account__in=[site.electricity, site.gas]).update(valid_from=SUPPLY_FROM)


@pytest.fixture
def business_site(build: Builder) -> Site:
    """A business (within-day by contract): an AMR electricity meter and an AMR gas meter."""
    site = build.site(
        name="Brightwell Bakery Ltd",
        email="accounts@brightwell.example",
        postcode="EH6 6QU",
        electricity_meter=Meter.Kind.AMR,
        gas_meter=Meter.Kind.AMR,
        kind=Customer.Kind.ORGANISATION,
    )
    _supplied_since_january(site)
    return site


@pytest.fixture
def business_client(client: Client, build: Builder, business_site: Site) -> Client:
    build.activated_login("accounts@brightwell.example", business_site.electricity, business_site.gas)
    assert sign_in(client, "accounts@brightwell.example", PASSWORD).status_code == 302
    _select(client, business_site.electricity.pk)
    return client


def _select(client: Client, account_id: int) -> None:
    client.post("/accounts/select/", {"account": account_id})


def _day_url(meter: Meter, day: date, csv_file: bool = False) -> str:
    return f"/services/consumption/{meter.pk}/{'day.csv' if csv_file else 'day/'}?day={day.isoformat()}"


def _daily_url(meter: Meter, first: date, last: date, csv_file: bool = False) -> str:
    path = "daily.csv" if csv_file else ""
    return f"/services/consumption/{meter.pk}/{path}?period_from={first.isoformat()}&period_to={last.isoformat()}"


# --- Within-day ------------------------------------------------------------------------------------------------


def test_within_day_view_shows_each_half_hour_with_its_kwh(business_client: Client, business_site: Site) -> None:
    day = date(2026, 11, 10)
    starts = _half_hours(day)
    quantities = [Decimal("0.100") + Decimal("0.0125") * index for index in range(48)]
    _store(business_site.electricity_meter, [Interval(s, q) for s, q in zip(starts, quantities, strict=True)])

    response = business_client.get(_day_url(business_site.electricity_meter, day))

    assert response.status_code == 200
    table = _read(response)
    assert len(table.rows) == 48
    assert table.rows[0][:2] == ["00:00 to 00:30", "0.100"]
    assert table.rows[1][:2] == ["00:30 to 01:00", "0.113"]  # 0.1125 rounded half-up
    assert table.rows[47][:2] == ["23:30 to 00:00", _shown(quantities[47])]
    assert [row[1] for row in table.rows] == [_shown(q) for q in quantities]
    assert table.footer[1] == _shown(sum((Decimal(_shown(q)) for q in quantities), Decimal(0)))
    assert "10 November 2026" in table.caption
    assert table.bars.count("actual") == 48


def test_the_october_clock_change_day_has_fifty_half_hours_at_the_right_uk_times(
    business_client: Client, business_site: Site
) -> None:
    day = date(2026, 10, 25)
    starts = _half_hours(day)
    assert len(starts) == 50  # the rule: the day the clocks go back has an extra hour
    _store(
        business_site.electricity_meter, [Interval(s, Decimal("0.2") + Decimal(i) / 100) for i, s in enumerate(starts)]
    )

    response = business_client.get(_day_url(business_site.electricity_meter, day))

    rows = _read(response).rows
    assert len(rows) == 50
    labels = [row[0] for row in rows]
    assert labels[:6] == [
        "00:00 BST to 00:30 BST",
        "00:30 BST to 01:00 BST",
        "01:00 BST to 01:30 BST",
        "01:30 BST to 01:00 GMT",
        "01:00 GMT to 01:30 GMT",
        "01:30 GMT to 02:00 GMT",
    ]
    assert labels[-1] == "23:30 GMT to 00:00 GMT"
    assert rows[4][1] == "0.240"  # the fifth half-hour: the repeated 01:00, in GMT
    assert "50 half-hours" in _text(response)

    download = business_client.get(_day_url(business_site.electricity_meter, day, csv_file=True))
    csv_rows = _csv_rows(download)
    assert [row["interval_start"] for row in csv_rows[2:5]] == [
        "2026-10-25T01:00:00+01:00",
        "2026-10-25T01:30:00+01:00",
        "2026-10-25T01:00:00+00:00",
    ]
    assert csv_rows[-1]["interval_end"] == "2026-10-26T00:00:00+00:00"


def test_the_march_clock_change_day_has_forty_six_half_hours(business_client: Client, business_site: Site) -> None:
    day = date(2026, 3, 29)
    _store(business_site.electricity_meter, [Interval(s, Decimal("0.3")) for s in _half_hours(day)])

    rows = _read(business_client.get(_day_url(business_site.electricity_meter, day))).rows

    assert len(rows) == 46
    assert [row[0] for row in rows[1:3]] == ["00:30 GMT to 02:00 BST", "02:00 BST to 02:30 BST"]


def test_a_gas_meter_shows_cubic_metres_and_kwh_with_the_conversion_stated(
    business_client: Client, business_site: Site
) -> None:
    _select(business_client, business_site.gas.pk)
    meter = business_site.gas_meter
    day = date(2026, 11, 10)
    volumes = [Decimal("0.0500") + Decimal("0.0125") * i for i in range(48)]
    _store(meter, [Interval(s, v) for s, v in zip(_half_hours(day), volumes, strict=True)], unit="M3")

    response = business_client.get(_day_url(meter, day))

    assert response.status_code == 200
    rows = _read(response).rows
    assert [row[1] for row in rows] == [_shown(v) for v in volumes]  # m³
    assert [row[2] for row in rows] == [_shown(_gas_kwh(v)) for v in volumes]  # kWh
    assert rows[2][1:3] == ["0.075", "0.842"]  # 0.075 * 1.02264 * 39.5 / 3.6 = 0.84155 (by hand)
    page = _text(response)
    assert "kWh = m³ × 1.02264 (volume correction) × 39.5 (calorific value, MJ/m³) ÷ 3.6" in page  # noqa: RUF001
    assert "calorific value used on this page is 39.5 MJ/m³" in page


def test_the_calorific_value_shown_is_the_one_used(business_client: Client, business_site: Site, settings: Any) -> None:
    settings.HEARTH_DEFAULT_CALORIFIC_VALUE = "38.6"
    _select(business_client, business_site.gas.pk)
    day = date(2026, 11, 10)
    _store(business_site.gas_meter, [Interval(s, Decimal("1.0000")) for s in _half_hours(day)], unit="M3")

    response = business_client.get(_day_url(business_site.gas_meter, day))

    assert _read(response).rows[0][2] == _shown(_gas_kwh(Decimal(1), Decimal("38.6")))
    assert "38.6 (calorific value, MJ/m³)" in _text(response)


def test_estimated_missing_and_late_half_hours_are_marked(business_client: Client, business_site: Site) -> None:
    day = date(2026, 11, 10)
    starts = _half_hours(day)
    day_ends = datetime(2026, 11, 11, tzinfo=UK)
    intervals = [Interval(s, Decimal("0.5")) for s in starts]
    intervals[3].quality = IntervalConsumption.Quality.ESTIMATED
    intervals[7].quality = IntervalConsumption.Quality.MISSING
    intervals[8].received_at = day_ends + timedelta(days=1, minutes=1)  # more than a day after the day ended
    intervals[9].received_at = day_ends + timedelta(hours=23)  # the next morning's SMS: not late
    del intervals[20]  # a gap: no row at all
    _store(business_site.electricity_meter, intervals)

    response = business_client.get(_day_url(business_site.electricity_meter, day))

    rows = _read(response).rows
    assert len(rows) == 48
    assert rows[3][2] == "Estimated"
    assert rows[7][1:3] == ["no data", "Missing: no data"]
    assert rows[20][1:3] == ["no data", "Missing: no data"]
    assert rows[8][2] == "Actual Late"
    assert rows[9][2] == "Actual"
    bars = _read(response).bars
    assert bars.count("estimated") == 1
    assert bars.count("missing") == 2
    assert bars.count("late") == 1
    page = _text(response)
    assert "Estimated (hatched bar)" in page
    assert "dashed outline" in page
    assert re.search(r'aria-label="[^"]*2 missing, 1 estimated, 1 late', response.content.decode())


def test_the_csv_is_the_table_row_for_row(business_client: Client, business_site: Site) -> None:
    day = date(2026, 10, 25)
    intervals = [Interval(s, Decimal("0.25") + Decimal(i) / 1000) for i, s in enumerate(_half_hours(day))]
    intervals[5].quality = IntervalConsumption.Quality.ESTIMATED
    del intervals[10]
    _store(business_site.electricity_meter, intervals)

    table = _read(business_client.get(_day_url(business_site.electricity_meter, day)))
    download = business_client.get(_day_url(business_site.electricity_meter, day, csv_file=True))

    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert download["Cache-Control"] == "no-store"
    assert re.fullmatch(
        rf'attachment; filename="half-hourly-use-{business_site.electricity_meter.serial_number}-20261025\.csv"',
        download["Content-Disposition"],
    )
    rows = _csv_rows(download)
    assert list(rows[0])[:5] == ["interval_start", "interval_end", "quantity", "unit", "quality"]
    assert len(rows) == len(table.rows) == 50
    for row, shown in zip(rows, table.rows, strict=True):
        start = datetime.fromisoformat(row["interval_start"])
        end = datetime.fromisoformat(row["interval_end"])
        assert end - start == timedelta(minutes=30)
        assert shown[0].startswith(start.astimezone(UK).strftime("%H:%M"))
        assert (row["quantity"] or "no data") == shown[1]
        assert row["unit"] == "kWh"
    assert rows[5]["quality"] == "ESTIMATED"
    assert (rows[10]["quality"], rows[10]["quantity"]) == ("MISSING", "")


def test_the_gas_csv_carries_cubic_metres_and_kwh(business_client: Client, business_site: Site) -> None:
    _select(business_client, business_site.gas.pk)
    day = date(2026, 11, 10)
    _store(business_site.gas_meter, [Interval(s, Decimal("0.0750")) for s in _half_hours(day)], unit="M3")

    rows = _csv_rows(business_client.get(_day_url(business_site.gas_meter, day, csv_file=True)))

    assert len(rows) == 48
    assert (rows[0]["quantity"], rows[0]["unit"]) == ("0.075", "m3")
    assert rows[0]["kwh"] == _shown(_gas_kwh(Decimal("0.075")))


# --- Daily ------------------------------------------------------------------------------------------------------


def test_the_daily_view_totals_each_uk_day(business_client: Client, business_site: Site) -> None:
    meter = business_site.electricity_meter
    first = date(2026, 10, 24)
    # 24 Oct: 48 half-hours of 0.5; 25 Oct (50 half-hours) of 0.5; 26 Oct: nothing; 27 Oct: a daily total only.
    _store(meter, [Interval(s, Decimal("0.5")) for s in _half_hours(first) + _half_hours(date(2026, 10, 25))])
    DailyConsumption.objects.create(
        meter=meter,
        day_date=date(2026, 10, 27),
        quantity=Decimal("7.2500"),
        unit="KWH",
        kwh=Decimal("7.2500"),
        quality=IntervalConsumption.Quality.ESTIMATED,
        source=ReadingSource.ESTIMATED,
        received_at=datetime(2026, 10, 28, 6, tzinfo=UTC),
    )

    response = business_client.get(_daily_url(meter, first, date(2026, 10, 27)))

    rows = _read(response).rows
    assert [row[0] for row in rows] == ["Sat 24 Oct 2026", "Sun 25 Oct 2026", "Mon 26 Oct 2026", "Tue 27 Oct 2026"]
    assert [row[1] for row in rows] == ["24.000", "25.000", "no data", "7.250"]
    assert [row[2] for row in rows] == ["Actual", "Actual", "Missing: no data", "Estimated"]

    rows_csv = _csv_rows(business_client.get(_daily_url(meter, first, date(2026, 10, 27), csv_file=True)))
    assert [(r["interval_start"], r["interval_end"]) for r in rows_csv[:2]] == [
        ("2026-10-24T00:00:00+01:00", "2026-10-25T00:00:00+01:00"),
        ("2026-10-25T00:00:00+01:00", "2026-10-26T00:00:00+00:00"),
    ]
    assert [r["quantity"] for r in rows_csv] == ["24.000", "25.000", "", "7.250"]


def test_a_day_with_some_half_hours_missing_says_part_is_missing(business_client: Client, business_site: Site) -> None:
    meter = business_site.electricity_meter
    day = date(2026, 11, 2)
    intervals = [Interval(s, Decimal("1")) for s in _half_hours(day)]
    intervals[0].quality = IntervalConsumption.Quality.MISSING
    _store(meter, intervals)

    rows = _read(business_client.get(_daily_url(meter, day, day))).rows

    assert rows == [["Mon 2 Nov 2026", "47.000", "Part missing: total of the data received"]]


def test_the_daily_view_defaults_to_the_last_thirty_complete_days(business_client: Client, business_site: Site) -> None:
    response = business_client.get(f"/services/consumption/{business_site.electricity_meter.pk}/")

    rows = _read(response).rows
    yesterday = datetime.now(UK).date() - timedelta(days=1)
    assert len(rows) == 30
    assert rows[-1][0] == f"{yesterday:%a} {yesterday.day} {yesterday:%b %Y}"  # the last complete day


def test_bad_dates_are_explained_not_a_server_error(business_client: Client, business_site: Site) -> None:
    meter = business_site.electricity_meter
    Supply.objects.filter(account=business_site.electricity).update(valid_from=date(2024, 1, 1))
    base = f"/services/consumption/{meter.pk}/"

    impossible = business_client.get(f"{base}?period_from=2026-02-30&period_to=2026-03-02")
    backwards = business_client.get(f"{base}?period_from=2026-03-10&period_to=2026-03-02")
    too_long = business_client.get(f"{base}?period_from=2025-01-01&period_to=2026-01-02")
    bad_csv = business_client.get(f"{base}daily.csv?period_from=soon&period_to=2026-03-02")
    future_day = business_client.get(f"{base}day/?day=2099-01-01")

    assert impossible.status_code == 400
    assert "Enter the from date as a real date" in _text(impossible)
    assert "The to date must be the same as or after the from date." in _text(backwards)
    assert "Choose at most 366 days" in _text(too_long)
    assert bad_csv.status_code == 400
    assert bad_csv.content.decode().startswith("period_from: Enter the from date as a real date")
    assert future_day.status_code == 400
    assert "is in the future" in _text(future_day)


def test_days_before_the_supply_began_are_not_shown(business_client: Client, business_site: Site) -> None:
    meter = business_site.electricity_meter
    before = SUPPLY_FROM - timedelta(days=1)
    _store(meter, [Interval(s, Decimal("9.999")) for s in _half_hours(before)])  # the previous occupant's

    response = business_client.get(_day_url(meter, before))
    download = business_client.get(_daily_url(meter, before, SUPPLY_FROM, csv_file=True))

    assert response.status_code == 400
    assert "when your supply through this meter point began" in _text(response)
    assert "9.999" not in response.content.decode()
    assert download.status_code == 400
    assert b"9.999" not in download.content


# --- Households and consent --------------------------------------------------------------------------------------


def test_a_household_without_consent_sees_daily_totals_but_no_half_hours(signed_in: Client, household: Site) -> None:
    _supplied_since_january(household)
    meter = household.electricity_meter
    day = date(2026, 11, 10)
    DailyConsumption.objects.create(
        meter=meter,
        day_date=day,
        quantity=Decimal("8.4210"),
        unit="KWH",
        kwh=Decimal("8.4210"),
        quality=IntervalConsumption.Quality.ACTUAL,
        source=ReadingSource.SMART,
        received_at=datetime(2026, 11, 11, 5, tzinfo=UTC),
    )
    _select(signed_in, household.electricity.pk)

    daily = signed_in.get(_daily_url(meter, day, day))
    within = signed_in.get(_day_url(meter, day))
    within_csv = signed_in.get(_day_url(meter, day, csv_file=True))

    assert _read(daily).rows == [["Tue 10 Nov 2026", "8.421", "Actual"]]
    assert "Half-hourly figures are not available" in _text(within)
    assert 'href="/services/half-hourly-data/"' in within.content.decode()
    assert _read(within).rows == []
    assert within_csv.status_code == 403


def test_a_household_that_opted_in_sees_its_half_hours(signed_in: Client, household: Site, customer_login: Any) -> None:
    _supplied_since_january(household)
    meter = household.electricity_meter
    metering_consent.record_consent(
        supply_point=meter.supply_point, granted=True, by=customer_login, now=datetime.now(UTC)
    )
    day = date(2026, 11, 10)
    _store(meter, [Interval(s, Decimal("0.4")) for s in _half_hours(day)])
    _select(signed_in, household.electricity.pk)

    rows = _read(signed_in.get(_day_url(meter, day))).rows

    assert len(rows) == 48
    assert rows[0][1] == "0.400"


# --- Whose meters --------------------------------------------------------------------------------------------


def test_another_customers_meter_is_not_found(business_client: Client, business_site: Site, household: Site) -> None:
    _supplied_since_january(household)
    day = date(2026, 11, 10)
    _store(household.electricity_meter, [Interval(s, Decimal("0.777")) for s in _half_hours(day)])

    for url in (
        _day_url(household.electricity_meter, day),
        _day_url(household.electricity_meter, day, csv_file=True),
        _daily_url(household.electricity_meter, day, day),
        _daily_url(household.electricity_meter, day, day, csv_file=True),
    ):
        response = business_client.get(url)
        assert response.status_code == 404, url
        assert b"0.777" not in response.content
        assert household.electricity_meter.serial_number.encode() not in response.content


def test_a_meter_of_another_linked_account_needs_that_account_selected(
    business_client: Client, business_site: Site
) -> None:
    _select(business_client, business_site.electricity.pk)

    response = business_client.get(f"/services/consumption/{business_site.gas_meter.pk}/")

    assert response.status_code == 404


def test_the_amr_and_smart_tiles_open_the_consumption_page(
    business_client: Client, business_site: Site, build: Builder
) -> None:
    build.amr_device(business_site.electricity_meter)
    _select(business_client, business_site.electricity.pk)

    dashboard = business_client.get("/").content.decode()
    page = business_client.get("/services/consumption/")

    assert re.search(
        r'<a class="tile" href="/services/consumption/"[^>]*><h2>Automatic meter readings \(AMR\)</h2>', dashboard
    )
    assert page.status_code == 200
    text = _text(page)
    assert business_site.electricity_meter.serial_number in text
    assert f'href="/services/consumption/{business_site.electricity_meter.pk}/"' in page.content.decode()


def test_a_day_is_late_when_any_of_its_figures_arrived_over_a_day_after_it(
    business_client: Client, business_site: Site
) -> None:
    """The daily page's late marks: a day's half-hours and its daily total alike count, read with its totals."""
    meter = business_site.electricity_meter
    first = date(2026, 11, 2)
    days = [first + timedelta(days=n) for n in range(4)]
    on_time = [Interval(s, Decimal("1")) for day in days[:3] for s in _half_hours(day)]
    day_ends = datetime(2026, 11, 3, tzinfo=UK).astimezone(UTC)  # the end of 2 Nov, local
    on_time[5].received_at = day_ends + timedelta(days=1, hours=1)  # 2 Nov: one half-hour a day and an hour late
    _store(meter, on_time)
    for day, received_at in (
        (days[2], datetime(2026, 11, 7, 9, tzinfo=UTC)),
        (days[3], datetime(2026, 11, 9, tzinfo=UTC)),
    ):
        DailyConsumption.objects.create(
            meter=meter,
            day_date=day,
            quantity=Decimal("48"),
            unit="KWH",
            kwh=Decimal("48"),
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.INDUSTRY,
            received_at=received_at,
        )

    rows = _read(business_client.get(_daily_url(meter, days[0], days[-1]))).rows

    # 2 Nov: a half-hour late. 3 Nov: on time. 4 Nov: its half-hours on time, its daily total (not shown) late.
    # 5 Nov: a daily total only, late.
    assert [row[2] for row in rows] == ["Actual Late", "Actual", "Actual Late", "Actual Late"]
