"""Leaving us (T&C 14): a loss notified, our debt objection with 30 working days to clear (14.7, 14.8), the switch
completed with its exit fee, and the final bill (12.3)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Account, SupplyPoint
from hearth.data.billing.models import AdditionalCharge, Bill, BillLine, LedgerEntry
from hearth.data.contracts.models import ContractNotice, Registration, SwitchingMessage
from hearth.data.metering.models import ReadingSource, Register, RegisterReading
from hearth.domain.billing import runs as billing_runs
from hearth.domain.contracts import switching_jobs
from hearth.domain.contracts.switching import Message
from tests.integration.billing.invoice_support import Line, make_bill
from tests.integration.contracts.switching_support import FakeSwitching, fixed_tariff, supplied_household
from tests.integration.payments.account_support import at, documents_in_tmp_fixture, post  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

START = date(2026, 3, 17)
NEW_SUPPLIER = "OCTO"


class JobReport:
    def __init__(self) -> None:
        self.done_items: list[tuple[str, str]] = []
        self.failed_items: list[tuple[str, str]] = []

    def done(self, subject: str, text: str) -> None:
        self.done_items.append((subject, text))

    def failed(self, subject: str, text: str) -> None:
        self.failed_items.append((subject, text))


def _run(service: FakeSwitching, day: date) -> JobReport:
    report = JobReport()
    switching_jobs.run_switching(day=day, now=at(day, 7), report=report, switching=service)  # type: ignore[arg-type]
    return report


def _notify_loss(service: FakeSwitching, point: SupplyPoint, *, on: date, code: str = "") -> None:
    service.deliver(Message("LOSS_NOTIFICATION", "", point.identifier, on, code, NEW_SUPPLIER), now=at(on))


def _overdue_bill(account: Account, *, due: date, pounds: str = "120.00") -> Bill:
    return make_bill(
        account,
        lines=[Line(BillLine.Kind.ENERGY, "Electricity used", Decimal(pounds), "kWh", Decimal("1"))],
        period=(date(2026, 4, 1), date(2026, 5, 1)),
        issue_date=due - timedelta(days=14),
        due_date=due,
        reference=f"INV-{account.number}-OVERDUE",
    )


def _loss(point: SupplyPoint) -> Registration:
    return Registration.objects.get(supply_point=point, direction=Registration.Direction.LOSS)


def test_a_loss_without_debt_is_pending_and_completing_it_ends_supply_and_charges_the_exit_fee() -> None:
    product = fixed_tariff(fee="75.00").product
    account, point, contract = supplied_household(product, start=START)
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2026, 6, 10))
    _run(service, date(2026, 5, 27))

    loss = _loss(point)
    assert (loss.state, loss.other_supplier, loss.start_date) == ("PENDING", NEW_SUPPLIER, date(2026, 6, 10))
    assert service.kinds_sent() == []  # nothing to object to

    service.deliver(Message("LOSS_COMPLETED", loss.reference, point.identifier, date(2026, 6, 10)), now=at(START))
    _run(service, date(2026, 6, 10))

    contract.refresh_from_db()
    loss.refresh_from_db()
    assert loss.state == "COMPLETED"
    assert (contract.state, contract.end_date, contract.end_reason) == ("ENDED", date(2026, 6, 10), "SWITCHED_AWAY")
    assert contract.exit_fee == Decimal("75.00")
    charge = AdditionalCharge.objects.get(account=account)
    assert (charge.kind, charge.amount) == ("EXIT_FEE", Decimal("75.00"))


def test_a_loss_of_a_point_we_do_not_supply_is_kept_failed() -> None:
    service = FakeSwitching()
    service.deliver(Message("LOSS_NOTIFICATION", "", "1200000099991", date(2026, 6, 10), "", "OCTO"), now=at(START))

    _run(service, START)

    kept = SwitchingMessage.objects.get()
    assert kept.reason == "FAKE-IN-1.txt line 2, mpxn: 1200000099991 is not supplied by us under a live contract"


@pytest.mark.parametrize(
    ("notified", "objected"),
    [
        (date(2026, 12, 14), False),  # the bill due Monday 16 November is 28 days overdue: not yet blocking
        (date(2026, 12, 15), True),  # 29 days overdue: more than 28, we object
    ],
)
def test_overdue_debt_blocks_a_switch_after_28_days(notified: date, objected: bool) -> None:
    account, point, _ = supplied_household(fixed_tariff().product, start=START)
    _overdue_bill(account, due=date(2026, 11, 16))
    service = FakeSwitching()
    _notify_loss(service, point, on=notified + timedelta(days=16))

    _run(service, notified)

    loss = _loss(point)
    assert loss.state == ("OBJECTED" if objected else "PENDING")
    assert service.kinds_sent() == (["OBJECTION"] if objected else [])


def test_a_debt_objection_over_easter_gives_30_working_days_from_deemed_delivery() -> None:
    account, point, contract = supplied_household(fixed_tariff().product, start=date(2025, 9, 1))
    _overdue_bill(account, due=date(2026, 2, 2))
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2026, 4, 22))

    _run(service, date(2026, 4, 1))  # Wednesday 1 April 2026; the notice is posted that day

    loss = _loss(point)
    # Posted Wed 1 Apr; deemed delivered two working days later: Thu 2 Apr (1), Good Friday 3 Apr, the weekend and
    # Easter Monday 6 Apr are not working days, Tue 7 Apr (2). Thirty working days from Wed 8 Apr: 8-10 Apr (3),
    # 13-17 (8), 20-24 (13), 27-30 Apr (17), Fri 1 May (18), Mon 4 May is the early May bank holiday, 5-8 May (22),
    # 11-15 (27), 18, 19, 20 May (30): Wednesday 20 May 2026.
    assert (loss.objection, loss.clear_by_date) == ("DEBT", date(2026, 5, 20))
    notice = ContractNotice.objects.get(contract=contract, key=f"{loss.reference} OBJECTED")
    assert notice.deemed_delivered_date == date(2026, 4, 7)
    assert service.sent[0][0].day == date(2026, 5, 20)


def test_a_debt_objection_over_christmas_and_scotlands_new_year_holidays() -> None:
    account, point, _ = supplied_household(fixed_tariff().product, start=START)
    _overdue_bill(account, due=date(2026, 11, 16))
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2027, 1, 20))

    _run(service, date(2026, 12, 22))  # Tuesday 22 December 2026

    # Posted Tue 22 Dec; deemed delivered Thu 24 Dec (Wed 23 (1), Thu 24 (2)). Then: Christmas Fri 25, the weekend,
    # Boxing Day's substitute Mon 28 Dec; Tue 29 (1), Wed 30 (2), Thu 31 (3); New Year's Day Fri 1 Jan, the weekend,
    # Mon 4 Jan 2027 is Scotland's 2 January substitute; 5-8 Jan (7), 11-15 (12), 18-22 (17), 25-29 (22),
    # 1-5 Feb (27), Mon 8 (28), Tue 9 (29), Wed 10 Feb (30).
    assert _loss(point).clear_by_date == date(2027, 2, 10)


def test_debt_cleared_by_the_clear_by_date_withdraws_the_objection_once() -> None:
    account, point, _ = supplied_household(fixed_tariff().product, start=START)
    _overdue_bill(account, due=date(2026, 11, 16))
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2027, 1, 20))
    _run(service, date(2026, 12, 22))

    post(account, LedgerEntry.Kind.PAYMENT, "-120.00", at(date(2027, 2, 10), 9))
    _run(service, date(2027, 2, 10))  # the clear-by day itself
    _run(service, date(2027, 2, 11))

    loss = _loss(point)
    assert (loss.state, loss.objection) == ("PENDING", "")
    assert service.kinds_sent() == ["OBJECTION", "OBJECTION_WITHDRAWN"]


@pytest.mark.parametrize(("day", "state"), [(date(2027, 2, 10), "OBJECTED"), (date(2027, 2, 11), "REJECTED")])
def test_debt_not_cleared_after_the_clear_by_date_rejects_the_switch_away(day: date, state: str) -> None:
    account, point, _ = supplied_household(fixed_tariff().product, start=START)
    _overdue_bill(account, due=date(2026, 11, 16))
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2027, 1, 20))
    _run(service, date(2026, 12, 22))

    _run(service, day)

    assert _loss(point).state == state


@pytest.mark.parametrize(
    ("owed", "code", "objected"),
    [
        ("500.00", "DEBT_ASSIGNMENT_ACCEPTED", False),  # up to £500 can move to the new supplier
        ("500.01", "DEBT_ASSIGNMENT_ACCEPTED", True),  # a penny more cannot
        ("100.00", "", True),  # the new supplier did not agree to take it
        ("0.00", "", False),  # nothing owed
    ],
)
def test_prepayment_debt_objections(owed: str, code: str, objected: bool) -> None:
    account, point, _ = supplied_household(fixed_tariff().product, start=START, payment_method="PREPAYMENT")
    if Decimal(owed):
        post(account, LedgerEntry.Kind.CHARGE, owed, at(date(2026, 5, 1)))
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2026, 6, 10), code=code)

    _run(service, date(2026, 5, 20))

    assert _loss(point).state == ("OBJECTED" if objected else "PENDING")


def test_a_prepayment_objection_is_withdrawn_once_the_debt_is_within_what_the_new_supplier_takes() -> None:
    account, point, _ = supplied_household(fixed_tariff().product, start=START, payment_method="PREPAYMENT")
    post(account, LedgerEntry.Kind.CHARGE, "600.00", at(date(2026, 5, 1)))
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2026, 6, 10), code="DEBT_ASSIGNMENT_ACCEPTED")
    _run(service, date(2026, 5, 20))
    post(account, LedgerEntry.Kind.PAYMENT, "-100.00", at(date(2026, 5, 21)))

    _run(service, date(2026, 5, 22))

    assert _loss(point).state == "PENDING"


def test_the_new_supplier_withdrawing_leaves_supply_with_us() -> None:
    _, point, contract = supplied_household(fixed_tariff().product, start=START)
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2026, 6, 10))
    _run(service, date(2026, 5, 27))
    service.deliver(Message("LOSS_WITHDRAWN", "", point.identifier), now=at(START))

    _run(service, date(2026, 5, 28))

    contract.refresh_from_db()
    assert (_loss(point).state, contract.state) == ("WITHDRAWN", "LIVE")


def _readings(point: SupplyPoint) -> None:
    register = Register.objects.get(meter__supply_point=point)
    for day, value in [
        (START, "1000"),
        (date(2026, 3, 31), "1100"),
        (date(2026, 4, 30), "1400"),
        (date(2026, 5, 31), "1650"),
        (date(2026, 6, 9), "1720"),
    ]:
        RegisterReading.objects.create(
            register=register,
            read_at=at(day, 0 if day == START else 20),
            value=Decimal(value),
            source=ReadingSource.CUSTOMER,
            kind=RegisterReading.Kind.OPENING if day == START else RegisterReading.Kind.CUSTOMER,
            received_at=at(day, 21),
        )


def test_the_bill_run_after_a_completed_switch_away_issues_the_final_bill_with_the_exit_fee_without_vat() -> None:
    account, point, _ = supplied_household(fixed_tariff(fee="75.00").product, start=START)
    _readings(point)
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2026, 6, 10))
    _run(service, date(2026, 5, 27))
    service.deliver(Message("LOSS_COMPLETED", "", point.identifier, date(2026, 6, 10)), now=at(START))
    _run(service, date(2026, 6, 10))

    run = billing_runs.start_run(
        as_of_date=date(2026, 6, 10), account_number="", started_by="t", now=at(date(2026, 6, 10))
    )
    billing_runs.bill_accounts(
        run=run, account_ids=billing_runs.accounts_of(run), now=at(date(2026, 6, 10)), with_pdf=False
    )

    final = Bill.objects.filter(account=account).order_by("-period_end_date").first()
    assert final is not None
    assert (final.period_start_date, final.period_end_date) == (date(2026, 6, 1), date(2026, 6, 10))
    fee_line = BillLine.objects.get(bill=final, description__startswith="Exit fee")
    assert (fee_line.amount, fee_line.vat_rate) == (Decimal("75.00"), None)
    assert switching_jobs.missing_final_bills(today=date(2026, 7, 23)) == []


@pytest.mark.parametrize(("day", "reported"), [(date(2026, 7, 22), False), (date(2026, 7, 23), True)])
def test_an_ended_contract_without_a_final_bill_after_six_weeks_is_reported(day: date, reported: bool) -> None:
    account, point, _ = supplied_household(fixed_tariff().product, start=START)
    service = FakeSwitching()
    _notify_loss(service, point, on=date(2026, 6, 10))
    _run(service, date(2026, 5, 27))
    service.deliver(Message("LOSS_COMPLETED", "", point.identifier, date(2026, 6, 10)), now=at(START))
    _run(service, date(2026, 6, 10))

    report = _run(service, day)

    # Supply ended Wed 10 June; six weeks (42 days) later is Wed 22 July: still in time. Thursday 23 July is late.
    expected = [(account.number, "No final bill yet: supply ended 10 Jun 2026, more than six weeks ago (T&C 12.3)")]
    assert [item for item in report.failed_items if item[0] == account.number] == (expected if reported else [])
