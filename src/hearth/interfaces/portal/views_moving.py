"""Moving home in the portal (T&C 13): the customer tells us the day they move out, where to send the final bill,
final readings if they have them, and whether to supply the new home too (13.5).

One page: the form while no move is recorded, then what was recorded and what happens next. Holders and authorised
persons may use it; viewers may not. The domain (``contracts.moves``) decides the end day and refuses bad input by
field; its message is shown beside that field.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.common.calendar import local_date
from hearth.data.accounts.models import Nation
from hearth.data.contracts.models import Contract, HomeMove
from hearth.data.metering.models import Register
from hearth.domain.contracts import moves
from hearth.domain.metering import readings as metering_readings
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _address_fields(prefix: str, required: bool) -> dict[str, forms.Field]:
    return {
        f"{prefix}_line_1": forms.CharField(label="Address line 1", max_length=200, required=required),
        f"{prefix}_line_2": forms.CharField(label="Address line 2 (optional)", max_length=200, required=False),
        f"{prefix}_town": forms.CharField(label="Town or city", max_length=100, required=required),
        f"{prefix}_postcode": forms.CharField(label="Postcode", max_length=8, required=required),
        f"{prefix}_nation": forms.ChoiceField(label="Country", choices=Nation.choices, initial=Nation.ENGLAND),
    }


class MovingHomeForm(forms.Form):
    """The move-out day, the new address, optional final readings per self-read register, and the new home."""

    move_out_date = forms.DateField(
        label="The day you move out",
        input_formats=["%Y-%m-%d"],
        widget=DATE_WIDGET,
        error_messages={
            "required": "Enter the day you move out.",
            "invalid": "Enter the day you move out as a real date, like 2026-12-18.",
        },
    )

    def __init__(self, data: Any = None, *, registers: list[Register], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.registers = registers
        self.fields.update(_address_fields("forwarding", required=True))
        for register in registers:
            unit = metering_readings.unit_of(register)
            self.fields[f"reading_{register.pk}"] = forms.DecimalField(
                label=f"Final reading of meter {register.meter.serial_number}, register {register.identifier} "
                f"(optional), in {unit}",
                required=False,
                min_value=Decimal(0),
                max_digits=14,
                decimal_places=3,
                help_text="Only on or after the day you move out.",
            )
        self.fields["supply_new_home"] = forms.BooleanField(label="Supply my new home too", required=False)
        self.fields.update(_address_fields("new_home", required=False))
        self.fields["new_home_identifier"] = forms.CharField(
            label="New home's MPAN or MPRN (optional)",
            max_length=21,
            required=False,
            help_text="On a bill from the new home's supplier; we can find it later.",
        )
        self.fields["forwarding_line_1"].help_text = "Where we send your final bill and any refund (T&C 13.4)."

    def address(self, prefix: str) -> moves.Address:
        data = self.cleaned_data
        return moves.Address(
            line_1=data[f"{prefix}_line_1"],
            line_2=data[f"{prefix}_line_2"],
            town=data[f"{prefix}_town"],
            postcode=data[f"{prefix}_postcode"],
            nation=data[f"{prefix}_nation"],
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("supply_new_home"):
            for name, words in (("line_1", "the first line"), ("town", "the town"), ("postcode", "the postcode")):
                if not cleaned.get(f"new_home_{name}"):
                    self.add_error(f"new_home_{name}", f"Enter {words} of your new home, or untick the box.")
        return cleaned


def _recorded(account: Any) -> HomeMove | None:
    return HomeMove.objects.filter(account=account, state=HomeMove.State.RECORDED).order_by("-id").first()


@access.account_page(*access.MANAGERS)
def moving_home(request: PortalRequest) -> HttpResponse:
    """The form, or the move already recorded with its end day and what happens next."""
    move = _recorded(request.account)
    if move is not None:
        following = Contract.objects.filter(previous=move.contract, origin=Contract.Origin.HOME_MOVE).first()
        return render(
            request,
            "portal/moving_home_recorded.html",
            {
                "move": move,
                "last_day": move.end_date - timedelta(days=1),
                "following": following,
                **views._account_context(request),
            },
        )
    registers = moves.self_read_registers(request.account)
    form = MovingHomeForm(request.POST or None, registers=registers)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        readings = {
            register: form.cleaned_data[f"reading_{register.pk}"]
            for register in registers
            if form.cleaned_data.get(f"reading_{register.pk}") is not None
        }
        new_home = form.address("new_home") if form.cleaned_data["supply_new_home"] else None
        identifier = form.cleaned_data["new_home_identifier"].replace(" ", "")
        points = (
            [moves.NewHomePoint(fuel=request.account.fuel, identifier=identifier)] if new_home and identifier else []
        )
        try:
            moves.record_move_out(
                account=request.account,
                told_by=HomeMove.ToldBy.CUSTOMER,
                told_at=now,
                move_out_date=form.cleaned_data["move_out_date"],
                forwarding_address=form.address("forwarding"),
                final_readings=readings,
                new_home=new_home,
                new_home_points=points,
                actor=request.user,
                channel=Contract.Channel.WEB,
            )
        except moves.MoveRefused as exc:
            field = exc.field if exc.field in form.fields else None
            if exc.field == "readings" and registers:
                field = f"reading_{registers[0].pk}"
            if exc.field.startswith("new_home_") and exc.field not in form.fields:
                field = "new_home_identifier"
            form.add_error(field, exc.message)
        else:
            return redirect("portal:moving_home")
    return render(
        request,
        "portal/moving_home.html",
        {"form": form, "today": local_date(timezone.now()), **views._account_context(request)},
        status=400 if form.errors else 200,
    )
