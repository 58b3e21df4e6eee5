"""The industry's Priority Services Register needs codes, and what each protects against (ADR 0014).

Each need says whether it makes the household **protected in winter** (no disconnection for debt from 1 October to
31 March: Ofgem SLC 27.10 for pensioners, extended by the Energy UK Safety Net to households with a disability,
chronic illness or young children) and whether it **rules out a prepayment meter forced for debt** (Ofgem's
involuntary prepayment rules, 2023: medical dependency on a continuous supply, conditions made worse by the cold,
terminal illness, and the like).

The list, its source and the date it was taken are kept with it (issue 12); ``NEEDS`` is the one place to change.
"""

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Need:
    """One needs code: its plain name and the protections it brings."""

    code: str
    name: str
    protected_in_winter: bool
    no_forced_prepayment: bool
    temporary: bool = False


NEEDS: Final[tuple[Need, ...]] = (
    Need("01", "Nebuliser and apnoea monitor", True, True),
    Need("02", "Heart, lung and ventilator", True, True),
    Need("03", "Dialysis, feeding pump and automated medication", True, True),
    Need("04", "Oxygen use", True, True),
    Need("07", "Pensionable age", True, False),
    Need("18", "Families with young children (5 or under)", True, False),
    Need("27", "Chronic or serious illness", True, True),
    Need("36", "Mental health", False, False),
)
"""Provisional core list: issue 12's register work replaces it with the full published list and its source."""

BY_CODE: Final[dict[str, Need]] = {need.code: need for need in NEEDS}


def need(code: str) -> Need:
    """The need with ``code``. :raises KeyError: no such code."""
    return BY_CODE[code]
