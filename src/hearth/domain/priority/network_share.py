"""Sharing the register with network operators (Ofgem SLC 26; ADR 0019): one file a day per operator, with the
changes since its last file, for registrations the customer agreed to share.

Each supply point we supply goes to its own operator: an electricity point to the distributor named by its MPAN's
first two digits (10-23 for the 14 regions; others for independent networks); a gas point to ``GAS`` (the gas
transporter cannot be told from the MPRN here; see the ADR). The file format (docs/care.md):

```
HDR|PSR-SHARE|1|<supplier>|<distributor>|<sequence>|<created, UTC YYYYMMDDHHMMSS>|
PSR|<ADD, UPDATE or REMOVE>|<MPAN core or MPRN>|<our customer reference>|<name>|<address line 1>|<postcode>|
    <needs codes, ';' between>|<temporary needs as code:YYYYMMDD, ';' between>|<phone>|<share consent YYYYMMDD>|
TRL|<number of PSR lines>|
```

Only needs codes travel: free-text health details and the password for visits stay with us. A value holding ``|``
or a line break has it replaced by a space. REMOVE lines carry the point and reference only.

Idempotent (ADR 0012): a line is written once for each registration, point and action (a database constraint), and
one file per operator per day, so a second run of the day writes nothing; changes made after the day's file go in
the next day's. Files are written whole under a temporary name and renamed, inside the transaction that records
them, so a run killed half-way leaves either no record (and the next run writes the file again) or the file.
``manifest.csv`` beside them lists every file with its SHA-256, rewritten after each run.
"""

import csv
import hashlib
import io
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from hearth.common import calendar
from hearth.data.accounts.models import Fuel, Supply, SupplyPoint
from hearth.data.priority.models import NetworkShareFile, NetworkShareLine, Registration
from hearth.domain.scheduling import jobs

GAS_TRANSPORTER = "GAS"
MANIFEST = "manifest.csv"


class ShareFileMissing(Exception):
    """A share file's bytes are not on disk as recorded (deleted, or changed since it was written)."""


@dataclass(frozen=True)
class Change:
    """One line to write: what to do with a registration at a supply point."""

    registration: Registration
    supply_point: SupplyPoint | None
    identifier: str
    distributor: str
    action: str


def distributor_of(fuel: str, identifier: str) -> str:
    """The network operator a supply point's entry goes to."""
    return identifier[:2] if fuel == Fuel.ELECTRICITY else GAS_TRANSPORTER


def _points_supplied(customer_ids: set[int], day: date) -> dict[int, list[SupplyPoint]]:
    """The supply points each customer is supplied through on ``day``, in one query for all of them."""
    supplies = Supply.objects.filter(account__customer_id__in=customer_ids, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )
    points: dict[int, list[SupplyPoint]] = defaultdict(list)
    for supply in supplies.select_related("account", "supply_point__supply_property").order_by("supply_point_id"):
        points[supply.account.customer_id].append(supply.supply_point)
    return points


def pending_changes(day: date) -> list[Change]:
    """What the operators have not been told yet, as of the end of ``day``."""
    end_of_day = calendar.day_starts_at(date.fromordinal(day.toordinal() + 1))
    latest: dict[tuple[int, str], NetworkShareLine] = {}
    for line in NetworkShareLine.objects.select_related("registration").order_by("id"):
        latest[(line.registration.customer_id, line.supply_point_identifier)] = line
    sharing = Registration.objects.filter(
        ended_at__isnull=True, share_consent_at__isnull=False, registered_at__lt=end_of_day
    ).select_related("customer")
    registrations = list(sharing.order_by("id"))
    supplied = _points_supplied({registration.customer_id for registration in registrations}, day)
    changes: list[Change] = []
    kept: set[tuple[int, str]] = set()
    for registration in registrations:
        for point in supplied[registration.customer_id]:
            key = (registration.customer_id, point.identifier)
            kept.add(key)
            told = latest.get(key)
            if told is not None and told.registration_id == registration.pk and told.action != "REMOVE":
                continue
            action = "UPDATE" if told is not None and told.action != "REMOVE" else "ADD"
            distributor = distributor_of(point.fuel, point.identifier)
            changes.append(Change(registration, point, point.identifier, distributor, action))
    for key, told in latest.items():
        if told.action != "REMOVE" and key not in kept:
            changes.append(Change(told.registration, None, told.supply_point_identifier, told.distributor, "REMOVE"))
    return changes


def _clean(value: object) -> str:
    return " ".join(str(value).replace("|", " ").split())


def _line(change: Change) -> str:
    registration = change.registration
    if change.action == "REMOVE" or change.supply_point is None:
        fields = ["PSR", change.action, change.identifier, registration.customer_id] + [""] * 7
    else:
        customer, home = registration.customer, change.supply_point.supply_property
        temporary = ";".join(f"{code}:{until.replace('-', '')}" for code, until in registration.needs_until.items())
        consent = registration.share_consent_at
        fields = [
            "PSR",
            change.action,
            change.identifier,
            customer.pk,
            customer.name,
            home.address_line_1,
            home.postcode,
            ";".join(registration.needs),
            temporary,
            customer.contact_phone,
            calendar.local_date(consent).strftime("%Y%m%d") if consent else "",
        ]
    return "|".join(_clean(field) for field in fields) + "|"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def file_path(share_file: NetworkShareFile) -> Path:
    return Path(settings.HEARTH_PRIORITY_SHARE_DIR) / share_file.distributor / share_file.name


def _write_file(distributor: str, changes: list[Change], *, day: date, now: datetime) -> NetworkShareFile:
    last = NetworkShareFile.objects.filter(distributor=distributor).aggregate(last=Max("sequence"))["last"] or 0
    sequence = last + 1
    name = f"PSR_{distributor}_{day:%Y%m%d}_{sequence:06d}.psr"
    created = now.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    header = ["HDR", "PSR-SHARE", "1", _clean(settings.HEARTH_BRAND["name"]), distributor, str(sequence), created]
    body = ["|".join(header) + "|"]
    body += [_line(change) for change in changes]
    body.append(f"TRL|{len(changes)}|")
    data = ("\n".join(body) + "\n").encode()
    share_file = NetworkShareFile.objects.create(
        distributor=distributor,
        run_date=day,
        sequence=sequence,
        name=name,
        created_at=now,
        row_count=len(changes),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    NetworkShareLine.objects.bulk_create(
        NetworkShareLine(
            share_file=share_file,
            distributor=distributor,
            registration=change.registration,
            supply_point_identifier=change.identifier,
            action=change.action,
        )
        for change in changes
    )
    _write_atomically(file_path(share_file), data)
    return share_file


def write_manifest() -> Path:
    """``manifest.csv``: every share file, oldest first, with its day, sequence, lines and SHA-256."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "distributor", "run_date", "sequence", "lines", "sha256", "created_at"])
    for share_file in NetworkShareFile.objects.order_by("created_at", "id"):
        writer.writerow(
            [
                f"{share_file.distributor}/{share_file.name}",
                share_file.distributor,
                share_file.run_date.isoformat(),
                share_file.sequence,
                share_file.row_count,
                share_file.sha256,
                share_file.created_at.isoformat(),
            ]
        )
    path = Path(settings.HEARTH_PRIORITY_SHARE_DIR) / MANIFEST
    _write_atomically(path, out.getvalue().encode())
    return path


def share(*, day: date, now: datetime, report: jobs.JobReport) -> None:
    """The daily job ``priority.network_share``: a file for each operator with changes not yet sent."""
    by_distributor: dict[str, list[Change]] = defaultdict(list)
    for change in pending_changes(day):
        by_distributor[change.distributor].append(change)
    for distributor, changes in sorted(by_distributor.items()):
        if NetworkShareFile.objects.filter(distributor=distributor, run_date=day).exists():
            report.done(distributor, f"{len(changes)} change(s) wait for tomorrow's file: today's is already sent")
            continue
        try:
            with transaction.atomic():
                written = _write_file(distributor, changes, day=day, now=now)
        except OSError as exc:
            report.failed(distributor, f"The share file could not be written: {exc.strerror or exc}")
            continue
        report.done(distributor, f"{written.name}: {written.row_count} change(s)")
    write_manifest()


def file_bytes(share_file: NetworkShareFile) -> bytes:
    """The file as it was sent. :raises ShareFileMissing: if it is gone or its SHA-256 no longer matches."""
    try:
        data = file_path(share_file).read_bytes()
    except OSError as exc:
        raise ShareFileMissing(f"{share_file.name} is not in the share folder.") from exc
    if hashlib.sha256(data).hexdigest() != share_file.sha256:
        raise ShareFileMissing(f"{share_file.name} has changed since it was written.")
    return data


NETWORK_SHARE = jobs.DailyJob(
    "priority.network_share", "Send the Priority Services Register's changes to the network operators", share
)
