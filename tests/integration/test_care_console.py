"""The customer-care console (/care/): staff sign-in with a second factor, finding customers, portal logins,
login-details requests, cases and the demo outbox. Every staff action is audited on the customer's page."""

import io
import re

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.urls.converters import IntConverter, SlugConverter
from django.utils import timezone
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from hearth.data.accounts.models import Account, Customer, Fuel
from hearth.data.care.models import Case, LoginDetailsRequest
from hearth.data.identity.models import AccountLink, User
from hearth.domain.care import operations as care_ops
from hearth.domain.identity import operations as identity_ops
from hearth.interfaces.care import urls as care_urls
from hearth.interfaces.web.middleware import SESSION_STARTED_KEY

pytestmark = pytest.mark.django_db

STAFF_EMAIL = "agent.smith@hearth.example"
STAFF_PASSWORD = "Console4Agent9"
SIGN_IN_FAILED = "The e-mail address, password or authenticator code is not right."
MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _words(response) -> str:
    """The page's words as a screen reader reads them: tags taken out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def _code(device: TOTPDevice) -> str:
    return f"{totp(bytes.fromhex(device.key)):06d}"


def _wrong_code(device: TOTPDevice) -> str:
    """A 6-digit code that is not valid now, nor in the step before or after (the accepted drift)."""
    valid = set()
    for drift in (-1, 0, 1):
        generator = TOTP(bytes.fromhex(device.key), drift=drift)
        generator.time = timezone.now().timestamp()
        valid.add(f"{generator.token():06d}")
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def _care_sign_in(client: Client, email: str, password: str, code: str, **data: str):
    return client.post("/care/login/", {"username": email, "password": password, "otp_token": code, **data})


@pytest.fixture
def staff_device() -> TOTPDevice:
    return identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Agent Smith", password=STAFF_PASSWORD, now=timezone.now()
    )


@pytest.fixture
def care(staff_device: TOTPDevice) -> Client:
    """A client signed in to the care console through its sign-in page, with the second factor."""
    client = Client()
    response = _care_sign_in(client, STAFF_EMAIL, STAFF_PASSWORD, _code(staff_device))
    assert response.status_code == 302, _text(response)
    return client


def _customer_page(care: Client, customer: Customer) -> str:
    response = care.get(f"/care/customers/{customer.pk}/")
    assert response.status_code == 200
    return _text(response)


def _mpan_check_digit(first_twelve: str) -> int:
    """The MRA's rule, computed here independently of the code under test."""
    return sum(int(d) * w for d, w in zip(first_twelve, MPAN_WEIGHTS, strict=True)) % 11 % 10


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- Staff sign-in ---------------------------------------------------------------------------------------------------


def test_staff_sign_in_needs_password_and_authenticator_code_and_starts_the_absolute_session_clock(staff_device):
    client = Client()
    response = _care_sign_in(client, STAFF_EMAIL.upper(), STAFF_PASSWORD, _code(staff_device))

    assert response.status_code == 302
    assert response["Location"] == "/care/"
    assert SESSION_STARTED_KEY in client.session
    assert client.get("/care/").status_code == 200


def test_wrong_authenticator_code_gets_the_same_answer_as_a_wrong_password(staff_device, remove_csrf):
    wrong_password = _care_sign_in(Client(), STAFF_EMAIL, "Wrong4Password", _code(staff_device))
    client = Client()
    wrong_code = _care_sign_in(client, STAFF_EMAIL, STAFF_PASSWORD, _wrong_code(staff_device))
    unknown = _care_sign_in(Client(), "nobody@hearth.example", STAFF_PASSWORD, _code(staff_device))

    assert wrong_password.status_code == wrong_code.status_code == unknown.status_code == 200
    assert SIGN_IN_FAILED in _text(wrong_code)
    assert remove_csrf(wrong_password.content.decode()) == remove_csrf(wrong_code.content.decode())
    assert remove_csrf(unknown.content.decode()).replace("nobody@hearth.example", STAFF_EMAIL) == remove_csrf(
        wrong_code.content.decode()
    )
    assert client.get("/care/").status_code == 302


def test_wrong_authenticator_codes_count_towards_the_sign_in_lock(staff_device, failure_limit):
    for _ in range(failure_limit):
        _care_sign_in(Client(), STAFF_EMAIL, STAFF_PASSWORD, _wrong_code(staff_device))

    locked = _care_sign_in(Client(), STAFF_EMAIL, STAFF_PASSWORD, _code(staff_device))

    assert locked.status_code == 429


def test_a_customer_signed_in_to_the_portal_never_reaches_the_care_console(
    client, customer_login, household, password, sign_in
):
    assert sign_in(client, customer_login.email, password).status_code == 302
    assert client.get("/").status_code == 200  # signed in to the portal

    for url in ["/care/", f"/care/customers/{household.customer.pk}/", "/care/outbox/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/care/login/")
    assert household.customer.name not in _text(client.get(f"/care/customers/{household.customer.pk}/", follow=True))


def test_a_customer_cannot_sign_in_to_the_care_console_even_with_the_right_password(
    customer_login, password, staff_device
):
    client = Client()
    response = _care_sign_in(client, customer_login.email, password, _code(staff_device))

    assert response.status_code == 200
    assert SIGN_IN_FAILED in _text(response)
    assert client.get("/care/").status_code == 302


def test_staff_signed_in_without_the_second_factor_are_sent_to_sign_in(staff_device):
    client = Client()
    client.force_login(staff_device.user)

    response = client.get("/care/")

    assert response.status_code == 302
    assert response["Location"].startswith("/care/login/")


def _text_for(converter: object) -> str:
    """A value the path converter takes: a slug has no dot."""
    return "x-eml" if isinstance(converter, SlugConverter) else "x.eml"


def test_every_console_page_sends_anonymous_visitors_and_customers_to_sign_in(
    client, customer_login, password, sign_in
):
    sign_in(client, customer_login.email, password)
    values = {"customer_id": 1, "user_id": customer_login.pk, "link_id": 1, "case_id": 1, "request_id": 1}
    urls = []
    for pattern in care_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "login":
            continue
        kwargs = {
            name: values.get(name, 1 if isinstance(converter, IntConverter) else _text_for(converter))
            for name, converter in pattern.pattern.converters.items()
        }
        urls.append(reverse(f"care:{pattern.name}", kwargs=kwargs))
    assert len(urls) == len(care_urls.urlpatterns) - 1

    for visitor in (Client(), client):
        for url in urls:
            for method in (visitor.get, visitor.post):
                response = method(url)
                assert response.status_code in {302, 405}, url
                if response.status_code == 302:
                    assert response["Location"].startswith("/care/login/"), url


def test_sign_in_returns_to_the_console_page_asked_for_but_never_off_site(staff_device):
    to_cases = _care_sign_in(Client(), STAFF_EMAIL, STAFF_PASSWORD, _code(staff_device), next="/care/cases/")
    assert to_cases["Location"] == "/care/cases/"

    # A second sign-in in the same 30-second step is refused (a code works once), so use a fresh device.
    other = identity_ops.create_staff_login(
        email="second.agent@hearth.example", full_name="Second Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    off_site = _care_sign_in(
        Client(), other.user.email, STAFF_PASSWORD, _code(other), next="https://evil.example/care/"
    )
    assert off_site["Location"] == "/care/"


def test_signing_out_ends_the_console_session(care):
    response = care.post("/care/logout/")

    assert response.status_code == 302
    assert care.get("/care/").status_code == 302


# --- Finding a customer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "detail",
    ["account number", "name", "contact e-mail", "portal login e-mail", "postcode", "MPAN", "MPRN"],
)
def test_staff_find_a_customer_by_each_detail(care, build, household, business, detail):
    build.new_login(household.gas, "gas.payer@example.com")
    query = {
        "account number": household.electricity.number,
        "name": "jo blog",
        "contact e-mail": "JO.BLOGGS@example.com",
        "portal login e-mail": "gas.payer@example.com",
        "postcode": "ls14ap",
        "MPAN": household.electricity_meter.supply_point.identifier,
        "MPRN": household.gas_meter.supply_point.identifier,
    }[detail]

    page = _text(care.get("/care/", {"q": query}))

    assert f'href="/care/customers/{household.customer.pk}/"' in page
    assert f'href="/care/customers/{business.customer.pk}/"' not in page
    assert household.electricity.number in page


def test_a_search_that_matches_nothing_says_so(care, household):
    page = _text(care.get("/care/", {"q": "no such customer"}))

    assert "0 customers found" in page
    assert f"/care/customers/{household.customer.pk}/" not in page


# --- The customer page -----------------------------------------------------------------------------------------------


def test_customer_page_shows_accounts_supply_points_meters_and_logins_with_activation_and_conditions(
    care, build, household, customer_login
):
    not_yet = build.new_login(household.electricity, "not.yet@example.com")

    page = _customer_page(care, household.customer)

    for account, meter in [(household.electricity, household.electricity_meter), (household.gas, household.gas_meter)]:
        assert account.number in page
        assert meter.supply_point.identifier in page
        assert meter.serial_number in page
    assert "MPAN " + household.electricity_meter.supply_point.identifier in page
    assert "MPRN " + household.gas_meter.supply_point.identifier in page
    assert customer_login.email in page
    assert not_yet.email in page
    acceptance = customer_login.conditions_acceptances.get()
    assert f"Version {acceptance.version}, accepted" in page
    assert "Not accepted yet" in page  # the login that has not signed in yet
    assert "Activated" in page
    assert "Not activated" in page


def test_staff_logins_are_never_shown_or_acted_on(care, staff_device):
    staff = staff_device.user

    assert care.get(f"/care/logins/{staff.pk}/").status_code == 404
    assert care.post(f"/care/logins/{staff.pk}/unlock/").status_code == 404
    assert care.post(f"/care/logins/{staff.pk}/resend/").status_code == 404
    assert care.post(f"/care/logins/{staff.pk}/check-answer/", {"answer": "x"}).status_code == 404


# --- Creating and resending portal logins (FAQ 2, 8, 10) --------------------------------------------------------------


def test_creating_a_login_emails_a_temporary_password_and_is_audited(care, household, read_mail, sign_in):
    form = care.get(f"/care/logins/new/?account={household.electricity.number}")
    assert f'value="{household.electricity.number}"' in form.content.decode()

    response = care.post(
        "/care/logins/new/",
        {"account_number": household.electricity.number, "email": "New.Person@Example.com", "role": "HOLDER"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/care/customers/{household.customer.pk}/"
    temporary = read_mail.temporary_password("new.person@example.com")
    assert sign_in(Client(), "new.person@example.com", temporary).status_code == 302
    page = _customer_page(care, household.customer)
    assert "login.created" in page
    assert "login.details_sent" in page
    assert STAFF_EMAIL in page  # the actor
    assert "new.person@example.com" in page
    assert temporary not in page


def test_creating_a_login_for_an_unknown_account_number_says_no_account_has_that_number(care, mailoutbox):
    response = care.post(
        "/care/logins/new/", {"account_number": "9999999999", "email": "a@example.com", "role": "HOLDER"}
    )

    assert response.status_code == 200
    assert "No account has the number 9999999999" in _text(response)
    assert 'class="error-summary"' in response.content.decode()
    assert mailoutbox == []


def test_a_staff_address_cannot_become_a_portal_login(care, household, mailoutbox):
    response = care.post(
        "/care/logins/new/", {"account_number": household.electricity.number, "email": STAFF_EMAIL, "role": "HOLDER"}
    )

    assert response.status_code == 200
    assert "belongs to a staff login" in _text(response)
    assert mailoutbox == []


def test_resending_login_details_replaces_the_temporary_password_and_is_audited(
    care, build, household, read_mail, sign_in
):
    login = build.new_login(household.electricity, "resend.me@example.com")
    first = read_mail.temporary_password(login.email)

    response = care.post(f"/care/logins/{login.pk}/resend/", {"next": f"/care/customers/{household.customer.pk}/"})

    assert response["Location"] == f"/care/customers/{household.customer.pk}/"
    second = read_mail.temporary_password(login.email)
    assert len(read_mail.to(login.email)) == 2
    assert second != first
    assert sign_in(Client(), login.email, first).status_code == 200  # the old one no longer works
    assert sign_in(Client(), login.email, second).status_code == 302
    assert _customer_page(care, household.customer).count("login.details_sent") == 2


def test_login_details_are_not_resent_to_an_activated_login(care, customer_login, mailoutbox):
    response = care.post(f"/care/logins/{customer_login.pk}/resend/", follow=True)

    assert "already activated" in _text(response)
    assert mailoutbox == []


# --- Lock-outs -------------------------------------------------------------------------------------------------------


def test_unlocking_a_locked_login_lets_the_customer_sign_in_again(
    care, customer_login, household, password, sign_in, failure_limit
):
    for _ in range(failure_limit):
        sign_in(Client(), customer_login.email, "Wrong4Password")
    assert sign_in(Client(), customer_login.email, password).status_code == 429
    assert "Locked" in _customer_page(care, household.customer)

    response = care.post(
        f"/care/logins/{customer_login.pk}/unlock/", {"next": f"/care/customers/{household.customer.pk}/"}
    )

    assert response["Location"] == f"/care/customers/{household.customer.pk}/"
    page = _customer_page(care, household.customer)
    assert 'tag--warn">Locked' not in page
    assert "login.unlocked" in page
    assert sign_in(Client(), customer_login.email, password).status_code == 302


# --- Linking accounts and roles (FAQ 3, 15) --------------------------------------------------------------------------


def test_linking_changing_the_role_and_unlinking_are_audited(care, build, household):
    login = build.new_login(household.electricity, "partner@example.com")

    added = care.post(f"/care/logins/{login.pk}/links/add/", {"account_number": household.gas.number, "role": "VIEWER"})
    assert added["Location"] == f"/care/logins/{login.pk}/"
    link = AccountLink.objects.get(user=login, account=household.gas)
    assert link.role == AccountLink.Role.VIEWER

    care.post(f"/care/links/{link.pk}/role/", {"role": "AUTHORISED"})
    link.refresh_from_db()
    assert link.role == AccountLink.Role.AUTHORISED

    removed = care.post(f"/care/links/{link.pk}/remove/")
    assert removed["Location"] == f"/care/customers/{household.customer.pk}/"
    assert not AccountLink.objects.filter(pk=link.pk).exists()

    page = _customer_page(care, household.customer)
    assert "login.account_linked" in page
    assert "role: VIEWER → AUTHORISED" in page
    assert "login.account_unlinked" in page
    assert f"partner@example.com → {household.gas.number}" in page


def test_linking_an_unknown_account_number_is_refused_beside_the_field(care, build, household):
    login = build.new_login(household.electricity, "partner@example.com")

    response = care.post(f"/care/logins/{login.pk}/links/add/", {"account_number": "123", "role": "VIEWER"})

    assert response.status_code == 200
    assert "No account has the number 123" in _text(response)
    assert 'href="#link-account_number"' in response.content.decode()


# --- Checking a caller's security answer -----------------------------------------------------------------------------


def test_checking_a_callers_answer_says_only_whether_it_matches_and_is_audited(
    care, customer_login, household, security_answer
):
    matched = care.post(
        f"/care/logins/{customer_login.pk}/check-answer/", {"answer": f"  {security_answer.upper()} "}, follow=True
    )
    not_matched = care.post(f"/care/logins/{customer_login.pk}/check-answer/", {"answer": "Wrong school"}, follow=True)

    assert "The answer matches" in _text(matched)
    assert "The answer does not match" in _text(not_matched)
    for page in (_text(matched), _text(not_matched), _text(care.get(f"/care/logins/{customer_login.pk}/"))):
        assert security_answer not in page
        assert customer_login.security_answer_hash not in page
    page = _customer_page(care, household.customer)
    assert page.count("login.security_answer_checked") == 2
    assert "matched: True" in page
    assert "matched: False" in page


# --- Login-details requests (FAQ 2, 8, 10) ---------------------------------------------------------------------------


def test_a_waiting_request_that_matches_an_account_can_be_sent_login_details(care, household, read_mail):
    identity_ops.request_login_details(
        account_number=household.electricity.number, postcode="ls1 4ap", email="other@example.com", now=timezone.now()
    )
    waiting = LoginDetailsRequest.objects.get()

    queue = _words(care.get("/care/requests/"))
    assert "Login requests (1 open)" in queue
    assert "other@example.com" in queue
    assert "Yes" in queue

    decided = care.post(
        f"/care/requests/{waiting.pk}/decide/", {"decision": "send", "note": "Checked on the phone"}, follow=True
    )
    assert "Request from other@example.com: login details e-mailed." in _text(decided)

    waiting.refresh_from_db()
    assert waiting.status == LoginDetailsRequest.Status.SENT
    assert read_mail.temporary_password("other@example.com")
    assert "other@example.com" not in _text(care.get("/care/requests/"))
    assert "login.details_sent" in _customer_page(care, household.customer)


def test_a_request_that_matches_no_account_cannot_be_sent_and_a_decline_needs_a_note(care, household, mailoutbox):
    identity_ops.request_login_details(
        account_number=household.electricity.number, postcode="SW1A 1AA", email="who@example.com", now=timezone.now()
    )
    waiting = LoginDetailsRequest.objects.get()

    refused = care.post(f"/care/requests/{waiting.pk}/decide/", {"decision": "send"}, follow=True)
    assert "did not match an account" in _text(refused)
    no_note = care.post(f"/care/requests/{waiting.pk}/decide/", {"decision": "decline"}, follow=True)
    assert "Say why the request is declined" in _text(no_note)
    waiting.refresh_from_db()
    assert waiting.status == LoginDetailsRequest.Status.OPEN

    care.post(f"/care/requests/{waiting.pk}/decide/", {"decision": "decline", "note": "Not the account holder"})

    waiting.refresh_from_db()
    assert waiting.status == LoginDetailsRequest.Status.DECLINED
    assert waiting.note == "Not the account holder"
    assert mailoutbox == []


# --- Cases -----------------------------------------------------------------------------------------------------------


def test_cases_are_listed_and_the_screenshot_is_served_safely(care, customer_login, household, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = _png()
    case = care_ops.raise_case(
        raised_by=customer_login,
        account=household.electricity,
        description="The bills page is blank.",
        screenshot=SimpleUploadedFile("my holiday.png", png, content_type="image/png"),
        screenshot_content_type="image/png",
        now=timezone.now(),
    )

    assert f'href="/care/cases/{case.pk}/"' in _text(care.get("/care/cases/"))
    detail = _text(care.get(f"/care/cases/{case.pk}/"))
    assert "The bills page is blank." in detail
    assert f'src="/care/cases/{case.pk}/screenshot/"' in detail

    response = care.get(f"/care/cases/{case.pk}/screenshot/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="case-{case.pk}-screenshot.png"'
    assert b"".join(response.streaming_content) == png


def test_closing_a_case_is_audited(care, customer_login, household):
    case = care_ops.raise_case(
        raised_by=customer_login,
        account=household.electricity,
        description="Help",
        screenshot=None,
        screenshot_content_type="",
        now=timezone.now(),
    )

    care.post(f"/care/cases/{case.pk}/close/")

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert care.get(f"/care/cases/{case.pk}/screenshot/").status_code == 404
    assert "case.closed" in _customer_page(care, household.customer)


# --- The demo outbox -------------------------------------------------------------------------------------------------


def test_the_outbox_lists_messages_and_shows_a_login_details_email(care, build, household, settings, tmp_path):
    settings.EMAIL_BACKEND = "hearth.interfaces.web.outbox.OutboxEmailBackend"
    settings.HEARTH_OUTBOX_DIR = tmp_path
    build.new_login(household.electricity, "outbox.reader@example.com")
    (name,) = [path.name for path in tmp_path.glob("*.eml")]

    listing = _text(care.get("/care/outbox/"))
    assert "outbox.reader@example.com" in listing
    assert "Customer Portal login details" in listing
    assert f'href="/care/outbox/{name}/"' in listing

    message = care.get(f"/care/outbox/{name}/")
    assert message.status_code == 200
    assert re.search(r'<pre class="email">[^<]*Temporary password: \S+', message.content.decode())
    assert care.get("/care/outbox/not-a-message.eml/").status_code == 404
    assert care.get("/care/outbox/..%2Fhearth.sqlite3/").status_code == 404


# --- Creating a customer and adding supply points --------------------------------------------------------------------


def _new_customer(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "PERSON",
        "name": "Robin Ash",
        "contact_email": "Robin.Ash@example.com",
        "contact_phone": "07700 900123",
        "address_line_1": "5 Elm Row",
        "address_line_2": "",
        "town": "Reading",
        "postcode": "rg1 7ab",
        "nation": "ENGLAND",
        "fuels": ["ELECTRICITY", "GAS"],
    }
    data.update(changes)
    return data


def test_creating_a_customer_with_an_email_address_sends_login_details_once(care, read_mail, sign_in):
    response = care.post("/care/customers/new/", _new_customer())

    customer = Customer.objects.get(name="Robin Ash")
    assert response["Location"] == f"/care/customers/{customer.pk}/"
    accounts = Account.objects.filter(customer=customer)
    assert sorted(accounts.values_list("fuel", flat=True)) == [Fuel.ELECTRICITY, Fuel.GAS]
    assert {a.billing_property.postcode for a in accounts} == {"RG1 7AB"}
    login = User.objects.get(email="robin.ash@example.com")
    assert set(AccountLink.objects.filter(user=login).values_list("account_id", "role")) == {
        (account.pk, AccountLink.Role.HOLDER) for account in accounts
    }
    assert len(read_mail.to("robin.ash@example.com")) == 1
    assert sign_in(Client(), login.email, read_mail.temporary_password(login.email)).status_code == 302
    page = _customer_page(care, customer)
    assert "customer.created" in page
    assert "login.details_sent" in page


def test_creating_a_customer_without_an_email_address_sends_nothing(care, mailoutbox):
    care.post("/care/customers/new/", _new_customer(contact_email="", fuels=["GAS"]))

    customer = Customer.objects.get(name="Robin Ash")
    assert list(Account.objects.filter(customer=customer).values_list("fuel", flat=True)) == [Fuel.GAS]
    assert mailoutbox == []


def test_an_invalid_postcode_is_shown_beside_the_postcode_field_and_nothing_is_created(care, mailoutbox):
    response = care.post("/care/customers/new/", _new_customer(postcode="NOT A CODE"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_postcode"' in html
    assert re.search(r'<p class="field-error" id="id_postcode-error">.*is not a UK postcode', html)
    assert not Customer.objects.filter(name="Robin Ash").exists()
    assert mailoutbox == []


def test_a_customer_needs_at_least_one_fuel(care):
    response = care.post("/care/customers/new/", _new_customer(fuels=[]))

    assert "Tick electricity, gas or both." in _text(response)
    assert not Customer.objects.filter(name="Robin Ash").exists()


def test_a_bad_mpan_core_is_refused_naming_the_failed_check_digit(care, build):
    customer = build.customer(name="Pat Lee", email="pat@example.com")
    account = build.account(customer, fuel=Fuel.ELECTRICITY)
    first_twelve = "120002330596"
    right = _mpan_check_digit(first_twelve)
    wrong = (right + 1) % 10

    response = care.post(
        f"/care/customers/{customer.pk}/supply-points/add/",
        {"account": account.pk, "identifier": f"{first_twelve}{wrong}", "supply_start_date": "2026-04-01"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(r'<p class="field-error" id="supply-identifier-error">(.*?)</p>', html, re.S)
    assert error is not None
    assert "check digit" in error.group(1)
    assert f"should be {right}" in error.group(1)
    assert not account.supplies.exists()


def test_a_good_supply_point_is_added_and_audited(care, build):
    customer = build.customer(name="Pat Lee", email="pat@example.com")
    account = build.account(customer, fuel=Fuel.ELECTRICITY)
    first_twelve = "120002330596"
    core = f"{first_twelve}{_mpan_check_digit(first_twelve)}"

    response = care.post(
        f"/care/customers/{customer.pk}/supply-points/add/",
        {"account": account.pk, "identifier": core, "supply_start_date": "2026-04-01"},
    )

    assert response.status_code == 302
    page = _customer_page(care, customer)
    assert f"MPAN {core}" in page
    assert "supply_point.added" in page
