"""The account endpoint, as Octopus Energy's: where an account is supplied, through which meter points and meters.

An account not linked to the key's login is answered 404 with exactly the body an unknown number gets.
``agreements`` place each meter point on a tariff over ``[valid_from, valid_to)``, oldest first;
``consumption_standard`` is the supply point's estimated annual consumption (kWh) where known.
"""

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from hearth.data.accounts.models import Fuel, SupplyPoint
from hearth.domain.identity import queries as identity_queries
from hearth.domain.metering import consumption as metering_consumption
from hearth.domain.tariffs import queries as tariff_queries
from hearth.interfaces.api import auth, paging, schemas

router = Router(tags=["accounts"])

_RESPONSES = {200: schemas.AccountOut, 401: schemas.ErrorOut, 404: schemas.ErrorOut}


def _profile_class(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _agreements(supply_point: SupplyPoint) -> list[dict[str, object]]:
    return [
        {"tariff_code": agreement.tariff.code, "valid_from": agreement.valid_from, "valid_to": agreement.valid_to}
        for agreement in tariff_queries.agreements_of(supply_point)
    ]


def _meter_point(point: metering_consumption.MeterPointSupply) -> dict[str, object]:
    supply_point = point.supply_point
    if supply_point.fuel == Fuel.ELECTRICITY:
        return {
            "mpan": supply_point.identifier,
            "profile_class": _profile_class(supply_point.profile_class),
            "consumption_standard": supply_point.annual_consumption_kwh,
            "is_export": False,
            "meters": [
                {
                    "serial_number": meter.serial_number,
                    "registers": [
                        {
                            "identifier": register.identifier,
                            "rate": register.rate,
                            "is_settlement_register": register.is_settlement_register,
                        }
                        for register in meter.registers.all()
                    ],
                }
                for meter in point.meters
            ],
            "agreements": _agreements(supply_point),
        }
    return {
        "mprn": supply_point.identifier,
        "consumption_standard": supply_point.annual_consumption_kwh,
        "meters": [{"serial_number": meter.serial_number} for meter in point.meters],
        "agreements": _agreements(supply_point),
    }


def _property(supplied: metering_consumption.PropertySupplies) -> dict[str, object]:
    premises = supplied.property
    return {
        "id": premises.pk,
        "moved_in_at": supplied.moved_in_at,
        "moved_out_at": supplied.moved_out_at,
        "address_line_1": premises.address_line_1,
        "address_line_2": premises.address_line_2,
        "address_line_3": premises.address_line_3,
        "town": premises.town,
        "county": premises.county,
        "postcode": premises.postcode,
        "electricity_meter_points": [
            _meter_point(point) for point in supplied.meter_points if point.supply_point.fuel == Fuel.ELECTRICITY
        ],
        "gas_meter_points": [
            _meter_point(point) for point in supplied.meter_points if point.supply_point.fuel == Fuel.GAS
        ],
    }


@router.get(
    "/accounts/{number}/",
    response=_RESPONSES,
    url_name="account",
    operation_id="account",
    summary="An account's properties, meter points and meters",
)
@router.get("/accounts/{number}", response=_RESPONSES, url_name="account_no_slash", include_in_schema=False)
def account(request: HttpRequest, number: str) -> dict[str, object]:
    user = auth.login_of(request)
    linked = (
        identity_queries.linked_accounts(user=user).filter(number=number.strip()).first()
        if number.isprintable()  # no account number has control characters (and PostgreSQL refuses NUL)
        else None
    )
    if linked is None:
        raise HttpError(404, paging.NOT_FOUND)
    return {
        "number": linked.number,
        "properties": [_property(supplied) for supplied in metering_consumption.supplied_meter_points(account=linked)],
    }
