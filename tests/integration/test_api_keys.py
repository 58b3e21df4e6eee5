"""API keys: made and revoked in the portal, shown once, stored only hashed, used as the HTTP Basic user name."""

import base64
import hashlib
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import ApiKey, User
from hearth.data.metering.models import Meter
from hearth.domain.identity import api_keys
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in

KEY_SHAPE = re.compile(r'id="new-key" value="([A-Za-z0-9]{40})"')


def basic(key: str, password: str = "") -> dict[str, Any]:
    """The header an Octopus Energy API client sends: the key as user name, an empty password."""
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{key}:{password}".encode()).decode()}


def account_url(site: Site) -> str:
    return f"/api/v1/accounts/{site.electricity.number}/"


def make_key_in_portal(client: Client, name: str = "Home Assistant") -> str:
    response = client.post("/api-keys/", {"name": name})
    assert response.status_code == 200
    found = KEY_SHAPE.search(response.content.decode())
    assert found, "the new key is not on the page"
    return found.group(1)


def test_the_portal_menu_leads_to_the_api_keys_page(signed_in):
    dashboard = signed_in.get("/").content.decode()
    assert 'href="/api-keys/">API keys</a>' in dashboard
    page = signed_in.get("/api-keys/")
    assert page.status_code == 200
    assert "You have no API keys yet." in page.content.decode()


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(signed_in, customer_login):
    response = signed_in.post("/api-keys/", {"name": "Home Assistant"})
    found = KEY_SHAPE.search(response.content.decode())
    assert found
    plaintext = found.group(1)
    assert "no-store" in response["Cache-Control"]

    row = ApiKey.objects.get(user=customer_login)
    assert row.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert row.prefix == plaintext[:8]
    stored = [str(value) for value in ApiKey.objects.filter(pk=row.pk).values().get().values()]
    assert not any(plaintext in value for value in stored), "the key itself is in the database row"

    later = signed_in.get("/api-keys/").content.decode()
    assert plaintext not in later
    assert f"{plaintext[:8]}…" in later
    assert "Home Assistant" in later


def test_the_key_is_the_basic_user_name_with_an_empty_password(client, signed_in, household):
    key = make_key_in_portal(signed_in)
    signed_in.logout()
    response = client.get(account_url(household), **basic(key))
    assert response.status_code == 200
    assert response.json()["number"] == household.electricity.number


def test_a_key_works_without_the_portal_session(household, customer_login):
    _row, key = api_keys.create_api_key(user=customer_login, name="script", now=Builder.now())
    fresh = Client()  # no cookies at all
    assert fresh.get(account_url(household), **basic(key)).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"HTTP_AUTHORIZATION": "Basic !!!not-base64"}, id="garbled"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer abcdef"}, id="bearer"),
        pytest.param(basic(""), id="empty-key"),
        pytest.param(basic("A" * 40), id="unknown-key"),
        pytest.param(basic("\x00" * 40), id="nul-key"),
        pytest.param(basic("é" * 40), id="non-ascii-key"),
    ],
)
def test_a_missing_or_unknown_key_is_answered_401_with_a_basic_challenge(client, household, customer_login, headers):
    response = client.get(account_url(household), **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic realm=")
    assert household.electricity.number.encode() not in response.content


def test_a_key_with_a_known_prefix_but_wrong_rest_is_refused(client, household, customer_login):
    _row, key = api_keys.create_api_key(user=customer_login, name="app", now=Builder.now())
    forged = key[:8] + ("B" if key[8] != "B" else "C") + key[9:]
    assert client.get(account_url(household), **basic(forged)).status_code == 401
    assert client.get(account_url(household), **basic(key)).status_code == 200


def test_revoking_a_key_in_the_portal_stops_it_at_once(client, signed_in, household, customer_login):
    key = make_key_in_portal(signed_in)
    api_client = Client()
    assert api_client.get(account_url(household), **basic(key)).status_code == 200

    row = ApiKey.objects.get(user=customer_login)
    response = signed_in.post(f"/api-keys/{row.pk}/revoke/")
    assert response.status_code == 302
    page = signed_in.get("/api-keys/").content.decode()
    assert "is revoked: it no longer works" in page
    assert "Revoked" in page

    refused = api_client.get(account_url(household), **basic(key))
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Basic")


def test_another_login_cannot_revoke_my_key(client, build, household, customer_login):
    _row, key = api_keys.create_api_key(user=customer_login, name="mine", now=build.now())
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.CREDIT,
        gas_meter=Meter.Kind.CREDIT,
    )
    build.activated_login("oscar@other.example", other.electricity)
    assert sign_in(client, "oscar@other.example", PASSWORD).status_code == 302
    mine = ApiKey.objects.get(user=customer_login)
    assert client.post(f"/api-keys/{mine.pk}/revoke/").status_code == 404
    mine.refresh_from_db()
    assert mine.revoked_at is None
    assert Client().get(account_url(household), **basic(key)).status_code == 200


def test_making_and_revoking_keys_is_audited(signed_in, customer_login):
    make_key_in_portal(signed_in, "Energy dashboard")
    row = ApiKey.objects.get(user=customer_login)
    signed_in.post(f"/api-keys/{row.pk}/revoke/")
    events = list(AuditEvent.objects.filter(action__startswith="api_key.").order_by("at", "id"))
    assert [event.action for event in events] == ["api_key.created", "api_key.revoked"]
    assert all(event.actor == customer_login for event in events)
    assert all(row.prefix in event.subject and "Energy dashboard" in event.subject for event in events)
    assert events[1].after["revoked_at"]


def test_revoking_twice_changes_nothing_more(customer_login):
    now = Builder.now()
    row, _key = api_keys.create_api_key(user=customer_login, name="twice", now=now)
    api_keys.revoke_api_key(key=row, by=customer_login, now=now + timedelta(minutes=1))
    api_keys.revoke_api_key(key=row, by=customer_login, now=now + timedelta(minutes=2))
    row.refresh_from_db()
    assert row.revoked_at == now + timedelta(minutes=1)
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1


def test_a_key_needs_a_name(signed_in, customer_login):
    response = signed_in.post("/api-keys/", {"name": "   "})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a name for the key" in page
    assert not ApiKey.objects.filter(user=customer_login).exists()
    assert KEY_SHAPE.search(page) is None


def test_a_login_may_hold_at_most_ten_active_keys(signed_in, customer_login):
    now = Builder.now()
    for number in range(api_keys.MAX_ACTIVE_KEYS):
        api_keys.create_api_key(user=customer_login, name=f"app {number}", now=now)
    page = signed_in.post("/api-keys/", {"name": "one too many"}).content.decode()
    assert "You already have 10 active keys" in page
    assert ApiKey.objects.filter(user=customer_login).count() == 10

    first = ApiKey.objects.filter(user=customer_login).order_by("id").first()
    assert first is not None
    api_keys.revoke_api_key(key=first, by=customer_login, now=now)
    assert KEY_SHAPE.search(signed_in.post("/api-keys/", {"name": "now it fits"}).content.decode())


def test_staff_logins_cannot_have_keys(build):
    staff = build.staff_login("agent@supplier.example", "Agent4Console7")
    with pytest.raises(api_keys.ApiKeyRefused, match="care staff"):
        api_keys.create_api_key(user=staff, name="sneaky", now=build.now())


def test_a_key_somehow_held_by_a_staff_login_does_not_authenticate(build):
    staff = build.staff_login("agent@supplier.example", "Agent4Console7")
    key = "S" * 8 + "t" * 32
    ApiKey.objects.create(
        user=staff,
        name="planted",
        prefix=key[:8],
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
        created_at=build.now(),
    )
    assert api_keys.authenticate_api_key(presented=key, now=build.now()) is None


def test_a_deactivated_logins_key_stops_working(client, household, customer_login):
    _row, key = api_keys.create_api_key(user=customer_login, name="app", now=Builder.now())
    User.objects.filter(pk=customer_login.pk).update(is_active=False)
    assert client.get(account_url(household), **basic(key)).status_code == 401


def test_when_a_key_was_last_used_is_shown(client, signed_in, household, customer_login):
    key = make_key_in_portal(signed_in)
    assert ApiKey.objects.get(user=customer_login).last_used_at is None
    Client().get(account_url(household), **basic(key))
    used = ApiKey.objects.get(user=customer_login).last_used_at
    assert used is not None
    page = signed_in.get("/api-keys/").content.decode()
    assert "Never" not in page


def test_the_key_never_reaches_the_logs(client, household, customer_login, caplog):
    caplog.set_level(logging.DEBUG)
    row, key = api_keys.create_api_key(user=customer_login, name="app", now=Builder.now())
    client.get(account_url(household), **basic(key))
    api_keys.revoke_api_key(key=row, by=customer_login, now=Builder.now())
    client.get(account_url(household), **basic(key))
    client.get(account_url(household), **basic(key[:8] + "x" * 32))
    assert key not in caplog.text
    assert key[8:] not in caplog.text
