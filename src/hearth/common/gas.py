"""Gas volume to energy: the one home of the conversion formula and its constants (DOMAIN.md, "Gas volume to energy").

``kWh = m³ x 1.02264 (volume correction) x calorific value (MJ/m³) / 3.6``, and an imperial meter's hundreds of
cubic feet are ``m³ = hcf x 2.83``. Results are unrounded: each caller rounds once, to the places it stores or prints.
"""

from decimal import Decimal
from typing import Final

__all__ = ["CUBIC_METRES_PER_HCF", "MEGAJOULES_PER_KWH", "VOLUME_CORRECTION", "hcf_to_cubic_metres", "kwh_of_gas"]

VOLUME_CORRECTION: Final = Decimal("1.02264")
"""Corrects metered volume to standard temperature and pressure (Gas (Calculation of Thermal Energy) Regulations)."""

MEGAJOULES_PER_KWH: Final = Decimal("3.6")

CUBIC_METRES_PER_HCF: Final = Decimal("2.83")
"""One hundred cubic feet in cubic metres, as suppliers convert imperial gas meter reads."""


def kwh_of_gas(*, cubic_metres: Decimal, calorific_value: Decimal) -> Decimal:
    """The energy in a volume of gas, unrounded: m³ x 1.02264 x CV / 3.6 (CV in MJ/m³)."""
    return cubic_metres * VOLUME_CORRECTION * calorific_value / MEGAJOULES_PER_KWH


def hcf_to_cubic_metres(hcf: Decimal) -> Decimal:
    """An imperial meter's hundreds of cubic feet in cubic metres, unrounded: hcf x 2.83."""
    return hcf * CUBIC_METRES_PER_HCF
