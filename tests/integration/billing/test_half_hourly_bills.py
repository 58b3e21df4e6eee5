"""Dynamic-tariff bills: the database prices and sums a window's half-hours when it can describe the window whole; any
other window (quarter-hour data, a meter exchange, a gap, a half-hour without a price, energy the back-billing limit
cuts) is priced half-hour by half-hour. Either way the bill is the same, worked out here by hand.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from hearth.data.billing.models import BillLine
from hearth.data.metering.models import Meter, Register
from hearth.data.tariffs.models import HalfHourlyPrice, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.billing import operations as billing_ops
from hearth.domain.billing import queries as billing_queries
from tests.integration.billing.test_issue_bill import (
    LONDON,
    Home,
    assert_balance_box_reconciles,
    home,
    interval_starts,
    issue,
    midnight,
    on_tariff,
    store_intervals,
    tariff,
)

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY, WEDNESDAY = date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)
ISSUED = datetime(2026, 6, 4, 9, tzinfo=UTC)


def _dynamic(place: Home, start: date, end: date, price: Callable[[datetime], str]) -> Tariff:
    """``place`` on a dynamic tariff (standing charge 50p a day) priced ``price(start)`` for each half-hour."""
    dynamic = tariff(structure=Tariff.Structure.HALF_HOURLY, standing="50.0000", units={})
    on_tariff(place, dynamic)
    prices = [
        HalfHourlyPrice(tariff=dynamic, interval_start=at, value_exc_vat=Decimal(price(at)))
        for at in interval_starts(start, end)
    ]
    HalfHourlyPrice.objects.bulk_create(prices)
    return dynamic


def _store(meter: Meter, starts: list[datetime], kwh: Callable[[datetime], str], minutes: int = 30) -> None:
    store_intervals(meter, starts, kwh, received_at=ISSUED, minutes=minutes)


def _by_noon(at: datetime) -> str:
    """10p a kWh before local noon, 20p from it."""
    return "10.0000" if at.astimezone(LONDON).hour < 12 else "20.0000"


def _energy(place: Home) -> BillLine:
    [bill] = place.account.bills.all()
    [energy] = [line for line in billing_queries.lines_of(bill) if line.kind == BillLine.Kind.ENERGY]
    return energy


def test_a_month_of_varied_half_hours_is_charged_their_exact_sum_rounded_once():
    place = home()
    june, july = date(2026, 6, 1), date(2026, 7, 1)
    starts = interval_starts(june, july)
    price_of = {at: Decimal("12.3456") + n % 5 for n, at in enumerate(starts)}
    kwh_of = {at: Decimal("0.1234") * (n % 7 + 1) for n, at in enumerate(starts)}
    _dynamic(place, june, july, lambda at: str(price_of[at]))
    _store(place.meter, starts, lambda at: str(kwh_of[at]))
    bill = issue(place, june, july, now=datetime(2026, 7, 2, 9, tzinfo=UTC))
    # Worked here half-hour by half-hour: 30 days x 48 = 1,440 half-hours, the pence summed exactly, then rounded once.
    pence = sum((kwh_of[at] * price_of[at] for at in starts), Decimal(0))
    kwh = sum(kwh_of.values(), Decimal(0))
    energy = _energy(place)
    assert len(starts) == 1440
    assert (energy.quantity, energy.amount) == (kwh, (pence / 100).quantize(Decimal("0.01"), ROUND_HALF_UP))
    assert energy.rate == (pence / kwh / 100).quantize(Decimal("0.00000001"), ROUND_HALF_UP)
    assert energy.sources["half_hours"] == 1440
    standing = Decimal("15.00")  # 30 days x 50p
    vat = ((energy.amount + standing) * Decimal("0.05")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert bill.total == energy.amount + standing + vat
    assert_balance_box_reconciles(bill)


def test_quarter_hour_data_bills_as_the_half_hours_it_adds_up_to():
    place = home()
    _dynamic(place, MONDAY, TUESDAY, _by_noon)
    _store(place.meter, interval_starts(MONDAY, TUESDAY, timedelta(minutes=15)), lambda at: "0.5000", minutes=15)
    bill = issue(place, MONDAY, TUESDAY, now=ISSUED)
    # 96 quarter-hours of 0.5 kWh: 48 half-hours of 1 kWh, 24 before noon at 10p and 24 after at 20p = £7.20; standing
    # £0.50; VAT 5% of £7.70 = £0.385 -> £0.39; £8.09.
    energy = _energy(place)
    assert (energy.quantity, energy.amount, energy.sources["half_hours"]) == (48, Decimal("7.20"), 48)
    assert bill.total == Decimal("8.09")


def test_a_meter_exchanged_at_noon_bills_both_meters_half_hours():
    place = home()
    _dynamic(place, MONDAY, TUESDAY, _by_noon)
    noon = datetime(2026, 6, 1, 12, tzinfo=LONDON)
    Meter.objects.filter(pk=place.meter.pk).update(removed_at=noon)
    new_meter = accounts_ops.install_meter(
        supply_point=place.supply_point,
        serial_number="M9900001",
        kind=Meter.Kind.SMART,
        installed_at=noon,
        registers=[("S", Register.Rate.STANDARD)],
        gas_units=None,
    )
    morning, afternoon = (
        [at for at in interval_starts(MONDAY, TUESDAY) if at < noon],
        interval_starts(MONDAY, TUESDAY)[24:],
    )
    _store(place.meter, morning, lambda at: "1.0000")
    _store(new_meter, afternoon, lambda at: "2.0000")
    bill = issue(place, MONDAY, TUESDAY, now=ISSUED)
    # Before noon 24 x 1 kWh x 10p = £2.40; after 24 x 2 kWh x 20p = £9.60; energy £12.00 for 72 kWh; standing £0.50;
    # VAT 5% of £12.50 = £0.625 -> £0.63; £13.13.
    energy = _energy(place)
    assert (energy.quantity, energy.amount) == (72, Decimal("12.00"))
    assert bill.total == Decimal("13.13")


def test_a_missing_half_hour_refuses_the_bill_naming_the_first_one():
    place = home()
    _dynamic(place, MONDAY, TUESDAY, _by_noon)
    _store(
        place.meter, [at for at in interval_starts(MONDAY, TUESDAY) if at.astimezone(LONDON).hour != 13], lambda at: "1"
    )
    with pytest.raises(billing_ops.BillingError) as refused:
        issue(place, MONDAY, TUESDAY, now=ISSUED)
    assert "2 of the 48 half-hours" in str(refused.value)
    assert "the first missing one starts 1 June 2026 at 13:00" in str(refused.value)
    assert not place.account.bills.exists()


def test_a_half_hour_without_a_price_refuses_the_bill_naming_it():
    place = home()
    dynamic = _dynamic(place, MONDAY, TUESDAY, _by_noon)
    HalfHourlyPrice.objects.filter(tariff=dynamic, interval_start=datetime(2026, 6, 1, 18, 30, tzinfo=LONDON)).delete()
    _store(place.meter, interval_starts(MONDAY, TUESDAY), lambda at: "1.0000")
    with pytest.raises(billing_ops.BillingError) as refused:
        issue(place, MONDAY, TUESDAY, now=ISSUED)
    assert "No half-hourly price is held for the half-hour starting 1 Jun 2026 18:30 BST" in str(refused.value)


def test_half_hours_more_than_12_months_old_are_dropped_half_hour_by_half_hour():
    place = home(supplied_from=date(2025, 1, 1))
    first, third = date(2025, 6, 1), date(2025, 6, 3)
    _dynamic(place, first, third, lambda at: "10.0000")
    _store(place.meter, interval_starts(first, third), lambda at: "1.0000")
    bill = issue(place, first, third, now=datetime(2026, 6, 2, 9, tzinfo=UTC))
    # Issued 2 June 2026: energy from before 2 June 2025 is not charged. 2 June's 48 half-hours x 1 kWh x 10p = £4.80;
    # standing 1 day x 50p = £0.50; VAT 5% of £5.30 = £0.265 -> £0.27; £5.57.
    energy = _energy(place)
    assert (energy.quantity, energy.amount, energy.sources["half_hours"]) == (48, Decimal("4.80"), 48)
    assert bill.total == Decimal("5.57")
    assert "1 Jun 2025" in " ".join(energy.sources["back_billing_notes"])


def test_two_days_on_two_dynamic_tariffs_are_each_priced_at_their_own():
    place = home()
    first = _dynamic(place, MONDAY, TUESDAY, lambda at: "10.0000")
    second = tariff(structure=Tariff.Structure.HALF_HOURLY, standing="50.0000", units={})
    HalfHourlyPrice.objects.bulk_create(
        HalfHourlyPrice(tariff=second, interval_start=at, value_exc_vat=Decimal("30.0000"))
        for at in interval_starts(TUESDAY, WEDNESDAY)
    )
    place.supply_point.agreements.filter(tariff=first).update(valid_to=midnight(TUESDAY))
    place.supply_point.agreements.create(tariff=second, valid_from=midnight(TUESDAY))
    _store(place.meter, interval_starts(MONDAY, WEDNESDAY), lambda at: "1.0000")
    bill = issue(place, MONDAY, WEDNESDAY, now=ISSUED)
    # Monday 48 kWh x 10p = £4.80, Tuesday 48 kWh x 30p = £14.40: £19.20 for 96 kWh; standing 2 x 50p = £1.00; VAT 5%
    # of £20.20 = £1.01; £21.21.
    energy = _energy(place)
    assert (energy.quantity, energy.amount) == (96, Decimal("19.20"))
    assert bill.total == Decimal("21.21")
