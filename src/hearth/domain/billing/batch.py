"""What a chunk of bills needs from the database, gathered in a fixed number of queries whatever the chunk's size.

The bill rules (:mod:`hearth.domain.billing.operations`) read everything from a :class:`ChunkInputs`: ``issue_bill``
gathers one for its single bill, a bill run one per chunk of accounts. Each query reads the rows of every bill of
the chunk at once (over the span of their periods) and the rules pick each bill's rows in memory with the same
conditions, so a chunk of 500 bills costs the queries of one.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max, Model, Q, Sum

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Supply, SupplyPoint
from hearth.data.billing.models import AdditionalCharge, Bill, BillingArrangement, BillingObstruction, LedgerEntry
from hearth.data.metering.models import IntervalConsumption, Meter, Register
from hearth.data.tariffs.models import Agreement, HalfHourlyPrice, StandingCharge, Tariff, UnitRate
from hearth.domain.billing import calculation, sql, usage

ZERO = Decimal("0.00")
PRICE_PLACES = 4
"""Half-hourly prices are stored to four places of a penny."""


@dataclass(frozen=True, slots=True)
class BillRequest:
    """One bill to issue: the account, the local days ``[period_start_date, period_end_date)``, the bill it reissues."""

    account_id: int
    period_start_date: date
    period_end_date: date
    replaces: Bill | None = None


@dataclass(frozen=True, slots=True)
class LedgerPosition:
    """An account's ledger as the balance box needs it: the balance now, and what moved since the latest charge."""

    balance: Decimal
    moved: Decimal


@dataclass(frozen=True, slots=True)
class PricedHalfHours:
    """A dynamic tariff's half-hours over one window, priced at that tariff's prices and summed by the database: how
    many, their kWh, their pence before rounding (both exact), and whether any is an estimate."""

    tariff_id: int
    count: int
    kwh: Decimal
    pence: Decimal
    estimated: bool


@dataclass
class ChunkInputs:
    """The rows the rules read, by account, supply point or tariff id, each list in the order the rules want."""

    accounts: dict[int, Account]
    bills: dict[int, list[Bill]]
    supplies: dict[int, list[Supply]]
    agreements: dict[int, list[Agreement]]
    standing_charges: dict[int, list[StandingCharge]]
    unit_rates: dict[int, list[UnitRate]]
    prices: dict[int, dict[datetime, tuple[Decimal, int | None]]]
    priced: dict[usage.UsageWindow, PricedHalfHours]
    meters: usage.MeterHistory
    obstructions: dict[int, list[BillingObstruction]]
    unbilled: dict[int, list[AdditionalCharge]]
    ledger: dict[int, LedgerPosition]


def in_force(rows: Iterable[Any], start_date: date, end_date: date) -> list[Any]:
    """Rows with a ``[valid_from, valid_to)`` datetime period overlapping the local days ``[start_date, end_date)``."""
    start_at, end_at = calendar.day_starts_at(start_date), calendar.day_starts_at(end_date)
    return [row for row in rows if row.valid_from < end_at and (row.valid_to is None or row.valid_to > start_at)]


def _by(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _ledger(account_ids: Sequence[int]) -> dict[int, LedgerPosition]:
    """Each account's balance and the movements (all but bills' charges) posted after its latest charge, in two
    queries: sums per account, then the entries from each account's latest charge on."""
    charge = Q(kind=LedgerEntry.Kind.CHARGE)
    sums = (
        LedgerEntry.objects.filter(account_id__in=account_ids)
        .values("account_id")
        .annotate(balance=Sum("amount"), others=Sum("amount", filter=~charge), last_at=Max("posted_at", filter=charge))
        .order_by()
    )
    positions: dict[int, LedgerPosition] = {}
    since: dict[datetime, list[int]] = {}
    for row in sums:
        account_id = row["account_id"]
        balance = ZERO if row["balance"] is None else Decimal(row["balance"])
        others = ZERO if row["others"] is None else Decimal(row["others"])
        positions[account_id] = LedgerPosition(balance, others)
        if row["last_at"] is not None:
            since.setdefault(row["last_at"], []).append(account_id)
    if since:
        recent = Q()
        for posted_at, ids in since.items():
            recent |= Q(account_id__in=ids, posted_at__gte=posted_at)
        entries: dict[int, list[tuple[datetime, int, str, Decimal]]] = {}
        for account_id, posted_at, pk, kind, amount in (
            LedgerEntry.objects.filter(recent).order_by().values_list("account_id", "posted_at", "id", "kind", "amount")
        ):
            entries.setdefault(account_id, []).append((posted_at, pk, kind, Decimal(amount)))
        for account_id, rows in entries.items():
            latest = max((posted_at, pk) for posted_at, pk, kind, _ in rows if kind == LedgerEntry.Kind.CHARGE)
            moved = sum(
                (
                    amount
                    for posted_at, pk, kind, amount in rows
                    if kind != LedgerEntry.Kind.CHARGE and (posted_at, pk) > latest
                ),
                ZERO,
            )
            positions[account_id] = LedgerPosition(positions[account_id].balance, moved)
    return positions


def _with_related(rows: list[Any], name: str, related: dict[int, Any]) -> list[Any]:
    """``rows`` with the instances they point at through the foreign key ``name`` set, as ``select_related`` does."""
    if rows:
        field = type(rows[0])._meta.get_field(name)
        for row in rows:
            field.set_cached_value(row, related[getattr(row, field.attname)])
    return rows


def _by_id(model: type[Model], ids: Sequence[int]) -> dict[int, Any]:
    """The rows of ``model`` with these ids, by id (none asked, none read)."""
    if not ids:
        return {}
    return {row.pk: row for row in sql.objects(model, *sql.among("t.id", ids), order_by="t.id")}


def _accounts(account_ids: Sequence[int]) -> dict[int, Account]:
    """The accounts, locked in id order, each with its customer and billing arrangement (or none) at hand."""
    accounts = sql.objects(Account, *sql.among("t.id", account_ids), order_by="t.id", lock=True)
    customer_ids = sorted({account.customer_id for account in accounts})
    _with_related(accounts, "customer", _by_id(Customer, customer_ids))
    arrangements = {
        arrangement.account_id: arrangement
        for arrangement in sql.objects(BillingArrangement, *sql.among("t.account_id", account_ids), order_by="t.id")
    }
    arranged = Account._meta.get_field("billing_arrangement")
    for account in accounts:
        arranged.set_cached_value(account, arrangements.get(account.pk))  # None: accessing it raises DoesNotExist
    return {account.pk: account for account in accounts}


def gather(requests: Sequence[BillRequest], issue_date: date) -> ChunkInputs:
    """Lock the requests' accounts (in id order, so two workers never deadlock) and read every row their bills need.

    Call inside the transaction that writes the bills: the account locks make a second worker billing the same
    accounts wait, then find the bills. The rows are read by plain cursors into model instances
    (:class:`sql.Reader`), a fixed number of queries whatever the chunk's size. A window on one dynamic tariff is
    priced by the database (:func:`_priced_half_hours`); the half-hours themselves are read only for the windows
    it cannot price whole, and for those billed by band.
    """
    account_ids = sorted({request.account_id for request in requests})
    first_date = min(request.period_start_date for request in requests)
    last_date = max(request.period_end_date for request in requests)
    in_accounts, account_params = sql.among("t.account_id", account_ids)
    accounts = _accounts(account_ids)
    starts = sorted({request.period_start_date for request in requests})
    starting, start_params = sql.among("t.period_start_date", [sql.day(start) for start in starts])
    bills = _by(
        sql.objects(
            Bill,
            f"{in_accounts} AND ({starting} "
            "OR (t.status = %s AND t.period_start_date < %s AND t.period_end_date > %s))",
            [*account_params, *start_params, Bill.Status.ISSUED, sql.day(last_date), sql.day(first_date)],
            order_by="t.period_start_date, t.id",
        ),
        "account_id",
    )
    supplied, supplied_params = sql.overlapping("t", sql.day(first_date), sql.day(last_date))
    supply_rows = sql.objects(
        Supply,
        f"{in_accounts} AND {supplied}",
        [*account_params, *supplied_params],
        order_by="t.valid_from, t.id",
    )
    point_ids = sorted({supply.supply_point_id for supply in supply_rows})
    supplies = _by(_with_related(supply_rows, "supply_point", _by_id(SupplyPoint, point_ids)), "account_id")
    windows = []
    for request in requests:
        for supply in supplies.get(request.account_id, ()):
            start = max(request.period_start_date, supply.valid_from)
            end = request.period_end_date if supply.valid_to is None else min(request.period_end_date, supply.valid_to)
            if start < end:
                windows.append(usage.UsageWindow(supply.supply_point_id, start, end))
    supply_point_ids = sorted({window.supply_point_id for window in windows})
    # in_force's condition, in SQL
    overlapping, overlapping_params = sql.overlapping(
        "t", sql.instant(calendar.day_starts_at(first_date)), sql.instant(calendar.day_starts_at(last_date))
    )
    agreement_rows: list[Agreement] = []
    if supply_point_ids:
        at_points, point_params = sql.among("t.supply_point_id", supply_point_ids)
        agreement_rows = sql.objects(
            Agreement,
            f"{overlapping} AND {at_points}",
            [*overlapping_params, *point_params],
            order_by="t.valid_from, t.id",
        )
    tariff_ids = sorted({agreement.tariff_id for agreement in agreement_rows})
    tariffs = _by_id(Tariff, tariff_ids)
    standing_charges: dict[int, list[StandingCharge]] = {}
    unit_rates: dict[int, list[UnitRate]] = {}
    if tariff_ids:
        in_tariffs, tariff_params = sql.among("t.tariff_id", tariff_ids)
        standing_charges = _by(
            sql.objects(
                StandingCharge,
                f"{overlapping} AND {in_tariffs}",
                [*overlapping_params, *tariff_params],
                order_by="t.valid_from, t.id",
            ),
            "tariff_id",
        )
        # Every unit rate of the tariffs, not only those in force: a time-of-use tariff's bands are read from them all.
        unit_rates = _by(sql.objects(UnitRate, in_tariffs, tariff_params, order_by="t.valid_from, t.id"), "tariff_id")
    agreements = _by(_with_related(agreement_rows, "tariff", tariffs), "supply_point_id")
    meters = usage.gather_meter_history(windows)
    from_half_hours = [w for w in windows if _needs_half_hours(w, agreements.get(w.supply_point_id, ()), meters)]
    cutoff = calculation.back_billing_cutoff(issue_date)
    on_one_dynamic_tariff = {
        w: on[0].tariff_id
        for w in from_half_hours
        if w.start_date >= cutoff  # the back-billing limit cuts by half-hour: it needs them one by one
        and len(on := in_force(agreements.get(w.supply_point_id, ()), w.start_date, w.end_date)) == 1
        and on[0].tariff.structure == Tariff.Structure.HALF_HOURLY
    }
    priced = _priced_half_hours(on_one_dynamic_tariff)
    unpriced = [w for w in from_half_hours if w not in priced]
    meters.load_intervals(unpriced)
    half_hourly = sorted(
        {
            agreement.tariff_id
            for w in unpriced
            for agreement in in_force(agreements.get(w.supply_point_id, ()), w.start_date, w.end_date)
            if agreement.tariff.structure == Tariff.Structure.HALF_HOURLY
        }
    )
    return ChunkInputs(
        accounts=accounts,
        bills=bills,
        supplies=supplies,
        agreements=agreements,
        standing_charges=standing_charges,
        unit_rates=unit_rates,
        prices=_half_hourly_prices(half_hourly, first_date, last_date),
        priced=priced,
        meters=meters,
        obstructions=_by(
            sql.objects(BillingObstruction, in_accounts, account_params, order_by="t.from_date, t.id"), "account_id"
        ),
        unbilled=_by(
            sql.objects(
                AdditionalCharge,
                f"{in_accounts} AND t.bill_id IS NULL AND t.incurred_date < %s",
                [*account_params, sql.day(last_date)],
                order_by="t.incurred_date, t.id",
                lock=True,
            ),
            "account_id",
        ),
        ledger=_ledger(account_ids),
    )


def _half_hourly_prices(
    tariff_ids: Sequence[int], first_date: date, last_date: date
) -> dict[int, dict[datetime, tuple[Decimal, int | None]]]:
    """The dynamic tariffs' prices over the local days ``[first_date, last_date)`` by half-hour start (one query),
    read as half-hour indices and ten-thousandths of a penny: no timestamp or decimal parsed per row."""
    if not tariff_ids:
        return {}
    first_at, end_at = calendar.day_starts_at(first_date), calendar.day_starts_at(last_date)
    starts = usage.half_hour_starts(first_at, int((end_at - first_at) / usage.HALF_HOUR))
    of_tariffs, tariff_params = sql.among("tariff_id", tariff_ids)
    rows = sql.select(
        f"SELECT tariff_id, {sql.half_hour_index('interval_start')}, {sql.in_units('value_exc_vat', PRICE_PLACES)} "  # noqa: S608
        f"FROM {HalfHourlyPrice._meta.db_table} WHERE {of_tariffs} AND interval_start >= %s AND interval_start < %s",
        [sql.instant(first_at), *tariff_params, sql.instant(first_at), sql.instant(end_at)],
    )
    prices: dict[int, dict[datetime, tuple[Decimal, int | None]]] = {pk: {} for pk in tariff_ids}
    value_of: dict[int, tuple[Decimal, None]] = {}
    for tariff_id, index, units in rows:
        value = value_of.get(units)
        if value is None:
            value = value_of[units] = (Decimal(units).scaleb(-PRICE_PLACES), None)
        prices[tariff_id][starts[index]] = value
    return prices


def _priced_half_hours(tariff_of: dict[usage.UsageWindow, int]) -> dict[usage.UsageWindow, PricedHalfHours]:
    """The windows' half-hours priced at their tariff's price for each and summed, in one query: a month of a
    dynamic tariff is 1,490 rows a meter, which the database sums quicker than it can send them.

    Only a window the sums describe whole is returned: one meter, every half-hour of it present (30-minute intervals,
    which start on the half-hour as the imports check, as many as the window has), each with a price. Any other
    (15-minute data, a meter exchange, a gap, a half-hour without a price) is left out, for the rules to read its
    half-hours and say what is wrong. kWh and prices are summed as whole ten-thousandths, exactly (an integer
    overflow would need a half-hour charged over £900 million).
    """
    if not tariff_of:
        return {}
    windows = list(tariff_of)
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(windows))
    params: list[Any] = []
    for n, w in enumerate(windows):
        start_at, end_at = calendar.day_starts_at(w.start_date), calendar.day_starts_at(w.end_date)
        params += [n, w.supply_point_id, tariff_of[w], sql.instant(start_at), sql.instant(end_at)]
    kwh, price = sql.in_units("i.kwh", usage.KWH_PLACES), sql.in_units("p.value_exc_vat", PRICE_PLACES)
    found = sql.select(
        f"WITH w (n, supply_point_id, tariff_id, start_at, end_at) AS (VALUES {rows}) "  # noqa: S608 - our tables
        "SELECT w.n, COUNT(*), MIN(i.meter_id), MAX(i.meter_id), "
        "SUM(CASE WHEN i.interval_minutes = 30 THEN 0 ELSE 1 END), MAX(CASE WHEN i.quality = %s THEN 1 ELSE 0 END), "
        f"COUNT(p.tariff_id), SUM({kwh}), SUM({kwh} * {price}) "
        f"FROM w JOIN {Meter._meta.db_table} m ON m.supply_point_id = w.supply_point_id "
        f"JOIN {IntervalConsumption._meta.db_table} i ON i.meter_id = m.id "
        "AND i.interval_start >= w.start_at AND i.interval_start < w.end_at "
        f"LEFT JOIN {HalfHourlyPrice._meta.db_table} p ON p.tariff_id = w.tariff_id "
        "AND p.interval_start = i.interval_start "
        "WHERE i.quality <> %s GROUP BY w.n",
        [*params, IntervalConsumption.Quality.ESTIMATED, IntervalConsumption.Quality.MISSING],
    )
    priced: dict[usage.UsageWindow, PricedHalfHours] = {}
    for n, count, first_meter, last_meter, odd, estimated, with_price, kwh_units, pence_units in found:
        w = windows[n]
        half_hours = int((calendar.day_starts_at(w.end_date) - calendar.day_starts_at(w.start_date)) / usage.HALF_HOUR)
        if first_meter == last_meter and not odd and count == with_price == half_hours:
            priced[w] = PricedHalfHours(
                tariff_of[w],
                count,
                Decimal(kwh_units).scaleb(-usage.KWH_PLACES),
                Decimal(pence_units).scaleb(-usage.KWH_PLACES - PRICE_PLACES),
                bool(estimated),
            )
    return priced


def _needs_half_hours(window: usage.UsageWindow, agreements: Iterable[Agreement], meters: usage.MeterHistory) -> bool:
    """Whether the window may be billed from half-hours: a tariff priced by half-hour or band, or Economy 7 on a
    meter without day and night registers (a superset of what the rules read is fine; less is not)."""
    structures = {a.tariff.structure for a in in_force(agreements, window.start_date, window.end_date)}
    if structures & {Tariff.Structure.HALF_HOURLY, Tariff.Structure.TIME_OF_USE}:
        return True
    if Tariff.Structure.TWO_RATE not in structures:
        return False
    start_at, end_at = calendar.day_starts_at(window.start_date), calendar.day_starts_at(window.end_date)
    return not any(
        register.rate in (Register.Rate.DAY, Register.Rate.NIGHT)
        for meter in meters.meters_in(window.supply_point_id, start_at, end_at)
        for register in meters.registers.get(meter.pk, ())
    )
