"""The daily SMS an AMR device sends: its format, its CRC and the intervals of a UK local day.

A message reads (``docs/amr-sms.md`` has a worked example)::

    AMR1;<device serial>;<local date YYYYMMDD>;<interval minutes>;<pulse counter at end of day>;<counts>;C<CRC>

- ``<counts>`` are the pulses counted in each interval of the Europe/London day, comma-separated, in time order:
  48 half-hours (46 on the spring clock-change day, 50 on the autumn one), or 96 quarter-hours (92 or 100).
- ``<CRC>`` is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR;
  ``binascii.crc_hqx(data, 0xFFFF)``) over the ASCII bytes of everything before the ``C`` of the last field, the
  ``;`` in front of it included, written as 4 hexadecimal digits (devices send upper case; lower case is accepted).
- The pulse counter is a 32-bit unsigned number: after 4 294 967 295 it rolls over to 0.

:func:`parse_amr_sms` never raises anything but :class:`AmrMessageError`, whatever text it is given, so a gateway
webhook or a file import can keep any message with the reason it was refused. Plain Python: no Django here.
"""

import binascii
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from hearth.common.calendar import day_starts_at

__all__ = [
    "COUNTER_MODULUS",
    "INTERVAL_MINUTES",
    "PREFIX",
    "AmrDay",
    "AmrMessageError",
    "counter_advance",
    "crc_of",
    "format_amr_sms",
    "interval_name",
    "interval_starts",
    "intervals_in_day",
    "is_valid_serial",
    "parse_amr_sms",
]

PREFIX: Final = "AMR1"
"""The format (and version) marker every message starts with."""

INTERVAL_MINUTES: Final = (30, 15)
"""The interval lengths a device may report: half-hours or quarter-hours."""

COUNTER_MODULUS: Final = 2**32
"""The pulse counter is 32-bit unsigned: it counts 0 … 4 294 967 295 and then starts again at 0."""

FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099
"""Dates outside these years are refused: no device reported before 2000, and it keeps date arithmetic in range."""

_FIELDS: Final = 7
MAX_SERIAL: Final = 32
_MAX_NUMBER_DIGITS: Final = 10  # 4 294 967 295 has 10 digits
_SERIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
_CRC_FIELD = re.compile(r"C([0-9A-Fa-f]{4})")
_DIGITS = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{8}")
_SHOWN: Final = 20  # how much of an unreadable field a reason quotes


class AmrMessageError(ValueError):
    """The message cannot be read; the message says which field is wrong and how, in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AmrDay:
    """What one daily message reports: a device's pulse counts for each interval of one local day."""

    serial: str
    day: date
    interval_minutes: int
    counter_end: int
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """The pulses counted over the whole day."""
        return sum(self.counts)


def is_valid_serial(serial: str) -> bool:
    """Whether a device serial can appear in a message: 1 to 32 letters, digits, '.', '_', '/', '-' (no ';')."""
    return len(serial) <= MAX_SERIAL and _SERIAL.fullmatch(serial) is not None


def interval_name(minutes: int) -> str:
    """``half-hours`` or ``quarter-hours``: what people call the intervals."""
    return "half-hours" if minutes == 30 else "quarter-hours" if minutes == 15 else f"{minutes}-minute intervals"


def _day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """The UTC instants of the local midnights that begin and end ``day`` (midnight always exists in London)."""
    return day_starts_at(day), day_starts_at(day + timedelta(days=1))


def intervals_in_day(day: date, minutes: int) -> int:
    """How many intervals of ``minutes`` the Europe/London day has: 48 half-hours, 46 or 50 on clock-change days.

    :raises ValueError: if ``minutes`` does not divide the day.
    """
    start, end = _day_bounds_utc(day)
    length = int((end - start).total_seconds()) // 60
    if minutes <= 0 or length % minutes:
        raise ValueError(f"{minutes}-minute intervals do not divide the {length} minutes of {day.isoformat()}.")
    return length // minutes


def interval_starts(day: date, minutes: int) -> list[datetime]:
    """The UTC start of each interval of the local day, in order.

    The intervals run in real (UTC) time from local midnight to the next local midnight, so on the spring
    clock-change day 01:00 GMT is followed by 02:00 BST (the same instant as 01:00 UTC) and on the autumn day
    01:00-02:00 local comes twice: once in BST and once in GMT.
    """
    start, _ = _day_bounds_utc(day)
    step = timedelta(minutes=minutes)
    return [start + step * index for index in range(intervals_in_day(day, minutes))]


def counter_advance(previous_end: int, end: int) -> int:
    """The pulses between two readings of the 32-bit counter, allowing for one roll-over past 4 294 967 295."""
    return (end - previous_end) % COUNTER_MODULUS


def crc_of(data: str) -> str:
    """CRC-16/CCITT-FALSE of the ASCII text ``data`` as 4 upper-case hexadecimal digits."""
    return f"{binascii.crc_hqx(data.encode('ascii'), 0xFFFF):04X}"


def format_amr_sms(day: AmrDay) -> str:
    """Write the message a device would send for ``day`` (with its CRC): the inverse of :func:`parse_amr_sms`."""
    counts = ",".join(str(count) for count in day.counts)
    data = f"{PREFIX};{day.serial};{day.day:%Y%m%d};{day.interval_minutes};{day.counter_end};{counts};"
    return f"{data}C{crc_of(data)}"


def _shown(text: str) -> str:
    """A field as a reason quotes it: with repr-style escapes, and cut short if long."""
    cut = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    return repr(cut)


def _number(text: str, what: str) -> int:
    """A non-negative whole number below 2**32, or an error naming the field."""
    if not _DIGITS.fullmatch(text):
        if not text:
            raise AmrMessageError(f"{what} is empty")
        raise AmrMessageError(f"{what} is not a number: {_shown(text)}")
    if len(text) > _MAX_NUMBER_DIGITS or int(text) >= COUNTER_MODULUS:
        raise AmrMessageError(f"{what} is too large: {_shown(text)} (at most {COUNTER_MODULUS - 1})")
    return int(text)


def _parse_date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise AmrMessageError(f"the date must be 8 digits, YYYYMMDD; got {_shown(text)}")
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise AmrMessageError(f"the date {text} is not a real date (YYYYMMDD)") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise AmrMessageError(f"the date {text} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    return parsed


def parse_amr_sms(body: str) -> AmrDay:
    """Read one daily message; spaces and line breaks around it are ignored.

    :raises AmrMessageError: for any message that is not exactly as the format says, naming the field at fault:
        a bad CRC, a non-numeric field, the wrong number of counts for that day, and so on. Nothing else is raised.
    """
    if not isinstance(body, str):
        raise AmrMessageError("the message is not text")
    text = body.strip()
    if not text:
        raise AmrMessageError("the message is empty")
    for position, character in enumerate(text, start=1):
        if not (" " <= character <= "~"):
            raise AmrMessageError(
                f"the message has a character that is not plain ASCII text at position {position}: {character!r}"
            )
    fields = text.split(";")
    if fields[0] != PREFIX:
        raise AmrMessageError(f"the message does not start with {PREFIX}; it starts {_shown(fields[0])}")
    if len(fields) != _FIELDS:
        raise AmrMessageError(
            f"the message has {len(fields)} fields separated by ';'; an {PREFIX} message has {_FIELDS}"
        )
    _, serial, day_text, minutes_text, counter_text, counts_text, crc_text = fields

    crc_match = _CRC_FIELD.fullmatch(crc_text)
    if crc_match is None:
        raise AmrMessageError(f"the CRC field must be C and 4 hexadecimal digits; got {_shown(crc_text)}")
    data = text[: len(text) - len(crc_text)]
    expected = crc_of(data)
    got = crc_match.group(1).upper()
    if got != expected:
        raise AmrMessageError(f"bad CRC: expected {expected}, got {got}")

    if not serial:
        raise AmrMessageError("the device serial is empty")
    if not is_valid_serial(serial):
        raise AmrMessageError(
            f"the device serial {_shown(serial)} is not valid: up to {MAX_SERIAL} letters, digits, '.', '_', '/', '-'"
        )
    day = _parse_date(day_text)
    if minutes_text not in {str(minutes) for minutes in INTERVAL_MINUTES}:
        raise AmrMessageError(f"the interval minutes must be 30 or 15; got {_shown(minutes_text)}")
    minutes = int(minutes_text)
    counter_end = _number(counter_text, "the pulse counter")
    if not counts_text:
        raise AmrMessageError("the message has no interval counts")
    parts = counts_text.split(",")
    counts = tuple(_number(part, f"interval {index}") for index, part in enumerate(parts, start=1))
    expected_count = intervals_in_day(day, minutes)
    if len(counts) != expected_count:
        raise AmrMessageError(
            f"{day.isoformat()} has {expected_count} {interval_name(minutes)}; the message has {len(counts)} counts"
        )
    return AmrDay(serial=serial, day=day, interval_minutes=minutes, counter_end=counter_end, counts=counts)
