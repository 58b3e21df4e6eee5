"""Money as :class:`~decimal.Decimal`, and the one place where amounts are rounded to the penny.

Bills, statements and payments must reconcile to the penny, so amounts are never floats and rounding happens in one
place, half-up, as customers expect (0.5p rounds up). Rates keep their full precision; a line total is rounded once.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import total_ordering
from typing import Final

__all__ = ["PENNY", "Money", "to_pennies", "to_pennies_up"]

PENNY: Final = Decimal("0.01")

_SYMBOLS: Final = {"GBP": "£"}


def _require_decimal(amount: object) -> Decimal:
    if isinstance(amount, float):
        raise TypeError(f"Money amounts must be Decimal, never float (got {amount!r}): floats cannot hold pennies.")
    if not isinstance(amount, Decimal):
        raise TypeError(f"Money amounts must be Decimal; got {type(amount).__name__}.")
    if not amount.is_finite():
        raise ValueError(f"A money amount must be a finite number; got {amount}.")
    return amount


def to_pennies(amount: Decimal) -> Decimal:
    """Round ``amount`` (in pounds) to the penny, half away from zero: 0.005 -> 0.01 and -0.005 -> -0.01.

    :raises TypeError: if ``amount`` is a float (or anything but a Decimal).
    """
    return _require_decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)


def to_pennies_up(amount: Decimal) -> Decimal:
    """Round ``amount`` (in pounds) up to the next penny, towards plus infinity: 0.001 -> 0.01, -0.009 -> 0.00.

    For an amount that must cover a cost, such as a monthly Direct Debit: rounding it down would leave up to a
    penny a month uncollected.

    :raises TypeError: if ``amount`` is a float (or anything but a Decimal).
    """
    return _require_decimal(amount).quantize(PENNY, rounding=ROUND_CEILING)


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency (pounds for GBP), at full precision until :meth:`rounded` is called."""

    amount: Decimal
    currency: str = "GBP"

    def __post_init__(self) -> None:
        _require_decimal(self.amount)

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: object) -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.amount < other.amount

    def rounded(self) -> "Money":
        """Return the amount rounded half-up to the penny (see :func:`to_pennies`)."""
        return Money(to_pennies(self.amount), self.currency)

    def __str__(self) -> str:
        """Show the amount as a customer reads it, to the penny: ``£1,234.56``, ``-£1.00``."""
        pennies = to_pennies(self.amount)
        sign = "-" if pennies < 0 else ""
        symbol = _SYMBOLS.get(self.currency, f"{self.currency} ")
        return f"{sign}{symbol}{abs(pennies):,.2f}"
