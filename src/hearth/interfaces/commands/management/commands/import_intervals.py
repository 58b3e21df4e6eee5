"""`hearth import_intervals FILE.csv...`: load half-hourly smart-meter consumption, with a progress bar and a summary.

Columns: ``mpan_or_mprn,meter_serial,interval_start,quantity,unit`` (a header row is optional); ``interval_start``
in ISO 8601 with its UTC offset, ``unit`` kWh (electricity) or m3 (gas). Rows that fail a check are listed with
their line number and reason and kept for care staff; rows already stored are skipped as duplicates; the same file
again changes nothing. The exit status is non-zero only when a file cannot be read.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from hearth.domain.metering import flows as metering_flows
from hearth.interfaces.commands.management.commands.import_d0010 import write_summary


def _count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


class Command(BaseCommand):
    help = "Import half-hourly consumption CSV files (mpan_or_mprn,meter_serial,interval_start,quantity,unit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE.csv", help="CSV files to import")

    def handle(self, *args: Any, **options: Any) -> None:
        progress_stream = getattr(self.stderr, "_out", sys.stderr)
        unreadable: list[str] = []
        for path in options["files"]:
            try:
                total = _count_lines(path)
                with (
                    path.open("rb") as stream,
                    tqdm(total=total or None, desc=path.name, unit="row", file=progress_stream, leave=False) as bar,
                ):
                    summary = metering_flows.import_intervals(
                        name=path.name, source=stream, now=timezone.now(), progress=bar.update
                    )
            except OSError as exc:
                self.stderr.write(f"Cannot read {path}: {exc.strerror or exc}")
                unreadable.append(str(path))
                continue
            write_summary(self, summary)
        if unreadable:
            raise CommandError(f"Could not read {len(unreadable)} file(s): {', '.join(unreadable)}", returncode=1)
