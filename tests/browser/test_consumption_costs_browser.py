"""Consumption in money as a person sees it (issue 13), at 1280 px and 390 px: kWh and £ charts, gaps, last year.

Days are counted back from the real today (the live server runs on the real clock). Every expected cost is worked
out here: kWh x 20p (excluding VAT) x 1.05, rounded half-up to the penny.
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from hearth.data.accounts.models import Customer, Fuel, Supply
from hearth.data.metering.models import IntervalConsumption, Meter, ReadingSource
from hearth.data.tariffs.models import PaymentMethod, Product, Tariff, UnitRate
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.tariffs import operations as tariff_ops

from .support import PHONE, Builder, check_accessibility, fits_width, heading, sign_in

UK = ZoneInfo("Europe/London")
PASSWORD = "Meadow42Lantern"


def _today() -> date:
    return datetime.now(UK).date()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UK)


def _half_hours(day: date) -> list[datetime]:
    at, end = _midnight(day).astimezone(UTC), _midnight(day + timedelta(days=1)).astimezone(UTC)
    starts = []
    while at < end:
        starts.append(at)
        at += timedelta(minutes=30)
    return starts


def _store(meter: Meter, days: list[date], kwh: str) -> None:
    IntervalConsumption.objects.bulk_create(
        IntervalConsumption(
            meter=meter,
            interval_start=at,
            interval_minutes=30,
            quantity=Decimal(kwh),
            unit="KWH",
            kwh=Decimal(kwh),
            quality=IntervalConsumption.Quality.ACTUAL,
            source=ReadingSource.SMART,
            received_at=at + timedelta(hours=8),
        )
        for day in days
        for at in _half_hours(day)
    )


def _bakery(build: Builder) -> tuple[Meter, list[date]]:
    """A small business on a 20p/kWh single-rate tariff, with data for the last 10 days but one, and a year ago."""
    business = accounts_ops.create_customer(
        kind=Customer.Kind.ORGANISATION, name="Crumb and Co Ltd", contact_email="crumb@example.com", now=build.now()
    )
    account = build.account(business, fuel=Fuel.ELECTRICITY)
    meter = build.meter(account, kind=Meter.Kind.SMART)
    supplied_from = _today() - timedelta(days=500)
    Supply.objects.filter(account=account).update(valid_from=supplied_from)
    product = tariff_ops.create_product(
        code="CRUMB-FLEX",
        full_name="Hearth Flexible",
        display_name="Hearth Flexible",
        description="Prices follow the market.",
        kind=Product.Kind.VARIABLE,
        available_from=_midnight(supplied_from),
    )
    tariff = tariff_ops.create_tariff(
        product=product,
        fuel=Fuel.ELECTRICITY,
        region="A",
        structure=Tariff.Structure.SINGLE_RATE,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        standing_charge_exc_vat=Decimal("50.0000"),
        unit_rates_exc_vat={UnitRate.STANDARD: Decimal("20.0000")},
        valid_from=_midnight(supplied_from),
    )
    tariff_ops.place_on_tariff(supply_point=meter.supply_point, tariff=tariff, valid_from=_midnight(supplied_from))
    days = [_today() - timedelta(days=n) for n in range(10, 0, -1)]
    gap = days[4]
    _store(meter, [day for day in days if day != gap], "0.5")
    _store(meter, [day.replace(year=day.year - 1) for day in days if not (day.month == 2 and day.day == 29)], "0.25")
    build.activated_login(account, "crumb@example.com", PASSWORD)
    return meter, days


def _cells(page: Page) -> list[list[str]]:
    rows: list[list[str]] = page.evaluate(
        """() => [...document.querySelectorAll('table.figures tbody tr')].map(
            tr => [...tr.children].map(cell => cell.innerText.trim()))"""
    )
    return rows


def test_daily_and_half_hourly_costs_with_gaps_and_last_year_at_both_widths(
    new_page: Callable[..., Page], build: Builder
) -> None:
    meter, days = _bakery(build)
    first, last = days[0], days[-1]
    # A day of 48 (or 46/50) half-hours of 0.5 kWh at 20p with 5% VAT.
    day_cost = {day: (Decimal("0.5") * len(_half_hours(day)) * 20 * Decimal("1.05") / 100) for day in days}
    for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        page = new_page(name, viewport=viewport)
        sign_in(page, "crumb@example.com", PASSWORD)
        page.goto(f"/services/consumption/{meter.pk}/?from={first.isoformat()}&to={last.isoformat()}")
        heading(page, "Daily use")
        expect(page.get_by_role("img", name=re.compile("^Bar chart of electricity used each day"))).to_be_visible()
        expect(page.get_by_role("img", name=re.compile("^Bar chart of electricity cost in pounds"))).to_be_visible()
        rows = _cells(page)
        assert len(rows) == 10
        assert rows[4][1:3] == ["no data", "no data"]
        assert rows[0][2] == f"£{day_cost[first].quantize(Decimal('0.01'))}"
        # The gap is drawn as a gap in both charts, labelled, with no bar.
        expect(page.locator("#chart-kwh [data-kind=gap-label]")).to_have_text("no data")
        expect(page.locator("#chart-cost [data-kind=gap-label]")).to_have_text("no data")
        expect(page.locator("#costs")).to_contain_text("52.50p a day with VAT")
        expect(page.locator("#last-year")).to_contain_text("Compared with the same days last year")
        expect(page.locator("#last-year")).to_contain_text("kWh more")
        assert fits_width(page), f"the daily page scrolls sideways at {viewport['width']} px"
        check_accessibility(page)

        page.get_by_role("link", name="See one day half-hour by half-hour").click()
        heading(page, "Half-hourly use")
        rows = _cells(page)
        assert rows[0][1:3] == ["0.500", "10.50p"]  # 0.5 kWh x 20p x 1.05
        expect(page.get_by_role("img", name=re.compile("^Bar chart of electricity cost in pence"))).to_be_visible()
        expect(page.locator("#costs")).to_contain_text(f"cost £{day_cost[last].quantize(Decimal('0.01'))} with VAT")
        assert fits_width(page), f"the half-hourly page scrolls sideways at {viewport['width']} px"
        check_accessibility(page)


def test_a_bad_range_in_the_address_is_shown_at_its_field(new_page: Callable[..., Page], build: Builder) -> None:
    meter, days = _bakery(build)
    page = new_page("phone", viewport=PHONE)
    sign_in(page, "crumb@example.com", PASSWORD)
    page.goto(f"/services/consumption/{meter.pk}/?from={days[5].isoformat()}&to={days[0].isoformat()}")
    expect(page.get_by_label("To")).to_have_accessible_description(
        re.compile("The to date must be the same as or after the from date")
    )
    assert fits_width(page)
    check_accessibility(page)
