"""What a UK bill says about a supply's year: its annual consumption, the projected cost on its tariff, the tariff's
end date and exit fee, and whether another tariff on sale would cost less for the same energy.

Everything is worked out as the bill stood when it was issued (the bill's period end, its issue time, the tariffs on
sale then), so printing the bill again prints the same figures. The annual consumption is the kWh on the account's
live bills over the twelve months to the end of this bill; with less history than that it is estimated from the days
billed, scaled to a year by the seasonal profile (:mod:`hearth.common.profile`), and the bill says so. Prices are
pence excluding VAT (as stored); a year's cost adds VAT once at the end and is rounded to the penny once.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final, NamedTuple

from hearth.common import calendar, profile
from hearth.common.money import to_pennies
from hearth.data.accounts.models import Fuel, Property, SupplyPoint
from hearth.data.billing.models import Bill, BillConsumption
from hearth.data.metering.models import Meter
from hearth.data.tariffs.models import Agreement, Product, Tariff
from hearth.domain.billing import sql
from hearth.domain.tariffs import contracts as tariff_contracts
from hearth.domain.tariffs import queries as tariff_queries

DAYS_IN_A_YEAR: Final = 365
"""A projected year pays 365 days' standing charge, as the quote page counts it."""

WORTH_SWITCHING: Final = Decimal("1.00")
"""A tariff is named as cheaper only when it saves at least this much a year."""


@dataclass(frozen=True, slots=True)
class AnnualConsumption:
    """A supply's kWh over a year, per register band, and whether it was measured or estimated."""

    kwh_by_band: dict[str, Decimal]
    estimated: bool
    days_billed: int

    @property
    def kwh(self) -> Decimal:
        return sum(self.kwh_by_band.values(), Decimal(0))


@dataclass(frozen=True, slots=True)
class Cheaper:
    """A tariff on sale that would have cost less for the same year's energy."""

    tariff: Tariff
    annual_cost: Decimal
    saving: Decimal


@dataclass(frozen=True, slots=True)
class SupplyYear:
    """The year figures a bill prints for one supply point."""

    consumption: AnnualConsumption | None
    projected_cost: Decimal | None
    tariff_end_date: date | None
    exit_fee: Decimal
    cheaper: Cheaper | None
    cheapest_known: bool
    """True when the tariffs on sale were compared and none is cheaper (the customer is on the cheapest)."""


def annual_consumptions(supplies: Sequence[tuple[Bill, SupplyPoint]]) -> list[AnnualConsumption | None]:
    """For each (bill, supply point), in order: the kWh the account was billed for the point in the year to the end
    of the bill (the bill included, even if cancelled since), or None when nothing was billed for it. One plain-cursor
    query however many (a bill run's chunk): the rows of every account's year are read together and shared out here."""
    if not supplies:
        return []
    bills = [bill for bill, _ in supplies]
    of_bills, bill_params = sql.among("c.bill_id", sorted({bill.pk for bill in bills}))
    of_accounts, account_params = sql.among("b.account_id", sorted({bill.account_id for bill in bills}))
    at_points, point_params = sql.among("c.supply_point_id", sorted({point.pk for _, point in supplies}))
    rows = sql.select(
        f"SELECT b.account_id, c.supply_point_id, c.bill_id, b.status, b.period_start_date, "  # noqa: S608 - tables
        f"b.period_end_date, c.band, c.kwh FROM {BillConsumption._meta.db_table} c "
        f"JOIN {Bill._meta.db_table} b ON b.id = c.bill_id "
        f"WHERE (b.status = %s OR {of_bills}) AND {of_accounts} AND {at_points} "
        "AND b.period_start_date >= %s AND b.period_end_date <= %s ORDER BY c.id",
        [
            Bill.Status.ISSUED,
            *bill_params,
            *account_params,
            *point_params,
            sql.day(min(_year_before(bill) for bill in bills)),
            sql.day(max(bill.period_end_date for bill in bills)),
        ],
    )
    bill_of, row_of = sql.reader(Bill, "b"), sql.reader(BillConsumption, "c")
    by_supply: dict[tuple[int, int], list[_Billed]] = defaultdict(list)
    for account_id, point_id, bill_id, status, start_date, end_date, band, kwh in rows:
        by_supply[(account_id, point_id)].append(
            _Billed(
                bill_id,
                status,
                bill_of.value("period_start_date", start_date),
                bill_of.value("period_end_date", end_date),
                band,
                row_of.value("kwh", kwh),
            )
        )
    return [_consumption(bill, point, by_supply[(bill.account_id, point.pk)]) for bill, point in supplies]


class _Billed(NamedTuple):
    """One consumption row of the account's year, with its bill's id, status and period."""

    bill_id: int
    status: str
    start_date: date
    end_date: date
    band: str
    kwh: Decimal


def _year_before(bill: Bill) -> date:
    return bill.period_end_date - timedelta(days=DAYS_IN_A_YEAR)


def _consumption(bill: Bill, supply_point: SupplyPoint, rows: Iterable[_Billed]) -> AnnualConsumption | None:
    """The year to the end of ``bill`` from the point's ``rows``: those of live bills (and ``bill``) inside it."""
    end, year_before = bill.period_end_date, _year_before(bill)
    by_band: dict[str, Decimal] = defaultdict(Decimal)
    starts = []
    for row in rows:
        live = row.status == Bill.Status.ISSUED or row.bill_id == bill.pk
        if live and year_before <= row.start_date and row.end_date <= end:
            by_band[row.band] += row.kwh
            starts.append(row.start_date)
    if not starts:
        return None
    first = min(starts)
    days = (end - first).days
    if days >= DAYS_IN_A_YEAR:
        return AnnualConsumption(kwh_by_band=dict(by_band), estimated=False, days_billed=days)
    share = profile.share_of_year(first, end, supply_point.fuel)
    scaled = {band: (kwh / share).quantize(Decimal("1")) for band, kwh in by_band.items()}
    return AnnualConsumption(kwh_by_band=scaled, estimated=True, days_billed=days)


def _priced_bands(kwh_by_band: dict[str, Decimal], rate_bands: Iterable[str]) -> dict[str, Decimal] | None:
    """The year's kWh on the tariff's bands: band by band, or all on a single-rate tariff's one band; None when the
    two do not match (half-hourly use, or Economy 7 use on a tariff of other bands)."""
    bands = set(rate_bands)
    if kwh_by_band.keys() <= bands:
        return kwh_by_band
    if len(bands) == 1:
        return {bands.pop(): sum(kwh_by_band.values(), Decimal(0))}
    return None


def annual_cost(tariff: Tariff, kwh_by_band: dict[str, Decimal], *, vat_rate: Decimal, bill: Bill) -> Decimal | None:
    """A year on ``tariff`` at the prices in force when ``bill`` was issued, in pounds with VAT: 365 days' standing
    charge plus each band's kWh at its unit rate; None when the tariff has no price for the energy."""
    return _cost(tariff_queries.rates_at(tariff=tariff, at=bill.issued_at), kwh_by_band, vat_rate=vat_rate)


def _cost(rates: tariff_queries.RatesAt, kwh_by_band: dict[str, Decimal], *, vat_rate: Decimal) -> Decimal | None:
    """:func:`annual_cost` at ``rates``."""
    if rates.standing_charge is None or not rates.unit_rates:
        return None
    kwh = _priced_bands(kwh_by_band, rates.unit_rates)
    if kwh is None or not kwh.keys() <= rates.unit_rates.keys():
        return None
    pence = sum((kwh[band] * rates.unit_rates[band].value_exc_vat for band in kwh), Decimal(0))
    pence += DAYS_IN_A_YEAR * rates.standing_charge.value_exc_vat
    return to_pennies(pence / 100 * (1 + vat_rate))


def _kind_of(tariff: Tariff) -> tuple[bool, str, str, str, str]:
    """What a tariff on sale must share with the current one to be offered instead: business or household, fuel,
    region, rate structure and way of paying."""
    return (tariff.product.is_business, tariff.fuel, tariff.region, tariff.structure, tariff.payment_method)


def _on_sale(supplies: Sequence["Supply"]) -> list[list[Tariff]]:
    """For each supply (on a tariff), the tariffs on sale when its bill was issued for the same fuel, region, rate
    structure and way of paying, from products that allow the point's meters (the current tariff among them if it
    is still sold): in one query for each instant the bills were issued at."""
    on_sale: dict[datetime, list[Tariff]] = {}
    for at in {supply.bill.issued_at for supply in supplies}:
        currents = [supply.agreement.tariff for supply in supplies if supply.agreement and supply.bill.issued_at == at]
        on_sale[at] = list(
            tariff_queries.tariffs_on_sale(at=at)
            .filter(
                product__is_business__in={current.product.is_business for current in currents},
                fuel__in={current.fuel for current in currents},
                region__in={current.region for current in currents},
                structure__in={current.structure for current in currents},
                payment_method__in={current.payment_method for current in currents},
            )
            .order_by("id")
        )
    found = []
    for supply in supplies:
        assert supply.agreement is not None, "only a supply on a tariff is compared"
        current, point_kinds = supply.agreement.tariff, supply.meter_kinds
        found.append(
            [
                tariff
                for tariff in on_sale[supply.bill.issued_at]
                if _kind_of(tariff) == _kind_of(current)
                and (not tariff.product.meter_kinds or point_kinds <= set(tariff.product.meter_kinds))
            ]
        )
    return found


def tariff_end_date(agreement: Agreement) -> date | None:
    """The last day of the tariff: the agreement's own end if it has one, else a fixed product's term end; None for
    a variable tariff with no end."""
    if agreement.valid_to is not None:
        return calendar.local_date(agreement.valid_to) - timedelta(days=1)
    return tariff_contracts.fixed_term_end_date(agreement.tariff.product, calendar.local_date(agreement.valid_from))


def exit_fee(product: Product, fuel: str, end_date: date | None, on: date) -> Decimal:
    """The product's exit fee for ``fuel`` while its fixed term runs; nothing once it has ended (or if none)."""
    if end_date is None or end_date < on:
        return Decimal("0.00")
    return product.exit_fee_electricity if fuel == Fuel.ELECTRICITY else product.exit_fee_gas


@dataclass(frozen=True, slots=True)
class Supply:
    """One supply on one bill, whose year figures are asked for: the agreement it was on at the end of the bill
    period (if any) and the VAT rate its energy is charged at."""

    bill: Bill
    supply_point: SupplyPoint
    meter_kinds: frozenset[str]
    """The kinds of the point's fitted meters (:func:`points_with_meter_kinds`): a product may allow only some."""
    agreement: Agreement | None
    vat_rate: Decimal


def points_with_meter_kinds(point_ids: Iterable[int]) -> dict[int, tuple[SupplyPoint, frozenset[str]]]:
    """Each supply point by id, with its supply property and the kinds of its fitted meters, in one plain-cursor query
    (a row per fitted meter, or one without a kind for a point with none: the meters are joined to the point)."""
    point_ids = list(point_ids)
    if not point_ids:
        return {}
    point_of, property_of = sql.reader(SupplyPoint, "p"), sql.reader(Property, "a")
    at_points, params = sql.among("p.id", point_ids)
    points: dict[int, SupplyPoint] = {}
    kinds: dict[int, set[str]] = {}
    for row in sql.select(
        f"SELECT {point_of.columns}, {property_of.columns}, m.kind FROM {SupplyPoint._meta.db_table} p "  # noqa: S608
        f"JOIN {Property._meta.db_table} a ON a.id = p.supply_property_id "
        f"LEFT JOIN {Meter._meta.db_table} m ON m.supply_point_id = p.id AND m.removed_at IS NULL WHERE {at_points}",
        params,
    ):
        point_id, kind = row[0], row[-1]
        if point_id not in points:
            point = points[point_id] = point_of.build(row)
            sql.attach(point, "supply_property", property_of.build(row, point_of.width))
            kinds[point_id] = set()
        if kind is not None:
            kinds[point_id].add(kind)
    return {point_id: (point, frozenset(kinds[point_id])) for point_id, point in points.items()}


def supply_years(supplies: Sequence[Supply]) -> list[SupplyYear]:
    """The year figures of each supply on its bill, in order (consumption, projected cost, tariff end, exit fee,
    cheaper tariff), in a fixed number of queries however many (a bill run's chunk): the consumption rows, and for
    each instant the bills were issued at the tariffs on sale and their prices, each read once for all (the meters'
    kinds come with the supplies)."""
    consumptions = annual_consumptions([(supply.bill, supply.supply_point) for supply in supplies])
    compared = [
        index
        for index, supply in enumerate(supplies)
        if supply.agreement is not None and consumptions[index] is not None
    ]
    candidates = dict(zip(compared, _on_sale([supplies[index] for index in compared]), strict=True))
    tariff_ids: dict[datetime, list[int]] = defaultdict(list)
    for index, on_sale in candidates.items():
        supply = supplies[index]
        assert supply.agreement is not None
        tariff_ids[supply.bill.issued_at] += [supply.agreement.tariff_id, *(tariff.pk for tariff in on_sale)]
    rates = {at: tariff_queries.rates_of_tariffs(tariff_ids=ids, at=at) for at, ids in tariff_ids.items()}
    return [
        _supply_year(supply, consumptions[index], candidates.get(index, []), rates.get(supply.bill.issued_at, {}))
        for index, supply in enumerate(supplies)
    ]


def _supply_year(
    supply: Supply,
    consumption: AnnualConsumption | None,
    on_sale: Sequence[Tariff],
    rates: dict[int, tariff_queries.RatesAt],
) -> SupplyYear:
    """One supply's year figures from what :func:`supply_years` read: its consumption, the tariffs on sale for it
    and their prices at the bill's issue, by tariff id."""
    bill, supply_point, agreement, vat_rate = supply.bill, supply.supply_point, supply.agreement, supply.vat_rate
    if agreement is None:
        return SupplyYear(consumption, None, None, Decimal("0.00"), None, cheapest_known=False)
    tariff = agreement.tariff
    end = tariff_end_date(agreement)
    fee = exit_fee(tariff.product, supply_point.fuel, end, bill.issue_date)
    if consumption is None:
        return SupplyYear(consumption, None, end, fee, None, cheapest_known=False)
    projected = _cost(rates[tariff.pk], consumption.kwh_by_band, vat_rate=vat_rate)
    if projected is None:
        return SupplyYear(consumption, None, end, fee, None, cheapest_known=False)
    priced = []
    for other in on_sale:
        cost = _cost(rates[other.pk], consumption.kwh_by_band, vat_rate=vat_rate)
        if cost is not None:
            priced.append((cost, other.product.display_name, other))
    if not priced:
        return SupplyYear(consumption, projected, end, fee, None, cheapest_known=False)
    cost, _, cheapest = min(priced, key=lambda found: (found[0], found[1]))
    if projected - cost < WORTH_SWITCHING:
        return SupplyYear(consumption, projected, end, fee, None, cheapest_known=True)
    cheaper = Cheaper(tariff=cheapest, annual_cost=cost, saving=projected - cost)
    return SupplyYear(consumption, projected, end, fee, cheaper, cheapest_known=False)
