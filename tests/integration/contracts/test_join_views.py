"""The join journey, the care console's sign-up and the cooling-off cancellation pages, through Django's client."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from hearth.data.accounts.models import Fuel
from hearth.data.contracts.models import Contract, ContractEvent
from hearth.data.identity.models import AccountLink, User
from hearth.data.tariffs.models import MeterKind
from hearth.domain.contracts import quotes
from hearth.domain.contracts.sign_up import sign_up
from hearth.domain.identity import operations as identity_ops
from tests.integration.conftest import PASSWORD, Builder, sign_in
from tests.integration.contracts.sign_up_support import MPAN, MPRN, application, documents_folder, product

pytestmark = pytest.mark.django_db
__all__ = ["documents_folder"]

QUOTE = {"postcode": "ls1 4ap", "fuels": "BOTH", "meter": "CREDIT", "electricity_kwh": "2700", "gas_kwh": ""}
DETAILS = {
    "name": "Jo Bloggs",
    "email": "jo.bloggs@example.com",
    "phone": "07700 900123",
    "address_line_1": "3 Mill Lane",
    "town": "Leeds",
    "mpan": MPAN,
    "mprn": MPRN,
    "payment_method": "STANDARD_DIRECT_DEBIT",
    "payment_day": "12",
    "holder_name": "Jo Bloggs",
    "sort_code": "08-99-99",
    "account_number": "66374958",
    "over_18": "on",
    "owns_or_occupies": "on",
}


def _quoted(client: Client) -> str:
    """Ask for a quote; the key of the only option (the test product's Direct Debit one)."""
    made = product()
    response = client.post("/join/", QUOTE)
    assert response.status_code == 200
    return f"{made.code}|DIRECT_DEBIT"


def test_the_quote_shows_each_plan_with_prices_including_vat_and_the_yearly_estimate(client: Client) -> None:
    product(electricity=("20", "40"), gas=("6", "30"))
    assert client.get("/join/").status_code == 200

    page = client.post("/join/", QUOTE).content.decode()

    assert "Plans for LS1 4AP (Yorkshire)" in page
    assert "21.00p/kWh" in page  # 20p + 5%
    assert "42.00p/day" in page
    assert "6.30p/kWh" in page
    # Electricity 2,700 kWh x 20p + 365 x 40p = 54,000 + 14,600 = 68,600p; +5% = £720.30.
    # Gas 9,500 kWh (typical) x 6p + 365 x 30p = 57,000 + 10,950 = 67,950p; +5% = £713.475 -> £713.48.
    assert "£1,433.78 a year" in page
    assert "£100.00 in all" in page  # two £50 exit fees
    assert "Monthly Direct Debit (T&amp;C 9.2)" in page


def test_northern_ireland_is_refused_at_the_quote(client: Client) -> None:
    page = client.post("/join/", {**QUOTE, "postcode": "BT1 1AA"}).content.decode()
    assert "not in Northern Ireland" in page


def test_signing_up_on_the_website_makes_the_contracts_and_shows_what_happens_next(client: Client, mailoutbox) -> None:
    key = _quoted(client)
    assert client.get("/join/details/", {"option": key}).status_code == 200

    response = client.post("/join/details/", {**DETAILS, "option": key})

    assert response.status_code == 302
    assert response["Location"] == "/join/done/"
    assert Contract.objects.filter(channel="WEB", state="PENDING").count() == 2
    done = client.get("/join/done/").content.decode()
    assert "You can cancel without any charge until" in done
    assert "jo.bloggs@example.com" in done
    assert any("Temporary password" in m.body for m in mailoutbox)


def test_an_address_that_already_has_a_login_gets_the_same_answer(client: Client) -> None:
    User.objects.create_user("jo.bloggs@example.com", "x-Password-1", kind=User.Kind.CUSTOMER)
    key = _quoted(client)
    response = client.post("/join/details/", {**DETAILS, "option": key})
    assert (response.status_code, response["Location"]) == (302, "/join/done/")
    assert not AccountLink.objects.exists()


def test_a_bad_mpan_is_shown_beside_its_field_and_nothing_is_made(client: Client) -> None:
    key = _quoted(client)
    response = client.post("/join/details/", {**DETAILS, "option": key, "mpan": "2500000000017"})
    assert response.status_code == 400
    assert 'id="id_mpan-error"' in response.content.decode()
    assert not Contract.objects.exists()


def test_the_warranties_are_required(client: Client) -> None:
    key = _quoted(client)
    data = {**DETAILS, "option": key}
    del data["over_18"]
    response = client.post("/join/details/", data)
    assert response.status_code == 400
    assert "18 or over" in response.content.decode()


def test_the_details_step_is_rate_limited(client: Client, settings) -> None:
    settings.HEARTH_PUBLIC_FORM_LIMIT_PER_ADDRESS = 1
    key = _quoted(client)
    client.post("/join/details/", {**DETAILS, "option": key, "mpan": "", "mprn": ""})  # refused, but counted
    response = client.post("/join/details/", {**DETAILS, "option": key})
    assert "too many applications" in response.content.decode()
    assert not Contract.objects.exists()


def test_the_details_step_without_a_quote_goes_back_to_the_start(client: Client) -> None:
    assert client.get("/join/details/")["Location"] == "/join/"
    assert client.get("/join/done/")["Location"] == "/join/"


def _signed_up_with_login(build: Builder, role: AccountLink.Role = AccountLink.Role.HOLDER) -> Contract:
    done = sign_up(
        application=application(
            product(), email="", usage=quotes.Usage(fuels=(Fuel.ELECTRICITY,), meter=MeterKind.CREDIT)
        ),
        channel=Contract.Channel.WEB,
        now=timezone.now(),
    )
    contract = done.contracts[0]
    build.activated_login("jo.bloggs@example.com", contract.account, role=role)
    return contract


def test_the_holder_sees_what_happens_then_cancels_in_cooling_off(client: Client, build: Builder) -> None:
    contract = _signed_up_with_login(build)
    assert sign_in(client, "jo.bloggs@example.com", PASSWORD).status_code == 302

    page = client.get("/services/contract/cancel/").content.decode()
    assert "We call off the switch to us" in page
    assert "Nothing is charged" in page

    done = client.post("/services/contract/cancel/")
    assert done.status_code == 200
    assert "is cancelled" in done.content.decode()
    contract.refresh_from_db()
    assert contract.state == Contract.State.CANCELLED
    assert ContractEvent.objects.filter(contract=contract, kind="cancelled", actor__email="jo.bloggs@example.com")


def test_after_cooling_off_the_page_says_how_to_leave_instead(client: Client, build: Builder, time_machine) -> None:
    contract = _signed_up_with_login(build)
    time_machine.move_to(timezone.now() + timedelta(days=16))
    assert sign_in(client, "jo.bloggs@example.com", PASSWORD).status_code == 302
    response = client.post("/services/contract/cancel/")
    assert response.status_code == 400
    assert "T&amp;C 14.3" in response.content.decode()
    contract.refresh_from_db()
    assert contract.state == Contract.State.PENDING


def test_a_viewer_cannot_cancel(client: Client, build: Builder) -> None:
    contract = _signed_up_with_login(build, role=AccountLink.Role.VIEWER)
    assert sign_in(client, "jo.bloggs@example.com", PASSWORD).status_code == 302
    assert client.post("/services/contract/cancel/").status_code == 403
    contract.refresh_from_db()
    assert contract.state == Contract.State.PENDING


@pytest.fixture
def care(db: None) -> Client:
    device = identity_ops.create_staff_login(
        email="agent@hearth.example", full_name="Casey Care", password="CareConsole2026", now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post(
        "/care/login/", {"username": "agent@hearth.example", "password": "CareConsole2026", "otp_token": code}
    )
    assert response.status_code == 302
    return client


def test_care_signs_up_a_caller_step_by_step(care: Client) -> None:
    made = product()
    quoted = care.get("/care/sign-up/", QUOTE).content.decode()
    assert "Plans for LS1 4AP (Yorkshire)" in quoted
    chosen = {**QUOTE, "option": f"{made.code}|DIRECT_DEBIT"}
    assert "Ask the caller to confirm both warranties" in care.get("/care/sign-up/", chosen).content.decode()

    response = care.post(f"/care/sign-up/?{_query(chosen)}", DETAILS)

    assert response.status_code == 302
    contracts = Contract.objects.filter(channel="CARE")
    assert contracts.count() == 2
    assert ContractEvent.objects.filter(kind="entered", actor__email="agent@hearth.example").count() == 2


def _query(data: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


def test_care_cancels_in_cooling_off_and_an_unknown_account_is_404(care: Client) -> None:
    done = sign_up(
        application=application(product(), usage=quotes.Usage(fuels=(Fuel.ELECTRICITY,), meter=MeterKind.CREDIT)),
        channel=Contract.Channel.WEB,
        now=timezone.now(),
    )
    number = done.contracts[0].account.number
    assert "The switch to us is withdrawn" in care.get(f"/care/accounts/{number}/contract/cancel/").content.decode()

    assert care.post(f"/care/accounts/{number}/contract/cancel/").status_code == 302
    assert Contract.objects.get().state == Contract.State.CANCELLED
    assert care.get("/care/accounts/1999999999/contract/cancel/").status_code == 404
