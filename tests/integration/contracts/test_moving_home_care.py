"""The care console's home-move pages as staff use them on the phone: a move out told by the customer or by the new
occupier, cancelled, the new home's MPAN added later; a new occupier moving into a property we supply, found by
postcode and MPAN; refusals beside the field at fault; staff only."""

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.data.accounts.models import Account
from hearth.data.audit.models import AuditEvent
from hearth.data.contracts.models import Contract, HomeMove, Registration
from hearth.data.identity.models import User
from hearth.data.payments.models import PaymentArrangement
from hearth.data.tariffs.models import PaymentMethod
from hearth.domain.identity import operations as identity_ops
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.conftest import PASSWORD, Builder, sign_in
from tests.integration.contracts.move_support import at, household, london_mpan, point_of, product_tariff

pytestmark = pytest.mark.django_db

STAFF_EMAIL, STAFF_PASSWORD = "agent.moves@hearth.example", "Console4Moves9"
FORWARDING = {
    "forwarding_line_1": "8 Harbour View",
    "forwarding_town": "Leith",
    "forwarding_postcode": "EH6 6JJ",
    "forwarding_nation": "SCOTLAND",
}
TODAY = date(2026, 12, 7)  # Monday 7 December 2026


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def care() -> Client:
    """A client signed in to the care console through its sign-in page, with the second factor."""
    device: TOTPDevice = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Moves Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def words(response: Any) -> str:
    """The page's text as a person reads it: inline tags gone, other tags a space, spaces collapsed."""
    text = re.sub(r"</?(span|strong|a|abbr)\b[^>]*>", "", response.content.decode())
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def supplied() -> Account:
    """Casey Brook, supplied since Monday 2 November 2026 on a variable tariff, with a credit meter."""
    account, _, _ = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 11, 2))
    return account


def move_out_url(account: Account) -> str:
    return f"/care/accounts/{account.number}/moving-out/"


def test_the_pages_are_for_staff_only(client: Client, build: Builder) -> None:
    account = supplied()
    urls = [
        move_out_url(account),
        move_out_url(account) + "cancel/",
        move_out_url(account) + "new-home-points/",
        "/care/move-in/",
        f"/care/move-in/customers/{account.customer_id}/",
    ]
    for url in urls:
        response = client.post(url, {**FORWARDING, "told_by": "CUSTOMER", "move_out_date": "2026-12-09"})
        assert (response.status_code, response["Location"]) == (302, "/care/login/"), url
    build.activated_login("casey@example.com", account)
    assert sign_in(client, "casey@example.com", PASSWORD).status_code == 302
    for url in urls:
        response = client.get(url)
        if response.status_code != 405:  # the actions answer POST only
            assert (response.status_code, response["Location"][:12]) == (302, "/care/login/"), url
        response = client.post(url, {**FORWARDING, "told_by": "CUSTOMER", "move_out_date": "2026-12-09"})
        assert (response.status_code, response["Location"]) == (302, "/care/login/"), url
    assert not HomeMove.objects.exists()


def test_a_move_told_by_the_customer_is_recorded_with_its_end_day(care: Client) -> None:
    account = supplied()
    assert care.get(f"/care/customers/{account.customer_id}/").content.decode().count(move_out_url(account)) == 1
    form_page = words(care.get(move_out_url(account)))
    assert "Who told us" in form_page
    assert "Forwarding address" in form_page

    response = care.post(move_out_url(account), {**FORWARDING, "told_by": "CUSTOMER", "move_out_date": "2026-12-09"})

    assert response.status_code == 302
    move = HomeMove.objects.get(account=account)
    # Told on Monday 7 December for Wednesday 9th: Tuesday 8th is one working day before, Monday 7th two → in time.
    assert (move.end_date, move.recorded_by_id) == (date(2026, 12, 9), User.objects.get(email=STAFF_EMAIL).pk)
    page = words(care.get(move_out_url(account)))
    assert "Contract ends Wednesday 9 December 2026; the last day paid for is Tuesday 8 December 2026" in page
    assert "8 Harbour View, Leith EH6 6JJ" in page
    assert "Cancel move" in page
    event = AuditEvent.objects.get(action="contracts.move_out_recorded")
    assert event.actor is not None
    assert event.actor.email == STAFF_EMAIL
    # A second form posted for the same account records nothing more.
    care.post(move_out_url(account), {**FORWARDING, "told_by": "CUSTOMER", "move_out_date": "2026-12-10"})
    assert HomeMove.objects.count() == 1


def test_a_move_told_by_the_new_occupier_ends_on_their_move_in_day(care: Client) -> None:
    account = supplied()
    base = {"told_by": "NEW_OCCUPIER", "move_out_date": "2026-12-04"}
    response = care.post(move_out_url(account), base)
    assert response.status_code == 400
    assert response.context["form"].errors["new_occupier_move_in_date"] == ["Enter the day the new occupier moved in."]

    response = care.post(move_out_url(account), {**base, "new_occupier_move_in_date": "2026-12-05"})

    assert response.status_code == 302
    move = HomeMove.objects.get(account=account)
    # 13.2: the new occupier's move-in day, Saturday 5 December, even though we heard on Monday the 7th.
    assert (move.told_by, move.end_date, move.forwarding_address) == ("NEW_OCCUPIER", date(2026, 12, 5), None)
    page = words(care.get(move_out_url(account)))
    assert "New occupier moves in Saturday 5 December 2026" in page
    assert "No forwarding address: the bill goes to the home supplied" in page


def test_refusals_are_shown_beside_the_field(care: Client) -> None:
    account = supplied()
    register_field = f"reading_{account.supplies.get().supply_point.meters.get().registers.get().pk}"
    cases = [
        ({"told_by": "CUSTOMER", "move_out_date": "2027-06-01", **FORWARDING}, "move_out_date", "more than 90 days"),
        ({"told_by": "CUSTOMER", "move_out_date": "2026-12-09"}, "forwarding_line_1", "new address"),
        (
            {"told_by": "CUSTOMER", "move_out_date": "2026-12-09", **FORWARDING, "forwarding_postcode": "XYZ"},
            "forwarding_postcode",
            "UK postcode",
        ),
        (
            {"told_by": "CUSTOMER", "move_out_date": "2026-12-09", **FORWARDING, register_field: "20500"},
            register_field,
            "on the day you move out or later",
        ),
        ({"told_by": "CUSTOMER", "move_out_date": "2026-10-30", **FORWARDING}, "move_out_date", "started on"),
    ]
    for data, field, expected in cases:
        response = care.post(move_out_url(account), data)
        assert response.status_code == 400, field
        assert expected in " ".join(response.context["form"].errors[field]), (field, response.context["form"].errors)
    assert not HomeMove.objects.exists()


def test_a_move_recorded_by_mistake_is_cancelled(care: Client) -> None:
    account = supplied()
    home = account.billing_property
    care.post(move_out_url(account), {**FORWARDING, "told_by": "CUSTOMER", "move_out_date": "2026-12-09"})

    response = care.post(move_out_url(account) + "cancel/")

    assert response.status_code == 302
    account.refresh_from_db()
    assert HomeMove.objects.get().state == HomeMove.State.CANCELLED
    assert account.billing_property == home  # the bills go back to the home supplied
    assert AuditEvent.objects.filter(action="contracts.move_out_cancelled", actor__email=STAFF_EMAIL).exists()
    page = words(care.get(move_out_url(account)))
    assert "Move cancelled: the contract carries on." in page
    assert "Moving out on 9 Dec 2026, told by the customer: cancelled" in page
    assert "Record the move out" in page
    # Nothing left to cancel.
    care.post(move_out_url(account) + "cancel/")
    assert "No move out is waiting for its day" in words(care.get(move_out_url(account)))


def test_the_new_homes_mpan_is_added_after_the_move_is_recorded(care: Client) -> None:
    account = supplied()
    care.post(
        move_out_url(account),
        {**FORWARDING, "told_by": "CUSTOMER", "move_out_date": "2026-12-23", "supply_new_home": "on"},
    )
    following = Contract.objects.get(origin=Contract.Origin.HOME_MOVE)
    assert following.state == Contract.State.PENDING
    assert "Add the new home's meter point" in words(care.get(move_out_url(account)))

    response = care.post(move_out_url(account) + "new-home-points/", {"identifier": "1200000000001"})
    assert response.status_code == 400
    assert response.context["points_form"].errors["identifier"]

    response = care.post(move_out_url(account) + "new-home-points/", {"identifier": london_mpan(901)})

    assert response.status_code == 302
    registration = Registration.objects.get(contract=following)
    # A home we do not supply: a switch from the move-in day, Wednesday 23 December (later than five working days
    # after Monday 7th, the 14th).
    assert registration.requested_start_date == date(2026, 12, 23)
    page = words(care.get(move_out_url(account)))
    assert f"MPAN {london_mpan(901)}" in page
    assert "Add the new home's meter point" not in page
    assert AuditEvent.objects.filter(action="contracts.new_home_points_added", actor__email=STAFF_EMAIL).exists()


def previous_occupant() -> Account:
    """Lee Before, supplied since 1 June 2026 on the Standard Variable Tariff, paying on receipt of each bill."""
    credit_svt = product_tariff(code="HOME-SVT", standard_variable=True, payment_method=PaymentMethod.STANDARD_CREDIT)
    account, _, _ = household(
        credit_svt, supply_start=date(2026, 6, 1), name="Lee Before", payment_method="STANDARD_CREDIT"
    )
    return account


def test_a_new_occupier_moving_in_gets_a_deemed_contract_and_the_previous_one_ends(care: Client) -> None:
    before = previous_occupant()
    mpan = point_of(before).identifier
    assert "/care/move-in/" in care.get("/care/").content.decode()

    found = care.get("/care/move-in/", {"postcode": "se17pb", "identifier": mpan})
    assert found.status_code == 200
    page = words(found)
    assert (
        f"MPAN {mpan}, now supplied to account {before.number} (Lee Before). The new occupier pays on receipt" in page
    )

    response = care.post(
        "/care/move-in/",
        {
            "postcode": "SE1 7PB",
            "identifier": mpan,
            "points": [str(point_of(before).pk)],
            "name": "Robin New",
            "email": "robin@example.com",
            "move_in_date": "2026-12-05",
        },
    )

    assert response.status_code == 302
    deemed = Contract.objects.get(origin=Contract.Origin.DEEMED)
    assert response["Location"] == f"/care/move-in/customers/{deemed.account.customer_id}/"
    assert (deemed.account.customer.name, deemed.supply_start_date) == ("Robin New", date(2026, 12, 5))
    assert PaymentArrangement.objects.get(account=deemed.account).method == PaymentArrangement.Method.STANDARD_CREDIT
    # 13.2: the previous occupant's contract ends on the move-in day, Saturday 5 December.
    assert HomeMove.objects.get(account=before).end_date == date(2026, 12, 5)
    done = words(care.get(response["Location"]))
    assert f"Account {deemed.account.number}: Electricity" in done
    assert "Deemed contract (T&C 4.7) on Home-Svt, from Saturday 5 December 2026" in done
    assert "Payment method Pay on receipt of bill (T&C 9.3)" in done
    assert f"Account {before.number} (Lee Before): contract ends Saturday 5 December 2026, the move-in day" in done
    assert AuditEvent.objects.filter(action="contracts.move_in_recorded", actor__email=STAFF_EMAIL).exists()


def test_a_property_not_found_or_a_day_out_of_range_is_refused_beside_the_field(care: Client) -> None:
    before = previous_occupant()
    mpan = point_of(before).identifier
    for query, field in (
        ({"postcode": "SE1 7PB", "identifier": london_mpan(999)}, "identifier"),  # an MPAN we do not know
        ({"postcode": "EH6 6JJ", "identifier": mpan}, "identifier"),  # our MPAN, another postcode
        ({"postcode": "XYZ", "identifier": mpan}, "postcode"),
    ):
        response = care.get("/care/move-in/", query)
        assert response.status_code == 400
        assert response.context["find"].errors[field], query
        assert response.context["form"] is None

    move_in = {"postcode": "SE1 7PB", "identifier": mpan, "points": [str(point_of(before).pk)], "name": "Robin New"}
    for data, field, expected in (
        ({**move_in, "move_in_date": "2027-03-08"}, "move_in_date", "more than 90 days away"),  # 91 days on
        ({**move_in, "move_in_date": "2026-09-07"}, "move_in_date", "more than 90 days ago"),  # 91 days back
        ({**move_in, "name": "", "move_in_date": "2026-12-05"}, "name", "name"),
        ({**move_in, "points": [], "move_in_date": "2026-12-05"}, "points", "at least one"),
    ):
        response = care.post("/care/move-in/", data)
        assert response.status_code == 400, field
        assert expected in " ".join(response.context["form"].errors[field]), (field, response.context["form"].errors)
    assert not Contract.objects.filter(origin=Contract.Origin.DEEMED).exists()
    assert not HomeMove.objects.exists()


def test_a_new_occupier_moving_in_before_the_day_the_previous_occupant_gave_ends_their_contract_then(
    care: Client,
) -> None:
    before = previous_occupant()
    care.post(move_out_url(before), {**FORWARDING, "told_by": "CUSTOMER", "move_out_date": "2026-12-16"})
    point = point_of(before)

    response = care.post(
        "/care/move-in/",
        {
            "postcode": "SE1 7PB",
            "identifier": point.identifier,
            "points": [str(point.pk)],
            "name": "Robin New",
            "move_in_date": "2026-12-08",
        },
    )

    assert response.status_code == 302
    # 13.2: the new occupier moved in on Tuesday 8 December, before the 16th the previous occupant gave us, so their
    # contract ends on the 8th and the two supplies meet without overlapping.
    move = HomeMove.objects.get(account=before)
    assert (move.move_out_date, move.end_date, move.state) == (date(2026, 12, 16), date(2026, 12, 8), "DONE")
    supplies = list(point.supplies.order_by("valid_from").values_list("account", "valid_from", "valid_to"))
    deemed = Contract.objects.get(origin=Contract.Origin.DEEMED)
    assert supplies == [(before.pk, date(2026, 6, 1), date(2026, 12, 8)), (deemed.account_id, date(2026, 12, 8), None)]
    done = words(care.get(response["Location"]))
    assert f"Account {before.number} (Lee Before): contract ends Tuesday 8 December 2026, the move-in day" in done
