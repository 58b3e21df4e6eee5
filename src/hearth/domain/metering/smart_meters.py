"""Commands to smart meters behind one interface, :class:`SmartMeter`, with a file adapter (ADR 0014).

The smart-metering network (the DCC) cannot be reached here, so :class:`FileSmartMeter` writes each command as a
JSON file to ``HEARTH_SMART_METER_DIR/outbox`` and treats it as confirmed: a production adapter replaces it behind
:meth:`SmartMeter.send`. Everything else goes through :func:`request_command`, which records the command with the
first day it may be sent (the end of the customer's notice, T&C 7.6.2 and 10.2), and :func:`send_due_commands`, the
daily job that sends what is due. A command never reaches a meter before its day, and a failed one is kept with
the adapter's reason for staff to see and send again.
"""

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from django.conf import settings
from django.db import transaction

from hearth.common import calendar
from hearth.data.identity.models import User
from hearth.data.metering.models import Meter, SmartMeterCommand

ADAPTER_NAME: Final = "HEARTH-SMART-METER-FILE"


class SmartMeterUnavailable(Exception):
    """The smart-metering network refused or could not take the command; the message says why."""


class CommandRefused(Exception):
    """The command cannot be asked of this meter (not a smart meter, removed); the message says why."""


class SmartMeter(Protocol):
    """What Hearth needs from the smart-metering network: send one command, get its reference back."""

    def send(self, command: SmartMeterCommand, *, now: datetime) -> str:
        """Send ``command``; return the network's reference. :raises SmartMeterUnavailable: it was not taken."""
        ...


class FileSmartMeter:
    """The file adapter: one JSON file per command in ``outbox/``, named by its reference; taken as confirmed."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder or settings.HEARTH_SMART_METER_DIR)

    def send(self, command: SmartMeterCommand, *, now: datetime) -> str:
        outbox = self.folder / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        reference = f"SMC{command.pk:010d}"
        body = {
            "format": ADAPTER_NAME,
            "reference": reference,
            "kind": command.kind,
            "meter_serial": command.meter.serial_number,
            "mpxn": command.meter.supply_point.identifier,
            "payload": command.payload,
            "sent_at": now.isoformat(),
        }
        target = outbox / f"{reference}.json"
        partial = target.with_suffix(".part")
        partial.write_text(json.dumps(body, indent=2, sort_keys=True), encoding="utf-8")
        partial.replace(target)
        return reference


def adapter() -> SmartMeter:
    """The configured adapter (only the file adapter exists here)."""
    return FileSmartMeter()


def request_command(
    *,
    meter: Meter,
    kind: str,
    reason: str,
    not_before: date,
    now: datetime,
    actor: User | None = None,
    payload: dict[str, Any] | None = None,
) -> SmartMeterCommand:
    """Record a command for ``meter`` to be sent on or after ``not_before``; sent at once if that day is today.

    :raises CommandRefused: the meter is not a smart meter or has been removed.
    """
    if meter.kind != Meter.Kind.SMART:
        raise CommandRefused(f"Meter {meter.serial_number} is not a smart meter: an engineer has to visit.")
    if meter.removed_at is not None and meter.removed_at <= now:
        raise CommandRefused(f"Meter {meter.serial_number} was removed on {meter.removed_at:%d %B %Y}.")
    command = SmartMeterCommand.objects.create(
        meter=meter,
        kind=kind,
        payload=payload or {},
        reason=reason[:300],
        not_before=not_before,
        requested_at=now,
        requested_by=actor,
    )
    if not_before <= calendar.local_date(now):
        _send(command, now=now)
    return command


def _send(command: SmartMeterCommand, *, now: datetime) -> None:
    try:
        reference = adapter().send(command, now=now)
    except SmartMeterUnavailable as exc:
        command.status = SmartMeterCommand.Status.FAILED
        command.outcome = str(exc)[:300]
        command.finished_at = now
    else:
        command.status = SmartMeterCommand.Status.CONFIRMED
        command.reference = reference
        command.sent_at = now
        command.finished_at = now
    command.save(update_fields=["status", "outcome", "reference", "sent_at", "finished_at"])


def send_due_commands(*, today: date, now: datetime) -> list[SmartMeterCommand]:
    """Send every waiting command whose day has come (the daily job); each is locked so a second run sends none."""
    sent = []
    due = SmartMeterCommand.objects.filter(status=SmartMeterCommand.Status.WAITING, not_before__lte=today)
    for pk in due.order_by("not_before", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            command = (
                SmartMeterCommand.objects.select_for_update()
                .select_related("meter__supply_point")
                .filter(pk=pk, status=SmartMeterCommand.Status.WAITING)
                .first()
            )
            if command is not None:
                _send(command, now=now)
                sent.append(command)
    return sent


def withdraw(*, command: SmartMeterCommand, reason: str, now: datetime) -> bool:
    """Withdraw a command not yet sent (the debt was paid, the customer asked for credit mode back)."""
    changed = SmartMeterCommand.objects.filter(pk=command.pk, status=SmartMeterCommand.Status.WAITING).update(
        status=SmartMeterCommand.Status.WITHDRAWN, outcome=reason[:300], finished_at=now
    )
    return changed == 1
