"""The payments area's daily jobs (the scheduler runs them in the order of ``interfaces/tasks/daily.py``).

Each does everything due by its day (a missed day is caught up), reports each thing done or failed, and is safe to
run twice: the database's constraints (one submission per Bacs day, one reminder per bill and stage, one review per
account and day, a collection posted once) make a second run do nothing twice.
"""

from datetime import date, datetime
from typing import Final

from hearth.common.bacs import calendar as bacs_calendar
from hearth.data.payments.models import PaymentArrangement
from hearth.domain.payments import collections, late_payment, methods, refunds, reviews, submissions, tariff_moves
from hearth.domain.scheduling.jobs import DailyJob, JobReport


def collect(*, day: date, now: datetime, report: JobReport) -> None:
    """Post the payments collected by ``day``, make mandates live, top up schedules, and send the day's Bacs file."""
    for collection in collections.post_collected(day=day, now=now):
        report.done(collection.account.number, f"Direct Debit of £{collection.amount} collected")
    for mandate in submissions.activate_lodged_mandates(day=day, now=now):
        report.done(mandate.account.number, f"Direct Debit {mandate.reference} is live")
    arrangements = PaymentArrangement.objects.filter(method__in=methods.MONTHLY_METHODS).select_related("account")
    for arrangement in arrangements.order_by("id").iterator(chunk_size=1000):
        try:
            added = collections.top_up_schedule(account=arrangement.account, now=now)
        except collections.ScheduleRefused as exc:
            report.failed(arrangement.account.number, str(exc))
            continue
        if added:
            report.done(arrangement.account.number, f"{len(added)} more monthly collections scheduled")
    if not bacs_calendar.is_processing_day(day):
        return  # no Bacs input today; the next processing day sends what is due
    try:
        result = submissions.make_submission(processing_date=day, now=now, started_by="daily jobs")
    except submissions.SubmissionProblem as exc:
        report.failed(f"Bacs {day:%Y-%m-%d}", str(exc))
        return
    if result is not None:
        made = result.submission
        report.done(
            made.file_name,
            f"{made.debit_count} collections (£{made.debit_total}) and "
            f"{made.mandate_record_count} mandate records sent to Bacs",
        )


def review(*, day: date, now: datetime, report: JobReport) -> None:
    """Review each Direct Debit six months after the last review (T&C 9.4.4), annual payers' balances too (9.4.2)."""
    for arrangement in reviews.arrangements_due(day):
        account = arrangement.account
        try:
            done = reviews.review_account(account=account, today=day, now=now)
        except (reviews.ReviewSkipped, collections.ScheduleRefused) as exc:
            report.failed(account.number, str(exc))
            continue
        report.done(account.number, done.workings["reason"])


def chase(*, day: date, now: datetime, report: JobReport) -> None:
    """Reminders and final notices for overdue bills, interest where due (T&C 10.1), refunds freed by final bills."""
    for reminder in late_payment.send_reminders(today=day, now=now):
        report.done(reminder.bill.account.number, f"{reminder.get_stage_display()} sent for {reminder.bill.reference}")
    for charge in late_payment.charge_interest(today=day, now=now):
        report.done(charge.account.number, f"Interest of £{charge.amount} charged")
    for refund in refunds.release_after_final_bill(now=now):
        report.done(refund.account.number, "Final bill issued: refund ready for approval")


def move_tariffs(*, day: date, now: datetime, report: JobReport) -> None:
    """Carry out the tariff moves due by ``day``, then give notice to accounts not paying as their tariff requires
    (T&C 9.2, 9.2.1, 10.2)."""
    for outcome in tariff_moves.carry_out(day=day, now=now):
        if outcome.move is None:
            report.failed(outcome.account.number, outcome.problem)
        elif outcome.move.status == outcome.move.Status.DONE:
            report.done(outcome.account.number, f"Moved to {outcome.move.target_tariff.code}")
        else:
            report.done(outcome.account.number, f"Tariff move cancelled: {outcome.move.outcome}")
    for outcome in tariff_moves.give_notice(day=day, now=now):
        if outcome.move is None:
            report.failed(outcome.account.number, outcome.problem)
        else:
            move = outcome.move
            report.done(
                outcome.account.number,
                f"Notice of a move to {move.target_tariff.code} on {move.effective_date:%-d %b %Y} "
                f"({move.get_reason_display()})",
            )


COLLECT: Final = DailyJob(
    name="payments.collect", title="Direct Debit collections and the day's Bacs file", run=collect
)
REVIEW: Final = DailyJob(name="payments.review", title="Six-monthly Direct Debit reviews", run=review)
CHASE: Final = DailyJob(name="payments.chase", title="Overdue bills: reminders, final notices and interest", run=chase)
TARIFF_MOVES: Final = DailyJob(
    name="payments.tariff_moves", title="Tariff moves for not paying by the tariff's method", run=move_tariffs
)
