"""The REST API's request and response shapes, as existing Octopus Energy API clients expect them.

Quantities are ``Decimal`` everywhere in Hearth; they become JSON numbers only here, at the edge, rounded half-up
to 3 decimal places (a watt-hour, or a litre of gas), because that is what the clients parse: a JSON number.
Response shapes are plain pydantic models rather than ninja ``Schema`` (which reads attributes of ORM objects
through a getter on every nested object): the views hand over dicts, and a page of 25,000 results serialises in
about half the time.

Times are shown in Europe/London with their offset, e.g. ``2026-05-08T00:00:00+01:00`` in summer and
``2026-12-01T00:00:00+00:00`` in winter: RFC 3339, so an instant before 1 December 1847, when London kept its own
mean time (an offset of -00:01:15, which RFC 3339 cannot write), is shown in UTC. Times given are RFC 3339 text only
(a number is not a time); as Octopus Energy's API takes them, the seconds may be left out, a time without an
offset is Europe/London time and a date alone is its local midnight.

Limits the server enforces are in the schema where OpenAPI can say them (``minimum``/``maximum``, ``pattern``); the
rest — an MPAN's check digit, ``period_to`` after ``period_from``, a page past the last — are answered 400 with a
``detail`` that starts with the parameter's name, as each parameter's description says.
"""

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator, PlainSerializer, WithJsonSchema

from hearth.common.calendar import LONDON

_THREE_PLACES = Decimal("0.001")

MAX_PAGE_SIZE = 25_000
DEFAULT_PAGE_SIZE = 100
PAGE_SIZE_LIMITS: dict[str, Any] = {"minimum": 1, "maximum": MAX_PAGE_SIZE}
PAGE_LIMITS: dict[str, Any] = {"minimum": 1}
"""In the schema only: a value outside is answered 400 naming the parameter (``paging.offset``), not 422."""


def _number(value: Decimal) -> float:
    return float(value.quantize(_THREE_PLACES, rounding=ROUND_HALF_UP))


def _london(at: datetime) -> str:
    local = at.astimezone(LONDON)
    offset = local.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        return at.astimezone(UTC).isoformat()  # London mean time before 1847: RFC 3339 offsets are whole minutes
    return local.isoformat()


_RFC_3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
)
"""RFC 3339 date-time or full-date (local midnight); the seconds and the offset may be left out, as Octopus Energy's
API documents them (``2020-03-29T00:00Z``)."""
TIME_EXAMPLE = "2026-05-08T00:00:00+01:00"


def _rfc_3339(value: object) -> object:
    """Only RFC 3339 text (or a default already a datetime) becomes a time: pydantic would take a number too."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _RFC_3339.fullmatch(value):
        return value
    hint = " (a + in a URL is written %2B)" if isinstance(value, str) and " " in value else ""
    raise ValueError(f"must be a date and time in RFC 3339 form, like {TIME_EXAMPLE} or 2026-05-07T23:00:00Z{hint}")


Number = Annotated[
    Decimal,
    PlainSerializer(_number, return_type=float),
    WithJsonSchema({"type": "number", "description": "Rounded half-up to 3 decimal places"}),
]
TimeParameter = Annotated[
    datetime,
    BeforeValidator(_rfc_3339),
    WithJsonSchema({"type": "string", "format": "date-time", "example": TIME_EXAMPLE}),
]
"""A time given as a query parameter: RFC 3339 text; without an offset, Europe/London time."""

LondonTime = Annotated[
    datetime,
    PlainSerializer(_london, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2026-05-08T00:00:00+01:00"}),
]


class ErrorOut(BaseModel):
    detail: str = Field(description="What was wrong, naming the parameter where one was")


class ValidationErrorOut(BaseModel):
    detail: list[dict[str, Any]] = Field(description="One entry per bad parameter; `loc` names it")


class ConsumptionQuery(Schema):
    """The consumption endpoints' query parameters (as Octopus Energy's API takes them)."""

    period_from: TimeParameter | None = Field(
        None,
        description="Intervals starting at or after this instant (RFC 3339). Without an offset: Europe/London time.",
    )
    period_to: TimeParameter | None = Field(
        None,
        description="Intervals starting before this instant (exclusive, RFC 3339). Without an offset: Europe/London.",
    )
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, description=f"Results per page, 1 to {MAX_PAGE_SIZE}", json_schema_extra=PAGE_SIZE_LIMITS
    )
    page: int = Field(1, description="Page number, from 1", json_schema_extra=PAGE_LIMITS)
    order_by: Literal["period", "-period"] = Field("-period", description="`period` oldest first, `-period` newest")
    group_by: Literal["hour", "day", "week", "month", "quarter"] | None = Field(
        None,
        description="Totals per Europe/London hour, day, week (from Monday), month or quarter; none: raw intervals",
    )


class ConsumptionOut(BaseModel):
    consumption: Number = Field(
        description="Energy used: kWh for electricity; for gas in the meter's own unit (see `unit`)"
    )
    interval_start: LondonTime
    interval_end: LondonTime
    unit: str = Field(description="The unit of `consumption`: `kWh` or `m3`")
    consumption_kwh: Number = Field(description="The same consumption in kWh (gas: converted by volume and CV)")
    quality: str = Field(
        description="ACTUAL, ESTIMATED, or MISSING (part of the period has no data; the total covers what arrived)"
    )


class ConsumptionPageOut(BaseModel):
    count: int = Field(description="How many results there are over all pages")
    next: str | None = Field(description="The absolute URL of the next page, or null")
    previous: str | None = Field(description="The absolute URL of the previous page, or null")
    results: list[ConsumptionOut]


class RegisterOut(BaseModel):
    identifier: str
    rate: str = Field(description="STANDARD, DAY, NIGHT or OTHER")
    is_settlement_register: bool


class ElectricityMeterOut(BaseModel):
    serial_number: str
    registers: list[RegisterOut]


class GasMeterOut(BaseModel):
    serial_number: str


class AgreementOut(BaseModel):
    tariff_code: str
    valid_from: LondonTime
    valid_to: LondonTime | None


class ElectricityMeterPointOut(BaseModel):
    mpan: str
    profile_class: int | None = Field(description="1 to 8; null under market-wide half-hourly settlement")
    consumption_standard: Number | None = Field(description="Estimated annual consumption in kWh, or null")
    is_export: bool
    meters: list[ElectricityMeterOut]
    agreements: list[AgreementOut]


class GasMeterPointOut(BaseModel):
    mprn: str
    consumption_standard: Number | None = Field(description="Annual quantity in kWh, or null")
    meters: list[GasMeterOut]
    agreements: list[AgreementOut]


class PropertyOut(BaseModel):
    id: int
    moved_in_at: LondonTime
    moved_out_at: LondonTime | None
    address_line_1: str
    address_line_2: str
    address_line_3: str
    town: str
    county: str
    postcode: str
    electricity_meter_points: list[ElectricityMeterPointOut]
    gas_meter_points: list[GasMeterPointOut]


class AccountOut(BaseModel):
    number: str
    properties: list[PropertyOut]
