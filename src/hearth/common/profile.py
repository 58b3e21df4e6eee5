"""The seasonal profile that spreads a supply point's annual consumption over the days of the year.

An estimated reading on day D is the last reading plus the annual consumption (EAC for electricity, AQ for gas) times
the share of the year's use that falls between the two (``DOMAIN.md``, "Consumption and estimates"). Each day ``d`` of
a calendar year has a weight ``c_d > 0`` and the weights of a year sum to 1, so a whole year's share is the whole
annual consumption.

The weights here are a cosine peaking in mid-January, with a deeper swing for gas (heating) than for electricity:
``c_d ∝ 1 + swing x cos(2π (d - peak) / days in the year)``. The industry's own profiles (Elexon's profile coefficients,
the gas transporters' seasonal normal demand) are not held and these weightings are **unconfirmed**: bills call the
method simply "estimated", and the next actual reading trues any estimate up.
"""

import math
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Final

__all__ = ["PEAK_DAY_OF_YEAR", "SWING", "daily_weight", "share_of_year"]

SWING: Final = {"ELECTRICITY": 0.2, "GAS": 0.6}
"""How far a day's weight moves from the year's mean, by fuel (the codes of ``Fuel``): unconfirmed figures.

Gas at 0.6 makes a mid-January day use four times a mid-July day, as home heating does; electricity at 0.2 makes it
half as much again (lighting, some electric heating).
"""

PEAK_DAY_OF_YEAR: Final = 15
"""The weights peak on 15 January, the middle of the coldest month."""

_WEIGHT_PLACES: Final = Decimal("1e-15")
"""Weights are kept to 15 places: sums of them are then exact in Decimal, and a year sums to 1 within 4e-13."""


def _swing(fuel: str) -> float:
    try:
        return SWING[str(fuel)]
    except KeyError:
        raise ValueError(f"No seasonal profile for fuel {fuel!r}: expected ELECTRICITY or GAS.") from None


@lru_cache(maxsize=64)
def _cumulative(year: int, fuel: str) -> tuple[Decimal, ...]:
    """``[0, c_1, c_1 + c_2, ...]`` for the days of ``year``: a share is then the difference of two entries."""
    swing = _swing(fuel)
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    raw = [1 + swing * math.cos(2 * math.pi * (d - PEAK_DAY_OF_YEAR) / days) for d in range(1, days + 1)]
    total = math.fsum(raw)
    running = Decimal(0)
    cumulative = [running]
    for weight in raw:
        running += Decimal(weight / total).quantize(_WEIGHT_PLACES)
        cumulative.append(running)
    return tuple(cumulative)


def daily_weight(day: date, fuel: str) -> Decimal:
    """``c_d``: the share of a year's use that falls on ``day`` (positive; a calendar year's days sum to 1).

    :raises ValueError: for a fuel other than ``ELECTRICITY`` or ``GAS``.
    """
    cumulative = _cumulative(day.year, str(fuel))
    index = day.timetuple().tm_yday
    return cumulative[index] - cumulative[index - 1]


def share_of_year(start_date: date, end_date: date, fuel: str) -> Decimal:
    """The share of a year's use falling on the days ``[start_date, end_date)``: the sum of their ``c_d``.

    It may exceed 1 over more than a year, and is 0 for an empty range.

    :raises ValueError: if the range ends before it starts, or for an unknown fuel.
    """
    if end_date < start_date:
        raise ValueError(f"A range of days must not end before it starts; got {start_date} to {end_date}.")
    share = Decimal(0)
    day = start_date
    while day < end_date:
        cumulative = _cumulative(day.year, str(fuel))
        year_end = date(day.year + 1, 1, 1)
        stop = min(end_date, year_end)
        first = day.timetuple().tm_yday - 1
        last = first + (stop - day).days
        share += cumulative[last] - cumulative[first]
        day = stop
    return share
