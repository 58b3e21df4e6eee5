"""Submitting a meter reading in the portal (T&C 5.4, 9.4.3), for meters that do not send their own readings.

One form per meter of the selected account without remote reading (credit and prepayment meters; smart and AMR
meters read themselves): a box per register with its last reading beside it, and the date the meter was read.
Every register's reading goes through the metering domain's one door, :func:`readings.record_register_reading`:

- lower than the last reading: refused with the reason, unless the customer ticks "my meter was replaced"; then
  it is kept for care staff (``FOR_REVIEW``) and the confirmation says so;
- far above what we expected: the form comes back asking the customer to confirm ("Yes, this reading is right"),
  and is stored when they do;
- all of a meter's registers are stored together or none is: a refusal for one register stores nothing.

After storing, the confirmation page shows exactly what was recorded. Holders and authorised persons may submit;
viewers may not.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Final

from django import forms
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.common.calendar import LONDON, local_date
from hearth.data.metering.models import Meter, ReadingSource, Register, RegisterReading
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.metering import readings as metering_readings
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web import plain_forms

SELF_READ_KINDS: Final = (Meter.Kind.CREDIT, Meter.Kind.PREPAYMENT)
"""Meters without remote reading: the customer (or a meter reader) reads them."""

RECORDED_KEY: Final = "hearth_readings_recorded"
"""The session key holding the ids of the readings just recorded, for the confirmation page."""

READING_TIME: Final = time(12, 0)
"""A reading dated an earlier day is taken as read at midday (UK time) of that day."""


@dataclass(frozen=True)
class RegisterBox:
    """A register with its last accepted reading, as the form shows it."""

    register: Register
    unit: str
    last: RegisterReading | None


def _words(value: Decimal) -> str:
    """A reading as a person writes it: 56311 or 56311.5."""
    if value == value.to_integral_value():
        return f"{value.to_integral_value():f}"
    return f"{value.normalize():f}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class MeterReadingForm(plain_forms.PlainForm):
    """The date read, a box per register (its last reading as the hint), and "my meter was replaced".

    A register whose reading needed confirming gets a "Yes, this reading is right" box beside it.
    """

    read_date = forms.DateField(
        label="Date you read the meter",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date you read the meter.",
            "invalid": "Enter the date you read the meter as a real date, like 2026-10-25.",
        },
    )
    meter_replaced = forms.BooleanField(
        label="My meter was replaced",
        required=False,
        help_text="Tick this if your reading is lower than the last one because you have a new meter. "
        "Our Customer Care Team will check it before it is used.",
    )

    def __init__(
        self,
        data: Any = None,
        *,
        meter: Meter,
        boxes: list[RegisterBox],
        today: date,
        confirm: set[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, prefix=f"meter-{meter.pk}", **kwargs)
        self.meter = meter
        self.boxes = boxes
        self.today = today
        asked = set(confirm or set())
        if data is not None:
            asked |= {box.register.pk for box in boxes if self.add_prefix(f"confirm_{box.register.pk}") in data}
        fields: dict[str, forms.Field] = {"read_date": self.fields.pop("read_date")}
        for box in boxes:
            fields[self.reading_name(box.register)] = self._reading_field(box)
            if box.register.pk in asked:
                fields[self.confirm_name(box.register)] = forms.BooleanField(
                    label="Yes, this reading is right", required=False
                )
        fields["meter_replaced"] = self.fields.pop("meter_replaced")
        self.fields = fields
        if not self.is_bound:
            self.initial.setdefault("read_date", today)

    @staticmethod
    def reading_name(register: Register) -> str:
        return f"reading_{register.pk}"

    @staticmethod
    def confirm_name(register: Register) -> str:
        return f"confirm_{register.pk}"

    def _reading_field(self, box: RegisterBox) -> forms.DecimalField:
        register = box.register
        name = register.identifier
        rate = register.get_rate_display()
        label = f"{rate} rate reading, in {box.unit} (register {name})"
        if box.last is None:
            hint = "We have no reading of this register yet."
        else:
            hint = f"Last reading: {_words(box.last.value)} on {_day(local_date(box.last.read_at))}."
        return forms.DecimalField(
            label=label,
            help_text=hint,
            min_value=Decimal(0),
            max_digits=14,
            decimal_places=3,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}),
            error_messages={
                "required": f"Enter the reading of register {name}.",
                "invalid": f"Enter the reading of register {name} as a number, like 12345 or 12345.6.",
                "min_value": f"The reading of register {name} cannot be negative.",
                "max_digits": f"The reading of register {name} has too many digits: check it.",
                "max_decimal_places": f"Give the reading of register {name} with at most 3 decimal places.",
                "max_whole_digits": f"The reading of register {name} has too many digits: check it.",
            },
        )

    def clean_read_date(self) -> date:
        day: date = self.cleaned_data["read_date"]
        if day > self.today:
            raise forms.ValidationError("The date you read the meter cannot be in the future.")
        installed = local_date(self.meter.installed_at)
        if day < installed:
            raise forms.ValidationError(
                f"Meter {self.meter.serial_number} was fitted on {_day(installed)}: choose that day or later."
            )
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for box in self.boxes:
            name = self.reading_name(box.register)
            value = cleaned.get(name)
            dial = Decimal(10) ** box.register.digits
            if isinstance(value, Decimal) and value >= dial:
                self.add_error(
                    name,
                    f"Register {box.register.identifier} shows {box.register.digits} digits before any decimal "
                    f"point, so its reading is below {_words(dial)}: check the number.",
                )
        return cleaned


def _meters(request: PortalRequest) -> list[Meter]:
    """The account's current meters that the customer reads themselves."""
    return list(
        accounts_queries.current_meters(account=request.account)
        .filter(kind__in=SELF_READ_KINDS)
        .select_related("supply_point")
    )


def _boxes(meter: Meter) -> list[RegisterBox]:
    registers = meter.registers.select_related("meter__supply_point").order_by("identifier", "id")
    return [
        RegisterBox(
            register=register,
            unit=metering_readings.unit_of(register),
            last=metering_readings.last_reading(register=register),
        )
        for register in registers
    ]


def _read_at(day: date, now: datetime) -> datetime:
    """Today's reading is timed now; an earlier day's at midday UK time."""
    if day == local_date(now):
        return now
    return datetime.combine(day, READING_TIME, tzinfo=LONDON)


class _Undo(Exception):
    """Raised inside the transaction so that none of a meter's readings is stored when one is refused."""


def _record(request: PortalRequest, form: MeterReadingForm, now: datetime) -> list[RegisterReading] | set[int]:
    """Store every register's reading, or none: the readings, or the registers that need confirming (errors added)."""
    read_at = _read_at(form.cleaned_data["read_date"], now)
    replaced = bool(form.cleaned_data["meter_replaced"])
    recorded: list[RegisterReading] = []
    needs_confirming: set[int] = set()
    try:
        with transaction.atomic():
            for box in form.boxes:
                register = box.register
                try:
                    reading = metering_readings.record_register_reading(
                        register=register,
                        read_at=read_at,
                        value=form.cleaned_data[form.reading_name(register)],
                        source=ReadingSource.CUSTOMER,
                        kind=RegisterReading.Kind.CUSTOMER,
                        received_at=now,
                        meter_replaced=replaced,
                        confirmed_high=bool(form.cleaned_data.get(form.confirm_name(register))),
                        reference=f"portal login {request.user.pk}",
                        actor=request.user,
                    )
                except metering_readings.ReadingNeedsConfirmation as exc:
                    needs_confirming.add(register.pk)
                    form.add_error(form.reading_name(register), str(exc))
                except metering_readings.ReadingRejected as exc:
                    form.add_error(form.reading_name(register), str(exc))
                else:
                    recorded.append(reading)
            if form.errors:
                raise _Undo
    except _Undo:
        return needs_confirming
    return recorded


@access.account_page(*access.MANAGERS)
def meter_reading(request: PortalRequest) -> HttpResponse:
    """A form per self-read meter; a POST names its meter, which must be one of this account's (else 404)."""
    now = timezone.now()
    today = local_date(now)
    meters = _meters(request)
    forms_by_meter = {meter.pk: MeterReadingForm(meter=meter, boxes=_boxes(meter), today=today) for meter in meters}
    status = 200
    if request.method == "POST":
        try:
            meter_id = int(request.POST.get("meter", ""))
        except ValueError:
            meter_id = 0
        meter = next((m for m in meters if m.pk == meter_id), None)
        if meter is None:
            raise Http404("No such meter to read on this account.")
        form = MeterReadingForm(request.POST, meter=meter, boxes=_boxes(meter), today=today)
        forms_by_meter[meter.pk] = form
        if form.is_valid():
            outcome = _record(request, form, now)
            if isinstance(outcome, list):
                request.session[RECORDED_KEY] = [reading.pk for reading in outcome]
                return redirect("portal:meter_reading_recorded")
            if outcome:
                # Show the form again with a "Yes, this reading is right" box beside each reading to confirm.
                confirming = MeterReadingForm(request.POST, meter=meter, boxes=form.boxes, today=today, confirm=outcome)
                confirming.is_valid()
                for name, errors in form.errors.items():
                    for error in errors:
                        if error not in confirming.errors.get(name, []):
                            confirming.add_error(name, error)
                forms_by_meter[meter.pk] = confirming
        status = 400
    context = {"forms": [forms_by_meter[meter.pk] for meter in meters], **views._account_context(request)}
    return render(request, "portal/meter_reading.html", context, status=status)


@dataclass(frozen=True)
class RecordedRow:
    reading: RegisterReading
    unit: str
    value: str
    held: bool


@access.account_page(*access.MANAGERS)
def meter_reading_recorded(request: PortalRequest) -> HttpResponse:
    """What was just recorded: register, value, date and status (only this account's readings are shown)."""
    ids = request.session.get(RECORDED_KEY) or []
    meters = _meters(request)
    readings = [
        reading for meter in meters for reading in metering_readings.readings_for_meter(meter=meter).filter(pk__in=ids)
    ]
    rows = [
        RecordedRow(
            reading=reading,
            unit=metering_readings.unit_of(reading.register),
            value=_words(reading.value),
            held=reading.status == RegisterReading.Status.FOR_REVIEW,
        )
        for reading in readings
    ]
    context = {"rows": rows, "any_held": any(row.held for row in rows), **views._account_context(request)}
    return render(request, "portal/meter_reading_recorded.html", context)
