"""Plain-cursor reads and writes for the bill run, whose rows by the thousand skip the ORM's per-row work, and for a
bill's page and invoice, whose dozen small reads skip the ORM's building of each query (ADR 0028).

Half-hours are read as whole-number indices from an origin and amounts as whole numbers of their smallest unit,
worked out by the database, so no timestamp or decimal is parsed row by row in Python; bills and their rows are
written with COPY on PostgreSQL and ``executemany`` elsewhere, in the caller's transaction.
"""

import functools
import json
import operator
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Model, signals
from django.db.models.base import ModelState

HALF_HOUR_SECONDS = 1800
M = TypeVar("M", bound=Model)


def half_hour_index(column: str) -> str:
    """SQL for the half-hour (counted from 0) that ``column``, a datetime at or after the origin given as ``%s``, falls
    in (integer division: the same as rounding down for a time not before the origin)."""
    if connection.vendor == "postgresql":  # date_part's double, not EXTRACT's numeric: a third of the query's time
        return f"CAST(date_part('epoch', {column} - %s) AS integer) / {HALF_HOUR_SECONDS}"
    if sqlite3.sqlite_version_info >= (3, 38):  # unixepoch(), a fifth quicker than parsing strftime's text
        seconds = f"unixepoch({column}) - unixepoch(%s)"
    else:
        seconds = f"CAST(strftime('%%s', {column}) AS integer) - CAST(strftime('%%s', %s) AS integer)"
    return f"(({seconds}) / {HALF_HOUR_SECONDS})"


def in_units(column: str, places: int) -> str:
    """SQL for a decimal ``column`` as a whole number of its smallest unit (``places`` decimal places), exactly."""
    if connection.vendor == "postgresql":  # its numeric to bigint cast rounds by itself; SQLite's truncates a REAL
        return f"CAST({column} * {10**places} AS bigint)"
    return f"CAST(ROUND({column} * {10**places}) AS bigint)"


def instant(at: datetime) -> Any:
    """A datetime as the database takes it as a query parameter."""
    return connection.ops.adapt_datetimefield_value(at)


def day(value: date) -> Any:
    """A date as the database takes it as a query parameter."""
    return connection.ops.adapt_datefield_value(value)


def select(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def among(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """SQL for ``column`` being one of ``values`` (at least one), and its parameters.

    PostgreSQL takes the values as one array (``= ANY(%s)``): the driver and the server each parse a list of a
    chunk's 300 ids three times quicker than as 300 parameters. SQLite has no arrays: ``IN (%s, %s, ...)``.
    """
    if not values:
        raise ValueError("An IN list needs at least one value.")
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def attach(instance: Model, name: str, related: Model | None) -> None:
    """Give ``instance`` the instance its relation ``name`` points at, read with it, as ``select_related`` does:
    reading ``instance.<name>`` then costs no query."""
    type(instance)._meta.get_field(name).set_cached_value(instance, related)  # type: ignore[union-attr]


def overlapping(alias: str, start: Any, end: Any) -> tuple[str, list[Any]]:
    """SQL for ``alias``'s ``[valid_from, valid_to)`` period (an open end: ``valid_to`` NULL) overlapping ``[start,
    end)``, and its parameters; ``start`` and ``end`` as the query takes them (:func:`instant` or :func:`day`)."""
    return f"{alias}.valid_from < %s AND ({alias}.valid_to IS NULL OR {alias}.valid_to > %s)", [end, start]


def for_update() -> str:
    """`` FOR UPDATE`` where the database locks rows that way (PostgreSQL); SQLite locks the whole database."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def refresh_statistics_when_grown(model: type[Model], *, floor_pages: int = 2) -> None:
    """PostgreSQL: ANALYZE ``model``'s table once it has more than twice the pages its statistics say.

    PostgreSQL plans the foreign-key checks of rows pointing at a table once per connection, from that table's
    statistics, and keeps the plan until they change. On a young database (a supplier's first runs, a benchmark's
    empty tables) the plan is made for an empty table and scans the whole table for every row checked, so a run slows
    as its own bills pile up: 20,000 accounts read 1.5 billion bill rows. Doubling keeps this to a handful of quick
    ANALYZEs in a young database's run and none in a settled one's. The floor is low (two pages: the first chunk's
    bills) because every check made on a stale plan scans the whole table: at sixteen pages a 2,000-account run's
    checks still read 3.7 million bill rows, at two 0.2 million, for half the time checking.
    """
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    [(planned_pages, pages)] = select(
        "SELECT relpages, pg_relation_size(oid) / current_setting('block_size')::int FROM pg_class"
        " WHERE oid = %s::regclass",
        [table],
    )
    if pages > max(2 * planned_pages, floor_pages):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _listened(model: type[Model]) -> bool:
    """Whether something listens to the making of ``model``'s instances (``pre_init``/``post_init``): then they are
    made the ORM's way, so the listeners hear of them."""
    return signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)


class Reader:
    """Rows of every concrete column of a model (its table's columns under ``alias``) made into its instances as the
    ORM's query would make them, the values through the same converters, without compiling a query or running the
    model's ``__init__`` per row: the bill run reads thousands of small rows a chunk.

    ``reader.columns`` goes into the SELECT; ``reader.build(row, first)`` makes the instance of the columns from
    ``first`` on. A model whose instances something listens to (``pre_init``/``post_init``) is built the ORM's way.
    """

    def __init__(self, model: type[Model], alias: str) -> None:
        fields = model._meta.concrete_fields
        self.model = model
        self.columns = ", ".join(f"{alias}.{field.column}" for field in fields)
        self.width = len(fields)
        self.attnames = tuple(field.attname for field in fields)
        self.converters: list[tuple[int, list[Callable[..., Any]], Any]] = []
        for index, field in enumerate(fields):
            column = field.get_col(alias)
            converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if converters:
                self.converters.append((index, converters, column))
        self.plain = not _listened(model)

    def value(self, attname: str, value: Any) -> Any:
        """One column's ``value`` (of the field ``attname``) as the instance would hold it."""
        index = self.attnames.index(attname)
        for position, converters, column in self.converters:
            if position == index:
                for convert in converters:
                    value = convert(value, column, connection)
        return value

    def build(self, row: Sequence[Any], first: int = 0) -> Any:
        values = list(row[first : first + self.width])
        for index, converters, column in self.converters:
            value = values[index]
            for convert in converters:
                value = convert(value, column, connection)
            values[index] = value
        if not self.plain:
            return self.model.from_db(connection.alias, self.attnames, values)
        obj = self.model.__new__(self.model)
        obj.__dict__.update(zip(self.attnames, values, strict=True))
        state = obj._state = ModelState()
        state.adding = False
        state.db = connection.alias
        return obj


@functools.cache
def _reader(model: type[Model], alias: str, vendor: str) -> Reader:
    return Reader(model, alias)


def reader(model: type[Model], alias: str) -> Reader:
    """The :class:`Reader` of ``model``'s columns under ``alias``, made once per database kind."""
    return _reader(model, alias, connection.vendor)


def objects(model: type[Model], where: str, params: Sequence[Any], *, order_by: str, lock: bool = False) -> list[Any]:
    """The instances of ``model`` whose rows meet ``where`` (SQL over its table, aliased ``t``), in ``order_by``
    order; ``lock``: locked for update (the caller's transaction)."""
    rows_of = reader(model, "t")
    rows = select(
        f"SELECT {rows_of.columns} FROM {model._meta.db_table} t WHERE {where} "  # noqa: S608 - a model's table
        f"ORDER BY {order_by}{for_update() if lock else ''}",
        params,
    )
    return [rows_of.build(row) for row in rows]


@dataclass(frozen=True)
class _Plan:
    """How :func:`new` makes an instance of a model: its constant defaults, the fields whose default is called, and
    its foreign keys by name."""

    plain: bool
    names: frozenset[str]
    constants: dict[str, Any]
    called: tuple[tuple[str, "models.Field[Any, Any]"], ...]
    relations: dict[str, Any]  # name: the ForeignKey


@functools.cache
def _plan(model: type[Model]) -> _Plan:
    fields = model._meta.concrete_fields
    called = tuple((f.attname, f) for f in fields if f.has_default() and callable(f.default))
    return _Plan(
        plain=not _listened(model),
        names=frozenset(name for f in fields for name in (f.name, f.attname)),
        constants={f.attname: f.get_default() for f in fields if not (f.has_default() and callable(f.default))},
        called=called,
        relations={f.name: f for f in fields if f.is_relation},
    )


def new(model: type[M], **values: Any) -> M:
    """An unsaved instance, as ``model(**values)`` makes it (defaults, a related instance's id and cache), without
    the ORM's per-field work: the bill run makes a dozen per bill. Field names only: no property setters."""
    plan = _plan(model)
    if not plan.plain:
        return model(**values)
    unknown = values.keys() - plan.names
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}.")
    obj = model.__new__(model)
    attributes = obj.__dict__
    attributes.update(plan.constants)
    for attname, field in plan.called:
        attributes[attname] = field.get_default()
    obj._state = ModelState()
    for name, value in values.items():
        relation = plan.relations.get(name)
        if relation is None:
            attributes[name] = value
        else:  # a related instance (or None), as the forward descriptor takes it
            attributes[relation.attname] = None if value is None else getattr(value, relation.target_field.attname)
            relation.set_cached_value(obj, value)
    return obj


def insert_with_ids(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert ``rows`` as :func:`insert` does and give back their new ids, in order.

    PostgreSQL: the ids are taken from the table's sequence in one query, then the rows are copied with them;
    elsewhere (SQLite) one multi-row INSERT ... RETURNING id per batch of the backend's parameter limit.
    """
    ids: list[int] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        insert(model, ["id", *columns], [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return ids
    row_sql = f"({', '.join(['%s'] * len(columns))})"
    batch = max(1, (connection.features.max_query_params or 999) // len(columns))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), batch):
            part = rows[first : first + batch]
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - a model's table
                f"VALUES {', '.join([row_sql] * len(part))} RETURNING id",
                [value for row in part for value in row],
            )
            ids += [row[0] for row in cursor.fetchall()]  # in the order inserted, as Django's bulk_create relies on
    return ids


def insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (values as the database takes them) into ``model``'s table: COPY, or one executemany."""
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's COPY, its errors turned into Django's (IntegrityError) as the cursor's own are.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(rows))  # noqa: S608


def _adapter(field: "models.Field[Any, Any]") -> Callable[[Any], Any] | None:
    """How a value of ``field`` goes to the database: what its ``get_db_prep_save`` does, for the kinds bills use
    (None: as it is)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, cls=field.encoder)
    return None


def insert_objects(model: type[Model], objects: Sequence[Model], *, with_ids: bool = False) -> None:
    """Write unsaved ``objects`` of ``model`` as ``bulk_create`` would, without the ORM's per-value work.

    Every concrete field is written as the object holds it (``bill_id``, not ``bill``: set the ids of the rows they
    point at first). ``with_ids``: their new ids are set on them (:func:`insert_with_ids`), for rows pointing at them.
    """
    if not objects:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    get = operator.attrgetter(*(field.attname for field in fields))
    values_of = get if len(fields) > 1 else lambda obj: (get(obj),)
    adapters = [(index, adapt) for index, field in enumerate(fields) if (adapt := _adapter(field)) is not None]
    rows: list[Sequence[Any]] = []
    for obj in objects:
        row = list(values_of(obj))
        for index, adapt in adapters:
            row[index] = adapt(row[index])
        rows.append(row)
    columns = [str(field.column) for field in fields]
    if not with_ids:
        insert(model, columns, rows)
        return
    ids = insert_with_ids(model, columns, rows)
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
