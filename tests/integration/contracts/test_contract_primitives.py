"""The contract state machine's transitions keep contract, agreements, supplies and the account in step (ADR 0013)."""

from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearth.data.accounts.models import Account, Customer, Fuel, Nation, Supply, SupplyPoint
from hearth.data.contracts.models import Contract, ContractEvent
from hearth.data.metering.models import Meter, Register
from hearth.data.tariffs.models import Agreement, PaymentMethod, Product, Tariff
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.payments import tariff_quotes
from hearth.domain.tariffs import contracts
from hearth.domain.tariffs import queries as tariff_queries
from tests.integration.payments.account_support import LONDON, midnight, tariff

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 11, tzinfo=LONDON)


def _new_account() -> tuple[Account, SupplyPoint]:
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Ada Switcher", contact_email="ada@example.com", now=NOW
    )
    home = accounts_ops.create_property(
        address_line_1="3 Mill Lane", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=NOW)
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY, identifier="2500000000018", supply_property=home, profile_class="01"
    )
    return account, point


def _started(account: Account, point: SupplyPoint, product_tariff: Tariff, start: date) -> Contract:
    contract = contracts.enter_contract(
        account=account,
        product=product_tariff.product,
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=Contract.Origin.SIGN_UP,
        commencement_date=date(2026, 3, 1),
        cooling_off_end_date=date(2026, 3, 15),
        now=NOW,
    )
    return contracts.start_supply(
        contract=contract,
        start_date=start,
        placements=[(point, product_tariff)],
        now=NOW,
    )


def test_a_switch_in_opens_the_supply_and_places_the_point_on_the_tariff() -> None:
    fixed = tariff(kind=Product.Kind.FIXED, payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    account, point = _new_account()

    contract = _started(account, point, fixed, date(2026, 3, 20))

    assert contract.state == Contract.State.LIVE
    assert contract.supply_start_date == date(2026, 3, 20)
    assert contract.fixed_term_end_date == date(2027, 3, 19)  # 12 months, the last day
    supply = Supply.objects.get(account=account)
    assert (supply.valid_from, supply.valid_to) == (date(2026, 3, 20), None)
    agreement = Agreement.objects.get(supply_point=point)
    assert agreement.valid_from == datetime.combine(date(2026, 3, 20), time(0), tzinfo=LONDON)
    assert list(ContractEvent.objects.filter(contract=contract).values_list("kind", flat=True)) == [
        "entered",
        "supply_started",
    ]


def test_a_replacement_ends_the_old_contract_and_its_agreement_the_day_the_new_one_starts() -> None:
    fixed = tariff(kind=Product.Kind.FIXED, payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    variable = tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    account, point = _new_account()
    old = _started(account, point, fixed, date(2026, 3, 20))

    rollover = contracts.enter_contract(
        account=account,
        product=variable.product,
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=Contract.Origin.ROLLOVER,
        commencement_date=date(2027, 2, 1),
        cooling_off_end_date=date(2027, 2, 1),
        now=NOW,
        previous=old,
    )
    contracts.start_supply(contract=rollover, start_date=date(2027, 3, 20), placements=[(point, variable)], now=NOW)

    old.refresh_from_db()
    assert (old.state, old.end_date, old.end_reason) == (
        Contract.State.ENDED,
        date(2027, 3, 20),
        Contract.EndReason.REPLACED,
    )
    open_agreements = Agreement.objects.filter(supply_point=point, valid_to__isnull=True)
    assert [a.tariff_id for a in open_agreements] == [variable.pk]
    ended = Agreement.objects.get(supply_point=point, tariff=fixed)
    assert ended.valid_to == midnight(date(2027, 3, 20))
    assert Supply.objects.filter(account=account, valid_to__isnull=True).count() == 1


def test_ending_supply_closes_the_supply_the_agreement_and_the_account() -> None:
    variable = tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    account, point = _new_account()
    contract = _started(account, point, variable, date(2026, 3, 20))

    contracts.end_supply(contract=contract, end_date=date(2026, 6, 1), reason=Contract.EndReason.SWITCHED_AWAY, now=NOW)

    contract.refresh_from_db()
    account.refresh_from_db()
    assert (contract.state, contract.end_date) == (Contract.State.ENDED, date(2026, 6, 1))
    assert Supply.objects.get(account=account).valid_to == date(2026, 6, 1)
    assert Agreement.objects.get(supply_point=point).valid_to == midnight(date(2026, 6, 1))
    assert account.status == Account.Status.CLOSED


def test_supply_cannot_end_on_the_day_it_started() -> None:
    variable = tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    account, point = _new_account()
    contract = _started(account, point, variable, date(2026, 3, 20))

    with pytest.raises(contracts.ContractRefused, match="the day after at the earliest"):
        contracts.end_supply(
            contract=contract, end_date=date(2026, 3, 20), reason=Contract.EndReason.MOVED_OUT, now=NOW
        )


def test_a_pending_contract_is_cancelled_and_the_live_one_carries_on() -> None:
    variable = tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    other = tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    account, point = _new_account()
    live = _started(account, point, variable, date(2026, 3, 20))
    renewal = contracts.enter_contract(
        account=account,
        product=other.product,
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=Contract.Origin.RENEWAL,
        commencement_date=date(2026, 4, 1),
        cooling_off_end_date=date(2026, 4, 15),
        now=NOW,
    )

    contracts.cancel_contract(contract=renewal, reason=Contract.EndReason.COOLING_OFF, now=NOW)

    live.refresh_from_db()
    renewal.refresh_from_db()
    assert (renewal.state, live.state) == (Contract.State.CANCELLED, Contract.State.LIVE)
    with pytest.raises(contracts.ContractRefused, match="cancelled"):
        contracts.start_supply(contract=renewal, start_date=date(2026, 5, 1), placements=[(point, other)], now=NOW)


def test_a_tariff_of_another_product_is_refused() -> None:
    variable = tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    other = tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    account, point = _new_account()
    contract = contracts.enter_contract(
        account=account,
        product=variable.product,
        payment_method="STANDARD_DIRECT_DEBIT",
        origin=Contract.Origin.SIGN_UP,
        commencement_date=date(2026, 3, 1),
        cooling_off_end_date=date(2026, 3, 15),
        now=NOW,
    )
    with pytest.raises(contracts.ContractRefused, match="is not"):
        contracts.start_supply(contract=contract, start_date=date(2026, 3, 20), placements=[(point, other)], now=NOW)
    assert Supply.objects.filter(account=account).count() == 0


@pytest.mark.parametrize(("core", "region"), [("1200000000011", "C"), ("1700000000014", "P"), ("2300000000019", "M")])
def test_the_region_comes_from_the_mpan_distributor_when_the_point_has_no_tariff_yet(core: str, region: str) -> None:
    """12 London is C, 17 North Scotland is P, 23 Yorkshire is M (Octopus's GSP group letters)."""
    home = accounts_ops.create_property(
        address_line_1="1 Strand", town="London", postcode="WC2N 5DU", nation=Nation.ENGLAND
    )
    point = accounts_ops.register_supply_point(
        fuel=Fuel.ELECTRICITY, identifier=core, supply_property=home, profile_class="01"
    )
    assert contracts.region_of(point) == region


def test_a_cancelled_renewal_lets_the_live_contract_be_replaced_again() -> None:
    """Found by the property test: ``previous`` is one-to-one, so a renewal cancelled in its cooling-off period kept
    the live contract and the rollover that followed could not be entered (an IntegrityError)."""
    variable = tariff(payment_methods=(PaymentMethod.DIRECT_DEBIT,))
    account, point = _new_account()
    live = _started(account, point, variable, date(2026, 3, 20))

    def replacement(origin: str) -> Contract:
        return contracts.enter_contract(
            account=account,
            product=variable.product,
            payment_method="STANDARD_DIRECT_DEBIT",
            origin=origin,
            commencement_date=date(2026, 4, 1),
            cooling_off_end_date=date(2026, 4, 15),
            now=NOW,
            previous=live,
        )

    renewal = contracts.cancel_contract(
        contract=replacement(Contract.Origin.RENEWAL), reason=Contract.EndReason.COOLING_OFF, now=NOW
    )
    rollover = replacement(Contract.Origin.ROLLOVER)

    assert rollover.previous == live
    assert renewal.previous is None
    assert ContractEvent.objects.get(contract=renewal, kind="cancelled").summary == (
        f"Cancelled in the cooling-off period (T&C 2.1, 4.4) (it would have replaced contract {live.pk})"
    )


def test_what_fits_several_points_is_read_in_two_queries_and_agrees_with_each_points_own_reads() -> None:
    """``fits_of`` (the renew page's one read of its points' agreements, meters and registers) gives each point the
    region, rate structure, meter kinds and agreement in force that the per-point reads give."""
    home = accounts_ops.create_property(
        address_line_1="1 Strand", town="London", postcode="WC2N 5DU", nation=Nation.ENGLAND
    )
    points = [
        accounts_ops.register_supply_point(
            fuel=Fuel.ELECTRICITY, identifier=core, supply_property=home, profile_class="01"
        )
        for core in ("1200000000011", "1700000000014", "2300000000019")
    ]
    economy_7, on_tariff, _ = points
    fitted = datetime(2026, 1, 5, 9, tzinfo=LONDON)
    meter = Meter.objects.create(
        supply_point=economy_7, serial_number="E7", kind=Meter.Kind.CREDIT, installed_at=fitted
    )
    for identifier, rate in (("DY", Register.Rate.DAY), ("NT", Register.Rate.NIGHT)):
        Register.objects.create(meter=meter, identifier=identifier, rate=rate)
    Meter.objects.create(supply_point=economy_7, serial_number="HUB", kind=Meter.Kind.SMART, installed_at=fitted)
    Meter.objects.create(
        supply_point=on_tariff, serial_number="OLD", kind=Meter.Kind.PREPAYMENT, installed_at=fitted, removed_at=NOW
    )
    first, second = tariff(), tariff()
    Agreement.objects.create(supply_point=on_tariff, tariff=first, valid_from=fitted, valid_to=NOW)
    Agreement.objects.create(supply_point=on_tariff, tariff=second, valid_from=NOW)

    with CaptureQueriesContext(connection) as captured:
        fits = contracts.fits_of(points)

    assert len(captured) == 2
    for point in points:
        fit = fits[point.pk]
        assert fit.region == contracts.region_of(point)
        assert fit.structure == contracts.structure_of(point)
        assert fit.meter_kinds == tariff_quotes.meter_kinds(point)
        for at in (fitted, NOW, datetime(2026, 2, 1, tzinfo=LONDON)):
            assert fit.agreement_at(at) == tariff_queries.agreement_at(supply_point=point, at=at)
    assert fits[economy_7.pk].structure == Tariff.Structure.TWO_RATE
    assert fits[economy_7.pk].meter_kinds == {Meter.Kind.CREDIT, Meter.Kind.SMART}
    assert fits[on_tariff.pk].meter_kinds == frozenset()
    now_on = fits[on_tariff.pk].agreement_at(NOW)
    assert now_on is not None
    assert now_on.tariff == second
