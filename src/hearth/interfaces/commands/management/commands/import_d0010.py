"""`hearth import_d0010 FILE...`: import D0010 meter-reading flows, with a progress bar and a summary per file.

Rejected lines are listed with their line number and reason, and kept for care staff (Meter-reading files in the
care console). The same file again changes nothing. The exit status is non-zero only when a file cannot be read
(missing, unreadable, or not a D0010 file at all); rejected lines are the normal business of a flow.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from hearth.domain.metering import flows as metering_flows

REJECTED_SHOWN = 100
"""Rejected lines listed per file; the rest are in the care console."""


def write_summary(command: BaseCommand, summary: metering_flows.ImportSummary) -> None:
    """Print an import's summary and its rejected lines (shared by import_intervals)."""
    style = command.style.SUCCESS if not (summary.rejected or summary.unreadable) else command.style.WARNING
    command.stdout.write(style(summary.text))
    for entry in summary.rejected[:REJECTED_SHOWN]:
        command.stdout.write(f"  {entry.where}: {entry.reason}")
    hidden = len(summary.rejected) - REJECTED_SHOWN
    if hidden > 0:
        command.stdout.write(f"  … and {hidden} more: see Meter-reading files in the care console.")


class Command(BaseCommand):
    help = "Import D0010 meter-reading flow files; prints accepted, rejected (line and reason) and duplicates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="D0010 files to import")

    def handle(self, *args: Any, **options: Any) -> None:
        progress_stream = getattr(self.stderr, "_out", sys.stderr)
        unreadable: list[str] = []
        for path in options["files"]:
            try:
                content = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"Cannot read {path}: {exc.strerror or exc}")
                unreadable.append(str(path))
                continue
            with tqdm(
                total=content.count(b"\n") or None, desc=path.name, unit="line", file=progress_stream, leave=False
            ) as bar:
                summary = metering_flows.import_d0010(
                    name=path.name, content=content, now=timezone.now(), progress=bar.update
                )
            write_summary(self, summary)
            if summary.unreadable:
                unreadable.append(str(path))
        if unreadable:
            raise CommandError(f"Could not read {len(unreadable)} file(s): {', '.join(unreadable)}", returncode=1)
