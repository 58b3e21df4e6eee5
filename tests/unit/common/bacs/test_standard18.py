"""The Standard 18 submission: each field where the public layout puts it, contras that balance, a trailer that adds
up, and refusals in plain words.

The hand-worked file below has three collections and one new instruction (0N). Its expected lines were written out
field by field from the layout in the module's docstring (Odoo's account_bacs tests and HMCTS's reader check the same
positions), not printed by the writer.
"""

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common.bacs import calendar, standard18
from hearth.common.bacs.standard18 import Instruction, SubmissionRefused, SubmissionUnreadable

SUN = "123456"
SERIAL = "000042"
OWN_SORT_CODE = "200000"
OWN_ACCOUNT = "55779911"
# Thursday 24 December 2026 is a processing day; day of the year 334 (Jan-Nov) + 24 = 358, so " 26358".
PROCESSING = date(2026, 12, 24)
JULIAN = " 26358"

HAND_WORKED = [
    Instruction("401234", "12345678", "Zoë O'Brien", "01", 12345, "hearth-000001"),
    Instruction("401234", "87654321", "J Smith", "17", 9000, "HEARTH-000002"),
    Instruction("601234", "11223344", "A Payer", "18", 50, "HEARTH-000003"),
    Instruction("601234", "44332211", "New Customer", "0N", 0, "HEARTH-000004"),
]


def _write(batch: list[Instruction], **overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "service_user_number": SUN,
        "service_user_name": "Hearth Energy Ltd",
        "originating_sort_code": OWN_SORT_CODE,
        "originating_account_number": OWN_ACCOUNT,
        "processing_date": PROCESSING,
        "file_serial": SERIAL,
        "instructions": batch,
    }
    arguments.update(overrides)
    return standard18.write_submission(**arguments)  # type: ignore[arg-type]


def _lines(data: bytes) -> list[str]:
    text = data.decode("ascii")
    assert text.endswith("\n")
    return text[:-1].split("\n")


def _data_record(fields: tuple[str, str, str, str, str, str, str]) -> str:
    """Payer's sort code and account, type 0, code, our sort code and account, 4 blanks, amount (11), then three
    18-character fields (our name or the narrative, the reference, the payer's name), as the layout lists them."""
    sort_code, account, code, amount, user_field, reference, name = fields
    return (
        f"{sort_code}{account}0{code}{OWN_SORT_CODE}{OWN_ACCOUNT}    {amount}"
        f"{user_field.ljust(18)}{reference.ljust(18)}{name.ljust(18)}"
    )


def test_hand_worked_file_has_every_line_where_the_layout_puts_it() -> None:
    blank = " "
    records = [
        # The payer's name loses its accent and apostrophe and is upper-cased; references are upper-cased.
        ("401234", "12345678", "01", "00000012345", "HEARTH ENERGY LTD", "HEARTH-000001", "ZOE OBRIEN"),
        ("401234", "87654321", "17", "00000009000", "HEARTH ENERGY LTD", "HEARTH-000002", "J SMITH"),
        ("601234", "11223344", "18", "00000000050", "HEARTH ENERGY LTD", "HEARTH-000003", "A PAYER"),
        # The new instruction carries a zero amount.
        ("601234", "44332211", "0N", "00000000000", "HEARTH ENERGY LTD", "HEARTH-000004", "NEW CUSTOMER"),
        # Credit contra (99) to our own account for the debits: 123.45 + 90.00 + 0.50 = 213.95.
        (OWN_SORT_CODE, OWN_ACCOUNT, "99", "00000021395", "FILE 000042", "CONTRA", "HEARTH ENERGY LTD"),
    ]
    expected = [
        # VOL1, serial, accessibility, 26 reserved, owner (4 blanks, SUN, 4 blanks), 28 reserved, label level 1.
        "VOL1" + SERIAL + blank + blank * 26 + blank * 4 + SUN + blank * 4 + blank * 28 + "1",
        # HDR1, file identifier A+SUN+"S  1"+SUN, file set = serial, section 0001, sequence 0001,
        # generation blank (6), creation date blank (6), expiry = processing day, 27 blanks.
        "HDR1" + "A" + SUN + "S  1" + SUN + SERIAL + "0001" + "0001" + blank * 6 + blank * 6 + JULIAN + blank * 27,
        "HDR2" + "F" + "02000" + "00100" + blank * 65,
        # UHL1, processing day, SUN + 4 blanks, currency 00, country 000000, work code, 43 blanks.
        "UHL1" + JULIAN + SUN + blank * 4 + "00" + "000000" + "1 DAILY  " + blank * 43,
        *(_data_record(fields) for fields in records),
        "EOF1" + "A" + SUN + "S  1" + SUN + SERIAL + "0001" + "0001" + blank * 6 + blank * 6 + JULIAN + blank * 27,
        "EOF2" + "F" + "02000" + "00100" + blank * 65,
        # Debits 21395 (the 3 collections), credits 21395 (the contra); 3 debit records, 1 credit; the 0N in neither.
        "UTL1" + "0000000021395" + "0000000021395" + "0000003" + "0000001" + blank * 36,
    ]
    assert _lines(_write(HAND_WORKED)) == expected


def test_hand_worked_file_records_slice_at_the_documented_positions() -> None:
    lines = _lines(_write(HAND_WORKED))
    assert [len(line) for line in lines] == [80] * 4 + [100] * 5 + [80] * 3
    first = lines[4]
    assert first[0:6] == "401234"  # 1-6 destination sort code
    assert first[6:14] == "12345678"  # 7-14 destination account
    assert first[14] == "0"  # 15 account type
    assert first[15:17] == "01"  # 16-17 transaction code
    assert first[17:23] == OWN_SORT_CODE  # 18-23
    assert first[23:31] == OWN_ACCOUNT  # 24-31
    assert first[35:46] == "00000012345"  # 36-46 amount in pence
    assert first[64:82].rstrip() == "HEARTH-000001"  # 65-82 reference
    assert first[82:100].rstrip() == "ZOE OBRIEN"  # 83-100 payer's name
    assert lines[3][4:10] == JULIAN  # UHL1 5-10 processing day
    assert lines[0][41:47] == SUN  # VOL1 42-47


def test_refunds_get_a_debit_contra_and_both_sides_balance() -> None:
    instructions = [
        Instruction("401234", "12345678", "A Payer", "17", 1000, "HEARTH-000010"),
        Instruction("401234", "87654321", "B Payer", "99", 250, "HEARTH-000011"),
    ]
    lines = _lines(_write(instructions))
    contras = lines[6:8]
    assert contras[0][15:17] == "99"
    assert contras[0][35:46] == "00000001000"
    assert contras[1][15:17] == "17"
    assert contras[1][35:46] == "00000000250"
    # Debits: the collection 1000 + the debit contra 250; credits: the refund 250 + the credit contra 1000.
    assert lines[-1][4:44] == "0000000001250" + "0000000001250" + "0000002" + "0000002"


def test_a_file_of_instruction_records_only_has_no_contra() -> None:
    lines = _lines(_write([Instruction("401234", "12345678", "A Payer", "0C", 0, "HEARTH-000012")]))
    assert len(lines) == 8
    assert lines[-1][4:44] == "0" * 13 + "0" * 13 + "0" * 7 + "0" * 7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"destination_sort_code": "12345"}, "sort code '12345' is not 6 digits"),
        ({"destination_sort_code": "12-34-56"}, "not 6 digits"),
        ({"destination_account_number": "1234567"}, "account number '1234567' is not 8 digits"),
        ({"transaction_code": "0D"}, "transaction code '0D' is not one Hearth sends"),
        ({"transaction_code": "0N", "amount_pence": 100}, "instruction record (0N) moves no money"),
        ({"amount_pence": -1}, "must be more than 0"),
        ({"amount_pence": 0}, "must be more than 0"),
        ({"amount_pence": 10**11}, "at most 99999999999p"),
        ({"amount_pence": 12.5}, "not a whole number of pence"),
        ({"reference": "HEARTH_000001"}, "characters Bacs does not accept: '_'"),
        ({"reference": "HRTH1"}, "has 5 characters; Bacs takes 6 to 18"),
        ({"reference": "HEARTH-0000000000001"}, "has 20 characters"),
        ({"reference": "DDIC000001"}, "must not start with DDIC"),
        ({"reference": "AAAAAAA"}, "one character repeated"),
        ({"reference": "-HEARTH1"}, "must start with a letter or a digit"),
        ({"reference": "contra"}, "the reference Bacs gives contra records"),
        ({"destination_name": "李小龙"}, "has no letters or digits Bacs accepts"),
    ],
)
def test_a_wrong_instruction_is_refused_in_plain_words(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "destination_sort_code": "401234",
        "destination_account_number": "12345678",
        "destination_name": "A Payer",
        "transaction_code": "17",
        "amount_pence": 1000,
        "reference": "HEARTH-000001",
    }
    fields.update(change)
    with pytest.raises(SubmissionRefused, match="instruction 1") as refused:
        _write([Instruction(**fields)])  # type: ignore[arg-type]
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"service_user_number": "12345"}, "service user number '12345' is not 6 digits"),
        ({"originating_sort_code": "2000"}, "originating sort code"),
        ({"originating_account_number": "557799"}, "originating account number"),
        ({"file_serial": "42"}, "file serial '42'"),
        ({"service_user_name": "!!!"}, "service user's name"),
        ({"processing_date": date(2026, 12, 25)}, "2026-12-25 is not a Bacs processing day"),
        ({"processing_date": date(2026, 12, 26)}, "not a Bacs processing day"),
        ({"instructions": []}, "no instructions to send"),
    ],
)
def test_a_wrong_file_is_refused_in_plain_words(change: dict[str, object], message: str) -> None:
    with pytest.raises(SubmissionRefused) as refused:
        _write(HAND_WORKED, **change)
    assert message in str(refused.value)


def test_debits_too_large_for_one_contra_are_refused() -> None:
    big = [Instruction("401234", "12345678", "A Payer", "17", 10**11 - 1, f"HEARTH-00000{n}") for n in range(2)]
    with pytest.raises(SubmissionRefused, match="split the file"):
        _write(big)


def test_names_are_cut_to_eighteen_characters_and_cleaned() -> None:
    lines = _lines(
        _write(
            [Instruction("401234", "12345678", "Mrs Bérénice   Fitzgerald-Smythe", "17", 1, "hearth-000001")],
            service_user_name="Hearth Energy (Supply) Limited",
        )
    )
    assert lines[4][82:100] == "MRS BERENICE FITZG"
    assert lines[4][46:64] == "HEARTH ENERGY SUPP"


def test_the_same_instructions_always_give_the_same_bytes() -> None:
    assert _write(HAND_WORKED) == _write(list(HAND_WORKED))


def test_reading_back_gives_the_cleaned_instructions_and_the_header() -> None:
    submission = standard18.read_submission(_write(HAND_WORKED))
    assert submission.service_user_number == SUN
    assert submission.service_user_name == "HEARTH ENERGY LTD"
    assert (submission.originating_sort_code, submission.originating_account_number) == (OWN_SORT_CODE, OWN_ACCOUNT)
    assert submission.processing_date == PROCESSING
    assert submission.file_serial == SERIAL
    assert submission.instructions[0] == Instruction("401234", "12345678", "ZOE OBRIEN", "01", 12345, "HEARTH-000001")
    assert [i.transaction_code for i in submission.instructions] == ["01", "17", "18", "0N"]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda lines: [*lines[:-1], "UTL1" + "0000000021394" + lines[-1][17:]], "the trailer says debits 21394p"),
        (lambda lines: [*lines[:8], lines[8][:35] + "00000021396" + lines[8][46:], *lines[9:]], "contra for the"),
        (lambda lines: [*lines[:4], lines[4][:15] + "7X" + lines[4][17:], *lines[5:]], "transaction code '7X'"),
        (lambda lines: [*lines[:4], lines[4][:99], *lines[5:]], "has 99 characters"),
        (lambda lines: lines[1:], "starts with a VOL1 label"),
        (lambda lines: [lines[0], lines[1][:21] + "000043" + lines[1][27:], *lines[2:]], "HDR1 label"),
    ],
)
def test_a_tampered_file_is_unreadable_and_says_where(tamper: object, message: str) -> None:
    lines = _lines(_write(HAND_WORKED))
    data = "".join(f"{line}\n" for line in tamper(lines)).encode("ascii")  # type: ignore[operator]
    with pytest.raises(SubmissionUnreadable, match="line") as unreadable:
        standard18.read_submission(data)
    assert message in str(unreadable.value)


def test_non_ascii_bytes_are_unreadable() -> None:
    with pytest.raises(SubmissionUnreadable, match="line 1: the file is not plain ASCII"):
        standard18.read_submission("VOL1é".encode())


# --- Properties ------------------------------------------------------------------------------------------------------

BACS_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .&/-"
ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

names = st.text(alphabet=BACS_CHARACTERS, min_size=1, max_size=18).map(lambda s: " ".join(s.split())).filter(bool)
references = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(ALPHANUMERIC),
    st.text(alphabet=BACS_CHARACTERS, min_size=5, max_size=17),
).filter(
    lambda r: r == r.rstrip() and len(set(r)) > 1 and not r.startswith("DDIC") and r != standard18.CONTRA_REFERENCE
)
payment_codes = st.sampled_from(["01", "17", "18", "19", "99"])


@st.composite
def instructions(draw: st.DrawFn) -> Instruction:
    code = draw(st.one_of(payment_codes, st.sampled_from(["0N", "0C", "0S"])))
    amount = 0 if code in {"0N", "0C", "0S"} else draw(st.integers(min_value=1, max_value=10**8))
    return Instruction(
        destination_sort_code=draw(st.from_regex(r"[0-9]{6}", fullmatch=True)),
        destination_account_number=draw(st.from_regex(r"[0-9]{8}", fullmatch=True)),
        destination_name=draw(names),
        transaction_code=code,
        amount_pence=amount,
        reference=draw(references),
    )


@given(
    batch=st.lists(instructions(), min_size=1, max_size=30),
    user_name=names,
    serial=st.from_regex(r"[0-9A-Z]{6}", fullmatch=True),
    processing=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
)
def test_write_then_read_gives_back_the_same_instructions(
    batch: list[Instruction], user_name: str, serial: str, processing: date
) -> None:
    processing = calendar.next_processing_day_on_or_after(processing)
    data = _write(batch, service_user_name=user_name, file_serial=serial, processing_date=processing)
    submission = standard18.read_submission(data)
    assert submission.instructions == tuple(batch)
    assert submission.service_user_name == user_name
    assert submission.file_serial == serial
    assert submission.processing_date == processing


@given(batch=st.lists(instructions(), min_size=1, max_size=30))
def test_trailer_totals_are_the_sums_of_the_records(batch: list[Instruction]) -> None:
    debits = sum(i.amount_pence for i in batch if i.transaction_code in {"01", "17", "18", "19"})
    credits = sum(i.amount_pence for i in batch if i.transaction_code == "99")
    debit_records = sum(1 for i in batch if i.transaction_code in {"01", "17", "18", "19"})
    credit_records = sum(1 for i in batch if i.transaction_code == "99")
    submission = standard18.read_submission(_write(batch))
    # Each side holds its own records plus the contra for the other side, so both sides total debits + credits.
    assert submission.debit_total_pence == debits + credits
    assert submission.credit_total_pence == debits + credits
    assert submission.debit_count == debit_records + (1 if credits else 0)
    assert submission.credit_count == credit_records + (1 if debits else 0)
    trailer = _lines(_write(batch))[-1]
    assert int(trailer[4:17]) == int(trailer[17:30]) == debits + credits


@given(data=st.binary(max_size=2000))
def test_reading_arbitrary_bytes_raises_nothing_but_unreadable(data: bytes) -> None:
    with pytest.raises(SubmissionUnreadable):
        standard18.read_submission(data)


@given(batch=st.lists(instructions(), min_size=1, max_size=5), position=st.integers(min_value=0), char=st.characters())
def test_changing_one_character_never_breaks_the_reader_with_another_error(
    batch: list[Instruction], position: int, char: str
) -> None:
    text = _write(batch).decode("ascii")
    position %= len(text)
    changed = (text[:position] + char + text[position + 1 :]).encode("utf-8", "surrogatepass")
    with contextlib.suppress(SubmissionUnreadable):
        standard18.read_submission(changed)
