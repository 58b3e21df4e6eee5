"""The portal's moving-home page: holders only, the selected (own) account only, field errors for bad input, and
the recorded move with its end day in place of the form."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from hearth.data.contracts.models import HomeMove
from hearth.data.identity.models import AccountLink
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.conftest import PASSWORD, Builder, sign_in
from tests.integration.contracts.move_support import at, household, product_tariff

pytestmark = pytest.mark.django_db

URL = "/services/moving-home/"
FORM = {
    "forwarding_line_1": "8 Harbour View",
    "forwarding_town": "Leith",
    "forwarding_postcode": "EH6 6JJ",
    "forwarding_nation": "SCOTLAND",
    "new_home_nation": "ENGLAND",
}


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    use_documents_folder(monkeypatch, tmp_path / "documents")
    with time_machine.travel(at(date(2026, 12, 7)), tick=False):  # Monday 7 December 2026
        yield


def _signed_in(client: Client, build: Builder, role: AccountLink.Role = AccountLink.Role.HOLDER) -> Any:
    account, _, _ = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 11, 2))
    build.activated_login("casey@example.com", account, role=role)
    assert sign_in(client, "casey@example.com", PASSWORD).status_code == 302
    return account


def test_a_holder_records_a_move_and_sees_the_end_day(client: Client, build: Builder) -> None:
    account = _signed_in(client, build)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {**FORM, "move_out_date": "2026-12-09"})
    assert response.status_code == 302
    move = HomeMove.objects.get(account=account)
    assert move.end_date == date(2026, 12, 9)  # told Monday 7th, two working days before Wednesday 9th
    page = client.get(URL).content.decode()
    assert "You move out on <strong>Wednesday 9 December 2026</strong>. Your contract ends that day" in page
    assert "8 Harbour View" in page


def test_bad_dates_and_missing_address_come_back_as_field_errors(client: Client, build: Builder) -> None:
    _signed_in(client, build)
    response = client.post(URL, {**FORM, "move_out_date": "2027-06-01"})
    assert response.status_code == 400
    assert "more than 90 days away" in response.context["form"].errors["move_out_date"][0]
    response = client.post(URL, {**FORM, "move_out_date": "not a date"})
    assert "real date" in response.context["form"].errors["move_out_date"][0]
    response = client.post(URL, {**FORM, "forwarding_line_1": "", "move_out_date": "2026-12-09"})
    assert response.context["form"].errors["forwarding_line_1"]
    # The new home is the new address: supplying it needs that address.
    response = client.post(
        URL, {**FORM, "forwarding_line_1": "", "move_out_date": "2026-12-09", "supply_new_home": "on"}
    )
    assert "new address above" in response.context["form"].errors["supply_new_home"][0]
    assert not HomeMove.objects.exists()


def test_a_viewer_is_refused(client: Client, build: Builder) -> None:
    _signed_in(client, build, role=AccountLink.Role.VIEWER)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {**FORM, "move_out_date": "2026-12-09"}).status_code == 403
    assert not HomeMove.objects.exists()
