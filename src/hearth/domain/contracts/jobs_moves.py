"""The home moves' daily job (ADR 0012): supply ends on each move's end day, and supply following a customer to a
home the previous occupant has left starts the same day (T&C 13, :mod:`hearth.domain.contracts.moves`)."""

from datetime import date, datetime

from hearth.data.contracts.models import HomeMove
from hearth.domain.contracts import moves
from hearth.domain.scheduling import jobs
from hearth.domain.tariffs import contracts as contract_states


def move_outs(*, day: date, now: datetime, report: jobs.JobReport) -> None:
    """End the supply of every move recorded whose end day is ``day`` or earlier, then start the home-move contracts
    waiting for those homes. Idempotent: a move ended is DONE and a contract started is LIVE, so a second run finds
    nothing."""
    due = HomeMove.objects.filter(state=HomeMove.State.RECORDED, end_date__lte=day).select_related("account")
    for move in due.order_by("end_date", "id"):
        number = move.account.number
        try:
            ended = moves.end_moved_out(move=move, now=now)
        except contract_states.ContractRefused as exc:
            report.failed(number, f"Move out on {move.move_out_date:%-d %b %Y}: {exc}")
            continue
        if ended is None:
            report.done(number, "Move out: the account had no live contract left to end")
        else:
            report.done(
                number,
                f"Moved out: supply ended on {move.end_date:%-d %b %Y}; {moves.closing_reading_words(move)}",
            )
    for waiting in moves.due_home_moves(day=day):
        number = waiting.contract.account.number
        try:
            moves.start_home_move(waiting=waiting, now=now)
        except contract_states.ContractRefused as exc:
            report.failed(number, f"Supply at the new home could not start: {exc}")
            continue
        report.done(number, f"Supply at the new home started on {waiting.start_date:%-d %b %Y} (T&C 13.5)")


MOVE_OUTS = jobs.DailyJob("contracts.move_outs", "End the supply of customers who moved out", move_outs)
