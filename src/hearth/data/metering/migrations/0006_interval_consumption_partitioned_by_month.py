"""Interval consumption partitioned by UTC month on PostgreSQL (ADR 0009); SQLite keeps its plain table.

The table is rebuilt as ``PARTITION BY RANGE (interval_start)`` with the same columns, constraints, primary key and
foreign key, a partition for each month that has rows and a default partition; the rows are copied across. The
coming months' partitions are the daily job's (``metering.interval_partitions``), so the migration's result does not
depend on the day it runs.
Django's model is unchanged: same table name, same key, and PostgreSQL routes inserts (COPY, ON CONFLICT) itself.
"""

from datetime import UTC, date, datetime

from django.db import migrations

TABLE = "metering_intervalconsumption"


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _bounds(month: date) -> str:
    end = _next_month(month)
    start_at = datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()
    end_at = datetime(end.year, end.month, 1, tzinfo=UTC).isoformat()
    return f"FOR VALUES FROM ('{start_at}') TO ('{end_at}')"


def partition_by_month(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT min(interval_start) FROM {TABLE}")  # noqa: S608 - a constant table name
        (oldest,) = cursor.fetchone()
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [TABLE])
        foreign_keys = [name for (name,) in cursor.fetchall()]
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_old")
        for name in foreign_keys:  # the constraint names move with the old table; free them for the new one
            cursor.execute(f"ALTER TABLE {TABLE}_old DROP CONSTRAINT {name}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {TABLE}_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "PARTITION BY RANGE (interval_start)"
        )
        cursor.execute(f"ALTER TABLE {TABLE}_old DROP CONSTRAINT {TABLE}_pkey")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (meter_id, interval_start)")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {foreign_keys[0] if foreign_keys else TABLE + '_meter_id_fk'} "
            "FOREIGN KEY (meter_id) REFERENCES metering_meter (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(f"SELECT max(interval_start) FROM {TABLE}_old")  # noqa: S608 - a constant table name
        (newest,) = cursor.fetchone()
        month = oldest.astimezone(UTC).date().replace(day=1) if oldest else None
        while month is not None and month <= newest.astimezone(UTC).date():
            cursor.execute(f"CREATE TABLE {TABLE}_{month:%Y_%m} PARTITION OF {TABLE} {_bounds(month)}")
            month = _next_month(month)
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_old")  # noqa: S608 - a constant table name
        cursor.execute(f"DROP TABLE {TABLE}_old")


def one_plain_table(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [TABLE])
        foreign_keys = [name for (name,) in cursor.fetchall()]
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_partitioned")
        for name in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE}_partitioned DROP CONSTRAINT {name}")
        cursor.execute(f"ALTER TABLE {TABLE}_partitioned DROP CONSTRAINT {TABLE}_pkey")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (meter_id, interval_start)")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {foreign_keys[0] if foreign_keys else TABLE + '_meter_id_fk'} "
            "FOREIGN KEY (meter_id) REFERENCES metering_meter (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_partitioned")  # noqa: S608 - a constant table name
        cursor.execute(f"DROP TABLE {TABLE}_partitioned CASCADE")


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0005_raw_bytes_of_unstorable_input"),
    ]

    operations = [migrations.RunPython(partition_by_month, one_plain_table)]
