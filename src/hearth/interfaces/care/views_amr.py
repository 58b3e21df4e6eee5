"""The care console's AMR pages: the SMS quarantine (replay after a fix) and a meter's AMR devices.

Each view makes its domain calls (``hearth.domain.metering.amr`` and ``.devices``) and maps their errors to the page.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.common.calendar import LONDON
from hearth.data.accounts.models import Fuel
from hearth.data.metering.models import AmrDevice, InboundSms, Meter
from hearth.domain.metering import amr as amr_ops
from hearth.domain.metering import devices as devices_ops
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.web import plain_forms

DAYS_SHOWN = 14
"""How many recent days the meter page lists as received or missing."""

_BREAK_AFTER = re.compile(r"(?<=[;,])")
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]

F = TypeVar("F", bound=forms.Form)


# --- Forms --------------------------------------------------------------------------------------------------------


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _when_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=_DATETIME_FORMATS,
        help_text="UK time, as on the engineer's job sheet.",
        error_messages={
            "required": "Enter the date and time.",
            "invalid": "Enter the date and time, like 2026-05-08 14:30.",
        },
        widget=LocalDateTimeInput(),
    )


class DeviceForm(plain_forms.PlainForm):
    """A new device's details, and when it was fitted."""

    serial_number = forms.CharField(
        label="Device serial",
        max_length=32,
        help_text="As printed on the device and sent in its messages.",
        error_messages={"required": "Enter the device serial."},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    sim_phone_number = forms.CharField(
        label="SIM phone number",
        max_length=24,
        help_text="The number the device's messages come from, like +447700900123.",
        error_messages={"required": "Enter the SIM's phone number."},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    pulse_weight = forms.DecimalField(
        label="Pulse weight",
        max_digits=10,
        decimal_places=5,
        help_text="How much one pulse is, in the unit below: for example 0.01 (m³) or 1 (kWh).",
        error_messages={
            "required": "Enter the pulse weight.",
            "invalid": "Enter the pulse weight as a number, like 0.01.",
            "max_decimal_places": "The pulse weight can have at most 5 decimal places.",
            "max_digits": "The pulse weight must be less than 100000.",
            "max_whole_digits": "The pulse weight must be less than 100000.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.ChoiceField(label="Unit", choices=AmrDevice.Unit.choices)

    def details(self) -> devices_ops.DeviceDetails:
        data = self.cleaned_data
        return devices_ops.DeviceDetails(
            serial_number=data["serial_number"],
            sim_phone_number=data["sim_phone_number"],
            pulse_weight=Decimal(data["pulse_weight"]),
            unit=AmrDevice.Unit(data["unit"]),
        )


class RegisterDeviceForm(DeviceForm):
    installed_at = _when_field("Fitted at")


class ReplaceDeviceForm(DeviceForm):
    replaced_at = _when_field("Exchanged at")


class CorrectDeviceForm(plain_forms.PlainForm):
    """The serial and SIM number as they really are (a typing mistake, a new SIM card)."""

    serial_number = DeviceForm.base_fields["serial_number"]
    sim_phone_number = DeviceForm.base_fields["sim_phone_number"]


class RetireDeviceForm(plain_forms.PlainForm):
    retired_at = _when_field("Taken off at")


def _now_local() -> str:
    return timezone.now().astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def _unit_for(meter: Meter) -> str:
    return AmrDevice.Unit.CUBIC_METRES if meter.supply_point.fuel == Fuel.GAS else AmrDevice.Unit.KWH


@contextmanager
def _refusal_on(form: forms.Form) -> Iterator[None]:
    """Run a device action's domain call: a refusal skips the rest of the block and is shown on the form, at the
    field it names (the whole form if none)."""
    try:
        yield
    except devices_ops.DeviceRefused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- The quarantine -----------------------------------------------------------------------------------------------


@dataclass
class MessageRow:
    message: InboundSms
    body_parts: list[str]


def _body_parts(body: str) -> list[str]:
    """The body in pieces after each ';' and ',', so a long message can wrap on a phone."""
    return [part for part in _BREAK_AFTER.split(body) if part]


@access.staff_required
def quarantine(request: CareRequest) -> HttpResponse:
    rows = [
        MessageRow(message, _body_parts(message.body))
        for message in amr_ops.quarantined_messages().select_related("device")
    ]
    return care_views._render(request, "care/amr_quarantine.html", {"rows": rows, "here": request.path})


@require_POST
@access.staff_required
def replay(request: CareRequest, message_id: int) -> HttpResponse:
    message = care_views._found(amr_ops.message_by_id(message_id=message_id), "No such message")
    with care_views._refusal_shown(request, amr_ops.ReplayRefused):
        replayed = amr_ops.replay_sms(message=message, actor=request.user, now=timezone.now())
        outcome = replayed.get_status_display()
        if replayed.status == InboundSms.Status.QUARANTINED:
            messages.error(request, f"Message {replayed.message_sid} is still quarantined: {replayed.reason}.")
        elif replayed.reason:
            messages.success(request, f"Message {replayed.message_sid} replayed: {outcome} ({replayed.reason}).")
        else:
            messages.success(request, f"Message {replayed.message_sid} replayed: {outcome}.")
    return care_views._back(request, reverse("care:amr_quarantine"))


# --- A meter's AMR devices ----------------------------------------------------------------------------------------


@dataclass
class DeviceRow:
    device: AmrDevice
    weight: str


def _weight(device: AmrDevice) -> str:
    """The pulse weight without trailing zeros, never in exponent form: 0.01 m³, 100 kWh."""
    return f"{Decimal(device.pulse_weight).normalize():f} {device.get_unit_display()}"


def _meter_or_404(meter_id: int) -> Meter:
    return care_views._found(devices_ops.meter_by_id(meter_id=meter_id), "No such meter")


def _device_or_404(device_id: int) -> AmrDevice:
    return care_views._found(devices_ops.device_by_id(device_id=device_id), "No such device")


def _or_blank(bound: forms.Form | None, form_class: type[F], **kwargs: Any) -> F:
    """`bound` if it is a `form_class` (posted and not accepted), else a new blank one."""
    return bound if isinstance(bound, form_class) else form_class(**kwargs)


def _meter_page(
    request: CareRequest,
    meter: Meter,
    bound: forms.Form | None = None,
) -> HttpResponse:
    """The meter's page; `bound` is a posted form that was not accepted, shown again with its errors."""
    now = timezone.now()
    current = devices_ops.current_device(meter=meter)
    today = now.astimezone(LONDON).date()
    days = (
        list(reversed(amr_ops.amr_days(device=current, from_date=today - timedelta(days=DAYS_SHOWN), to_date=today)))
        if current
        else []
    )
    when = {"installed_at": _now_local(), "replaced_at": _now_local(), "retired_at": _now_local()}
    unit = {"unit": _unit_for(meter)}
    context: dict[str, Any] = {
        "meter": meter,
        "customer": devices_ops.customer_of_meter(meter),
        "current": current,
        "current_weight": _weight(current) if current else "",
        "history": [DeviceRow(device, _weight(device)) for device in devices_ops.devices_of_meter(meter=meter)],
        "days": days,
        "missing_days": sum(1 for day in days if day.status == amr_ops.DayStatus.MISSING),
        "recent": [MessageRow(m, _body_parts(m.body)) for m in amr_ops.recent_messages(device=current)]
        if current
        else [],
        "register_form": _or_blank(bound, RegisterDeviceForm, auto_id="register-%s", initial={**when, **unit}),
        "replace_form": _or_blank(bound, ReplaceDeviceForm, auto_id="replace-%s", initial={**when, **unit}),
        "retire_form": _or_blank(bound, RetireDeviceForm, auto_id="retire-%s", initial=when),
        "correct_form": _or_blank(
            bound,
            CorrectDeviceForm,
            auto_id="correct-%s",
            initial={"serial_number": current.serial_number, "sim_phone_number": current.sim_phone_number}
            if current
            else {},
        ),
        "error_form": bound if bound is not None and bound.errors else None,
        "here": request.path,
    }
    return care_views._render(request, "care/amr_meter.html", context)


@access.staff_required
def meter_devices(request: CareRequest, meter_id: int) -> HttpResponse:
    return _meter_page(request, _meter_or_404(meter_id))


def _done(request: CareRequest, meter: Meter, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("care:amr_meter", meter_id=meter.pk)


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, LONDON)


def _device_action(request: CareRequest, meter: Meter, form: F, act: Callable[[F], str]) -> HttpResponse:
    """A posted device action: if `form` is valid, run `act` (the domain call, returning the success message) and go
    back to the meter's page with it; a refusal or invalid form shows the meter's page again with the errors."""
    if form.is_valid():
        with _refusal_on(form):
            return _done(request, meter, act(form))
    return _meter_page(request, meter, form)


@require_POST
@access.staff_required
def register_device(request: CareRequest, meter_id: int) -> HttpResponse:
    meter = _meter_or_404(meter_id)

    def act(form: RegisterDeviceForm) -> str:
        device = devices_ops.register_device(
            meter=meter,
            details=form.details(),
            installed_at=_aware(form.cleaned_data["installed_at"]),
            actor=request.user,
            now=timezone.now(),
        )
        return f"Registered device {device.serial_number} on {meter}."

    return _device_action(request, meter, RegisterDeviceForm(request.POST, auto_id="register-%s"), act)


@require_POST
@access.staff_required
def replace_device(request: CareRequest, device_id: int) -> HttpResponse:
    device = _device_or_404(device_id)

    def act(form: ReplaceDeviceForm) -> str:
        new = devices_ops.replace_device(
            device=device,
            details=form.details(),
            replaced_at=_aware(form.cleaned_data["replaced_at"]),
            actor=request.user,
            now=timezone.now(),
        )
        return f"Device {device.serial_number} retired and {new.serial_number} fitted."

    return _device_action(request, device.meter, ReplaceDeviceForm(request.POST, auto_id="replace-%s"), act)


@require_POST
@access.staff_required
def retire_device(request: CareRequest, device_id: int) -> HttpResponse:
    device = _device_or_404(device_id)

    def act(form: RetireDeviceForm) -> str:
        devices_ops.retire_device(
            device=device,
            retired_at=_aware(form.cleaned_data["retired_at"]),
            actor=request.user,
            now=timezone.now(),
        )
        return f"Device {device.serial_number} retired."

    return _device_action(request, device.meter, RetireDeviceForm(request.POST, auto_id="retire-%s"), act)


@require_POST
@access.staff_required
def correct_device(request: CareRequest, device_id: int) -> HttpResponse:
    device = _device_or_404(device_id)

    def act(form: CorrectDeviceForm) -> str:
        corrected = devices_ops.correct_device(
            device=device,
            serial_number=form.cleaned_data["serial_number"],
            sim_phone_number=form.cleaned_data["sim_phone_number"],
            actor=request.user,
            now=timezone.now(),
        )
        return (
            f"Device record corrected: serial {corrected.serial_number}, SIM {corrected.sim_phone_number}. "
            "Replay its quarantined messages from the AMR quarantine."
        )

    return _device_action(request, device.meter, CorrectDeviceForm(request.POST, auto_id="correct-%s"), act)
