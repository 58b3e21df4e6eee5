"""A Standard 18 submission file: Direct Debit collections, refunds and instruction (mandate) records for Bacs.

The full Standard 18 specification is licensed by Bacs and not public. The layout below is what public, working
open-source writers and readers put in each position; every field Hearth writes is listed with its 1-based position,
length and meaning, and the choices that no public source settles are marked *assumed*. Two sources agree on every
position used here:

- Odoo's ``account_bacs`` module (``models/account_journal.py`` writes the labels and records, ``tests/test_bacs.py``
  checks each position);
- HM Courts & Tribunals Service's ``hmcts/opal-file-handler-service``
  (``BacsStandard18BaisExtractionService.java`` reads the 100-character data records);

with the field list in ``tracey-stobbs/ddcms-direct-file-generator`` (``documentation/FileFormats/
Bacs18PaymentLines.md``, ``documentation/field-level-validation.md``) for the data record and the reference rules.

Keep this module behind its interface (:class:`Instruction`, :func:`write_submission`, :func:`read_submission`): a
bank or bureau that wants its own format replaces this module, not its callers.

**File.** ASCII, one record a line, each line ended by ``\\n``. A single-day ("1 DAILY") file, so data records are 100
characters and the processing day is in the UHL1 label only::

    VOL1  HDR1  HDR2  UHL1  <data records>  <contra records>  EOF1  EOF2  UTL1

**VOL1** (volume header, 80):
 1-4 ``VOL1``; 5-10 file serial (the volume serial number); 11 accessibility, blank; 12-37 blank;
 38-51 owner: 4 blanks, the service user number (SUN), 4 blanks; 52-79 blank; 80 label standard level ``1``.

**HDR1** / **EOF1** (file header and end-of-file, 80; EOF1 repeats HDR1):
 1-4 ``HDR1``/``EOF1``; 5-21 file identifier ``A`` + SUN + ``S  1`` + SUN; 22-27 file set identifier: the file
 serial; 28-31 file section number ``0001``; 32-35 file sequence number ``0001``; 36-41 generation number and
 version, blank; 42-47 creation date, blank (*assumed*: the writer is given no clock, so that the same instructions
 always give the same bytes); 48-53 expiry date `` YYDDD`` (*assumed*: the processing day, after which the file is
 of no use); 54-80 blank.

**HDR2** / **EOF2** (80): 1-4 ``HDR2``/``EOF2``; 5 record format ``F`` (fixed); 6-10 block length ``02000``;
 11-15 record length ``00100``; 16-80 blank.

**UHL1** (user header, 80):
 1-4 ``UHL1``; 5-10 processing day `` YYDDD`` (a blank, the year's last two digits and the day of the year: day 2 of
 the cycle); 11-20 receiving party: SUN and 4 blanks; 21-22 currency code ``00`` (sterling); 23-28 country code
 ``000000``; 29-37 work code ``1 DAILY  ``; 38-80 blank.

**Data record** (100):
 1-6 destination (payer's) sort code; 7-14 destination account number; 15 destination account type ``0``;
 16-17 transaction code (below); 18-23 originating (service user's) sort code; 24-31 originating account number;
 32-35 free format, blank; 36-46 amount in pence, right-justified and zero-filled (zero for instruction records);
 47-64 service user's name; 65-82 service user's reference: the payer's mandate reference;
 83-100 destination account name: the payer's name.

**Contra record** (100): the same layout, balancing the file's money against the service user's own account:
 destination and originating are both the service user's account; transaction code ``99`` (a credit to the
 service user) for the total of the debits, ``17`` (a debit) for the total of the credits; 47-64 narrative
 ``FILE <serial>`` (*assumed*); 65-82 ``CONTRA``; 83-100 the service user's name. A file without money (only
 instruction records) has no contra (*assumed*).

**UTL1** (user trailer, 80):
 1-4 ``UTL1``; 5-17 total value of debit records in pence; 18-30 total value of credit records; 31-37 count of debit
 records; 38-44 count of credit records; 45-80 blank. Contras are counted on their own side, so the two totals are
 equal. Instruction records (``0N``/``0C``/``0S``) are counted on neither side (*assumed*: no public writer counts
 them).

**Transaction codes.** ``01`` first collection, ``17`` regular collection, ``18`` re-presentation, ``19`` final
collection (debits); ``99`` credit (a refund to the payer); ``0N`` new instruction, ``0C`` cancel instruction,
``0S`` convert instruction (AUDDIS instruction records, zero amount) (DOMAIN.md, "Payments and Direct Debit").

**Characters.** Names and references use the Bacs character set: A-Z, 0-9, blank, full stop, ampersand, slash and
hyphen. Names are upper-cased, accents dropped, other characters removed and the result cut to the field's width.
A mandate reference is *not* cut or changed beyond upper case: it is how the payer's bank and every report find the
instruction, so one that does not fit is refused.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from hearth.common.bacs import calendar

__all__ = [
    "CONTRA_REFERENCE",
    "CREDIT_CODES",
    "DEBIT_CODES",
    "INSTRUCTION_CODES",
    "TRANSACTION_CODES",
    "Instruction",
    "Submission",
    "SubmissionRefused",
    "SubmissionUnreadable",
    "read_submission",
    "write_submission",
]

DEBIT_CODES: Final = {
    "01": "first collection",
    "17": "regular collection",
    "18": "re-presented collection",
    "19": "final collection",
}
"""Debits from the payer's account."""

CREDIT_CODES: Final = {"99": "credit to the payer (refund)"}

INSTRUCTION_CODES: Final = {
    "0N": "new Direct Debit Instruction",
    "0C": "cancel Direct Debit Instruction",
    "0S": "convert Direct Debit Instruction",
}
"""AUDDIS instruction (mandate) records: they move no money and carry a zero amount."""

TRANSACTION_CODES: Final = {**DEBIT_CODES, **CREDIT_CODES, **INSTRUCTION_CODES}

CONTRA_REFERENCE: Final = "CONTRA"
"""The reference of a contra record, so no mandate may have it."""

LABEL_LENGTH: Final = 80
RECORD_LENGTH: Final = 100

_CREDIT_CONTRA_CODE: Final = "99"
"""The contra that credits the service user with the file's debits."""
_DEBIT_CONTRA_CODE: Final = "17"
"""The contra that debits the service user for the file's credits."""

_MAX_AMOUNT: Final = 10**11 - 1
"""Eleven digits of pence in a record: £999,999,999.99."""
_MAX_COUNT: Final = 10**7 - 1
"""Seven digits in the trailer's counts."""

_NAME_WIDTH: Final = 18
_REFERENCE_MIN: Final = 6
_ALLOWED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .&/-")
_SORT_CODE: Final = re.compile(r"[0-9]{6}")
_ACCOUNT_NUMBER: Final = re.compile(r"[0-9]{8}")
_SERVICE_USER_NUMBER: Final = re.compile(r"[0-9]{6}")
_FILE_SERIAL: Final = re.compile(r"[0-9A-Z]{6}")
_DIGITS: Final = re.compile(r"[0-9]+")
_JULIAN: Final = re.compile(r" [0-9]{5}")

_WORK_CODE: Final = "1 DAILY  "
_ACCOUNT_TYPE: Final = "0"
_FREE_FORMAT: Final = " " * 4


class SubmissionRefused(ValueError):
    """The instructions cannot be written as a Bacs submission; the message says which and why."""


class SubmissionUnreadable(ValueError):
    """The bytes are not a Standard 18 submission as :func:`write_submission` writes it; the message says where."""

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason


@dataclass(frozen=True)
class Instruction:
    """One data record: a collection, a refund or an instruction (mandate) record for one payer."""

    destination_sort_code: str
    destination_account_number: str
    destination_name: str
    transaction_code: str
    amount_pence: int
    reference: str
    """The payer's mandate reference (the service user's reference)."""


@dataclass(frozen=True)
class Submission:
    """A submission file as read back: its header facts, its instructions (contras left out) and its trailer."""

    service_user_number: str
    service_user_name: str
    originating_sort_code: str
    originating_account_number: str
    processing_date: date
    file_serial: str
    instructions: tuple[Instruction, ...]
    debit_total_pence: int
    """UTL1's total of the debit records, the debit contra included."""
    credit_total_pence: int
    debit_count: int
    credit_count: int


# --- Fields ----------------------------------------------------------------------------------------------------------


def _julian(day: date) -> str:
    """`` YYDDD``: a blank, the year's last two digits and the day of the year."""
    return day.strftime(" %y%j")


def _from_julian(text: str) -> date:
    return date(2000 + int(text[1:3]), 1, 1) + timedelta(days=int(text[3:6]) - 1)


def _bacs_text(text: str) -> str:
    """``text`` in the Bacs character set: accents dropped, upper case, other characters removed, blanks trimmed."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(char for char in decomposed.upper() if char in _ALLOWED)
    return " ".join(kept.split())


def _name(text: str, what: str) -> str:
    cleaned = _bacs_text(text)[:_NAME_WIDTH].rstrip()
    if not cleaned:
        raise SubmissionRefused(f"{what} {text!r} has no letters or digits Bacs accepts (A-Z, 0-9, . & / -)")
    return cleaned


def _reference(text: str, what: str) -> str:
    """A mandate reference as Bacs takes it, or :class:`SubmissionRefused` saying why it cannot be."""
    reference = text.upper()
    outside = sorted({char for char in reference if char not in _ALLOWED})
    if outside:
        shown = "".join(outside)
        raise SubmissionRefused(f"{what} {text!r} has characters Bacs does not accept: {shown!r}")
    if not _REFERENCE_MIN <= len(reference) <= _NAME_WIDTH:
        raise SubmissionRefused(
            f"{what} {text!r} has {len(reference)} characters; Bacs takes {_REFERENCE_MIN} to {_NAME_WIDTH}"
        )
    if not reference[0].isalnum():
        raise SubmissionRefused(f"{what} {text!r} must start with a letter or a digit")
    if reference.startswith("DDIC"):
        raise SubmissionRefused(f"{what} {text!r} must not start with DDIC (Bacs keeps that for indemnity claims)")
    if len(set(reference)) == 1:
        raise SubmissionRefused(f"{what} {text!r} must not be one character repeated")
    if reference.rstrip() == CONTRA_REFERENCE:
        raise SubmissionRefused(f"{what} {text!r} is the reference Bacs gives contra records")
    if reference != reference.rstrip():
        raise SubmissionRefused(f"{what} {text!r} must not end with a blank")
    return reference


def _digits(value: str, pattern: re.Pattern[str], what: str, shape: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise SubmissionRefused(f"{what} {value!r} is not {shape}")
    return value


# --- Writing ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    sort_code: str
    account_number: str
    name: str


def _record(
    *,
    sort_code: str,
    account_number: str,
    code: str,
    origin: _Origin,
    amount_pence: int,
    user_field: str,
    reference: str,
    name: str,
) -> str:
    return (
        f"{sort_code}{account_number}{_ACCOUNT_TYPE}{code}{origin.sort_code}{origin.account_number}{_FREE_FORMAT}"
        f"{amount_pence:011d}{user_field:<18}{reference:<18}{name:<18}"
    )


def _checked_instruction(index: int, instruction: Instruction) -> Instruction:
    what = f"instruction {index} (reference {instruction.reference!r}):"
    code = instruction.transaction_code
    if code not in TRANSACTION_CODES:
        known = ", ".join(TRANSACTION_CODES)
        raise SubmissionRefused(f"{what} the transaction code {code!r} is not one Hearth sends ({known})")
    amount = instruction.amount_pence
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise SubmissionRefused(f"{what} the amount {amount!r} is not a whole number of pence")
    if code in INSTRUCTION_CODES:
        if amount != 0:
            raise SubmissionRefused(f"{what} an instruction record ({code}) moves no money; its amount must be 0")
    elif not 0 < amount <= _MAX_AMOUNT:
        raise SubmissionRefused(
            f"{what} the amount {amount}p must be more than 0 and at most {_MAX_AMOUNT}p (11 digits)"
        )
    return Instruction(
        destination_sort_code=_digits(
            instruction.destination_sort_code, _SORT_CODE, f"{what} the sort code", "6 digits"
        ),
        destination_account_number=_digits(
            instruction.destination_account_number, _ACCOUNT_NUMBER, f"{what} the account number", "8 digits"
        ),
        destination_name=_name(instruction.destination_name, f"{what} the payer's name"),
        transaction_code=code,
        amount_pence=amount,
        reference=_reference(instruction.reference, f"{what} the reference"),
    )


def _vol1(*, service_user_number: str, file_serial: str) -> str:
    return f"VOL1{file_serial} {' ' * 26}    {service_user_number}    {' ' * 28}1"


def _uhl1(*, service_user_number: str, processing_date: date) -> str:
    return f"UHL1{_julian(processing_date)}{service_user_number}    00000000{_WORK_CODE}{' ' * 43}"


def _labels(kind: str, *, service_user_number: str, file_serial: str, processing_date: date) -> list[str]:
    """HDR1+HDR2 or EOF1+EOF2: the same fields at the head and the end of the file."""
    file_identifier = f"A{service_user_number}S  1{service_user_number}"
    first = f"{kind}1{file_identifier}{file_serial}00010001{' ' * 6}{' ' * 6}{_julian(processing_date)}{' ' * 27}"
    second = f"{kind}2F0200000100{' ' * 65}"
    return [first, second]


def write_submission(
    *,
    service_user_number: str,
    service_user_name: str,
    originating_sort_code: str,
    originating_account_number: str,
    processing_date: date,
    file_serial: str,
    instructions: Sequence[Instruction],
) -> bytes:
    """Write a single-day Standard 18 submission: labels, one data record per instruction, contras, trailer.

    ``processing_date`` is day 2 of the cycle (see :func:`hearth.common.bacs.calendar.processing_day_for`): the
    collections are taken on the processing day after it. The same arguments always give the same bytes.

    :raises SubmissionRefused: if a field is not what Bacs takes (sort codes are 6 digits, account numbers 8, the
        file serial 6 digits or capital letters, the SUN 6 digits), a transaction code is unknown, an amount is
        negative or not zero for an instruction record, a reference does not fit, there is nothing to send, or the
        processing date is not a Bacs processing day.
    """
    sun = _digits(service_user_number, _SERVICE_USER_NUMBER, "the service user number", "6 digits")
    serial = _digits(file_serial, _FILE_SERIAL, "the file serial", "6 digits or capital letters")
    origin = _Origin(
        sort_code=_digits(originating_sort_code, _SORT_CODE, "the originating sort code", "6 digits"),
        account_number=_digits(
            originating_account_number, _ACCOUNT_NUMBER, "the originating account number", "8 digits"
        ),
        name=_name(service_user_name, "the service user's name"),
    )
    if not calendar.is_processing_day(processing_date):
        raise SubmissionRefused(
            f"the processing date {processing_date.isoformat()} is not a Bacs processing day "
            "(a weekend or a bank holiday in England and Wales)"
        )
    if not instructions:
        raise SubmissionRefused("there are no instructions to send")
    if len(instructions) > _MAX_COUNT:
        raise SubmissionRefused(f"{len(instructions)} instructions are more than one file holds ({_MAX_COUNT})")
    checked = [_checked_instruction(index, instruction) for index, instruction in enumerate(instructions, start=1)]

    debits = sum(item.amount_pence for item in checked if item.transaction_code in DEBIT_CODES)
    credits = sum(item.amount_pence for item in checked if item.transaction_code in CREDIT_CODES)
    for total, what in ((debits, "debits"), (credits, "credits")):
        if total > _MAX_AMOUNT:
            raise SubmissionRefused(
                f"the {what} total {total}p, more than the {_MAX_AMOUNT}p a contra record holds; split the file"
            )

    records = [
        _record(
            sort_code=item.destination_sort_code,
            account_number=item.destination_account_number,
            code=item.transaction_code,
            origin=origin,
            amount_pence=item.amount_pence,
            user_field=origin.name,
            reference=item.reference,
            name=item.destination_name,
        )
        for item in checked
    ]
    for total, code in ((debits, _CREDIT_CONTRA_CODE), (credits, _DEBIT_CONTRA_CODE)):
        if total:
            records.append(
                _record(
                    sort_code=origin.sort_code,
                    account_number=origin.account_number,
                    code=code,
                    origin=origin,
                    amount_pence=total,
                    user_field=f"FILE {serial}",
                    reference=CONTRA_REFERENCE,
                    name=origin.name,
                )
            )
    debit_count = sum(1 for item in checked if item.transaction_code in DEBIT_CODES) + (1 if credits else 0)
    credit_count = sum(1 for item in checked if item.transaction_code in CREDIT_CODES) + (1 if debits else 0)
    # Each side's value is its own records plus the contra balancing the other side: both come to debits + credits.
    side_total = debits + credits

    lines = [
        _vol1(service_user_number=sun, file_serial=serial),
        *_labels("HDR", service_user_number=sun, file_serial=serial, processing_date=processing_date),
        _uhl1(service_user_number=sun, processing_date=processing_date),
        *records,
        *_labels("EOF", service_user_number=sun, file_serial=serial, processing_date=processing_date),
        f"UTL1{side_total:013d}{side_total:013d}{debit_count:07d}{credit_count:07d}{' ' * 36}",
    ]
    return "".join(f"{line}\n" for line in lines).encode("ascii")


# --- Reading ---------------------------------------------------------------------------------------------------------


def _field(line_number: int, line: str, start: int, length: int, what: str, pattern: re.Pattern[str]) -> str:
    value = line[start - 1 : start - 1 + length]
    if not pattern.fullmatch(value):
        raise SubmissionUnreadable(line_number, f"{what} {value!r} (positions {start}-{start + length - 1}) is wrong")
    return value


def _expect(line_number: int, line: str, expected: str, what: str) -> None:
    if line != expected:
        raise SubmissionUnreadable(line_number, f"the {what} is not as this writer writes it: {line!r}")


def read_submission(data: bytes) -> Submission:
    """Read back a file :func:`write_submission` wrote, checking its labels, contras and trailer against its records.

    :raises SubmissionUnreadable: naming the line, if the file is not ASCII, a label or record is missing or has the
        wrong length or content, the contras do not balance the records, or the trailer's totals and counts are not
        the sums of the records.
    """
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        line_number = data.count(b"\n", 0, error.start) + 1
        raise SubmissionUnreadable(line_number, "the file is not plain ASCII text") from None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].startswith("VOL1"):
        raise SubmissionUnreadable(1, "a submission starts with a VOL1 label")
    minimum = 7  # VOL1, HDR1, HDR2, UHL1, EOF1, EOF2, UTL1
    if len(lines) < minimum + 1:
        raise SubmissionUnreadable(len(lines), "the file is too short to hold labels, a record and a trailer")
    for number, line in enumerate(lines, start=1):
        is_record = 4 < number <= len(lines) - 3
        expected = RECORD_LENGTH if is_record else LABEL_LENGTH
        if len(line) != expected:
            raise SubmissionUnreadable(number, f"the line has {len(line)} characters; expected {expected}")

    vol1, hdr1, hdr2, uhl1 = lines[:4]
    eof1, eof2, utl1 = lines[-3:]
    serial = _field(1, vol1, 5, 6, "the file serial", _FILE_SERIAL)
    sun = _field(1, vol1, 42, 6, "the service user number", _SERVICE_USER_NUMBER)
    _expect(1, vol1, _vol1(service_user_number=sun, file_serial=serial), "VOL1 label")
    processing_date = _from_julian(_field(4, uhl1, 5, 6, "the processing date", _JULIAN))
    head = _labels("HDR", service_user_number=sun, file_serial=serial, processing_date=processing_date)
    end = _labels("EOF", service_user_number=sun, file_serial=serial, processing_date=processing_date)
    _expect(2, hdr1, head[0], "HDR1 label")
    _expect(3, hdr2, head[1], "HDR2 label")
    _expect(4, uhl1, _uhl1(service_user_number=sun, processing_date=processing_date), "UHL1 label")
    eof_number = len(lines) - 2
    _expect(eof_number, eof1, end[0], "EOF1 label")
    _expect(eof_number + 1, eof2, end[1], "EOF2 label")

    origin: tuple[str, str] | None = None
    service_user_name: str | None = None
    instructions: list[Instruction] = []
    contras: dict[str, int] = {}
    values = {"debit": 0, "credit": 0}
    counts = {"debit": 0, "credit": 0}
    for number, line in enumerate(lines[4:-3], start=5):
        record_origin = (
            _field(number, line, 18, 6, "the originating sort code", _SORT_CODE),
            _field(number, line, 24, 8, "the originating account number", _ACCOUNT_NUMBER),
        )
        sort_code = _field(number, line, 1, 6, "the sort code", _SORT_CODE)
        account_number = _field(number, line, 7, 8, "the account number", _ACCOUNT_NUMBER)
        code = line[15:17]
        if line[14] != _ACCOUNT_TYPE or line[31:35] != _FREE_FORMAT:
            raise SubmissionUnreadable(number, "the account type (position 15) or free format (32-35) is wrong")
        if code not in TRANSACTION_CODES:
            raise SubmissionUnreadable(number, f"the transaction code {code!r} (positions 16-17) is unknown")
        amount = int(_field(number, line, 36, 11, "the amount", _DIGITS))
        user_field = line[46:64].rstrip()
        reference = line[64:82].rstrip()
        name = line[82:100].rstrip()
        if origin is None:
            origin = record_origin
        if record_origin != origin:
            raise SubmissionUnreadable(number, "the originating account differs from the first record's")
        if reference == CONTRA_REFERENCE:
            own = (sort_code, account_number) == origin
            if not own or code not in (_CREDIT_CONTRA_CODE, _DEBIT_CONTRA_CODE) or code in contras:
                raise SubmissionUnreadable(number, "a contra record must be one per side, to the service user")
            contras[code] = amount
        else:
            if service_user_name is None:
                service_user_name = user_field
            if user_field != service_user_name:
                raise SubmissionUnreadable(number, "the service user's name differs from the first record's")
            instructions.append(Instruction(sort_code, account_number, name, code, amount, reference))
        side = "debit" if code in DEBIT_CODES else "credit" if code in CREDIT_CODES else None
        if side is not None:
            values[side] += amount
            counts[side] += 1

    if origin is None or service_user_name is None:
        raise SubmissionUnreadable(eof_number, "the file holds no instructions, only contras")
    collected = sum(item.amount_pence for item in instructions if item.transaction_code in DEBIT_CODES)
    refunded = sum(item.amount_pence for item in instructions if item.transaction_code in CREDIT_CODES)
    for code, expected, what in ((_CREDIT_CONTRA_CODE, collected, "debits"), (_DEBIT_CONTRA_CODE, refunded, "credits")):
        if contras.get(code, 0) != expected:
            raise SubmissionUnreadable(
                eof_number - 1, f"the contra for the {what} is {contras.get(code, 0)}p; the {what} total {expected}p"
            )

    trailer_number = len(lines)
    if not utl1.startswith("UTL1") or utl1[44:] != " " * 36:
        raise SubmissionUnreadable(trailer_number, "a submission ends with a UTL1 trailer")
    debit_total = int(_field(trailer_number, utl1, 5, 13, "the debit total", _DIGITS))
    credit_total = int(_field(trailer_number, utl1, 18, 13, "the credit total", _DIGITS))
    debit_count = int(_field(trailer_number, utl1, 31, 7, "the debit count", _DIGITS))
    credit_count = int(_field(trailer_number, utl1, 38, 7, "the credit count", _DIGITS))
    trailer = (debit_total, credit_total, debit_count, credit_count)
    records = (values["debit"], values["credit"], counts["debit"], counts["credit"])
    if trailer != records:
        raise SubmissionUnreadable(
            trailer_number,
            f"the trailer says debits {debit_total}p in {debit_count}, credits {credit_total}p in {credit_count}; "
            f"the records hold debits {records[0]}p in {records[2]}, credits {records[1]}p in {records[3]}",
        )
    return Submission(
        service_user_number=sun,
        service_user_name=service_user_name,
        originating_sort_code=origin[0],
        originating_account_number=origin[1],
        processing_date=processing_date,
        file_serial=serial,
        instructions=tuple(instructions),
        debit_total_pence=debit_total,
        credit_total_pence=credit_total,
        debit_count=debit_count,
        credit_count=credit_count,
    )
