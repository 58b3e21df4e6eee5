"""The daily job ``prepayment.daily_charges``: each ended day's standing charge and energy taken from the credit,
once. Tariff: 50p a day and 25p a kWh excluding VAT, so 52.5p and 26.25p with VAT at 5 % (worked out by hand)."""

from datetime import date
from decimal import Decimal

from hearth.data.scheduling.models import JobRunItem
from hearth.domain.prepayment import daily_charges, jobs
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.scheduling import operations as scheduling_ops
from tests.integration.prepayment.support import at, half_hours, meter_of, on_prepayment

SATURDAY, CLOCKS_BACK, MONDAY = date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)


def run(day: date):
    now = at(day, 6)
    return scheduling_ops.run_job(job=jobs.DAILY_CHARGES, day=day, now=now, started_by="test", clock=lambda: now)


def charges(prepayment) -> list[tuple[str, date, Decimal]]:
    rows = prepayment.credit_entries.filter(charged_for__isnull=False).order_by("charged_for", "kind")
    return list(rows.values_list("kind", "charged_for", "amount"))


def test_each_ended_day_is_charged_its_standing_charge_and_energy_once(db):
    """Saturday: 48 half-hours of 0.25 kWh = 12 kWh x 26.25p = £3.15. Sunday 25 October (clocks back, 50
    half-hours) of 0.2 kWh = 10 kWh x 26.25p = £2.625, £2.63 half-up. Standing charge 52.5p, £0.53 half-up."""
    prepayment = on_prepayment(start=SATURDAY)
    half_hours(meter_of(prepayment), SATURDAY, "0.25")
    half_hours(meter_of(prepayment), CLOCKS_BACK, "0.2")

    first = run(MONDAY)
    again = run(MONDAY)

    assert charges(prepayment) == [
        ("ENERGY", SATURDAY, Decimal("-3.15")),
        ("STANDING_CHARGE", SATURDAY, Decimal("-0.53")),
        ("ENERGY", CLOCKS_BACK, Decimal("-2.63")),
        ("STANDING_CHARGE", CLOCKS_BACK, Decimal("-0.53")),
    ]
    assert prepayment_ops.credit_balance(prepayment) == Decimal("-6.84")
    assert (first.done_count, first.failed_count) == (1, 0)
    assert (again.done_count, again.failed_count) == (0, 0)


def test_a_day_whose_data_is_not_complete_waits_and_is_charged_when_it_is(db):
    """48 half-hours on the 50-half-hour day of the clock change is not the whole day: its energy waits."""
    prepayment = on_prepayment(start=CLOCKS_BACK)
    half_hours(meter_of(prepayment), CLOCKS_BACK, "0.2", count_=48)

    waiting = run(MONDAY)

    assert charges(prepayment) == [("STANDING_CHARGE", CLOCKS_BACK, Decimal("-0.53"))]
    assert waiting.failed_count == 1
    [item] = JobRunItem.objects.filter(run=waiting)
    assert "not complete yet" in item.message

    half_hours(meter_of(prepayment), CLOCKS_BACK, "0.2", skip=48)  # the last two half-hours arrive late
    run(date(2026, 10, 27))
    assert charges(prepayment)[:2] == [
        ("ENERGY", CLOCKS_BACK, Decimal("-2.63")),
        ("STANDING_CHARGE", CLOCKS_BACK, Decimal("-0.53")),
    ]


def test_nothing_is_charged_before_the_prepayment_starts_or_for_today(db):
    prepayment = on_prepayment(start=MONDAY)
    half_hours(meter_of(prepayment), MONDAY, "0.25")
    run(MONDAY)
    assert charges(prepayment) == []
    assert daily_charges.days_to_charge(prepayment, "STANDING_CHARGE", date(2026, 10, 27)) == [MONDAY]


def test_an_ended_prepayment_is_charged_up_to_the_day_before_it_ends(db):
    prepayment = on_prepayment(start=SATURDAY)
    prepayment_ops.end_prepayment(prepayment=prepayment, day=CLOCKS_BACK, reason="test", now=at(SATURDAY, 9))
    prepayment.refresh_from_db()
    assert daily_charges.days_to_charge(prepayment, "STANDING_CHARGE", date(2026, 10, 30)) == [SATURDAY]
