"""Consumption in money (issue 13): the portal's daily and half-hourly pages price each figure at the tariff in force.

Every expected cost is worked out by hand in the comments (kWh x pence excluding VAT x 1.05, rounded half-up to the
penny once), never taken from the code: Economy 7's night window counted in UK clock time across the clock-change
days, a dynamic tariff's own half-hourly prices, gaps as gaps, and the range in the URL.
"""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from hearth.data.accounts.models import Customer, Fuel, Supply
from hearth.data.metering.models import DailyConsumption, IntervalConsumption, Meter, ReadingSource
from hearth.data.tariffs.models import HalfHourlyPrice, PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.billing import costs
from hearth.domain.metering import consumption as metering_consumption
from hearth.domain.tariffs import operations as tariff_ops
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")
SUPPLY_FROM = date(2025, 1, 1)
NIGHT = (time(0, 30), time(7, 30))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UK)


def _half_hours(day: date) -> list[datetime]:
    """A UK day's half-hour starts in UTC, stepped in UTC from UK midnight to the next."""
    at, end = _midnight(day).astimezone(UTC), _midnight(day + timedelta(days=1)).astimezone(UTC)
    starts = []
    while at < end:
        starts.append(at)
        at += timedelta(minutes=30)
    return starts


def _store(meter: Meter, starts: list[datetime], kwh: str = "1") -> None:
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=meter,
            interval_start=at,
            interval_minutes=30,
            quantity=Decimal(kwh),
            unit="KWH",
            kwh=Decimal(kwh),
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.SMART,
            received_at=at + timedelta(hours=6),
        )
        for at in starts
    )


def _tariff(structure: Tariff.Structure, units: dict[str, str], *, night: tuple[time, time] | None = None) -> Tariff:
    product = tariff_ops.create_product(
        code=f"HEARTH-TEST-{structure}",
        full_name=f"Hearth Test {structure.label}",
        display_name=f"Hearth Test {structure.label}",
        description="Prices for the tests.",
        kind=Product.Kind.VARIABLE,
        available_from=_midnight(SUPPLY_FROM),
    )
    return tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="A",
        structure=structure,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal("50.0000"),
        unit_rates_exc_vat={band: Decimal(value) for band, value in units.items()},
        valid_from=_midnight(SUPPLY_FROM),
        night_starts_at=night[0] if night else None,
        night_ends_at=night[1] if night else None,
    )


def _economy_7() -> Tariff:
    return _tariff(Tariff.Structure.TWO_RATE, {UnitRate.DAY: "30.0000", UnitRate.NIGHT: "15.0000"}, night=NIGHT)


def _single_rate() -> Tariff:
    return _tariff(Tariff.Structure.SINGLE_RATE, {UnitRate.STANDARD: "20.0000"})


def _place(meter: Meter, tariff: Tariff) -> None:
    tariff_ops.place_on_tariff(supply_point=meter.supply_point, tariff=tariff, valid_from=_midnight(SUPPLY_FROM))


@pytest.fixture
def site(build: Builder) -> Site:
    """A small business (within-day data by its contract; under 33 kWh a day, so VAT is 5%) supplied since 2025."""
    built = build.site(
        name="Hob and Kettle Ltd",
        email="till@hobandkettle.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.SMART,
        kind=Customer.Kind.ORGANISATION,
    )
    Supply.objects.filter(account__in=[built.electricity, built.gas]).update(valid_from=SUPPLY_FROM)
    return built


@pytest.fixture
def customer(client: Client, build: Builder, site: Site) -> Client:
    build.activated_login("till@hobandkettle.example", site.electricity)
    assert sign_in(client, "till@hobandkettle.example", PASSWORD).status_code == 302
    return client


def _rows(response: Any) -> list[list[str]]:
    """The figures table's body rows as cell texts."""
    html = response.content.decode()
    body = html.split('<table class="figures">', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _daily(meter: Meter, first: date, last: date) -> str:
    return f"/services/consumption/{meter.pk}/?from={first.isoformat()}&to={last.isoformat()}"


def _day(meter: Meter, day: date) -> str:
    return f"/services/consumption/{meter.pk}/day/?day={day.isoformat()}"


# --- Economy 7 across its window -------------------------------------------------------------------------------


def test_an_economy_7_day_is_priced_night_and_day_by_uk_clock_time(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    _place(meter, _economy_7())
    day = date(2026, 11, 2)  # GMT: 48 half-hours of 0.5 kWh
    _store(meter, _half_hours(day), "0.5")

    daily = customer.get(_daily(meter, day, day))
    within = customer.get(_day(meter, day))

    # Night 00:30-07:30: the half-hours starting 00:30 ... 07:00 = 14, 7 kWh x 15p = 105p. Day: 34 x 0.5 = 17 kWh
    # x 30p = 510p. 615p x 1.05 = 645.75p -> £6.46.
    assert _rows(daily) == [["Mon 2 Nov 2026", "24.000", "£6.46", "Actual"]]
    rows = _rows(within)
    # 00:00 is day: 0.5 x 30p x 1.05 = 15.75p; 00:30 is night: 0.5 x 15p x 1.05 = 7.875p -> 7.88p shown.
    assert [row[:3] for row in rows[:2]] == [
        ["00:00 to 00:30", "0.500", "15.75p"],
        ["00:30 to 01:00", "0.500", "7.88p"],
    ]
    assert rows[14][:3] == ["07:00 to 07:30", "0.500", "7.88p"]  # the last night half-hour
    assert rows[15][:3] == ["07:30 to 08:00", "0.500", "15.75p"]
    # The day's half-hours, summed unrounded and rounded once, are the daily page's £6.46.
    assert "24.000 kWh cost £6.46 with VAT" in _text(within)
    # Standing charge apart: 50p x 1.05 = 52.50p a day.
    assert "52.50p a day with VAT" in _text(daily)
    assert "£0.53 for this day" in _text(daily)  # 52.5p, rounded once


def test_the_october_clock_change_day_has_fifty_half_hours_and_sixteen_of_them_at_night(
    customer: Client, site: Site
) -> None:
    meter = site.electricity_meter
    _place(meter, _economy_7())
    day = date(2026, 10, 25)  # 01:00-02:00 happens twice (BST, then GMT)
    _store(meter, _half_hours(day), "0.5")
    assert len(_half_hours(day)) == 50

    # Night half-hours by UK clock: 00:30, 01:00 and 01:30 BST, 01:00 and 01:30 GMT, 02:00 ... 07:00 (11) = 16.
    # 16 x 0.5 x 15p + 34 x 0.5 x 30p = 120p + 510p = 630p x 1.05 = 661.5p = £6.62 (half-up).
    assert _rows(customer.get(_daily(meter, day, day))) == [["Sun 25 Oct 2026", "25.000", "£6.62", "Actual"]]
    rows = _rows(customer.get(_day(meter, day)))
    assert len(rows) == 50
    night = [row[0] for row in rows if row[2] == "7.88p"]  # 0.5 kWh x 15p x 1.05 = 7.875p
    assert night[:5] == [
        "00:30 BST to 01:00 BST",
        "01:00 BST to 01:30 BST",
        "01:30 BST to 01:00 GMT",
        "01:00 GMT to 01:30 GMT",
        "01:30 GMT to 02:00 GMT",
    ]
    assert len(night) == 16


def test_the_march_clock_change_day_has_forty_six_half_hours_and_twelve_at_night(site: Site) -> None:
    """28 March 2027 is after today, so the pages refuse it: the domain is asked directly."""
    meter = site.electricity_meter
    _place(meter, _economy_7())
    day = date(2027, 3, 28)  # 01:00 GMT becomes 02:00 BST
    starts = _half_hours(day)
    assert len(starts) == 46
    _store(meter, starts)
    prices = costs.prices_for(
        supply_point=meter.supply_point, first_day=day, last_day=day, is_business=False, daily_average_kwh=Decimal(46)
    )
    assert prices is not None

    # Night: 00:30, then 02:00 ... 07:00 (11) = 12 half-hours x 15p = 180p; day 34 x 30p = 1020p; 1200p x 1.05 = £12.60.
    assert costs.day_costs(meter=meter, prices=prices, day_kwh={day: Decimal(46)}) == {day: Decimal("12.60")}
    half_hours = costs.half_hour_costs(prices=prices, half_hours=[(at, Decimal(1)) for at in starts])
    assert sum(1 for cost in half_hours if cost == Decimal("0.1575")) == 12
    assert sum((cost or Decimal(0) for cost in half_hours), Decimal(0)) == Decimal("12.6000")
    assert None not in half_hours


def test_a_single_rate_clock_change_day_is_its_fifty_kwh_at_one_price(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    _place(meter, _single_rate())
    day = date(2026, 10, 25)
    _store(meter, _half_hours(day), "0.5")

    # 50 x 0.5 = 25 kWh x 20p = 500p x 1.05 = £5.25; each half-hour 0.5 x 20p x 1.05 = 10.50p.
    assert _rows(customer.get(_daily(meter, day, day)))[0][2] == "£5.25"
    rows = _rows(customer.get(_day(meter, day)))
    assert len(rows) == 50
    assert {row[2] for row in rows} == {"10.50p"}
    assert "25.000 kWh cost £5.25 with VAT" in _text(customer.get(_day(meter, day)))


def test_a_business_over_de_minimis_pays_20_percent_vat(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    _place(meter, _single_rate())
    day = date(2026, 11, 2)
    _store(meter, _half_hours(day))

    # 48 kWh in a day is over the 33 kWh de minimis: 48 x 20p = 960p x 1.20 = £11.52.
    assert _rows(customer.get(_daily(meter, day, day)))[0][2] == "£11.52"


def test_a_dynamic_tariff_prices_each_half_hour_at_its_own_price(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    dynamic = _tariff(Tariff.Structure.HALF_HOURLY, {})
    _place(meter, dynamic)
    day, unpriced_day = date(2026, 11, 3), date(2026, 11, 4)
    _store(meter, _half_hours(day) + _half_hours(unpriced_day), "0.5")
    for at in _half_hours(day) + _half_hours(unpriced_day)[1:]:  # 4 Nov's first half-hour has no price
        price = "10.0000" if at.astimezone(UK).hour < 12 else "20.0000"
        HalfHourlyPrice.objects.create(tariff=dynamic, interval_start=at, value_exc_vat=Decimal(price))

    rows = _rows(customer.get(_daily(meter, day, unpriced_day)))

    # 24 x 0.5 kWh x 10p + 24 x 0.5 kWh x 20p = 360p x 1.05 = 378p = £3.78. A day with an unpriced half-hour: none.
    assert [row[2] for row in rows] == ["£3.78", "no price"]
    within = _rows(customer.get(_day(meter, unpriced_day)))
    assert (within[0][2], within[1][2]) == ("no price", "5.25p")  # 0.5 x 10p x 1.05


def test_economy_7_days_known_only_by_a_daily_total_have_no_cost(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    _place(meter, _economy_7())
    day = date(2026, 11, 5)
    DailyConsumption.objects.create(
        meter=meter,
        day_date=day,
        quantity=Decimal("10"),
        unit="KWH",
        kwh=Decimal("10"),
        quality=IntervalConsumption.Quality.ACTUAL,
        source=ReadingSource.SMART,
        received_at=_midnight(day + timedelta(days=1)),
    )

    response = customer.get(_daily(meter, day, day))

    assert _rows(response) == [["Thu 5 Nov 2026", "10.000", "no price", "Actual"]]
    assert "A day known only by its daily total has no cost" in _text(response)


# --- Gaps ------------------------------------------------------------------------------------------------------


def test_days_without_data_are_gaps_labelled_no_data_not_bars(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    _place(meter, _single_rate())
    first = date(2026, 11, 9)
    _store(meter, _half_hours(first) + _half_hours(first + timedelta(days=2)), "0.5")

    response = customer.get(_daily(meter, first, first + timedelta(days=2)))

    # 24 kWh x 20p x 1.05 = 504p = £5.04 a day.
    assert [row[1:3] for row in _rows(response)] == [["24.000", "£5.04"], ["no data", "no data"], ["24.000", "£5.04"]]
    html = response.content.decode()
    # Two charts (kWh and £), each with one gap: a short dashed mark at the foot, "no data" written in it, no bar.
    gaps = re.findall(r'<rect [^>]*data-kind="missing"[^>]*>', html)
    assert len(gaps) == 2
    assert all('height="8.0"' in gap for gap in gaps)
    assert len(re.findall(r'data-kind="gap-label"[^>]*>no data<', html)) == 2
    assert len(re.findall(r'<rect [^>]*data-kind="actual"', html)) == 4
    # The total leaves the gap out: 48 kWh, 2 x £5.04 = £10.08.
    assert "48.000 kWh cost £10.08 with VAT" in _text(response)


def test_a_page_without_a_tariff_says_so_and_draws_no_cost_chart(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    day = date(2026, 11, 2)
    _store(meter, _half_hours(day))

    response = customer.get(_daily(meter, day, day))

    assert "we cannot show what they cost" in _text(response)
    assert 'id="chart-cost"' not in response.content.decode()
    assert _rows(response) == [["Mon 2 Nov 2026", "48.000", "Actual"]]


# --- The range in the URL ---------------------------------------------------------------------------------------


def test_the_range_in_the_url_is_the_range_shown_and_carried_into_the_links(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    _place(meter, _single_rate())

    response = customer.get(_daily(meter, date(2026, 11, 1), date(2026, 11, 3)))

    assert [row[0] for row in _rows(response)] == ["Sun 1 Nov 2026", "Mon 2 Nov 2026", "Tue 3 Nov 2026"]
    html = response.content.decode()
    assert 'value="2026-11-01"' in html
    assert 'value="2026-11-03"' in html
    assert f"/services/consumption/{meter.pk}/daily.csv?from=2026-11-01&amp;to=2026-11-03" in html
    assert f"/services/consumption/{meter.pk}/day/?day=2026-11-03" in html
    rows = list(
        csv.DictReader(
            io.StringIO(
                customer.get(
                    f"/services/consumption/{meter.pk}/daily.csv?from=2026-11-01&to=2026-11-03"
                ).content.decode()
            )
        )
    )
    assert [row["interval_start"][:10] for row in rows] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert "cost_gbp" in rows[0]


def test_a_bad_range_in_the_url_is_explained_at_its_field(customer: Client, site: Site) -> None:
    meter = site.electricity_meter

    backwards = customer.get(_daily(meter, date(2026, 11, 5), date(2026, 11, 1)))
    nonsense = customer.get(f"/services/consumption/{meter.pk}/?from=yesterday&to=2026-11-01")

    assert backwards.status_code == 400
    html = backwards.content.decode()
    assert re.search(r'id="id_period_to-error"[^>]*>.*The to date must be the same as or after the from date', html)
    assert 'aria-describedby="id_period_to_error"' in html
    assert nonsense.status_code == 400
    assert re.search(r'id="id_period_from-error"[^>]*>.*Enter the from date as a real date', nonsense.content.decode())


# --- The same days last year ------------------------------------------------------------------------------------


def test_the_same_days_last_year_are_compared_in_kwh_and_pounds(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    _place(meter, _single_rate())
    this_year, last_year = date(2026, 11, 2), date(2025, 11, 2)
    _store(meter, _half_hours(this_year), "0.625")  # 48 x 0.625 = 30 kWh
    _store(meter, _half_hours(last_year), "0.5")  # 24 kWh

    text = _text(customer.get(_daily(meter, this_year, this_year)))

    # 24 kWh x 20p x 1.05 = 504p = £5.04; 30 kWh = 630p = £6.30. 6 kWh more = 25% more; £1.26 more = 25% more.
    assert "2 November 2025 to 2 November 2025 : 24.000 kWh , £5.04 ." in text
    assert "This period: 30.000 kWh , 6.000 kWh more (25% more); £6.30 , £1.26 more (25% more)." in text


def test_no_comparison_when_last_year_has_no_data_or_was_someone_elses(customer: Client, site: Site) -> None:
    meter = site.electricity_meter
    _place(meter, _single_rate())
    Supply.objects.filter(account=site.electricity).update(valid_from=date(2026, 1, 1))
    _store(meter, _half_hours(date(2025, 11, 2)))  # the previous occupant's
    _store(meter, _half_hours(date(2026, 11, 2)))

    html = customer.get(_daily(meter, date(2026, 11, 2), date(2026, 11, 2))).content.decode()
    panel = " ".join(re.sub(r"<[^>]+>", " ", html.split('id="last-year">', 1)[1].split("</div>", 1)[0]).split())

    assert panel == (
        "Compared with the same days last year We have no data for the same days last year "
        "(2 November 2025 to 2 November 2025), so there is nothing to compare with."
    )


# --- Local days in SQL (issue 14) --------------------------------------------------------------------------------


def test_local_days_and_clock_times_worked_out_in_sql_match_the_zone_database(site: Site) -> None:
    """Every half-hour of 2026 and early 2027 grouped by the database is grouped as Europe/London says."""
    meter = site.electricity_meter
    first, last = date(2026, 1, 1), date(2027, 4, 30)
    starts = [at for n in range((last - first).days + 1) for at in _half_hours(first + timedelta(days=n))]
    _store(meter, starts)
    totals = metering_consumption.grouped(
        meter=meter,
        group_by=metering_consumption.GroupBy.DAY,
        period_from=_midnight(first),
        period_to=_midnight(last + timedelta(days=1)),
    )
    by_day = {total.interval_start.astimezone(UK).date(): total.kwh for total in totals}
    assert by_day[date(2026, 3, 29)] == 46
    assert by_day[date(2026, 10, 25)] == 50
    assert by_day[date(2027, 3, 28)] == 46
    assert by_day[date(2026, 11, 2)] == 48
    expected: dict[date, int] = {}
    for at in starts:
        expected[at.astimezone(UK).date()] = expected.get(at.astimezone(UK).date(), 0) + 1
    assert by_day == expected

    bands = metering_consumption.kwh_by_day_and_band(
        meter=meter,
        period_from=_midnight(first),
        period_to=_midnight(last + timedelta(days=1)),
        bands=[("NIGHT", *NIGHT), ("DAY", NIGHT[1], NIGHT[0])],
    )
    expected_night: dict[date, int] = {}
    for at in starts:
        local = at.astimezone(UK)
        if time(0, 30) <= local.time() < time(7, 30):
            expected_night[local.date()] = expected_night.get(local.date(), 0) + 1
    assert {day: kwh for (day, band), kwh in bands.items() if band == "NIGHT"} == expected_night
