"""The REST API's request and response shapes, as existing Octopus Energy API clients expect them.

Quantities are ``Decimal`` everywhere in Hearth; they become JSON numbers only here, at the edge, rounded half-up
to 3 decimal places (a watt-hour, or a litre of gas), because that is what the clients parse: a JSON number.
Response shapes are plain pydantic models rather than ninja ``Schema`` (which reads attributes of ORM objects
through a getter on every nested object): the views hand over dicts, and a page of 25,000 results serialises in
about half the time.

Times are shown in Europe/London with their offset, e.g. ``2026-05-08T00:00:00+01:00`` in summer and
``2026-12-01T00:00:00+00:00`` in winter.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from hearth.common.calendar import LONDON

_THREE_PLACES = Decimal("0.001")

MAX_PAGE_SIZE = 25_000
DEFAULT_PAGE_SIZE = 100


def _number(value: Decimal) -> float:
    return float(value.quantize(_THREE_PLACES, rounding=ROUND_HALF_UP))


def _london(at: datetime) -> str:
    return at.astimezone(LONDON).isoformat()


Number = Annotated[
    Decimal,
    PlainSerializer(_number, return_type=float),
    WithJsonSchema({"type": "number", "description": "Rounded half-up to 3 decimal places"}),
]
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

    period_from: datetime | None = Field(
        None,
        description="Intervals starting at or after this instant (ISO 8601). Without an offset: Europe/London time.",
    )
    period_to: datetime | None = Field(
        None,
        description="Intervals starting before this instant (exclusive, ISO 8601). Without an offset: Europe/London.",
    )
    page_size: int = Field(DEFAULT_PAGE_SIZE, description=f"Results per page, 1 to {MAX_PAGE_SIZE}")
    page: int = Field(1, description="Page number, from 1")
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
