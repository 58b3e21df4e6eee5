"""The API takes times as RFC 3339 text only and writes every time in RFC 3339 (issue 14)."""

from datetime import UTC, datetime

import pytest

from hearth.interfaces.api import schemas
from tests.integration.test_api_consumption import reader  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("1780000000", "a number is not a time"),
        ("2026-5-8", "a date without its zeros"),
        ("2026-05-08 00:00:00Z", "a space for T"),
        ("2026-05-08T00", "no minutes"),
        ("2026-05-08T00:00:00+0100", "an offset without its colon"),
    ],
)
def test_a_time_not_in_rfc_3339_form_is_refused_naming_the_parameter(reader, value, why):  # noqa: F811
    response = reader.get(reader.electricity_path, period_from=value)
    assert response.status_code == 422, why
    [problem] = response.json()["detail"]
    assert problem["loc"][-1] == "period_from"
    assert "RFC 3339" in problem["msg"]


def test_an_unencoded_plus_in_the_offset_gets_a_hint(reader):  # noqa: F811
    response = reader.get(reader.electricity_path, period_from="2026-05-08T00:00:00 01:00")
    assert response.status_code == 422
    assert "%2B" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "value",
    [
        "2026-05-08T00:00:00+01:00",
        "2026-05-07T23:00:00Z",
        "2026-05-07t23:00:00.5z",
        "2026-05-08T00:00:00",
        "2026-05-07T23:00Z",  # Octopus Energy's documented form
        "2026-05-08",  # local midnight
    ],
)
def test_rfc_3339_times_with_or_without_an_offset_or_seconds_are_taken(reader, value):  # noqa: F811
    assert reader.get(reader.electricity_path, period_from=value).status_code == 200


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        (datetime(2026, 5, 7, 23, 0, tzinfo=UTC), "2026-05-08T00:00:00+01:00"),
        (datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "2026-12-01T00:00:00+00:00"),
        # Before 1 December 1847 London kept local mean time, 1 minute 15 seconds behind Greenwich.
        (datetime(1800, 1, 1, 0, 0, tzinfo=UTC), "1800-01-01T00:00:00+00:00"),
    ],
)
def test_times_are_written_in_rfc_3339(instant, shown):
    assert schemas._london(instant) == shown
