"""Moves by us go through the contract state machine (ADR 0013): payments' move for not paying as the tariff requires
(T&C 9.2, 10.2) becomes a TARIFF_MOVE contract replacing the live one; care records a smart meter refusal (15.6)."""

from datetime import date

import pytest
from django.test import Client

from hearth.data.contracts.models import Contract
from hearth.data.tariffs.models import MeterKind, Product
from hearth.domain.payments import tariff_moves
from hearth.domain.tariffs import contracts
from tests.integration.contracts.renewal_support import on_fixed_contract, product_tariff
from tests.integration.contracts.renewal_support import standard_variable as renewal_svt
from tests.integration.payments.account_support import (  # noqa: F401  (documents_in_tmp is a fixture)
    at,
    documents_in_tmp_fixture,
    supply_point_of,
)
from tests.integration.payments.test_care_payments import care  # noqa: F401  (a fixture)
from tests.integration.payments.test_tariff_moves import standard_variable, stopped_paying_by_direct_debit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]


def test_a_payments_tariff_move_replaces_the_live_contract_on_its_day() -> None:
    svt = standard_variable()
    account = stopped_paying_by_direct_debit(by_email=True)
    old = contracts.enter_contract(
        account=account,
        product=Product.objects.exclude(pk=svt.product_id).get(),
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=Contract.Origin.MIGRATED,
        commencement_date=date(2025, 1, 1),
        cooling_off_end_date=date(2025, 1, 1),
        now=at(date(2026, 10, 1)),
    )
    Contract.objects.filter(pk=old.pk).update(state=Contract.State.LIVE, supply_start_date=date(2025, 1, 1))
    [notice] = tariff_moves.give_notice(day=date(2026, 11, 3), now=at(date(2026, 11, 3)))
    assert notice.move is not None

    # E-mailed Tue 3 Nov 2026, deemed delivered that day; 42 days later: Tue 15 Dec 2026.
    [done] = tariff_moves.carry_out(day=date(2026, 12, 15), now=at(date(2026, 12, 15), 6))

    assert done.problem == ""
    move = Contract.objects.get(account=account, origin=Contract.Origin.TARIFF_MOVE)
    old.refresh_from_db()
    assert (move.state, move.supply_start_date, move.previous_id, move.product_id) == (
        Contract.State.LIVE,
        date(2026, 12, 15),
        old.pk,
        svt.product_id,
    )
    assert (old.state, old.end_date, old.end_reason) == (Contract.State.ENDED, date(2026, 12, 15), "REPLACED")
    assert move.events.filter(kind="supply_started").exists()


def test_care_records_a_smart_meter_refusal(care: Client) -> None:  # noqa: F811
    renewal_svt()
    contract = on_fixed_contract(
        product_tariff(kind=Product.Kind.FIXED, meter_kinds=(MeterKind.SMART,)),
        last_fixed_day=date(2026, 12, 31),
        by_email=True,
    )

    response = care.post(f"/care/accounts/{contract.account.number}/contract/smart-refusal/", follow=True)

    assert response.status_code == 200
    move = Contract.objects.get(account=contract.account, state=Contract.State.PENDING)
    assert move.origin == Contract.Origin.TARIFF_MOVE
    assert "Smart meter refusal recorded" in response.content.decode()
    again = care.post(f"/care/accounts/{contract.account.number}/contract/smart-refusal/", follow=True)
    assert "Nothing was changed" in again.content.decode()
    assert Contract.objects.filter(account=contract.account, state=Contract.State.PENDING).count() == 1
