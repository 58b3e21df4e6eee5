"""The bill run's SQL arithmetic: half-hour indices and whole units worked out in the database, on both databases."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from hearth.domain.billing import sql as billing_sql

# 25 October 2026 is the day the clocks go back: local midnight is 23:00 UTC the day before, the day has 50 half-hours.
ORIGIN = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)


def _half_hour(at: datetime) -> int:
    sql = f"SELECT {billing_sql.half_hour_index('%s')}"
    [(index,)] = billing_sql.select(sql, [billing_sql.instant(at), billing_sql.instant(ORIGIN)])
    return index


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("after_origin", "expected"),
    [
        (timedelta(0), 0),
        (timedelta(minutes=15), 0),  # a quarter-hour interval shares its half-hour
        (timedelta(minutes=29, seconds=59), 0),
        (timedelta(minutes=30), 1),
        (timedelta(hours=2, minutes=45), 5),  # 01:45 BST, the second 01:45 of the day is an hour later
        (timedelta(hours=3, minutes=45), 7),
        (timedelta(days=1), 48),  # UTC hours: the 25-hour day's 50 half-hours are counted from UTC, not clock time
        (timedelta(days=31, minutes=30), 31 * 48 + 1),
    ],
)
def test_the_half_hour_counts_elapsed_time_from_the_origin_rounding_down(after_origin, expected):
    assert _half_hour(ORIGIN + after_origin) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [("1.2345", 4, 12345), ("0.0001", 4, 1), ("26.1100", 4, 261100), ("0", 4, 0), ("7.5", 0, 8)],
)
def test_whole_units_are_exact_and_round_half_away_from_zero(value, places, expected):
    vendor_value = "%s" if connection.vendor == "postgresql" else "CAST(%s AS REAL)"
    [(units,)] = billing_sql.select(f"SELECT {billing_sql.in_units(vendor_value, places)}", [Decimal(value)])
    assert units == expected
