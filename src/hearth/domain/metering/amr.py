"""AMR devices' daily SMS: ingest, quarantine and replay, and which days have arrived (docs/amr-sms.md).

Every message is kept as an :class:`InboundSms` row whatever happens to it, with one of these outcomes:

- ``ACCEPTED``: the day's intervals and daily total are stored (a household without half-hourly consent keeps the
  daily total only, T&C 7.7);
- ``FLAGGED``: stored, but with a data-quality flag (the counts disagree with the counter's advance, or pulses were
  counted while the device was not fitted): the reason says which;
- ``DUPLICATE``: the device's day was already stored from another message: nothing changed;
- ``QUARANTINED``: nothing stored (unreadable message, unknown device, wrong sender, device not fitted that day…):
  care staff see it with its reason, fix the device record and replay it.

At-least-once delivery is safe: the same message id again changes nothing (a unique constraint on ``message_sid``),
and a second message for a device's day is a duplicate (a partial unique constraint on device + day).
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from hearth.common import amr_sms, text
from hearth.common.calendar import LONDON
from hearth.data.identity.models import User
from hearth.data.metering.models import (
    AmrDevice,
    DailyConsumption,
    InboundSms,
    IntervalConsumption,
    ReadingSource,
)
from hearth.domain.audit import operations as audit
from hearth.domain.metering import consent, conversion, devices

STORED_STATUSES: Final = (InboundSms.Status.ACCEPTED, InboundSms.Status.FLAGGED)
"""The statuses of a message whose day is stored."""

EARLY_TOLERANCE: Final = timedelta(hours=1)
"""A message may arrive this long before the end of the day it reports (a device clock a little fast)."""

MESSAGE_SID_LENGTH: Final = 64
"""The longest message id InboundSms keeps (Twilio's are 34 characters)."""

_REASON_LENGTH: Final = 300
_ATTEMPTS: Final = 3


class ReplayRefused(Exception):
    """The message cannot be replayed (only quarantined messages can); the message says why."""


@dataclass(frozen=True)
class SmsOutcome:
    """What became of a message: the stored row, and whether its id had already been received (nothing changed)."""

    message: InboundSms
    repeated: bool


@dataclass(frozen=True)
class _Result:
    status: InboundSms.Status
    reason: str = ""
    device: AmrDevice | None = None
    day_date: date | None = None


def _reason(text: str) -> str:
    return text if len(text) <= _REASON_LENGTH else text[: _REASON_LENGTH - 1] + "…"


def _local(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%d %b %Y %H:%M")


def _same_number(a: str, b: str) -> bool:
    def canonical(text: str) -> str:
        try:
            return devices.normalise_phone_number(text)
        except ValueError:
            return text.strip()

    return canonical(a) == canonical(b)


# --- Ingest -------------------------------------------------------------------------------------------------------


def ingest_sms(
    *, message_sid: str, from_number: str, to_number: str, body: str, received_at: datetime, now: datetime
) -> SmsOutcome:
    """Keep one SMS from the gateway (or a file) and store the day it reports, exactly once.

    The same ``message_sid`` again changes nothing and returns the stored outcome with ``repeated=True``.

    :raises ValueError: if ``message_sid`` is empty or longer than 64 characters (the caller makes one up then).
    """
    if not 0 < len(message_sid) <= MESSAGE_SID_LENGTH:
        raise ValueError(f"A message id must have 1 to {MESSAGE_SID_LENGTH} characters; got {len(message_sid)}.")
    unstorable = (
        text.unstorable_reason(body, "The message")
        or text.unstorable_reason(from_number, "The sender's number")
        or text.unstorable_reason(to_number, "The number it was sent to")
        or text.unstorable_reason(message_sid, "The message id")
    )
    if unstorable is not None:
        return quarantine_unreadable(
            message_sid=message_sid,
            raw=body,
            reason=unstorable,
            received_at=received_at,
            now=now,
            from_number=from_number,
            to_number=to_number,
        )
    for attempt in range(_ATTEMPTS):
        existing = InboundSms.objects.filter(message_sid=message_sid).first()
        if existing is not None:
            return SmsOutcome(existing, repeated=True)
        try:
            with transaction.atomic():
                message = InboundSms.objects.create(
                    message_sid=message_sid,
                    from_number=from_number[:32],
                    to_number=to_number[:32],
                    body=body,
                    received_at=received_at,
                    status=InboundSms.Status.QUARANTINED,
                    reason="being processed",
                    processed_at=now,
                )
                _process(message, data_received_at=received_at, now=now)
            return SmsOutcome(message, repeated=False)
        except IntegrityError:
            # Another worker stored the same message id, or the same device's day, at the same moment:
            # look again (the id is then found, or the day is now a duplicate).
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def quarantine_unreadable(
    *,
    message_sid: str,
    raw: str,
    reason: str,
    received_at: datetime,
    now: datetime,
    from_number: str = "",
    to_number: str = "",
) -> SmsOutcome:
    """Keep a message that could not even be read as one (no sender, say) in the quarantine, with ``reason``.

    Nothing is lost: care staff see ``raw`` (the whole line as it came; a NUL or other character no text column holds
    is shown as its escape, and the bytes are kept in ``raw_body``) in the quarantine list. The same
    ``message_sid`` again changes nothing and returns the stored row with ``repeated=True``.

    :raises ValueError: if ``message_sid`` is empty or longer than 64 characters.
    """
    if not 0 < len(message_sid) <= MESSAGE_SID_LENGTH:
        raise ValueError(f"A message id must have 1 to {MESSAGE_SID_LENGTH} characters; got {len(message_sid)}.")
    message, created = InboundSms.objects.get_or_create(
        message_sid=text.storable(message_sid)[:MESSAGE_SID_LENGTH],
        defaults={
            "from_number": text.storable(from_number)[:32],
            "to_number": text.storable(to_number)[:32],
            "body": text.storable(raw),
            "raw_body": text.raw_bytes(raw),
            "received_at": received_at,
            "status": InboundSms.Status.QUARANTINED,
            "reason": _reason(reason),
            "processed_at": now,
        },
    )
    return SmsOutcome(message, repeated=not created)


def replay_sms(*, message: InboundSms, actor: User | None, now: datetime) -> InboundSms:
    """Run a quarantined message through ingest again (after staff fixed the device record); audited.

    The same row is updated with its new status and reason.

    :raises ReplayRefused: if the message is not quarantined (its day is stored, or it is a duplicate).
    """
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                locked = InboundSms.objects.select_for_update().get(pk=message.pk)
                if locked.status != InboundSms.Status.QUARANTINED:
                    raise ReplayRefused(
                        f"Message {locked.message_sid} is {locked.get_status_display().lower()}, not quarantined: "
                        "there is nothing to replay."
                    )
                before = {"status": locked.status, "reason": locked.reason}
                _process(locked, data_received_at=now, now=now)
                device = locked.device
                audit.record(
                    actor=actor,
                    action="amr_sms.replayed",
                    subject=f"SMS {locked.message_sid} from {locked.from_number}",
                    customer=devices.customer_of_meter(device.meter) if device else None,
                    before=before,
                    after={"status": locked.status, "reason": locked.reason},
                    at=now,
                )
            return locked
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _process(message: InboundSms, *, data_received_at: datetime, now: datetime) -> None:
    """Decide the message's outcome, store its day if it can be, and save the outcome on the row."""
    result = _outcome(message, data_received_at=data_received_at, now=now)
    message.status = result.status
    message.reason = _reason(result.reason)
    message.device = result.device
    message.day_date = result.day_date
    message.processed_at = now
    message.save(update_fields=["status", "reason", "device", "day_date", "processed_at"])


def _outcome(message: InboundSms, *, data_received_at: datetime, now: datetime) -> _Result:
    quarantined = InboundSms.Status.QUARANTINED
    try:
        day = amr_sms.parse_amr_sms(message.body)
    except amr_sms.AmrMessageError as exc:
        return _Result(quarantined, exc.reason)
    device = AmrDevice.objects.select_related("meter__supply_point").filter(serial_number=day.serial).first()
    if device is None:
        return _Result(quarantined, f"no AMR device has serial {day.serial}", day_date=day.day)
    if not _same_number(message.from_number, device.sim_phone_number):
        return _Result(
            quarantined,
            f"the sender {message.from_number or '(none)'} is not the SIM of device {device.serial_number} "
            f"({device.sim_phone_number})",
            device,
            day.day,
        )
    starts = amr_sms.interval_starts(day.day, day.interval_minutes)
    day_start = starts[0]
    day_end = starts[-1] + timedelta(minutes=day.interval_minutes)
    if device.installed_at >= day_end or (device.retired_at is not None and device.retired_at <= day_start):
        fitted = _local(device.installed_at) + (f" to {_local(device.retired_at)}" if device.retired_at else "")
        return _Result(
            quarantined,
            f"device {device.serial_number} was not fitted on {day.day.isoformat()} (fitted {fitted})",
            device,
            day.day,
        )
    if day_end > now + EARLY_TOLERANCE:
        return _Result(
            quarantined,
            f"{day.day.isoformat()} had not ended when the message was processed ({_local(now)} UK time): "
            "is the device clock wrong? Replay it after the day has ended",
            device,
            day.day,
        )
    stored = _stored_message(device, day.day)
    if stored is not None:
        differs = "" if _parsed(stored) == day else "; its counts differ from the stored ones and were not stored"
        return _Result(
            InboundSms.Status.DUPLICATE,
            f"device {device.serial_number}'s day {day.day.isoformat()} is already stored "
            f"from message {stored.message_sid}{differs}",
            device,
            day.day,
        )
    # Claim the device's day first: a concurrent message for the same day then fails the partial unique constraint.
    message.device, message.day_date, message.status = device, day.day, InboundSms.Status.ACCEPTED
    message.save(update_fields=["device", "day_date", "status"])
    flags = _store_day(device, day, starts, received_at=data_received_at)
    counter_flag = _counter_check(device, day)
    if counter_flag:
        flags.insert(0, counter_flag)
    _recheck_next_day(device, day)
    if flags:
        return _Result(InboundSms.Status.FLAGGED, "; ".join(flags), device, day.day)
    return _Result(InboundSms.Status.ACCEPTED, "", device, day.day)


def _stored_message(device: AmrDevice, day: date) -> InboundSms | None:
    return InboundSms.objects.filter(device=device, day_date=day, status__in=STORED_STATUSES).order_by("id").first()


def _parsed(message: InboundSms) -> amr_sms.AmrDay | None:
    try:
        return amr_sms.parse_amr_sms(message.body)
    except amr_sms.AmrMessageError:
        return None


def _counter_mismatch(previous: amr_sms.AmrDay, day: amr_sms.AmrDay) -> str:
    advance = amr_sms.counter_advance(previous.counter_end, day.counter_end)
    if advance == day.total:
        return ""
    return (
        f"the interval counts add up to {day.total} pulses but the counter advanced {advance} "
        f"(from {previous.counter_end} at the end of {previous.day.isoformat()} to {day.counter_end})"
    )


def _counter_check(device: AmrDevice, day: amr_sms.AmrDay) -> str:
    """Compare the day's counts with the counter's advance since the previous day's message (if it arrived)."""
    previous_message = _stored_message(device, day.day - timedelta(days=1))
    previous = _parsed(previous_message) if previous_message else None
    return _counter_mismatch(previous, day) if previous is not None else ""


def _recheck_next_day(device: AmrDevice, day: amr_sms.AmrDay) -> None:
    """A day that arrived late lets the following day's counts be checked now: flag it if they disagree."""
    following_message = _stored_message(device, day.day + timedelta(days=1))
    if following_message is None or following_message.status != InboundSms.Status.ACCEPTED:
        return
    following = _parsed(following_message)
    mismatch = _counter_mismatch(day, following) if following is not None else ""
    if mismatch:
        following_message.status = InboundSms.Status.FLAGGED
        following_message.reason = _reason(f"{mismatch} (checked when {day.day.isoformat()} arrived later)")
        following_message.save(update_fields=["status", "reason"])


def _store_day(device: AmrDevice, day: amr_sms.AmrDay, starts: list[datetime], *, received_at: datetime) -> list[str]:
    """Store the intervals of ``day`` that fall in the device's fitted time, and the day's total; return any flags.

    On the day a device is exchanged the meter's intervals come from both devices: an interval the other device
    already stored (the one the exchange happened in) gets this device's pulses added. Rows from another source
    (an estimate, a smart read) are replaced by the device's actual figures.

    A household without half-hourly consent at an interval's start (T&C 7.7, :mod:`consent`) keeps only the day's
    total: that interval counts towards it but is not stored. A business is within-day by its contract.
    """
    meter = device.meter
    policy = consent.within_day_policy(supply_point=meter.supply_point)
    step = timedelta(minutes=day.interval_minutes)
    weight = device.pulse_weight
    unit = device.unit
    fitted: list[tuple[datetime, int]] = []
    outside = 0
    for start, count in zip(starts, day.counts, strict=True):
        overlaps = start + step > device.installed_at and (device.retired_at is None or start < device.retired_at)
        if overlaps:
            fitted.append((start, count))
        else:
            outside += count
    existing = {
        row.interval_start: row
        for row in IntervalConsumption.objects.filter(
            meter=meter, interval_start__gte=starts[0], interval_start__lt=starts[-1] + step
        )
    }
    new_rows: list[IntervalConsumption] = []
    replaced: list[datetime] = []
    for start, count in fitted:
        if not (policy.always or policy.allows(start)):
            continue  # counted in the day's total only
        quantity = Decimal(count) * weight
        row = existing.get(start)
        if row is not None and row.source == ReadingSource.AMR and row.quality == IntervalConsumption.Quality.ACTUAL:
            total = row.quantity + quantity
            IntervalConsumption.objects.filter(meter=meter, interval_start=start).update(
                quantity=conversion.stored(total),
                kwh=conversion.stored(conversion.kwh_of(quantity=total, unit=unit)),
                received_at=received_at,
            )
            continue
        if row is not None:
            replaced.append(start)
        new_rows.append(
            IntervalConsumption(
                meter=meter,
                interval_start=start,
                interval_minutes=day.interval_minutes,
                quantity=conversion.stored(quantity),
                unit=unit,
                kwh=conversion.stored(conversion.kwh_of(quantity=quantity, unit=unit)),
                quality=IntervalConsumption.Quality.ACTUAL,
                source=ReadingSource.AMR,
                received_at=received_at,
            )
        )
    if replaced:
        IntervalConsumption.objects.filter(meter=meter, interval_start__in=replaced).delete()
    IntervalConsumption.objects.bulk_create(new_rows)
    _store_daily(device, day.day, sum(count for _, count in fitted), received_at=received_at)
    if outside:
        return [
            f"{outside} pulses were counted outside the time device {device.serial_number} was fitted "
            "and were not stored"
        ]
    return []


def _store_daily(device: AmrDevice, day: date, pulses: int, *, received_at: datetime) -> None:
    quantity = Decimal(pulses) * device.pulse_weight
    row = DailyConsumption.objects.filter(meter=device.meter, day_date=day).first()
    if row is not None and row.source == ReadingSource.AMR and row.quality == IntervalConsumption.Quality.ACTUAL:
        quantity += row.quantity  # the other device of an exchange day
    if row is not None:
        DailyConsumption.objects.filter(meter=device.meter, day_date=day).delete()
    DailyConsumption.objects.create(
        meter=device.meter,
        day_date=day,
        quantity=conversion.stored(quantity),
        unit=device.unit,
        kwh=conversion.stored(conversion.kwh_of(quantity=quantity, unit=device.unit)),
        quality=IntervalConsumption.Quality.ACTUAL,
        source=ReadingSource.AMR,
        received_at=received_at,
    )


# --- Queries ------------------------------------------------------------------------------------------------------


class DayStatus(enum.StrEnum):
    RECEIVED = "RECEIVED"
    MISSING = "MISSING"


@dataclass(frozen=True)
class AmrDayRow:
    """One local day of a device: whether its message arrived (and with which flag, if any)."""

    day: date
    status: DayStatus
    message: InboundSms | None

    @property
    def flagged(self) -> bool:
        return self.message is not None and self.message.status == InboundSms.Status.FLAGGED


def _days(from_date: date, to_date: date) -> Iterable[date]:
    day = from_date
    while day < to_date:
        yield day
        day += timedelta(days=1)


def amr_days(*, device: AmrDevice, from_date: date, to_date: date) -> list[AmrDayRow]:
    """Each local day in ``[from_date, to_date)`` on which the device was fitted: received, or missing so far.

    A day the device was fitted for only part of (its fitting or retirement day) is included.
    """
    start = max(from_date, device.installed_at.astimezone(LONDON).date())
    end = to_date
    if device.retired_at is not None:
        # The last day it was fitted is the one the instant just before retirement falls on.
        last = (device.retired_at - timedelta(microseconds=1)).astimezone(LONDON).date()
        end = min(end, last + timedelta(days=1))
    received = {
        message.day_date: message
        for message in InboundSms.objects.filter(
            device=device, day_date__gte=start, day_date__lt=end, status__in=STORED_STATUSES
        ).order_by("id")
    }
    return [
        AmrDayRow(day, DayStatus.RECEIVED if day in received else DayStatus.MISSING, received.get(day))
        for day in _days(start, end)
    ]


def quarantined_messages() -> QuerySet[InboundSms]:
    """Messages waiting for care staff, the oldest first."""
    return InboundSms.objects.filter(status=InboundSms.Status.QUARANTINED).order_by("received_at", "id")


def message_by_id(*, message_id: int) -> InboundSms | None:
    return InboundSms.objects.filter(pk=message_id).first()


def recent_messages(*, device: AmrDevice, limit: int = 20) -> QuerySet[InboundSms]:
    """The device's latest messages, whatever became of them."""
    return InboundSms.objects.filter(device=device).order_by("-received_at", "-id")[:limit]
