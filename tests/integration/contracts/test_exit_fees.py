"""The exit fee for leaving a fixed contract early (T&C 14.4) and each of its exemptions (14.5.1 to 14.5.5, 4.5)."""

from datetime import date
from decimal import Decimal

import pytest

from hearth.data.accounts.models import Fuel
from hearth.data.contracts.models import Contract, ContractNotice
from hearth.domain.contracts.exit_fees import ExitFee, exit_fee
from hearth.domain.documents import letters
from tests.integration.contracts.switching_support import fixed_tariff, supplied_household
from tests.integration.payments.account_support import at, documents_in_tmp_fixture, tariff  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_in_tmp")]

START = date(2026, 3, 17)  # supplied from Tuesday 17 March 2026; signed up 2 March, cooling-off to 16 March
FIXED_END = date(2027, 3, 16)  # the fixed term's last day: 12 months from 17 March 2026
MID_TERM = date(2026, 9, 1)


def _fixed(fuel: Fuel = Fuel.ELECTRICITY) -> Contract:
    product = fixed_tariff(fuel=fuel, fee="0").product
    product.exit_fee_electricity, product.exit_fee_gas = Decimal("75.00"), Decimal("60.00")
    product.save()
    return supplied_household(product, start=START, fuel=fuel)[2]


def _notice(contract: Contract, kind: str, *, deemed: date, effective: date | None = None, bad: bool = False) -> None:
    document = letters.issue_letter(
        letter=letters.Letter(
            account=contract.account,
            type_code="NOTICE",
            reference=f"T-{contract.pk}-{kind}",
            title="A notice",
            paragraphs=("Something changes.",),
        ),
        now=at(deemed),
    )
    ContractNotice.objects.create(
        contract=contract,
        kind=kind,
        key="k",
        document=document,
        issued_at=at(deemed),
        deemed_delivered_date=deemed,
        effective_date=effective,
        disadvantageous=bad,
    )


@pytest.mark.parametrize(("fuel", "fee"), [(Fuel.ELECTRICITY, "75.00"), (Fuel.GAS, "60.00")])
def test_the_fee_is_the_products_fee_for_the_accounts_fuel(fuel: Fuel, fee: str) -> None:
    assert exit_fee(_fixed(fuel), MID_TERM) == ExitFee(Decimal(fee), "")


def test_a_variable_contract_never_has_a_fee() -> None:
    _, _, contract = supplied_household(tariff().product, start=START)
    assert exit_fee(contract, MID_TERM).amount == Decimal("0.00")


def test_leaving_within_cooling_off_has_no_fee() -> None:
    contract = _fixed()
    assert exit_fee(contract, date(2026, 3, 16)).amount == 0  # the cooling-off period's last day
    assert exit_fee(contract, date(2026, 3, 18)).amount == Decimal("75.00")


def test_14_5_1_moving_home_with_us() -> None:
    fee = exit_fee(_fixed(), MID_TERM, moving_home_with_us=True)
    assert (fee.amount, fee.waiver) == (0, "Moving home and taking the agreement with us (T&C 14.5.1)")


@pytest.mark.parametrize(
    ("leaving_on", "fee"),
    [
        # The last 49 days of a term ending Tue 16 March 2027: 27-31 Jan (5) + February (28) + 1-16 March (16).
        (date(2027, 1, 26), Decimal("75.00")),
        (date(2027, 1, 27), Decimal("0")),
        (date(2027, 3, 17), Decimal("0")),  # after the fixed term
    ],
)
def test_14_5_2_switching_at_the_end_of_the_fixed_term(leaving_on: date, fee: Decimal) -> None:
    assert exit_fee(_fixed(), leaving_on).amount == fee


def test_14_5_3_after_a_statement_of_renewal() -> None:
    contract = _fixed()
    _notice(contract, ContractNotice.Kind.RENEWAL_STATEMENT, deemed=date(2026, 8, 1))
    assert exit_fee(contract, MID_TERM).waiver == "Leaving after a Statement of Renewal (T&C 14.5.3)"


@pytest.mark.parametrize(
    ("leaving_on", "fee"),
    [
        (date(2026, 7, 31), Decimal("75.00")),  # before the notice was deemed delivered on 1 August
        (date(2026, 8, 1), Decimal("0")),
        (date(2026, 10, 1), Decimal("0")),  # the change takes effect on 1 September; 30 days after is 1 October
        (date(2026, 10, 2), Decimal("75.00")),
    ],
)
def test_14_5_4_leaving_because_of_a_change_to_the_customers_disadvantage(leaving_on: date, fee: Decimal) -> None:
    contract = _fixed()
    _notice(
        contract, ContractNotice.Kind.CONTRACT_CHANGE, deemed=date(2026, 8, 1), effective=date(2026, 9, 1), bad=True
    )
    assert exit_fee(contract, leaving_on).amount == fee


def test_a_change_not_to_the_customers_disadvantage_does_not_waive_the_fee() -> None:
    contract = _fixed()
    _notice(contract, ContractNotice.Kind.CONTRACT_CHANGE, deemed=date(2026, 8, 1), effective=date(2026, 9, 1))
    assert exit_fee(contract, MID_TERM).amount == Decimal("75.00")


def test_14_5_5_moving_to_another_of_our_tariffs_with_the_fee_waived() -> None:
    fee = exit_fee(_fixed(), MID_TERM, waived_by_us=True)
    assert (fee.amount, fee.waiver) == (0, "Moving to another of our tariffs, fee waived (T&C 14.5.5)")
