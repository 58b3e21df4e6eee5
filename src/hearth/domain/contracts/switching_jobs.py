"""The daily switching job ``contracts.switching`` (ADR 0012, 0013): read what the switching service sent, move our
debt objections on, send what we owe it, adopt opening readings, and report the switches and final bills that are
late so care staff see them on ``/care/jobs/``.

Idempotent: inbound files are acknowledged once their lines are kept, outbound messages are worked out from the
registrations' states, and the late reports are worked out afresh each day.
"""

from datetime import date, datetime, timedelta
from typing import Final

from django.db import transaction
from django.db.models import Q

from hearth.common import calendar
from hearth.data.billing.models import Bill
from hearth.data.contracts.models import Contract, Registration, SwitchingMessage
from hearth.data.metering.models import ReadingSource, Register, RegisterReading
from hearth.domain.contracts import registrations, switching_flow
from hearth.domain.contracts.switching import FileSwitching, Switching
from hearth.domain.scheduling.jobs import DailyJob, JobReport

OPENING_READING_DAYS: Final = 5
"""T&C 5.4: a customer reading up to this many days before or after the start of supply is the opening reading."""

FINAL_BILL_DAYS: Final = 42
"""T&C 12.3: the final bill can take up to six weeks after supply ends; later than that, care are told."""


def late_gains(*, today: date) -> list[Registration]:
    """Switches to us still not completed more than 21 days after the contract's commencement (5.3): on day 21 a
    switch is on time, on day 22 it is late."""
    open_gains = Registration.objects.filter(
        direction=Registration.Direction.GAIN, state__in=Registration.OPEN_STATES
    ).select_related("contract__account", "supply_point")
    return [
        reg
        for reg in open_gains.order_by("id")
        if (today - reg.contract.commencement_date).days > registrations.USUAL_SWITCH_DAYS
    ]


def adopt_opening_readings(*, today: date, now: datetime) -> list[RegisterReading]:
    """For each switch to us completed in the last few days, the customer's reading nearest the start day (up to
    :data:`OPENING_READING_DAYS` either side) becomes the register's OPENING reading at the start of that day, which
    the first bill starts from (``billing.usage``); a register without one is estimated by billing as before."""
    adopted: list[RegisterReading] = []
    recent = Registration.objects.filter(
        direction=Registration.Direction.GAIN,
        state=Registration.State.COMPLETED,
        start_date__gte=today - timedelta(days=OPENING_READING_DAYS),
        start_date__lte=today,
    ).select_related("supply_point")
    for reg in recent:
        assert reg.start_date is not None  # a completed switch has its start date
        starts_at = calendar.day_starts_at(reg.start_date)
        window = (
            calendar.day_starts_at(reg.start_date - timedelta(days=OPENING_READING_DAYS)),
            calendar.day_starts_at(reg.start_date + timedelta(days=OPENING_READING_DAYS + 1)),
        )
        for register in Register.objects.filter(meter__supply_point=reg.supply_point, meter__removed_at__isnull=True):
            accepted = RegisterReading.objects.filter(register=register, status=RegisterReading.Status.ACCEPTED)
            if accepted.filter(
                kind=RegisterReading.Kind.OPENING, read_at__gte=window[0], read_at__lt=window[1]
            ).exists():
                continue
            candidates = list(
                accepted.filter(source=ReadingSource.CUSTOMER, read_at__gte=window[0], read_at__lt=window[1])
            )
            if not candidates:
                continue
            nearest = min(candidates, key=lambda reading: abs(reading.read_at - starts_at))
            with transaction.atomic():
                if nearest.read_at == starts_at:
                    nearest.kind = RegisterReading.Kind.OPENING
                    nearest.save(update_fields=["kind"])
                    opening = nearest
                else:
                    opening = RegisterReading.objects.create(
                        register=register,
                        read_at=starts_at,
                        value=nearest.value,
                        source=ReadingSource.CUSTOMER,
                        kind=RegisterReading.Kind.OPENING,
                        status=RegisterReading.Status.ACCEPTED,
                        received_at=now,
                        note=f"Opening reading from the customer's reading of {calendar.local_date(nearest.read_at)}",
                        reference=f"{reg.reference} opening (T&C 5.4)",
                    )
            adopted.append(opening)
    return adopted


def missing_final_bills(*, today: date) -> list[Contract]:
    """Contracts whose supply ended more than six weeks ago (12.3) whose account has no issued bill up to the end."""
    ended = Contract.objects.filter(
        state=Contract.State.ENDED,
        end_reason__in=[Contract.EndReason.SWITCHED_AWAY, Contract.EndReason.MOVED_OUT],
        end_date__lt=today - timedelta(days=FINAL_BILL_DAYS),
    ).select_related("account")
    return [
        contract
        for contract in ended.order_by("id")
        if not Bill.objects.filter(
            Q(account=contract.account, status=Bill.Status.ISSUED, period_end_date__gte=contract.end_date)
        ).exists()
    ]


def run_switching(*, day: date, now: datetime, report: JobReport, switching: Switching | None = None) -> None:
    """The day's switching: read, review objections, send, adopt opening readings, then report what is late."""
    service = switching or FileSwitching()
    for kept in switching_flow.receive_all(service, now=now):
        subject = f"{kept.file_name}:{kept.line_number}"
        if kept.status == SwitchingMessage.Status.FAILED:
            report.failed(subject, kept.reason)
        else:
            report.done(subject, f"{kept.kind} processed")
    for reg, what in switching_flow.review_debt_objections(today=day, now=now):
        report.done(reg.reference, what)
    for sent in switching_flow.send_owed(service, now=now):
        report.done(
            sent.registration.reference if sent.registration else sent.file_name,
            f"{sent.kind} sent in {sent.file_name}",
        )
    for reading in adopt_opening_readings(today=day, now=now):
        report.done(
            str(reading.register), f"Opening reading {reading.value} from {calendar.local_date(reading.read_at)}"
        )
    for reg in late_gains(today=day):
        days = (day - reg.contract.commencement_date).days
        detail = f" ({reg.get_objection_display()})" if reg.objection else ""
        report.failed(
            reg.reference,
            f"Switch of {reg.supply_point.identifier} to us still {reg.get_state_display().lower()}{detail} "
            f"{days} days after sign-up on {reg.contract.commencement_date:%-d %b %Y} (usually within 21, T&C 5.3)",
        )
    for contract in missing_final_bills(today=day):
        assert contract.end_date is not None  # an ended contract has its end date
        report.failed(
            contract.account.number,
            f"No final bill yet: supply ended {contract.end_date:%-d %b %Y}, more than six weeks ago (T&C 12.3)",
        )


SWITCHING: Final = DailyJob(
    "contracts.switching",
    "Switching: read and send messages, debt objections, opening readings, late switches and final bills",
    run_switching,
)
