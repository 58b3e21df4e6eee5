"""UK sort codes and account numbers checked by Vocalink's modulus rules, before they go on a Direct Debit mandate.

Vocalink's specification *Validating account numbers: UK modulus checking* gives, for ranges of sort codes, one or
two weighted checks (standard modulus 10, standard modulus 11 or double alternate) that every account number there
satisfies, varied by fourteen numbered exceptions. Its weight table (``valacdos.txt``) and sort-code substitution
table (``scsubtab.txt``) ship in ``data/``; ``data/README.md`` says which release and where it came from, and
:data:`DATA_VERSION` names it.

**What a pass means.** ``check(...).valid`` says an account with that number *could* exist at that sort code, not that
it does: it catches mistyped and made-up digits, not closed accounts or someone else's. A fail means the pair cannot
be right and the customer should check both.

**What cannot be checked is accepted.** A sort code in no range of the table has no check and is presumed valid
(specification 2.2.1, step 1), and so is a foreign currency account at an exception 6 sort code.
:attr:`ModulusResult.checked` tells these apart from a real pass.

**Account numbers that are not 8 digits** are standardised as the specification's section 2.1.2 says, because the
checks (and Bacs instructions) work on 8:

- 6 or 7 digits: zeros in front, for every bank;
- 9 digits: the only nine-digit format is Santander's; its first digit replaces the last digit of the sort code and
  the other eight are the account number;
- 10 digits: National Westminster Bank uses the last eight (and may write them ``01-23456789``), the Co-operative
  Bank and Leeds Building Society the first eight. The specification names banks, not sort codes, so NatWest is
  recognised by the hyphen or by the sort-code blocks allocated to it (01 and 50 to 66); any other ten-digit number
  keeps its first eight.

:attr:`ModulusResult.sort_code` and :attr:`ModulusResult.account_number` are the standardised pair, the one a Bacs
instruction carries. Input that is not a sort code or an account number (empty, letters, wrong lengths) gives
``valid=False`` with a reason to show the customer: :func:`check` never raises.
"""

import bisect
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Final, Literal

__all__ = [
    "DATA_DIR",
    "DATA_VERSION",
    "Algorithm",
    "InvalidBankDetails",
    "ModulusDataError",
    "ModulusResult",
    "WeightRow",
    "WeightTable",
    "check",
    "normalise_sort_code",
    "parse_substitutions",
    "parse_weight_table",
]

DATA_VERSION: Final = "Vocalink modulus checking v9.10 (weight table valid from 17 October 2026)"
"""The release of the shipped tables: store it with a checked mandate, to say later which rules said yes."""

DATA_DIR: Final = Path(__file__).resolve().parent / "data"

_PASSES: Final = "The account number is possible at this sort code."
_NO_CHECK: Final = "There is no published check for this sort code, so the account number is accepted unchecked."
_FOREIGN_CURRENCY: Final = "This is a foreign currency account, which cannot be checked, so it is accepted unchecked."
_MISMATCH: Final = "The sort code and account number do not match. Please check both."
_SORT_CODE_MISSING: Final = "Enter a sort code, like 20-00-00."
_SORT_CODE_SHAPE: Final = "Sort codes have 6 digits, like 20-00-00."
_ACCOUNT_MISSING: Final = "Enter an account number, like 31926819."
_ACCOUNT_SHAPE: Final = "Account numbers have 6 to 10 digits, like 31926819."

# Hyphens as typed or pasted: hyphen-minus, the Unicode hyphens and the en dash.
_DASH: Final = r"\-\u2010-\u2013"
_SORT_CODE: Final = re.compile(rf"\s*([0-9]{{2}})[\s{_DASH}]*([0-9]{{2}})[\s{_DASH}]*([0-9]{{2}})\s*")
_NATWEST_HYPHENATED: Final = re.compile(rf"\s*[0-9]{{2}}[{_DASH}]([0-9]{{8}})\s*")
_SEPARATORS: Final = re.compile(rf"[\s{_DASH}]+")
_ACCOUNT_DIGITS: Final = re.compile(r"[0-9]{6,10}")
_SIX_DIGITS: Final = re.compile(r"[0-9]{6}")
_WEIGHT: Final = re.compile(r"-?[0-9]{1,3}")


class InvalidBankDetails(ValueError):
    """The text is not a sort code or account number; the message says so in words a customer understands."""


class ModulusDataError(Exception):
    """A Vocalink data file is malformed; the message names the file, the line and what is wrong with it."""


class Algorithm(StrEnum):
    """The three checks of the specification (section 1.3), as the weight table names them."""

    MOD10 = "MOD10"
    MOD11 = "MOD11"
    DBLAL = "DBLAL"


_MODULUS: Final = {Algorithm.MOD10: 10, Algorithm.MOD11: 11, Algorithm.DBLAL: 10}

# Positions in the 14 digits the checks weigh: sort code u v w x y z, then account number a b c d e f g h.
_A, _B, _C, _G, _H = 6, 7, 8, 12, 13

# Exception 2 (Lloyds): weights that replace the table's when a is not 0, depending on g.
_EXCEPTION_2_WEIGHTS: Final = (0, 0, 1, 2, 5, 3, 6, 4, 8, 7, 10, 9, 3, 1)
_EXCEPTION_2_WEIGHTS_G_IS_9: Final = (0, 0, 0, 0, 0, 0, 0, 0, 8, 7, 10, 9, 3, 1)
_EXCEPTION_8_SORT_CODE: Final = "090126"
_EXCEPTION_9_SORT_CODE: Final = "309634"  # where all Lloyds euro accounts are held
# Pairs of exceptions (first check, second check) where either check passing is enough.
_EITHER_CHECK_PASSES: Final = frozenset({(2, 9), (10, 11), (12, 13)})
_NATWEST_SORT_CODE_BLOCKS: Final = frozenset({"01", *(str(block) for block in range(50, 67))})


@dataclass(frozen=True, slots=True)
class ModulusResult:
    """What :func:`check` found.

    ``field`` names the input at fault when one is (``"sort_code"`` or ``"account_number"``), so a form can put
    ``reason`` beside it; it is ``None`` when the result is valid or the two do not match each other.
    ``sort_code`` and ``account_number`` are the standardised 6 and 8 digits, empty when the input was not understood.
    """

    valid: bool
    reason: str
    checked: bool = False
    field: Literal["sort_code", "account_number"] | None = None
    sort_code: str = ""
    account_number: str = ""


@dataclass(frozen=True, slots=True)
class WeightRow:
    """One line of the weight table: a check for the sort codes from ``first_sort_code`` to ``last_sort_code``."""

    first_sort_code: str
    last_sort_code: str
    algorithm: Algorithm
    weights: tuple[int, ...]
    """Fourteen weights, for u v w x y z a b c d e f g h."""
    exception: int | None


@dataclass(frozen=True, slots=True)
class WeightTable:
    """The weight table's rows grouped by sort-code range (one or two checks each), ranges in ascending order."""

    ranges: tuple[tuple[WeightRow, ...], ...]
    _starts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(checks[0].first_sort_code for checks in self.ranges))

    def checks_for(self, sort_code: str) -> tuple[WeightRow, ...]:
        """The checks for a 6-digit sort code, in the order the specification performs them; none if it has no range."""
        index = bisect.bisect_right(self._starts, sort_code) - 1
        if index >= 0 and sort_code <= self.ranges[index][0].last_sort_code:
            return self.ranges[index]
        return ()


def normalise_sort_code(text: str) -> str:
    """Return the six digits of a sort code written ``20-00-00``, ``20 00 00`` or ``200000``.

    :raises InvalidBankDetails: if it is empty or not six digits in pairs.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidBankDetails(_SORT_CODE_MISSING)
    match = _SORT_CODE.fullmatch(text)
    if match is None:
        raise InvalidBankDetails(_SORT_CODE_SHAPE)
    return "".join(match.groups())


def _standardise(sort_code: str, text: str) -> tuple[str, str]:
    """The sort code and 8-digit account number to check, per the specification's section 2.1.2."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidBankDetails(_ACCOUNT_MISSING)
    natwest = _NATWEST_HYPHENATED.fullmatch(text)
    if natwest is not None:
        return sort_code, natwest.group(1)
    digits = _SEPARATORS.sub("", text)
    if _ACCOUNT_DIGITS.fullmatch(digits) is None:
        raise InvalidBankDetails(_ACCOUNT_SHAPE)
    if len(digits) <= 8:
        return sort_code, digits.zfill(8)
    if len(digits) == 9:
        return sort_code[:5] + digits[0], digits[1:]
    if sort_code[:2] in _NATWEST_SORT_CODE_BLOCKS:
        return sort_code, digits[2:]
    return sort_code, digits[:8]


def check(sort_code: str, account_number: str) -> ModulusResult:
    """Check that an account number could exist at a sort code, by the shipped Vocalink tables."""
    try:
        sort_code_digits = normalise_sort_code(sort_code)
    except InvalidBankDetails as problem:
        return ModulusResult(valid=False, reason=str(problem), field="sort_code")
    try:
        standard_sort_code, standard_account = _standardise(sort_code_digits, account_number)
    except InvalidBankDetails as problem:
        return ModulusResult(valid=False, reason=str(problem), field="account_number")
    checks = _weight_table().checks_for(standard_sort_code)
    if not checks:
        valid, checked, reason = True, False, _NO_CHECK
    elif _is_foreign_currency(checks, standard_account):
        valid, checked, reason = True, False, _FOREIGN_CURRENCY
    elif _passes(checks, standard_sort_code, standard_account):
        valid, checked, reason = True, True, _PASSES
    else:
        valid, checked, reason = False, True, _MISMATCH
    return ModulusResult(
        valid=valid, reason=reason, checked=checked, sort_code=standard_sort_code, account_number=standard_account
    )


def _is_foreign_currency(checks: tuple[WeightRow, ...], account: str) -> bool:
    """Exception 6: a is 4 to 8 and g equals h marks a foreign currency account, which the checks cannot cover."""
    return any(row.exception == 6 for row in checks) and account[0] in "45678" and account[6] == account[7]


def _passes(checks: tuple[WeightRow, ...], sort_code: str, account: str) -> bool:
    """Perform the checks in table order and combine them as the exceptions say (specification 2.2)."""
    first = checks[0]
    first_passes = _row_passes(first, sort_code, account)
    if not first_passes and first.exception == 14:
        first_passes = _exception_14_second_check(first, sort_code, account)
    if len(checks) == 1:
        return first_passes
    second = checks[1]
    if (first.exception, second.exception) in _EITHER_CHECK_PASSES:
        return first_passes or _row_passes(second, sort_code, account)
    return first_passes and _row_passes(second, sort_code, account)


def _exception_14_second_check(row: WeightRow, sort_code: str, account: str) -> bool:
    """Coutts: if h is 0, 1 or 9, drop it, put a 0 in front, and check the result with the same weights."""
    return account[7] in "019" and _row_passes(row, sort_code, "0" + account[:7])


def _row_passes(row: WeightRow, sort_code: str, account: str) -> bool:
    """One check of the weight table, with its exception applied."""
    digits = [int(digit) for digit in _sort_code_for(row, sort_code) + account]
    if row.exception == 3 and digits[_C] in (6, 9):
        return True  # "If c=6 or c=9 the double alternate check does not need to be carried out."
    total = _weighted_total(row.algorithm, _weights_for(row, digits), digits)
    if row.exception == 1:
        total += 27
    remainder = total % _MODULUS[row.algorithm]
    if row.exception == 4:
        return remainder == 10 * digits[_G] + digits[_H]
    if row.exception == 5:
        return _exception_5_check_digit_matches(row.algorithm, remainder, g=digits[_G], h=digits[_H])
    return remainder == 0


def _sort_code_for(row: WeightRow, sort_code: str) -> str:
    """The sort code a check weighs: exceptions 5, 8 and 9 substitute another, for the check only."""
    if row.exception == 5:
        return _substitutions().get(sort_code, sort_code)
    if row.exception == 8:
        return _EXCEPTION_8_SORT_CODE
    if row.exception == 9:
        return _EXCEPTION_9_SORT_CODE
    return sort_code


def _weights_for(row: WeightRow, digits: list[int]) -> tuple[int, ...]:
    """The table's weights, or those exceptions 2, 7 and 10 put in their place."""
    a, b, g = digits[_A], digits[_B], digits[_G]
    if row.exception == 2 and a != 0:
        return _EXCEPTION_2_WEIGHTS_G_IS_9 if g == 9 else _EXCEPTION_2_WEIGHTS
    if g == 9 and (row.exception == 7 or (row.exception == 10 and (a, b) in ((0, 9), (9, 9)))):
        return (0,) * 8 + row.weights[8:]  # weights u to b zeroised
    return row.weights


def _weighted_total(algorithm: Algorithm, weights: tuple[int, ...], digits: list[int]) -> int:
    """Standard checks add the products; double alternate adds the digits of the products (section 1.3)."""
    products = [weight * digit for weight, digit in zip(weights, digits, strict=True)]
    if algorithm is Algorithm.DBLAL:
        return sum(int(figure) for product in products for figure in str(product))
    return sum(products)


def _exception_5_check_digit_matches(algorithm: Algorithm, remainder: int, *, g: int, h: int) -> bool:
    """Exception 5: the remainder gives the check digit, g for the modulus 11 check and h for the double alternate."""
    if algorithm is Algorithm.MOD11:
        if remainder == 0:
            return g == 0
        return remainder != 1 and 11 - remainder == g
    if remainder == 0:
        return h == 0
    return 10 - remainder == h


def parse_weight_table(text: str, *, source: str = "valacdos.txt") -> WeightTable:
    """Read the weight table's text (specification 2.3.2): one check per line, fields separated by spaces.

    :raises ModulusDataError: naming the line, if a line does not have the published fields, if a range has more
        than two checks, or if the ranges are out of order or overlap.
    """
    ranges: list[tuple[WeightRow, ...]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = _parse_weight_row(line, where=f"{source} line {number}")
        previous = ranges[-1] if ranges else ()
        if previous and (row.first_sort_code, row.last_sort_code) == (
            previous[0].first_sort_code,
            previous[0].last_sort_code,
        ):
            if len(previous) == 2:
                raise ModulusDataError(f"{source} line {number}: a third check for the same range: {line!r}")
            ranges[-1] = (*previous, row)
            continue
        if previous and row.first_sort_code <= previous[0].last_sort_code:
            raise ModulusDataError(
                f"{source} line {number}: the range starts at or before the end of the range above it "
                f"({previous[0].last_sort_code}): {line!r}"
            )
        ranges.append((row,))
    if not ranges:
        raise ModulusDataError(f"{source} has no checks in it")
    return WeightTable(ranges=tuple(ranges))


def _parse_weight_row(line: str, *, where: str) -> WeightRow:
    fields = line.split()
    if len(fields) not in (17, 18):
        raise ModulusDataError(f"{where}: expected 17 or 18 fields, found {len(fields)}: {line!r}")
    first, last, algorithm_text, *rest = fields
    weight_texts, exception_texts = rest[:14], rest[14:]
    if not (_SIX_DIGITS.fullmatch(first) and _SIX_DIGITS.fullmatch(last)) or first > last:
        raise ModulusDataError(f"{where}: the range must be two 6-digit sort codes, lowest first: {line!r}")
    if algorithm_text not in Algorithm.__members__:
        raise ModulusDataError(f"{where}: the check must be MOD10, MOD11 or DBLAL, not {algorithm_text!r}")
    algorithm = Algorithm(algorithm_text)
    if not all(_WEIGHT.fullmatch(weight) for weight in weight_texts):
        raise ModulusDataError(f"{where}: weights must be whole numbers of up to 3 digits: {line!r}")
    weights = tuple(int(weight) for weight in weight_texts)
    if algorithm is Algorithm.DBLAL and min(weights) < 0:
        raise ModulusDataError(f"{where}: a double alternate check cannot have negative weights: {line!r}")
    exception = None
    if exception_texts:
        exception_text = exception_texts[0]
        if not exception_text.isascii() or not exception_text.isdigit() or not 1 <= int(exception_text) <= 14:
            raise ModulusDataError(f"{where}: the exception must be a number from 1 to 14, not {exception_text!r}")
        exception = int(exception_text)
    return WeightRow(first, last, algorithm, weights, exception)


def parse_substitutions(text: str, *, source: str = "scsubtab.txt") -> dict[str, str]:
    """Read the sort-code substitution table (exception 5): an original and a substitute sort code per line.

    :raises ModulusDataError: naming the line, if it is not two 6-digit sort codes or repeats an original.
    """
    substitutions: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 2 or not all(_SIX_DIGITS.fullmatch(code) for code in fields):
            raise ModulusDataError(f"{source} line {number}: expected two 6-digit sort codes: {line!r}")
        original, substitute = fields
        if original in substitutions:
            raise ModulusDataError(f"{source} line {number}: {original} is substituted twice")
        substitutions[original] = substitute
    return substitutions


def _read(name: str) -> str:
    # ASCII with replacement: an unexpected byte fails the line's parse, which names it, rather than decoding.
    return (DATA_DIR / name).read_text(encoding="ascii", errors="replace")


@cache
def _weight_table() -> WeightTable:
    return parse_weight_table(_read("valacdos.txt"), source="valacdos.txt")


@cache
def _substitutions() -> dict[str, str]:
    return parse_substitutions(_read("scsubtab.txt"), source="scsubtab.txt")
