"""The register's pages: the customer joins in the portal; care registers on the customer's word; health details and
share files only for the vulnerability team and supervisors (ADR 0019)."""

import pytest
from django.utils import timezone

from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import AccountLink, User
from hearth.data.priority.models import NetworkShareFile, Registration
from hearth.domain.priority import network_share
from hearth.domain.scheduling import operations as scheduling_ops
from tests.integration.conftest import PASSWORD, sign_in
from tests.integration.documents.delivery_support import words
from tests.integration.priority.support import HEALTH_TEXT, NOW, VISIT_PASSWORD, register, staff

pytestmark = pytest.mark.django_db


def test_a_household_joins_in_the_portal_with_consent(signed_in, household):
    refused = signed_in.post("/services/priority-services/", {"needs": ["14", "26"], "health_details": HEALTH_TEXT})
    assert refused.status_code == 400
    assert "must agree to be on the Priority Services Register" in words(refused)
    assert not Registration.objects.exists()

    joined = signed_in.post(
        "/services/priority-services/",
        {"needs": ["14", "26"], "consent": "on", "share_consent": "on", "health_details": HEALTH_TEXT},
    )
    assert joined.status_code == 302
    made = Registration.objects.get(customer=household.customer)
    assert (made.needs, made.source, made.share_consent_at is not None) == (
        ["14", "26"],
        Registration.Source.PORTAL,
        True,
    )
    page = words(signed_in.get("/services/priority-services/"))
    assert "Pensionable age" in page
    assert "Oxygen use" in page
    assert "Held securely; only our vulnerability team can read them" in page
    assert HEALTH_TEXT not in page


def test_a_temporary_need_without_its_last_day_is_shown_beside_the_field(signed_in):
    response = signed_in.post("/services/priority-services/", {"needs": ["33"], "consent": "on"})
    assert response.status_code == 400
    assert 'id="id_needs_until_error"' in response.content.decode()
    assert "Give the last day of the temporary need" in words(response)


def test_a_viewer_cannot_register_the_household(client, build, household):
    build.activated_login("viewer@example.com", household.electricity, role=AccountLink.Role.VIEWER)
    assert sign_in(client, "viewer@example.com", PASSWORD).status_code == 302
    response = client.post("/services/priority-services/", {"needs": ["14"], "consent": "on"})
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_care_registers_on_the_customers_word_and_an_agent_sees_needs_but_not_health_details(household):
    agent, client = staff("agent@supplier.example", User.CareRole.AGENT)
    url = f"/care/customers/{household.customer.pk}/priority-services/"
    assert client.post(url, {"needs": ["03"], "health_details": HEALTH_TEXT}).status_code == 400
    response = client.post(
        url, {"needs": ["03"], "consent": "on", "health_details": HEALTH_TEXT, "visit_password": VISIT_PASSWORD}
    )
    assert response.status_code == 302
    made = Registration.objects.get(customer=household.customer)
    assert (made.source, made.recorded_by, made.share_consent_at) == (Registration.Source.CARE, agent, None)
    assert made.consent_note.startswith("To agent@supplier.example in care")

    page = client.get(url)
    text = words(page)
    assert "Dialysis, feeding pump and automated medication" in text
    assert "Only the vulnerability team and supervisors can read them" in text
    assert HEALTH_TEXT not in page.content.decode()
    assert VISIT_PASSWORD not in page.content.decode()
    before = AuditEvent.objects.count()
    health = client.get(f"{url}health-details/")
    assert health.status_code == 403
    assert HEALTH_TEXT.encode() not in health.content
    assert AuditEvent.objects.count() == before


def test_the_vulnerability_team_opens_health_details_and_the_opening_is_audited(household):
    register(household.customer, ["03"])
    reader, client = staff("vulnerability@supplier.example", User.CareRole.VULNERABILITY)
    url = f"/care/customers/{household.customer.pk}/priority-services/"
    assert "Show them" in words(client.get(url))
    response = client.get(f"{url}health-details/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert HEALTH_TEXT in words(response)
    assert VISIT_PASSWORD in words(response)
    [read] = AuditEvent.objects.filter(action="priority.health_details_read")
    assert (read.actor, read.customer_id) == (reader, household.customer.pk)


def _shared_file(household) -> NetworkShareFile:
    register(household.customer, ["03"])
    scheduling_ops.run_job(job=network_share.NETWORK_SHARE, day=NOW.date(), now=NOW, started_by="test")
    return NetworkShareFile.objects.get(distributor="23")


def test_share_files_are_hidden_from_care_agents(household):
    share_file = _shared_file(household)
    _agent, client = staff("agent@supplier.example", User.CareRole.AGENT)
    for url in ("/care/priority-services/network-shares/", f"/care/priority-services/network-shares/{share_file.pk}/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert share_file.name.encode() not in response.content
        assert b"Jo Bloggs" not in response.content


def test_a_supervisor_downloads_a_share_file_as_sent_and_the_download_is_audited(household):
    share_file = _shared_file(household)
    supervisor, client = staff("supervisor@supplier.example", User.CareRole.SUPERVISOR)
    assert share_file.name in words(client.get("/care/priority-services/network-shares/"))
    response = client.get(f"/care/priority-services/network-shares/{share_file.pk}/")
    assert response.status_code == 200
    assert response.content == network_share.file_bytes(share_file)
    assert response["Content-Disposition"] == f'attachment; filename="{share_file.name}"'
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(
        action="priority.share_file_read", actor=supervisor, subject=share_file.name
    ).exists()


def test_care_ends_a_registration_with_its_reason(household):
    register(household.customer, ["14"])
    _agent, client = staff("agent@supplier.example", User.CareRole.AGENT)
    url = f"/care/customers/{household.customer.pk}/priority-services/end/"
    client.post(url, {"reason": "Moved into a care home"})
    ended = Registration.objects.get(customer=household.customer)
    assert ended.ended_at is not None
    assert ended.ended_at <= timezone.now()
    assert ended.end_reason == "Moved into a care home"
