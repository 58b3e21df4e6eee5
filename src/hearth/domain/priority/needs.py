"""The industry's Priority Services Register needs codes, and what each protects against (ADR 0014, ADR 0019).

**Source.** The needs codes suppliers and network operators share since the codes were aligned (electricity June
2017, gas January 2018), as published in Ofgem's Consumer Vulnerability Strategy (refreshed April 2025), Appendix 6
(https://www.ofgem.gov.uk/sites/default/files/2025-04/Final%20CVS%2015042025-20250414111309.pdf, linked from
https://www.ofgem.gov.uk/policy/consumer-vulnerability-strategy). Taken on 7 December 2026 from a public
implementation of that list (a supplier-side PSR tool's needs-code table, codes 1-37 with gaps), cross-checked for the
temporary codes 32-34 against a research note citing Appendix 6; the PDF itself could not be opened from here, so the
list should be checked against it before going live (ADR 0019). Codes are two digits, as in the data flows.
Retired numbers (05-07, 10, 11, 13, 16, 21) are not listed: no new registration may use them. Code 29's wording
differs between sources ("12 months or under", "5 or under"); Ofgem's consumer pages say children under five, which
is kept.

**protected_in_winter** — no disconnection for debt from 1 October to 31 March. Rule: SLC 27.10 protects households
of pensionable age, and "all reasonable steps" for disabled or chronically sick occupants; the Energy UK Safety Net
extends this to children under five. So a need is protected when it shows pensionable age, a young child, a
disability or long-term or serious illness (physical, sensory, mental or cognitive), dependence on powered medical or
care equipment, recovery from hospital, or a householder under 18. Not protected *on its own*: language and
contact preferences (17, 31), a poor sense of smell (27: a gas-safety need), life changes (32: judged case by case by
the vulnerability team) and water dependency (37: a water-sector need).

**no_forced_prepayment** — a prepayment meter may not be fitted or switched to for debt. Rule: Ofgem's involuntary
prepayment rules (SLC 28B and the 2023 Code of Practice) forbid it where it would be unsafe or impractical. A need
rules it out when the code alone shows (a) dependence on a continuous supply for medical or care equipment (01-04,
12, 23-26), (b) a condition where self-disconnection is dangerous (22 chronic or serious illness, which includes
terminal illness; 29 young children; 33 recovery from hospital), or (c) that the household cannot reach, see, use
or top up a meter (08, 09, 15, 20, 28). Where only an assessment can tell — pensionable age (Ofgem's bar is 75 or
over without support), mental health, and the rest — the flag is off and the debt path's welfare check decides.

**temporary** needs last until the date the customer gives (32-34); after it they protect nothing.
"""

from dataclasses import dataclass
from datetime import date
from typing import Final

SOURCE: Final = "Ofgem, Consumer Vulnerability Strategy (April 2025), Appendix 6: PSR needs codes"
SOURCE_URL: Final = "https://www.ofgem.gov.uk/sites/default/files/2025-04/Final%20CVS%2015042025-20250414111309.pdf"
TAKEN_ON: Final = date(2026, 12, 7)


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
    Need("04", "Oxygen concentrator", True, True),
    Need("08", "Blind", True, True),
    Need("09", "Partially sighted", True, True),
    Need("12", "Stair lift, hoist, electric bed", True, True),
    Need("14", "Pensionable age", True, False),
    Need("15", "Physical impairment", True, True),
    Need("17", "Unable to communicate in English", False, False),
    Need("18", "Developmental condition", True, False),
    Need("19", "Unable to answer the door", True, False),
    Need("20", "Dementia or cognitive impairment", True, True),
    Need("22", "Chronic or serious illness", True, True),
    Need("23", "Medically dependent showering or bathing", True, True),
    Need("24", "Careline or telecare system", True, True),
    Need("25", "Medicine refrigeration", True, True),
    Need("26", "Oxygen use", True, True),
    Need("27", "Poor sense of smell or taste", False, False),
    Need("28", "Restricted hand movement", True, True),
    Need("29", "Families with young children (5 or under)", True, True),
    Need("30", "Mental health", True, False),
    Need("31", "Additional presence preferred", False, False),
    Need("32", "Temporary: life changes", False, False, temporary=True),
    Need("33", "Temporary: post-hospital recovery", True, True, temporary=True),
    Need("34", "Temporary: young adult householder (under 18)", True, False, temporary=True),
    Need("35", "Hearing impairment (including Deaf)", True, False),
    Need("36", "Speech impairment", True, False),
    Need("37", "Water dependent", False, False),
)

BY_CODE: Final[dict[str, Need]] = {need.code: need for need in NEEDS}


def need(code: str) -> Need:
    """The need with ``code``. :raises KeyError: no such code."""
    return BY_CODE[code]
