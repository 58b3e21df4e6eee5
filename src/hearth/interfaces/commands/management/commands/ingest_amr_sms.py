"""`hearth ingest_amr_sms FILE`: replay a file of raw AMR messages through the same path as the SMS webhook.

One message per line: ``<sender>,<body>``, split at the FIRST comma only (a phone number has no comma; the body's
counts do). Blank lines and lines starting with ``#`` are skipped. Each line gets a message id made from a hash of
its sender and body, so running the same file again changes nothing. A line that cannot be read as a message (no
sender) is kept in the quarantine with its reason, for care staff to see (nothing is lost). See docs/amr-sms.md.
"""

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from hearth.data.metering.models import InboundSms
from hearth.domain.metering import amr

SID_PREFIX = "FILE-"


def message_sid(sender: str, body: str) -> str:
    """The message id a file line is stored under: the same line always gets the same id."""
    digest = hashlib.sha256(f"{sender}\n{body}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"{SID_PREFIX}{digest[:48]}"


@dataclass
class Summary:
    accepted: list[int] = field(default_factory=list)
    flagged: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    quarantined: list[tuple[int, str]] = field(default_factory=list)
    already_ingested: list[int] = field(default_factory=list)
    unreadable: list[tuple[int, str]] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Ingest AMR SMS messages from FILE, one per line as '<sender>,<body>' (split at the first comma), "
        "through the same path as the SMS webhook; re-running a file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the file of messages")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        summary = Summary()
        progress_stream = getattr(self.stderr, "_out", sys.stderr)
        for number, raw in enumerate(tqdm(lines, desc=path.name, unit="line", file=progress_stream), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            sender, comma, body = line.partition(",")
            sender, body = sender.strip(), body.strip()
            now = timezone.now()
            if not comma or not sender:
                reason = f"line {number}: expected '<sender>,<body>': no sender before a comma"
                kept = amr.quarantine_unreadable(
                    message_sid=message_sid("", line), raw=line, reason=reason, received_at=now, now=now
                )
                if kept.repeated:
                    summary.already_ingested.append(number)
                else:
                    summary.unreadable.append((number, reason.removeprefix(f"line {number}: ")))
                continue
            outcome = amr.ingest_sms(
                message_sid=message_sid(sender, body),
                from_number=sender,
                to_number="",
                body=body,
                received_at=now,
                now=now,
            )
            message = outcome.message
            if outcome.repeated:
                summary.already_ingested.append(number)
            elif message.status == InboundSms.Status.ACCEPTED:
                summary.accepted.append(number)
            elif message.status == InboundSms.Status.FLAGGED:
                summary.flagged.append((number, message.reason))
            elif message.status == InboundSms.Status.DUPLICATE:
                summary.duplicates.append(number)
            else:
                summary.quarantined.append((number, message.reason))
        self._report(path, summary)

    def _report(self, path: Path, summary: Summary) -> None:
        write = self.stdout.write
        write(f"{path}:")
        write(f"  accepted: {len(summary.accepted)}")
        write(f"  flagged (stored with a data-quality flag): {len(summary.flagged)}")
        for number, reason in summary.flagged:
            write(f"    line {number}: {reason}")
        write(f"  duplicates (day already stored, nothing changed): {len(summary.duplicates)}")
        if summary.duplicates:
            write(f"    lines {', '.join(str(n) for n in summary.duplicates)}")
        write(f"  quarantined (kept for care staff to fix and replay): {len(summary.quarantined)}")
        for number, reason in summary.quarantined:
            write(f"    line {number}: {reason}")
        write(f"  already ingested (same line seen before, nothing changed): {len(summary.already_ingested)}")
        if summary.unreadable:
            write(f"  unreadable lines (kept in quarantine for care staff): {len(summary.unreadable)}")
            for number, reason in summary.unreadable:
                write(f"    line {number}: {reason}")
