"""Moving house end to end: the move recorded, supply ended by the daily job, the final bill from the bill run, supply
following the customer (13.5) and the deemed contract of a new occupier (4.7, 9.3, 9.6)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hearth.data.accounts.models import Account, Customer, Fuel, Supply
from hearth.data.billing.models import Bill, BillConsumption
from hearth.data.contracts.models import Contract, ContractEvent, ContractNotice, HomeMove, Registration
from hearth.data.metering.models import Meter, RegisterReading
from hearth.data.payments.models import PaymentArrangement
from hearth.data.scheduling.models import JobRun
from hearth.data.tariffs.models import Agreement, PaymentMethod, Product
from hearth.domain.billing import jobs as billing_jobs
from hearth.domain.contracts import jobs_moves, moves
from hearth.domain.documents import printing as documents_printing
from hearth.domain.scheduling import jobs as scheduling_jobs
from hearth.domain.scheduling import operations as scheduling_ops
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.contracts.move_support import at, household, london_mpan, point_of, product_tariff

pytestmark = pytest.mark.django_db

FORWARDING = moves.Address(line_1="8 Harbour View", town="Leith", postcode="EH6 6JJ", nation="SCOTLAND")


@pytest.fixture(autouse=True)
def _documents(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_documents_folder(monkeypatch, tmp_path / "documents")


def run(job: scheduling_jobs.DailyJob, day: date) -> JobRun:
    return scheduling_ops.run_job(job=job, day=day, now=at(day, 6), started_by="test")


def test_a_move_recorded_in_time_switches_the_billing_address_and_confirms_the_end_day() -> None:
    tariff = product_tariff(code="HOME-FIX", kind=Product.Kind.FIXED, exit_fee="60")
    account, contract, _ = household(tariff, supply_start=date(2026, 11, 2))
    home = account.billing_property

    # Told on Monday 7 December 2026 for Wednesday 9th: two working days before, so it ends on the 9th.
    move = moves.record_move_out(
        account=account,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(date(2026, 12, 7)),
        move_out_date=date(2026, 12, 9),
        forwarding_address=FORWARDING,
        actor=None,
    )

    account.refresh_from_db()
    assert (move.state, move.end_date) == (HomeMove.State.RECORDED, date(2026, 12, 9))
    assert account.billing_property == move.forwarding_address != home
    assert account.billing_property.postcode == "EH6 6JJ"
    notice = ContractNotice.objects.get(contract=contract, kind=ContractNotice.Kind.MOVE_OUT)
    assert notice.effective_date == date(2026, 12, 9)
    assert notice.document.account == account
    assert ContractEvent.objects.filter(contract=contract, kind="move_out_confirmed", document=notice.document).exists()
    with pytest.raises(moves.MoveRefused, match="already recorded"):
        moves.record_move_out(
            account=account,
            told_by=HomeMove.ToldBy.CUSTOMER,
            told_at=at(date(2026, 12, 7)),
            move_out_date=date(2026, 12, 9),
            forwarding_address=FORWARDING,
        )

    # The day before the end nothing happens; on the end day supply ends, with no exit fee (clause 13).
    assert run(jobs_moves.MOVE_OUTS, date(2026, 12, 8)).done_count == 0
    assert run(jobs_moves.MOVE_OUTS, date(2026, 12, 9)).done_count == 1
    contract.refresh_from_db()
    account.refresh_from_db()
    assert (contract.state, contract.end_date, contract.end_reason) == (
        Contract.State.ENDED,
        date(2026, 12, 9),
        Contract.EndReason.MOVED_OUT,
    )
    assert (contract.exit_fee, contract.exit_fee_waiver) == (Decimal("0.00"), moves.MOVED_OUT_WAIVER)
    assert account.status == Account.Status.CLOSED
    assert Supply.objects.get(account=account).valid_to == date(2026, 12, 9)
    assert HomeMove.objects.get(pk=move.pk).state == HomeMove.State.DONE
    assert run(jobs_moves.MOVE_OUTS, date(2026, 12, 10)).done_count == 0  # idempotent


def test_the_address_is_required_and_days_out_of_range_are_refused_by_field() -> None:
    account, _, _ = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 11, 2))
    base: dict[str, Any] = {"account": account, "told_by": HomeMove.ToldBy.CUSTOMER, "told_at": at(date(2026, 12, 7))}
    with pytest.raises(moves.MoveRefused) as no_address:
        moves.record_move_out(**base, move_out_date=date(2026, 12, 9), forwarding_address=None)
    assert no_address.value.field == "forwarding_line_1"
    # 90 days either side of the day told (7 December 2026): 8 September 2026 to 7 March 2027.
    with pytest.raises(moves.MoveRefused) as too_far:
        moves.record_move_out(**base, move_out_date=date(2027, 3, 8), forwarding_address=FORWARDING)
    assert too_far.value.field == "move_out_date"
    with pytest.raises(moves.MoveRefused) as bad_postcode:
        moves.record_move_out(
            **base,
            move_out_date=date(2026, 12, 9),
            forwarding_address=moves.Address(line_1="1 Road", town="Town", postcode="NOT A POSTCODE"),
        )
    assert bad_postcode.value.field == "forwarding_postcode"
    # Before supply started (2 November 2026) a move makes no sense.
    with pytest.raises(moves.MoveRefused) as before_start:
        moves.record_move_out(**base, move_out_date=date(2026, 11, 1), forwarding_address=FORWARDING)
    assert before_start.value.field == "move_out_date"
    assert not HomeMove.objects.exists()


def test_final_readings_before_the_move_out_day_are_refused_and_a_cancelled_move_restores_the_address() -> None:
    account, contract, register = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 11, 2))
    home = account.billing_property
    with pytest.raises(moves.MoveRefused) as early:
        moves.record_move_out(
            account=account,
            told_by=HomeMove.ToldBy.CUSTOMER,
            told_at=at(date(2026, 12, 7)),
            move_out_date=date(2026, 12, 9),
            forwarding_address=FORWARDING,
            final_readings={register: Decimal("1400")},
        )
    assert early.value.field == "readings"
    move = moves.record_move_out(
        account=account,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(date(2026, 12, 7)),
        move_out_date=date(2026, 12, 9),
        forwarding_address=FORWARDING,
    )
    moves.cancel_move(move=move, now=at(date(2026, 12, 8)), actor=None)
    account.refresh_from_db()
    assert account.billing_property == home
    assert HomeMove.objects.get(pk=move.pk).state == HomeMove.State.CANCELLED
    assert run(jobs_moves.MOVE_OUTS, date(2026, 12, 9)).done_count == 0
    contract.refresh_from_db()
    assert contract.state == Contract.State.LIVE


def test_the_bill_run_after_the_move_sends_a_final_bill_closed_by_the_final_reading() -> None:
    account, _, register = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 11, 1))
    # Told after moving out on Friday 4 December 2026, on Monday 7th, with the reading taken on the 4th: the
    # contract ends two working days after the 7th, on Wednesday 9 December.
    move = moves.record_move_out(
        account=account,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(date(2026, 12, 7)),
        move_out_date=date(2026, 12, 4),
        forwarding_address=FORWARDING,
        final_readings={register: Decimal("1350")},
    )
    assert move.end_date == date(2026, 12, 9)
    final = RegisterReading.objects.get(register=register, kind=RegisterReading.Kind.FINAL)
    assert final.read_at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # midnight GMT starts 4 December

    run(jobs_moves.MOVE_OUTS, date(2026, 12, 9))
    bill_run = scheduling_jobs.DailyJob("billing.bill_run", "Bill run", billing_jobs.bill_run)
    run(bill_run, date(2026, 12, 9))

    bills = Bill.objects.filter(account=account).order_by("period_start_date")
    assert [(b.period_start_date, b.period_end_date, b.is_final) for b in bills] == [
        (date(2026, 11, 1), date(2026, 12, 1), False),
        (date(2026, 12, 1), date(2026, 12, 9), True),
    ]
    # November's bill estimated its end (no reading by 1 December); the final bill ends at the final reading.
    closing = BillConsumption.objects.get(bill=bills[1])
    assert closing.end_reading == final


def test_with_no_final_reading_the_final_bill_is_estimated() -> None:
    account, _, _ = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 11, 1))
    moves.record_move_out(
        account=account,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(date(2026, 11, 25)),
        move_out_date=date(2026, 12, 1),
        forwarding_address=FORWARDING,
    )
    report = run(jobs_moves.MOVE_OUTS, date(2026, 12, 1))
    assert "the final bill estimates" in report.items.get().message
    run(scheduling_jobs.DailyJob("billing.bill_run", "Bill run", billing_jobs.bill_run), date(2026, 12, 1))
    bill = Bill.objects.get(account=account)
    assert (bill.period_end_date, bill.is_final, bill.is_estimated) == (date(2026, 12, 1), True, True)


@pytest.mark.parametrize(
    ("told_on", "move_out", "starts_at_utc"),
    [
        # Clocks go back on Sunday 25 October 2026: told Thursday 22nd, two working days before (Friday 23rd is
        # one); the day starts at midnight BST, 23:00 UTC on the 24th.
        (date(2026, 10, 22), date(2026, 10, 25), datetime(2026, 10, 24, 23, 0, tzinfo=UTC)),
        # Clocks go forward on Sunday 28 March 2027 (Easter Day): Good Friday 26th does not count, so Thursday
        # 25th is one working day before and Wednesday 24th two; the day starts at midnight GMT.
        (date(2027, 3, 24), date(2027, 3, 28), datetime(2027, 3, 28, 0, 0, tzinfo=UTC)),
    ],
)
def test_supply_ends_at_the_local_start_of_the_end_day_across_a_clock_change(
    told_on: date, move_out: date, starts_at_utc: datetime
) -> None:
    account, contract, _ = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 6, 1))
    moves.record_move_out(
        account=account,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(told_on),
        move_out_date=move_out,
        forwarding_address=FORWARDING,
    )
    run(jobs_moves.MOVE_OUTS, move_out)
    contract.refresh_from_db()
    assert contract.end_date == move_out
    assert Agreement.objects.get(supply_point=point_of(account)).valid_to == starts_at_utc


def test_a_new_occupier_gets_a_deemed_contract_on_the_prepayment_svt_the_day_the_old_one_ends() -> None:
    product_tariff(code="HOME-SVT", standard_variable=True, payment_method=PaymentMethod.STANDARD_CREDIT)
    prepayment_svt = product_tariff(code="HOME-SVT", standard_variable=True, payment_method=PaymentMethod.PREPAYMENT)
    old_account, old_contract, _ = household(
        prepayment_svt, supply_start=date(2026, 6, 1), meter_kind=Meter.Kind.PREPAYMENT, payment_method="PREPAYMENT"
    )
    point = point_of(old_account)
    found = moves.find_supplied_points(postcode="se1 7pb", identifier=point.identifier)
    assert found == [point]

    # The new occupier calls on Friday 11 December 2026; they moved in on Thursday 10th.
    [deemed] = moves.record_move_in(
        points=found,
        occupier=moves.NewOccupier(name="Robin New", email="robin@example.com"),
        move_in_date=date(2026, 12, 10),
        now=at(date(2026, 12, 11)),
        actor=None,
    )

    old_contract.refresh_from_db()
    assert (old_contract.state, old_contract.end_date) == (Contract.State.ENDED, date(2026, 12, 10))
    move = HomeMove.objects.get(account=old_account)
    assert (move.told_by, move.end_date, move.state) == (
        HomeMove.ToldBy.NEW_OCCUPIER,
        date(2026, 12, 10),
        HomeMove.State.DONE,
    )
    assert (deemed.origin, deemed.state, deemed.supply_start_date) == (
        Contract.Origin.DEEMED,
        Contract.State.LIVE,
        date(2026, 12, 10),
    )
    assert deemed.product.is_standard_variable
    assert PaymentArrangement.objects.get(account=deemed.account).method == PaymentArrangement.Method.PREPAYMENT
    supplies = list(
        Supply.objects.filter(supply_point=point).order_by("valid_from").values_list("valid_from", "valid_to")
    )
    assert supplies == [(date(2026, 6, 1), date(2026, 12, 10)), (date(2026, 12, 10), None)]  # meet, no overlap


def test_a_new_occupier_with_a_credit_meter_pays_by_standard_credit() -> None:
    credit_svt = product_tariff(code="HOME-SVT", standard_variable=True, payment_method=PaymentMethod.STANDARD_CREDIT)
    old_account, _, _ = household(credit_svt, supply_start=date(2026, 6, 1), payment_method="STANDARD_CREDIT")
    [deemed] = moves.record_move_in(
        points=[point_of(old_account)],
        occupier=moves.NewOccupier(name="Robin New"),
        move_in_date=date(2026, 12, 10),
        now=at(date(2026, 12, 11)),
        actor=None,
    )
    assert PaymentArrangement.objects.get(account=deemed.account).method == PaymentArrangement.Method.STANDARD_CREDIT


def test_supply_follows_the_customer_to_a_home_we_supply_the_day_the_previous_occupant_leaves() -> None:
    fixed = product_tariff(code="HOME-FIX", kind=Product.Kind.FIXED, exit_fee="60")
    mover, old_contract, _ = household(fixed, supply_start=date(2026, 6, 1))
    previous_occupant, previous_contract, _ = household(fixed, supply_start=date(2026, 6, 1), name="Lee Before")
    new_home_point = point_of(previous_occupant)

    moves.record_move_out(
        account=mover,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(date(2026, 12, 7)),
        move_out_date=date(2026, 12, 9),
        forwarding_address=FORWARDING,
        new_home=moves.Address(line_1="Lee's old house", town="London", postcode="SE1 7PB"),
        new_home_points=[moves.NewHomePoint(fuel=Fuel.ELECTRICITY, identifier=new_home_point.identifier)],
    )
    following = Contract.objects.get(origin=Contract.Origin.HOME_MOVE)
    assert (following.state, following.previous, following.account.customer) == (
        Contract.State.PENDING,
        old_contract,
        mover.customer,
    )
    # The previous occupant's contract ends on the mover's move-in day, as if the new occupier told us (13.2).
    assert HomeMove.objects.get(account=previous_occupant).end_date == date(2026, 12, 9)

    report = run(jobs_moves.MOVE_OUTS, date(2026, 12, 9))
    assert (report.done_count, report.failed_count) == (3, 0)
    old_contract.refresh_from_db()
    previous_contract.refresh_from_db()
    following.refresh_from_db()
    assert old_contract.exit_fee_waiver == "Moved home and took the agreement with us (T&C 14.5.1)"
    assert previous_contract.state == Contract.State.ENDED
    assert (following.state, following.supply_start_date) == (Contract.State.LIVE, date(2026, 12, 9))
    supplies = list(
        Supply.objects.filter(supply_point=new_home_point).order_by("valid_from").values_list("account", "valid_to")
    )
    assert supplies == [(previous_occupant.pk, date(2026, 12, 9)), (following.account_id, None)]


def test_supply_to_a_home_we_do_not_supply_is_a_switch_and_without_points_care_is_told() -> None:
    mover, _, _ = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 6, 1))
    moves.record_move_out(
        account=mover,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(date(2026, 12, 7)),
        move_out_date=date(2026, 12, 23),
        forwarding_address=FORWARDING,
        new_home=moves.Address(line_1="1 New Street", town="London", postcode="SE1 9SG"),
        new_home_points=[moves.NewHomePoint(fuel=Fuel.ELECTRICITY, identifier=london_mpan(900))],
    )
    registration = Registration.objects.get()
    assert (registration.direction, registration.requested_start_date) == (
        Registration.Direction.GAIN,
        date(2026, 12, 23),  # the move-in day, later than five working days after 7 December (the 14th)
    )

    other, _, _ = household(product_tariff(code="HOME-SVT"), supply_start=date(2026, 6, 1))
    moves.record_move_out(
        account=other,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(date(2026, 12, 7)),
        move_out_date=date(2026, 12, 23),
        forwarding_address=FORWARDING,
        new_home=moves.Address(line_1="2 New Street", town="London", postcode="SE1 9SG"),
    )
    waiting = Contract.objects.get(origin=Contract.Origin.HOME_MOVE, account__customer=other.customer)
    assert waiting.state == Contract.State.PENDING
    assert ContractEvent.objects.filter(contract=waiting, kind="new_home_points_needed").exists()


def test_a_forwarding_address_wins_over_an_older_correspondence_address() -> None:
    """T&C 22.3 and 13.4: the address given most recently. The customer's correspondence address is used until they
    tell us they move out with a forwarding address; then post (the move-out notice, the final bill) goes there."""
    tariff = product_tariff(code="HOME-SVT", kind=Product.Kind.VARIABLE)
    account, _contract, _ = household(tariff, supply_start=date(2026, 11, 2))
    Customer.objects.filter(pk=account.customer_id).update(
        correspondence_line_1="Flat 9, 1 Quay Street", correspondence_town="Bristol", correspondence_postcode="BS1 4DJ"
    )
    account.refresh_from_db()
    assert documents_printing.postal_address_lines(account) == ("Flat 9, 1 Quay Street", "Bristol", "BS1 4DJ")

    moves.record_move_out(
        account=account,
        told_by=HomeMove.ToldBy.CUSTOMER,
        told_at=at(date(2026, 12, 7)),
        move_out_date=date(2026, 12, 9),
        forwarding_address=FORWARDING,
        actor=None,
    )

    account.refresh_from_db()
    assert documents_printing.postal_address_lines(account) == ("8 Harbour View", "Leith", "EH6 6JJ")
