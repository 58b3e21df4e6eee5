"""Moving home in the portal (T&C 13): the customer tells us the day they move out, where to send the final bill,
final readings if they have them, and whether to supply the new home too (13.5).

One page: the form while no move is recorded, then what was recorded and what happens next. Holders and authorised
persons may use it; viewers may not. The domain (``contracts.moves``) decides the end day and refuses bad input by
field; its message is shown beside that field.
"""

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.data.accounts.models import Account
from hearth.data.contracts.models import Contract, HomeMove
from hearth.domain.contracts import moves
from hearth.interfaces.portal import access, views
from hearth.interfaces.portal.access import PortalRequest
from hearth.interfaces.web.forms_moving import MoveOutForm


class MovingHomeForm(MoveOutForm):
    """The customer's move: the day, their new address, final readings if they have them, and the new home."""

    words = {
        "move_out_date": "The day you move out",
        "move_out_date_missing": "Enter the day you move out.",
        "forwarding": "Your new address",
        "forwarding_hint": "We send your final bill and any refund here (T&C 13.4).",
        "readings": "Final meter readings (optional)",
        "readings_hint": "Only on or after the day you move out. If you are not there yet, leave them empty and "
        "give them on the meter reading page that day.",
        "new_home": "Your new home",
        "new_home_hint": "We can supply your new home too, from the day you move in (T&C 13.5).",
        "supply_new_home": "Supply my new home too, at the new address above",
        "new_home_identifier": "New home's MPAN or MPRN (optional)",
        "new_home_identifier_hint": "On a bill from the new home's supplier; we can find it later.",
    }


def _recorded(account: Account) -> HomeMove | None:
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
        try:
            moves.record_move_out(
                account=request.account,
                told_by=HomeMove.ToldBy.CUSTOMER,
                told_at=timezone.now(),
                move_out_date=form.cleaned_data["move_out_date"],
                forwarding_address=form.forwarding_address(),
                final_readings=form.final_readings(),
                new_home=form.new_home(),
                new_home_points=form.new_home_points(request.account.fuel),
                actor=request.user,
                channel=Contract.Channel.WEB,
            )
        except moves.MoveRefused as exc:
            form.show_refusal(exc)
        else:
            return redirect("portal:moving_home")
    return render(
        request,
        "portal/moving_home.html",
        {"form": form, **views._account_context(request)},
        status=400 if form.errors else 200,
    )
