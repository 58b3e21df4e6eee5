"""How much energy a meter recorded: its intervals, and their totals by local hour, day, week, month or quarter.

These are the reads behind the REST API's consumption endpoints and the portal's consumption pages.

Periods are half-open: an interval belongs to ``[period_from, period_to)`` when its *start* does, so consecutive
periods never count an interval twice. Groups are Europe/London calendar periods: a day runs from local midnight to
the next, so 2026-03-29 holds 46 half-hours and 2026-10-25 holds 50; weeks start on Monday (ISO weeks); quarters
start on 1 January, April, July and October. Hours are clock hours of UTC, which in the UK are also local hours
(both offsets are whole hours); the repeated local hour 01:00-02:00 of the October change is two groups.

Where the data come from:

- ``IntervalConsumption`` (half-hourly or finer). A ``MISSING`` interval is a gap, not a zero: it is left out of the
  raw intervals when asked (the REST API does, as Octopus Energy's does: no row means no data), and it makes the
  ``quality`` of any group it falls in ``MISSING``, meaning "part of this period is missing; the total covers the
  intervals received".
- ``DailyConsumption``: what a household without half-hourly consent keeps (T&C 7.7). A daily row counts for day
  and coarser groups only, and only for a local day with no interval data of its own (a day with intervals is
  summed from them, so a day is never counted twice). A day belongs to a period when its local midnight does.

Day and coarser groups are totalled by local day in the database (:class:`LocalDate`), so a year of half-hours
comes back as a few rows a day (one per unit and quality) rather than 17,520 rows read into Python (issue 14).

Quantities stay in the meter's own unit (kWh, or m³ for gas) with the kWh figure beside them, as stored. A group
whose intervals are in different units (a device replaced by one of another unit part-way) is given in kWh.
The ``quality`` of a group is the worst of its parts: ``ACTUAL`` < ``ESTIMATED`` < ``MISSING``.
"""

import enum
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, CharField, Max, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate, TruncTime
from django.db.models.sql.compiler import SQLCompiler

from hearth.common.calendar import LONDON, day_starts_at, local_date
from hearth.data.accounts.models import Account, Fuel, Property, Supply, SupplyPoint
from hearth.data.identity.models import User
from hearth.data.metering.models import AmrDevice, DailyConsumption, IntervalConsumption, Meter, Register
from hearth.domain.accounts import queries as accounts_queries

Quality = IntervalConsumption.Quality

_QUALITY_ORDER = (Quality.ACTUAL, Quality.ESTIMATED, Quality.MISSING)
_QUALITY_RANK = {str(quality): rank for rank, quality in enumerate(_QUALITY_ORDER)}


# --- Local (Europe/London) dates and clock times worked out in the database ----------------------------------------

_SQLITE_SUMMER_TIME = (
    "CASE WHEN {at} >= date(substr({at}, 1, 4) || '-03-31', '-6 days', 'weekday 0') || ' 01:00:00'"
    " AND {at} < date(substr({at}, 1, 4) || '-10-31', '-6 days', 'weekday 0') || ' 01:00:00'"
    " THEN '+1 hours' ELSE '+0 hours' END"
)
"""SQLite's modifier from a stored UTC instant to UK clock time: an hour ahead from 01:00 UTC on the last Sunday of
March to 01:00 UTC on the last Sunday of October (the UK's rule since 1996; SQLite has no zone database).
``date('YYYY-03-31', '-6 days', 'weekday 0')`` is the first Sunday on or after 25 March: the last Sunday of March.
PostgreSQL uses its own zone database (``AT TIME ZONE 'Europe/London'``)."""


def _sqlite_local(function: str, compiler: SQLCompiler, lhs: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = compiler.compile(lhs)
    modifier = _SQLITE_SUMMER_TIME.format(at=sql)
    return f"{function}({sql}, {modifier})", tuple(params) * (1 + modifier.count(sql))


class LocalDate(TruncDate):
    """The Europe/London date of a stored instant, in SQL: what a day's total is grouped by."""

    def __init__(self, expression: str, **extra: Any) -> None:
        super().__init__(expression, tzinfo=LONDON, **extra)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return _sqlite_local("date", compiler, self.lhs)


class LocalTime(TruncTime):
    """The Europe/London clock time of a stored instant, in SQL: what a time-of-use band is chosen by."""

    def __init__(self, expression: str, **extra: Any) -> None:
        super().__init__(expression, tzinfo=LONDON, **extra)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return _sqlite_local("time", compiler, self.lhs)


class GroupBy(enum.StrEnum):
    """The calendar periods consumption can be totalled over (the REST API's ``group_by`` values)."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True, slots=True)
class Consumption:
    """Energy used in ``[interval_start, interval_end)``: in the meter's own unit and in kWh, with its quality."""

    interval_start: datetime
    interval_end: datetime
    quantity: Decimal
    unit: str  # an AmrDevice.Unit value: KWH or M3
    kwh: Decimal
    quality: str  # an IntervalConsumption.Quality value


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open span of time ``[start, end)``; ``end`` None for open-ended."""

    start: datetime
    end: datetime | None = None

    def contains(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


@dataclass(frozen=True, slots=True)
class ConsumptionPage:
    """One page of results and how many there are in all."""

    count: int
    results: list[Consumption]


@dataclass(frozen=True, slots=True)
class ReadableMeter:
    """A meter a login may read, and the spans in which its accounts were supplied through the meter's point.

    A login sees consumption only from while one of its accounts was supplied there: not the previous
    occupant's, nor the next one's.
    """

    meter: Meter
    windows: tuple[Window, ...]


def _range_q(field_name: str, period_from: datetime | None, period_to: datetime | None) -> Q:
    condition = Q()
    if period_from is not None:
        condition &= Q(**{f"{field_name}__gte": period_from})
    if period_to is not None:
        condition &= Q(**{f"{field_name}__lt": period_to})
    return condition


def _windows_q(field_name: str, within: Sequence[Window] | None) -> Q:
    if within is None:
        return Q()
    if not within:
        return Q(pk__in=[])
    condition = Q()
    for window in within:
        condition |= _range_q(field_name, window.start, window.end)
    return condition


def _in_range(at: datetime, period_from: datetime | None, period_to: datetime | None) -> bool:
    return (period_from is None or period_from <= at) and (period_to is None or at < period_to)


def _in_windows(at: datetime, within: Sequence[Window] | None) -> bool:
    return within is None or any(window.contains(at) for window in within)


def _interval_rows(
    *,
    meter: Meter,
    period_from: datetime | None,
    period_to: datetime | None,
    include_missing: bool,
    within: Sequence[Window] | None,
) -> QuerySet[IntervalConsumption]:
    rows = IntervalConsumption.objects.filter(
        _range_q("interval_start", period_from, period_to), _windows_q("interval_start", within), meter=meter
    )
    if not include_missing:
        rows = rows.exclude(quality=Quality.MISSING)
    return rows


_INTERVAL_FIELDS = ("interval_start", "interval_minutes", "quantity", "unit", "kwh", "quality")


def _as_consumption(row: tuple[datetime, int, Decimal, str, Decimal, str]) -> Consumption:
    start, minutes, quantity, unit, kwh, quality = row
    return Consumption(
        interval_start=start,
        interval_end=start + timedelta(minutes=minutes),
        quantity=quantity,
        unit=unit,
        kwh=kwh,
        quality=quality,
    )


def intervals(
    *,
    meter: Meter,
    period_from: datetime | None = None,
    period_to: datetime | None = None,
    include_missing: bool = True,
    within: Sequence[Window] | None = None,
) -> list[Consumption]:
    """The meter's stored intervals starting in ``[period_from, period_to)``, oldest first.

    :param include_missing: False leaves out the ``MISSING`` intervals (gaps).
    :param within: if given, only intervals starting in one of these windows (what a login may see).
    """
    rows = _interval_rows(
        meter=meter, period_from=period_from, period_to=period_to, include_missing=include_missing, within=within
    ).order_by("interval_start")
    return [_as_consumption(row) for row in rows.values_list(*_INTERVAL_FIELDS)]


def group_bounds(at: datetime, group_by: GroupBy) -> tuple[datetime, datetime]:
    """The start and end (UTC) of the Europe/London calendar period of ``group_by`` that ``at`` falls in."""
    if group_by == GroupBy.HOUR:
        start = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    return _day_group_bounds(local_date(at), group_by)


@functools.lru_cache(maxsize=4096)
def _day_group_bounds(day: date, group_by: GroupBy) -> tuple[datetime, datetime]:
    """The day, week, month or quarter (``group_by`` other than HOUR) holding a local day, as UTC instants."""
    if group_by == GroupBy.DAY:
        first, after = day, day + timedelta(days=1)
    elif group_by == GroupBy.WEEK:
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
    else:
        months = 1 if group_by == GroupBy.MONTH else 3
        month = day.month if months == 1 else 3 * ((day.month - 1) // 3) + 1
        first = date(day.year, month, 1)
        after_index = first.year * 12 + first.month - 1 + months
        after = date(after_index // 12, after_index % 12 + 1, 1)
    return day_starts_at(first), day_starts_at(after)


@dataclass
class _Total:
    quantities: dict[str, Decimal] = field(default_factory=dict)
    kwh: Decimal = Decimal(0)
    worst: int = 0
    has_data: bool = False

    def add(self, *, quantity: Decimal, unit: str, kwh: Decimal, quality: str) -> None:
        self.worst = max(self.worst, _QUALITY_RANK[quality])
        if quality == Quality.MISSING:
            return
        self.has_data = True
        self.quantities[unit] = self.quantities.get(unit, Decimal(0)) + quantity
        self.kwh += kwh

    def as_consumption(self, start: datetime, end: datetime) -> Consumption:
        if len(self.quantities) == 1:
            ((unit, quantity),) = self.quantities.items()
        else:
            unit, quantity = AmrDevice.Unit.KWH, self.kwh
        return Consumption(
            interval_start=start,
            interval_end=end,
            quantity=quantity,
            unit=unit,
            kwh=self.kwh,
            quality=_QUALITY_ORDER[self.worst],
        )


def grouped(
    *,
    meter: Meter,
    group_by: GroupBy,
    period_from: datetime | None = None,
    period_to: datetime | None = None,
    within: Sequence[Window] | None = None,
) -> list[Consumption]:
    """The meter's consumption totalled by local ``group_by`` periods, oldest first; periods with no data left out.

    Only intervals and days starting in ``[period_from, period_to)`` (and in one of ``within``, when given) count, so
    the first and last groups may cover part of their period.
    """
    return _grouped(meter, group_by, period_from, period_to, within, received=None)


@dataclass(frozen=True)
class DayTotals:
    """A meter's :func:`grouped` totals by local day, and when each day's figures were last received (its
    intervals' and its daily total's, whether or not the total is the one shown): the :class:`Consumption` values do
    not carry their receipt time."""

    totals: list[Consumption]
    received: dict[date, datetime]


def day_totals(
    *, meter: Meter, period_from: datetime, period_to: datetime, within: Sequence[Window] | None = None
) -> DayTotals:
    """:func:`grouped` by day with each day's latest receipt, from the same two queries (the portal marks late
    data)."""
    received: dict[date, datetime] = {}
    totals = _grouped(meter, GroupBy.DAY, period_from, period_to, within, received=received)
    return DayTotals(totals, received)


def _grouped(
    meter: Meter,
    group_by: GroupBy,
    period_from: datetime | None,
    period_to: datetime | None,
    within: Sequence[Window] | None,
    *,
    received: dict[date, datetime] | None,
) -> list[Consumption]:
    """:func:`grouped`; with ``received`` (a day grouping), each day's latest receipt is put in it too."""
    rows = _interval_rows(
        meter=meter, period_from=period_from, period_to=period_to, include_missing=True, within=within
    )
    if group_by == GroupBy.HOUR:
        parts = [
            (group_bounds(start, group_by), quantity, unit, kwh, quality)
            for start, quantity, unit, kwh, quality in rows.values_list(
                "interval_start", "quantity", "unit", "kwh", "quality"
            )
        ]
    else:
        by_day_rows = (
            rows.annotate(day=LocalDate("interval_start"))
            .values_list("day", "unit", "quality")
            .annotate(quantity=Sum("quantity"), kwh=Sum("kwh"))
        )
        if received is not None:
            by_day_rows = by_day_rows.annotate(received_at=Max("received_at"))
        by_day = list(by_day_rows.order_by())
        days_with_intervals = {row[0] for row in by_day if row[2] != Quality.MISSING}
        daily_rows = _daily_rows(meter, period_from, period_to, within, days_with_intervals, received)
        days_from_daily_rows = {row[0] for row in daily_rows}
        parts = [
            (_day_group_bounds(day, group_by), Decimal(quantity or 0), unit, Decimal(kwh or 0), quality)
            for day, unit, quality, quantity, kwh, *_ in by_day
            # A day whose total came as a daily row: its interval gaps are not gaps in the data.
            if not (quality == Quality.MISSING and day in days_from_daily_rows)
        ]
        parts.extend(
            (_day_group_bounds(day, group_by), quantity, unit, kwh, quality)
            for day, quantity, unit, kwh, quality in daily_rows
        )
        if received is not None:
            for day, *_, received_at in by_day:
                _received_then(received, day, received_at)
    totals: dict[tuple[datetime, datetime], _Total] = {}
    for bounds, quantity, unit, kwh, quality in parts:
        totals.setdefault(bounds, _Total()).add(quantity=quantity, unit=unit, kwh=kwh, quality=quality)
    return [total.as_consumption(start, end) for (start, end), total in sorted(totals.items()) if total.has_data]


def kwh_by_day_and_band(
    *,
    meter: Meter,
    period_from: datetime,
    period_to: datetime,
    bands: Sequence[tuple[str, time, time]],
    within: Sequence[Window] | None = None,
) -> dict[tuple[date, str], Decimal]:
    """The kWh of the intervals received, totalled in SQL by local day and time-of-use band.

    ``bands`` are ``(name, starts_at, ends_at)`` in local clock time, a start after the end wrapping midnight (as
    Economy 7's night does); an interval's band is chosen by its local start time, as the bill rules choose it. An
    interval in no band is left out, so callers can tell a day's banded kWh from its total.
    """
    whens = []
    for name, starts_at, ends_at in bands:
        if starts_at < ends_at:
            condition = Q(local_time__gte=starts_at, local_time__lt=ends_at)
        else:
            condition = Q(local_time__gte=starts_at) | Q(local_time__lt=ends_at)
        whens.append(When(condition, then=Value(name)))
    rows = (
        _interval_rows(meter=meter, period_from=period_from, period_to=period_to, include_missing=False, within=within)
        .annotate(local_time=LocalTime("interval_start"))
        .annotate(day=LocalDate("interval_start"), band=Case(*whens, default=Value(""), output_field=CharField()))
        .values_list("day", "band")
        .annotate(kwh=Sum("kwh"))
        .order_by()
    )
    return {(day, band): Decimal(kwh) for day, band, kwh in rows if band}


def _received_then(received: dict[date, datetime], day: date, at: datetime) -> None:
    """Note that a figure of ``day`` was received ``at``: the day keeps its latest receipt."""
    received[day] = max(at, received.get(day, at))


def _daily_rows(
    meter: Meter,
    period_from: datetime | None,
    period_to: datetime | None,
    within: Sequence[Window] | None,
    days_with_intervals: set[date],
    received: dict[date, datetime] | None = None,
) -> list[tuple[date, Decimal, str, Decimal, str]]:
    """The daily totals of days without intervals; with ``received``, every daily total's receipt is put in it."""
    rows = DailyConsumption.objects.filter(meter=meter)
    if period_from is not None:
        rows = rows.filter(day_date__gte=local_date(period_from))
    if period_to is not None:
        rows = rows.filter(day_date__lte=local_date(period_to))
    kept = []
    for day, quantity, unit, kwh, quality, received_at in rows.order_by("day_date").values_list(
        "day_date", "quantity", "unit", "kwh", "quality", "received_at"
    ):
        if not _in_range(day_starts_at(day), period_from, period_to):
            continue
        if received is not None:
            _received_then(received, day, received_at)
        if day not in days_with_intervals and _in_windows(day_starts_at(day), within):
            kept.append((day, quantity, unit, kwh, quality))
    return kept


def consumption_page(
    *,
    meter: Meter,
    group_by: GroupBy | None,
    newest_first: bool,
    offset: int,
    limit: int,
    period_from: datetime | None = None,
    period_to: datetime | None = None,
    within: Sequence[Window] | None = None,
) -> ConsumptionPage:
    """One page of a meter's consumption: raw intervals (``group_by`` None, gaps left out) or grouped totals.

    Raw intervals are counted and sliced in the database, so a page of a year of half-hours reads only that page.
    """
    if group_by is None:
        rows = _interval_rows(
            meter=meter, period_from=period_from, period_to=period_to, include_missing=False, within=within
        ).order_by("-interval_start" if newest_first else "interval_start")
        count = rows.count()
        if offset >= count:  # past the end: no query (an offset beyond the database's integers would fail)
            return ConsumptionPage(count=count, results=[])
        window = rows.values_list(*_INTERVAL_FIELDS)[offset : offset + limit]
        return ConsumptionPage(count=count, results=[_as_consumption(row) for row in window])
    totals = grouped(meter=meter, group_by=group_by, period_from=period_from, period_to=period_to, within=within)
    if newest_first:
        totals.reverse()
    return ConsumptionPage(count=len(totals), results=totals[offset : offset + limit])


# --- Which meters a login may read -------------------------------------------------------------------------------


def _supply_window(supply: Supply) -> Window:
    return Window(
        start=day_starts_at(supply.valid_from),
        end=day_starts_at(supply.valid_to) if supply.valid_to is not None else None,
    )


def _login_supplies(user: User, condition: Q) -> list[Supply]:
    """The supplies of the login's linked accounts meeting ``condition``, oldest first."""
    return list(
        Supply.objects.filter(condition, account__login_links__user=user)
        .select_related("supply_point")
        .order_by("valid_from", "id")
    )


def readable_meter(*, user: User, fuel: Fuel, identifier: str, serial_number: str) -> ReadableMeter | None:
    """The meter with this serial on the supply point ``identifier`` (a normalised MPAN core or MPRN), if one of
    the login's linked accounts is or was supplied through that point; otherwise None.

    None is the answer both for a meter that does not exist and for one the login may not see, so that callers
    can answer both the same way.
    """
    supplies = _login_supplies(user, Q(supply_point__fuel=fuel, supply_point__identifier=identifier))
    if not supplies:
        return None
    meter = Meter.objects.filter(supply_point=supplies[0].supply_point, serial_number=serial_number.strip()).first()
    if meter is None:
        return None
    return ReadableMeter(meter=meter, windows=tuple(_supply_window(supply) for supply in supplies))


def readable_account_meter(*, user: User, account: Account, meter_id: int) -> ReadableMeter | None:
    """The meter ``meter_id`` if it is on one of the account's current supply points and the login may read it
    (as :func:`readable_meter`, from the meter already found: one look-up); otherwise None.
    """
    meter = (
        Meter.objects.filter(accounts_queries.on_current_supply_point(account), pk=meter_id)
        .select_related("supply_point")
        .first()
    )
    if meter is None:
        return None
    supplies = _login_supplies(user, Q(supply_point=meter.supply_point))
    if not supplies:
        return None
    return ReadableMeter(meter=meter, windows=tuple(_supply_window(supply) for supply in supplies))


# --- When figures arrived (the portal marks late data) -----------------------------------------------------------


def received_by_interval(*, meter: Meter, period_from: datetime, period_to: datetime) -> dict[datetime, datetime]:
    """When each stored interval starting in ``[period_from, period_to)`` was received, by its start."""
    rows = IntervalConsumption.objects.filter(
        meter=meter, interval_start__gte=period_from, interval_start__lt=period_to
    )
    return dict(rows.values_list("interval_start", "received_at"))


@dataclass(frozen=True)
class MeterPointSupply:
    """A supply point through which an account is (or was) supplied, with the meters fitted while it was."""

    supply_point: SupplyPoint
    meters: list[Meter]


@dataclass(frozen=True)
class PropertySupplies:
    """A property an account is (or was) supplied at: from when, until when, and through which meter points."""

    property: Property
    moved_in_at: datetime
    moved_out_at: datetime | None
    meter_points: list[MeterPointSupply]


def _envelope(supplies: Iterable[Supply]) -> Window:
    windows = [_supply_window(supply) for supply in supplies]
    ends = [window.end for window in windows]
    return Window(
        start=min(window.start for window in windows),
        end=None if None in ends else max(end for end in ends if end is not None),
    )


def supplied_meter_points(*, account: Account) -> list[PropertySupplies]:
    """Where and through which meter points (and meters, with their registers) the account is or was supplied.

    A property's ``moved_in_at`` is the start of the account's first supply there, ``moved_out_at`` the end of its
    last (None while one is open). Meters listed are those fitted at some time during the account's supply.
    """
    supplies = list(
        Supply.objects.filter(account=account)
        .select_related("supply_point__supply_property")
        .order_by("valid_from", "id")
    )
    by_property: dict[int, list[Supply]] = {}
    for supply in supplies:
        by_property.setdefault(supply.supply_point.supply_property_id, []).append(supply)
    registers = Prefetch("registers", queryset=Register.objects.order_by("identifier", "id"))
    result = []
    for property_supplies in by_property.values():
        by_point: dict[int, list[Supply]] = {}
        for supply in property_supplies:
            by_point.setdefault(supply.supply_point_id, []).append(supply)
        meter_points = []
        for point_supplies in by_point.values():
            window = _envelope(point_supplies)
            meters = Meter.objects.filter(supply_point=point_supplies[0].supply_point).filter(
                Q(removed_at__isnull=True) | Q(removed_at__gt=window.start)
            )
            if window.end is not None:
                meters = meters.filter(installed_at__lt=window.end)
            meter_points.append(
                MeterPointSupply(
                    supply_point=point_supplies[0].supply_point,
                    meters=list(meters.prefetch_related(registers).order_by("installed_at", "id")),
                )
            )
        envelope = _envelope(property_supplies)
        result.append(
            PropertySupplies(
                property=property_supplies[0].supply_point.supply_property,
                moved_in_at=envelope.start,
                moved_out_at=envelope.end,
                meter_points=meter_points,
            )
        )
    return result
