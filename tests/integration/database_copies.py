"""Copies of the test database that another process (a `hearth` command, a Celery worker or beat) can open.

pytest-django's SQLite test database lives in memory, and rows a test writes inside its transaction are invisible to
other connections; a copy is a real database of its own. Read it back with plain SQL through :meth:`Copy.rows`.
"""

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection


@dataclass(frozen=True)
class Copy:
    """A copy of the test database that a `hearth` process can open, read back with plain SQL."""

    url: str
    sqlite_path: Path | None = None
    postgres: dict[str, Any] | None = None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None) as db:
                return db.execute(sql).fetchall()
        assert self.postgres is not None
        with psycopg.connect(**self.postgres, autocommit=True) as db:
            return db.execute(sql).fetchall()

    def count(self, sql: str) -> int:
        return int(self.rows(sql)[0][0])


def _postgres_params(settings_dict: dict[str, Any], name: str) -> dict[str, Any]:
    params = {"dbname": name, "user": settings_dict["USER"], "host": settings_dict["HOST"] or "127.0.0.1"}
    if settings_dict["PORT"]:
        params["port"] = int(settings_dict["PORT"])
    if settings_dict["PASSWORD"]:
        params["password"] = settings_dict["PASSWORD"]
    return params


def _postgres_url(params: dict[str, Any]) -> str:
    password = f":{quote(params['password'], safe='')}" if "password" in params else ""
    port = f":{params['port']}" if "port" in params else ""
    return f"postgres://{quote(params['user'], safe='')}{password}@{params['host']}{port}/{params['dbname']}"


@pytest.fixture
def copy_database(tmp_path: Path) -> Iterator[Any]:
    """Copies of the test database as it stands (SQLite: the backup API; PostgreSQL: CREATE DATABASE ... TEMPLATE)."""
    made: list[str] = []
    settings_dict = connection.settings_dict

    def make(label: str) -> Copy:
        if connection.vendor == "sqlite":
            path = tmp_path / f"{label}.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(path) as target:
                connection.connection.backup(target)
            return Copy(url=f"sqlite:///{path}", sqlite_path=path)
        assert connection.vendor == "postgresql", connection.vendor
        name = f"{settings_dict['NAME']}_{label}_{uuid.uuid4().hex[:6]}"
        connection.close()  # a template database must have no other session
        server = _postgres_params(settings_dict, "postgres")
        with psycopg.connect(**server, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings_dict["NAME"]}"')
        made.append(name)
        params = _postgres_params(settings_dict, name)
        return Copy(url=_postgres_url(params), postgres=params)

    yield make
    if made:
        with psycopg.connect(**_postgres_params(settings_dict, "postgres"), autocommit=True) as db:
            for name in made:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
