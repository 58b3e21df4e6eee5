"""AMR devices on meters: care staff register, replace and retire them (every change audited).

A device belongs to one meter over the half-open time ``[installed_at, retired_at)``; a meter has at most one device
fitted at a time. Replacing a device retires the old one and fits the new one at the same instant, so the pulses of
the day of the exchange are taken from each device for the part of the day it was fitted (``amr.ingest_sms``).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from django.db import transaction
from django.db.models import Q, QuerySet

from hearth.common import amr_sms
from hearth.common.calendar import LONDON
from hearth.data.accounts.models import Customer, Fuel, Supply
from hearth.data.identity.models import User
from hearth.data.metering.models import AmrDevice, Meter
from hearth.domain.audit import operations as audit

_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}")
_PHONE_PUNCTUATION: Final = re.compile(r"[\s().-]")
_UK_NATIONAL: Final = re.compile(r"0[1-9][0-9]{8,9}")
_MAX_PULSE_WEIGHT: Final = Decimal("100000")  # the column holds 5 digits before the point
_PULSE_WEIGHT_PLACES: Final = 5


class DeviceRefused(Exception):
    """The device change cannot be made; ``field`` names the form field at fault ("" for the whole form)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class DeviceDetails:
    """What care staff enter for a new device."""

    serial_number: str
    sim_phone_number: str
    pulse_weight: Decimal
    unit: AmrDevice.Unit


def normalise_phone_number(text: str) -> str:
    """A phone number in E.164 form (``+447700900123``); spaces, dashes and brackets are ignored.

    ``00`` in front becomes ``+``, and a UK national number (``07700 900123``) gets the UK code.

    :raises ValueError: if it is not a phone number, saying how it should look.
    """
    compact = _PHONE_PUNCTUATION.sub("", text or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif _UK_NATIONAL.fullmatch(compact):
        compact = "+44" + compact[1:]
    if not _E164.fullmatch(compact):
        raise ValueError(
            f"{text.strip()!r} is not a phone number in international form, like +447700900123 (8 to 15 digits)."
        )
    return compact


def _local(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%d %b %Y %H:%M")


def customer_of_meter(meter: Meter) -> Customer | None:
    """The customer whose account is (or was last) supplied through the meter's supply point."""
    supply = (
        Supply.objects.filter(supply_point_id=meter.supply_point_id)
        .select_related("account__customer")
        .order_by("-valid_from", "-id")
        .first()
    )
    return supply.account.customer if supply else None


def devices_of_meter(*, meter: Meter) -> QuerySet[AmrDevice]:
    """Every device ever fitted to the meter, the latest first."""
    return AmrDevice.objects.filter(meter=meter).order_by("-installed_at", "-id")


def current_device(*, meter: Meter) -> AmrDevice | None:
    """The device fitted to the meter and not retired, if any."""
    return AmrDevice.objects.filter(meter=meter, retired_at__isnull=True).order_by("-installed_at", "-id").first()


def device_by_id(*, device_id: int) -> AmrDevice | None:
    return AmrDevice.objects.select_related("meter__supply_point").filter(pk=device_id).first()


def meter_by_id(*, meter_id: int) -> Meter | None:
    return Meter.objects.select_related("supply_point").filter(pk=meter_id).first()


def _checked_serial(text: str) -> str:
    serial = text.strip()
    if not serial:
        raise DeviceRefused("Enter the device serial.", field="serial_number")
    if not amr_sms.is_valid_serial(serial):
        raise DeviceRefused(
            f"The serial {serial!r} cannot appear in the device's messages: use up to {amr_sms.MAX_SERIAL} "
            "letters, digits, '.', '_', '/' or '-', starting with a letter or digit.",
            field="serial_number",
        )
    existing = AmrDevice.objects.filter(serial_number=serial).select_related("meter").first()
    if existing is not None:
        raise DeviceRefused(
            f"Device serial {serial} is already registered (on {existing.meter}); a serial is used only once.",
            field="serial_number",
        )
    return serial


def _checked_phone(text: str, *, leaving: AmrDevice | None) -> str:
    """The SIM number in E.164 form, not in another fitted device (``leaving`` may keep or hand over its own)."""
    try:
        phone = normalise_phone_number(text)
    except ValueError as exc:
        raise DeviceRefused(str(exc), field="sim_phone_number") from None
    sharing_devices = AmrDevice.objects.filter(sim_phone_number=phone, retired_at__isnull=True)
    if leaving is not None:
        sharing_devices = sharing_devices.exclude(pk=leaving.pk)
    sharing = sharing_devices.order_by("id").first()
    if sharing is not None:
        raise DeviceRefused(
            f"The SIM {phone} is in device {sharing.serial_number}, which is still fitted: retire that device first.",
            field="sim_phone_number",
        )
    return phone


def _checked(details: DeviceDetails, *, meter: Meter, leaving: AmrDevice | None = None) -> DeviceDetails:
    """The details with the serial trimmed and the SIM number in E.164 form, or DeviceRefused naming the field.

    ``leaving`` is a device retired in the same step, whose SIM the new device may take over.
    """
    serial = _checked_serial(details.serial_number)
    phone = _checked_phone(details.sim_phone_number, leaving=leaving)
    weight = details.pulse_weight
    if not weight.is_finite() or weight <= 0:
        raise DeviceRefused("The pulse weight must be more than 0.", field="pulse_weight")
    if weight >= _MAX_PULSE_WEIGHT:
        raise DeviceRefused(f"The pulse weight must be less than {_MAX_PULSE_WEIGHT}.", field="pulse_weight")
    exponent = weight.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _PULSE_WEIGHT_PLACES:
        raise DeviceRefused(
            f"The pulse weight can have at most {_PULSE_WEIGHT_PLACES} decimal places; {weight} has more.",
            field="pulse_weight",
        )
    fuel = meter.supply_point.fuel
    expected_unit = AmrDevice.Unit.CUBIC_METRES if fuel == Fuel.GAS else AmrDevice.Unit.KWH
    if details.unit != expected_unit:
        what = "a gas meter counts volume" if fuel == Fuel.GAS else "an electricity meter counts energy"
        raise DeviceRefused(f"The unit must be {expected_unit.label}: {what}.", field="unit")
    return DeviceDetails(serial, phone, weight, AmrDevice.Unit(details.unit))


def _check_time(at: datetime, *, meter: Meter, now: datetime, field: str, what: str) -> None:
    if at > now:
        raise DeviceRefused(f"The {what} time cannot be in the future.", field=field)
    if at < meter.installed_at:
        raise DeviceRefused(
            f"The {what} time is before the meter was installed ({_local(meter.installed_at)}).", field=field
        )
    if meter.removed_at is not None and at >= meter.removed_at:
        raise DeviceRefused(
            f"The {what} time is after the meter was removed ({_local(meter.removed_at)}).", field=field
        )


def _fit(*, meter: Meter, details: DeviceDetails, installed_at: datetime) -> AmrDevice:
    return AmrDevice.objects.create(
        meter=meter,
        serial_number=details.serial_number,
        sim_phone_number=details.sim_phone_number,
        pulse_weight=details.pulse_weight,
        unit=details.unit,
        installed_at=installed_at,
    )


def _facts(device: AmrDevice) -> dict[str, str]:
    return {
        "serial": device.serial_number,
        "sim": device.sim_phone_number,
        "pulse_weight": str(device.pulse_weight),
        "unit": str(device.unit),
        "installed_at": device.installed_at.isoformat(),
        "retired_at": device.retired_at.isoformat() if device.retired_at else "",
    }


def _audit(
    device: AmrDevice,
    *,
    action: str,
    actor: User | None,
    now: datetime,
    before: dict[str, str] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record `action` on `device` in its customer's audit trail; `after` is the device as it is now unless given."""
    audit.record(
        actor=actor,
        action=action,
        subject=str(device),
        customer=customer_of_meter(device.meter),
        before=before,
        after=_facts(device) if after is None else after,
        at=now,
    )


@transaction.atomic
def register_device(
    *, meter: Meter, details: DeviceDetails, installed_at: datetime, actor: User | None, now: datetime
) -> AmrDevice:
    """Fit a device to a meter that has none fitted at ``installed_at``.

    :raises DeviceRefused: if a detail is wrong (the serial is taken, the SIM number is not a phone number, the pulse
        weight is not above 0, the unit does not suit the fuel) or the meter already has a device then.
    """
    checked = _checked(details, meter=meter)
    _check_time(installed_at, meter=meter, now=now, field="installed_at", what="fitting")
    clash = (
        AmrDevice.objects.filter(meter=meter)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=installed_at))
        .order_by("installed_at", "id")
        .first()
    )
    if clash is not None:
        raise DeviceRefused(
            f"{meter} already has device {clash.serial_number} fitted from {_local(clash.installed_at)}"
            + (f" to {_local(clash.retired_at)}" if clash.retired_at else "")
            + ": replace or retire it instead.",
            field="installed_at" if clash.retired_at else "",
        )
    device = _fit(meter=meter, details=checked, installed_at=installed_at)
    _audit(device, action="amr_device.registered", actor=actor, now=now)
    return device


def _check_retirement(device: AmrDevice, *, at: datetime, now: datetime, field: str) -> None:
    if device.retired_at is not None:
        raise DeviceRefused(f"Device {device.serial_number} was already retired on {_local(device.retired_at)}.")
    if at <= device.installed_at:
        raise DeviceRefused(
            f"The time must be after device {device.serial_number} was fitted ({_local(device.installed_at)}).",
            field=field,
        )
    if at > now:
        raise DeviceRefused("The time cannot be in the future.", field=field)


@transaction.atomic
def retire_device(*, device: AmrDevice, retired_at: datetime, actor: User | None, now: datetime) -> AmrDevice:
    """Take a device off its meter at ``retired_at``; its messages about later days are quarantined from then on.

    :raises DeviceRefused: if it is already retired, or the time is not after it was fitted or is in the future.
    """
    device = AmrDevice.objects.select_for_update().get(pk=device.pk)
    _check_retirement(device, at=retired_at, now=now, field="retired_at")
    before = _facts(device)
    device.retired_at = retired_at
    device.save(update_fields=["retired_at"])
    _audit(device, action="amr_device.retired", before=before, actor=actor, now=now)
    return device


@transaction.atomic
def replace_device(
    *, device: AmrDevice, details: DeviceDetails, replaced_at: datetime, actor: User | None, now: datetime
) -> AmrDevice:
    """Retire ``device`` and fit a new one to the same meter at the same instant; returns the new device.

    :raises DeviceRefused: as :func:`register_device` and :func:`retire_device` do.
    """
    device = AmrDevice.objects.select_for_update().select_related("meter__supply_point").get(pk=device.pk)
    meter = device.meter
    _check_retirement(device, at=replaced_at, now=now, field="replaced_at")
    checked = _checked(details, meter=meter, leaving=device)
    before = _facts(device)
    device.retired_at = replaced_at
    device.save(update_fields=["retired_at"])
    new = _fit(meter=meter, details=checked, installed_at=replaced_at)
    _audit(
        device,
        action="amr_device.replaced",
        before=before,
        after={"retired": _facts(device), "fitted": _facts(new)},
        actor=actor,
        now=now,
    )
    return new


@transaction.atomic
def correct_device(
    *, device: AmrDevice, serial_number: str, sim_phone_number: str, actor: User | None, now: datetime
) -> AmrDevice:
    """Correct a device's serial or SIM number as recorded (a typing mistake, a replacement SIM card).

    The pulse weight and unit cannot be corrected here: the stored consumption was calculated with them, so a
    wrong one means exchanging the record (replace the device).

    :raises DeviceRefused: if the serial is not valid or taken by another device, or the SIM number is not a phone
        number or is in another fitted device.
    """
    device = AmrDevice.objects.select_for_update().select_related("meter__supply_point").get(pk=device.pk)
    serial = serial_number.strip()
    if serial != device.serial_number:
        serial = _checked_serial(serial)
    phone = _checked_phone(sim_phone_number, leaving=device)
    if serial == device.serial_number and phone == device.sim_phone_number:
        raise DeviceRefused("Nothing to correct: the serial and the SIM number are as recorded.")
    before = _facts(device)
    device.serial_number, device.sim_phone_number = serial, phone
    device.save(update_fields=["serial_number", "sim_phone_number"])
    _audit(device, action="amr_device.corrected", before=before, actor=actor, now=now)
    return device
