"""Switching to us (T&C 5): each message moves the registration, the contract and the customer's letters on."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Account, Supply, SupplyPoint
from hearth.data.billing.models import Bill, BillConsumption
from hearth.data.contracts.models import Contract, ContractNotice, Registration, SwitchingMessage
from hearth.data.metering.models import ReadingSource, Register, RegisterReading
from hearth.domain.billing import runs as billing_runs
from hearth.domain.contracts import switching_jobs
from hearth.domain.contracts.switching import Message
from hearth.domain.tariffs import contracts
from tests.integration.contracts.switching_support import FakeSwitching, fixed_tariff, new_household, signed_up
from tests.integration.payments.account_support import at, documents_in_tmp_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

SIGN_UP = date(2026, 3, 2)  # a Monday
START = date(2026, 3, 17)  # the first working day after cooling-off ends on Monday 16 March


class JobReport:
    """What the job reported, kept in lists."""

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


def _household() -> tuple[Account, SupplyPoint, Contract, Registration]:
    product = fixed_tariff().product
    account, point = new_household()
    contract, registration = signed_up(account, point, product, on=SIGN_UP)
    return account, point, contract, registration


def _answer(
    service: FakeSwitching, registration: Registration, kind: str, *, day: date | None = None, code: str = ""
) -> None:
    service.deliver(
        Message(kind, registration.reference, registration.supply_point.identifier, day, code), now=at(SIGN_UP)
    )


def test_a_requested_switch_is_sent_once_and_kept_as_sent() -> None:
    _, point, _, registration = _household()
    service = FakeSwitching()

    _run(service, SIGN_UP)
    _run(service, SIGN_UP + timedelta(days=1))

    assert service.kinds_sent() == ["REGISTRATION_REQUEST"]
    sent = service.sent[0][0]
    assert (sent.reference, sent.mpxn, sent.day) == (registration.reference, point.identifier, START)
    kept = SwitchingMessage.objects.get(direction="OUTBOUND")
    assert (kept.kind, kept.registration_id, kept.line_number, kept.status) == (
        "REGISTRATION_REQUEST",
        registration.pk,
        2,  # line 1 is the header
        "SENT",
    )


def test_acceptance_sets_the_start_date_and_asks_for_opening_readings() -> None:
    _, _, contract, registration = _household()
    service = FakeSwitching()
    _run(service, SIGN_UP)
    _answer(service, registration, "REGISTRATION_ACCEPTED", day=START)

    report = _run(service, SIGN_UP + timedelta(days=1))

    registration.refresh_from_db()
    assert (registration.state, registration.start_date) == (Registration.State.PENDING, START)
    notice = ContractNotice.objects.get(contract=contract, key="opening-readings")
    assert notice.kind == ContractNotice.Kind.SWITCH_UPDATE
    assert report.failed_items == []
    assert service.acknowledged == ["FAKE-IN-1.txt"]


def test_an_objection_holds_the_switch_tells_the_customer_and_clearing_it_carries_on() -> None:
    _, _, contract, registration = _household()
    service = FakeSwitching()
    _run(service, SIGN_UP)
    _answer(service, registration, "OBJECTION_RAISED", code="OLD_SUPPLIER")
    _run(service, SIGN_UP + timedelta(days=2))

    registration.refresh_from_db()
    assert (registration.state, registration.objection) == (Registration.State.OBJECTED, "OLD_SUPPLIER")
    notice = ContractNotice.objects.get(contract=contract, key=f"{registration.reference} OBJECTED")
    assert notice.document.reference == f"SW-{registration.reference}-OBJECTED"

    _answer(service, registration, "OBJECTION_CLEARED")
    _run(service, SIGN_UP + timedelta(days=3))
    registration.refresh_from_db()
    assert (registration.state, registration.objection) == (Registration.State.PENDING, "")


def test_an_objection_with_an_unknown_code_is_kept_failed_naming_the_field() -> None:
    _, _, _, registration = _household()
    service = FakeSwitching()
    _answer(service, registration, "OBJECTION_RAISED", code="GRUMPY")

    report = _run(service, SIGN_UP)

    kept = SwitchingMessage.objects.get(direction="INBOUND")
    assert kept.status == "FAILED"
    assert kept.reason.startswith("FAKE-IN-1.txt line 2, code: 'GRUMPY' is not an objection code")
    assert report.failed_items == [("FAKE-IN-1.txt:2", kept.reason)]


def test_a_rejected_switch_cancels_the_contract_and_tells_the_customer() -> None:
    _, _, contract, registration = _household()
    service = FakeSwitching()
    _answer(service, registration, "REGISTRATION_REJECTED", code="UNSUPPORTED")

    _run(service, SIGN_UP)

    registration.refresh_from_db()
    contract.refresh_from_db()
    assert registration.state == Registration.State.REJECTED
    assert (contract.state, contract.end_reason) == (Contract.State.CANCELLED, Contract.EndReason.SWITCH_FAILED)
    assert ContractNotice.objects.filter(contract=contract, key=f"{registration.reference} REJECTED").exists()


def test_supply_start_confirmed_completes_the_switch_and_starts_supply_on_the_tariff() -> None:
    account, point, contract, registration = _household()
    service = FakeSwitching()
    _answer(service, registration, "REGISTRATION_ACCEPTED", day=START)
    _answer(service, registration, "SUPPLY_START_CONFIRMED", day=START)

    _run(service, START)

    registration.refresh_from_db()
    contract.refresh_from_db()
    assert registration.state == Registration.State.COMPLETED
    assert (contract.state, contract.supply_start_date) == (Contract.State.LIVE, START)
    assert contract.fixed_term_end_date == date(2027, 3, 16)  # 12 months from 17 March 2026, the last day
    assert Supply.objects.get(account=account, supply_point=point).valid_from == START
    assert point.agreements.get().tariff.product_id == contract.product_id


def test_a_confirmation_before_acceptance_is_kept_failed_with_the_state() -> None:
    _, _, _, registration = _household()
    service = FakeSwitching()
    _answer(service, registration, "SUPPLY_START_CONFIRMED", day=START)

    _run(service, START)

    kept = SwitchingMessage.objects.get(direction="INBOUND")
    assert kept.status == "FAILED"
    assert "kind: SUPPLY_START_CONFIRMED cannot apply to" in kept.reason
    assert "which is requested (needs pending)" in kept.reason


def test_a_switch_cancelled_in_cooling_off_sends_a_withdrawal_once() -> None:
    _, _, contract, registration = _household()
    service = FakeSwitching()
    _run(service, SIGN_UP)
    # The cooling-off flow (another part) marks the gain WITHDRAWN when the customer cancels.
    Registration.objects.filter(pk=registration.pk).update(state=Registration.State.WITHDRAWN)
    contracts.cancel_contract(contract=contract, reason=Contract.EndReason.COOLING_OFF, now=at(SIGN_UP))

    _run(service, SIGN_UP + timedelta(days=3))
    _run(service, SIGN_UP + timedelta(days=4))

    assert service.kinds_sent() == ["REGISTRATION_REQUEST", "WITHDRAWAL"]


@pytest.mark.parametrize(
    ("day", "late"),
    [
        (date(2026, 3, 23), False),  # Monday 23 March: 21 days after Monday 2 March, still "within 21 days"
        (date(2026, 3, 24), True),  # Tuesday 24 March: day 22, late
    ],
)
def test_the_21_day_clock(day: date, late: bool) -> None:
    _, _, _, registration = _household()
    service = FakeSwitching()
    _answer(service, registration, "OBJECTION_RAISED", code="OLD_SUPPLIER")

    report = _run(service, day)

    late_items = [text for subject, text in report.failed_items if subject == registration.reference]
    if late:
        assert late_items == [
            f"Switch of {registration.supply_point.identifier} to us still objected (The current supplier objected "
            "(T&C 5.3.1)) 22 days after sign-up on 2 Mar 2026 (usually within 21, T&C 5.3)"
        ]
    else:
        assert late_items == []


def test_a_customer_reading_two_days_before_the_start_is_the_first_bills_opening_reading() -> None:
    account, point, _, registration = _household()
    register = register_of_point(point)
    # The previous supplier's era: an old reading the first bill must not start from.
    RegisterReading.objects.create(
        register=register,
        read_at=at(date(2025, 6, 1)),
        value=Decimal("1000"),
        source=ReadingSource.INDUSTRY,
        kind=RegisterReading.Kind.ACTUAL,
        received_at=at(date(2025, 6, 1)),
    )
    # The customer reads the meter on Sunday 15 March, two days before supply starts on Tuesday 17 March.
    RegisterReading.objects.create(
        register=register,
        read_at=at(date(2026, 3, 15), 9),
        value=Decimal("5000"),
        source=ReadingSource.CUSTOMER,
        kind=RegisterReading.Kind.CUSTOMER,
        received_at=at(date(2026, 3, 15), 9),
    )
    service = FakeSwitching()
    _answer(service, registration, "REGISTRATION_ACCEPTED", day=START)
    _answer(service, registration, "SUPPLY_START_CONFIRMED", day=START)
    _run(service, START)
    # And at the end of March, a reading on the last day.
    RegisterReading.objects.create(
        register=register,
        read_at=at(date(2026, 3, 31), 20),
        value=Decimal("5100"),
        source=ReadingSource.CUSTOMER,
        kind=RegisterReading.Kind.CUSTOMER,
        received_at=at(date(2026, 3, 31), 20),
    )

    opening = RegisterReading.objects.get(register=register, kind=RegisterReading.Kind.OPENING)
    assert (opening.value, opening.read_at) == (Decimal("5000.000"), at(START, 0))
    run = billing_runs.start_run(
        as_of_date=date(2026, 4, 1), account_number=account.number, started_by="t", now=at(date(2026, 4, 1))
    )
    billing_runs.bill_accounts(
        run=run, account_ids=billing_runs.accounts_of(run), now=at(date(2026, 4, 1)), with_pdf=False
    )
    bill = Bill.objects.get(account=account)
    assert (bill.period_start_date, bill.period_end_date) == (START, date(2026, 4, 1))
    consumption = BillConsumption.objects.get(bill=bill)
    assert consumption.start_reading is not None
    assert consumption.end_reading is not None
    assert (consumption.start_reading.value, consumption.end_reading.value) == (
        Decimal("5000.000"),
        Decimal("5100.000"),
    )


def register_of_point(point: SupplyPoint) -> Register:
    return Register.objects.get(meter__supply_point=point)
