"""Readings held for care staff: the review queue (``RegisterReading.Status.FOR_REVIEW``).

A reading lower than the last is refused unless the sender says the meter was replaced; then
:func:`readings.record_register_reading` keeps it as ``FOR_REVIEW`` with a note. Care staff see these readings
oldest first (:func:`readings_for_review`), with the register, meter, supply point and account, and either

- **accept** it (:func:`accept_reading`): its status becomes ``ACCEPTED``, so it counts as the register's latest
  reading from then on (after staff fitted the new meter, or found the old one's dial really was replaced); or
- **reject** it (:func:`reject_reading`): its status becomes ``REJECTED`` with the reason in ``note``; it stays
  stored (nothing is lost) but is never used.

Both are audited on the customer's trail with who decided. Only a reading still held can be decided:
anything else raises :class:`ReviewRefused`.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from django.db import transaction

from hearth.data.accounts.models import Account, Supply
from hearth.data.identity.models import User
from hearth.data.metering.models import RegisterReading
from hearth.domain.audit import operations as audit
from hearth.domain.metering import readings as metering_readings

__all__ = [
    "REASON_LENGTH",
    "ReviewRefused",
    "ReviewRow",
    "accept_reading",
    "count_for_review",
    "reading_by_id",
    "readings_for_review",
    "reject_reading",
]

REASON_LENGTH: Final = 300
"""The longest reason kept (the reading's ``note``)."""


class ReviewRefused(Exception):
    """The reading cannot be decided (it is not waiting for review, or no reason was given); the message says why."""


@dataclass(frozen=True)
class ReviewRow:
    """A held reading with the account it belongs to (None if the supply point has no supply)."""

    reading: RegisterReading
    account: Account | None


def _account_of(reading: RegisterReading) -> Account | None:
    supply = (
        Supply.objects.filter(supply_point_id=reading.register.meter.supply_point_id)
        .select_related("account__customer")
        .order_by("-valid_from", "-id")
        .first()
    )
    return supply.account if supply else None


def readings_for_review() -> list[ReviewRow]:
    """The readings waiting for care staff, the oldest received first, with register, meter, supply point and
    account."""
    held = (
        RegisterReading.objects.filter(status=RegisterReading.Status.FOR_REVIEW)
        .select_related("register__meter__supply_point")
        .order_by("received_at", "id")
    )
    return [ReviewRow(reading, _account_of(reading)) for reading in held]


def count_for_review() -> int:
    """How many readings are waiting for care staff."""
    return RegisterReading.objects.filter(status=RegisterReading.Status.FOR_REVIEW).count()


def reading_by_id(*, reading_id: int) -> RegisterReading | None:
    return RegisterReading.objects.select_related("register__meter__supply_point").filter(pk=reading_id).first()


def _show(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _subject(reading: RegisterReading) -> str:
    register = reading.register
    return f"Meter {register.meter.serial_number} register {register.identifier} reading {_show(reading.value)}"


def _decide(
    *, reading: RegisterReading, status: RegisterReading.Status, note: str | None, actor: User | None, now: datetime
) -> RegisterReading:
    with transaction.atomic():
        locked = (
            RegisterReading.objects.select_for_update()
            .select_related("register__meter__supply_point")
            .get(pk=reading.pk)
        )
        if locked.status != RegisterReading.Status.FOR_REVIEW:
            raise ReviewRefused(
                f"The reading {_show(locked.value)} of meter {locked.register.meter.serial_number} is "
                f"{locked.get_status_display().lower()}, not waiting for review: there is nothing to decide."
            )
        before = {"status": locked.status, "note": locked.note}
        locked.status = status
        fields = ["status"]
        if note is not None:
            locked.note = note
            fields.append("note")
        locked.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="reading.accepted" if status == RegisterReading.Status.ACCEPTED else "reading.rejected",
            subject=_subject(locked),
            at=now,
            customer=metering_readings.customer_of_register(locked.register),
            before=before,
            after={"status": locked.status, "note": locked.note},
        )
    return locked


def accept_reading(*, reading: RegisterReading, actor: User | None, now: datetime) -> RegisterReading:
    """Accept a held reading: it counts from now on (audited).

    :raises ReviewRefused: if the reading is not waiting for review.
    """
    return _decide(reading=reading, status=RegisterReading.Status.ACCEPTED, note=None, actor=actor, now=now)


def reject_reading(*, reading: RegisterReading, reason: str, actor: User | None, now: datetime) -> RegisterReading:
    """Reject a held reading with ``reason`` (kept in its ``note``, audited); it stays stored but is never used.

    :raises ReviewRefused: if the reading is not waiting for review, or the reason is blank.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ReviewRefused("Give the reason for rejecting the reading.")
    return _decide(
        reading=reading,
        status=RegisterReading.Status.REJECTED,
        note=reason[:REASON_LENGTH],
        actor=actor,
        now=now,
    )
