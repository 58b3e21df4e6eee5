"""Submitting a meter reading in the portal (T&C 5.4, 9.4.3): each way a reading is accepted, held or refused.

The household here has ordinary (credit) meters, fitted on 1 January 2026. The electricity register's last reading is
10000 kWh on 25 August 2026, 90 days before "today" (23 November 2026, a stopped clock). The typical domestic use of
2,500 kWh a year makes about 616 kWh expected over those 90 days; "far above expected" starts at three times that plus
a week's use, about 1,897 kWh (the rule in hearth.domain.metering.readings).
"""

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from hearth.data.identity.models import AccountLink
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.domain.metering import readings as metering_readings
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FITTED = datetime(2026, 1, 1, tzinfo=UTC)
LAST_READ = datetime(2026, 8, 25, 12, 0, tzinfo=UTC)
PAGE = "/services/meter-reading/"
RECORDED = "/services/meter-reading/recorded/"


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def home(clock: Any, build: Builder) -> Site:
    site = build.site(
        name="Ada Reader",
        email="ada@example.com",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.CREDIT,
        gas_meter=Meter.Kind.CREDIT,
    )
    Meter.objects.filter(pk__in=[site.electricity_meter.pk, site.gas_meter.pk]).update(installed_at=FITTED)
    metering_readings.record_register_reading(
        register=_register(site.electricity_meter),
        read_at=LAST_READ,
        value=Decimal(10000),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.ACTUAL,
        received_at=LAST_READ,
    )
    return site


def _register(meter: Meter, identifier: str = "S") -> Register:
    return Register.objects.get(meter=meter, identifier=identifier)


@pytest.fixture
def holder(home: Site, client: Client, build: Builder) -> Client:
    build.activated_login("ada@example.com", home.electricity, home.gas)
    assert sign_in(client, "ada@example.com", PASSWORD).status_code == 302
    client.post("/accounts/select/", {"account": home.electricity.pk})
    return client


def _post(client: Client, meter: Meter, readings: dict[str, str], **extra: str) -> Any:
    prefix = f"meter-{meter.pk}-"
    data = {"meter": str(meter.pk), f"{prefix}read_date": extra.pop("read_date", "2026-11-23")}
    for identifier, value in readings.items():
        data[f"{prefix}reading_{_register(meter, identifier).pk}"] = value
    for name, value in extra.items():
        data[f"{prefix}{name}"] = value
    return client.post(PAGE, data)


def _stored(meter: Meter) -> list[RegisterReading]:
    return list(
        RegisterReading.objects.filter(register__meter=meter, source=ReadingSource.CUSTOMER).order_by("read_at", "id")
    )


def test_the_form_has_a_box_per_register_with_its_last_reading(holder: Client, home: Site) -> None:
    Register.objects.create(meter=home.electricity_meter, identifier="NT", rate=Register.Rate.NIGHT)

    page = _text(holder.get(PAGE))

    assert "Standard rate reading, in kWh (register S)" in page
    assert "Last reading: 10000 on 25 August 2026." in page
    assert "Night rate reading, in kWh (register NT)" in page
    assert "We have no reading of this register yet." in page
    assert re.search(r'name="meter-\d+-read_date" value="2026-11-23"', holder.get(PAGE).content.decode())


def test_a_reading_is_recorded_and_the_confirmation_shows_what_was_recorded(holder: Client, home: Site) -> None:
    response = _post(holder, home.electricity_meter, {"S": "10500"})

    assert (response.status_code, response["Location"]) == (302, RECORDED)
    (reading,) = _stored(home.electricity_meter)
    assert (reading.value, reading.read_at, reading.status) == (Decimal(10500), TODAY, "ACCEPTED")
    assert reading.kind == RegisterReading.Kind.CUSTOMER
    page = _text(holder.get(RECORDED))
    assert (
        f"{home.electricity_meter.serial_number} Standard rate (register S) 10500 kWh 23 November 2026 Accepted" in page
    )


def test_a_reading_for_an_earlier_day_is_dated_that_day(holder: Client, home: Site) -> None:
    _post(holder, home.electricity_meter, {"S": "10400"}, read_date="2026-11-20")

    (reading,) = _stored(home.electricity_meter)
    assert reading.read_at == datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # midday UK time (GMT in November)
    assert "20 November 2026" in _text(holder.get(RECORDED))


def test_a_reading_lower_than_the_last_is_refused(holder: Client, home: Site) -> None:
    response = _post(holder, home.electricity_meter, {"S": "9000"})

    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert "lower than the last reading 10000 on 25 August 2026" in page
    assert "if the meter has been replaced, say so" in page
    assert _stored(home.electricity_meter) == []


def test_a_lower_reading_from_a_replaced_meter_goes_to_care_staff(holder: Client, home: Site) -> None:
    response = _post(holder, home.electricity_meter, {"S": "00012"}, meter_replaced="on")

    assert response.status_code == 302
    (reading,) = _stored(home.electricity_meter)
    assert reading.status == RegisterReading.Status.FOR_REVIEW
    assert reading.value == Decimal(12)
    page = _text(holder.get(RECORDED))
    assert "passed this reading to our Customer Care Team" in page
    assert "12 kWh 23 November 2026 Waiting for care staff" in page


def test_a_reading_far_above_expected_asks_the_customer_to_confirm_it(holder: Client, home: Site) -> None:
    response = _post(holder, home.electricity_meter, {"S": "15000"})

    assert response.status_code == 400
    page = _text(response)
    assert "This reading means 5000 kWh was used since the last reading on 25 August 2026" in page
    assert "Yes, this reading is right" in page
    assert _stored(home.electricity_meter) == []

    register = _register(home.electricity_meter)
    unconfirmed_again = _post(holder, home.electricity_meter, {"S": "15000"})
    assert "Yes, this reading is right" in _text(unconfirmed_again)
    assert _stored(home.electricity_meter) == []

    confirmed = _post(holder, home.electricity_meter, {"S": "15000"}, **{f"confirm_{register.pk}": "on"})

    assert confirmed.status_code == 302
    (reading,) = _stored(home.electricity_meter)
    assert (reading.value, reading.status) == (Decimal(15000), RegisterReading.Status.ACCEPTED)
    assert "confirmed by the sender" in reading.note
    assert "15000 kWh 23 November 2026 Accepted" in _text(holder.get(RECORDED))


def test_one_refused_register_stores_none_of_the_meters_readings(holder: Client, home: Site) -> None:
    Register.objects.create(meter=home.electricity_meter, identifier="NT", rate=Register.Rate.NIGHT)

    response = _post(holder, home.electricity_meter, {"S": "9000", "NT": "500"})

    assert response.status_code == 400
    assert _stored(home.electricity_meter) == []


@pytest.mark.parametrize(
    ("value", "read_date", "message"),
    [
        ("", "2026-11-23", "Enter the reading of register S."),
        ("ten thousand", "2026-11-23", "Enter the reading of register S as a number, like 12345 or 12345.6."),
        ("-5", "2026-11-23", "The reading of register S cannot be negative."),
        ("123456", "2026-11-23", "Register S shows 5 digits before any decimal point"),
        ("10500", "2026-11-24", "The date you read the meter cannot be in the future."),
        ("10500", "2025-12-31", "was fitted on 1 January 2026: choose that day or later."),
        ("10500", "23/11/2026", "Enter the date you read the meter as a real date, like 2026-10-25."),
    ],
)
def test_bad_input_is_explained_beside_its_field(
    holder: Client, home: Site, value: str, read_date: str, message: str
) -> None:
    response = _post(holder, home.electricity_meter, {"S": value}, read_date=read_date)

    assert response.status_code == 400
    assert message in _text(response)
    assert _stored(home.electricity_meter) == []


def test_a_viewer_may_not_submit_readings(home: Site, client: Client, build: Builder) -> None:
    build.activated_login("viewer@example.com", home.electricity, role=AccountLink.Role.VIEWER)
    assert sign_in(client, "viewer@example.com", PASSWORD).status_code == 302

    assert client.get(PAGE).status_code == 403
    assert _post(client, home.electricity_meter, {"S": "10500"}).status_code == 403
    assert _stored(home.electricity_meter) == []


def test_an_authorised_person_may_submit_readings(home: Site, client: Client, build: Builder) -> None:
    build.activated_login("deputy@example.com", home.electricity, role=AccountLink.Role.AUTHORISED)
    assert sign_in(client, "deputy@example.com", PASSWORD).status_code == 302

    assert _post(client, home.electricity_meter, {"S": "10500"}).status_code == 302
    assert len(_stored(home.electricity_meter)) == 1


def test_meters_that_read_themselves_have_no_form(clock: Any, signed_in: Client, household: Site) -> None:
    signed_in.post("/accounts/select/", {"account": household.electricity.pk})  # a smart meter

    page = _text(signed_in.get(PAGE))
    response = signed_in.post(PAGE, {"meter": household.electricity_meter.pk})

    assert "send their readings to us by themselves" in page
    assert response.status_code == 404


def test_another_customers_meter_is_not_found(holder: Client, build: Builder) -> None:
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.CREDIT,
        gas_meter=Meter.Kind.CREDIT,
    )

    response = _post(holder, other.electricity_meter, {"S": "10500"})

    assert response.status_code == 404
    assert _stored(other.electricity_meter) == []


def test_the_confirmation_page_shows_nothing_of_another_account(holder: Client, home: Site) -> None:
    _post(holder, home.electricity_meter, {"S": "10500"})
    holder.post("/accounts/select/", {"account": home.gas.pk})

    page = _text(holder.get(RECORDED))

    assert "No reading recorded" in page
    assert "10500" not in page
