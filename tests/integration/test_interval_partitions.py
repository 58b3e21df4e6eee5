"""Half-hourly consumption in monthly partitions on PostgreSQL (ADR 0009, migration metering.0006).

The month of each boundary row below is worked out by hand from its UTC instant: partitions are UTC months, so
23:30 UTC on 31 October is October's last half-hour, and the first half-hour of April 2027 in London (00:00 BST)
is 23:00 UTC on 31 March, which belongs to March's partition.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection

from hearth.data.metering.models import IntervalConsumption, ReadingSource
from hearth.domain.metering import partitions
from hearth.domain.metering.jobs import make_interval_partitions

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
BOUNDARY_ROWS = {
    datetime(2026, 10, 1, 0, 0, tzinfo=UTC): "metering_intervalconsumption_2026_10",
    datetime(2026, 10, 31, 23, 30, tzinfo=UTC): "metering_intervalconsumption_2026_10",
    datetime(2026, 11, 1, 0, 0, tzinfo=UTC): "metering_intervalconsumption_2026_11",
    datetime(2027, 3, 31, 23, 0, tzinfo=UTC): "metering_intervalconsumption_2027_03",  # 00:00 BST on 1 April
    datetime(2027, 4, 1, 0, 0, tzinfo=UTC): "metering_intervalconsumption_2027_04",
}

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")


class Report:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def done(self, subject: str, message: str) -> None:
        self.lines.append((subject, message))

    def failed(self, subject: str, message: str) -> None:  # pragma: no cover - a failure fails the test
        raise AssertionError(f"{subject}: {message}")


def store(meter_id: int, starts: list[datetime]) -> None:
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter_id=meter_id,
            interval_start=start,
            quantity=Decimal("0.5000"),
            unit="KWH",
            kwh=Decimal("0.5000"),
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.SMART,
            received_at=start,
        )
        for start in starts
    )


def partition_of_each_row() -> dict[datetime, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT interval_start, tableoid::regclass::text FROM metering_intervalconsumption")
        return {start.astimezone(UTC): table for start, table in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's case")
def test_sqlite_keeps_one_plain_table_and_the_job_has_nothing_to_do():
    report = Report()
    make_interval_partitions(day=MONDAY, now=datetime(2026, 12, 7, 6, tzinfo=UTC), report=report)  # type: ignore[arg-type]
    assert not partitions.is_partitioned()
    assert report.lines == []


@postgres_only
def test_the_job_makes_this_month_and_three_ahead_once():
    assert partitions.is_partitioned()
    assert "metering_intervalconsumption_default" in partitions.existing_partitions()

    report = Report()
    make_interval_partitions(day=MONDAY, now=datetime(2026, 12, 7, 6, tzinfo=UTC), report=report)  # type: ignore[arg-type]
    assert report.lines == [
        ("metering_intervalconsumption_2026_12", "Partition for December 2026 made."),
        ("metering_intervalconsumption_2027_01", "Partition for January 2027 made."),
        ("metering_intervalconsumption_2027_02", "Partition for February 2027 made."),
        ("metering_intervalconsumption_2027_03", "Partition for March 2027 made."),
    ]

    again = Report()
    make_interval_partitions(day=MONDAY, now=datetime(2026, 12, 8, 6, tzinfo=UTC), report=again)  # type: ignore[arg-type]
    assert again.lines == []


@postgres_only
def test_rows_in_the_default_partition_move_to_their_month_and_none_is_lost(household):
    meter_id = household.electricity_meter.pk
    store(meter_id, list(BOUNDARY_ROWS))
    assert set(partition_of_each_row().values()) == {"metering_intervalconsumption_default"}

    made = partitions.ensure_partitions(today=date(2026, 10, 20), months_ahead=0)

    assert [(p.name, p.rows_moved) for p in made] == [
        ("metering_intervalconsumption_2026_10", 2),
        ("metering_intervalconsumption_2026_11", 1),
        ("metering_intervalconsumption_2027_03", 1),
        ("metering_intervalconsumption_2027_04", 1),
    ]
    assert partition_of_each_row() == BOUNDARY_ROWS
    # A row for a month that now has its partition goes straight there; reads by meter and range see every row.
    store(meter_id, [datetime(2026, 10, 15, 12, 30, tzinfo=UTC)])
    assert partition_of_each_row()[datetime(2026, 10, 15, 12, 30, tzinfo=UTC)] == "metering_intervalconsumption_2026_10"
    october = IntervalConsumption.objects.filter(
        meter_id=meter_id,
        interval_start__gte=datetime(2026, 10, 1, tzinfo=UTC),
        interval_start__lt=datetime(2026, 11, 1, tzinfo=UTC),
    )
    assert october.count() == 3
    assert IntervalConsumption.objects.filter(meter_id=meter_id).count() == len(BOUNDARY_ROWS) + 1
