"""The daily job ``prepayment.daily_charges``: each day's standing charge and energy taken from the meter's credit.

A day is charged once it has ended: the run for day D charges every day of each prepayment from its start up to the
day before D that is not charged yet, so a missed run is caught up. The **standing charge** of a day is the tariff's
in force when the day starts (UK time); the **energy** is the smart meter's interval data for the whole day (46, 48
or 50 half-hours) at the tariff's unit rate, charged only once the data covers the whole day; until then the day
waits and the report says so. Both are with VAT at the domestic 5 % and rounded half-up to the penny once per line.
Each is a ``CreditEntry`` for its day, and a database constraint (one per prepayment, kind and day) makes a second
run charge nothing.

Meters that keep their own balance (key and card meters, with no daily data) are not charged here: the meter takes
the charges itself, and the job says so once per run.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from hearth.common import calendar
from hearth.common.money import to_pennies
from hearth.data.metering.models import IntervalConsumption, Meter
from hearth.data.prepayment.models import CreditEntry, Prepayment
from hearth.data.tariffs.models import UnitRate
from hearth.domain.scheduling.jobs import JobReport
from hearth.domain.tariffs import queries as tariff_queries

PENCE: Final = Decimal(100)
DAILY_KINDS: Final = (CreditEntry.Kind.STANDING_CHARGE, CreditEntry.Kind.ENERGY)
ENDED_LOOK_BACK_DAYS: Final = 31
"""A prepayment that ended is still looked at for a month, so the days before its end whose data came late are
charged; after that a day still without data is left uncharged, and the job stops reporting it."""


class ChargeNotPossible(Exception):
    """A day cannot be charged yet or at all (no tariff, no data for the whole day); the message says which."""


def _with_vat_pounds(pence_exc_vat: Decimal) -> Decimal:
    return to_pennies(pence_exc_vat * (1 + tariff_queries.DOMESTIC_VAT_RATE) / PENCE)


def standing_charge_for(prepayment: Prepayment, day: date) -> Decimal:
    """The day's standing charge in pounds with VAT, from the tariff in force when it starts.

    :raises ChargeNotPossible: no tariff or no standing charge that day.
    """
    rates = _rates(prepayment, day)
    if rates.standing_charge is None:
        raise ChargeNotPossible(f"no standing charge in force on {day:%-d %B %Y}")
    return _with_vat_pounds(rates.standing_charge.value_exc_vat)


def _rates(prepayment: Prepayment, day: date) -> tariff_queries.RatesAt:
    starts = calendar.day_starts_at(day)
    agreement = tariff_queries.agreement_at(supply_point=prepayment.supply_point, at=starts)
    if agreement is None:
        raise ChargeNotPossible(f"no tariff in force on {day:%-d %B %Y}")
    return tariff_queries.rates_at(tariff=agreement.tariff, at=starts)


def energy_for(prepayment: Prepayment, meter: Meter, day: date) -> Decimal:
    """The day's energy in pounds with VAT: the whole day's kWh at the single unit rate.

    :raises ChargeNotPossible: the meter's data does not cover the whole day yet, or the tariff has bands.
    """
    starts, ends = calendar.day_starts_at(day), calendar.day_starts_at(day + timedelta(days=1))
    rows = IntervalConsumption.objects.filter(meter=meter, interval_start__gte=starts, interval_start__lt=ends)
    totals = rows.exclude(quality=IntervalConsumption.Quality.MISSING).aggregate(
        minutes=Sum("interval_minutes"), kwh=Sum("kwh")
    )
    if (totals["minutes"] or 0) * 60 < (ends - starts).total_seconds():
        raise ChargeNotPossible(f"the meter's data for {day:%-d %B %Y} is not complete yet")
    rates = _rates(prepayment, day).unit_rates
    if set(rates) != {UnitRate.STANDARD}:
        raise ChargeNotPossible(f"the tariff has the bands {', '.join(sorted(rates)) or 'none'}: only single rates")
    kwh = Decimal(totals["kwh"] or 0)
    return _with_vat_pounds(kwh * rates[UnitRate.STANDARD].value_exc_vat)


def _charge(prepayment: Prepayment, kind: str, day: date, amount: Decimal, now: datetime) -> bool:
    """Post one day's charge; False if it was already posted (another run got there first)."""
    label = "Standing charge" if kind == CreditEntry.Kind.STANDING_CHARGE else "Energy used"
    try:
        with transaction.atomic():
            CreditEntry.objects.create(
                prepayment=prepayment,
                kind=kind,
                amount=-amount,
                posted_at=now,
                charged_for=day,
                description=f"{label} on {day:%-d %B %Y}",
            )
    except IntegrityError:
        return False
    return True


def days_to_charge(prepayment: Prepayment, kind: str, today: date) -> list[date]:
    """The days of ``prepayment`` before ``today`` (ended days only, up to its end) not yet charged ``kind``."""
    last = today if prepayment.ended_on is None else min(today, prepayment.ended_on)
    charged = set(
        prepayment.credit_entries.filter(kind=kind, charged_for__isnull=False).values_list("charged_for", flat=True)
    )
    span = (last - prepayment.started_on).days
    return [
        day for day in (prepayment.started_on + timedelta(days=n) for n in range(max(span, 0))) if day not in charged
    ]


def _daily_data_meter(prepayment: Prepayment) -> Meter | None:
    """The point's latest smart meter, which sends its daily data (None: a key or card meter)."""
    return prepayment.supply_point.meters.filter(kind=Meter.Kind.SMART).order_by("-installed_at", "-id").first()


def charge_prepayment(prepayment: Prepayment, meter: Meter, *, today: date, now: datetime) -> tuple[int, list[str]]:
    """Charge every ended day not yet charged; how many charges were posted, and why any day waits."""
    posted, waiting = 0, []
    for kind in DAILY_KINDS:
        for day in days_to_charge(prepayment, kind, today):
            try:
                amount = (
                    standing_charge_for(prepayment, day)
                    if kind == CreditEntry.Kind.STANDING_CHARGE
                    else energy_for(prepayment, meter, day)
                )
            except ChargeNotPossible as exc:
                waiting.append(str(exc))
                continue
            posted += _charge(prepayment, kind, day, amount, now)
    return posted, waiting


def daily_charges(*, day: date, now: datetime, report: JobReport) -> None:
    """The job: charge each running smart prepayment up to the day before ``day`` (see the module's docstring)."""
    recently = day - timedelta(days=ENDED_LOOK_BACK_DAYS)
    running = Prepayment.objects.filter(started_on__lt=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=recently))
    for prepayment in running.select_related("account", "supply_point").order_by("id"):
        subject = f"account {prepayment.account.number}"
        meter = _daily_data_meter(prepayment)
        if meter is None:
            report.done(subject, "Not charged here: a key or card meter takes its own charges.")
            continue
        try:
            posted, waiting = charge_prepayment(prepayment, meter, today=day, now=now)
        except Exception as exc:  # one account's failure must not stop the others (scheduling.jobs)
            report.failed(subject, f"Daily charges failed: {exc}")
            continue
        if waiting:
            report.failed(subject, f"{posted} charges posted; waiting: {'; '.join(sorted(set(waiting)))[:400]}")
        elif posted:
            report.done(subject, f"{posted} daily charges posted.")
