"""MPAN, MPRN and postcode normalisation, cross-checked against the independent ``mpan`` package."""

import mpan
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import identifiers

# The first valid core written in full-width digits, which str.isdigit() would accept.
FULL_WIDTH_CORE = "".join(chr(ord("\uff10") + int(digit)) for digit in "1200023305967")
VALID_CORES = ["1200023305967", "1030051828896", "1030006718997", "1312345678907", "1100013222946"]


@pytest.mark.parametrize("core", VALID_CORES)
def test_valid_mpan_cores_from_the_domain_notes_pass(core: str) -> None:
    assert identifiers.normalise_mpan_core(core) == core


def test_spaces_are_removed_from_an_mpan_core() -> None:
    assert identifiers.normalise_mpan_core(" 12 0002 3305 967 ") == "1200023305967"


@pytest.mark.parametrize(
    ("core", "last", "expected"),
    [
        ("2499999999990", "0", "1"),
        ("2099999999386", "6", "0"),
    ],
)
def test_invalid_mpan_cores_name_the_expected_check_digit(core: str, last: str, expected: str) -> None:
    with pytest.raises(identifiers.InvalidIdentifier) as raised:
        identifiers.normalise_mpan_core(core)
    assert str(raised.value) == (
        f"The MPAN core {core} fails its check digit: the last digit is {last} but should be {expected}."
    )


def test_an_mpan_core_of_the_wrong_length_is_refused_with_its_length() -> None:
    with pytest.raises(identifiers.InvalidIdentifier, match=r"^An MPAN core has 13 digits; '12000233059' has 11\.$"):
        identifiers.normalise_mpan_core("12000233059")


@pytest.mark.parametrize("value", ["12000233059A7", "1200023305-67", "", FULL_WIDTH_CORE])
def test_an_mpan_core_with_other_characters_is_refused(value: str) -> None:
    with pytest.raises(identifiers.InvalidIdentifier, match="digits"):
        identifiers.normalise_mpan_core(value)


def test_an_mpan_core_whose_distributor_id_starts_with_zero_is_refused() -> None:
    first_twelve = "090000000001"
    core = first_twelve + str(identifiers.mpan_check_digit(first_twelve))
    with pytest.raises(identifiers.InvalidIdentifier, match=r"distributor id from 10 to 99.*starts with 09"):
        identifiers.normalise_mpan_core(core)


def test_idno_distributor_ids_are_accepted() -> None:
    first_twelve = "290000000001"
    core = first_twelve + str(identifiers.mpan_check_digit(first_twelve))
    assert identifiers.normalise_mpan_core(core) == core


@pytest.mark.parametrize("value", ["12345678901", "1234567890123", "12345678901a"])
def test_mpan_check_digit_needs_exactly_twelve_digits(value: str) -> None:
    with pytest.raises(identifiers.InvalidIdentifier):
        identifiers.mpan_check_digit(value)


# The mpan package only accepts distributor ids 01-38 (DNOs and the IDNOs it knows), so the cross-check stays there.
distributor_ids = st.integers(min_value=10, max_value=38).map(lambda n: f"{n:02d}")
ten_digits = st.text(alphabet="0123456789", min_size=10, max_size=10)
first_twelves = st.builds(lambda distributor, rest: distributor + rest, distributor_ids, ten_digits)


@given(first_twelves)
def test_our_check_digit_agrees_with_the_mpan_package(first_twelve: str) -> None:
    digit = identifiers.mpan_check_digit(first_twelve)
    core = first_twelve + str(digit)
    assert mpan.MPAN(core).is_valid
    # A full 21-character MPAN (profile class 01, MTC 801, LLFC 100) validates the same core.
    assert mpan.is_valid("01801100" + core)
    assert identifiers.normalise_mpan_core(core) == core


@given(first_twelves, st.integers(min_value=0, max_value=9))
def test_every_last_digit_is_judged_the_same_way_as_the_mpan_package(first_twelve: str, last: int) -> None:
    core = first_twelve + str(last)
    try:
        identifiers.normalise_mpan_core(core)
    except identifiers.InvalidIdentifier:
        ours = False
    else:
        ours = True
    assert ours == mpan.MPAN(core).is_valid


@given(first_twelves, st.integers(min_value=2, max_value=11), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_of_the_identifier_is_always_caught(first_twelve: str, position: int, shift: int) -> None:
    # The weights are distinct modulo 11 and none is a multiple of 11, so changing one of the first twelve digits
    # always changes the sum modulo 11. The final "% 10" folds remainder 10 onto 0, so the check digit stays the
    # same only when the remainder moves between 0 and 10; the mpan package agrees with us either way.
    # Positions 0-1 (the distributor id) are left alone so the mpan package keeps recognising the distributor.
    core = first_twelve + str(identifiers.mpan_check_digit(first_twelve))
    changed_digit = (int(core[position]) + shift) % 10
    changed = core[:position] + str(changed_digit) + core[position + 1 :]
    old_remainder = sum(int(d) * w for d, w in zip(core, identifiers.MPAN_WEIGHTS, strict=False)) % 11
    new_remainder = sum(int(d) * w for d, w in zip(changed, identifiers.MPAN_WEIGHTS, strict=False)) % 11
    assert old_remainder != new_remainder
    still_valid = {old_remainder, new_remainder} == {0, 10}
    assert mpan.MPAN(changed).is_valid == still_valid
    if still_valid:
        assert identifiers.normalise_mpan_core(changed) == changed
    else:
        with pytest.raises(identifiers.InvalidIdentifier, match="fails its check digit"):
            identifiers.normalise_mpan_core(changed)


def test_the_domain_example_mprn_passes_its_check_digits() -> None:
    # 3938424403: digits 3 9 3 8 4 2 4 4 weighted 8..1 sum to 179; 179 % 11 == 3, so the check digits are "03".
    assert identifiers.normalise_mprn("3938424403") == "3938424403"
    assert identifiers.mprn_check_digits_pass("3938424403")
    assert identifiers.mprn_check_digits_pass("39384 24403")


def test_a_wrong_mprn_check_is_reported_but_the_number_is_still_accepted() -> None:
    assert not identifiers.mprn_check_digits_pass("3938424404")
    assert identifiers.normalise_mprn("3938424404") == "3938424404"


@pytest.mark.parametrize("value", ["12345", "123456789012", "", "39384244O3"])
def test_an_mprn_of_the_wrong_length_or_with_letters_is_refused(value: str) -> None:
    with pytest.raises(identifiers.InvalidIdentifier, match="MPRN"):
        identifiers.normalise_mprn(value)


@pytest.mark.parametrize("value", ["123456", "12345678901"])
def test_mprns_of_six_to_eleven_digits_are_accepted(value: str) -> None:
    assert identifiers.normalise_mprn(value) == value


@pytest.mark.parametrize(
    ("mprn", "independent"),
    [("7412345678", True), ("7712345678", True), ("7312345678", False), ("7812345678", False), ("3938424403", False)],
)
def test_independent_gas_transporters_are_numbers_starting_74_to_77(mprn: str, independent: bool) -> None:
    assert identifiers.is_independent_gas_transporter(mprn) is independent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("  SW1A   1AA ", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("EH1 1YZ", "EH1 1YZ"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_uk_postcodes_are_upper_case_with_one_space(value: str, expected: str) -> None:
    assert identifiers.normalise_postcode(value) == expected


@pytest.mark.parametrize("value", ["", "SW1A", "SW1A 1A", "12345", "QA1 1AA", "SW1A 1AAA", "SW1A 1CA", "90210"])
def test_other_strings_are_not_uk_postcodes(value: str) -> None:
    with pytest.raises(identifiers.InvalidIdentifier, match="is not a UK postcode"):
        identifiers.normalise_postcode(value)
