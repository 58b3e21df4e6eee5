"""The switching service behind one interface, :class:`Switching`, and its file adapter (ADR 0013).

The Central Switching Service's real message specification is not public here, so the line format below is **ours**
(``docs/contracts.md`` has the table of fields). A production adapter replaces :class:`FileSwitching` behind the same
two calls: :meth:`Switching.send` and :meth:`Switching.receive` (with :meth:`Switching.acknowledge` once a file's
lines are kept).

A file is lines of ``|``-separated fields, UTF-8::

    HDR|HEARTH-SWITCHING|1|<file name>|<written at, ISO 8601 UTC>
    <kind>|<reference>|<MPAN or MPRN>|<date YYYY-MM-DD or empty>|<code>|<other supplier MPID>|<detail>
    ...
    TRL|<number of message lines>

Every message line has the seven fields, some empty. The trailer's count lets a reader tell a truncated or padded
file from a whole one: a file without its header, trailer or with the wrong count is still read line by line, and
every line is handed back with the file's problem, so it is kept as FAILED for staff to see, not lost.
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final, Protocol

from django.conf import settings

FORMAT_NAME: Final = "HEARTH-SWITCHING"
FORMAT_VERSION: Final = "1"
SEPARATOR: Final = "|"
FIELDS: Final = ("kind", "reference", "mpxn", "date", "code", "other_supplier", "detail")
"""The fields of a message line, in order; the names are the ones failure reasons use."""

OUTBOUND_KINDS: Final = frozenset({"REGISTRATION_REQUEST", "WITHDRAWAL", "OBJECTION", "OBJECTION_WITHDRAWN"})
INBOUND_KINDS: Final = frozenset(
    {
        "REGISTRATION_ACCEPTED",
        "REGISTRATION_REJECTED",
        "OBJECTION_RAISED",
        "OBJECTION_CLEARED",
        "SUPPLY_START_CONFIRMED",
        "LOSS_NOTIFICATION",
        "LOSS_WITHDRAWN",
        "LOSS_COMPLETED",
    }
)


class FormatProblem(Exception):
    """A line that is not a message of this format; the message names the field and why."""


@dataclass(frozen=True)
class Message:
    """One switching message, in or out. ``day`` is the date the kind carries (a start date, a clear-by date)."""

    kind: str
    reference: str
    mpxn: str
    day: date | None = None
    code: str = ""
    other_supplier: str = ""
    detail: str = ""

    def line(self) -> str:
        """The message as one line of the file format; ``|`` and line breaks in free text become spaces."""
        values = (
            self.kind,
            self.reference,
            self.mpxn,
            self.day.isoformat() if self.day else "",
            self.code,
            self.other_supplier,
            self.detail,
        )
        return SEPARATOR.join(" ".join(value.replace(SEPARATOR, " ").split()) for value in values)


def parse_line(line: str, *, kinds: frozenset[str] = INBOUND_KINDS) -> Message:
    """The message a line holds.

    :raises FormatProblem: the wrong number of fields, a kind not in ``kinds``, no MPAN/MPRN, or a date that is not
        a real YYYY-MM-DD day.
    """
    parts = line.rstrip("\r\n").split(SEPARATOR)
    if len(parts) != len(FIELDS):
        raise FormatProblem(f"line: {len(parts)} fields, a message has {len(FIELDS)} ({', '.join(FIELDS)})")
    kind, reference, mpxn, day_text, code, other_supplier, detail = (part.strip() for part in parts)
    if kind not in kinds:
        raise FormatProblem(f"kind: {kind!r} is not one of {', '.join(sorted(kinds))}")
    if not mpxn:
        raise FormatProblem("mpxn: empty; every message names its MPAN or MPRN")
    day = None
    if day_text:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise FormatProblem(f"date: {day_text!r} is not a day written YYYY-MM-DD") from None
        if len(day_text) != len("2026-01-31"):
            raise FormatProblem(f"date: {day_text!r} is not a day written YYYY-MM-DD")
    return Message(kind, reference, mpxn, day, code, other_supplier, detail)


@dataclass(frozen=True)
class ReceivedLine:
    """A message line as read: where it was, its text, and the file's problem if the file was not whole."""

    file_name: str
    line_number: int
    body: str
    file_problem: str = ""


@dataclass(frozen=True)
class ReceivedFile:
    name: str
    lines: tuple[ReceivedLine, ...]


class Switching(Protocol):
    """The switching service as Hearth sees it."""

    def send(self, messages: Sequence[Message], *, now: datetime) -> str:
        """Send ``messages`` together; returns the name they were sent under (the file's)."""
        ...

    def receive(self) -> list[ReceivedFile]:
        """The files waiting to be read, oldest name first, each line with its number."""
        ...

    def acknowledge(self, file_name: str) -> None:
        """Mark ``file_name`` read, once its lines are kept, so it is not received again."""
        ...


def file_text(name: str, messages: Sequence[Message], *, now: datetime) -> str:
    """A whole file of ``messages``: header, one line each, trailer with their count."""
    lines = [SEPARATOR.join(("HDR", FORMAT_NAME, FORMAT_VERSION, name, now.isoformat()))]
    lines += [message.line() for message in messages]
    lines.append(f"TRL{SEPARATOR}{len(messages)}")
    return "\n".join(lines) + "\n"


def read_file_text(name: str, text: str) -> ReceivedFile:
    """The message lines of a file's ``text``; if its header or trailer is missing or the trailer's count differs
    from the lines there are, each line carries that problem."""
    numbered = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    problem = ""
    if not numbered or not numbered[0][1].startswith(f"HDR{SEPARATOR}{FORMAT_NAME}{SEPARATOR}"):
        problem = f"file {name}: no header line HDR|{FORMAT_NAME}"
    else:
        numbered = numbered[1:]
    if not problem:
        trailer = numbered[-1][1].split(SEPARATOR) if numbered else []
        if len(trailer) != 2 or trailer[0] != "TRL":
            problem = f"file {name}: no trailer line TRL|<count>; the file may be truncated"
        else:
            numbered = numbered[:-1]
            if not trailer[1].isdigit() or int(trailer[1]) != len(numbered):
                problem = (
                    f"file {name}: the trailer counts {trailer[1]!r} messages but the file has {len(numbered)}; "
                    "it may be truncated"
                )
    return ReceivedFile(name=name, lines=tuple(ReceivedLine(name, number, line, problem) for number, line in numbered))


def switching_dir() -> Path:
    return Path(settings.HEARTH_SWITCHING_DIR)


class FileSwitching:
    """Messages as files under ``$HEARTH_DATA_DIR/switching``: written whole to ``outbox/`` (to a temporary name,
    then renamed, so the service never picks up half a file), read from ``inbox/`` and moved to ``inbox/done/``."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or switching_dir()

    @property
    def outbox(self) -> Path:
        return self.folder / "outbox"

    @property
    def inbox(self) -> Path:
        return self.folder / "inbox"

    def send(self, messages: Sequence[Message], *, now: datetime) -> str:
        self.outbox.mkdir(parents=True, exist_ok=True)
        stamp = f"{now:%Y%m%d-%H%M%S}"
        number = 1 + sum(1 for _ in self.outbox.glob(f"HEARTH-{stamp}-*.txt"))
        name = f"HEARTH-{stamp}-{number:03d}.txt"
        temporary = self.outbox / f".{name}.part"
        temporary.write_text(file_text(name, messages, now=now), encoding="utf-8")
        os.replace(temporary, self.outbox / name)
        return name

    def receive(self) -> list[ReceivedFile]:
        if not self.inbox.is_dir():
            return []
        files = sorted(path for path in self.inbox.iterdir() if path.is_file() and not path.name.startswith("."))
        return [read_file_text(path.name, path.read_text(encoding="utf-8", errors="replace")) for path in files]

    def acknowledge(self, file_name: str) -> None:
        done = self.inbox / "done"
        done.mkdir(parents=True, exist_ok=True)
        os.replace(self.inbox / file_name, done / file_name)

    def drop_in_inbox(self, name: str, messages: Sequence[Message], *, now: datetime) -> Path:
        """Write a whole inbound file as the service would (the demo and tests)."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        path = self.inbox / name
        path.write_text(file_text(name, messages, now=now), encoding="utf-8")
        return path
