"""Supply-point identifiers (MPAN cores, MPRNs) and UK postcodes, checked and put in one canonical form.

Identifiers arrive typed by customers, read from industry files and pasted by staff, with spaces and in lower case.
Normalising them once, here, means a lookup never misses because of formatting, and a mistyped number is caught
with a message that says what is wrong rather than turning into a "supply not found" later.
"""

import re
from typing import Final

__all__ = [
    "MPAN_WEIGHTS",
    "InvalidIdentifier",
    "is_independent_gas_transporter",
    "mpan_check_digit",
    "mprn_check_digits_pass",
    "normalise_mpan_core",
    "normalise_mprn",
    "normalise_postcode",
]


class InvalidIdentifier(ValueError):
    """The value is not a well-formed identifier; the message says what is wrong, in plain words."""


MPAN_WEIGHTS: Final = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
"""Weights for the MPAN core's check digit: the primes from 3 to 43, leaving out 11 (the modulus)."""

_DIGITS = re.compile(r"[0-9]+")
_WHITESPACE = re.compile(r"\s+")

MPAN_CORE_LENGTH: Final = 13
MPRN_MIN_LENGTH: Final = 6
MPRN_MAX_LENGTH: Final = 11
_IGT_PREFIXES: Final = frozenset({"74", "75", "76", "77"})


def _strip_spaces(value: str) -> str:
    return _WHITESPACE.sub("", value)


def _is_digits(value: str) -> bool:
    # ASCII digits only: str.isdigit() would also accept characters such as "²" that int() cannot read as a digit.
    return _DIGITS.fullmatch(value) is not None


def mpan_check_digit(first_twelve: str) -> int:
    """Return the check digit for the first 12 digits of an MPAN core.

    Multiply each digit by its weight in :data:`MPAN_WEIGHTS`, sum, then take the sum modulo 11 and then modulo 10
    (so a remainder of 10 gives the digit 0).

    :raises InvalidIdentifier: if ``first_twelve`` is not exactly 12 digits.
    """
    if len(first_twelve) != len(MPAN_WEIGHTS) or not _is_digits(first_twelve):
        raise InvalidIdentifier(f"An MPAN check digit is computed from 12 digits; {first_twelve!r} is not 12 digits.")
    return sum(int(digit) * weight for digit, weight in zip(first_twelve, MPAN_WEIGHTS, strict=True)) % 11 % 10


def normalise_mpan_core(value: str) -> str:
    """Return the 13-digit MPAN core with spaces removed, after checking its shape and check digit.

    The distributor id (the first two digits) is only required not to start with 0: the 14 original regions use
    10-23, but independent distribution network operators (IDNOs) have ids from 24 upwards, and new ones appear.

    :raises InvalidIdentifier: if it is not 13 digits, its distributor id starts with 0, or the check digit is wrong.
    """
    core = _strip_spaces(value)
    if not _is_digits(core):
        raise InvalidIdentifier(f"An MPAN core is made of digits only; {value!r} has other characters.")
    if len(core) != MPAN_CORE_LENGTH:
        raise InvalidIdentifier(f"An MPAN core has {MPAN_CORE_LENGTH} digits; {value!r} has {len(core)}.")
    if core[0] == "0":
        raise InvalidIdentifier(
            f"An MPAN core starts with a distributor id from 10 to 99; {value!r} starts with {core[:2]}."
        )
    expected = mpan_check_digit(core[:12])
    if int(core[12]) != expected:
        raise InvalidIdentifier(
            f"The MPAN core {core} fails its check digit: the last digit is {core[12]} but should be {expected}."
        )
    return core


def normalise_mprn(value: str) -> str:
    """Return the MPRN with spaces removed, after checking it is 6 to 11 digits.

    The check digits are deliberately not enforced here: see :func:`mprn_check_digits_pass`.

    :raises InvalidIdentifier: if it is not made of 6 to 11 digits.
    """
    mprn = _strip_spaces(value)
    if not _is_digits(mprn):
        raise InvalidIdentifier(f"An MPRN is made of digits only; {value!r} has other characters.")
    if not MPRN_MIN_LENGTH <= len(mprn) <= MPRN_MAX_LENGTH:
        raise InvalidIdentifier(
            f"An MPRN has {MPRN_MIN_LENGTH} to {MPRN_MAX_LENGTH} digits (usually 10); {value!r} has {len(mprn)}."
        )
    return mprn


def mprn_check_digits_pass(value: str) -> bool:
    """Say whether the MPRN's last two digits match the community-documented check.

    The check: with ``d_0 .. d_{n-1}`` the digits before the last two, the last two digits are
    ``sum(d_i * (n - i)) % 11``, zero-padded. Example: ``3938424403`` passes.

    The rule is *unconfirmed* with the gas transporters, so a failure must only be shown to staff as a warning,
    never used to refuse the number.

    :raises InvalidIdentifier: if the value is not an MPRN at all (see :func:`normalise_mprn`).
    """
    mprn = normalise_mprn(value)
    body, check = mprn[:-2], mprn[-2:]
    n = len(body)
    total = sum(int(digit) * (n - i) for i, digit in enumerate(body))
    return f"{total % 11:02d}" == check


def is_independent_gas_transporter(mprn: str) -> bool:
    """Say whether the MPRN belongs to an independent gas transporter (IGT): those numbers start 74 to 77.

    IGT supplies carry different transportation charges and a different contact for emergencies and meter work.

    :raises InvalidIdentifier: if the value is not an MPRN (see :func:`normalise_mprn`).
    """
    return normalise_mprn(mprn)[:2] in _IGT_PREFIXES


# The standard UK formats (A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA) with the Royal Mail's letter rules:
# the first letter is never Q, V or X; the second never I, J or Z; the inward part's letters never C, I, K, M, O or V.
# GIR 0AA (the former Girobank) is the one historical exception still in use.
_POSTCODE = re.compile(
    r"(?:GIR0AA"
    r"|[A-PR-UWYZ](?:[0-9][0-9A-HJKPS-UW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)"
    r"[0-9][ABD-HJLNP-UW-Z]{2})"
)


def normalise_postcode(value: str) -> str:
    """Return the UK postcode in upper case with a single space before the last three characters.

    Matching addresses, sorting post and finding the customer's region all need one spelling of each postcode.

    :raises InvalidIdentifier: if the value is not in one of the standard UK postcode formats.
    """
    compact = _strip_spaces(value).upper()
    if _POSTCODE.fullmatch(compact) is None:
        raise InvalidIdentifier(f"{value.strip()!r} is not a UK postcode.")
    return f"{compact[:-3]} {compact[-3:]}"
