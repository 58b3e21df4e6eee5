"""What an account's energy is expected to cost over the coming months, at the tariffs it is on (T&C 9.4.1).

Direct Debit amounts, the annual payment in advance and the Direct Debit simulator all start from here: each current
supply point's annual consumption (its EAC/AQ, or Ofgem's typical value) spread over the months by the seasonal
profile (``common/profile.py``, the same one estimated readings use), priced at the unit rates and standing charge in
force now, with VAT (and, for a business above de minimis, the Climate Change Levy) as billing charges them. Prices
in force now are the best information (Ofgem SLC 27): a known future price change is not anticipated.
"""

import itertools
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db.models import Avg

from hearth.common import calendar, profile
from hearth.common.money import to_pennies
from hearth.data.accounts.models import Account, Customer, Fuel, SupplyPoint
from hearth.data.metering.models import Meter
from hearth.data.tariffs.models import HalfHourlyPrice, Tariff, UnitRate
from hearth.domain.accounts import queries as account_queries
from hearth.domain.billing import calculation
from hearth.domain.metering import readings
from hearth.domain.tariffs import queries as tariff_queries

NIGHT_SHARE: Final = Decimal("0.42")
"""Share of an Economy 7 meter's use in the night window, for estimates only (unconfirmed: bills use the meter's own
day and night readings). Time-of-use tariffs are estimated at the plain mean of their band rates."""

DYNAMIC_PRICE_DAYS: Final = 28
"""A half-hourly (dynamic) tariff is estimated at the mean price of the last four weeks."""

_PENCE: Final = Decimal(100)


class EstimateUnavailable(Exception):
    """No estimate can be made (no supply point on a tariff, or a tariff without prices); the message says which."""


@dataclass(frozen=True, slots=True)
class MonthCost:
    """The expected cost of one calendar month (from ``month``, its first day), VAT included, in pounds."""

    month: date
    kwh: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class AnnualEstimate:
    """Twelve months from the month after ``from_date``: what each is expected to cost, and the year's totals."""

    months: tuple[MonthCost, ...]
    annual_kwh: Decimal
    tariffs: tuple[str, ...]

    @property
    def annual_cost(self) -> Decimal:
        return sum((month.cost for month in self.months), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class _Priced:
    fuel: str
    annual_kwh: Decimal
    pence_per_kwh: Decimal
    pence_per_day: Decimal
    tariff_code: str


def _unit_price(tariff: Tariff, rates: dict[str, tariff_queries.PriceRow], at: datetime) -> Decimal:
    if tariff.structure == Tariff.Structure.HALF_HOURLY:
        since = at - timedelta(days=DYNAMIC_PRICE_DAYS)
        mean = HalfHourlyPrice.objects.filter(
            tariff=tariff, interval_start__gte=since, interval_start__lt=at
        ).aggregate(mean=Avg("value_exc_vat"))["mean"]
        if mean is None:
            raise EstimateUnavailable(f"{tariff.code} has no half-hourly prices in the last {DYNAMIC_PRICE_DAYS} days.")
        return Decimal(mean)
    if not rates:
        raise EstimateUnavailable(f"{tariff.code} has no unit rate in force.")
    if tariff.structure == Tariff.Structure.TWO_RATE and {UnitRate.DAY, UnitRate.NIGHT} <= rates.keys():
        day, night = rates[UnitRate.DAY].value_exc_vat, rates[UnitRate.NIGHT].value_exc_vat
        return day * (1 - NIGHT_SHARE) + night * NIGHT_SHARE
    values = [rate.value_exc_vat for rate in rates.values()]
    return sum(values, Decimal(0)) / len(values)


def _annual_kwh(supply_point: SupplyPoint, tariff: Tariff) -> Decimal:
    if supply_point.annual_consumption_kwh:
        return Decimal(supply_point.annual_consumption_kwh)
    multi_rate = tariff.structure != Tariff.Structure.SINGLE_RATE
    return readings.TYPICAL_ANNUAL_KWH[(Fuel(supply_point.fuel), multi_rate)]


def _priced_tariff(
    tariff: Tariff, annual_kwh: Decimal, at: datetime, rates: tariff_queries.RatesAt | None = None
) -> _Priced:
    rates = tariff_queries.rates_at(tariff=tariff, at=at) if rates is None else rates
    if rates.standing_charge is None:
        raise EstimateUnavailable(f"{tariff.code} has no standing charge in force.")
    return _Priced(
        fuel=tariff.fuel,
        annual_kwh=annual_kwh,
        pence_per_kwh=_unit_price(tariff, rates.unit_rates, at),
        pence_per_day=rates.standing_charge.value_exc_vat,
        tariff_code=tariff.code,
    )


def _priced(
    supply_point: SupplyPoint,
    at: datetime,
    instead: Tariff | None = None,
    rates: Mapping[int, tariff_queries.RatesAt] | None = None,
) -> _Priced:
    """The point priced on ``instead`` if given (at ``rates``, when read already), else on its tariff in force at
    ``at``."""
    if instead is None:
        agreement = tariff_queries.agreement_at(supply_point=supply_point, at=at)
        if agreement is None:
            raise EstimateUnavailable(f"{supply_point} is not on a tariff.")
        instead = agreement.tariff
    in_force = rates.get(instead.pk) if rates is not None else None
    return _priced_tariff(instead, _annual_kwh(supply_point, instead), at, in_force)


def _month_starts(after: date, count: int) -> list[date]:
    first = calendar.next_month_start(after)
    months = [first]
    while len(months) < count + 1:
        months.append(calendar.next_month_start(months[-1]))
    return months


def annual_estimate(
    *,
    account: Account,
    at: datetime,
    on_tariffs: Mapping[int, Tariff] | None = None,
    supply_points: Sequence[SupplyPoint] | None = None,
    rates: Mapping[int, tariff_queries.RatesAt] | None = None,
) -> AnnualEstimate:
    """The next twelve calendar months' expected cost of ``account`` (from the first of next month).

    ``on_tariffs`` prices the supply points it names (by id) at another tariff's prices in force at ``at``: what the
    account would pay after a renewal, a rollover or a move (a Statement of Renewal compares them with now).

    ``supply_points`` (the account's current ones) and ``rates`` (by tariff id, the prices in force at ``at`` of
    the tariffs in ``on_tariffs``) may be given when read already.

    :raises EstimateUnavailable: if a current supply point has no tariff or its tariff no prices.
    """
    if supply_points is None:
        supply_points = list(account_queries.current_supply_points(account=account).order_by("id"))
    else:
        supply_points = sorted(supply_points, key=lambda point: point.pk)
    if not supply_points:
        raise EstimateUnavailable(f"Account {account.number} has no supply point being supplied.")
    instead = on_tariffs or {}
    priced = [_priced(supply_point, at, instead.get(supply_point.pk), rates) for supply_point in supply_points]
    return _estimate(priced, is_business=account.customer.kind == Customer.Kind.ORGANISATION, at=at)


def tariff_estimate(*, tariffs: Sequence[tuple[Tariff, Decimal]], is_business: bool, at: datetime) -> AnnualEstimate:
    """The next twelve months' expected cost of using each ``(tariff, annual kWh)``, as :func:`annual_estimate`
    works it out: for an account not supplied yet, whose first Direct Debit or annual payment is set at sign-up from
    the tariffs it signed up to (``hearth.domain.contracts.sign_up``).

    :raises EstimateUnavailable: if a tariff has no prices in force.
    """
    return _estimate([_priced_tariff(tariff, kwh, at) for tariff, kwh in tariffs], is_business=is_business, at=at)


def _estimate(priced: list[_Priced], *, is_business: bool, at: datetime) -> AnnualEstimate:
    bounds = _month_starts(calendar.local_date(at), 12)
    months: list[MonthCost] = []
    for start, end in itertools.pairwise(bounds):
        kwh_total, cost = Decimal(0), Decimal("0.00")
        days = (end - start).days
        for item in priced:
            kwh = item.annual_kwh * profile.share_of_year(start, end, item.fuel)
            vat = calculation.supply_vat_rate(
                fuel=calculation.Fuel(item.fuel.lower()), is_business=is_business, daily_average_kwh=kwh / days
            )
            # A business supply above de minimis also pays the Climate Change Levy on its energy, as its bills do.
            levy = calculation.CCL_RATE_POUNDS_PER_KWH * _PENCE if vat == calculation.STANDARD_VAT_RATE else 0
            pence = kwh * (item.pence_per_kwh + levy) + days * item.pence_per_day
            cost += to_pennies(pence / _PENCE * (1 + vat))
            kwh_total += kwh
        months.append(MonthCost(month=start, kwh=kwh_total.quantize(Decimal("0.1")), cost=cost))
    return AnnualEstimate(
        months=tuple(months),
        annual_kwh=sum((item.annual_kwh for item in priced), Decimal(0)),
        tariffs=tuple(item.tariff_code for item in priced),
    )


def meter_is_smart(account: Account) -> bool:
    """Whether every current meter of the account is read remotely (smart or AMR): no refund reading is needed."""
    return meters_read_remotely({meter.kind for meter in account_queries.current_meters(account=account)})


def meters_read_remotely(kinds: Set[str]) -> bool:
    """``meter_is_smart`` for the kinds of the account's current meters, read already."""
    return bool(kinds) and kinds <= {Meter.Kind.SMART, Meter.Kind.AMR}
