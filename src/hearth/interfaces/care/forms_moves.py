"""The care console's home-move forms (T&C 13, 4.7): a move out as a caller tells it, the new home's MPAN or MPRN
added later, and a new occupier moving into a property we supply (found by postcode and MPAN or MPRN first)."""

from typing import Any

from django import forms

from hearth.common import identifiers
from hearth.data.accounts.models import SupplyPoint
from hearth.data.contracts.models import HomeMove
from hearth.domain.contracts import moves
from hearth.interfaces.web import plain_forms
from hearth.interfaces.web.forms_moving import MoveOutForm, date_field

ToldBy = HomeMove.ToldBy


class CareMoveOutForm(MoveOutForm):
    """A move out told by the customer or by the new occupier (then with the day they moved in, T&C 13.2)."""

    words = {
        "move_out_date": "Move-out day",
        "move_out_date_missing": "Enter the day the customer moves out.",
        "forwarding": "Forwarding address",
        "forwarding_hint": "The final bill and any refund go here (T&C 13.4). Needed when the customer told us.",
        "readings": "Final readings (optional)",
        "readings_hint": "Only on or after the move-out day.",
        "new_home": "Supply the new home (T&C 13.5)",
        "new_home_hint": "From the move-out day: at once if we supply the home now, otherwise by a switch.",
        "supply_new_home": "Supply the customer's new home too, at the forwarding address",
        "new_home_identifier": "New home's MPAN or MPRN (optional)",
        "new_home_identifier_hint": "It can be added later, on this page.",
    }

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["told_by"] = forms.ChoiceField(
            label="Who told us",
            choices=ToldBy.choices,
            initial=ToldBy.CUSTOMER,
            widget=forms.RadioSelect,
            error_messages={"required": "Say who told us of the move."},
        )
        self.fields["new_occupier_move_in_date"] = date_field(
            "New occupier's move-in day",
            help_text="Only when the new occupier told us: the contract ends that day (T&C 13.2).",
        )
        self.order_fields(["told_by", "move_out_date", "new_occupier_move_in_date"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        move_in_missing = (
            not cleaned.get("new_occupier_move_in_date") and "new_occupier_move_in_date" not in self.errors
        )
        if cleaned.get("told_by") == ToldBy.NEW_OCCUPIER and move_in_missing:
            self.add_error("new_occupier_move_in_date", "Enter the day the new occupier moved in.")
        return cleaned


class NewHomePointForm(plain_forms.PlainForm):
    """The new home's MPAN core (electricity) or MPRN (gas), when the customer finds it after the move is recorded."""

    identifier = forms.CharField(
        label="New home's MPAN or MPRN",
        max_length=21,
        error_messages={"required": "Enter the new home's MPAN or MPRN."},
    )

    def show_refusal(self, refused: moves.MoveRefused) -> None:
        """The domain names the point by its fuel; a refusal naming no field is about the whole contract."""
        self.add_error("identifier" if refused.field else None, refused.message)


class FindPropertyForm(plain_forms.PlainForm):
    """A property we supply, found by its postcode and one of its meter points."""

    postcode = forms.CharField(
        label="Postcode", max_length=8, error_messages={"required": "Enter the property's postcode."}
    )
    identifier = forms.CharField(
        label="MPAN or MPRN",
        max_length=21,
        help_text="Of either meter: we find the other one at the same property.",
        error_messages={"required": "Enter the MPAN or MPRN of a meter at the property."},
    )

    def clean_postcode(self) -> str:
        try:
            return identifiers.normalise_postcode(self.cleaned_data["postcode"])
        except identifiers.InvalidIdentifier as exc:
            raise forms.ValidationError("Enter a UK postcode, like RG1 7AB.") from exc


class MoveInForm(plain_forms.PlainForm):
    """The new occupier, the day they moved in and the points they take over (all found, unless care unticks one)."""

    points = forms.MultipleChoiceField(
        label="Meter points the new occupier takes over",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one meter point."},
    )
    name = forms.CharField(
        label="New occupier's name", max_length=200, error_messages={"required": "Enter the new occupier's name."}
    )
    email = forms.EmailField(
        label="E-mail (optional)",
        required=False,
        error_messages={"invalid": "Enter an e-mail address like name@example.com, or leave it empty."},
    )
    phone = forms.CharField(label="Phone (optional)", max_length=30, required=False)
    move_in_date = date_field("Move-in day", missing="Enter the day the new occupier moved in.")

    REFUSED_FIELDS = {
        "name": "name",
        "identifier": "points",
        "move_in_date": "move_in_date",
        # The previous occupant's move out, recorded as the new occupier tells it, is refused on their move-in day.
        "move_out_date": "move_in_date",
        "new_occupier_move_in_date": "move_in_date",
    }

    def __init__(self, data: Any = None, *, found: list[tuple[SupplyPoint, str]], **kwargs: Any) -> None:
        """``found``: the property's points, each with what care needs to know of it."""
        super().__init__(data, **kwargs)
        self.found = [point for point, _ in found]
        field: forms.MultipleChoiceField = self.fields["points"]  # type: ignore[assignment]
        field.choices = [(str(point.pk), words) for point, words in found]
        field.initial = [str(point.pk) for point in self.found]

    def chosen_points(self) -> list[SupplyPoint]:
        chosen = set(self.cleaned_data["points"])
        return [point for point in self.found if str(point.pk) in chosen]

    def occupier(self) -> moves.NewOccupier:
        data = self.cleaned_data
        return moves.NewOccupier(name=data["name"], email=data["email"], phone=data["phone"])

    def show_refusal(self, refused: moves.MoveRefused) -> None:
        self.add_error(self.REFUSED_FIELDS.get(refused.field), refused.message)
