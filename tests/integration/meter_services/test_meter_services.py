"""Meter faults, accuracy tests, meter moves and engineer visits through their operations: what is charged, when,
and what is kept (T&C 7.3, 7.5, 11.1.1-11.1.3, 11.1.8). Dates are worked out by hand in the comments."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from hearth.data.audit.models import AuditEvent
from hearth.data.billing.models import AdditionalCharge
from hearth.data.documents.models import Document
from hearth.data.identity.models import User
from hearth.data.meter_services.models import AccuracyTest, Appointment, Channel, FaultReport
from hearth.data.priority.models import Registration
from hearth.domain.meter_services import operations as ops
from hearth.domain.meter_services import queries
from tests.integration.conftest import Builder, Site

BOOKED_AT = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
EASTER_VISIT = date(2027, 3, 30)  # Tuesday after Easter Monday: last free day Wednesday 24 March
MISSED = Decimal("70.00")


@pytest.fixture
def agent(build: Builder) -> User:
    return build.staff_login("casey@hearth.example", "Kettle4Lamp9Care")


def _test(site: Site, agent: User, *, fuel: str = "ELECTRICITY") -> AccuracyTest:
    account, meter = (site.electricity, site.electricity_meter) if fuel == "ELECTRICITY" else (site.gas, site.gas_meter)
    return ops.request_accuracy_test(
        account=account,
        meter=meter,
        reason="Bills look high",
        stated_price=queries.accuracy_test_price(),
        price_accepted=True,
        visit_date=EASTER_VISIT,
        slot=Appointment.Slot.MORNING,
        channel=Channel.CARE,
        actor=agent,
        now=BOOKED_AT,
    )


def _charges(site: Site, kind: str) -> list[AdditionalCharge]:
    return list(AdditionalCharge.objects.filter(account__customer=site.customer, kind=kind).order_by("id"))


@pytest.mark.parametrize(
    ("fuel", "error", "charged"),
    [
        ("ELECTRICITY", "2.50", True),
        ("ELECTRICITY", "2.51", False),
        ("ELECTRICITY", "-3.50", True),
        ("ELECTRICITY", "-3.51", False),
        ("GAS", "2.00", True),
        ("GAS", "2.01", False),
        ("GAS", "-2.00", True),
        ("GAS", "-2.01", False),
    ],
)
def test_accuracy_test_charged_only_within_tolerance(household: Site, agent: User, fuel, error, charged) -> None:
    test = _test(household, agent, fuel=fuel)
    done = ops.record_test_result(
        test=test,
        error_percent=error,
        tested_date=date(2027, 3, 30),
        actor=agent,
        now=datetime(2027, 3, 30, 15, tzinfo=UTC),
    )
    charges = _charges(household, AdditionalCharge.Kind.METER_ACCURACY_TEST)
    if charged:
        assert done.result == AccuracyTest.Result.ACCURATE
        assert [(c.amount, c.incurred_date, c.account.fuel) for c in charges] == [
            (Decimal("50.00"), date(2027, 3, 30), fuel)
        ]
        assert done.charge == charges[0]
        assert not done.rebill_required
    else:
        assert done.result == AccuracyTest.Result.INACCURATE
        assert charges == []
        assert done.rebill_required
        assert list(queries.awaiting_rebill()) == [done]


def test_accuracy_test_needs_the_price_accepted_as_it_was_shown(household: Site, agent: User, settings) -> None:
    asked: dict[str, Any] = {
        "account": household.electricity,
        "meter": household.electricity_meter,
        "reason": "",
        "visit_date": EASTER_VISIT,
        "slot": Appointment.Slot.MORNING,
        "channel": Channel.PORTAL,
        "actor": agent,
        "now": BOOKED_AT,
    }
    with pytest.raises(ops.MeterServiceRefused, match="Confirm that you accept"):
        ops.request_accuracy_test(stated_price=Decimal("50.00"), price_accepted=False, **asked)
    settings.HEARTH_METER_ACCURACY_TEST_PRICE = "55.00"  # the price changed after the customer saw £50
    with pytest.raises(ops.MeterServiceRefused, match=r"now £55.00 plus VAT \(£66.00\)"):
        ops.request_accuracy_test(stated_price=Decimal("50.00"), price_accepted=True, **asked)
    assert not AccuracyTest.objects.exists()
    assert not Appointment.objects.exists()


def test_an_inaccurate_meter_once_rebilled_leaves_the_queue(household: Site, agent: User) -> None:
    test = ops.record_test_result(
        test=_test(household, agent),
        error_percent="-4.00",
        tested_date=EASTER_VISIT,
        actor=agent,
        now=datetime(2027, 3, 30, 15, tzinfo=UTC),
    )
    ops.record_rebill_checked(
        test=test, note="Bills since June re-issued", actor=agent, now=datetime(2027, 4, 2, tzinfo=UTC)
    )
    assert list(queries.awaiting_rebill()) == []
    with pytest.raises(ops.MeterServiceRefused, match="no bills to check"):
        ops.record_rebill_checked(test=test, note="again", actor=agent, now=datetime(2027, 4, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("cancelled_at", "charged"),
    [
        (datetime(2027, 3, 24, 23, 30, tzinfo=UTC), False),  # 23:30 on Wed 24 March (GMT): the last free day
        (datetime(2027, 3, 25, 0, 5, tzinfo=UTC), True),  # five past midnight on Thu 25: one working day's notice
        (datetime(2027, 3, 29, 9, 0, tzinfo=UTC), True),  # Easter Monday
    ],
)
def test_missed_visit_charge_for_less_than_two_working_days_notice_over_easter(
    household: Site, agent: User, cancelled_at: datetime, charged: bool
) -> None:
    visit = _test(household, agent).visits.get()
    done = ops.cancel_visit(
        appointment=visit, by=Appointment.CancelledBy.CUSTOMER, accept_charge=True, actor=agent, now=cancelled_at
    )
    charges = _charges(household, AdditionalCharge.Kind.MISSED_APPOINTMENT)
    assert done.status == Appointment.Status.CANCELLED
    assert done.notice_in_time is not charged
    assert [c.amount for c in charges] == ([MISSED] if charged else [])


def test_a_late_cancellation_is_refused_until_the_charge_is_accepted(household: Site, agent: User) -> None:
    visit = _test(household, agent).visits.get()
    late = datetime(2027, 3, 25, 9, tzinfo=UTC)
    with pytest.raises(
        ops.MeterServiceRefused, match=r"Wednesday 24 March 2027.*£70.00 plus VAT \(£84.00\)"
    ) as refused:
        ops.cancel_visit(appointment=visit, by="CUSTOMER", accept_charge=False, actor=agent, now=late)
    assert refused.value.field == "accept_charge"
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.BOOKED
    assert _charges(household, AdditionalCharge.Kind.MISSED_APPOINTMENT) == []


def test_we_cancelling_late_costs_the_customer_nothing(household: Site, agent: User) -> None:
    visit = _test(household, agent).visits.get()
    ops.cancel_visit(
        appointment=visit, by="SUPPLIER", accept_charge=False, actor=agent, now=datetime(2027, 3, 29, tzinfo=UTC)
    )
    assert _charges(household, AdditionalCharge.Kind.MISSED_APPOINTMENT) == []


def test_a_scottish_bank_holiday_makes_a_monday_cancellation_late(build: Builder, household: Site, agent: User) -> None:
    # A visit on Wednesday 2 December 2026: Tue 1 Dec is the 1st working day before; St Andrew's Day (Mon 30 Nov,
    # Scotland) and the weekend are not working days, so Friday 27 November is the last free day.
    fault = ops.report_fault(
        account=household.gas,
        meter=household.gas_meter,
        kind="STOPPED",
        description="Dials not moving",
        channel=Channel.CARE,
        actor=agent,
        now=datetime(2026, 11, 16, 9, tzinfo=UTC),
    )
    visit = ops.book_visit(
        account=household.gas,
        purpose="REPAIR",
        visit_date=date(2026, 12, 2),
        slot="AFTERNOON",
        fault=fault,
        actor=agent,
        now=datetime(2026, 11, 16, 9, tzinfo=UTC),
    )
    moved = ops.rebook_visit(
        appointment=visit,
        visit_date=date(2026, 12, 9),
        slot="MORNING",
        by="CUSTOMER",
        accept_charge=True,
        actor=agent,
        now=datetime(2026, 11, 30, 9, tzinfo=UTC),
    )
    visit.refresh_from_db()
    assert (visit.status, visit.notice_in_time, visit.rebooked_as) == (Appointment.Status.REBOOKED, False, moved)
    assert [c.amount for c in _charges(household, AdditionalCharge.Kind.MISSED_APPOINTMENT)] == [MISSED]
    assert moved.fault == fault
    assert moved.status == Appointment.Status.BOOKED
    # Moved again on Friday 4 December for Wednesday 9: Mon 7 and Tue 8 are the two working days, so it is free.
    ops.rebook_visit(
        appointment=moved,
        visit_date=date(2026, 12, 10),
        slot="MORNING",
        by="CUSTOMER",
        accept_charge=False,
        actor=agent,
        now=datetime(2026, 12, 4, 9, tzinfo=UTC),
    )
    assert len(_charges(household, AdditionalCharge.Kind.MISSED_APPOINTMENT)) == 1


def test_no_one_at_home_is_charged_and_our_engineer_missing_is_not(household: Site, agent: User) -> None:
    visit = _test(household, agent).visits.get()
    with pytest.raises(ops.MeterServiceRefused, match="record it from then"):
        ops.record_visit(
            appointment=visit, outcome="CUSTOMER_ABSENT", actor=agent, now=datetime(2027, 3, 29, tzinfo=UTC)
        )
    ops.record_visit(
        appointment=visit, outcome="CUSTOMER_ABSENT", actor=agent, now=datetime(2027, 3, 30, 13, tzinfo=UTC)
    )
    [charge] = _charges(household, AdditionalCharge.Kind.MISSED_APPOINTMENT)
    assert (charge.amount, charge.incurred_date) == (MISSED, EASTER_VISIT)

    again = ops.book_visit(
        account=household.electricity,
        purpose="ACCURACY_TEST",
        visit_date=date(2027, 4, 6),
        slot="MORNING",
        accuracy_test=visit.accuracy_test,
        actor=agent,
        now=datetime(2027, 3, 30, 14, tzinfo=UTC),
    )
    ops.record_visit(
        appointment=again, outcome="ENGINEER_ABSENT", actor=agent, now=datetime(2027, 4, 6, 13, tzinfo=UTC)
    )
    assert len(_charges(household, AdditionalCharge.Kind.MISSED_APPOINTMENT)) == 1


def test_visits_are_booked_on_working_days_only(household: Site, agent: User) -> None:
    test = _test(household, agent)
    for day, message in [
        (date(2027, 3, 29), "working days"),  # Easter Monday
        (date(2027, 3, 1), "from tomorrow"),
        (date(2027, 6, 1), "within 90 days"),
    ]:
        with pytest.raises(ops.MeterServiceRefused, match=message):
            ops.book_visit(
                account=household.electricity,
                purpose="REPAIR",
                visit_date=day,
                slot="MORNING",
                accuracy_test=test,
                actor=agent,
                now=BOOKED_AT,
            )
    with pytest.raises(ops.MeterServiceRefused, match="already booked"):
        ops.book_visit(
            account=household.electricity,
            purpose="ACCURACY_TEST",
            visit_date=date(2027, 3, 31),
            slot="MORNING",
            accuracy_test=test,
            actor=agent,
            now=BOOKED_AT,
        )


def test_a_fault_is_charged_only_when_the_customer_is_responsible(household: Site, agent: User) -> None:
    now = datetime(2027, 3, 2, 9, tzinfo=UTC)
    kept: dict[str, Any] = {"channel": Channel.PORTAL, "actor": agent, "now": now}
    broken = ops.report_fault(
        account=household.gas, meter=household.gas_meter, kind="DAMAGE", description="Cracked", **kept
    )
    blank = ops.report_fault(
        account=household.electricity,
        meter=household.electricity_meter,
        kind="DISPLAY_BLANK",
        description="Blank",
        **kept,
    )
    with pytest.raises(ops.MeterServiceRefused, match="found responsible") as refused:
        ops.resolve_fault(
            fault=blank,
            outcome="REPLACED",
            customer_responsible=False,
            finding="Worn out",
            repair_cost=Decimal("120.00"),
            actor=agent,
            now=now,
        )
    assert refused.value.field == "repair_cost"
    ops.resolve_fault(
        fault=blank,
        outcome="REPLACED",
        customer_responsible=False,
        finding="Worn out",
        repair_cost=None,
        actor=agent,
        now=now,
    )
    ops.resolve_fault(
        fault=broken,
        outcome="REPAIRED",
        customer_responsible=True,
        finding="Hit by a bicycle",
        repair_cost=Decimal("85.50"),
        actor=agent,
        now=now,
    )
    [charge] = _charges(household, AdditionalCharge.Kind.METER_REPAIR)
    assert (charge.account, charge.amount) == (household.gas, Decimal("85.50"))
    assert FaultReport.objects.get(pk=broken.pk).charge == charge
    assert AuditEvent.objects.filter(action="meter_services.fault_resolved").count() == 2


def test_a_fault_on_someone_elses_meter_is_refused(household: Site, business: Site, agent: User) -> None:
    with pytest.raises(ops.MeterServiceRefused, match="meters on this account"):
        ops.report_fault(
            account=household.gas,
            meter=business.gas_meter,
            kind="FAULT",
            description="x",
            channel=Channel.CARE,
            actor=agent,
            now=BOOKED_AT,
        )


def test_a_meter_move_is_free_for_a_household_on_the_register(household: Site, business: Site, agent: User) -> None:
    asked = datetime(2027, 3, 2, 9, tzinfo=UTC)
    Registration.objects.create(
        customer=household.customer,
        needs=["07"],
        source=Registration.Source.CARE,
        consent_at=asked,
        registered_at=datetime(2027, 3, 1, tzinfo=UTC),
    )
    free = ops.request_meter_move(
        account=household.gas,
        meter=household.gas_meter,
        reason="Wheelchair user: meter out of reach",
        price=Decimal("150.00"),
        actor=agent,
        now=asked,
    )
    paid = ops.request_meter_move(
        account=business.gas,
        meter=business.gas_meter,
        reason="Refitting the kitchen",
        price=Decimal("150.00"),
        actor=agent,
        now=asked,
    )
    assert (free.for_vulnerability, paid.for_vulnerability) == (True, False)
    ops.complete_meter_move(
        move=free, completed_date=date(2027, 3, 10), actor=agent, now=datetime(2027, 3, 10, 16, tzinfo=UTC)
    )
    ops.complete_meter_move(
        move=paid, completed_date=date(2027, 3, 10), actor=agent, now=datetime(2027, 3, 10, 16, tzinfo=UTC)
    )
    assert _charges(household, AdditionalCharge.Kind.METER_MOVE) == []
    assert [c.amount for c in _charges(business, AdditionalCharge.Kind.METER_MOVE)] == [Decimal("150.00")]


def test_joining_the_register_before_the_move_is_done_makes_it_free(household: Site, agent: User) -> None:
    move = ops.request_meter_move(
        account=household.gas,
        meter=household.gas_meter,
        reason="Meter behind a bath",
        price=Decimal("150.00"),
        actor=agent,
        now=datetime(2027, 3, 2, 9, tzinfo=UTC),
    )
    Registration.objects.create(
        customer=household.customer,
        needs=["07"],
        source=Registration.Source.CARE,
        consent_at=datetime(2027, 3, 5, tzinfo=UTC),
        registered_at=datetime(2027, 3, 5, tzinfo=UTC),
    )
    done = ops.complete_meter_move(
        move=move, completed_date=date(2027, 3, 10), actor=agent, now=datetime(2027, 3, 10, 16, tzinfo=UTC)
    )
    assert done.for_vulnerability
    assert done.charge is None


def test_a_reminder_goes_once_on_the_third_working_day_before_the_visit(household: Site, agent: User) -> None:
    visit = _test(household, agent).visits.get()
    # Tuesday 30 March 2027: Thu 25 (1st), Wed 24 (2nd, the last free day), Tue 23 (3rd): the reminder's day.
    assert ops.reminders_due(date(2027, 3, 22)) == []
    assert ops.reminders_due(date(2027, 3, 23)) == [visit]
    ops.send_visit_reminder(appointment=visit, now=datetime(2027, 3, 23, 6, tzinfo=UTC))
    assert ops.reminders_due(date(2027, 3, 24)) == []
    visit.refresh_from_db()
    assert visit.reminder is not None
    assert visit.reminder.reference == f"MSV-{visit.pk}-REMINDER"
    assert Document.objects.filter(account=household.electricity, document_type__code=ops.LETTER_TYPE).count() == 2


def test_a_visit_booked_after_its_reminder_day_gets_only_its_confirmation(household: Site, agent: User) -> None:
    ops.request_accuracy_test(
        account=household.electricity,
        meter=household.electricity_meter,
        reason="",
        stated_price=queries.accuracy_test_price(),
        price_accepted=True,
        visit_date=EASTER_VISIT,
        slot=Appointment.Slot.AFTERNOON,
        channel=Channel.PORTAL,
        actor=agent,
        now=datetime(2027, 3, 23, 12, tzinfo=UTC),  # booked on the reminder day itself
    )
    assert ops.reminders_due(date(2027, 3, 24)) == []
