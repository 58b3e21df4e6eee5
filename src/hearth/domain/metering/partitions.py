"""Monthly partitions of half-hourly consumption on PostgreSQL (ADR 0009).

Migration ``metering.0006`` makes ``metering_intervalconsumption`` a table partitioned by range of
``interval_start``: one partition per UTC month, named ``metering_intervalconsumption_YYYY_MM``, and a default
partition for rows whose month has none yet. The daily job ``metering.interval_partitions`` keeps the coming months'
partitions made, so new rows land in their month, and moves any month that did fall into the default partition
(a late file for an old month, a month the job missed) into its own partition.

Moving a month out of the default partition cannot be done by ``CREATE TABLE … PARTITION OF``: PostgreSQL refuses a
new partition whose range holds rows in the default one. So the month is built as a plain table, the rows are moved
into it in one statement, and it is attached; all in one transaction, so a crash leaves the rows where they were.

SQLite keeps one plain table: every function here does nothing there.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction

from hearth.common import calendar

TABLE = "metering_intervalconsumption"
DEFAULT_PARTITION = f"{TABLE}_default"


@dataclass(frozen=True, slots=True)
class MonthPartition:
    """A month's partition that :func:`ensure_partitions` made, and how many rows it moved out of the default."""

    month: date
    name: str
    rows_moved: int


def partition_name(month: date) -> str:
    return f"{TABLE}_{month:%Y_%m}"


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The partition's range: from midnight UTC on the 1st to midnight UTC on the next 1st (end excluded).

    UTC, not London: a London month that starts in summer time begins at 23:00 UTC the day before, so a local
    month's reads touch at most two partitions, and the bounds never move with the clocks.
    """
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end_month = calendar.next_month_start(month)
    return start, datetime(end_month.year, end_month.month, 1, tzinfo=UTC)


def bounds_clause(month: date) -> str:
    """``FOR VALUES FROM (…) TO (…)`` for ``month``: DDL takes no bound parameters, so the two instants are written
    as literals (made here from a date, never from input)."""
    start, end = month_bounds(month)
    return f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"


def is_partitioned() -> bool:
    """Whether this database keeps interval consumption in monthly partitions (PostgreSQL after migration 0006)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def existing_partitions() -> set[str]:
    """The names of the table's partitions, the default one included."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE pg_inherits.inhparent = %s::regclass",
            [TABLE],
        )
        return {name for (name,) in cursor.fetchall()}


def months_in_default() -> list[date]:
    """The UTC months that have rows in the default partition, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', interval_start AT TIME ZONE 'UTC')::date "  # noqa: S608
            f"FROM {DEFAULT_PARTITION} ORDER BY 1"
        )
        return [month for (month,) in cursor.fetchall()]


def ensure_partitions(*, today: date, months_ahead: int) -> list[MonthPartition]:
    """Make the partition of every month from ``today``'s to ``months_ahead`` months later, and of every month with
    rows waiting in the default partition; return the ones made. Running it again makes nothing."""
    if not is_partitioned():
        return []
    wanted = set(months_in_default())
    month = today.replace(day=1)
    for _ in range(months_ahead + 1):
        wanted.add(month)
        month = calendar.next_month_start(month)
    existing = existing_partitions()
    return [_create(month) for month in sorted(wanted) if partition_name(month) not in existing]


def _create(month: date) -> MonthPartition:
    """Build ``month``'s partition beside the table, move its rows out of the default partition, attach it."""
    name = partition_name(month)
    start, end = month_bounds(month)
    with transaction.atomic(), connection.cursor() as cursor:
        # The parent's lock first: a concurrent insert must not route a row of this month to the default partition
        # between the move and the attach.
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "  # noqa: S608 - names are built here, not input
            f"WHERE interval_start >= %s AND interval_start < %s RETURNING *) INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        moved = cursor.rowcount
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} {bounds_clause(month)}")
    return MonthPartition(month=month, name=name, rows_moved=max(moved, 0))
