"""Half-hourly data consent (T&C 7.7): whether a supply point's consumption may be kept within the day.

- A **household** (the customer supplied through the point is a person) keeps daily totals only, unless it has
  opted in to half-hourly data. Each opt-in and opt-out is a new :class:`HalfHourlyConsent` row with its time, never
  an edit, so the answer for any past moment can be given.
- A **business** (an organisation) is within-day by its contract: always yes.
- A consent belongs to the household that gave it: only choices recorded since the current supply began count,
  so a new tenant does not inherit the previous one's opt-in.
- No supply at that time (not ours then): no. Keeping less is the safe side.

Imports of many intervals ask through :func:`within_day_policy` (one query per supply point, then answers in
memory); single questions through :func:`has_half_hourly_consent`. Both apply the same rules.
"""

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from hearth.common.calendar import day_starts_at, local_date
from hearth.data.accounts.models import Account, Customer, Supply, SupplyPoint
from hearth.data.identity.models import User
from hearth.data.metering.models import HalfHourlyConsent, Meter
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.audit import operations as audit

__all__ = [
    "SupplyPointConsent",
    "WithinDayPolicy",
    "has_half_hourly_consent",
    "record_consent",
    "smart_supply_point_consents",
    "within_day_policies",
    "within_day_policy",
]


def _supply_began(valid_from: date) -> datetime:
    """The instant a supply began: local midnight of its first day (only choices since then are its household's)."""
    return day_starts_at(valid_from)


@dataclass(frozen=True)
class _SupplyPeriod:
    valid_from: date
    valid_to: date | None
    organisation: bool
    changes_at: tuple[datetime, ...]
    granted: tuple[bool, ...]

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def allows(self, at: datetime) -> bool:
        if self.organisation:
            return True
        index = bisect.bisect_right(self.changes_at, at)
        return index > 0 and self.granted[index - 1]


@dataclass(frozen=True)
class WithinDayPolicy:
    """Answers "may this supply point's data at this moment be kept within the day?" from memory."""

    periods: tuple[_SupplyPeriod, ...]

    @property
    def always(self) -> bool:
        """True when every supply period is a business's: no need to ask per interval."""
        return bool(self.periods) and all(period.organisation for period in self.periods)

    def allows(self, at: datetime) -> bool:
        day = local_date(at)
        for period in self.periods:
            if period.covers(day):
                return period.allows(at)
        return False


def within_day_policies(*, supply_points: Iterable[SupplyPoint]) -> dict[int, WithinDayPolicy]:
    """The consent history of many supply points at once (two queries), by supply point id."""
    ids = [supply_point.pk for supply_point in supply_points]
    supplies: dict[int, list[Supply]] = defaultdict(list)
    for supply in (
        Supply.objects.filter(supply_point_id__in=ids).select_related("account__customer").order_by("valid_from", "id")
    ):
        supplies[supply.supply_point_id].append(supply)
    consents: dict[int, list[tuple[datetime, bool]]] = defaultdict(list)
    for supply_point_id, recorded_at, granted in (
        HalfHourlyConsent.objects.filter(supply_point_id__in=ids)
        .order_by("recorded_at", "id")
        .values_list("supply_point_id", "recorded_at", "granted")
    ):
        consents[supply_point_id].append((recorded_at, granted))
    policies = {}
    for supply_point_id in ids:
        periods = []
        for supply in supplies[supply_point_id]:
            began = _supply_began(supply.valid_from)
            own = [(at, granted) for at, granted in consents[supply_point_id] if at >= began]
            periods.append(
                _SupplyPeriod(
                    valid_from=supply.valid_from,
                    valid_to=supply.valid_to,
                    organisation=supply.account.customer.kind == Customer.Kind.ORGANISATION,
                    changes_at=tuple(at for at, _ in own),
                    granted=tuple(granted for _, granted in own),
                )
            )
        policies[supply_point_id] = WithinDayPolicy(tuple(periods))
    return policies


def within_day_policy(*, supply_point: SupplyPoint) -> WithinDayPolicy:
    """The supply point's consent history, by supply period, ready to answer many questions."""
    return within_day_policies(supply_points=[supply_point])[supply_point.pk]


def has_half_hourly_consent(*, supply_point: SupplyPoint, at: datetime) -> bool:
    """Whether the supply point's data at ``at`` may be kept half-hourly (see the module docstring)."""
    return within_day_policy(supply_point=supply_point).allows(at)


@dataclass(frozen=True)
class SupplyPointConsent:
    """A supply point with a smart meter: the household's current choice and its changes since the supply began."""

    supply_point: SupplyPoint
    meters: list[Meter]
    granted: bool
    changes: list[HalfHourlyConsent]


def smart_supply_point_consents(*, account: Account, now: datetime) -> list[SupplyPointConsent]:
    """Each of the account's current supply points with a smart meter fitted, with its choice at ``now`` and the
    choices recorded since the account's current supply there began, newest first.
    """
    meters = (
        accounts_queries.current_meters(account=account).filter(kind=Meter.Kind.SMART).select_related("supply_point")
    )
    by_point: dict[int, list[Meter]] = {}
    points: dict[int, SupplyPoint] = {}
    for meter in meters:
        by_point.setdefault(meter.supply_point_id, []).append(meter)
        points[meter.supply_point_id] = meter.supply_point
    entries = []
    for point_id, point in points.items():
        supply = Supply.objects.filter(account=account, supply_point=point, valid_to__isnull=True).first()
        began = _supply_began(supply.valid_from) if supply is not None else now
        changes = list(
            HalfHourlyConsent.objects.filter(supply_point=point, recorded_at__gte=began)
            .select_related("recorded_by")
            .order_by("-recorded_at", "-id")
        )
        entries.append(
            SupplyPointConsent(
                supply_point=point,
                meters=by_point[point_id],
                granted=has_half_hourly_consent(supply_point=point, at=now),
                changes=changes,
            )
        )
    return entries


def _customer_at(supply_point: SupplyPoint, day: date) -> Customer | None:
    supplies = Supply.objects.filter(supply_point=supply_point, valid_from__lte=day).select_related("account__customer")
    for supply in supplies.order_by("-valid_from", "-id"):
        if supply.valid_to is None or day < supply.valid_to:
            return supply.account.customer
    return None


def record_consent(*, supply_point: SupplyPoint, granted: bool, by: User | None, now: datetime) -> HalfHourlyConsent:
    """Record a household's opt-in (``granted=True``) or opt-out of half-hourly data, with who and when (audited).

    Opting out keeps what was stored while the consent stood; data from then on is kept as daily totals.
    """
    before = has_half_hourly_consent(supply_point=supply_point, at=now)
    consent = HalfHourlyConsent.objects.create(
        supply_point=supply_point, granted=granted, recorded_at=now, recorded_by=by
    )
    audit.record(
        actor=by,
        action="half-hourly data consent " + ("given" if granted else "withdrawn"),
        subject=str(supply_point),
        at=now,
        customer=_customer_at(supply_point, local_date(now)),
        before={"half_hourly": before},
        after={"half_hourly": granted},
    )
    return consent
