"""Sort code and account number checks by Vocalink's modulus rules, tested with Vocalink's own published cases.

The 34 cases are chapter 3 of *Validating account numbers: UK modulus checking* (the same in v7.70 and v9.00); the
exception 14 examples are from its section 2.2.2. Expected outcomes are the specification's, not this code's.
"""

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import modulus

# 12345678 in full-width digits, which str.isdigit() would accept.
FULL_WIDTH_ACCOUNT = "".join(chr(ord("\uff10") + int(digit)) for digit in "12345678")
MISMATCH = "The sort code and account number do not match. Please check both."

# (number, the specification's description, sorting code, account number, valid flag)
PUBLISHED_CASES = [
    (1, "Pass modulus 10 check.", "089999", "66374958", True),
    (2, "Pass modulus 11 check.", "107999", "88837491", True),
    (3, "Pass modulus 11 and double alternate checks.", "202959", "63748472", True),
    (4, "Exception 10 & 11 where first check passes and second check fails.", "871427", "46238510", True),
    (5, "Exception 10 & 11 where first check fails and second check passes.", "872427", "46238510", True),
    (
        6,
        "Exception 10 where in the account number ab=09 and the g=9. The first check passes and second check fails.",
        "871427",
        "09123496",
        True,
    ),
    (
        7,
        "Exception 10 where in the account number ab=99 and the g=9. The first check passes and the second check "
        "fails.",
        "871427",
        "99123496",
        True,
    ),
    (
        8,
        "Exception 3, and the sorting code is the start of a range. As c=6 the second check should be ignored.",
        "820000",
        "73688637",
        True,
    ),
    (
        9,
        "Exception 3, and the sorting code is the end of a range. As c=9 the second check should be ignored.",
        "827999",
        "73988638",
        True,
    ),
    (10, "Exception 3. As c<>6 or 9 perform both checks pass.", "827101", "28748352", True),
    (11, "Exception 4 where the remainder is equal to the checkdigit.", "134020", "63849203", True),
    (
        12,
        "Exception 1 - ensures that 27 has been added to the accumulated total and passes double alternate modulus "
        "check.",
        "118765",
        "64371389",
        True,
    ),
    (
        13,
        "Exception 6 where the account fails standard check but is a foreign currency account.",
        "200915",
        "41011166",
        True,
    ),
    (14, "Exception 5 where the check passes.", "938611", "07806039", True),
    (15, "Exception 5 where the check passes with substitution.", "938600", "42368003", True),
    (16, "Exception 5 where both checks produce a remainder of 0 and pass.", "938063", "55065200", True),
    (17, "Exception 7 where passes but would fail the standard check.", "772798", "99345694", True),
    (18, "Exception 8 where the check passes.", "086090", "06774744", True),
    (19, "Exception 2 & 9 where the first check passes.", "309070", "02355688", True),
    (
        20,
        "Exception 2 & 9 where the first check fails and second check passes with substitution.",
        "309070",
        "12345668",
        True,
    ),
    (21, "Exception 2 & 9 where a≠0 and g≠9 and passes.", "309070", "12345677", True),
    (22, "Exception 2 & 9 where a≠0 and g=9 and passes.", "309070", "99345694", True),
    (23, "Exception 5 where the first checkdigit is correct and the second incorrect.", "938063", "15764273", False),
    (24, "Exception 5 where the first checkdigit is incorrect and the second correct.", "938063", "15764264", False),
    (25, "Exception 5 where the first checkdigit is incorrect with a remainder of 1.", "938063", "15763217", False),
    (26, "Exception 1 where it fails double alternate check.", "118765", "64371388", False),
    (27, "Pass modulus 11 check and fail double alternate check.", "203099", "66831036", False),
    (28, "Fail modulus 11 check and pass double alternate check.", "203099", "58716970", False),
    (29, "Fail modulus 10 check.", "089999", "66374959", False),
    (30, "Fail modulus 11 check.", "107999", "88837493", False),
    (
        31,
        "Exception 12/13 where passes modulus 11 check (in this example, modulus 10 check fails, however, there is "
        "no need for it to be performed as the first check passed).",
        "074456",
        "12345112",
        True,
    ),
    (
        32,
        "Exception 12/13 where passes the modulus 11check (in this example, modulus 10 check passes as well, "
        "however, there is no need for it to be performed as the first check passed).",
        "070116",
        "34012583",
        True,
    ),
    (
        33,
        "Exception 12/13 where fails the modulus 11 check, but passes the modulus 10 check.",
        "074456",
        "11104102",
        True,
    ),
    (34, "Exception 14 where the first check fails and the second check passes.", "180002", "00000190", True),
]


def _case_id(number: int, description: str) -> str:
    return f"{number:02d}-" + re.sub(r"[^a-z0-9]+", "-", description.lower()).strip("-")[:90]


@pytest.mark.parametrize(
    ("sort_code", "account_number", "valid"),
    [pytest.param(sort, account, valid, id=_case_id(n, text)) for n, text, sort, account, valid in PUBLISHED_CASES],
)
def test_vocalinks_published_test_case_has_the_published_outcome(
    sort_code: str, account_number: str, valid: bool
) -> None:
    result = modulus.check(sort_code, account_number)
    assert result.valid is valid
    assert (result.sort_code, result.account_number) == (sort_code, account_number)


def test_the_published_cases_are_all_thirty_four() -> None:
    assert [case[0] for case in PUBLISHED_CASES] == list(range(1, 35))


@pytest.mark.parametrize(
    ("sort_code", "account_number"),
    [(sort, account) for n, _, sort, account, valid in PUBLISHED_CASES if not valid],
)
def test_a_published_failing_case_is_a_checked_mismatch_of_both_fields(sort_code: str, account_number: str) -> None:
    result = modulus.check(sort_code, account_number)
    assert (result.checked, result.field, result.reason) == (True, None, MISMATCH)


def test_a_foreign_currency_account_under_exception_6_is_accepted_unchecked() -> None:
    # Published case 13: a=4 and g=h=6 mark a foreign currency account, "the checks cannot be used".
    result = modulus.check("200915", "41011166")
    assert (result.valid, result.checked) == (True, False)
    assert "foreign currency" in result.reason


def test_exception_5_refuses_a_modulus_11_remainder_of_1_even_when_g_is_0() -> None:
    # 938063 with 15763209: the modulus 11 total is 145 + 109 = 254, remainder 1, so no check digit g can match
    # (11 - 1 = 10 is not a digit, and it must not be read as 0); the double alternate total is 25 + 26 = 51, whose
    # check digit h = 10 - 1 = 9 does match, so only the remainder-of-1 rule refuses it.
    assert modulus.check("938063", "15763209").valid is False


def test_without_the_foreign_currency_marks_exception_6_accounts_are_checked() -> None:
    # The same account with h changed from 6 to 7: g and h differ, so it is an ordinary account and is checked.
    result = modulus.check("200915", "41011167")
    assert result.checked is True


@pytest.mark.parametrize(
    ("account_number", "valid"),
    [
        ("98093517", True),  # example 1: passes the first check, 209 = 19 x 11
        ("00000190", True),  # example 2: fails (21), then 00000019 passes (11)
        # Fails the first check (23); the shifted 00000019 would pass, but an 8th digit of 2 is not allowed to shift.
        ("00000192", False),
    ],
)
def test_exception_14_shifts_the_account_number_only_when_its_8th_digit_is_0_1_or_9(
    account_number: str, valid: bool
) -> None:
    assert modulus.check("180002", account_number).valid is valid


# Valid numbers from the published cases at sort codes with one standard check and no exception: MOD10, MOD11.
SINGLE_DIGIT_CASES = [("089999", "66374958"), ("107999", "88837491")]


@pytest.mark.parametrize(("sort_code", "account_number"), SINGLE_DIGIT_CASES)
def test_any_single_mistyped_digit_is_caught_where_every_weight_is_prime_to_the_modulus(
    sort_code: str, account_number: str
) -> None:
    # Weights 7, 1, 3 (modulus 10) and 8 to 1 (modulus 11) change the total by a non-multiple of the modulus
    # whenever one digit changes, so every one of the 72 single-digit slips must fail.
    slips = [
        account_number[:position] + digit + account_number[position + 1 :]
        for position in range(8)
        for digit in "0123456789"
        if digit != account_number[position]
    ]
    assert len(slips) == 72
    results = [modulus.check(sort_code, slip) for slip in slips]
    assert all(result.checked for result in results)
    assert [slip for slip, result in zip(slips, results, strict=True) if result.valid] == []


def test_a_sort_code_with_no_published_check_accepts_any_account_number_unchecked() -> None:
    # 00-11-00 is below the table's first range (01-00-04).
    result = modulus.check("00-11-00", "12345678")
    assert (result.valid, result.checked, result.sort_code, result.account_number) == (
        True,
        False,
        "001100",
        "12345678",
    )
    assert "no published check" in result.reason


@pytest.mark.parametrize(
    "written", ["20-00-00", "20 00 00", "200000", " 20-00-00 ", "20 - 00 - 00", "20\u201300\u201300"]
)
def test_a_sort_code_is_read_with_or_without_hyphens_and_spaces(written: str) -> None:
    assert modulus.normalise_sort_code(written) == "200000"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("", "Enter a sort code, like 20-00-00."),
        ("   ", "Enter a sort code, like 20-00-00."),
        ("2000", "Sort codes have 6 digits, like 20-00-00."),
        ("20-00-000", "Sort codes have 6 digits, like 20-00-00."),
        ("20-00-0O", "Sort codes have 6 digits, like 20-00-00."),
        ("20/00/00", "Sort codes have 6 digits, like 20-00-00."),
        ("2-00000", "Sort codes have 6 digits, like 20-00-00."),
        ("٢٠٠٠٠٠", "Sort codes have 6 digits, like 20-00-00."),  # Arabic-Indic digits are not sort codes
    ],
)
def test_a_sort_code_that_is_not_six_digits_is_refused_in_plain_words(written: str, reason: str) -> None:
    with pytest.raises(modulus.InvalidBankDetails) as raised:
        modulus.normalise_sort_code(written)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == reason
    result = modulus.check(written, "12345678")
    assert (result.valid, result.reason, result.field) == (False, reason, "sort_code")


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("", "Enter an account number, like 31926819."),
        ("12345", "Account numbers have 6 to 10 digits, like 31926819."),
        ("12345678901", "Account numbers have 6 to 10 digits, like 31926819."),
        ("1234567a", "Account numbers have 6 to 10 digits, like 31926819."),
        ("12.345.678", "Account numbers have 6 to 10 digits, like 31926819."),
        (FULL_WIDTH_ACCOUNT, "Account numbers have 6 to 10 digits, like 31926819."),  # full-width digits
    ],
)
def test_an_account_number_that_is_not_6_to_10_digits_is_refused_in_plain_words(written: str, reason: str) -> None:
    result = modulus.check("20-00-00", written)
    assert (result.valid, result.reason, result.field, result.checked) == (False, reason, "account_number", False)


def test_an_account_number_may_be_written_with_spaces_or_hyphens() -> None:
    assert modulus.check("08-99-99", "6637 4958").account_number == "66374958"
    assert modulus.check("08-99-99", "6637-4958").valid is True


@pytest.mark.parametrize(
    ("sort_code", "written", "sort_code_checked", "account_checked"),
    [
        # The examples in the specification's section 2.1.2.
        ("20-00-00", "123456", "200000", "00123456"),  # six digits: two zeros in front
        ("20-00-00", "1234567", "200000", "01234567"),  # seven digits: one zero in front
        ("72-00-00", "123456789", "720001", "23456789"),  # Santander: first digit ends the sort code
        ("60-00-00", "0123456789", "600000", "23456789"),  # NatWest: last eight
        ("60-00-00", "01-23456789", "600000", "23456789"),  # NatWest's hyphen, between the 2nd and 3rd digits
        ("40-00-00", "01-23456789", "400000", "23456789"),  # the hyphen marks NatWest's form at any sort code
        ("08-90-00", "1234567890", "089000", "12345678"),  # Co-operative Bank: first eight
        ("40-00-00", "1234567890", "400000", "12345678"),  # not NatWest's blocks: first eight, as for Leeds BS
    ],
)
def test_a_non_standard_account_number_is_standardised_as_the_specification_says(
    sort_code: str, written: str, sort_code_checked: str, account_checked: str
) -> None:
    result = modulus.check(sort_code, written)
    assert (result.sort_code, result.account_number) == (sort_code_checked, account_checked)


@pytest.mark.parametrize(
    ("sort_code", "written"),
    [
        ("18-00-02", "000190"),  # published case 34 written with six digits
        ("08-60-90", "6774744"),  # published case 18 written with seven digits
        # Ten digits at NatWest: the last eight, 12345679, pass its modulus 11 check (8..2 weights give 112, +9 = 121);
        # the first eight, 99123456, would not.
        ("60-00-00", "9912345679"),
        # Ten digits at the Co-operative Bank: the first eight are published case 1; the last eight would fail.
        ("08-99-99", "6637495812"),
        # Nine digits at Santander 09-01-20: checked as 09-01-25 and 12345678, which pass its modulus 10 check
        # (24 from the sort code, 126 from the account, 150 in all); 09-01-20 with 12345678 would not.
        ("09-01-20", "512345678"),
    ],
)
def test_a_standardised_account_number_passes_where_its_eight_digit_form_passes(sort_code: str, written: str) -> None:
    result = modulus.check(sort_code, written)
    assert (result.valid, result.checked) == (True, True)


@given(st.text(), st.text())
def test_check_never_raises_and_always_gives_a_reason(sort_code: str, account_number: str) -> None:
    result = modulus.check(sort_code, account_number)
    assert result.reason
    if result.valid:
        assert re.fullmatch(r"[0-9]{6}", result.sort_code)
        assert re.fullmatch(r"[0-9]{8}", result.account_number)


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.sampled_from(["", " ", "-", " - "]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
def test_any_six_digits_however_separated_are_the_sort_code_checked(
    digits: str, separator: str, account_number: str
) -> None:
    written = separator.join([digits[:2], digits[2:4], digits[4:]])
    assert modulus.normalise_sort_code(written) == digits
    result = modulus.check(written, account_number)
    assert (result.sort_code, result.account_number) == (digits, account_number)


def test_the_shipped_tables_are_the_published_files() -> None:
    # sha256 of Vocalink's files (LF line endings) as recorded in src/hearth/common/data/README.md.
    expected = {
        "valacdos.txt": "8ffaf93950d43386f9953a16f4958a01128ceab0b152ee88fc0668aeb247951c",
        "scsubtab.txt": "2d264407ab39799dfb2842d648ef1bbd5ddae6deab05ddc87517289d2a0b3749",
    }
    for name, digest in expected.items():
        assert hashlib.sha256((modulus.DATA_DIR / name).read_bytes()).hexdigest() == digest, name


def test_the_data_version_is_the_release_the_data_readme_describes() -> None:
    readme = (modulus.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "v9.10" in modulus.DATA_VERSION
    assert "specification v9.10" in readme
    assert "17 October 2026" in modulus.DATA_VERSION
    assert "17 October 2026" in readme


def test_the_substitution_table_is_the_one_printed_under_exception_5() -> None:
    printed = {
        "938173": "938017", "938289": "938068", "938297": "938076", "938600": "938611", "938602": "938343",
        "938604": "938603", "938608": "938408", "938609": "938424", "938613": "938017", "938616": "938068",
        "938618": "938657", "938620": "938343", "938622": "938130", "938628": "938181", "938643": "938246",
        "938647": "938611", "938648": "938246", "938649": "938394", "938651": "938335", "938653": "938424",
        "938654": "938621",
    }  # fmt: skip
    text = (modulus.DATA_DIR / "scsubtab.txt").read_text(encoding="ascii")
    assert modulus.parse_substitutions(text) == printed


def test_the_shipped_weight_table_reads_in_full() -> None:
    text = (modulus.DATA_DIR / "valacdos.txt").read_text(encoding="ascii")
    table = modulus.parse_weight_table(text)
    assert sum(len(checks) for checks in table.ranges) == len(text.splitlines()) == 1170
    # Lloyds' 30-90-70 has exception 2 then 9, both modulus 11, as published case 19 relies on.
    assert [(row.algorithm, row.exception) for row in table.checks_for("309070")] == [
        (modulus.Algorithm.MOD11, 2),
        (modulus.Algorithm.MOD11, 9),
    ]
    assert table.checks_for("001100") == ()


GOOD_LINE = "089000 089999 MOD10    0    0    0    0    0    0    7    1    3    7    1    3    7    1"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (GOOD_LINE + "\n089000 089999", r"^t\.txt line 2: expected 17 or 18 fields, found 2"),
        (GOOD_LINE.replace("MOD10", "MOD12"), r"^t\.txt line 1: the check must be MOD10, MOD11 or DBLAL, not 'MOD12'"),
        (GOOD_LINE.replace("089999", "08999"), r"^t\.txt line 1: the range must be two 6-digit sort codes"),
        (GOOD_LINE.replace("089000 089999", "089999 089000"), r"^t\.txt line 1: the range must be .* lowest first"),
        (GOOD_LINE[:-1] + "x", r"^t\.txt line 1: weights must be whole numbers"),
        (GOOD_LINE + "  15", r"^t\.txt line 1: the exception must be a number from 1 to 14, not '15'"),
        (
            GOOD_LINE.replace("MOD10    0", "DBLAL   -1"),
            r"^t\.txt line 1: a double alternate check cannot have negative",
        ),
        ("\n".join([GOOD_LINE] * 3), r"^t\.txt line 3: a third check for the same range"),
        (GOOD_LINE + "\n" + GOOD_LINE.replace("089000", "089500", 1), r"^t\.txt line 2: the range starts at or before"),
        ("", r"^t\.txt has no checks in it"),
    ],
)
def test_a_malformed_weight_table_is_refused_naming_the_line(text: str, problem: str) -> None:
    with pytest.raises(modulus.ModulusDataError, match=problem):
        modulus.parse_weight_table(text, source="t.txt")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("938173 938017\n938289", r"^s\.txt line 2: expected two 6-digit sort codes"),
        ("938173 938017\n938173 938068", r"^s\.txt line 2: 938173 is substituted twice"),
    ],
)
def test_a_malformed_substitution_table_is_refused_naming_the_line(text: str, problem: str) -> None:
    with pytest.raises(modulus.ModulusDataError, match=problem):
        modulus.parse_substitutions(text, source="s.txt")
