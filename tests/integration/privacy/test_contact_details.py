"""Contact details (T&C 3.3): changed at once and audited before → after; a new e-mail address only through the
link sent to it — signed, one use, expiring, for a holder of the customer's accounts — and the old address told."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from hearth.data.audit.models import AuditEvent
from hearth.data.privacy.models import EmailChange
from hearth.domain.privacy import contact
from tests.integration.conftest import PASSWORD, sign_in


def _token_from_mail() -> str:
    match = re.search(r"/services/my-details/email/confirm/([^/\s]+)/", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_my_details_saves_the_name_phones_and_address_and_audits_before_and_after(client, household, customer_login):
    assert sign_in(client, customer_login.email, PASSWORD).status_code == 302
    response = client.post(
        "/services/my-details/",
        {
            "action": "details",
            "name": "Alex Rowan-Smith",
            "contact_phone": "0113 496 0000",
            "mobile_phone": "07700 900123",
            "correspondence_line_1": "Flat 2, 9 Mill Lane",
            "correspondence_line_2": "",
            "correspondence_town": "Leeds",
            "correspondence_postcode": "ls2 7hy",
        },
    )
    assert response.status_code == 302
    customer = household.customer
    old_name = customer.name
    customer.refresh_from_db()
    assert (customer.name, customer.mobile_phone, customer.correspondence_postcode) == (
        "Alex Rowan-Smith",
        "07700 900123",
        "LS2 7HY",
    )
    event = AuditEvent.objects.get(action="privacy.contact_details_changed")
    assert event.before["name"] == old_name
    assert event.after["name"] == "Alex Rowan-Smith"
    assert event.actor == customer_login


def test_an_address_without_a_town_is_refused_beside_the_field(client, household, customer_login):
    sign_in(client, customer_login.email, PASSWORD)
    response = client.post(
        "/services/my-details/",
        {"action": "details", "name": "A", "correspondence_line_1": "9 Mill Lane", "correspondence_postcode": "X"},
    )
    assert response.status_code == 400
    assert b"Enter a real postcode" in response.content
    assert not AuditEvent.objects.filter(action="privacy.contact_details_changed").exists()


@pytest.fixture
def change(client, household, customer_login):
    sign_in(client, customer_login.email, PASSWORD)
    household.customer.contact_email = "old@home.example"
    household.customer.save()
    response = client.post("/services/my-details/", {"action": "email", "new_email": "New@Home.example"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new@home.example"]
    return _token_from_mail()


def test_the_new_address_is_used_only_after_its_link_is_followed_and_the_old_one_is_told(client, household, change):
    household.customer.refresh_from_db()
    assert household.customer.contact_email == "old@home.example"
    assert client.get(f"/services/my-details/email/confirm/{change}/").status_code == 200  # a button, not the change
    household.customer.refresh_from_db()
    assert household.customer.contact_email == "old@home.example"
    assert client.post(f"/services/my-details/email/confirm/{change}/").status_code == 302
    household.customer.refresh_from_db()
    assert household.customer.contact_email == "new@home.example"
    assert mail.outbox[-1].to == ["old@home.example"]
    assert "was changed" in mail.outbox[-1].subject
    event = AuditEvent.objects.get(action="privacy.contact_email_changed")
    assert (event.before, event.after) == ({"contact_email": "old@home.example"}, {"contact_email": "new@home.example"})


def test_a_link_works_once(client, household, change):
    assert client.post(f"/services/my-details/email/confirm/{change}/").status_code == 302
    household.customer.contact_email = "put-back@home.example"
    household.customer.save()
    response = client.post(f"/services/my-details/email/confirm/{change}/")
    assert response.status_code == 400
    assert b"does not work" in response.content
    household.customer.refresh_from_db()
    assert household.customer.contact_email == "put-back@home.example"


def test_a_link_expires_after_a_day(household, customer_login, change):
    made = EmailChange.objects.get()
    assert made.expires_at - made.requested_at == timedelta(hours=24)
    with pytest.raises(contact.ChangeRefused):
        contact.confirm_email_change(token=change, user=customer_login, now=made.expires_at)
    household.customer.refresh_from_db()
    assert household.customer.contact_email == "old@home.example"


def test_a_link_works_until_its_last_second(household, customer_login, change):
    made = EmailChange.objects.get()
    contact.confirm_email_change(token=change, user=customer_login, now=made.expires_at - timedelta(seconds=1))
    household.customer.refresh_from_db()
    assert household.customer.contact_email == "new@home.example"


def test_another_customers_login_cannot_use_the_link(client, build, household, change):
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter="CREDIT",
        gas_meter="CREDIT",
    )
    build.activated_login("oscar@other.example", other.electricity)
    client.logout()
    sign_in(client, "oscar@other.example", PASSWORD)
    response = client.post(f"/services/my-details/email/confirm/{change}/")
    assert response.status_code == 400
    assert b"does not work" in response.content
    household.customer.refresh_from_db()
    assert household.customer.contact_email == "old@home.example"
    assert EmailChange.objects.get().status == EmailChange.Status.PENDING


def test_an_altered_or_superseded_link_does_not_work(client, household, change):
    assert client.post(f"/services/my-details/email/confirm/{change}x/").status_code == 400
    client.post("/services/my-details/", {"action": "email", "new_email": "third@home.example"})
    assert client.post(f"/services/my-details/email/confirm/{change}/").status_code == 400
    assert client.post(f"/services/my-details/email/confirm/{_token_from_mail()}/").status_code == 302
    household.customer.refresh_from_db()
    assert household.customer.contact_email == "third@home.example"


def test_a_viewer_cannot_change_the_details(client, build, household):
    build.activated_login("viewer@home.example", household.electricity, role="VIEWER")
    sign_in(client, "viewer@home.example", PASSWORD)
    assert client.post("/services/my-details/", {"action": "details", "name": "Mallory"}).status_code == 403
