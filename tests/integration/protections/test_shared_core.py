"""The shared core of ADR 0014: smart-meter commands wait for their day, the only way onto prepayment keeps its
notice and the register's protections, and the register's protections are read for the day asked."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings

from hearth.data.accounts.models import Customer
from hearth.data.documents.models import Document, DocumentType
from hearth.data.metering.models import SmartMeterCommand
from hearth.data.prepayment.models import CreditEntry, MeterDebt, Prepayment
from hearth.data.priority.models import Registration
from hearth.domain.metering import smart_meters
from hearth.domain.prepayment import operations as prepayment
from hearth.domain.priority import queries as priority

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def _register(customer: Customer, needs: list[str], *, at: datetime = NOW) -> Registration:
    return Registration.objects.create(
        customer=customer, needs=needs, source=Registration.Source.CARE, consent_at=at, registered_at=at
    )


def test_a_command_waits_for_its_day_then_is_sent_once(household) -> None:
    command = smart_meters.request_command(
        meter=household.electricity_meter,
        kind=SmartMeterCommand.Kind.SWITCH_TO_PREPAYMENT,
        reason="debt",
        not_before=date(2026, 12, 9),
        now=NOW,
    )
    assert command.status == SmartMeterCommand.Status.WAITING
    assert smart_meters.send_due_commands(today=date(2026, 12, 8), now=NOW) == []

    [sent] = smart_meters.send_due_commands(today=date(2026, 12, 9), now=NOW)
    assert sent.pk == command.pk
    assert smart_meters.send_due_commands(today=date(2026, 12, 9), now=NOW) == []
    command.refresh_from_db()
    assert command.status == SmartMeterCommand.Status.CONFIRMED
    written = json.loads((settings.HEARTH_SMART_METER_DIR / "outbox" / f"{command.reference}.json").read_text())
    assert written["kind"] == "SWITCH_TO_PREPAYMENT"
    assert written["meter_serial"] == household.electricity_meter.serial_number


def test_a_meter_that_is_not_smart_refuses_commands(household) -> None:
    with pytest.raises(smart_meters.CommandRefused, match="not a smart meter"):
        smart_meters.request_command(
            meter=household.gas_meter, kind="SWITCH_TO_PREPAYMENT", reason="x", not_before=date(2026, 12, 7), now=NOW
        )


def test_a_failed_command_is_kept_with_its_reason(household, monkeypatch) -> None:
    def refuse(self, command, *, now):
        raise smart_meters.SmartMeterUnavailable("DCC timeout after 30 s")

    monkeypatch.setattr(smart_meters.FileSmartMeter, "send", refuse)
    command = smart_meters.request_command(
        meter=household.electricity_meter, kind="ADD_CREDIT", reason="x", not_before=date(2026, 12, 7), now=NOW
    )
    assert (command.status, command.outcome) == (SmartMeterCommand.Status.FAILED, "DCC timeout after 30 s")


def test_winter_protection_covers_1_october_to_31_march(household) -> None:
    _register(household.customer, ["14"], at=datetime(2026, 1, 1, tzinfo=UTC))  # pensionable age
    held = priority.protections(household.customer, date(2026, 9, 30))
    assert held.protected_in_winter
    assert not held.disconnection_barred_on(date(2026, 9, 30))
    assert held.disconnection_barred_on(date(2026, 10, 1))
    assert held.disconnection_barred_on(date(2027, 3, 31))
    assert not held.disconnection_barred_on(date(2027, 4, 1))


def test_protections_are_read_for_the_day_asked(household) -> None:
    _register(household.customer, ["02"], at=datetime(2026, 12, 7, 12, tzinfo=UTC))
    assert not priority.protections(household.customer, date(2026, 12, 6)).on_register
    assert priority.protections(household.customer, date(2026, 12, 7)).no_forced_prepayment


def test_businesses_have_no_domestic_protections(business) -> None:
    _register(business.customer, ["02"])
    assert priority.protections(business.customer, date(2026, 12, 7)) == priority.NONE


def _notice(account) -> Document:
    return Document.objects.create(
        account=account,
        document_type=DocumentType.objects.all()[0],
        reference="NOTICE-1",
        issued_at=NOW,
        issue_date=NOW.date(),
        file="notice.pdf",
        sha256="0" * 64,
        size_bytes=1,
        page_count=1,
    )


def test_forced_prepayment_needs_a_notice(household) -> None:
    with pytest.raises(prepayment.PrepaymentRefused, match="must be given notice"):
        prepayment.start_prepayment(
            account=household.electricity, day=date(2027, 3, 1), reason=Prepayment.Reason.DEBT, now=NOW
        )


@pytest.mark.parametrize(("day", "allowed"), [(date(2027, 1, 17), False), (date(2027, 1, 18), True)])
def test_forced_prepayment_starts_42_days_after_deemed_delivery(household, day: date, allowed: bool) -> None:
    """Deemed delivered Monday 7 December 2026: 42 days later is Monday 18 January 2027 (by hand: 24 days to the end
    of December, 18 in January)."""
    attempt = {
        "account": household.electricity,
        "day": day,
        "reason": Prepayment.Reason.DEBT,
        "now": NOW,
        "notice": _notice(household.electricity),
        "notice_deemed_delivered": date(2026, 12, 7),
    }
    if allowed:
        assert prepayment.start_prepayment(**attempt).started_on == day
    else:
        with pytest.raises(prepayment.PrepaymentRefused, match="18 January 2027"):
            prepayment.start_prepayment(**attempt)


def test_a_household_needing_power_for_medical_equipment_is_never_forced_onto_prepayment(household) -> None:
    _register(household.customer, ["02"])
    with pytest.raises(prepayment.PrepaymentRefused, match="Priority Services"):
        prepayment.start_prepayment(
            account=household.electricity, day=date(2027, 3, 1), reason=Prepayment.Reason.DEBT, now=NOW
        )


def test_a_chosen_prepayment_switches_the_smart_meter_and_debts_are_recovered_from_credit(household) -> None:
    started = prepayment.start_prepayment(
        account=household.electricity, day=date(2026, 12, 7), reason=Prepayment.Reason.CHOSEN, now=NOW
    )
    [command] = SmartMeterCommand.objects.filter(meter=household.electricity_meter)
    assert (command.kind, command.status) == ("SWITCH_TO_PREPAYMENT", "CONFIRMED")
    with pytest.raises(prepayment.PrepaymentRefused, match="already paid by prepayment"):
        prepayment.start_prepayment(
            account=household.electricity, day=date(2026, 12, 7), reason=Prepayment.Reason.CHOSEN, now=NOW
        )

    prepayment.add_meter_debt(
        prepayment=started,
        kind=MeterDebt.Kind.FALSE_GAS_EMERGENCY,
        amount=Decimal("70.00"),
        description="Engineer's visit",
        reason="No gas escape found",
        now=NOW,
    )
    CreditEntry.objects.create(
        prepayment=started, kind="TOP_UP", amount=Decimal("20.00"), posted_at=NOW, description="x"
    )
    CreditEntry.objects.create(
        prepayment=started, kind="DEBT_RECOVERY", amount=Decimal("-2.00"), posted_at=NOW, description="x"
    )
    assert prepayment.credit_balance(started) == Decimal("18.00")
    assert prepayment.debt_outstanding(started) == Decimal("68.00")
    with pytest.raises(prepayment.PrepaymentRefused, match="positive amount in pence"):
        prepayment.add_meter_debt(
            prepayment=started, kind="OTHER", amount=Decimal("0.001"), description="x", reason="x", now=NOW
        )
