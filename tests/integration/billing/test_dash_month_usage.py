"""The dashboard's months of use (billing.month_usage): kWh from readings, pounds as a bill for those days would charge.

Every expected figure is worked out by hand here: the test tariff is 25p a kWh and 50p a day before VAT, and a
household pays VAT at 5%, rounded half-up to the penny on the sum of the lines.
"""

from datetime import UTC, date, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearth.data.accounts.models import Account
from hearth.data.metering.models import IntervalConsumption, ReadingSource, Register, RegisterReading
from hearth.domain.billing import month_usage
from tests.integration.billing.invoice_support import at_local, reading
from tests.integration.billing.run_support import billable_account, single_rate_tariff

pytestmark = pytest.mark.django_db

NOW = at_local(date(2026, 11, 15), time(12, 0))
"""Mid-November: this month is November so far, last month is October (which has the clock change)."""


def _account(number: str = "9500000001", *, november_reading: str | None = "1650") -> tuple[Account, Register]:
    account = billable_account(
        single_rate_tariff(valid_from_date=date(2026, 9, 1)),
        number=number,
        supply_start_date=date(2026, 9, 1),
        readings=[(date(2026, 10, 1), Decimal(1250)), (date(2026, 11, 1), Decimal(1550))],
    )
    register = account.supplies.get().supply_point.meters.get().registers.get()
    if november_reading is not None:
        reading(register, november_reading, RegisterReading.Kind.CUSTOMER, date(2026, 11, 11))
    return account, register


def test_last_month_is_its_readings_advance_priced_with_standing_charge_and_vat() -> None:
    account, _ = _account()
    summary = month_usage.usage_summary(account, now=NOW)
    october = summary.last_month
    # 1 Oct 1250 to 1 Nov 1550: 300 kWh over the 31 days of October.
    # 300 x £0.25 = £75.00; 31 x £0.50 = £15.50; VAT 5% of £90.50 = £4.525 -> £4.53; £95.03 in all.
    assert (october.month, october.start_date, october.end_date) == (
        date(2026, 10, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    )
    assert october.days == 31
    assert october.kwh == Decimal("300.000")
    assert october.cost == Decimal("95.03")
    assert not october.estimated


def test_this_month_runs_to_its_latest_reading_and_the_change_is_per_day() -> None:
    account, _ = _account()
    summary = month_usage.usage_summary(account, now=NOW)
    november = summary.this_month
    # 1 Nov 1550 to 11 Nov 1650: 100 kWh over 10 days. £25.00 + £5.00 = £30.00, VAT £1.50: £31.50.
    assert (november.start_date, november.last_day, november.days) == (date(2026, 11, 1), date(2026, 11, 10), 10)
    assert november.kwh == Decimal("100.000")
    assert november.cost == Decimal("31.50")
    # £31.50 / 10 = £3.15 a day; £95.03 / 31 = £3.0655 a day: 8p a day more (£0.0845, to the penny).
    assert summary.comparable
    assert summary.daily_cost_change == Decimal("0.08")


def test_a_month_with_half_hours_is_its_half_hours_up_to_now() -> None:
    """A meter that sends half-hours is measured by them, not by its register's readings; a half-hour from now on is
    not used yet."""
    account, register = _account()
    first = at_local(date(2026, 11, 1))
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=register.meter,
            interval_start=first + timedelta(minutes=30 * index),
            quantity=Decimal("0.5000"),
            unit="KWH",
            kwh=Decimal("0.5000"),
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.SMART,
            received_at=NOW,
        )
        for index in [*range(96), *range(96 * 14, 96 * 14 + 2)]  # 1 and 2 November, then two after NOW
    )
    november = month_usage.usage_summary(account, now=NOW).this_month
    # 96 half-hours of 0.5 kWh: 48 kWh over 2 days. £12.00 + £1.00 = £13.00, VAT £0.65: £13.65.
    assert (november.start_date, november.end_date) == (date(2026, 11, 1), date(2026, 11, 3))
    assert (november.kwh, november.cost) == (Decimal("48"), Decimal("13.65"))


def test_a_month_without_a_reading_inside_it_has_no_figures_yet() -> None:
    account, _ = _account(november_reading=None)
    summary = month_usage.usage_summary(account, now=NOW)
    assert not summary.this_month.known
    assert summary.this_month.cost == Decimal("0.00")
    assert summary.last_month.known
    assert not summary.comparable
    assert summary.daily_cost_change == Decimal("0.00")


def test_an_estimated_reading_makes_the_month_estimated() -> None:
    account, register = _account(november_reading=None)
    reading(register, "1600", RegisterReading.Kind.ESTIMATED, date(2026, 11, 6))
    november = month_usage.usage_summary(account, now=NOW).this_month
    # 50 kWh over 5 days: £12.50 + £2.50 = £15.00, VAT £0.75: £15.75.
    assert november.estimated
    assert (november.kwh, november.cost) == (Decimal("50.000"), Decimal("15.75"))


def test_a_reading_after_now_is_not_used() -> None:
    account, register = _account(november_reading=None)
    reading(register, "1700", RegisterReading.Kind.ACTUAL, date(2026, 11, 20))
    assert not month_usage.usage_summary(account, now=NOW).this_month.known


def test_the_queries_do_not_grow_with_the_readings() -> None:
    account, register = _account()
    with CaptureQueriesContext(connection) as few:
        month_usage.usage_summary(account, now=NOW)
    for day in range(2, 11):
        reading(register, str(1550 + day), RegisterReading.Kind.CUSTOMER, date(2026, 11, day))
    with CaptureQueriesContext(connection) as many:
        month_usage.usage_summary(account, now=NOW)
    assert len(many) == len(few) <= 4


def test_the_months_are_london_months() -> None:
    """Half past midnight on 1 October in London is still 30 September in UTC (summer time): it is October."""
    account, _ = _account(november_reading=None)
    now = at_local(date(2026, 10, 1), time(0, 30))
    assert now.astimezone(UTC).date() == date(2026, 9, 30)
    summary = month_usage.usage_summary(account, now=now)
    assert (summary.this_month.month, summary.last_month.month) == (date(2026, 10, 1), date(2026, 9, 1))
    # September: opening 1000 on 1 Sep to 1250 on 1 Oct, 250 kWh over 30 days: £62.50 + £15.00 = £77.50,
    # VAT £3.875 -> £3.88: £81.38.
    assert (summary.last_month.kwh, summary.last_month.cost) == (Decimal("250.000"), Decimal("81.38"))


def test_a_settlement_register_without_an_accepted_reading_leaves_the_meter_without_figures() -> None:
    """Registers and their readings are read together: a register with none accepted is still seen, so the meter's
    advance is unknown rather than its other register's advance passing for the whole meter's."""
    account, register = _account()
    night = Register.objects.create(meter=register.meter, identifier="NT", rate=Register.Rate.NIGHT)
    rejected = reading(night, "900", RegisterReading.Kind.CUSTOMER, date(2026, 11, 11))
    rejected.status = RegisterReading.Status.REJECTED
    rejected.save()

    summary = month_usage.usage_summary(account, now=NOW)

    assert not summary.this_month.known
    assert not summary.last_month.known
