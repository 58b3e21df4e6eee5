"""Cancelling in the cooling-off period (T&C 2.1, 4.4, 5.3.3, 9.2.2), on its boundary days."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Account, Fuel, Supply, SupplyPoint
from hearth.data.billing.models import LedgerEntry
from hearth.data.contracts.models import Contract, ContractEvent, ContractNotice, Registration
from hearth.data.payments.models import Mandate, Refund
from hearth.data.tariffs.models import MeterKind, PaymentMethod, Tariff
from hearth.domain.contracts import quotes
from hearth.domain.contracts.cooling_off import CancellationRefused, cancel_in_cooling_off
from hearth.domain.contracts.sign_up import sign_up
from hearth.domain.tariffs import contracts as contract_states
from tests.integration.contracts.sign_up_support import application, at, documents_folder, product
from tests.integration.payments.account_support import post

pytestmark = pytest.mark.django_db
__all__ = ["documents_folder"]

ELECTRICITY_ONLY = quotes.Usage(fuels=(Fuel.ELECTRICITY,), meter=MeterKind.CREDIT)


def _signed_up(on: datetime, **changes: object) -> Contract:
    annual = changes.get("tariff_method") == PaymentMethod.ANNUAL_DIRECT_DEBIT
    sold = product(payment_methods=(PaymentMethod.ANNUAL_DIRECT_DEBIT,)) if annual else product()
    done = sign_up(
        application=application(sold, usage=ELECTRICITY_ONLY, **changes), channel=Contract.Channel.WEB, now=on
    )
    return done.contracts[0]


def test_commencement_on_1_march_can_be_cancelled_until_the_end_of_sunday_15_march() -> None:
    # 1 March 2026 + 14 days, the commencement day not counted = 15 March, a Sunday: kept, not moved to Monday.
    contract = _signed_up(at(2026, 3, 1))
    assert contract.cooling_off_end_date == date(2026, 3, 15)

    with pytest.raises(CancellationRefused) as refused:
        cancel_in_cooling_off(contract=contract, now=at(2026, 3, 16, 0), actor=None, channel="WEB")
    assert "ended on Sunday 15 March 2026" in str(refused.value)
    assert "T&C 14.3" in str(refused.value)

    # 23:59 on Sunday 15 March (GMT, before the clocks change on 29 March) is still within it.
    done = cancel_in_cooling_off(
        contract=contract, now=datetime(2026, 3, 15, 23, 59, tzinfo=UTC), actor=None, channel="WEB"
    )
    assert done.contract.state == Contract.State.CANCELLED
    assert done.contract.end_reason == Contract.EndReason.COOLING_OFF


def test_a_last_day_on_easter_monday_is_kept_and_ends_at_local_midnight_in_summer_time() -> None:
    # Commencement Monday 23 March 2026 + 14 days = Monday 6 April 2026, Easter Monday (a bank holiday in England
    # and Wales): the statutory period counts calendar days, so it is not moved. British Summer Time from 29 March.
    contract = _signed_up(at(2026, 3, 23))
    assert contract.cooling_off_end_date == date(2026, 4, 6)

    # 23:05 UTC on 6 April is 00:05 BST on Tuesday 7 April: too late.
    with pytest.raises(CancellationRefused):
        cancel_in_cooling_off(contract=contract, now=datetime(2026, 4, 6, 23, 5, tzinfo=UTC), actor=None, channel="WEB")
    # 22:55 UTC is 23:55 BST on Easter Monday: still within it.
    done = cancel_in_cooling_off(
        contract=contract, now=datetime(2026, 4, 6, 22, 55, tzinfo=UTC), actor=None, channel="WEB"
    )
    assert done.contract.state == Contract.State.CANCELLED


def test_a_pending_cancellation_withdraws_the_switch_cancels_the_direct_debit_and_sends_a_notice() -> None:
    contract = _signed_up(at(2026, 3, 1))

    done = cancel_in_cooling_off(contract=contract, now=at(2026, 3, 4), actor=None, channel="WEB")

    registration = Registration.objects.get(contract=contract)
    assert registration.state == Registration.State.WITHDRAWN
    assert registration.objection == Registration.Objection.CHANGED_MIND
    assert Mandate.objects.get(account=contract.account).status == Mandate.Status.CANCELLED
    assert done.last_supply_day is None
    assert ContractNotice.objects.filter(contract=contract, kind=ContractNotice.Kind.CANCELLATION).count() == 1
    assert set(ContractEvent.objects.filter(contract=contract).values_list("kind", flat=True)) >= {
        "cancelled",
        "switch_withdrawn",
        "cancellation_confirmed",
    }
    assert not Supply.objects.exists()
    # Twice is refused: it is already cancelled.
    with pytest.raises(CancellationRefused, match="already cancelled"):
        cancel_in_cooling_off(contract=done.contract, now=at(2026, 3, 4), actor=None, channel="WEB")


def _started_early(on: datetime, start: date) -> Contract:
    contract = _signed_up(on, early_start=True)
    point = SupplyPoint.objects.get(fuel=Fuel.ELECTRICITY)
    tariff = Tariff.objects.get(
        product=contract.product, fuel=Fuel.ELECTRICITY, payment_method=PaymentMethod.DIRECT_DEBIT
    )
    return contract_states.start_supply(
        contract=contract, start_date=start, placements=[(point, tariff)], now=at(start.year, start.month, start.day, 6)
    )


def test_after_an_early_start_supply_ends_tomorrow_with_no_exit_fee() -> None:
    # Signed up Sunday 1 March 2026, early start on the fifth working day, Friday 6 March; cancelled Tuesday 10 March.
    contract = _started_early(at(2026, 3, 1), date(2026, 3, 6))

    done = cancel_in_cooling_off(contract=contract, now=at(2026, 3, 10), actor=None, channel="CARE")

    ended = done.contract
    assert ended.state == Contract.State.ENDED
    assert ended.end_reason == Contract.EndReason.COOLING_OFF
    assert ended.end_date == date(2026, 3, 11)  # the first day no longer supplied
    assert done.last_supply_day == date(2026, 3, 10)
    assert ended.exit_fee == Decimal("0.00")
    assert ended.exit_fee_waiver == "Cancelled in the cooling-off period (T&C 4.4)"
    assert Supply.objects.get(account=contract.account).valid_to == date(2026, 3, 11)
    assert Account.objects.get(pk=contract.account_id).status == Account.Status.CLOSED


def test_an_annual_payment_is_refunded_whole_when_supply_never_started() -> None:
    contract = _signed_up(
        at(2026, 3, 1),
        tariff_method=PaymentMethod.ANNUAL_DIRECT_DEBIT,
        payment_method="ANNUAL_DIRECT_DEBIT",
        payment_day=None,
    )
    post(contract.account, LedgerEntry.Kind.PAYMENT, "-640.00", at(2026, 3, 9))  # the annual payment, collected

    done = cancel_in_cooling_off(contract=contract, now=at(2026, 3, 12), actor=None, channel="WEB")

    assert done.refund is not None
    assert done.refund.amount == Decimal("640.00")
    assert done.refund.kept_back == Decimal("0.00")
    assert done.refund.status == Refund.Status.REQUESTED


def test_an_annual_payment_after_an_early_start_is_refunded_after_the_final_bill() -> None:
    contract = _signed_up(
        at(2026, 3, 1),
        tariff_method=PaymentMethod.ANNUAL_DIRECT_DEBIT,
        payment_method="ANNUAL_DIRECT_DEBIT",
        payment_day=None,
        early_start=True,
    )
    point = SupplyPoint.objects.get(fuel=Fuel.ELECTRICITY)
    tariff = Tariff.objects.get(product=contract.product, fuel=Fuel.ELECTRICITY)
    contract = contract_states.start_supply(
        contract=contract, start_date=date(2026, 3, 6), placements=[(point, tariff)], now=at(2026, 3, 6, 6)
    )
    post(contract.account, LedgerEntry.Kind.PAYMENT, "-640.00", at(2026, 3, 9))

    done = cancel_in_cooling_off(contract=contract, now=at(2026, 3, 12), actor=None, channel="WEB")

    assert done.refund is not None
    assert done.refund.status == Refund.Status.WAITING_FINAL_BILL  # the energy used comes off it first (12.3)


def test_a_monthly_payer_gets_no_refund_request() -> None:
    contract = _signed_up(at(2026, 3, 1))
    done = cancel_in_cooling_off(contract=contract, now=at(2026, 3, 2), actor=None, channel="WEB")
    assert done.refund is None
