"""The contract state machine keeps ADR 0013's invariants whatever happens in whatever order.

Hypothesis drives random sequences of events through ``hearth.domain.tariffs.contracts`` over a few accounts and two
supply points shared between them, with the day moving forward: contracts entered into, supply started (a switch in,
a move-in, a renewal or rollover replacing the live contract), contracts cancelled before they start, supply ended
(switched away, moved out), and a new occupier moving in at a point (the old supply ended, a new account started the
same day). A refusal (``ContractRefused``) is an allowed answer; anything else must leave the invariants true:

- no supply point with two agreements in force at any instant;
- at most one open ``Supply`` per supply point;
- no open supply whose account has no LIVE contract, and every LIVE contract's account supplied;
- no account with two LIVE or two PENDING contracts;
- the agreements under an ENDED contract all closed at or before its end date.

Each example runs in a savepoint rolled back at its end, inside pytest-django's transaction for the test.
"""

from contextlib import suppress
from datetime import date, timedelta
from itertools import pairwise
from typing import ClassVar

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from hearth.common import calendar
from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Supply, SupplyPoint
from hearth.data.contracts.models import Contract
from hearth.data.tariffs.models import Agreement, PaymentMethod, Product, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.tariffs import contracts
from tests.integration.payments.account_support import _mpan_core, at, tariff

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2026, 3, 2)
ACCOUNTS = 3
POINTS = 2
State, EndReason, Origin = Contract.State, Contract.EndReason, Contract.Origin


class ContractEvents(RuleBasedStateMachine):
    """Accounts and shared supply points; each rule one event through the state machine on ``today``."""

    tariffs: ClassVar[dict[str, Tariff]] = {}
    """The products' tariffs, made once for the test (outside the examples' savepoints)."""

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.today = FIRST_DAY
        self.now = at(FIRST_DAY)
        home = accounts_ops.create_property(
            address_line_1="1 Shared Court", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
        )
        self.home = home
        self.points = [
            accounts_ops.register_supply_point(
                fuel=Fuel.ELECTRICITY, identifier=_mpan_core(900 + n), supply_property=home, profile_class="01"
            )
            for n in range(POINTS)
        ]
        self.accounts = [self._new_account() for _ in range(ACCOUNTS)]

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _new_account(self) -> Account:
        customer = accounts_ops.create_customer(
            kind=Customer.Kind.PERSON, name="Sam Occupier", contact_email="sam@example.com", now=self.now
        )
        return accounts_ops.open_account(
            customer=customer, fuel=Fuel.ELECTRICITY, billing_property=self.home, now=self.now
        )

    def _account(self, index: int) -> Account:
        return Account.objects.get(pk=self.accounts[index % len(self.accounts)].pk)

    def _enter(self, account: Account, kind: str, origin: str) -> Contract:
        live = contracts.live_contract(account)
        return contracts.enter_contract(
            account=account,
            product=self.tariffs[kind].product,
            payment_method="STANDARD_DIRECT_DEBIT",
            origin=origin,
            commencement_date=self.today,
            cooling_off_end_date=self.today + timedelta(days=14),
            now=self.now,
            previous=live if origin in (Origin.RENEWAL, Origin.ROLLOVER) else None,
        )

    def _start(self, contract: Contract, point: SupplyPoint) -> None:
        """Supply under ``contract`` from today: on the points the account is supplied through (a replacement), or
        on ``point`` (a switch in)."""
        supplied = list(SupplyPoint.objects.filter(supplies__account=contract.account, supplies__valid_to__isnull=True))
        tariff_of = {t.product_id: t for t in self.tariffs.values()}[contract.product_id]
        contracts.start_supply(
            contract=contract,
            start_date=self.today,
            placements=[(p, tariff_of) for p in supplied or [point]],
            now=self.now,
        )

    @rule(days=st.integers(min_value=1, max_value=45))
    def a_day_passes(self, days: int) -> None:
        self.today += timedelta(days=days)
        self.now = at(self.today)

    @rule(
        account=st.integers(0, 9),
        kind=st.sampled_from(["fixed", "variable"]),
        origin=st.sampled_from([Origin.SIGN_UP, Origin.RENEWAL, Origin.ROLLOVER, Origin.TARIFF_MOVE]),
    )
    def enter_into_a_contract(self, account: int, kind: str, origin: str) -> None:
        with suppress(contracts.ContractRefused):  # a refusal is an allowed answer
            self._enter(self._account(account), kind, origin)

    @rule(account=st.integers(0, 9), point=st.integers(0, POINTS - 1))
    def start_supply(self, account: int, point: int) -> None:
        pending = contracts.pending_contract(self._account(account))
        if pending is None:
            return
        with suppress(contracts.ContractRefused):  # a refusal is an allowed answer
            self._start(pending, self.points[point])

    @rule(account=st.integers(0, 9), reason=st.sampled_from([EndReason.COOLING_OFF, EndReason.WITHDRAWN]))
    def cancel_before_supply(self, account: int, reason: str) -> None:
        pending = contracts.pending_contract(self._account(account))
        if pending is not None:
            contracts.cancel_contract(contract=pending, reason=reason, now=self.now)

    @rule(account=st.integers(0, 9), reason=st.sampled_from([EndReason.SWITCHED_AWAY, EndReason.MOVED_OUT]))
    def end_supply(self, account: int, reason: str) -> None:
        live = contracts.live_contract(self._account(account))
        if live is None:
            return
        with suppress(contracts.ContractRefused):  # a refusal is an allowed answer
            contracts.end_supply(contract=live, end_date=self.today, reason=reason, now=self.now)

    @rule(point=st.integers(0, POINTS - 1), kind=st.sampled_from(["fixed", "variable"]))
    def a_new_occupier_moves_in(self, point: int, kind: str) -> None:
        """The old occupier's supply ends today (moved out) and a new account's deemed contract starts today."""
        supply_point = self.points[point]
        current = Supply.objects.filter(supply_point=supply_point, valid_to__isnull=True).first()
        if current is not None:
            live = contracts.live_contract(current.account)
            if live is None:
                return  # the invariants below report it
            try:
                contracts.end_supply(contract=live, end_date=self.today, reason=EndReason.MOVED_OUT, now=self.now)
            except contracts.ContractRefused:
                return
        newcomer = self._new_account()
        self.accounts.append(newcomer)
        self._start(self._enter(newcomer, kind, Origin.DEEMED), supply_point)

    @invariant()
    def no_point_has_two_agreements_in_force_at_once(self) -> None:
        for point in self.points:
            periods = sorted(Agreement.objects.filter(supply_point=point).values_list("valid_from", "valid_to"))
            for (_, earlier_to), (later_from, _) in pairwise(periods):
                assert earlier_to is not None, f"{point}: an open agreement followed by another"
                assert earlier_to <= later_from, f"{point}: agreements overlap {periods}"

    @invariant()
    def one_open_supply_per_point(self) -> None:
        for point in self.points:
            assert Supply.objects.filter(supply_point=point, valid_to__isnull=True).count() <= 1

    @invariant()
    def open_supplies_and_live_contracts_go_together(self) -> None:
        supplied = set(Supply.objects.filter(valid_to__isnull=True).values_list("account_id", flat=True))
        live = set(Contract.objects.filter(state=State.LIVE).values_list("account_id", flat=True))
        assert supplied == live, f"supplied accounts {supplied}, accounts with a live contract {live}"

    @invariant()
    def at_most_one_live_and_one_pending_per_account(self) -> None:
        for state in (State.LIVE, State.PENDING):
            accounts = list(Contract.objects.filter(state=state).values_list("account_id", flat=True))
            assert len(accounts) == len(set(accounts)), f"two {state} contracts of one account"

    @invariant()
    def ended_contracts_have_no_agreement_running_after_their_end(self) -> None:
        for ended in Contract.objects.filter(state=State.ENDED):
            assert ended.end_date is not None
            ends_at = calendar.day_starts_at(ended.end_date)
            for agreement in contracts.agreements_of_contract(ended):
                assert agreement.valid_to is not None, f"{agreement} of ended {ended} is still open"
                assert agreement.valid_to <= ends_at, f"{agreement} runs after {ended} ended"


def test_random_sequences_of_events_keep_the_invariants() -> None:
    ContractEvents.tariffs = {
        "fixed": tariff(kind=Product.Kind.FIXED, payment_methods=(PaymentMethod.DIRECT_DEBIT,)),
        "variable": tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,)),
    }
    run_state_machine_as_test(
        ContractEvents,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
