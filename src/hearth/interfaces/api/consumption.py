"""Consumption endpoints, as Octopus Energy's: one meter's intervals or totals over a period, a page at a time.

Every path answers with and without its trailing slash (clients use both). A meter point or meter that is not on
the accounts linked to the key's login is answered 404 with exactly the body an unknown one gets, so a key cannot
be used to find out which meters exist.

Bad parameters: a value of the wrong type or outside the allowed words (``order_by``, ``group_by``) is answered 422
by the schema validation, naming the parameter in ``loc``; a value of the right type that cannot be used (a page
size over 25,000, ``period_to`` not after ``period_from``, a page past the last) is answered 400 with a ``detail``
that starts with the parameter's name.
"""

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja.errors import HttpError

from hearth.common import identifiers
from hearth.data.accounts.models import Fuel
from hearth.domain.metering import consumption as metering_consumption
from hearth.interfaces.api import auth, paging, schemas

router = Router(tags=["consumption"])

_UNIT_NAMES = {"KWH": "kWh", "M3": "m3"}

Mpan = Annotated[
    str, Path(description="The 13-digit MPAN core; a wrong check digit is answered 400", pattern="^[0-9]{13}$")
]
Mprn = Annotated[str, Path(description="The MPRN, 6 to 11 digits", pattern="^[0-9]{6,11}$")]
Serial = Annotated[str, Path(description="The meter's serial number, as the account shows it", max_length=32)]

_RESPONSES = {
    200: schemas.ConsumptionPageOut,
    400: schemas.ErrorOut,
    401: schemas.ErrorOut,
    404: schemas.ErrorOut,
    422: schemas.ValidationErrorOut,
}


def _result(item: metering_consumption.Consumption, fuel: Fuel) -> dict[str, object]:
    if fuel == Fuel.ELECTRICITY:
        quantity, unit = item.kwh, "kWh"
    else:
        quantity, unit = item.quantity, _UNIT_NAMES.get(item.unit, item.unit)
    return {
        "consumption": quantity,
        "interval_start": item.interval_start,
        "interval_end": item.interval_end,
        "unit": unit,
        "consumption_kwh": item.kwh,
        "quality": item.quality,
    }


def _consumption(
    request: HttpRequest, *, fuel: Fuel, parameter: str, identifier: str, serial: str, query: schemas.ConsumptionQuery
) -> dict[str, object]:
    offset = paging.offset(page=query.page, page_size=query.page_size, max_page_size=schemas.MAX_PAGE_SIZE)
    period_from, period_to = paging.aware(query.period_from, "period_from"), paging.aware(query.period_to, "period_to")
    if period_from is not None and period_to is not None and period_to <= period_from:
        raise HttpError(
            400,
            f"period_to: must be after period_from ({period_to.isoformat()} is not after {period_from.isoformat()}).",
        )
    try:
        normalised = (
            identifiers.normalise_mpan_core(identifier)
            if fuel == Fuel.ELECTRICITY
            else identifiers.normalise_mprn(identifier)
        )
    except identifiers.InvalidIdentifier as exc:
        raise HttpError(400, f"{parameter}: {exc}") from exc
    if not serial.isprintable():
        raise HttpError(404, paging.NOT_FOUND)  # no meter has such a serial (and PostgreSQL refuses NUL in a query)
    readable = metering_consumption.readable_meter(
        user=auth.login_of(request), fuel=fuel, identifier=normalised, serial_number=serial
    )
    if readable is None:
        raise HttpError(404, paging.NOT_FOUND)
    page = metering_consumption.consumption_page(
        meter=readable.meter,
        within=readable.windows,
        period_from=period_from,
        period_to=period_to,
        group_by=metering_consumption.GroupBy(query.group_by) if query.group_by else None,
        newest_first=query.order_by == "-period",
        offset=offset,
        limit=query.page_size,
    )
    return paging.answer(
        request,
        page=query.page,
        page_size=query.page_size,
        count=page.count,
        results=[_result(item, fuel) for item in page.results],
    )


_ELECTRICITY = "/electricity-meter-points/{mpan}/meters/{serial}/consumption"
_GAS = "/gas-meter-points/{mprn}/meters/{serial}/consumption"


@router.get(
    _ELECTRICITY + "/",
    response=_RESPONSES,
    url_name="electricity_consumption",
    operation_id="electricity_consumption",
    summary="Electricity consumption of one meter",
    description="Half-hourly (or finer) consumption in kWh, or totals per local period with `group_by`.",
)
@router.get(_ELECTRICITY, response=_RESPONSES, url_name="electricity_consumption_no_slash", include_in_schema=False)
def electricity_consumption(
    request: HttpRequest, mpan: Mpan, serial: Serial, query: Query[schemas.ConsumptionQuery]
) -> dict[str, object]:
    return _consumption(request, fuel=Fuel.ELECTRICITY, parameter="mpan", identifier=mpan, serial=serial, query=query)


@router.get(
    _GAS + "/",
    response=_RESPONSES,
    url_name="gas_consumption",
    operation_id="gas_consumption",
    summary="Gas consumption of one meter",
    description=(
        "Consumption in the meter's own unit (m³ for metric meters, as SMETS2 meters report), with the kWh figure "
        "in `consumption_kwh`, or totals per local period with `group_by`."
    ),
)
@router.get(_GAS, response=_RESPONSES, url_name="gas_consumption_no_slash", include_in_schema=False)
def gas_consumption(
    request: HttpRequest, mprn: Mprn, serial: Serial, query: Query[schemas.ConsumptionQuery]
) -> dict[str, object]:
    return _consumption(request, fuel=Fuel.GAS, parameter="mprn", identifier=mprn, serial=serial, query=query)
