"""The consumption endpoints, as Octopus Energy API clients call them: paths, paging, grouping, ordering, scope.

Expected figures are worked out here from the rows the test stores, with the clock-change boundaries written out
as UTC instants, never by calling the code under test.
"""

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.common.calendar import LONDON
from hearth.data.accounts.models import Supply
from hearth.data.identity.models import User
from hearth.data.metering.models import DailyConsumption, IntervalConsumption, Meter, ReadingSource
from hearth.domain.identity import api_keys
from hearth.domain.metering import consumption as metering_consumption
from tests.integration.conftest import Builder, Site

HALF_HOUR = timedelta(minutes=30)
SUPPLY_START = date(2026, 1, 1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def basic(key: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def three_places(value: Decimal) -> float:
    """What a client should read: the Decimal rounded half-up to 3 places, as a JSON number."""
    return float(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def store_intervals(
    meter: Meter,
    start: datetime,
    count: int,
    quantity: Callable[[int], Decimal] = lambda i: Decimal("0.1") + Decimal(i % 7) / 10 + Decimal("0.0004"),
    *,
    unit: str = "KWH",
    kwh_per_unit: Decimal = Decimal(1),
    quality: str = IntervalConsumption.Quality.ACTUAL,
) -> dict[datetime, Decimal]:
    """Store `count` half-hours from `start` (UTC); return each one's quantity by its start."""
    stored = {start + i * HALF_HOUR: quantity(i) for i in range(count)}
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=meter,
            interval_start=at,
            interval_minutes=30,
            quantity=value,
            unit=unit,
            kwh=(value * kwh_per_unit).quantize(Decimal("0.0001")),
            quality=quality,
            source=ReadingSource.SMART,
            received_at=start,
        )
        for at, value in stored.items()
    )
    return stored


@dataclass
class Reader:
    """A household whose login has an API key, supplied since 1 January 2026."""

    site: Site
    login: User
    key: str
    client: Client

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, **basic(self.key))

    @property
    def electricity_path(self) -> str:
        meter = self.site.electricity_meter
        point, serial = meter.supply_point.identifier, meter.serial_number
        return f"/api/v1/electricity-meter-points/{point}/meters/{serial}/consumption/"

    @property
    def gas_path(self) -> str:
        meter = self.site.gas_meter
        point, serial = meter.supply_point.identifier, meter.serial_number
        return f"/api/v1/gas-meter-points/{point}/meters/{serial}/consumption/"


def backdate_supplies(site: Site, valid_from: date = SUPPLY_START) -> None:
    Supply.objects.filter(account__in=[site.electricity, site.gas]).update(valid_from=valid_from)


@pytest.fixture
def reader(client: Client, build: Builder, household: Site, customer_login: User) -> Reader:
    backdate_supplies(household)
    _row, key = api_keys.create_api_key(user=customer_login, name="test client", now=build.now())
    return Reader(household, customer_login, key, client)


# --- Paths and shape --------------------------------------------------------------------------------------------


def test_an_octopus_style_client_gets_the_same_answer_with_and_without_the_trailing_slash(reader):
    store_intervals(reader.site.electricity_meter, utc(2026, 5, 7, 23), 4)  # 00:00-02:00 BST on 8 May
    with_slash = reader.get(reader.electricity_path, period_from="2026-05-08T00:00:00+01:00")
    without = reader.get(reader.electricity_path.rstrip("/"), period_from="2026-05-08T00:00:00+01:00")
    assert with_slash.status_code == without.status_code == 200
    assert "no-store" in with_slash["Cache-Control"]
    body = with_slash.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["results"] == without.json()["results"]
    newest = body["results"][-1]
    assert {"consumption", "interval_start", "interval_end"} <= set(newest)
    assert newest["interval_start"] == "2026-05-08T00:00:00+01:00"
    assert newest["interval_end"] == "2026-05-08T00:30:00+01:00"
    assert newest["consumption"] == 0.1  # 0.1004 kWh to 3 places
    assert isinstance(newest["consumption"], float)
    assert newest["unit"] == "kWh"
    assert newest["quality"] == "ACTUAL"


def test_winter_times_are_shown_with_the_gmt_offset(reader):
    store_intervals(reader.site.electricity_meter, utc(2026, 12, 1), 1)
    (result,) = reader.get(reader.electricity_path).json()["results"]
    assert result["interval_start"] == "2026-12-01T00:00:00+00:00"
    assert result["interval_end"] == "2026-12-01T00:30:00+00:00"


@pytest.mark.django_db(transaction=True)
def test_a_real_http_client_answers_the_basic_challenge_and_reads_both_paths(live_server, build, household):
    """urllib sends credentials only after a 401 with `WWW-Authenticate: Basic realm=...`, as many clients do."""
    login = build.activated_login("jo.bloggs@example.com", household.electricity, household.gas)
    backdate_supplies(household)
    _row, key = api_keys.create_api_key(user=login, name="urllib", now=build.now())
    store_intervals(household.electricity_meter, utc(2026, 5, 7, 23), 3)
    meter = household.electricity_meter
    point, serial = meter.supply_point.identifier, meter.serial_number
    base = f"{live_server.url}/api/v1/electricity-meter-points/{point}/meters/{serial}/consumption"
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, live_server.url, key, "")
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords))
    for url in (base, base + "/"):
        with opener.open(url + "?page_size=2&order_by=period") as response:
            body = json.load(response)
        assert body["count"] == 3
        assert [r["interval_start"] for r in body["results"]] == [
            "2026-05-08T00:00:00+01:00",
            "2026-05-08T00:30:00+01:00",
        ]
        assert body["next"].startswith(url + "?")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(base + "/")
    assert refused.value.code == 401


# --- Paging ------------------------------------------------------------------------------------------------------


def test_paging_walks_every_interval_once_with_absolute_links_keeping_the_query(reader):
    stored = store_intervals(reader.site.electricity_meter, utc(2026, 6, 1), 130)
    params = {"period_from": "2026-06-01T00:00:00Z", "period_to": "2026-06-10T00:00:00Z"}
    first = reader.get(reader.electricity_path, **params).json()
    assert first["count"] == 130
    assert len(first["results"]) == 100
    assert first["previous"] is None
    next_url = urlsplit(first["next"])
    assert (next_url.scheme, next_url.netloc, next_url.path) == ("http", "testserver", reader.electricity_path)
    assert parse_qs(next_url.query) == {
        "period_from": ["2026-06-01T00:00:00Z"],
        "period_to": ["2026-06-10T00:00:00Z"],
        "page": ["2"],
    }

    second = reader.client.get(first["next"], **basic(reader.key)).json()
    assert second["count"] == 130
    assert len(second["results"]) == 30
    assert second["next"] is None
    assert parse_qs(urlsplit(second["previous"]).query)["page"] == ["1"]

    seen = [r["interval_start"] for r in first["results"] + second["results"]]
    assert len(set(seen)) == 130
    assert sorted(datetime.fromisoformat(s) for s in seen) == sorted(stored)  # aware datetimes compare as instants


def test_page_size_up_to_25000_is_allowed_and_above_is_refused_naming_the_parameter(reader):
    store_intervals(reader.site.electricity_meter, utc(2026, 6, 1), 3)
    assert reader.get(reader.electricity_path, page_size=25000).status_code == 200
    refused = reader.get(reader.electricity_path, page_size=25001)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("page_size:")
    assert "25,000" in refused.json()["detail"]


def test_a_page_past_the_last_is_refused_and_an_empty_first_page_is_not(reader):
    empty = reader.get(reader.electricity_path)
    assert empty.status_code == 200
    assert empty.json() == {"count": 0, "next": None, "previous": None, "results": []}
    store_intervals(reader.site.electricity_meter, utc(2026, 6, 1), 3)
    past = reader.get(reader.electricity_path, page=2)
    assert past.status_code == 400
    assert past.json()["detail"].startswith("page:")


# --- Grouping across the clock changes ---------------------------------------------------------------------------


def _sum_between(stored: dict[datetime, Decimal], start: datetime, end: datetime) -> tuple[int, Decimal]:
    inside = [value for at, value in stored.items() if start <= at < end]
    return len(inside), sum(inside, Decimal(0))


def test_group_by_day_sums_the_50_half_hours_of_the_october_clock_change_day(reader):
    # From midnight BST on 24 October (23:00 UTC on the 23rd) to midnight GMT on 27 October.
    stored = store_intervals(
        reader.site.electricity_meter,
        utc(2026, 10, 23, 23),
        (utc(2026, 10, 27) - utc(2026, 10, 23, 23)) // HALF_HOUR,
        quantity=lambda i: Decimal(i + 1) / 1000,
    )
    body = reader.get(reader.electricity_path, group_by="day", order_by="period").json()
    # The local day of the change runs from 00:00 BST (23:00 UTC on the 24th) to 00:00 GMT (00:00 UTC on the 26th).
    count, total = _sum_between(stored, utc(2026, 10, 24, 23), utc(2026, 10, 26))
    assert count == 50
    assert body["count"] == 3
    day = body["results"][1]
    assert day["interval_start"] == "2026-10-25T00:00:00+01:00"
    assert day["interval_end"] == "2026-10-26T00:00:00+00:00"
    assert day["consumption"] == three_places(total)
    days = [(utc(2026, 10, 23, 23), utc(2026, 10, 24, 23)), (utc(2026, 10, 24, 23), utc(2026, 10, 26))]
    days.append((utc(2026, 10, 26), utc(2026, 10, 27)))
    assert [r["consumption"] for r in body["results"]] == [three_places(_sum_between(stored, *d)[1]) for d in days]
    assert [_sum_between(stored, *d)[0] for d in days] == [48, 50, 48]


def test_group_by_day_sums_the_46_half_hours_of_the_march_clock_change_day(reader):
    stored = store_intervals(reader.site.electricity_meter, utc(2026, 3, 28), 48 + 46 + 48)
    body = reader.get(reader.electricity_path, group_by="day", order_by="period").json()
    count, total = _sum_between(stored, utc(2026, 3, 29), utc(2026, 3, 29, 23))
    assert count == 46
    day = body["results"][1]
    assert (day["interval_start"], day["interval_end"]) == ("2026-03-29T00:00:00+00:00", "2026-03-30T00:00:00+01:00")
    assert day["consumption"] == three_places(total)


def test_group_by_hour_keeps_the_repeated_october_hour_apart(reader):
    stored = store_intervals(reader.site.electricity_meter, utc(2026, 10, 24, 23), 8)  # 00:00 BST to 03:00 GMT
    body = reader.get(reader.electricity_path, group_by="hour", order_by="period").json()
    starts = [r["interval_start"] for r in body["results"]]
    assert starts == [
        "2026-10-25T00:00:00+01:00",
        "2026-10-25T01:00:00+01:00",
        "2026-10-25T01:00:00+00:00",
        "2026-10-25T02:00:00+00:00",
    ]
    assert body["results"][2]["consumption"] == three_places(
        _sum_between(stored, utc(2026, 10, 25, 1), utc(2026, 10, 25, 2))[1]
    )


def test_group_by_week_month_and_quarter_follow_the_london_calendar(reader):
    # Every half-hour from 00:00 GMT on Sunday 29 March to 00:00 BST on Thursday 2 April (23:00 UTC on the 1st).
    stored = store_intervals(
        reader.site.electricity_meter, utc(2026, 3, 29), (utc(2026, 4, 1, 23) - utc(2026, 3, 29)) // HALF_HOUR
    )
    weeks = reader.get(reader.electricity_path, group_by="week", order_by="period").json()["results"]
    # Monday 23 March 00:00 GMT to Monday 30 March 00:00 BST (23:00 UTC on the 29th); then from there.
    assert [(w["interval_start"], w["interval_end"]) for w in weeks] == [
        ("2026-03-23T00:00:00+00:00", "2026-03-30T00:00:00+01:00"),
        ("2026-03-30T00:00:00+01:00", "2026-04-06T00:00:00+01:00"),
    ]
    assert weeks[0]["consumption"] == three_places(_sum_between(stored, utc(2026, 3, 29), utc(2026, 3, 29, 23))[1])

    months = reader.get(reader.electricity_path, group_by="month", order_by="period").json()["results"]
    assert [(m["interval_start"], m["interval_end"]) for m in months] == [
        ("2026-03-01T00:00:00+00:00", "2026-04-01T00:00:00+01:00"),
        ("2026-04-01T00:00:00+01:00", "2026-05-01T00:00:00+01:00"),
    ]
    assert months[1]["consumption"] == three_places(_sum_between(stored, utc(2026, 3, 31, 23), utc(2026, 5, 1))[1])

    quarters = reader.get(reader.electricity_path, group_by="quarter", order_by="period").json()["results"]
    assert [(q["interval_start"], q["interval_end"]) for q in quarters] == [
        ("2026-01-01T00:00:00+00:00", "2026-04-01T00:00:00+01:00"),
        ("2026-04-01T00:00:00+01:00", "2026-07-01T00:00:00+01:00"),
    ]
    assert [q["consumption"] for q in quarters] == [
        three_places(_sum_between(stored, utc(2026, 1, 1), utc(2026, 3, 31, 23))[1]),
        three_places(_sum_between(stored, utc(2026, 3, 31, 23), utc(2026, 6, 30, 23))[1]),
    ]


@given(
    at=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)),
    group_by=st.sampled_from(metering_consumption.GroupBy),
)
def test_every_instant_falls_in_one_london_period_which_tiles_with_its_neighbours(at, group_by):
    start, end = metering_consumption.group_bounds(at, group_by)
    assert start <= at < end
    assert metering_consumption.group_bounds(end, group_by)[0] == end
    assert metering_consumption.group_bounds(start - timedelta(microseconds=1), group_by)[1] == start
    local = start.astimezone(LONDON)
    if group_by == metering_consumption.GroupBy.HOUR:
        assert end - start == timedelta(hours=1)
        return
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    if group_by == metering_consumption.GroupBy.DAY:
        assert end - start in {timedelta(hours=23), timedelta(hours=24), timedelta(hours=25)}
    elif group_by == metering_consumption.GroupBy.WEEK:
        assert local.weekday() == 0
    else:
        assert local.day == 1
        if group_by == metering_consumption.GroupBy.QUARTER:
            assert local.month in {1, 4, 7, 10}


# --- Ordering and periods ----------------------------------------------------------------------------------------


def test_newest_first_by_default_and_oldest_first_with_order_by_period(reader):
    store_intervals(reader.site.electricity_meter, utc(2026, 6, 1), 5)
    default = [r["interval_start"] for r in reader.get(reader.electricity_path).json()["results"]]
    oldest_first = [
        r["interval_start"] for r in reader.get(reader.electricity_path, order_by="period").json()["results"]
    ]
    newest_first = [
        r["interval_start"] for r in reader.get(reader.electricity_path, order_by="-period").json()["results"]
    ]
    assert oldest_first[0] == "2026-06-01T01:00:00+01:00"
    assert oldest_first == sorted(oldest_first)
    assert default == newest_first == list(reversed(oldest_first))


def test_period_from_is_inclusive_and_period_to_exclusive(reader):
    store_intervals(reader.site.electricity_meter, utc(2026, 6, 1), 10)
    body = reader.get(
        reader.electricity_path,
        period_from="2026-06-01T01:00:00Z",
        period_to="2026-06-01T03:00:00Z",
        order_by="period",
    ).json()
    starts = [r["interval_start"] for r in body["results"]]
    assert starts == [
        "2026-06-01T02:00:00+01:00",
        "2026-06-01T02:30:00+01:00",
        "2026-06-01T03:00:00+01:00",
        "2026-06-01T03:30:00+01:00",
    ]


def test_a_period_without_an_offset_is_london_time(reader):
    store_intervals(reader.site.electricity_meter, utc(2026, 6, 1), 4)  # 01:00 to 03:00 BST
    body = reader.get(reader.electricity_path, period_from="2026-06-01T02:00:00", order_by="period").json()
    assert [r["interval_start"] for r in body["results"]] == ["2026-06-01T02:00:00+01:00", "2026-06-01T02:30:00+01:00"]


# --- Bad parameters ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"period_from": "yesterday"}, 422, "period_from"),
        ({"period_to": "2026-13-01T00:00:00Z"}, 422, "period_to"),
        ({"group_by": "fortnight"}, 422, "group_by"),
        ({"order_by": "consumption"}, 422, "order_by"),
        ({"page": "two"}, 422, "page"),
        ({"page_size": "lots"}, 422, "page_size"),
        ({"page": "0"}, 400, "page"),
        ({"page_size": "0"}, 400, "page_size"),
        ({"period_from": "2026-06-02T00:00:00Z", "period_to": "2026-06-01T00:00:00Z"}, 400, "period_to"),
        ({"period_from": "0001-01-01T00:00:00+01:00"}, 400, "period_from"),
        ({"period_to": "9999-12-31T23:59:59-01:00"}, 400, "period_to"),
        ({"page": str(10**20)}, 400, "page"),
    ],
)
def test_bad_query_parameters_are_refused_naming_the_parameter(reader, params, status, parameter):
    response = reader.get(reader.electricity_path, **params)
    assert response.status_code == status
    detail = response.json()["detail"]
    if status == 400:
        assert detail.startswith(f"{parameter}:")
    else:
        assert [error["loc"][-1] for error in detail] == [parameter]


_PARAMETERS = ["period_from", "period_to", "page_size", "page", "order_by", "group_by"]
_VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda at: at.isoformat()),
    st.sampled_from(["hour", "day", "week", "month", "quarter", "period", "-period", "", "Z", "25001"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(_PARAMETERS), _VALUES))
def test_no_query_string_makes_the_endpoint_fail(reader, params):
    response = reader.get(reader.electricity_path, **params)
    assert response.status_code in {200, 400, 422}, (params, response.status_code)
    if response.status_code != 200:
        assert response.json()["detail"]


def test_a_malformed_mpan_is_refused_naming_it(reader):
    response = reader.get("/api/v1/electricity-meter-points/2499999999990/meters/X/consumption/")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("mpan:")
    assert "check digit" in response.json()["detail"]


# --- Scope: only the login's own meters, and only while it was supplied --------------------------------------------


def test_another_logins_key_gets_the_same_404_as_an_unknown_meter(reader, build):
    store_intervals(reader.site.electricity_meter, utc(2026, 6, 1), 4)
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.SMART,
    )
    oscar = build.activated_login("oscar@other.example", other.electricity, other.gas)
    _row, oscar_key = api_keys.create_api_key(user=oscar, name="oscar", now=build.now())
    theirs = reader.client.get(reader.electricity_path, **basic(oscar_key))
    unknown_serial = reader.client.get(
        reader.electricity_path.replace(reader.site.electricity_meter.serial_number, "NOPE"), **basic(oscar_key)
    )
    unknown_point = reader.client.get(
        "/api/v1/electricity-meter-points/1200023305967/meters/NOPE/consumption/", **basic(oscar_key)
    )
    assert theirs.status_code == unknown_serial.status_code == unknown_point.status_code == 404
    assert theirs.content == unknown_serial.content == unknown_point.content
    assert theirs["Content-Type"] == unknown_point["Content-Type"]
    # The owner's own key reads it; and a meter serial on the right point is needed.
    assert reader.get(reader.electricity_path).json()["count"] == 4
    assert reader.get(reader.electricity_path.replace(reader.site.electricity_meter.serial_number, "NOPE")).content == (
        theirs.content
    )


def test_consumption_from_before_the_accounts_supply_began_is_not_shown(reader):
    # The previous occupant's half-hours (before 1 January 2026, local midnight) stay hidden.
    store_intervals(reader.site.electricity_meter, utc(2025, 12, 31, 22), 6)  # 22:00 to 01:00 GMT
    body = reader.get(reader.electricity_path, order_by="period").json()
    assert body["count"] == 2
    assert [r["interval_start"] for r in body["results"]] == ["2026-01-01T00:00:00+00:00", "2026-01-01T00:30:00+00:00"]
    grouped = reader.get(reader.electricity_path, group_by="month").json()["results"]
    assert [g["interval_start"] for g in grouped] == ["2026-01-01T00:00:00+00:00"]


# --- Gas, daily-only households, gaps ----------------------------------------------------------------------------


def test_gas_consumption_is_in_cubic_metres_with_kwh_beside_it(reader):
    # An independently computed conversion: m3 * 1.02264 * 39.5 / 3.6 (DOMAIN.md), stored to 4 places.
    factor = Decimal("1.02264") * Decimal("39.5") / Decimal("3.6")
    stored = store_intervals(
        reader.site.gas_meter,
        utc(2026, 6, 1),
        2,
        quantity=lambda i: Decimal("0.125") * (i + 1),
        unit="M3",
        kwh_per_unit=factor,
    )
    results = reader.get(reader.gas_path, order_by="period").json()["results"]
    assert [r["unit"] for r in results] == ["m3", "m3"]
    assert [r["consumption"] for r in results] == [0.125, 0.25]
    assert [r["consumption_kwh"] for r in results] == [
        three_places((value * factor).quantize(Decimal("0.0001"))) for value in stored.values()
    ]
    day = reader.get(reader.gas_path, group_by="day").json()["results"][0]
    assert (day["consumption"], day["unit"]) == (0.375, "m3")


def test_a_household_without_half_hourly_consent_has_day_totals_but_no_half_hours(reader):
    meter = reader.site.electricity_meter
    for day, value in (
        (date(2026, 6, 1), Decimal("8.2505")),
        (date(2026, 6, 2), Decimal("7.1")),
        (date(2026, 6, 8), Decimal("1")),
    ):
        DailyConsumption.objects.create(
            meter=meter,
            day_date=day,
            quantity=value,
            unit="KWH",
            kwh=value,
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.SMART,
            received_at=utc(2026, 6, 9),
        )
    assert reader.get(reader.electricity_path).json()["count"] == 0
    assert reader.get(reader.electricity_path, group_by="hour").json()["count"] == 0
    days = reader.get(reader.electricity_path, group_by="day", order_by="period").json()["results"]
    assert [(d["interval_start"], d["consumption"]) for d in days] == [
        ("2026-06-01T00:00:00+01:00", 8.251),  # 8.2505 rounds half-up
        ("2026-06-02T00:00:00+01:00", 7.1),
        ("2026-06-08T00:00:00+01:00", 1.0),
    ]
    weeks = reader.get(reader.electricity_path, group_by="week", order_by="period").json()["results"]
    assert [(w["interval_start"], w["consumption"]) for w in weeks] == [
        ("2026-06-01T00:00:00+01:00", three_places(Decimal("8.2505") + Decimal("7.1"))),
        ("2026-06-08T00:00:00+01:00", 1.0),
    ]
    # A day counts when its local midnight is in the period.
    later = reader.get(reader.electricity_path, group_by="day", period_from="2026-06-01T12:00:00+01:00").json()
    assert later["count"] == 2


def test_missing_intervals_are_left_out_and_flag_the_day_they_fall_in(reader):
    meter = reader.site.electricity_meter
    store_intervals(meter, utc(2026, 6, 1), 3)
    store_intervals(meter, utc(2026, 6, 1, 1, 30), 1, quantity=lambda i: Decimal(0), quality="MISSING")
    store_intervals(meter, utc(2026, 6, 2), 2, quality="ESTIMATED")
    raw = reader.get(reader.electricity_path, order_by="period").json()
    assert raw["count"] == 5
    assert "2026-06-01T02:30:00+01:00" not in [r["interval_start"] for r in raw["results"]]
    days = reader.get(reader.electricity_path, group_by="day", order_by="period").json()["results"]
    assert [(d["interval_start"], d["quality"]) for d in days] == [
        ("2026-06-01T00:00:00+01:00", "MISSING"),
        ("2026-06-02T00:00:00+01:00", "ESTIMATED"),
    ]
