"""A young database's planner statistics are refreshed as a bill run's tables grow (PostgreSQL only)."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from hearth.data.audit.models import AuditEvent
from hearth.domain.billing import sql as billing_sql

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")


def _planned_pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages FROM pg_class WHERE oid = %s::regclass", [AuditEvent._meta.db_table])
        return cursor.fetchone()[0]


def _grow(rows: int) -> None:
    at = datetime(2026, 12, 7, tzinfo=UTC)
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_label="care", action="test.grow", subject=f"row {n}", at=at) for n in range(rows)
    )


@pytest.mark.django_db
def test_a_table_past_twice_its_planned_pages_is_analyzed_and_then_left_until_it_doubles_again():
    billing_sql.refresh_statistics_when_grown(AuditEvent, floor_pages=4)
    assert _planned_pages() == 0  # empty: nothing to refresh

    _grow(3000)
    billing_sql.refresh_statistics_when_grown(AuditEvent, floor_pages=4)
    grown = _planned_pages()
    assert grown > 4

    _grow(100)  # far from doubling: the statistics stand
    billing_sql.refresh_statistics_when_grown(AuditEvent, floor_pages=4)
    assert _planned_pages() == grown

    _grow(6000)
    billing_sql.refresh_statistics_when_grown(AuditEvent, floor_pages=4)
    assert _planned_pages() > 2 * grown
