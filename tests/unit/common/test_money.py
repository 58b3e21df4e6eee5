"""Money: Decimal only, rounded half-up to the penny in one place, shown the way a customer reads it."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common.money import PENNY, Money, to_pennies, to_pennies_up


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("-0.005", "-0.01"),
        ("-0.0049", "0.00"),
        ("1.015", "1.02"),
        ("2.675", "2.68"),  # the classic float trap: 2.675 as a float rounds to 2.67
        ("12.3", "12.30"),
    ],
)
def test_to_pennies_rounds_half_up(amount: str, expected: str) -> None:
    result = to_pennies(Decimal(amount))
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == PENNY.as_tuple().exponent


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.001", "0.01"),  # any part of a penny is a whole penny more
        ("83.3333", "83.34"),  # £1,000 over 12 months
        ("12.30", "12.30"),  # whole pennies stay as they are
        ("-0.009", "0.00"),  # up is towards plus infinity
        ("-1.011", "-1.01"),
    ],
)
def test_to_pennies_up_rounds_towards_plus_infinity(amount: str, expected: str) -> None:
    result = to_pennies_up(Decimal(amount))
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == PENNY.as_tuple().exponent


@given(st.decimals(min_value=-10_000, max_value=10_000, places=4))
def test_to_pennies_up_never_falls_short_by_a_penny(amount: Decimal) -> None:
    result = to_pennies_up(amount)
    assert amount <= result < amount + PENNY


def test_to_pennies_up_refuses_float() -> None:
    with pytest.raises(TypeError, match="float"):
        to_pennies_up(0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [0.005, 1.0])
def test_to_pennies_refuses_float(amount: float) -> None:
    with pytest.raises(TypeError, match="float"):
        to_pennies(amount)  # type: ignore[arg-type]


def test_money_refuses_float_and_infinite_amounts() -> None:
    with pytest.raises(TypeError, match="float"):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        Money(Decimal("NaN"))


def test_adding_and_subtracting() -> None:
    assert Money(Decimal("1.10")) + Money(Decimal("2.205")) == Money(Decimal("3.305"))
    assert Money(Decimal("1.00")) - Money(Decimal("2.50")) == Money(Decimal("-1.50"))
    assert -Money(Decimal("1.00")) == Money(Decimal("-1.00"))


def test_currencies_do_not_mix() -> None:
    with pytest.raises(ValueError, match="GBP"):
        Money(Decimal(1)) + Money(Decimal(1), "EUR")
    with pytest.raises(ValueError, match="EUR"):
        _ = Money(Decimal(1)) < Money(Decimal(2), "EUR")


def test_comparison() -> None:
    one, two = Money(Decimal("1.00")), Money(Decimal(2))
    assert one < two
    assert one <= Money(Decimal(1))
    assert two > one
    assert two >= Money(Decimal("2.00"))
    assert not two < one
    assert Money(Decimal(1)) == Money(Decimal("1.00"))
    assert max(one, two) is two


def test_rounded_keeps_the_currency() -> None:
    assert Money(Decimal("1.005"), "EUR").rounded() == Money(Decimal("1.01"), "EUR")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("1234.56", "£1,234.56"),
        ("1234567.891", "£1,234,567.89"),
        ("-1", "-£1.00"),
        ("0", "£0.00"),
        ("-0.001", "£0.00"),
        ("0.005", "£0.01"),
    ],
)
def test_str_is_what_a_customer_reads(amount: str, shown: str) -> None:
    assert str(Money(Decimal(amount))) == shown


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6))
def test_rounding_moves_by_at_most_half_a_penny(amount: Decimal) -> None:
    rounded = to_pennies(amount)
    assert abs(rounded - amount) <= PENNY / 2
    assert to_pennies(rounded) == rounded
