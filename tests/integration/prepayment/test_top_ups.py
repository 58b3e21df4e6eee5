"""Top-ups (9.5), emergency credit and debt recovery (10.1.1) on the meter's ledger, with the expected shares
worked out by hand. The prepayment starts on Saturday 24 October 2026; Monday 26 October starts a new week."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from hearth.data.audit.models import AuditEvent
from hearth.data.metering.models import SmartMeterCommand
from hearth.data.prepayment.models import CreditEntry, Vend
from hearth.domain.prepayment import operations as prepayment_ops
from hearth.domain.prepayment import top_ups
from tests.integration.prepayment.support import at, on_prepayment

SUNDAY = date(2026, 11, 1)
MONDAY = date(2026, 11, 2)


def entries(prepayment) -> list[tuple[str, Decimal]]:
    return list(prepayment.credit_entries.order_by("id").values_list("kind", "amount"))


def test_a_top_up_takes_the_set_share_for_debt_credits_the_rest_and_tells_the_smart_meter(db):
    """£20 at 25 % towards a £50 debt: £5.00 to the debt, £15.00 credited; £45.00 still owed."""
    prepayment = on_prepayment(percent="25", debt="50.00")
    vend = top_ups.top_up(prepayment=prepayment, amount=Decimal("20.00"), channel=Vend.Channel.CARE, now=at(MONDAY, 9))

    assert (vend.emergency_repaid, vend.debt_recovered, vend.credited) == (Decimal("0"), Decimal("5.00"), Decimal("15"))
    assert entries(prepayment) == [("TOP_UP", Decimal("20.00")), ("DEBT_RECOVERY", Decimal("-5.00"))]
    assert prepayment_ops.credit_balance(prepayment) == Decimal("15.00")
    assert prepayment_ops.debt_outstanding(prepayment) == Decimal("45.00")
    assert len(vend.reference) == 20
    assert vend.reference.isdigit()
    assert top_ups.printed_reference(vend.reference).count(" ") == 4
    command = vend.command
    assert command is not None
    assert (command.kind, command.status) == (SmartMeterCommand.Kind.ADD_CREDIT, SmartMeterCommand.Status.CONFIRMED)
    sent = json.loads((settings.HEARTH_SMART_METER_DIR / "outbox" / f"{command.reference}.json").read_text())
    assert sent["payload"] == {
        "vend_reference": vend.reference,
        "amount": "20.00",
        "emergency_repaid": "0.00",
        "debt_recovered": "5.00",
        "credit": "15.00",
    }
    assert AuditEvent.objects.filter(action="prepayment.topped_up").count() == 1


def test_the_weekly_cap_counts_monday_to_sunday_in_uk_time(db):
    """Cap £6 a week at 50 %: Sunday 23:30 £10 takes £5; Sunday 23:59 £10 takes the £1 left of the cap; Monday 00:00
    is a new week, so £10 takes £5 again."""
    prepayment = on_prepayment(percent="50", weekly_cap="6.00", debt="100.00")
    taken = [
        top_ups.top_up(prepayment=prepayment, amount=Decimal("10.00"), channel="CARE", now=moment).debt_recovered
        for moment in (at(SUNDAY, 23, 30), at(SUNDAY, 23, 59), at(MONDAY, 0, 0))
    ]
    assert taken == [Decimal("5.00"), Decimal("1.00"), Decimal("5.00")]
    assert top_ups.recovered_in_week(prepayment, at(MONDAY, 12)) == Decimal("5.00")


def test_the_weekly_cap_week_follows_uk_time_across_the_clock_change(db):
    """Sunday 25 October 2026 the clocks go back: 23:30 that Sunday UK time is 23:30 UTC, still in the week of
    Monday 19 October; Monday 26 October 00:10 UK time starts the next week."""
    prepayment = on_prepayment(percent="50", weekly_cap="3.00", debt="100.00")
    sunday_night = top_ups.top_up(
        prepayment=prepayment, amount=Decimal("10.00"), channel="CARE", now=at(date(2026, 10, 25), 23, 30)
    )
    monday = top_ups.top_up(
        prepayment=prepayment, amount=Decimal("10.00"), channel="CARE", now=at(date(2026, 10, 26), 0, 10)
    )
    assert (sunday_night.debt_recovered, monday.debt_recovered) == (Decimal("3.00"), Decimal("3.00"))


def test_emergency_credit_is_lent_when_credit_is_low_and_repaid_first_from_a_smaller_top_up(db):
    """£10 emergency credit on an empty meter; a £5 top-up repays £5 of it and nothing goes to the £30 debt."""
    prepayment = on_prepayment(percent="25", debt="30.00")
    assert top_ups.take_emergency_credit(prepayment=prepayment, now=at(MONDAY, 9)) == Decimal("10.00")
    with pytest.raises(top_ups.TopUpRefused, match="in use"):
        top_ups.take_emergency_credit(prepayment=prepayment, now=at(MONDAY, 9, 5))

    vend = top_ups.top_up(prepayment=prepayment, amount=Decimal("5.00"), channel="CARE", now=at(MONDAY, 10))

    assert (vend.emergency_repaid, vend.debt_recovered, vend.credited) == (Decimal("5.00"), Decimal("0"), Decimal("0"))
    assert top_ups.emergency_credit_owed(prepayment) == Decimal("5.00")
    assert prepayment_ops.debt_outstanding(prepayment) == Decimal("30.00")
    assert prepayment_ops.credit_balance(prepayment) == Decimal("10.00")  # the £10 lent is still on the meter


def test_emergency_credit_waits_until_credit_is_below_one_pound(db):
    prepayment = on_prepayment()
    top_ups.top_up(prepayment=prepayment, amount=Decimal("1.00"), channel="CARE", now=at(MONDAY, 9))
    with pytest.raises(top_ups.TopUpRefused, match=r"below £1\.00"):
        top_ups.take_emergency_credit(prepayment=prepayment, now=at(MONDAY, 10))


def test_friendly_hours_use_is_covered_before_debt_recovery(db):
    """Credit ran out and £2.40 was used in friendly hours (credit -£2.40); £10 at 25 % covers it first, then takes
    25 % of the £7.60 left (£1.90) towards the debt; credit after: £10 - £1.90 - £2.40 = £5.70."""
    prepayment = on_prepayment(percent="25", debt="40.00")
    CreditEntry.objects.create(
        prepayment=prepayment, kind="ENERGY", amount=Decimal("-2.40"), posted_at=at(MONDAY, 1), description="used"
    )
    vend = top_ups.top_up(prepayment=prepayment, amount=Decimal("10.00"), channel="CARE", now=at(MONDAY, 9))
    assert vend.debt_recovered == Decimal("1.90")
    assert prepayment_ops.credit_balance(prepayment) == Decimal("5.70")


def test_the_same_payment_reference_tops_up_once(db):
    prepayment = on_prepayment()
    first = top_ups.top_up(
        prepayment=prepayment, amount=Decimal("15.00"), channel="PAYPOINT", now=at(MONDAY, 9), external_reference="PP1"
    )
    again = top_ups.top_up(
        prepayment=prepayment, amount=Decimal("15.00"), channel="PAYPOINT", now=at(MONDAY, 9), external_reference="PP1"
    )
    assert again.pk == first.pk
    assert prepayment_ops.credit_balance(prepayment) == Decimal("15.00")


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "10.005"])
def test_a_top_up_must_be_a_positive_amount_in_pence(db, amount):
    prepayment = on_prepayment()
    with pytest.raises(top_ups.TopUpRefused, match="positive amount"):
        top_ups.top_up(prepayment=prepayment, amount=Decimal(amount), channel="CARE", now=at(MONDAY, 9))
    assert not Vend.objects.exists()


def test_a_prepayment_that_has_ended_takes_no_top_up(db):
    prepayment = on_prepayment()
    prepayment_ops.end_prepayment(prepayment=prepayment, day=MONDAY, reason="test", now=at(SUNDAY, 9))
    with pytest.raises(top_ups.TopUpRefused, match="stopped being prepayment"):
        top_ups.top_up(prepayment=prepayment, amount=Decimal("5.00"), channel="CARE", now=at(MONDAY, 9))
    command = SmartMeterCommand.objects.get(kind=SmartMeterCommand.Kind.SWITCH_TO_CREDIT)
    assert (command.not_before, command.status) == (MONDAY, SmartMeterCommand.Status.WAITING)
