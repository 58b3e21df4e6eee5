"""The move-out form that the portal and the care console share (T&C 13). It asks for the move-out day, the
forwarding address for the final bill (13.4), final readings per self-read register (13.3) and whether to supply the
new home too (13.5).

The new home is the forwarding address, so nobody types the same address twice. Each page has its own labels: the
portal speaks to the customer ("you"), the console to staff ("the customer"). ``contracts.moves`` decides the rest.
A refusal names a field, and :meth:`MoveOutForm.show_refusal` shows it beside that field.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django import forms

from hearth.data.accounts.models import Nation
from hearth.data.metering.models import Register
from hearth.domain.contracts import moves
from hearth.domain.metering import readings as metering_readings
from hearth.interfaces.web import plain_forms

ADDRESS_PARTS = ("line_1", "line_2", "town", "postcode")


def date_field(label: str, *, missing: str = "", help_text: str = "") -> forms.DateField:
    """A date picker, required when ``missing`` says what to enter. The browser sends ISO dates; a typed date that is
    not one is refused in plain words."""
    return forms.DateField(
        label=label,
        required=bool(missing),
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": missing, "invalid": "Enter a real date, like 2026-12-18."},
    )


@dataclass(frozen=True)
class Group:
    """Fields shown together under a legend, such as the address parts under "Forwarding address"."""

    legend: str
    hint: str
    fields: list[forms.BoundField]


class MoveOutForm(plain_forms.PlainForm):
    """The fields of a move out. A subclass gives ``words``, the labels and hints of its audience."""

    words: ClassVar[Mapping[str, str]]

    def __init__(self, data: Any = None, *, registers: list[Register], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.registers = registers
        self.fields["move_out_date"] = date_field(
            self.words["move_out_date"], missing=self.words["move_out_date_missing"]
        )
        self.fields.update(
            {
                "forwarding_line_1": forms.CharField(label="Address line 1", max_length=200, required=False),
                "forwarding_line_2": forms.CharField(label="Address line 2 (optional)", max_length=200, required=False),
                "forwarding_town": forms.CharField(label="Town or city", max_length=100, required=False),
                "forwarding_postcode": forms.CharField(label="Postcode", max_length=8, required=False),
                "forwarding_nation": forms.ChoiceField(
                    label="Country", choices=Nation.choices, initial=Nation.ENGLAND, required=False
                ),
            }
        )
        for register in registers:
            self.fields[self.reading_name(register)] = forms.DecimalField(
                label=f"Meter {register.meter.serial_number}, register {register.identifier} "
                f"({metering_readings.unit_of(register)})",
                required=False,
                min_value=Decimal(0),
                max_digits=14,
                decimal_places=3,
            )
        self.fields["supply_new_home"] = forms.BooleanField(label=self.words["supply_new_home"], required=False)
        self.fields["new_home_identifier"] = forms.CharField(
            label=self.words["new_home_identifier"],
            max_length=21,
            required=False,
            help_text=self.words["new_home_identifier_hint"],
        )

    @staticmethod
    def reading_name(register: Register) -> str:
        return f"reading_{register.pk}"

    def _group(self, key: str, names: list[str]) -> Group:
        """The group whose legend is ``words[key]`` and hint ``words[key + "_hint"]``."""
        return Group(legend=self.words[key], hint=self.words[f"{key}_hint"], fields=[self[name] for name in names])

    def groups(self) -> list[Group]:
        """The fields after the opening ones, in the groups the page shows them in."""
        groups = [self._group("forwarding", [f"forwarding_{part}" for part in (*ADDRESS_PARTS, "nation")])]
        if self.registers:
            groups.append(self._group("readings", [self.reading_name(register) for register in self.registers]))
        groups.append(self._group("new_home", ["supply_new_home", "new_home_identifier"]))
        return groups

    def opening_fields(self) -> list[forms.BoundField]:
        """The fields before the groups: who told us, the days."""
        grouped = {field.name for group in self.groups() for field in group.fields}
        return [field for field in self if field.name not in grouped]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("supply_new_home") and not cleaned.get("forwarding_line_1"):
            self.add_error("supply_new_home", "Enter the new address above, to supply the new home there.")
        return cleaned

    def forwarding_address(self) -> moves.Address | None:
        """The address typed, or None when every line of it is empty."""
        data = self.cleaned_data
        if not any(data[f"forwarding_{part}"].strip() for part in ADDRESS_PARTS):
            return None
        return moves.Address(
            line_1=data["forwarding_line_1"],
            line_2=data["forwarding_line_2"],
            town=data["forwarding_town"],
            postcode=data["forwarding_postcode"],
            nation=data["forwarding_nation"] or Nation.ENGLAND,
        )

    def final_readings(self) -> dict[Register, Decimal]:
        return {
            register: self.cleaned_data[self.reading_name(register)]
            for register in self.registers
            if self.cleaned_data.get(self.reading_name(register)) is not None
        }

    def new_home(self) -> moves.Address | None:
        return self.forwarding_address() if self.cleaned_data["supply_new_home"] else None

    def new_home_points(self, fuel: str) -> list[moves.NewHomePoint]:
        identifier = self.cleaned_data["new_home_identifier"].replace(" ", "")
        return [moves.NewHomePoint(fuel=fuel, identifier=identifier)] if identifier and self.new_home() else []

    def show_refusal(self, refused: moves.MoveRefused) -> None:
        """Put the domain's refusal beside the field it names. The domain names the new home's point by its fuel
        (``new_home_electricity``); its address was already checked as the forwarding address, so any other new-home
        refusal (no tariff to offer) belongs to the tick box."""
        field: str | None = refused.field
        if field == "readings":
            field = self.reading_name(self.registers[0]) if self.registers else None
        elif field in ("new_home_electricity", "new_home_gas"):
            field = "new_home_identifier"
        elif field and field.startswith("new_home_"):
            field = "supply_new_home"
        self.add_error(field if field in self.fields else None, refused.message)
