"""The D0010 meter-readings flow: parse its text into groups of readings, and write it back.

A D0010 file is pipe-delimited text whose lines nest (DOMAIN.md, "Industry data flow D0010")::

    ZHV|<file id>|D0010002|<from role>|<from participant>|<to role>|<to participant>|<created>|||...|<OPER/TR01>|
    026|<MPAN core>|<validation status V/U/F>|                       one group per MPAN
    028|<meter serial>|<reading type>|                                 one group per meter of that MPAN
    030|<register id>|<read at>|<reading>|<MD reset at>|<MD resets>|<reading flag T/F>|<reading method N/P>|
    ZPT|<file id>|<number of group lines>||<number of 026 groups>|<completed>|

How problems are reported:

- The file's **structure** (header, trailer and their counts) is all or nothing: if it is wrong the file cannot be
  trusted to be complete, and :func:`parse` raises :class:`D0010Error` naming the line. That is the only exception
  :func:`parse` raises, whatever the input.
- A **line** that is wrong (a reading that is not a number, a meter line before any MPAN...) does not lose the
  others: it comes back in :attr:`D0010File.rejected` with its line number, its text and the reason. A rejected 026
  or 028 line takes the lines of its group with it (they would be readings of an unknown MPAN or meter), in the same
  entry. Each rejected entry's ``content`` is self-contained, the parent 026 and 028 lines included, so care staff
  can correct it and replay it through :func:`parse_fragment`.

Fields are trimmed of the space padding some senders add (``030|S|...|N| | |``); extra fields after the last one
must be empty. Serials keep their inner spaces (``F75A 00802``).

**Time.** Timestamps have no zone: they are UK local time (Europe/London), and come back as aware UTC instants.
On the clock-change days a local time can be ambiguous or impossible; the rules (see :func:`london_time`) are explicit:

- *ambiguous* (01:00-01:59 on the last Sunday of October happens twice): the **first** occurrence, in BST;
- *non-existent* (01:00-01:59 on the last Sunday of March is skipped): read with the offset in force just before
  the change (GMT), as a clock not yet put forward would show it, so 01:30 means 01:30 UTC (02:30 BST).

:func:`serialise` writes a parsed file back: ``parse(serialise(parsed))`` equals ``parsed`` without its rejected
lines (line numbers are not compared: they are where a line was, not what it says). The trailer's counts are
recomputed from what is written.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "READING_TYPES",
    "D0010Error",
    "D0010File",
    "Header",
    "MeterGroup",
    "MpanGroup",
    "Reading",
    "Rejected",
    "london_time",
    "parse",
    "parse_fragment",
    "serialise",
]

LONDON: Final = ZoneInfo("Europe/London")

FLOW_PREFIX: Final = "D0010"
TEST_FLAGS: Final = frozenset({"OPER", "TR01"})
"""OPER: operational data. TR01: test data, which must never become a customer's reading."""

VALIDATION_STATUSES: Final = frozenset({"V", "U", "F"})
"""026's validation status: V valid, U not validated, F failed validation."""

READING_TYPES: Final = {
    "A": "change of supplier (actual)",
    "C": "customer's own reading",
    "D": "deemed or estimated",
    "F": "final",
    "I": "initial",
    "M": "meter advance reconciliation",
    "O": "old supplier's estimated change-of-supplier reading",
    "P": "collected electronically (prepayment)",
    "Q": "modified manually by the data collector",
    "R": "routine",
    "S": "special",
    "T": "proving test",
    "W": "withdrawn",
    "Z": "change of tenancy (actual)",
}
"""028's reading type (J0171) and what it means."""

READING_FLAGS: Final = frozenset({"T", "F"})
"""030's reading flag: T the reading is valid, F it is not."""

READING_METHODS: Final = frozenset({"N", "P"})
"""030's reading method: N not viewed by an agent (customer, remote), P viewed by an agent on site."""

_TIMESTAMP: Final = re.compile(r"[0-9]{14}")
_MPAN_CORE: Final = re.compile(r"[0-9]{13}")
_READING: Final = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,3})?")
_COUNT: Final = re.compile(r"[0-9]{1,9}")
_TIMESTAMP_FORMAT: Final = "%Y%m%d%H%M%S"

_HEADER_FIELDS: Final = 12
_TRAILER_FIELDS: Final = 6
_MPAN_FIELDS: Final = 3
_METER_FIELDS: Final = 3
_READING_FIELDS: Final = 8


class D0010Error(ValueError):
    """The file's structure is wrong (header, trailer, counts): nothing in it can be trusted to be complete."""

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason


class _LineProblem(ValueError):
    """A problem with one line; becomes a Rejected entry (or, for the header and trailer, a D0010Error)."""


@dataclass(frozen=True)
class Header:
    """The ZHV line."""

    file_id: str
    flow_version: str
    from_role: str
    from_participant: str
    to_role: str
    to_participant: str
    created_at: datetime
    application_fields: tuple[str, str, str]
    """The three optional fields between the creation time and the test flag, kept as they came."""
    test_flag: str

    @property
    def is_test_data(self) -> bool:
        return self.test_flag != "OPER"


@dataclass(frozen=True)
class Reading:
    """A 030 line: one register's reading."""

    register_id: str
    read_at: datetime
    value: Decimal
    md_reset_at: datetime | None
    md_resets: int | None
    reading_flag: str
    reading_method: str
    line_number: int = field(default=0, compare=False)
    text: str = field(default="", compare=False)

    @property
    def is_valid_reading(self) -> bool:
        """Whether the sender marks the reading as valid (flag T)."""
        return self.reading_flag == "T"


@dataclass(frozen=True)
class MeterGroup:
    """A 028 line and its readings."""

    serial: str
    reading_type: str
    readings: tuple[Reading, ...]
    line_number: int = field(default=0, compare=False)
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class MpanGroup:
    """A 026 line and its meters."""

    mpan_core: str
    validation_status: str
    meters: tuple[MeterGroup, ...]
    line_number: int = field(default=0, compare=False)
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Rejected:
    """A line (with the lines of its group, if it takes them with it) that could not be read, and why."""

    line_number: int
    content: str
    reason: str


@dataclass(frozen=True)
class D0010File:
    """A parsed D0010 file: its header, the groups read, the completion time, and the lines that were rejected."""

    header: Header
    groups: tuple[MpanGroup, ...]
    completed_at: datetime
    rejected: tuple[Rejected, ...] = ()

    @property
    def readings_count(self) -> int:
        return sum(len(meter.readings) for group in self.groups for meter in group.meters)


# --- Fields and times ----------------------------------------------------------------------------------------------


def london_time(naive: datetime) -> datetime:
    """The instant (aware, in UTC) a naive UK local time means, with the clock-change rules spelt out.

    - Ambiguous (the hour that happens twice in October): the first occurrence, in BST (``fold=0``).
    - Non-existent (the hour skipped in March): read with the offset in force just before the change, GMT
      (``fold=0`` in PEP 495's terms), so 01:30 on 29 March 2026 is 01:30 UTC.

    The result is in UTC rather than Europe/London because PEP 495 makes a London time inside the doubled or skipped
    hour compare unequal to every time in another zone, which would make a stored reading look different from itself.
    """
    return naive.replace(tzinfo=LONDON, fold=0).astimezone(UTC)


def _timestamp(text: str, what: str) -> datetime:
    if not _TIMESTAMP.fullmatch(text):
        raise _LineProblem(f"{what} {text!r} is not a date and time written YYYYMMDDHHMMSS")
    try:
        return london_time(datetime.strptime(text, _TIMESTAMP_FORMAT))  # UK local time, made aware
    except (ValueError, OverflowError):
        raise _LineProblem(f"{what} {text!r} is not a real date and time") from None


def _format_time(at: datetime) -> str:
    return at.astimezone(LONDON).strftime(_TIMESTAMP_FORMAT)


def _fields(line: str, count: int) -> list[str]:
    """The line's fields after the record type, trimmed, padded with empty ones to ``count``."""
    parts = [part.strip() for part in line.split("|")]
    extra = parts[count:]
    if any(extra):
        position = count + next(index for index, value in enumerate(extra) if value)
        raise _LineProblem(
            f"has an unexpected {parts[position][:20]!r} in field {position + 1}; this line has {count - 1} fields"
        )
    parts += [""] * (count - len(parts))
    return parts[:count]


def _required(value: str, what: str) -> str:
    if not value:
        raise _LineProblem(f"{what} is missing")
    return value


# --- Lines ---------------------------------------------------------------------------------------------------------


def _header(line: str) -> Header:
    fields = _fields(line, _HEADER_FIELDS)
    flow_version = _required(fields[2], "the flow id")
    if not flow_version.startswith(FLOW_PREFIX):
        raise _LineProblem(f"the flow id is {flow_version!r}; this is not a D0010 file")
    test_flag = fields[11]
    if test_flag not in TEST_FLAGS:
        raise _LineProblem(f"the test flag is {test_flag!r}; expected OPER or TR01")
    return Header(
        file_id=_required(fields[1], "the file id"),
        flow_version=flow_version,
        from_role=fields[3],
        from_participant=_required(fields[4], "the sending participant"),
        to_role=fields[5],
        to_participant=_required(fields[6], "the receiving participant"),
        created_at=_timestamp(fields[7], "the creation time"),
        application_fields=(fields[8], fields[9], fields[10]),
        test_flag=test_flag,
    )


@dataclass(frozen=True)
class _Trailer:
    file_id: str
    group_lines: int
    mpan_groups: int
    completed_at: datetime


def _trailer(line: str) -> _Trailer:
    fields = _fields(line, _TRAILER_FIELDS)
    counts = []
    for index, what in ((2, "the number of group lines"), (4, "the number of MPAN groups")):
        if not _COUNT.fullmatch(fields[index]):
            raise _LineProblem(f"{what} {fields[index]!r} is not a whole number")
        counts.append(int(fields[index]))
    return _Trailer(
        file_id=_required(fields[1], "the file id"),
        group_lines=counts[0],
        mpan_groups=counts[1],
        completed_at=_timestamp(fields[5], "the completion time"),
    )


def _mpan_line(line: str) -> tuple[str, str]:
    fields = _fields(line, _MPAN_FIELDS)
    core = _required(fields[1], "the MPAN core")
    if not _MPAN_CORE.fullmatch(core):
        raise _LineProblem(f"the MPAN core {core!r} is not 13 digits")
    status = fields[2]
    if status not in VALIDATION_STATUSES:
        raise _LineProblem(f"the validation status {status!r} is not V, U or F")
    return core, status


def _meter_line(line: str) -> tuple[str, str]:
    fields = _fields(line, _METER_FIELDS)
    serial = _required(fields[1], "the meter serial")
    reading_type = fields[2]
    if reading_type not in READING_TYPES:
        raise _LineProblem(f"the reading type {reading_type!r} is not one D0010 defines")
    return serial, reading_type


def _reading_line(line: str, line_number: int) -> Reading:
    fields = _fields(line, _READING_FIELDS)
    register_id = _required(fields[1], "the register id")
    read_at = _timestamp(fields[2], "the reading time")
    text = fields[3]
    if not _READING.fullmatch(text):
        raise _LineProblem(f"the reading {text!r} is not a number of up to 10 digits and 3 decimal places")
    try:
        value = Decimal(text)
    except InvalidOperation:  # the pattern admits only plain decimals; kept so no input can escape as another error
        raise _LineProblem(f"the reading {text!r} is not a number") from None
    md_reset_at = _timestamp(fields[4], "the MD reset time") if fields[4] else None
    if fields[5] and not _COUNT.fullmatch(fields[5]):
        raise _LineProblem(f"the number of MD resets {fields[5]!r} is not a whole number")
    md_resets = int(fields[5]) if fields[5] else None
    if fields[6] not in READING_FLAGS:
        raise _LineProblem(f"the reading flag {fields[6]!r} is not T or F")
    if fields[7] not in READING_METHODS:
        raise _LineProblem(f"the reading method {fields[7]!r} is not N or P")
    return Reading(
        register_id=register_id,
        read_at=read_at,
        value=value,
        md_reset_at=md_reset_at,
        md_resets=md_resets,
        reading_flag=fields[6],
        reading_method=fields[7],
        line_number=line_number,
        text=line,
    )


def _record_type(line: str) -> str:
    return line.split("|", 1)[0].strip()


# --- Groups --------------------------------------------------------------------------------------------------------


@dataclass
class _OpenMeter:
    serial: str
    reading_type: str
    line_number: int
    text: str
    readings: list[Reading] = field(default_factory=list)


@dataclass
class _OpenMpan:
    core: str
    status: str
    line_number: int
    text: str
    meters: list[_OpenMeter] = field(default_factory=list)


@dataclass
class _RejectedGroup:
    """A rejected 026 or 028 line collecting the lines of its group into one entry."""

    line_number: int
    parents: list[str]
    lines: list[str]
    reason: str
    level: str  # "026" or "028"


class _BodyReader:
    """Reads 026/028/030 lines into groups, setting aside what cannot be read."""

    def __init__(self) -> None:
        self.groups: list[_OpenMpan] = []
        self.rejected: list[Rejected | _RejectedGroup] = []
        self._mpan: _OpenMpan | None = None
        self._meter: _OpenMeter | None = None
        self._swallowing: _RejectedGroup | None = None

    def _parents(self) -> list[str]:
        lines = []
        if self._mpan is not None:
            lines.append(self._mpan.text)
        if self._meter is not None:
            lines.append(self._meter.text)
        return lines

    def _reject_group(self, line_number: int, line: str, reason: str, level: str) -> None:
        parents = self._parents() if level == "028" else []
        self._swallowing = _RejectedGroup(line_number, parents, [line], reason, level)
        self.rejected.append(self._swallowing)

    def read(self, line_number: int, line: str) -> None:
        record = _record_type(line)
        swallowing = self._swallowing
        if swallowing is not None:
            ends_group = record == "026" or (record == "028" and swallowing.level == "028")
            if not ends_group:
                swallowing.lines.append(line)
                return
            self._swallowing = None
        if record == "026":
            self._meter = None
            self._mpan = None
            try:
                core, status = _mpan_line(line)
            except _LineProblem as problem:
                self._reject_group(line_number, line, f"MPAN line {problem}", "026")
                return
            self._mpan = _OpenMpan(core, status, line_number, line)
            self.groups.append(self._mpan)
        elif record == "028":
            self._meter = None
            if self._mpan is None:
                self._reject_group(line_number, line, "a meter line (028) must follow an MPAN line (026)", "028")
                return
            try:
                serial, reading_type = _meter_line(line)
            except _LineProblem as problem:
                self._reject_group(line_number, line, f"meter line {problem}", "028")
                return
            self._meter = _OpenMeter(serial, reading_type, line_number, line)
            self._mpan.meters.append(self._meter)
        elif record == "030":
            if self._meter is None:
                reason = "a reading line (030) must follow a meter line (028)"
                self.rejected.append(Rejected(line_number, "\n".join([*self._parents(), line]), reason))
                return
            try:
                self._meter.readings.append(_reading_line(line, line_number))
            except _LineProblem as problem:
                self.rejected.append(
                    Rejected(line_number, "\n".join([*self._parents(), line]), f"reading line {problem}")
                )
        else:
            shown = record[:20]
            self.rejected.append(Rejected(line_number, line, f"{shown!r} is not a D0010 record type (026, 028, 030)"))

    def result(self) -> tuple[tuple[MpanGroup, ...], tuple[Rejected, ...]]:
        groups = tuple(
            MpanGroup(
                mpan_core=mpan.core,
                validation_status=mpan.status,
                meters=tuple(
                    MeterGroup(m.serial, m.reading_type, tuple(m.readings), m.line_number, m.text) for m in mpan.meters
                ),
                line_number=mpan.line_number,
                text=mpan.text,
            )
            for mpan in self.groups
        )
        rejected = []
        for entry in self.rejected:
            if isinstance(entry, _RejectedGroup):
                swallowed = len(entry.lines) - 1
                reason = entry.reason
                if swallowed:
                    reason += f" (the {swallowed} line{'s' if swallowed != 1 else ''} of its group too)"
                rejected.append(Rejected(entry.line_number, "\n".join([*entry.parents, *entry.lines]), reason))
            else:
                rejected.append(entry)
        return groups, tuple(rejected)


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based line numbers."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


def _read_body(lines: Iterable[tuple[int, str]]) -> tuple[tuple[MpanGroup, ...], tuple[Rejected, ...]]:
    reader = _BodyReader()
    for number, line in lines:
        reader.read(number, line)
    return reader.result()


# --- Public API ----------------------------------------------------------------------------------------------------


def parse(text: str) -> D0010File:
    """Parse a whole D0010 file.

    :raises D0010Error: if the header or trailer is missing or wrong, or the trailer's counts disagree with the
        file (a truncated or corrupted file). Problems with single lines do not raise: see the module docstring.
    """
    lines = list(_numbered_lines(text))
    if not lines:
        raise D0010Error(1, "the file is empty")
    first_number, first = lines[0]
    if _record_type(first) != "ZHV":
        raise D0010Error(first_number, "a D0010 file starts with a header line (ZHV)")
    try:
        header = _header(first)
    except _LineProblem as problem:
        raise D0010Error(first_number, f"header {problem}") from None
    last_number, last = lines[-1]
    if len(lines) == 1 or _record_type(last) != "ZPT":
        raise D0010Error(last_number, "a D0010 file ends with a trailer line (ZPT); the file may be cut short")
    try:
        trailer = _trailer(last)
    except _LineProblem as problem:
        raise D0010Error(last_number, f"trailer {problem}") from None
    if trailer.file_id != header.file_id:
        raise D0010Error(
            last_number, f"the trailer's file id {trailer.file_id!r} is not the header's {header.file_id!r}"
        )
    body = lines[1:-1]
    for number, line in body:
        record = _record_type(line)
        if record in {"ZHV", "ZPT"}:
            raise D0010Error(number, f"a second {record} line inside the file; only one file per upload")
    if trailer.group_lines != len(body):
        raise D0010Error(
            last_number,
            f"the trailer counts {trailer.group_lines} group lines but the file has {len(body)}; "
            "the file may be cut short or corrupted",
        )
    mpan_lines = sum(1 for _, line in body if _record_type(line) == "026")
    if trailer.mpan_groups != mpan_lines:
        raise D0010Error(
            last_number, f"the trailer counts {trailer.mpan_groups} MPAN groups but the file has {mpan_lines}"
        )
    groups, rejected = _read_body(body)
    return D0010File(header=header, groups=groups, completed_at=trailer.completed_at, rejected=rejected)


def parse_fragment(text: str, *, first_line_number: int = 1) -> tuple[tuple[MpanGroup, ...], tuple[Rejected, ...]]:
    """Parse group lines (026/028/030) without a header or trailer: a rejected entry being replayed.

    Never raises: every problem is a rejected entry. Line numbers count from ``first_line_number``.
    """
    offset = first_line_number - 1
    return _read_body((number + offset, line) for number, line in _numbered_lines(text))


def _mpan_text(group: MpanGroup) -> str:
    return f"026|{group.mpan_core}|{group.validation_status}|"


def _meter_text(meter: MeterGroup) -> str:
    return f"028|{meter.serial}|{meter.reading_type}|"


def _reading_text(reading: Reading) -> str:
    md_reset_at = _format_time(reading.md_reset_at) if reading.md_reset_at is not None else ""
    md_resets = "" if reading.md_resets is None else str(reading.md_resets)
    return (
        f"030|{reading.register_id}|{_format_time(reading.read_at)}|{reading.value}|{md_reset_at}|{md_resets}|"
        f"{reading.reading_flag}|{reading.reading_method}|"
    )


def serialise_group(group: MpanGroup) -> list[str]:
    """The lines of one MPAN group, as :func:`serialise` writes them."""
    lines = [_mpan_text(group)]
    for meter in group.meters:
        lines.append(_meter_text(meter))
        lines.extend(_reading_text(reading) for reading in meter.readings)
    return lines


def serialise(parsed: D0010File) -> str:
    """Write a parsed file back as D0010 text (without its rejected lines), the trailer's counts recomputed."""
    header = parsed.header
    applications = "|".join(header.application_fields)
    lines = [
        f"ZHV|{header.file_id}|{header.flow_version}|{header.from_role}|{header.from_participant}|{header.to_role}|"
        f"{header.to_participant}|{_format_time(header.created_at)}|{applications}|{header.test_flag}|"
    ]
    for group in parsed.groups:
        lines.extend(serialise_group(group))
    group_lines = len(lines) - 1
    lines.append(f"ZPT|{header.file_id}|{group_lines}||{len(parsed.groups)}|{_format_time(parsed.completed_at)}|")
    return "\n".join(lines) + "\n"
