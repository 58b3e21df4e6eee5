"""Half-hourly data consent in the portal (T&C 7.7): a household opts in and out, each change kept with its time.

Without consent a household's smart meter data is shown as daily totals only; a business's within-day data is part
of its contract, so it has no choice to make.
"""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from hearth.data.accounts.models import Customer, Supply
from hearth.data.audit.models import AuditEvent
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import HalfHourlyConsent, Meter
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in

pytestmark = pytest.mark.django_db

CONSENT = "/services/half-hourly-data/"


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Any:
    """A stopped clock at 09:00 UTC on 23 November 2026, set before anything is made or anyone signs in."""
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def holder(clock: Any, signed_in: Client, household: Site) -> Client:
    """The household's holder, looking at the electricity account (its smart meter)."""
    signed_in.post("/accounts/select/", {"account": household.electricity.pk})
    return signed_in


def _choose(client: Client, household: Site, choice: str) -> Any:
    return client.post(CONSENT, {"supply_point": household.electricity_meter.supply_point.pk, "choice": choice})


def _within_day_page(client: Client, household: Site) -> str:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()  # the frozen clock's
    meter = household.electricity_meter
    Supply.objects.filter(account=household.electricity).update(valid_from=date(2026, 1, 1))
    return _text(client.get(f"/services/consumption/{meter.pk}/day/?day={yesterday.isoformat()}"))


def test_a_household_keeps_daily_totals_until_it_opts_in(holder: Client, household: Site) -> None:
    page = _text(holder.get(CONSENT))

    assert household.electricity_meter.supply_point.identifier in page
    assert "Your choice now: Keep daily totals only" in page
    assert "Opt in: keep half-hourly data" in page


def test_opting_in_is_recorded_with_its_time_and_shows_half_hours(holder: Client, household: Site, clock: Any) -> None:
    assert "Half-hourly figures are not available" in _within_day_page(holder, household)
    at = datetime(2026, 11, 23, 9, 5, 30, tzinfo=UTC)
    clock.move_to(at)

    response = _choose(holder, household, "in")

    assert response.status_code == 302
    consent = HalfHourlyConsent.objects.get(supply_point=household.electricity_meter.supply_point)
    assert consent.granted is True
    assert consent.recorded_at == at
    assert consent.recorded_by == User.objects.get(email="jo.bloggs@example.com")
    page = _text(holder.get(CONSENT))
    assert "Recorded at 09:05 on 23 November 2026" in page  # UK time: GMT in November
    assert "Your choice now: Keep half-hourly data" in page
    assert "23 November 2026, 09:05 Opted in: half-hourly data You" in page
    assert "Half-hourly figures are not available" not in _within_day_page(holder, household)
    assert AuditEvent.objects.filter(action="half-hourly data consent given").count() == 1


def test_opting_out_is_recorded_and_hides_half_hours_again(holder: Client, household: Site, clock: Any) -> None:
    _choose(holder, household, "in")
    clock.move_to(datetime(2026, 11, 23, 9, 20, tzinfo=UTC))
    _choose(holder, household, "out")

    changes = list(
        HalfHourlyConsent.objects.filter(supply_point=household.electricity_meter.supply_point)
        .order_by("recorded_at")
        .values_list("granted", "recorded_at")
    )
    assert changes == [
        (True, datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        (False, datetime(2026, 11, 23, 9, 20, tzinfo=UTC)),
    ]
    page = _text(holder.get(CONSENT))
    assert "Your choice now: Keep daily totals only" in page
    assert "23 November 2026, 09:20 Opted out: daily totals only" in page
    assert "Half-hourly figures are not available" in _within_day_page(holder, household)


def test_choosing_the_same_again_records_nothing(holder: Client, household: Site) -> None:
    _choose(holder, household, "out")

    assert HalfHourlyConsent.objects.count() == 0
    assert "No change" in _text(holder.get(CONSENT))


@pytest.mark.parametrize("role", [AccountLink.Role.VIEWER, AccountLink.Role.AUTHORISED])
def test_only_the_account_holder_may_change_the_choice(
    clock: Any, client: Client, build: Builder, household: Site, role: AccountLink.Role
) -> None:
    build.activated_login("other.person@example.com", household.electricity, role=role)
    assert sign_in(client, "other.person@example.com", PASSWORD).status_code == 302

    page = _text(client.get(CONSENT))
    response = _choose(client, household, "in")

    assert "Only the account holder can change this choice." in page
    assert "Opt in" not in page
    assert response.status_code == 403
    assert HalfHourlyConsent.objects.count() == 0


def test_another_accounts_supply_point_is_not_found(holder: Client, household: Site, build: Builder) -> None:
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.CREDIT,
    )

    response = holder.post(CONSENT, {"supply_point": other.electricity_meter.supply_point.pk, "choice": "in"})

    assert response.status_code == 404
    assert HalfHourlyConsent.objects.count() == 0


def test_a_bad_choice_is_explained(holder: Client, household: Site) -> None:
    response = holder.post(CONSENT, {"supply_point": household.electricity_meter.supply_point.pk, "choice": "maybe"})

    assert response.status_code == 400
    assert "Choose half-hourly data or daily totals." in _text(response)
    assert HalfHourlyConsent.objects.count() == 0


def test_a_business_is_told_within_day_data_is_part_of_its_contract(client: Client, build: Builder) -> None:
    site = build.site(
        name="Brightwell Bakery Ltd",
        email="accounts@brightwell.example",
        postcode="EH6 6QU",
        electricity_meter=Meter.Kind.SMART,
        gas_meter=Meter.Kind.CREDIT,
        kind=Customer.Kind.ORGANISATION,
    )
    build.activated_login("accounts@brightwell.example", site.electricity)
    assert sign_in(client, "accounts@brightwell.example", PASSWORD).status_code == 302

    page = _text(client.get(CONSENT))
    client.post(CONSENT, {"supply_point": site.electricity_meter.supply_point.pk, "choice": "out"})

    assert "part of your business contract" in page or "as your supply contract provides" in page
    assert "Opt in" not in page
    assert "Opt out" not in page
    assert HalfHourlyConsent.objects.count() == 0
