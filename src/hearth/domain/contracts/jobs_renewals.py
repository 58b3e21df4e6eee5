"""Daily jobs for the end of fixed terms and replacement contracts (ADR 0012, 0013).

``contracts.contract_starts`` starts the renewals and moves by us whose day has come, then rolls every fixed
contract whose term has ended with nothing to replace it onto the variable tariff (T&C 6.2, 14.6), so a renewal
always wins over the rollover. ``contracts.renewal_statements`` sends each Statement of Renewal on the first day it
would be deemed delivered within the window (T&C 2), and reports a late one as a failure for care staff to see.
``contracts.large_supplies`` flags domestic supplies above 74,000 kWh a year for care staff (T&C 3.2): we may move
them to a suitable tariff, but that is a person's decision.

Each is idempotent: a started contract is no longer pending, a rolled-over one no longer live, a statement is one per
contract and term, and a flag one event per contract. A missed day is caught up by the next run.
"""

from datetime import date, datetime, timedelta

from hearth.data.contracts.models import Contract, ContractNotice
from hearth.domain.contracts import renewals, tariff_changes
from hearth.domain.documents import letters
from hearth.domain.payments import tariff_quotes
from hearth.domain.scheduling.jobs import DailyJob, JobReport
from hearth.domain.tariffs import contracts

State = Contract.State


def start_contracts(*, day: date, now: datetime, report: JobReport) -> None:
    """Start every pending replacement whose day has come, then roll over every fixed term that has ended."""
    pending = Contract.objects.filter(state=State.PENDING, origin__in=renewals.REPLACEMENTS)
    for contract in pending.select_related("account", "product").order_by("id"):
        subject = f"account {contract.account.number}"
        try:
            started = renewals.start_replacement(pending=contract, day=day, now=now)
        except (renewals.RenewalRefused, contracts.ContractRefused) as exc:
            report.failed(subject, f"{contract.product.display_name} could not start: {exc}")
            continue
        if started is not None:
            report.done(subject, f"Supply on {started.product.display_name} from {started.supply_start_date:%-d %b %Y}")
    ended = Contract.objects.filter(state=State.LIVE, fixed_term_end_date__lt=day).exclude(
        account__contracts__state=State.PENDING
    )
    for contract in ended.select_related("account__customer", "product").order_by("fixed_term_end_date", "id"):
        subject = f"account {contract.account.number}"
        try:
            rollover = renewals.roll_over(contract=contract, now=now)
        except (tariff_quotes.TariffQuoteProblem, contracts.ContractRefused, letters.LetterRefused) as exc:
            report.failed(subject, f"Fixed term ended {contract.fixed_term_end_date:%-d %b %Y}, not rolled over: {exc}")
            continue
        report.done(
            subject,
            f"Rolled onto {rollover.product.display_name} from {rollover.supply_start_date:%-d %b %Y} (T&C 6.2)",
        )


def send_statements(*, day: date, now: datetime, report: JobReport) -> None:
    """A Statement of Renewal for every live fixed contract whose statement is due and not yet sent."""
    sent = ContractNotice.objects.filter(kind=ContractNotice.Kind.RENEWAL_STATEMENT).values("contract")
    # Post takes at most a few days more than e-mail: a term ending more than 49 days and a fortnight away is not due.
    candidates = Contract.objects.filter(
        state=State.LIVE,
        fixed_term_end_date__gte=day,
        fixed_term_end_date__lte=day + timedelta(days=renewals.EARLIEST_DAYS + 14),
    ).exclude(pk__in=sent)
    for contract in candidates.select_related("account__customer", "product").order_by("fixed_term_end_date", "id"):
        subject = f"account {contract.account.number}"
        if not renewals.statement_due(contract=contract, now=now):
            continue
        try:
            statement = renewals.issue_statement(contract=contract, now=now)
        except (tariff_quotes.TariffQuoteProblem, letters.LetterRefused) as exc:
            report.failed(subject, f"Statement of Renewal not sent: {exc}")
            continue
        notice = statement.notice
        end = contract.fixed_term_end_date
        assert end is not None
        words = (
            f"Statement of Renewal {notice.document.reference}: deemed delivered "
            f"{notice.deemed_delivered_date:%-d %b %Y}, {(end - notice.deemed_delivered_date).days} days before the "
            f"fixed term ends on {end:%-d %b %Y}"
        )
        if statement.late:
            report.failed(subject, f"Late (T&C 2 needs {renewals.LATEST_DAYS} days): {words}")
        else:
            report.done(subject, words)


def flag_large_supplies(*, day: date, now: datetime, report: JobReport) -> None:
    """Flag for care staff each domestic contract newly found above 74,000 kWh a year (T&C 3.2)."""
    for flagged in tariff_changes.flag_large_supplies(now=now):
        report.failed(f"account {flagged.account.number}", flagged.message)


CONTRACT_STARTS = DailyJob(
    "contracts.contract_starts",
    "Start renewals and moves due, and roll ended fixed terms onto the variable tariff",
    start_contracts,
)
RENEWAL_STATEMENTS = DailyJob(
    "contracts.renewal_statements", "Send the Statements of Renewal due (42 to 49 days before)", send_statements
)
LARGE_SUPPLIES = DailyJob(
    "contracts.large_supplies", "Flag domestic supplies above 74,000 kWh a year for care", flag_large_supplies
)
