"""Consumption in the portal (issue 3, FAQ 5): daily and within-day charts, the same figures as a table, and a CSV.

Each page shows one meter on one of the selected account's current supply points (any other meter id is a 404), and
only the days while one of the login's accounts was supplied through that point (the same rule as the REST API:
never the previous or next occupant's data). Every figure appears three times, always the same: as a bar of a
server-drawn SVG chart (no script: the CSP allows none inline, and a chart must read without one), as a row of the
accessible table beneath it, and as a row of the CSV download. Gas is shown in m³ and in kWh, with the conversion and
the calorific value used stated on the page.

Marks on each interval or day, in the chart (not by colour alone), the table and the CSV:

- *estimated*: the figure is an estimate (hatched bar);
- *missing*: no figure for that interval or day, or for part of the day (dashed outline);
- *late*: the figure arrived more than a day after the end of the local day it belongs to (a dot above the bar).
  Measured from the end of the day rather than of each half-hour: an AMR device reports a whole day by one SMS
  the next morning, which must not make its early half-hours "late".

Households without half-hourly consent (T&C 7.7) keep daily totals only: the within-day page says so and links to
the consent page; the daily page works from the daily totals.

Beside each kWh figure is its cost with VAT at the tariff in force then (issue 13), worked out by
:mod:`hearth.domain.billing.costs` from the figure shown; the standing charge is stated apart. The daily page
compares its days with the same days a year earlier, when there is data for them.
"""

import csv
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from hearth.common import calendar
from hearth.common.calendar import LONDON, local_date
from hearth.common.money import Money, to_pennies
from hearth.data.accounts.models import Customer, Fuel
from hearth.data.identity.models import AccountLink
from hearth.data.metering.models import AmrDevice, Meter
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.billing import costs as billing_costs
from hearth.domain.metering import consent as metering_consent
from hearth.domain.metering import consumption as metering_consumption
from hearth.domain.metering import conversion
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web import plain_forms

DISPLAY_PLACES: Final = Decimal("0.001")
"""Figures are shown (chart, table and CSV alike) to 3 decimal places, rounded half-up once."""

LATE_AFTER: Final = timedelta(days=1)
"""Data received more than this long after the end of its local day is marked late."""

DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 366
DEFAULT_INTERVAL_MINUTES: Final = 30

ACTUAL: Final = metering_consumption.Quality.ACTUAL.value
ESTIMATED: Final = metering_consumption.Quality.ESTIMATED.value
MISSING: Final = metering_consumption.Quality.MISSING.value

KWH: Final = AmrDevice.Unit.KWH.value
CUBIC_METRES: Final = AmrDevice.Unit.CUBIC_METRES.value
CSV_UNITS: Final = {KWH: "kWh", CUBIC_METRES: "m3"}
CSV_CONTENT_TYPE: Final = "text/csv; charset=utf-8"

REMOTE_KINDS: Final = (Meter.Kind.SMART, Meter.Kind.AMR)
"""Meters that send their own consumption; the others are read by the customer or a meter reader."""


# --- What is shown --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One interval or one day as shown: a bar, a table row and a CSV row.

    ``quantity`` is in ``unit`` (the meter's own) and ``kwh`` is its energy, both rounded for display; both are
    None when there is no figure at all. A ``MISSING`` slot with a figure is a day part of which is missing: the
    figure covers what was received.
    """

    start: datetime
    end: datetime
    quantity: Decimal | None
    unit: str
    kwh: Decimal | None
    quality: str
    late: bool
    label: str
    cost: Decimal | None = None
    """Pounds with VAT for ``kwh``: a day's to the penny, a half-hour's unrounded; None with no figure or price."""
    in_pence: bool = False
    """Whether the cost is shown in pence to two places (a half-hour's), rather than in pounds."""

    @property
    def no_data(self) -> bool:
        return self.quantity is None

    @property
    def cost_text(self) -> str:
        if self.cost is None:
            return "no data" if self.kwh is None else "no price"
        return _pence(self.cost) if self.in_pence else _money(self.cost)

    @property
    def partial(self) -> bool:
        return self.quality == MISSING and self.quantity is not None

    @property
    def quantity_text(self) -> str:
        return "no data" if self.quantity is None else _words(self.quantity)

    @property
    def kwh_text(self) -> str:
        return "no data" if self.kwh is None else _words(self.kwh)

    @property
    def start_iso(self) -> str:
        return self.start.astimezone(LONDON).isoformat()

    @property
    def quality_words(self) -> str:
        if self.partial:
            return "Part missing: total of the data received"
        return {ACTUAL: "Actual", ESTIMATED: "Estimated", MISSING: "Missing: no data"}.get(
            self.quality, self.quality.title()
        )


@dataclass(frozen=True)
class GasConversion:
    """The conversion stated on a gas page: kWh = m3 x volume correction x calorific value / 3.6."""

    volume_correction: Decimal
    calorific_value: Decimal
    megajoules_per_kwh: Decimal


@dataclass
class Shown:
    """What one page (and its CSV) shows for one meter over one period."""

    meter: Meter
    slots: list[Slot]
    gas: bool
    gas_conversion: GasConversion | None
    within_day: bool
    period_words: str
    clock_change: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    prices: billing_costs.Prices | None = None
    standing_total: Decimal | None = None
    standing_pence: Decimal | None = None
    """The standing charge in pence a day with VAT (the last day's, if it changed), and its total over the days."""

    @property
    def days(self) -> int:
        return (local_date(self.slots[-1].start) - local_date(self.slots[0].start)).days + 1 if self.slots else 0

    @property
    def total_cost(self) -> Decimal:
        """The costs summed, then rounded to the penny once: days are already pennies, so their total is their sum;
        a day's half-hours add up to the day's cost on the daily page."""
        return to_pennies(sum((slot.cost for slot in self.slots if slot.cost is not None), Decimal(0)))

    @property
    def total_cost_text(self) -> str:
        return _money(self.total_cost)

    @property
    def standing_total_text(self) -> str:
        return "" if self.standing_total is None else _money(self.standing_total)

    @property
    def has_costs(self) -> bool:
        return any(slot.cost is not None for slot in self.slots)

    @property
    def unpriced(self) -> int:
        """Slots with a figure but no cost: their kWh are not in the total cost."""
        return sum(1 for slot in self.slots if slot.kwh is not None and slot.cost is None)

    @property
    def unit_words(self) -> str:
        return "m³" if self.gas else "kWh"

    @property
    def total_kwh(self) -> Decimal:
        return sum((slot.kwh for slot in self.slots if slot.kwh is not None), Decimal(0))

    @property
    def total_quantity(self) -> Decimal:
        return sum((slot.quantity for slot in self.slots if slot.quantity is not None), Decimal(0))

    @property
    def total_kwh_text(self) -> str:
        return _words(_display(self.total_kwh))

    @property
    def total_quantity_text(self) -> str:
        return _words(_display(self.total_quantity))

    @property
    def table_rows(self) -> list[SafeString]:
        """Each slot as a row of ``portal/consumption_table.html``, written here rather than by the template engine
        (a day's 48 half-hours or a month's days, five cells each; ADR 0028)."""
        return [self._row(slot) for slot in self.slots]

    def _row(self, slot: Slot) -> SafeString:
        cell = "\n      "
        gas = f'<td data-label="Gas (m³)" class="number">{_e(slot.quantity_text)}</td>' if self.gas else ""
        cost = f'<td data-label="Cost with VAT" class="number amount">{_e(slot.cost_text)}</td>' if self.prices else ""
        quality = _e(slot.quality_words)
        if slot.quality != "ACTUAL":
            quality = f'<span class="tag tag--warn">{quality}</span>'
        late = ' <span class="tag tag--warn">Late</span>' if slot.late else ""
        return mark_safe(  # noqa: S308 - every value is escaped by _e
            f'<tr data-start="{_e(slot.start_iso)}">{cell}<th scope="row">{_e(slot.label)}</th>{cell}{gas}{cell}'
            f'<td data-label="Energy (kWh)" class="number">{_e(slot.kwh_text)}</td>{cell}{cost}{cell}'
            f'<td data-label="Quality">{quality}{late}</td>\n    </tr>'
        )

    @property
    def highest(self) -> Slot | None:
        with_data = [slot for slot in self.slots if slot.kwh is not None]
        return max(with_data, key=lambda slot: slot.kwh or Decimal(0)) if with_data else None

    @property
    def highest_cost(self) -> Slot | None:
        priced = [slot for slot in self.slots if slot.cost is not None]
        return max(priced, key=lambda slot: slot.cost or Decimal(0)) if priced else None


def _display(value: Decimal) -> Decimal:
    return value.quantize(DISPLAY_PLACES, rounding=ROUND_HALF_UP)


def _figures(quantity: Decimal, unit: str, calorific_value: Decimal) -> tuple[Decimal, Decimal]:
    """The quantity in its unit and its kWh, each rounded once for display.

    Gas in m³ is converted here with the calorific value the page states, so the kWh shown always follows from the
    m³ shown by the conversion shown (not from a figure converted elsewhere with another calorific value).
    """
    kwh = conversion.kwh_of(quantity=quantity, unit=unit, calorific_value=calorific_value)
    return _display(quantity), _display(kwh)


def _words(value: Decimal) -> str:
    """A figure as a person reads it: 0.250 stays 0.250 (the places shown everywhere)."""
    return f"{value:f}"


def _money(amount: Decimal) -> str:
    return str(Money(amount))


def _pence(pounds: Decimal) -> str:
    """A fraction of a pound in pence to two places, as unit prices are quoted: 7.88p."""
    return f"{(pounds * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}p"


_e = html.escape
"""Text escaped for HTML exactly as Django's ``escape`` does it (``html.escape``), without its lazy-string wrapper:
the chart's bars and the table's rows escape a few hundred values a page."""


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A local day as a half-open range of instants (23, 24 or 25 hours long), in UTC."""
    return calendar.day_starts_at(day), calendar.day_starts_at(day + timedelta(days=1))


def interval_starts(day: date, minutes: int) -> list[datetime]:
    """The starts of a local day's intervals: 46, 48 or 50 half-hours (92, 96 or 100 quarter-hours).

    Stepping is done in UTC: stepping a London wall clock would skip or repeat an hour on the clock-change days.
    """
    at, end = day_bounds(day)
    step = timedelta(minutes=minutes)
    starts = []
    while at < end:
        starts.append(at)
        at += step
    return starts


def _clock(at: datetime, with_zone: bool) -> str:
    local = at.astimezone(LONDON)
    return f"{local:%H:%M} {local.tzname()}" if with_zone else f"{local:%H:%M}"


def _day_words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _short_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _late(received_at: datetime | None, day: date) -> bool:
    return received_at is not None and received_at > day_bounds(day)[1] + LATE_AFTER


# --- Which meter, which days ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visible:
    """A meter of the selected account and the days the login may see of it."""

    meter: Meter
    windows: tuple[metering_consumption.Window, ...]
    first_day: date
    last_day: date | None

    def allows(self, day: date) -> bool:
        return any(window.contains(calendar.day_starts_at(day)) for window in self.windows)


def _meter_of_account(request: PortalRequest, meter_id: int) -> Visible:
    """The meter if it is on one of the account's current supply points and the login may read it; else 404."""
    readable = metering_consumption.readable_account_meter(
        user=request.user, account=request.account, meter_id=meter_id
    )
    if readable is None:
        raise Http404("No such meter on this account.")
    first = min(local_date(window.start) for window in readable.windows)
    ends = [window.end for window in readable.windows]
    last = None if None in ends else max(local_date(end) for end in ends if end is not None) - timedelta(days=1)
    return Visible(meter=readable.meter, windows=readable.windows, first_day=first, last_day=last)


def within_day_allowed(meter: Meter, now: datetime) -> bool:
    """Whether the meter's within-day data may be shown: a business always, a household only with consent."""
    return metering_consent.has_half_hourly_consent(supply_point=meter.supply_point, at=now)


def _is_household(request: PortalRequest) -> bool:
    return bool(request.account.customer.kind == Customer.Kind.PERSON)


# --- Forms (query parameters) ----------------------------------------------------------------------------------


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=_DateInput(),
        error_messages={
            "required": f"Enter the {label.lower()} date.",
            "invalid": f"Enter the {label.lower()} date as a real date, like 2026-10-25.",
        },
    )


class _PeriodForm(plain_forms.PlainForm):
    """The days a page may show: not before the supply began, not after it ended or today."""

    def __init__(self, data: object, *, visible: Visible, today: date, **kwargs: object) -> None:
        super().__init__(data, **kwargs)
        self.visible = visible
        self.today = today

    @property
    def latest(self) -> date:
        last = self.visible.last_day
        return self.today if last is None else min(last, self.today)

    def _checked_day(self, name: str, what: str) -> date:
        """The date in field `name` if the customer may see it (`what` names it in the error), else a form error."""
        day: date = self.cleaned_data[name]
        if day > self.today:
            raise forms.ValidationError(f"The {what} date {day:%Y-%m-%d} is in the future: choose today or earlier.")
        if day < self.visible.first_day or not self.visible.allows(day):
            raise forms.ValidationError(
                f"The {what} date {day:%Y-%m-%d} is before {self.visible.first_day.day} "
                f"{self.visible.first_day:%B %Y}, when your supply through this meter point began."
            )
        if day > self.latest:
            raise forms.ValidationError(
                f"The {what} date {day:%Y-%m-%d} is after your supply through this meter point ended."
            )
        return day


class DailyRangeForm(_PeriodForm):
    period_from = _date_field("From")
    period_to = _date_field("To")

    def clean_period_from(self) -> date:
        return self._checked_day("period_from", "from")

    def clean_period_to(self) -> date:
        return self._checked_day("period_to", "to")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("period_from"), cleaned.get("period_to")
        if isinstance(first, date) and isinstance(last, date):
            if last < first:
                self.add_error("period_to", "The to date must be the same as or after the from date.")
            elif (last - first).days + 1 > MAX_DAYS:
                days = (last - first).days + 1
                self.add_error("period_to", f"Choose at most {MAX_DAYS} days: those dates cover {days} days.")
        return cleaned

    def chosen(self) -> tuple[date, date]:
        """The dates asked for (a valid bound form), or the default ones."""
        if self.is_bound:
            return self.cleaned_data["period_from"], self.cleaned_data["period_to"]
        return self.default()

    def default(self) -> tuple[date, date]:
        """The last 30 complete days (to yesterday, or the end of the supply), never before the supply began.

        A supply that began today shows today.
        """
        last = min(self.today - timedelta(days=1), self.latest)
        if last < self.visible.first_day:
            last = self.latest
        first = max(last - timedelta(days=DEFAULT_DAYS - 1), self.visible.first_day)
        return first, last


class DayForm(_PeriodForm):
    day = _date_field("Day")

    def clean_day(self) -> date:
        return self._checked_day("day", "chosen")

    def default(self) -> date:
        """Yesterday (the last complete day), or the first day of the supply if that is later."""
        return max(min(self.today - timedelta(days=1), self.latest), self.visible.first_day)


URL_ALIASES: Final = {"from": "period_from", "to": "period_to"}
"""Short names a bookmark or a link may use for the range: ``?from=2026-11-01&to=2026-11-30``."""


def _bound(form_class: type[_PeriodForm], request: PortalRequest, visible: Visible, today: date) -> _PeriodForm:
    names = set(form_class.base_fields)
    data = {URL_ALIASES.get(name, name): value for name, value in request.GET.items()}
    data = {name: value for name, value in data.items() if name in names}
    return form_class(data or None, visible=visible, today=today)


# --- Reading the figures --------------------------------------------------------------------------------------


def _gas_conversion(gas: bool, calorific_value: Decimal) -> GasConversion | None:
    if not gas:
        return None
    return GasConversion(
        volume_correction=conversion.VOLUME_CORRECTION,
        calorific_value=calorific_value,
        megajoules_per_kwh=conversion.MEGAJOULES_PER_KWH,
    )


def _counts(slots: Sequence[Slot]) -> dict[str, int]:
    return {
        "estimated": sum(1 for slot in slots if slot.quality == ESTIMATED),
        "missing": sum(1 for slot in slots if slot.quality == MISSING),
        "late": sum(1 for slot in slots if slot.late),
    }


def daily(visible: Visible, first: date, last: date, *, is_business: bool) -> Shown:
    """One slot per local day from ``first`` to ``last`` (inclusive), from the domain's day totals, with costs."""
    meter = visible.meter
    gas = meter.supply_point.fuel == Fuel.GAS
    calorific_value = conversion.default_calorific_value()
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    days = metering_consumption.day_totals(meter=meter, period_from=start, period_to=end, within=visible.windows)
    totals = {local_date(total.interval_start): total for total in days.totals}
    received = days.received
    slots = []
    day = first
    while day <= last:
        day_start, day_end = day_bounds(day)
        total = totals.get(day)
        label = _short_day(day)
        if total is None:
            slots.append(Slot(day_start, day_end, None, _own_unit(gas), None, MISSING, False, label))
        else:
            quantity, kwh = _figures(total.quantity, total.unit, calorific_value)
            slots.append(
                Slot(day_start, day_end, quantity, total.unit, kwh, total.quality, _late(received.get(day), day), label)
            )
        day += timedelta(days=1)
    shown = Shown(
        meter=meter,
        slots=slots,
        gas=gas,
        gas_conversion=_gas_conversion(gas, calorific_value),
        within_day=False,
        period_words=_period_words(first, last),
        counts=_counts(slots),
    )
    return _costed(shown, visible, is_business=is_business)


def _period_words(first: date, last: date) -> str:
    return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


def _own_unit(gas: bool) -> str:
    return CUBIC_METRES if gas else KWH


def within_day(visible: Visible, day: date, *, is_business: bool) -> Shown:
    """One slot per interval of the local day: 46, 48 or 50 half-hours; a gap in the data is a missing slot."""
    meter = visible.meter
    gas = meter.supply_point.fuel == Fuel.GAS
    calorific_value = conversion.default_calorific_value()
    start, end = day_bounds(day)
    stored = {
        row.interval_start: row
        for row in metering_consumption.intervals(
            meter=meter, period_from=start, period_to=end, include_missing=True, within=visible.windows
        )
    }
    minutes = min(
        (int((row.interval_end - row.interval_start).total_seconds()) // 60 for row in stored.values()),
        default=DEFAULT_INTERVAL_MINUTES,
    )
    received = metering_consumption.received_by_interval(meter=meter, period_from=start, period_to=end)
    starts = interval_starts(day, minutes)
    clock_change = len(starts) * minutes != 24 * 60
    slots = []
    for at in starts:
        slot_end = at + timedelta(minutes=minutes)
        label = f"{_clock(at, clock_change)} to {_clock(slot_end, clock_change)}"
        row = stored.get(at)
        if row is None or row.quality == MISSING:
            slots.append(Slot(at, slot_end, None, _own_unit(gas), None, MISSING, False, label))
            continue
        quantity, kwh = _figures(row.quantity, row.unit, calorific_value)
        slots.append(Slot(at, slot_end, quantity, row.unit, kwh, row.quality, _late(received.get(at), day), label))
    shown = Shown(
        meter=meter,
        slots=slots,
        gas=gas,
        gas_conversion=_gas_conversion(gas, calorific_value),
        within_day=True,
        period_words=_day_words(day),
        clock_change=clock_change,
        counts=_counts(slots),
    )
    return _costed(shown, visible, is_business=is_business)


def _costed(shown: Shown, visible: Visible, *, is_business: bool) -> Shown:
    """The slots with their costs at the tariff in force, and the standing charge over the days shown.

    Costs follow from the kWh shown (already rounded), so a customer can check each one: kWh x price x (1 + VAT).
    """
    if not shown.slots:
        return shown
    first, last = local_date(shown.slots[0].start), local_date(shown.slots[-1].start)
    prices = billing_costs.prices_for(
        supply_point=shown.meter.supply_point,
        first_day=first,
        last_day=last,
        is_business=is_business,
        daily_average_kwh=shown.total_kwh / shown.days,
    )
    if prices is None:
        return shown
    with_data = [slot for slot in shown.slots if slot.kwh is not None]
    if shown.within_day:
        figures = billing_costs.half_hour_costs(
            prices=prices, half_hours=[(slot.start, slot.kwh) for slot in with_data if slot.kwh is not None]
        )
        cost_of = {slot.start: cost for slot, cost in zip(with_data, figures, strict=True)}
    else:
        by_day = billing_costs.day_costs(
            meter=shown.meter,
            prices=prices,
            day_kwh={local_date(slot.start): slot.kwh for slot in with_data if slot.kwh is not None},
            within=visible.windows,
        )
        cost_of = {slot.start: by_day.get(local_date(slot.start)) for slot in with_data}
    days = [first + timedelta(days=n) for n in range(shown.days)]
    return replace(
        shown,
        slots=[replace(slot, cost=cost_of.get(slot.start), in_pence=shown.within_day) for slot in shown.slots],
        prices=prices,
        standing_total=prices.standing_over(days),
        standing_pence=prices.standing_pence_with_vat(last),
    )


# --- The same days a year earlier -------------------------------------------------------------------------------


def year_before(day: date) -> date:
    """The same date a year earlier; 29 February goes back to 28 February."""
    return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else day.day))


@dataclass(frozen=True)
class Comparison:
    """The page's days against the same days a year earlier (both as shown: totals of the figures received)."""

    now: Shown
    then: Shown
    url: str

    @property
    def days_with_data(self) -> int:
        return sum(1 for slot in self.then.slots if slot.kwh is not None)

    @property
    def kwh_change(self) -> Decimal:
        return self.now.total_kwh - self.then.total_kwh

    @property
    def kwh_change_words(self) -> str:
        return _change(self.kwh_change, self.then.total_kwh, f"{_words(abs(self.kwh_change))} kWh")

    @property
    def cost_change_words(self) -> str:
        change = self.now.total_cost - self.then.total_cost
        return _change(change, self.then.total_cost, _money(abs(change)))

    @property
    def costs_known(self) -> bool:
        return self.now.has_costs and self.then.has_costs and not self.now.unpriced and not self.then.unpriced


def _change(change: Decimal, before: Decimal, amount: str) -> str:
    if change == 0:
        return "the same"
    direction = "more" if change > 0 else "less"
    if not before:
        return f"{amount} {direction}"
    percent = (abs(change) * 100 / before).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{amount} {direction} ({percent}% {direction})"


def same_days_last_year(visible: Visible, first: date, last: date, *, is_business: bool) -> Shown | None:
    """The same days a year earlier, as the daily page shows them, if the login may see any data for them."""
    earlier_first, earlier_last = year_before(first), year_before(last)
    if earlier_last < visible.first_day:
        return None
    then = daily(visible, earlier_first, earlier_last, is_business=is_business)
    return then if any(slot.kwh is not None for slot in then.slots) else None


# --- The chart --------------------------------------------------------------------------------------------------

WIDTH: Final = Decimal(800)
HEIGHT: Final = Decimal(330)
LEFT: Final = Decimal(70)
RIGHT: Final = Decimal(785)
TOP: Final = Decimal(20)
BOTTOM: Final = Decimal(270)
PIXEL: Final = Decimal("0.1")
MAX_X_LABELS: Final = 12
GAP_LABEL_WIDTH: Final = Decimal(11)
"""A gap's "no data" is written (sideways) only in a slot at least this wide; narrower gaps show their mark only."""
GAP_MARK: Final = Decimal(8)


def _px(value: Decimal) -> str:
    return f"{value.quantize(PIXEL, rounding=ROUND_HALF_UP):f}"


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    centre: str
    kind: str  # actual, estimated, partial; or a gap: missing (no data), unpriced (a figure with no price)
    late: bool
    late_y: str
    tooltip: str
    gap_label: str = ""
    """The words written sideways in a gap wide enough to hold them ("no data", "no price")."""

    @property
    def gap(self) -> bool:
        return self.kind in ("missing", "unpriced")

    def markup(self, chart: "Chart") -> SafeString:
        """The bar's SVG as ``portal/consumption_chart.html`` lays it out, written here rather than by the template
        engine: sixty bars' dozen fields each made the chart the most expensive part of the page (ADR 0028)."""
        pad = "\n    "
        x, y, width, height, tooltip = _e(self.x), _e(self.y), _e(self.width), _e(self.height), _e(self.tooltip)
        if self.gap:
            shape = (
                f'<rect x="{x}" y="{_e(chart.gap_mark_y)}" width="{width}" height="{_e(chart.gap_mark_height)}" '
                f'fill="none" stroke="#4a5560" stroke-width="1" stroke-dasharray="2 2" data-kind="{_e(self.kind)}">'
                f"<title>{tooltip}</title></rect>"
            )
            centre, label_y = _e(self.centre), _e(chart.gap_label_y)
            label = (
                f'<text x="{centre}" y="{label_y}" text-anchor="start" dominant-baseline="middle" font-size="11" '
                f'fill="#4a5560" transform="rotate(-90 {centre} {label_y})" data-kind="gap-label">'
                f"{_e(self.gap_label)}</text>"
                if self.gap_label
                else ""
            )
            branch = pad + shape + pad + label + pad
        elif self.kind == "estimated":
            branch = (
                f'{pad}<rect x="{x}" y="{y}" width="{width}" height="{height}" '
                f'fill="url(#chart-hatch-{_e(chart.key)})" stroke="#1d4e89" stroke-width="1" data-kind="estimated">'
                f"<title>{tooltip}</title></rect>{pad}"
            )
        elif self.kind == "partial":
            branch = (
                f'{pad}<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="#1d4e89" stroke="#8a1c14" '
                f'stroke-width="1.5" stroke-dasharray="3 2" data-kind="partial"><title>{tooltip}</title></rect>{pad}'
            )
        else:
            branch = (
                f'{pad}<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="#1d4e89" '
                f'data-kind="{_e(self.kind)}"><title>{tooltip}</title></rect>{pad}'
            )
        late = (
            f'<circle cx="{_e(self.centre)}" cy="{_e(self.late_y)}" r="3.5" fill="#8a1c14" data-kind="late"/>'
            if self.late
            else ""
        )
        return mark_safe(branch + pad + late)  # noqa: S308 - every value is escaped by _e


@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class Chart:
    key: str  # "kwh" or "cost": names the chart's element ids
    title: str
    aria_label: str
    y_title: str
    x_title: str
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    width: str = _px(WIDTH)
    height: str = _px(HEIGHT)
    left: str = _px(LEFT)
    right: str = _px(RIGHT)
    top: str = _px(TOP)
    bottom: str = _px(BOTTOM)
    plot_height: str = _px(BOTTOM - TOP)
    tick_end: str = _px(BOTTOM + 5)
    x_title_y: str = _px(HEIGHT - 8)
    x_label_y: str = _px(BOTTOM + 18)
    x_title_x: str = _px((LEFT + RIGHT) / 2)
    y_title_x: str = "18"
    y_title_y: str = _px((TOP + BOTTOM) / 2)
    y_label_x: str = _px(LEFT - 8)
    gap_mark_y: str = _px(BOTTOM - GAP_MARK)
    gap_mark_height: str = _px(GAP_MARK)
    gap_label_y: str = _px(BOTTOM - GAP_MARK - 4)

    @property
    def bar_marks(self) -> list[SafeString]:
        """Each bar's SVG (``Bar.markup``), in order."""
        return [bar.markup(self) for bar in self.bars]


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least ``value`` (the axis's top)."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if value <= step * power:
            return (step * power).normalize()
    return (Decimal(10) * power).normalize()  # pragma: no cover - the loop always returns


def _chart_cost(cost: Decimal | None, pence: bool) -> Decimal | None:
    return None if cost is None else (cost * 100 if pence else cost)


def _tick_words(value: Decimal, measure: str = "kwh", pence: bool = False) -> str:
    text = f"{value.normalize():f}"
    if measure != "cost":
        return text
    return f"{text}p" if pence else f"£{text}"


def _kind(slot: Slot, value: Decimal | None) -> str:
    if slot.no_data:
        return "missing"
    if value is None:
        return "unpriced"
    if slot.partial:
        return "partial"
    return "estimated" if slot.quality == ESTIMATED else "actual"


def build_chart(shown: Shown, measure: str = "kwh") -> Chart:
    """Bars of kWh (gas too: converted as the page states) or of cost (``measure`` "cost"), with the axes' ticks and
    a summary for screen readers. A slot without a figure is a gap, never a bar: no data is not zero."""
    cost = measure == "cost"
    pence = cost and shown.within_day
    slots = shown.slots
    values = [_chart_cost(slot.cost, pence) if cost else slot.kwh for slot in slots]
    count = max(len(slots), 1)
    top_value = nice_ceiling(max((value for value in values if value is not None), default=Decimal(0)))
    plot_width = RIGHT - LEFT
    plot_height = BOTTOM - TOP
    slot_width = plot_width / count
    bar_width = max(slot_width * Decimal("0.8"), Decimal(1))
    bars = []
    for index, (slot, value) in enumerate(zip(slots, values, strict=True)):
        x = LEFT + slot_width * index + (slot_width - bar_width) / 2
        height = plot_height * (value or Decimal(0)) / top_value
        y = BOTTOM - height
        kind = _kind(slot, value)
        if value is None:
            shown_value = "no data" if slot.no_data else "no price"
        else:
            shown_value = slot.cost_text if cost else f"{_words(value)} kWh"
        bars.append(
            Bar(
                x=_px(x),
                y=_px(y),
                width=_px(bar_width),
                height=_px(height),
                centre=_px(x + bar_width / 2),
                kind=kind,
                late=slot.late,
                late_y=_px(max(y - 7, TOP + 3)),
                tooltip=f"{slot.label}: {shown_value} ({slot.quality_words}{', late' if slot.late else ''})",
                gap_label=shown_value if value is None and slot_width >= GAP_LABEL_WIDTH else "",
            )
        )
    y_ticks = [
        Tick(position=_px(BOTTOM - plot_height * step / 4), label=_tick_words(top_value * step / 4, measure, pence))
        for step in range(5)
    ]
    return Chart(
        key="cost" if cost else "kwh",
        title=("Cost in pence, with VAT" if pence else "Cost in pounds, with VAT") if cost else "Energy used, kWh",
        aria_label=_summary(shown, cost),
        y_title=("pence with VAT" if pence else "£ with VAT") if cost else "kWh",
        x_title="Time of day (UK time)" if shown.within_day else "Day",
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=_x_ticks(shown, slot_width),
    )


def _x_ticks(shown: Shown, slot_width: Decimal) -> list[Tick]:
    slots = shown.slots
    ticks = []
    if shown.within_day:
        for index, slot in enumerate(slots):
            local = slot.start.astimezone(LONDON)
            if local.minute == 0 and local.hour % 3 == 0:
                ticks.append(Tick(position=_px(LEFT + slot_width * index), label=f"{local:%H:%M}"))
        return ticks
    step = max(1, -(-len(slots) // MAX_X_LABELS))
    for index in range(0, len(slots), step):
        local = slots[index].start.astimezone(LONDON)
        ticks.append(Tick(position=_px(LEFT + slot_width * index + slot_width / 2), label=f"{local.day} {local:%b}"))
    return ticks


def _summary(shown: Shown, cost: bool = False) -> str:
    what = "gas" if shown.gas else "electricity"
    measure = ("cost in pence with VAT" if shown.within_day else "cost in pounds with VAT") if cost else "used"
    unit = "" if cost else ", in kWh"
    if shown.within_day:
        size = "half-hour" if len(shown.slots) in (46, 48, 50) else "interval"
        head = f"Bar chart of {what} {measure} each {size} on {shown.period_words}{unit}"
        parts = f"{len(shown.slots)} {size}s"
    else:
        head = f"Bar chart of {what} {measure} each day from {shown.period_words}{unit}"
        parts = f"{len(shown.slots)} days"
    total = shown.total_cost_text if cost else f"{_words(shown.total_kwh)} kWh"
    sentences = [f"{head}: total {total} over {parts}."]
    highest = shown.highest_cost if cost else shown.highest
    if highest is not None:
        figure = highest.cost_text if cost else f"{_words(highest.kwh or Decimal(0))} kWh"
        sentences.append(f"Highest {figure}, {highest.label}.")
    counts = shown.counts
    sentences.append(f"{counts['missing']} missing, {counts['estimated']} estimated, {counts['late']} late.")
    if cost and shown.unpriced:
        sentences.append(f"{shown.unpriced} with no price.")
    sentences.append("The same figures are in the table below the chart.")
    return " ".join(sentences)


# --- CSV -------------------------------------------------------------------------------------------------------

CSV_COLUMNS: Final = ("interval_start", "interval_end", "quantity", "unit", "quality")


def csv_response(shown: Shown, file_name: str) -> HttpResponse:
    """Exactly the table's rows: times in UK local time (ISO 8601 with offset), figures as shown.

    Columns: interval_start, interval_end, quantity, unit, quality; for gas also kwh (the converted figure shown
    beside the m³); then late (``yes`` when the data arrived late, else empty); then cost_gbp (pounds with VAT at
    the tariff in force, empty with no figure or no price).
    """
    response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(["kwh"] if shown.gas else []), "late", "cost_gbp"])
    for slot in shown.slots:
        row = [
            slot.start.astimezone(LONDON).isoformat(),
            slot.end.astimezone(LONDON).isoformat(),
            "" if slot.quantity is None else _words(slot.quantity),
            CSV_UNITS.get(slot.unit, slot.unit),
            slot.quality,
        ]
        if shown.gas:
            row.append("" if slot.kwh is None else _words(slot.kwh))
        row.append("yes" if slot.late else "")
        row.append("" if slot.cost is None else _csv_cost(slot))
        writer.writerow(row)
    return response


def _csv_cost(slot: Slot) -> str:
    """A day's cost in pounds to the penny; a half-hour's to a hundredth of a penny, as the table shows it."""
    places = Decimal("0.0001") if slot.in_pence else Decimal("0.01")
    return f"{(slot.cost or Decimal(0)).quantize(places, rounding=ROUND_HALF_UP):f}"


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-") or "meter"


# --- Views ------------------------------------------------------------------------------------------------------


def _context(request: PortalRequest) -> dict[str, object]:
    return views._account_context(request)


@dataclass(frozen=True)
class MeterEntry:
    """A meter on the consumption index page, with what the customer can do for it."""

    meter: Meter
    remote: bool
    devices: list[AmrDevice]


@access.account_page()
def consumption(request: PortalRequest) -> HttpResponse:
    """The entry from the AMR and Smart meter tiles: each current supply point's meters, with links to their pages."""
    meters = accounts_queries.current_meters(account=request.account).select_related("supply_point")
    devices = accounts_queries.amr_devices(account=request.account)
    by_meter: dict[int, list[AmrDevice]] = {}
    for device in devices:
        by_meter.setdefault(device.meter_id, []).append(device)
    entries = [
        MeterEntry(meter=meter, remote=meter.kind in REMOTE_KINDS, devices=by_meter.get(meter.pk, []))
        for meter in meters
    ]
    has_smart = any(entry.meter.kind == Meter.Kind.SMART for entry in entries)
    context = {
        "entries": entries,
        "household": _is_household(request),
        "has_smart": has_smart,
        **_context(request),
    }
    return render(request, "portal/consumption.html", context)


def _page_context(request: PortalRequest, visible: Visible, form: _PeriodForm) -> dict[str, object]:
    meter = visible.meter
    return {
        "meter": meter,
        "supply_point": meter.supply_point,
        "gas": meter.supply_point.fuel == Fuel.GAS,
        "form": form,
        "household": _is_household(request),
        **_context(request),
    }


def _charts(shown: Shown) -> list[Chart]:
    """The kWh chart, and the cost chart when any figure has a price."""
    return [build_chart(shown), *([build_chart(shown, "cost")] if shown.has_costs else [])]


@access.account_page()
def consumption_daily(request: PortalRequest, meter_id: int) -> HttpResponse:
    """Daily use over a chosen range (default the last 30 days): chart, table, CSV link."""
    visible = _meter_of_account(request, meter_id)
    today = local_date(timezone.now())
    form = _bound(DailyRangeForm, request, visible, today)
    assert isinstance(form, DailyRangeForm)
    context = _page_context(request, visible, form)
    if form.is_bound and not form.is_valid():
        return render(request, "portal/consumption_daily.html", context, status=400)
    first, last = form.chosen()
    if not form.is_bound:
        form = DailyRangeForm(None, visible=visible, today=today, initial={"period_from": first, "period_to": last})
        context["form"] = form
    is_business = not _is_household(request)
    shown = daily(visible, first, last, is_business=is_business)
    query = urlencode({"from": first.isoformat(), "to": last.isoformat()})
    here = reverse("portal:consumption_daily", kwargs={"meter_id": meter_id})
    then = same_days_last_year(visible, first, last, is_business=is_business)
    comparison = None
    if then is not None:
        earlier = urlencode({"from": year_before(first).isoformat(), "to": year_before(last).isoformat()})
        comparison = Comparison(now=shown, then=then, url=f"{here}?{earlier}")
    context.update(
        shown=shown,
        charts=_charts(shown),
        comparison=comparison,
        last_year_words=_period_words(year_before(first), year_before(last)),
        csv_url=f"{reverse('portal:consumption_daily_csv', kwargs={'meter_id': meter_id})}?{query}",
        within_day_url=reverse("portal:consumption_day", kwargs={"meter_id": meter_id})
        + f"?{urlencode({'day': last.isoformat()})}",
    )
    return render(request, "portal/consumption_daily.html", context)


@access.account_page()
def consumption_daily_csv(request: PortalRequest, meter_id: int) -> HttpResponse:
    visible = _meter_of_account(request, meter_id)
    today = local_date(timezone.now())
    form = _bound(DailyRangeForm, request, visible, today)
    assert isinstance(form, DailyRangeForm)
    if form.is_bound and not form.is_valid():
        return _bad_query(form)
    first, last = form.chosen()
    shown = daily(visible, first, last, is_business=not _is_household(request))
    serial = _file_part(visible.meter.serial_number)
    return csv_response(shown, f"daily-use-{serial}-{first:%Y%m%d}-{last:%Y%m%d}.csv")


def _bad_query(form: forms.Form) -> HttpResponse:
    """A CSV link with bad dates: say which parameter is wrong and why, in plain text."""
    lines = [f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


@access.account_page()
def consumption_day(request: PortalRequest, meter_id: int) -> HttpResponse:
    """Within-day use for a chosen day (default yesterday), if the household agreed to half-hourly data."""
    visible = _meter_of_account(request, meter_id)
    now = timezone.now()
    today = local_date(now)
    form = _bound(DayForm, request, visible, today)
    assert isinstance(form, DayForm)
    context = _page_context(request, visible, form)
    context["daily_url"] = reverse("portal:consumption_daily", kwargs={"meter_id": meter_id})
    if not within_day_allowed(visible.meter, now):
        context["not_allowed"] = True
        return render(request, "portal/consumption_day.html", context)
    if form.is_bound and not form.is_valid():
        return render(request, "portal/consumption_day.html", context, status=400)
    day = form.cleaned_data["day"] if form.is_bound else form.default()
    if not form.is_bound:
        form = DayForm(None, visible=visible, today=today, initial={"day": day})
        context["form"] = form
    shown = within_day(visible, day, is_business=not _is_household(request))
    here = reverse("portal:consumption_day", kwargs={"meter_id": meter_id})
    previous_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
    month_to_day = {
        "from": max(day - timedelta(days=DEFAULT_DAYS - 1), visible.first_day).isoformat(),
        "to": day.isoformat(),
    }
    context.update(
        daily_url=f"{context['daily_url']}?{urlencode(month_to_day)}",
        shown=shown,
        charts=_charts(shown),
        day=day,
        csv_url=f"{reverse('portal:consumption_day_csv', kwargs={'meter_id': meter_id})}?"
        + urlencode({"day": day.isoformat()}),
        previous_url=f"{here}?{urlencode({'day': previous_day.isoformat()})}"
        if previous_day >= visible.first_day
        else "",
        next_url=f"{here}?{urlencode({'day': next_day.isoformat()})}" if next_day <= form.latest else "",
        previous_day=previous_day,
        next_day=next_day,
    )
    return render(request, "portal/consumption_day.html", context)


@access.account_page()
def consumption_day_csv(request: PortalRequest, meter_id: int) -> HttpResponse:
    visible = _meter_of_account(request, meter_id)
    now = timezone.now()
    if not within_day_allowed(visible.meter, now):
        return HttpResponse(
            "Within-day data is not kept for this meter: opt in to half-hourly data on the portal's consent page.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    form = _bound(DayForm, request, visible, local_date(now))
    assert isinstance(form, DayForm)
    if form.is_bound and not form.is_valid():
        return _bad_query(form)
    day = form.cleaned_data["day"] if form.is_bound else form.default()
    shown = within_day(visible, day, is_business=not _is_household(request))
    serial = _file_part(visible.meter.serial_number)
    return csv_response(shown, f"half-hourly-use-{serial}-{day:%Y%m%d}.csv")


# --- Half-hourly data consent (T&C 7.7) ---------------------------------------------------------------------


class ConsentForm(plain_forms.PlainForm):
    supply_point = forms.IntegerField(
        error_messages={"required": "Say which supply point.", "invalid": "Say which supply point."}
    )
    choice = forms.ChoiceField(
        choices=[("in", "Keep half-hourly data"), ("out", "Keep daily totals only")],
        error_messages={
            "required": "Choose half-hourly data or daily totals.",
            "invalid_choice": "Choose half-hourly data or daily totals.",
        },
    )


def _when(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


@access.account_page()
def consent(request: PortalRequest) -> HttpResponse:
    """A household's choice of half-hourly data per smart supply point; only the account holder may change it.

    Businesses' within-day data is part of their contract: the page says so and offers no choice.
    """
    now = timezone.now()
    household = _is_household(request)
    entries = metering_consent.smart_supply_point_consents(account=request.account, now=now) if household else []
    may_change = request.link.role == AccountLink.Role.HOLDER
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied("Only the account holder can change this choice.")
        form = ConsentForm(request.POST)
        if not household:
            messages.error(request, "Within-day data is part of your business contract: there is no choice to make.")
            return redirect("portal:consent")
        if not form.is_valid():
            context = {"entries": entries, "household": household, "may_change": may_change, "form": form}
            return render(request, "portal/consent.html", {**context, **_context(request)}, status=400)
        entry = next((e for e in entries if e.supply_point.pk == form.cleaned_data["supply_point"]), None)
        if entry is None:
            raise Http404("No smart meter on this account at that supply point.")
        granted = form.cleaned_data["choice"] == "in"
        if granted == entry.granted:
            messages.info(request, f"No change: your choice for {entry.supply_point} was already that.")
        else:
            recorded = metering_consent.record_consent(
                supply_point=entry.supply_point, granted=granted, by=request.user, now=now
            )
            what = "keep half-hourly data" if granted else "keep daily totals only"
            messages.success(
                request,
                f"Recorded at {_when(recorded.recorded_at)}: we will {what} for {entry.supply_point} from now on.",
            )
        return redirect("portal:consent")
    context = {"entries": entries, "household": household, "may_change": may_change, "form": ConsentForm()}
    return render(request, "portal/consent.html", {**context, **_context(request)})
