"""Joining the register (T&C 20.4): consent first, health details sealed at rest and read only by the roles that need
them, every reading audited and never logged; temporary needs end on their last day; meter moves free (11.1.3)."""

import logging
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from hearth.common import sealed
from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import User
from hearth.data.priority.models import Registration
from hearth.domain.identity import operations as identity_ops
from hearth.domain.priority import operations as priority_ops
from hearth.domain.priority import queries as priority
from tests.integration.priority.support import HEALTH_TEXT, NOW, VISIT_PASSWORD, register

pytestmark = pytest.mark.django_db


def _staff(email: str, role: str) -> User:
    device = identity_ops.create_staff_login(
        email=email, full_name="Pat Staff", password="Console4Priority9", now=NOW, care_role=role
    )
    return device.user


def test_no_registration_without_the_customers_consent(household):
    with pytest.raises(priority_ops.RegistrationRefused, match="must agree") as refused:
        priority_ops.register(
            customer=household.customer,
            needs=["14"],
            needs_until={},
            consent=False,
            share_consent=True,
            consent_note="",
            health_details=HEALTH_TEXT,
            visit_password=None,
            source=Registration.Source.PORTAL,
            actor=None,
            now=NOW,
        )
    assert refused.value.field == "consent"
    assert not Registration.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="priority.").exists()


def test_a_business_cannot_join_the_domestic_register(business):
    with pytest.raises(priority_ops.RegistrationRefused, match="households, not businesses"):
        register(business.customer, ["14"])


def test_consent_to_share_is_recorded_apart_from_consent_to_register(household):
    kept = register(household.customer, ["14"], share=False)
    assert (kept.consent_at, kept.share_consent_at) == (NOW, None)
    shared = register(household.customer, ["14"], share=True)
    assert shared.share_consent_at == NOW


def test_health_details_and_the_visit_password_are_sealed_at_rest(household):
    made = register(household.customer, ["03"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT health_details_sealed, visit_password_sealed FROM priority_registration WHERE id = %s", [made.pk]
        )
        raw_health, raw_password = cursor.fetchone()
    assert HEALTH_TEXT not in raw_health
    assert "dialysis" not in raw_health
    assert VISIT_PASSWORD not in raw_password
    assert sealed.unseal(raw_health, keys=settings.HEARTH_HEALTH_DETAILS_KEYS) == HEALTH_TEXT
    with pytest.raises(sealed.SealBroken):
        sealed.unseal(raw_health, keys=settings.HEARTH_BANK_DETAILS_KEYS)  # its own keys, not the bank details'


def test_a_change_ends_the_open_registration_and_keeps_the_sealed_details_when_none_are_given(household):
    first = register(household.customer, ["03"])
    second = register(household.customer, ["03", "14"], health=None)
    first.refresh_from_db()
    assert first.ended_at == NOW
    assert first.end_reason == "Replaced by a new registration"
    assert second.needs == ["03", "14"]
    assert second.health_details_sealed == first.health_details_sealed


def test_a_care_agent_cannot_read_health_details_and_nothing_is_recorded(household):
    made = register(household.customer, ["03"])
    agent = _staff("agent@supplier.example", User.CareRole.AGENT)
    before = AuditEvent.objects.count()
    with pytest.raises(priority_ops.HealthDetailsWithheld):
        priority_ops.read_health_details(registration=made, reader=agent, now=NOW)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("role", [User.CareRole.VULNERABILITY, User.CareRole.SUPERVISOR])
def test_the_vulnerability_team_and_supervisors_read_them_and_each_reading_is_audited(household, role, caplog):
    made = register(household.customer, ["03"])
    reader = _staff("reader@supplier.example", role)
    with caplog.at_level(logging.DEBUG):
        opened = priority_ops.read_health_details(registration=made, reader=reader, now=NOW)
    assert (opened.health_details, opened.visit_password) == (HEALTH_TEXT, VISIT_PASSWORD)
    [read] = AuditEvent.objects.filter(action="priority.health_details_read")
    assert (read.actor, read.at, read.customer_id, read.subject) == (
        reader,
        NOW,
        household.customer.pk,
        f"Priority Services registration {made.pk}",
    )
    assert HEALTH_TEXT not in caplog.text
    assert VISIT_PASSWORD not in caplog.text


def test_no_audit_event_holds_the_health_details_or_the_password(household):
    register(household.customer, ["03"])
    register(household.customer, ["03", "22"], health="Now also diabetic")
    for event in AuditEvent.objects.filter(action__startswith="priority."):
        text = f"{event.subject} {event.before} {event.after}"
        assert "dialysis" not in text
        assert "diabetic" not in text
        assert VISIT_PASSWORD not in text
    assert AuditEvent.objects.filter(action="priority.registered").count() == 2
    assert AuditEvent.objects.filter(action="priority.ended").count() == 1


def test_a_temporary_need_must_have_its_last_day(household):
    with pytest.raises(priority_ops.RegistrationRefused, match="last day") as refused:
        register(household.customer, ["33"])
    assert refused.value.field == "needs_until"
    with pytest.raises(priority_ops.RegistrationRefused, match="not temporary"):
        register(household.customer, ["14"], until={"14": date(2027, 1, 1)})
    with pytest.raises(priority_ops.RegistrationRefused, match="already passed"):
        register(household.customer, ["33"], until={"33": date(2026, 12, 6)})


def test_a_temporary_need_protects_up_to_and_including_its_last_day(household):
    """Post-hospital recovery (33) to Sunday 28 February 2027: still in force that day, gone on Monday 1 March."""
    register(household.customer, ["33"], until={"33": date(2027, 2, 28)})
    on_last_day = priority.protections(household.customer, date(2027, 2, 28))
    assert on_last_day.needs == ("33",)
    assert on_last_day.no_forced_prepayment
    assert on_last_day.disconnection_barred_on(date(2027, 2, 28))
    after = priority.protections(household.customer, date(2027, 3, 1))
    assert after.on_register
    assert after.needs == ()
    assert not after.no_forced_prepayment
    assert not after.disconnection_barred_on(date(2027, 3, 1))


def test_an_unknown_code_is_refused(household):
    with pytest.raises(priority_ops.RegistrationRefused, match="Unknown needs code 07"):
        register(household.customer, ["07"])


def test_ending_needs_a_reason_and_a_registration(household):
    with pytest.raises(priority_ops.RegistrationRefused, match="not on the Priority Services Register"):
        priority_ops.end_registration(customer=household.customer, reason="Moved away", actor=None, now=NOW)
    register(household.customer, ["14"])
    with pytest.raises(priority_ops.RegistrationRefused, match="Say why"):
        priority_ops.end_registration(customer=household.customer, reason="  ", actor=None, now=NOW)
    ended = priority_ops.end_registration(customer=household.customer, reason="Asked to leave", actor=None, now=NOW)
    assert (ended.ended_at, ended.end_reason) == (NOW, "Asked to leave")
    assert priority.current_registration(household.customer) is None


def test_moving_a_meter_is_free_for_a_household_with_a_need_in_force(household, business):
    """T&C 11.1.3: free when we must move it for a vulnerability; charged otherwise, and for businesses."""
    assert not priority.meter_move_is_free(household.customer, date(2026, 12, 7))
    register(household.customer, ["15", "33"], until={"33": date(2026, 12, 20)})
    assert priority.meter_move_is_free(household.customer, date(2026, 12, 7))
    assert not priority.meter_move_is_free(business.customer, date(2026, 12, 7))


def test_a_meter_move_is_charged_again_once_the_only_need_has_ended(household):
    register(household.customer, ["33"], until={"33": date(2026, 12, 20)})
    assert priority.meter_move_is_free(household.customer, date(2026, 12, 20))
    assert not priority.meter_move_is_free(household.customer, date(2026, 12, 21))
