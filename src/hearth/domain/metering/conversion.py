"""Gas volume to energy, and imperial meter units to metric (DOMAIN.md, "Gas volume to energy").

``kWh = m³ x 1.02264 (volume correction) x calorific value (MJ/m³) / 3.6``, and an imperial meter's hundreds of
cubic feet are ``m³ = hcf x 2.83`` (formula and constants in :mod:`hearth.common.gas`). The calorific value
changes daily by local distribution zone; until daily values
are loaded, the configured default ``HEARTH_DEFAULT_CALORIFIC_VALUE`` (39.5 MJ/m³) is used.

Stored quantities have 4 decimal places: :func:`stored` rounds once, half-up, after the whole calculation.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.conf import settings

from hearth.common import gas
from hearth.data.metering.models import AmrDevice

VOLUME_CORRECTION: Final = gas.VOLUME_CORRECTION
MEGAJOULES_PER_KWH: Final = gas.MEGAJOULES_PER_KWH

STORED_PLACES: Final = Decimal("0.0001")
"""Quantities and kWh are stored to 4 decimal places (IntervalConsumption, DailyConsumption)."""


def default_calorific_value() -> Decimal:
    """The calorific value (MJ/m³) used when no daily value is loaded: setting HEARTH_DEFAULT_CALORIFIC_VALUE."""
    return Decimal(str(settings.HEARTH_DEFAULT_CALORIFIC_VALUE))


def stored(value: Decimal) -> Decimal:
    """Round a quantity or kWh figure to the 4 decimal places it is stored with, half-up."""
    return value.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)


def gas_kwh(*, cubic_metres: Decimal, calorific_value: Decimal | None = None) -> Decimal:
    """The energy in a volume of gas, unrounded: m³ x 1.02264 x CV / 3.6 (CV in MJ/m³, default from settings)."""
    cv = default_calorific_value() if calorific_value is None else calorific_value
    return gas.kwh_of_gas(cubic_metres=cubic_metres, calorific_value=cv)


hcf_to_cubic_metres: Final = gas.hcf_to_cubic_metres


def kwh_of(*, quantity: Decimal, unit: str, calorific_value: Decimal | None = None) -> Decimal:
    """The kWh figure of a quantity in a meter's own unit (kWh as it is; m³ through :func:`gas_kwh`), unrounded.

    :raises ValueError: for a unit Hearth does not know.
    """
    if unit == AmrDevice.Unit.KWH:
        return quantity
    if unit == AmrDevice.Unit.CUBIC_METRES:
        return gas_kwh(cubic_metres=quantity, calorific_value=calorific_value)
    raise ValueError(f"Unknown unit {unit!r}: expected KWH or M3.")
