"""What the AMR integration tests share: daily messages signed as a device signs them, and the business they are for.

Messages are built here with binascii (not with the code under test), so their CRC is checked independently.
"""

import binascii
from datetime import UTC, date, datetime

import time_machine

from hearth.data.accounts.models import Customer
from hearth.data.metering.models import Meter
from tests.integration.conftest import Builder, Site


def crc(data: str) -> str:
    """The CRC-16/CCITT-FALSE of `data`, as four upper-case hex digits."""
    return f"{binascii.crc_hqx(data.encode('ascii'), 0xFFFF):04X}"


def message(serial: str, day: date, counter: int, counts: list[int], *, minutes: int = 30) -> str:
    """An AMR1 daily message with its CRC."""
    data = f"AMR1;{serial};{day:%Y%m%d};{minutes};{counter};{','.join(str(c) for c in counts)};"
    return f"{data}C{crc(data)}"


def amr_business(build: Builder, *, gas_meter: Meter.Kind = Meter.Kind.CREDIT) -> Site:
    """A business with an AMR electricity meter and a gas meter (`gas_meter`), both in place since December 2025."""
    with time_machine.travel(datetime(2025, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        return build.site(
            name="Brightwell Bakery Ltd",
            email="accounts@brightwell.example",
            postcode="EH6 6QU",
            electricity_meter=Meter.Kind.AMR,
            gas_meter=gas_meter,
            kind=Customer.Kind.ORGANISATION,  # within-day data by contract (a household needs consent, T&C 7.7)
        )
