"""The authorisation walk (QUALITY.md): every URL pattern, as every kind of visitor who must not get in.

Each URL name is listed below with how to fill its parameters and who may use it. A URL added
without an entry here fails `test_every_url_pattern_is_walked`.

Visitors: anonymous; another customer (signed in to the portal, linked to other accounts); a viewer
where a holder is needed; a customer at the care console; staff signed in without their second factor.
Every refusal must leak none of the victim's data and change nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hearth.data.audit.models import AuditEvent
from hearth.data.care.models import Case, LoginDetailsRequest
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import Meter
from hearth.domain.care import operations as care_ops
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in


@dataclass
class Victim:
    """The customer whose records the walk tries to reach."""

    site: Site
    login: User
    link: AccountLink
    case: Case
    request: LoginDetailsRequest


Kwargs = Callable[[Victim], dict[str, Any]]
NONE: Kwargs = lambda victim: {}  # noqa: E731

# Who may use each URL: PUBLIC (anyone), SIGNED_IN (any portal login, also mid-activation),
# ACCOUNT (an activated login on its own selected account), HOLDERS (its holder or authorised person),
# STAFF (care staff verified with their second factor).
PUBLIC, SIGNED_IN, ACCOUNT, HOLDERS, STAFF = "public", "signed_in", "account", "holders", "staff"

URLS: dict[str, tuple[str, Kwargs]] = {
    "brand_css": (PUBLIC, NONE),
    "portal:login": (PUBLIC, NONE),
    "portal:logout": (PUBLIC, NONE),
    "portal:login_details": (PUBLIC, NONE),
    "portal:login_details_sent": (PUBLIC, NONE),
    "portal:forgot_password": (PUBLIC, NONE),
    "portal:forgot_password_sent": (PUBLIC, NONE),
    "portal:reset_password": (
        PUBLIC,
        lambda v: {"uidb64": urlsafe_base64_encode(force_bytes(v.login.pk)), "token": "set-password"},
    ),
    "portal:reset_password_done": (PUBLIC, NONE),
    "portal:conditions_of_use": (PUBLIC, NONE),
    "portal:activate_conditions": (SIGNED_IN, NONE),
    "portal:activate_security_question": (SIGNED_IN, NONE),
    "portal:activate_password": (SIGNED_IN, NONE),
    "portal:no_accounts": (SIGNED_IN, NONE),
    "portal:dashboard": (ACCOUNT, NONE),
    "portal:change_password": (ACCOUNT, NONE),
    "portal:select_account": (ACCOUNT, NONE),
    "portal:bills": (ACCOUNT, NONE),
    "portal:amr": (ACCOUNT, NONE),
    "portal:smart": (ACCOUNT, NONE),
    "portal:contact_care": (ACCOUNT, NONE),
    "portal:account_logins": (HOLDERS, NONE),
    "care:login": (PUBLIC, NONE),
    "care:logout": (PUBLIC, NONE),
    "care:search": (STAFF, NONE),
    "care:create_customer": (STAFF, NONE),
    "care:customer": (STAFF, lambda v: {"customer_id": v.site.customer.pk}),
    "care:add_supply_point": (STAFF, lambda v: {"customer_id": v.site.customer.pk}),
    "care:create_login": (STAFF, NONE),
    "care:login_detail": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:resend_login": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:unlock_login": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:check_answer": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:add_link": (STAFF, lambda v: {"user_id": v.login.pk}),
    "care:remove_link": (STAFF, lambda v: {"link_id": v.link.pk}),
    "care:change_role": (STAFF, lambda v: {"link_id": v.link.pk}),
    "care:requests": (STAFF, NONE),
    "care:decide_request": (STAFF, lambda v: {"request_id": v.request.pk}),
    "care:cases": (STAFF, NONE),
    "care:case": (STAFF, lambda v: {"case_id": v.case.pk}),
    "care:case_screenshot": (STAFF, lambda v: {"case_id": v.case.pk}),
    "care:close_case": (STAFF, lambda v: {"case_id": v.case.pk}),
    "care:outbox": (STAFF, NONE),
    "care:outbox_message": (STAFF, lambda v: {"name": "20260101T000000000000-victim.eml"}),
}


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_pattern_is_walked():
    assert _url_names() == set(URLS), "add new URLs to the walk with who may use them"


@pytest.fixture
def victim(build: Builder) -> Victim:
    site = build.site(
        name="Victoria Victim",
        email="victoria@victim.example",
        postcode="EH6 6QU",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.CREDIT,
    )
    login = build.activated_login("victoria@victim.example", site.electricity, site.gas)
    case = care_ops.raise_case(
        raised_by=login,
        account=site.electricity,
        description="Victim's private complaint",
        screenshot=None,
        screenshot_content_type="",
        now=build.now(),
    )
    request = LoginDetailsRequest.objects.create(
        account_number=site.electricity.number,
        postcode="EH6 6QU",
        email="victim-other@victim.example",
        account=site.electricity,
        received_at=build.now(),
    )
    return Victim(site, login, AccountLink.objects.get(user=login, account=site.electricity), case, request)


def _secrets_of(victim: Victim) -> list[bytes]:
    """What must never appear in a refused response."""
    return [
        victim.site.customer.name.encode(),
        victim.site.electricity.number.encode(),
        victim.site.gas.number.encode(),
        victim.login.email.encode(),
        b"private complaint",
    ]


def _assert_refused(client: Client, url: str, victim: Victim, allowed_redirect: str) -> None:
    """GET and POST are refused (403/404/405 or a redirect to a sign-in page), leak nothing, change nothing."""
    events_before = AuditEvent.objects.count()
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in {302, 403, 404, 405}, f"{method.__name__.upper()} {url}: {response.status_code}"
        if response.status_code == 302:
            assert response["Location"].startswith(allowed_redirect), f"{url} redirected to {response['Location']}"
        body = response.content
        for secret in _secrets_of(victim):
            assert secret not in body, f"{url} leaked {secret!r}"
    assert AuditEvent.objects.count() == events_before, f"{url} changed something"
    victim.link.refresh_from_db()
    assert AccountLink.objects.filter(pk=victim.link.pk).exists()
    assert Case.objects.get(pk=victim.case.pk).status == Case.Status.OPEN


def _walk(kinds: set[str]) -> list[str]:
    return sorted(name for name, (kind, _) in URLS.items() if kind in kinds)


def _url(name: str, victim: Victim) -> str:
    return reverse(name, kwargs=URLS[name][1](victim))


def test_anonymous_visitors_are_sent_to_a_sign_in_page(client, victim):
    for name in _walk({SIGNED_IN, ACCOUNT, HOLDERS}):
        _assert_refused(client, _url(name, victim), victim, "/login/")
    for name in _walk({STAFF}):
        _assert_refused(client, _url(name, victim), victim, "/care/login/")


def test_a_signed_in_customer_cannot_use_the_care_console(client, build, victim):
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.CREDIT,
        gas_meter=Meter.Kind.CREDIT,
    )
    build.activated_login("oscar@other.example", other.electricity)
    assert sign_in(client, "oscar@other.example", PASSWORD).status_code == 302
    for name in _walk({STAFF}):
        _assert_refused(client, _url(name, victim), victim, "/care/login/")


def test_staff_without_their_second_factor_cannot_use_the_care_console(client, build, victim):
    staff = build.staff_login("agent@supplier.example", "Agent4Console7")
    client.force_login(staff)  # password accepted, no TOTP verification in this session
    for name in _walk({STAFF}):
        _assert_refused(client, _url(name, victim), victim, "/care/login/")


def test_another_customer_sees_nothing_of_the_victim_on_any_portal_page(client, build, victim):
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.CREDIT,
    )
    build.amr_device(other.electricity_meter)
    build.activated_login("oscar@other.example", other.electricity, other.gas)
    assert sign_in(client, "oscar@other.example", PASSWORD).status_code == 302
    for name in _walk({SIGNED_IN, ACCOUNT, HOLDERS, PUBLIC}):
        if name in {"portal:logout", "care:logout"}:
            continue  # signing out is allowed to anyone, and would end this walk
        url = _url(name, victim)
        for method in (client.get, client.post):
            response = method(url, {"account": victim.site.electricity.pk})
            assert response.status_code != 500, url
            for secret in _secrets_of(victim):
                assert secret not in response.content, f"{url} leaked {secret!r}"
        assert client.session.get("hearth_account_id") != victim.site.electricity.pk, url


def test_a_viewer_cannot_use_pages_for_holders(client, build, victim):
    build.activated_login("viewer@victim.example", victim.site.electricity, role=AccountLink.Role.VIEWER)
    assert sign_in(client, "viewer@victim.example", PASSWORD).status_code == 302
    for name in _walk({HOLDERS}):
        for method in (client.get, client.post):
            assert method(_url(name, victim)).status_code == 403, name


def test_a_holder_and_an_authorised_person_can_use_pages_for_holders(client, build, victim):
    build.activated_login("deputy@victim.example", victim.site.electricity, role=AccountLink.Role.AUTHORISED)
    for email in (victim.login.email, "deputy@victim.example"):
        client.logout()
        assert sign_in(client, email, PASSWORD).status_code == 302
        for name in _walk({HOLDERS}):
            assert client.get(_url(name, victim)).status_code == 200, (email, name)
