"""Moving into a home with a prepayment meter (9.6), and switching a smart meter between credit and prepayment mode
at the customer's request, always after notice (7.6.2). Notice days are worked out by hand on the 2026 calendar."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hearth.data.documents.models import Document
from hearth.data.metering.models import Meter, SmartMeterCommand
from hearth.data.prepayment.models import MeterDebt, Prepayment
from hearth.data.tariffs.models import PaymentMethod
from hearth.domain.contracts import moves
from hearth.domain.metering import smart_meters
from hearth.domain.prepayment import modes
from hearth.domain.prepayment import operations as prepayment_ops
from tests.integration.contracts.move_support import at, household, point_of, product_tariff
from tests.integration.prepayment.support import at as uk_at
from tests.integration.prepayment.support import smart_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("asked", "switches"),
    [
        # Monday 7 December: posted that day, deemed delivered Wednesday 9th (two working days), switch 7 days later
        (date(2026, 12, 7), date(2026, 12, 16)),
        # Wednesday 23 December: deemed delivered after Thursday 24th and Tuesday 29th (25th and 28th are bank
        # holidays, 26th and 27th a weekend), so Tuesday 29th; switch Tuesday 5 January
        (date(2026, 12, 23), date(2027, 1, 5)),
        # Saturday 26 December: posted Tuesday 29th, deemed delivered Thursday 31st; switch Thursday 7 January
        (date(2026, 12, 26), date(2027, 1, 7)),
    ],
)
def test_a_mode_switch_takes_effect_seven_days_after_the_notice_is_deemed_delivered(asked, switches):
    assert modes.switch_day(asked) == switches


def test_switching_to_prepayment_on_request_sends_the_notice_and_waits_for_its_day():
    account = smart_account(number="7100000021", start=date(2026, 10, 1))
    prepayment = modes.switch_to_prepayment(account=account, now=uk_at(date(2026, 12, 7), 11), actor=None)

    assert (prepayment.reason, prepayment.started_on) == (Prepayment.Reason.CHOSEN, date(2026, 12, 16))
    notice = prepayment.notice
    assert notice is not None
    assert (notice.document_type.code, notice.account_id) == ("METER_MODE_NOTICE", account.pk)
    command = SmartMeterCommand.objects.get()
    assert (command.kind, command.status, command.not_before) == (
        SmartMeterCommand.Kind.SWITCH_TO_PREPAYMENT,
        SmartMeterCommand.Status.WAITING,
        date(2026, 12, 16),
    )
    assert smart_meters.send_due_commands(today=date(2026, 12, 15), now=uk_at(date(2026, 12, 15), 6)) == []
    assert len(smart_meters.send_due_commands(today=date(2026, 12, 16), now=uk_at(date(2026, 12, 16), 6))) == 1


def test_switching_back_to_credit_ends_the_prepayment_on_its_day_with_a_notice():
    account = smart_account(number="7100000022", start=date(2026, 10, 1))
    prepayment = prepayment_ops.start_prepayment(
        account=account, day=date(2026, 10, 1), reason=Prepayment.Reason.CHOSEN, now=uk_at(date(2026, 10, 1), 9)
    )
    ended = modes.switch_to_credit(prepayment=prepayment, now=uk_at(date(2026, 12, 7), 11), actor=None)

    assert ended.ended_on == date(2026, 12, 16)
    assert Document.objects.filter(document_type__code="METER_MODE_NOTICE", account=account).count() == 1
    waiting = SmartMeterCommand.objects.get(kind=SmartMeterCommand.Kind.SWITCH_TO_CREDIT)
    assert waiting.not_before == date(2026, 12, 16)


def test_a_prepayment_for_debt_is_not_switched_back_on_request():
    account = smart_account(number="7100000023", start=date(2026, 10, 1))
    prepayment = Prepayment.objects.create(
        account=account,
        supply_point=point_of(account),
        reason=Prepayment.Reason.DEBT,
        started_on=date(2026, 11, 20),
        created_at=uk_at(date(2026, 11, 20), 9),
    )
    with pytest.raises(prepayment_ops.PrepaymentRefused, match="debt path decides"):
        modes.switch_to_credit(prepayment=prepayment, now=uk_at(date(2026, 12, 7), 11), actor=None)
    assert not Document.objects.exists()


def test_a_meter_that_is_not_smart_is_not_switched_by_request():
    credit_svt = product_tariff(code="HOME-SVT", standard_variable=True, payment_method=PaymentMethod.STANDARD_CREDIT)
    account, _, _ = household(credit_svt, supply_start=date(2026, 6, 1), payment_method="STANDARD_CREDIT")
    with pytest.raises(prepayment_ops.PrepaymentRefused, match="no smart meter"):
        modes.switch_to_prepayment(account=account, now=uk_at(date(2026, 12, 7), 11), actor=None)


@pytest.mark.parametrize("meter_kind", [Meter.Kind.SMART, Meter.Kind.PREPAYMENT])
def test_moving_into_a_home_with_a_prepayment_meter_starts_a_moved_in_prepayment_without_the_old_debt(meter_kind):
    product_tariff(code="HOME-SVT", standard_variable=True, payment_method=PaymentMethod.STANDARD_CREDIT)
    prepayment_svt = product_tariff(code="HOME-SVT", standard_variable=True, payment_method=PaymentMethod.PREPAYMENT)
    old_account, _, _ = household(
        prepayment_svt, supply_start=date(2026, 6, 1), meter_kind=meter_kind, payment_method="PREPAYMENT"
    )
    old = prepayment_ops.start_prepayment(
        account=old_account, day=date(2026, 6, 1), reason=Prepayment.Reason.CHOSEN, now=at(date(2026, 6, 1))
    )
    prepayment_ops.add_meter_debt(
        prepayment=old,
        kind=MeterDebt.Kind.ARREARS,
        amount=Decimal("120.00"),
        description="Arrears",
        reason="old occupier's arrears",
        now=at(date(2026, 7, 1)),
    )

    [deemed] = moves.record_move_in(
        points=[point_of(old_account)],
        occupier=moves.NewOccupier(name="Robin New"),
        move_in_date=date(2026, 12, 10),
        now=at(date(2026, 12, 11)),
        actor=None,
    )

    old.refresh_from_db()
    assert old.ended_on == date(2026, 12, 10)
    new = prepayment_ops.open_prepayment(deemed.account)
    assert new is not None
    assert (new.reason, new.started_on, new.supply_point_id) == (
        Prepayment.Reason.MOVED_IN,
        date(2026, 12, 10),
        old.supply_point_id,
    )
    assert prepayment_ops.debt_outstanding(new) == 0, "a new occupier never takes on the old occupier's debt"
    assert prepayment_ops.debt_outstanding(old) == Decimal("120.00")
    assert not SmartMeterCommand.objects.filter(kind=SmartMeterCommand.Kind.SWITCH_TO_CREDIT).exists()


def test_a_smart_meter_in_prepayment_mode_makes_the_new_occupier_pay_by_prepayment():
    credit_svt = product_tariff(code="HOME-SVT", standard_variable=True, payment_method=PaymentMethod.STANDARD_CREDIT)
    account, _, _ = household(
        credit_svt, supply_start=date(2026, 6, 1), meter_kind=Meter.Kind.SMART, payment_method="STANDARD_CREDIT"
    )
    point = point_of(account)
    assert moves.deemed_payment_method(point) == "STANDARD_CREDIT"
    prepayment_ops.start_prepayment(
        account=account, day=date(2026, 6, 1) + timedelta(days=30), reason="CHOSEN", now=at(date(2026, 7, 1))
    )
    assert moves.deemed_payment_method(point) == "PREPAYMENT"
