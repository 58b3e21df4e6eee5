"""The care console's home-move pages (T&C 13, 4.7): what a caller tells care on the phone.

- An account's move out: told by the customer, or by the new occupier with the day they moved in. Once recorded, the
  page shows the move and the day the contract ends, with **Cancel move** and, when supply follows the customer to a
  new home whose MPAN or MPRN we lack, a form to add it.
- A new occupier moving into a property we supply: find it by postcode and MPAN or MPRN, then record the move in. The
  result page shows the new accounts, their deemed contracts and how they pay, and the day the previous occupant's
  contract ended.

Each action is one call to ``contracts.moves``, which checks the input and audits. A refusal is shown beside the field
it names.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.data.accounts.models import Account, Customer, Supply, SupplyPoint
from hearth.data.contracts.models import Contract, HomeMove
from hearth.data.payments.models import PaymentArrangement
from hearth.domain.accounts import queries as accounts_queries
from hearth.domain.contracts import moves
from hearth.domain.tariffs import contracts as contract_states
from hearth.interfaces.care import access
from hearth.interfaces.care import views as care_views
from hearth.interfaces.care.access import CareRequest
from hearth.interfaces.care.forms_moves import CareMoveOutForm, FindPropertyForm, MoveInForm, NewHomePointForm


def _account_or_404(number: str) -> Account:
    return care_views._found(accounts_queries.account_by_number(number=number), "No such account")


def _recorded(account: Account) -> HomeMove | None:
    return (
        HomeMove.objects.filter(account=account, state=HomeMove.State.RECORDED)
        .select_related("forwarding_address", "new_home", "recorded_by")
        .first()
    )


def _following(move: HomeMove) -> Contract | None:
    """The contract supplying the customer's new home (13.5), if supply follows them."""
    return (
        Contract.objects.filter(previous=move.contract, origin=Contract.Origin.HOME_MOVE)
        .select_related("account", "product")
        .order_by("-id")
        .first()
    )


def _recorded_page(request: CareRequest, move: HomeMove, points_form: NewHomePointForm | None = None) -> HttpResponse:
    """The move waiting for its day. ``points_form`` is a refused MPAN or MPRN, shown again with its error."""
    following = _following(move)
    points = moves.home_move_points(following) if following is not None else []
    needs_points = following is not None and following.state == Contract.State.PENDING and not points
    return care_views._render(
        request,
        "care/moves/move_out_recorded.html",
        {
            "account": move.account,
            "move": move,
            "last_day": move.end_date - timedelta(days=1),
            "following": following,
            "points": points,
            "points_form": (points_form or NewHomePointForm()) if needs_points else None,
            "earlier": _earlier_moves(move.account),
        },
        status=400 if points_form is not None else 200,
    )


def _earlier_moves(account: Account) -> list[HomeMove]:
    return list(HomeMove.objects.filter(account=account).exclude(state=HomeMove.State.RECORDED).order_by("-id"))


@access.staff_required
def move_out(request: CareRequest, number: str) -> HttpResponse:
    """The form to record a move out, or the move already recorded."""
    account = _account_or_404(number)
    move = _recorded(account)
    if move is not None:
        if request.method == "POST":
            messages.error(request, "A move out is already recorded for this account: cancel it first to change it.")
            return redirect("care:move_out", number=account.number)
        return _recorded_page(request, move)
    form = CareMoveOutForm(request.POST or None, registers=moves.self_read_registers(account))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moves.record_move_out(
                account=account,
                told_by=data["told_by"],
                told_at=timezone.now(),
                move_out_date=data["move_out_date"],
                new_occupier_move_in_date=data["new_occupier_move_in_date"],
                forwarding_address=form.forwarding_address(),
                final_readings=form.final_readings(),
                new_home=form.new_home(),
                new_home_points=form.new_home_points(account.fuel),
                actor=request.user,
                channel=Contract.Channel.CARE,
            )
        except moves.MoveRefused as exc:
            form.show_refusal(exc)
        else:
            messages.success(request, "Move out recorded.")
            return redirect("care:move_out", number=account.number)
    return care_views._render(
        request,
        "care/moves/move_out.html",
        {
            "account": account,
            "form": form,
            "live": contract_states.live_contract(account),
            "earlier": _earlier_moves(account),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@access.staff_required
def cancel_move(request: CareRequest, number: str) -> HttpResponse:
    account = _account_or_404(number)
    move = _recorded(account)
    if move is None:
        messages.error(request, "No move out is waiting for its day on this account.")
    else:
        try:
            moves.cancel_move(move=move, now=timezone.now(), actor=request.user)
        except moves.MoveRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Move cancelled: the contract carries on.")
    return redirect("care:move_out", number=account.number)


@require_POST
@access.staff_required
def add_new_home_points(request: CareRequest, number: str) -> HttpResponse:
    account = _account_or_404(number)
    move = _recorded(account)
    following = _following(move) if move is not None else None
    if move is None or following is None:
        messages.error(request, "No move to a new home is waiting on this account.")
        return redirect("care:move_out", number=account.number)
    form = NewHomePointForm(request.POST)
    if form.is_valid():
        try:
            added = moves.add_new_home_points(
                contract=following,
                points=[moves.NewHomePoint(fuel=account.fuel, identifier=form.cleaned_data["identifier"])],
                now=timezone.now(),
                actor=request.user,
            )
        except moves.MoveRefused as exc:
            form.show_refusal(exc)
        else:
            messages.success(request, f"Added {', '.join(str(point) for point in added)} to the new home.")
            return redirect("care:move_out", number=account.number)
    return _recorded_page(request, move, form)


# A new occupier moving in ---------------------------------------------------------------------------------------


def _described(point: SupplyPoint) -> tuple[SupplyPoint, str]:
    """The point with who we supply through it now and how a new occupier would pay (9.6, 9.3)."""
    supplied = moves.supplied_by_us(point)
    now = (
        f"now supplied to account {supplied.account.number} ({supplied.account.customer.name})"
        if supplied is not None
        else "not supplied by us now"
    )
    if moves.deemed_payment_method(point) == PaymentArrangement.Method.PREPAYMENT:
        pays = "pays by prepayment: a prepayment meter is fitted"
    else:
        pays = "pays on receipt of each bill"
    return point, f"{point}, {now}. The new occupier {pays}."


@access.staff_required
def move_in(request: CareRequest) -> HttpResponse:
    """Find the property (GET, or with the move-in form's POST), then record the new occupier's move in."""
    find = FindPropertyForm(request.POST if request.method == "POST" else (request.GET or None))
    found: list[SupplyPoint] = []
    if find.is_valid():
        found = moves.find_supplied_points(
            postcode=find.cleaned_data["postcode"], identifier=find.cleaned_data["identifier"]
        )
        if not found:
            find.add_error("identifier", "We have no meter point with this MPAN or MPRN at this postcode.")
    described = [_described(point) for point in found]
    form = MoveInForm(request.POST if request.method == "POST" else None, found=described) if found else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            contracts = moves.record_move_in(
                points=form.chosen_points(),
                occupier=form.occupier(),
                move_in_date=form.cleaned_data["move_in_date"],
                now=timezone.now(),
                actor=request.user,
            )
        except moves.MoveRefused as exc:
            form.show_refusal(exc)
        else:
            return redirect("care:move_in_done", customer_id=contracts[0].account.customer_id)
    return care_views._render(
        request,
        "care/moves/move_in.html",
        {"find": find, "property": found[0].supply_property if found else None, "form": form},
        status=400 if find.errors or (form is not None and form.errors) else 200,
    )


@dataclass(frozen=True)
class DeemedRow:
    contract: Contract
    point: SupplyPoint
    pays_by: str
    previous: Account | None
    previous_end: date | None


@access.staff_required
def move_in_done(request: CareRequest, customer_id: int) -> HttpResponse:
    """A new occupier's deemed contracts (4.7) and the day each previous occupant's contract ended (13.2)."""
    customer: Customer = care_views._found(accounts_queries.customer_by_id(customer_id=customer_id), "No such customer")
    rows = []
    deemed = Contract.objects.filter(account__customer=customer, origin=Contract.Origin.DEEMED)
    for contract in deemed.select_related("account", "product").order_by("id"):
        supply = Supply.objects.filter(account=contract.account).select_related("supply_point").order_by("id").first()
        if supply is None:
            continue
        before = (
            Supply.objects.filter(supply_point=supply.supply_point, valid_to=supply.valid_from)
            .select_related("account__customer")
            .first()
        )
        rows.append(
            DeemedRow(
                contract=contract,
                point=supply.supply_point,
                pays_by=PaymentArrangement.Method(contract.payment_method).label,
                previous=before.account if before is not None else None,
                previous_end=before.valid_to if before is not None else None,
            )
        )
    care_views._found(rows or None, "No move in recorded for this customer")
    return care_views._render(request, "care/moves/move_in_done.html", {"customer": customer, "rows": rows})
