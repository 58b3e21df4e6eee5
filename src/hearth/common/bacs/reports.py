"""The Bacs reports a bank or bureau sends back, in their XML form: ARUDD, ADDACS and AUDDIS.

- **ARUDD** (Automated Return of Unpaid Direct Debits): collections the payer's bank did not pay, each with a reason.
- **ADDACS** (Automated Direct Debit Amendment and Cancellation Service): instructions (mandates) the payer's bank
  cancelled, moved to a new account, amended or re-instated.
- **AUDDIS** (Automated Direct Debit Instruction Service): what became of the instruction records (``0N``/``0C``/
  ``0S``) a submission lodged: the file accepted or rejected, and the instructions the payer's banks rejected.

**Shape followed.** Bacs publishes no schema for these; the element and attribute names below are those of reports
real banks produced, as kept in public repositories:

- ARUDD: the Oracle-generated ``newbacs-advices.xsd`` sample quoted in the test of a public ARUDD tech exercise
  (``findReturnedDebitItems``), and the ARUDD reader in ``cool725/so-sure-web`` (``src/AppBundle/Service/
  BacsService.php``, ``arudd()``)::

      BACSDocument/Data/ARUDD/Header[@currentProcessingDate]
                             /ServiceLicenseInformation[@userNumber @userName]
                             /Advice/OriginatingAccountRecords/OriginatingAccountRecord
                                 /OriginatingAccount[@name @number @sortCode]
                                 /ReturnedDebitItem[@ref @transCode @returnCode @returnDescription
                                                    @originalProcessingDate @valueOf @currency]
                                     /PayerAccount[@number @ref @name @sortCode]
                                 /Totals[@numberOf @valueOf @currency]

- ADDACS and AUDDIS: the Lloyds-signed samples in ``cool725/so-sure-web`` (``src/AppBundle/Tests/Resources/bacs/
  ADDACS.xml``, ``AUDDIS.xml``, ``AUDDIS-error.xml``) and its readers ``addacs()`` and ``auddis()``::

      BACSDocument/Data/MessagingAdvices/MessagingHeader[@advice-type @user-number @user-name
                                                         @report-generation-date]
                                        /MessagingAdvice[@record-type @reference @reason-code @payer-name
                                                         @payer-sort-code @payer-account-number @effective-date
                                                         @due-date @payer-new-sort-code @payer-new-account-number]
                                        /MessagingError[@line1 @line2 ...]

  ``advice-type`` is ``ADDACS``, or for AUDDIS ``AUDACC`` (file accepted) or ``AUDREJ`` (file rejected). An AUDDIS
  ``MessagingAdvice`` with ``record-type`` ``V`` (accepted) or ``R`` (rejected) describes a whole submitted file
  (``originator-file-number``, ``vol-serial-number``, ``processing-date``, ``file-type``, ``accepted-ddi``,
  ``rejected-ddi``, ``file-error-code``), and the ``MessagingError`` after it says why; any other record type is one
  rejected instruction. *Assumed* (no public sample shows them): an AUDDIS instruction carries the same payer
  attributes as ADDACS plus ``transaction-code``, and an ADDACS amendment may carry ``payer-new-name``.

**ARUDD reasons.** The XML's ``returnCode`` is the bank's own four-digit code (``0128``, ``1012`` in the samples);
the public ARUDD reason (0-9, A, B) is named by ``returnDescription`` ("REFER TO PAYER", "INSTRUCTION CANCELLED").
The reason code is therefore ``returnCode`` when it is itself one of the public codes, otherwise the code whose
description matches ``returnDescription``; the bank's code is kept in :attr:`ReportItem.return_code`.

**Reason tables** (module constants) follow the public descriptions: the Bacs reason-code tables published by
Numeral (docs.numeral.io/reference/bacs-reason-codes), Modulr (Direct Debit mandate webhook documentation), Access
PaySuite (accesspaysuite.com/blog/arudd-reason-codes) and DOMAIN.md. DOMAIN.md gives ADDACS 0 as "cancelled by
payer" and 1 as "cancelled by bank"; every public table gives 0 as "instruction cancelled - refer to payer" (the
payer's bank cancelled it) and 1 as "instruction cancelled by payer", and so does so-sure's reader: this module
follows the public tables.

**Bad input.** :func:`parse_report` raises :class:`ReportUnreadable` only when the file as a whole cannot be read
(not XML, not one of these reports, or declaring a document type). Anything wrong with one item (an unknown reason
code, no reference, an amount or date that is not one) never raises and is never lost: it comes back as a
:class:`ReportProblem` with its line number and the item's XML, so care staff can see it and replay it.

**Safety.** ``defusedxml`` is not among Hearth's dependencies. The parser is the standard library's expat, and it
refuses any document type declaration (``<!DOCTYPE``) the moment expat meets it, before anything inside it is read:
entities (the "billion laughs" expansion, or external entities reading local files) can only be declared there.
Bacs reports never declare one.

:func:`write_report` writes a :class:`Report` back in the same shape (its problems left out); the fake bank uses it
to simulate reports, and ``parse_report(write_report(report))`` gives back the report.
"""

import dataclasses
import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final, Literal, TypeVar
from xml.parsers import expat

from hearth.common.bacs import standard18

__all__ = [
    "ADDACS_REASONS",
    "ARUDD_REASONS",
    "AUDDIS_REASONS",
    "Report",
    "ReportItem",
    "ReportKind",
    "ReportProblem",
    "ReportUnreadable",
    "SubmissionOutcome",
    "parse_report",
    "write_report",
]

ReportKind = Literal["ARUDD", "ADDACS", "AUDDIS"]

ARUDD_REASONS: Final = {
    "0": "Refer to payer",
    "1": "Instruction cancelled",
    "2": "Payer deceased",
    "3": "Account transferred",
    "4": "Advance notice disputed",
    "5": "No account (or wrong account type)",
    "6": "No instruction",
    "7": "Amount differs",
    "8": "Amount not yet due",
    "9": "Presentation overdue",
    "A": "Service user differs",
    "B": "Account closed",
}
"""Why a collection came back unpaid (ARUDD)."""

ADDACS_REASONS: Final = {
    "0": "Instruction cancelled by the payer's bank - refer to payer",
    "1": "Instruction cancelled by the payer",
    "2": "Payer deceased",
    "3": "Account transferred to a new bank or building society",
    "B": "Account closed",
    "C": "Account transferred to a different branch of the bank or building society",
    "D": "Advance notice disputed",
    "E": "Instruction amended",
    "R": "Instruction re-instated",
}
"""What the payer's bank did to an instruction (ADDACS). For 3 and C the advice carries the new account details."""

AUDDIS_REASONS: Final = {
    "1": "Instruction cancelled by the payer",
    "2": "Payer deceased",
    "3": "Account transferred",
    "5": "No account",
    "6": "No instruction",
    "7": "Instruction amount not zero",
    "B": "Account closed",
    "C": "Account transferred to a different branch of the bank or building society",
    "F": "Invalid account type",
    "G": "Bank will not accept Direct Debits on the account",
    "H": "Instruction has expired",
    "I": "Payer reference is not unique",
    "K": "Instruction cancelled by the payer's bank",
    "L": "Incorrect payer's account details",
    "M": "Transaction code incompatible with the service user's status",
    "N": "Transaction disallowed at the payer's branch",
    "O": "Invalid reference",
    "P": "Payer's name not present",
    "Q": "Service user's name is blank",
}
"""Why the payer's bank rejected an instruction record (AUDDIS): Modulr's and Numeral's tables (7 from Modulr and
so-sure; Numeral leaves it out)."""

_ARUDD_ALIASES: Final = {
    "NO ACCOUNT": "5",  # the short form most reports print
    "ORIGINATOR DIFFERS": "A",  # SlimPay's wording for "service user differs"
}

_CURRENCY: Final = "GBP"
_ADDACS_ADVICE: Final = "ADDACS"
_AUDDIS_ADVICES: Final = frozenset({"AUDDIS", "AUDACC", "AUDREJ"})
_FILE_ACCEPTED: Final = "V"
_FILE_REJECTED: Final = "R"
_AMOUNT: Final = re.compile(r"([0-9]{1,11})(?:\.([0-9]{1,2}))?")
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SORT_CODE: Final = re.compile(r"[0-9]{6}")
_ACCOUNT_NUMBER: Final = re.compile(r"[0-9]{8}")
_COUNT: Final = re.compile(r"[0-9]{1,9}")
_EMPTY_ERROR: Final = frozenset({"", "0"})
"""What an empty MessagingError line holds in the samples."""


class ReportUnreadable(ValueError):
    """The file as a whole is not an ARUDD, ADDACS or AUDDIS report Hearth can read; the message says why."""


@dataclass(frozen=True)
class ReportItem:
    """One returned collection (ARUDD), instruction change (ADDACS) or rejected instruction (AUDDIS)."""

    line: int = field(compare=False)
    """Where the item starts in the file (not compared: it is where the item was, not what it says)."""
    reference: str
    """The payer's mandate reference, as the submission sent it."""
    reason_code: str
    reason: str
    """The public description of the reason code."""
    amount_pence: int | None = None
    """ARUDD: the unpaid amount."""
    transaction_code: str | None = None
    """ARUDD: the collection's code (01/17/18/19); AUDDIS: the instruction record's (0N/0C/0S)."""
    due_date: date | None = None
    """ADDACS: the due date the advice gives."""
    payer_name: str = ""
    payer_sort_code: str | None = None
    payer_account_number: str | None = None
    new_sort_code: str | None = None
    """ADDACS 3 and C: where the instruction now lives."""
    new_account_number: str | None = None
    new_name: str | None = None
    effective_date: date | None = None
    """ADDACS and AUDDIS: when the change takes effect."""
    original_processing_date: date | None = None
    """ARUDD: the processing day (day 2) of the collection that came back."""
    return_code: str | None = None
    """ARUDD: the bank's own four-digit return code, when it sent one rather than the public reason code."""
    record_type: str | None = None
    """ADDACS and AUDDIS: the advice's ``record-type`` (``A`` in ADDACS samples)."""


@dataclass(frozen=True)
class SubmissionOutcome:
    """AUDDIS: what became of one submitted file (a ``V`` or ``R`` record)."""

    line: int = field(compare=False)
    file_serial: str
    """The submission's volume serial number (VOL1), to find the file it answers."""
    file_number: str
    processing_date: date | None
    file_type: str
    """``LIVE`` or ``TEST``: instructions in a test file are not lodged."""
    accepted_instructions: int
    rejected_instructions: int
    rejected: bool
    """The whole file was rejected (record type ``R``): none of its instructions were lodged."""
    error_code: str = ""
    errors: tuple[str, ...] = ()
    """The lines of the ``MessagingError`` that follows, in plain words from Bacs."""


@dataclass(frozen=True)
class ReportProblem:
    """Something in the report that could not be read, where it is, and the XML it came from."""

    line: int
    reason: str
    raw: str


@dataclass(frozen=True)
class Report:
    """A parsed report: its items, and the problems kept for care staff instead of being lost."""

    kind: ReportKind
    report_date: date | None
    """ARUDD: the current processing date; ADDACS and AUDDIS: the report's generation date."""
    items: list[ReportItem]
    problems: list[ReportProblem] = field(default_factory=list)
    service_user_number: str = ""
    service_user_name: str = ""
    submissions: list[SubmissionOutcome] = field(default_factory=list)
    """AUDDIS only: one outcome per submitted file."""


# --- Safe XML --------------------------------------------------------------------------------------------------------


class _DocumentTypeRefused(Exception):
    """Raised from inside expat the moment it meets a document type declaration."""


def _local(name: str) -> str:
    """A tag or attribute name without its namespace prefix."""
    return name.rpartition(":")[2]


def _read_xml(data: bytes) -> tuple[ET.Element, dict[int, int]]:
    """The element tree and each element's line number (keyed by ``id``), refusing any document type."""
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate()

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(_local(tag), {_local(key): value for key, value in attributes.items()})
        lines[id(element)] = parser.CurrentLineNumber

    def end(tag: str) -> None:
        builder.end(_local(tag))

    def refuse(*_: object) -> None:
        raise _DocumentTypeRefused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except _DocumentTypeRefused:
        raise ReportUnreadable(
            f"line {parser.CurrentLineNumber}: the file declares a document type (<!DOCTYPE>). Bacs reports never "
            "do, and Hearth refuses them: a document type can define entities that expand without limit or read "
            "other files."
        ) from None
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code)
        raise ReportUnreadable(
            f"the file is not well-formed XML: {reason} at line {error.lineno}, column {error.offset + 1}"
        ) from None
    except (LookupError, ValueError) as error:  # an unknown or multi-byte encoding named in the XML declaration
        raise ReportUnreadable(f"the file's XML declaration names an encoding Hearth cannot read ({error})") from None
    return builder.close(), lines


# --- Reading ---------------------------------------------------------------------------------------------------------


class _ItemProblem(ValueError):
    """One item's problem; becomes a ReportProblem."""


_RAW_DEPTH: Final = 3
"""How deep a problem's XML goes: an item and its PayerAccount, with room to spare, never a whole hostile tree."""


def _trimmed(element: ET.Element, depth: int) -> ET.Element:
    copy = ET.Element(element.tag, element.attrib)
    if depth > 1:
        copy.extend(_trimmed(child, depth - 1) for child in element)
    return copy


def _raw(element: ET.Element) -> str:
    return ET.tostring(_trimmed(element, _RAW_DEPTH), encoding="unicode")


def _text(element: ET.Element, name: str) -> str:
    return element.get(name, "").strip()


def _optional_date(element: ET.Element, name: str) -> date | None:
    value = _text(element, name)
    if not value:
        return None
    if not _ISO_DATE.fullmatch(value):
        raise _ItemProblem(f"the {name} {value!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _ItemProblem(f"the {name} {value!r} is not a real date") from None


def _optional_sort_code(element: ET.Element, name: str) -> str | None:
    value = _text(element, name)
    if not value:
        return None
    digits = value.replace("-", "").replace(" ", "")
    if not _SORT_CODE.fullmatch(digits):
        raise _ItemProblem(f"the {name} {value!r} is not a sort code (6 digits)")
    return digits


def _optional_account_number(element: ET.Element, name: str) -> str | None:
    value = _text(element, name)
    if not value:
        return None
    if not _ACCOUNT_NUMBER.fullmatch(value):
        raise _ItemProblem(f"the {name} {value!r} is not an account number (8 digits)")
    return value


def _pence(value: str, what: str) -> int:
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise _ItemProblem(f"{what} {value!r} is not an amount in pounds and pence")
    pounds, pence = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(pounds) * 100 + int(pence)


def _transaction_code(element: ET.Element, name: str) -> str | None:
    value = _text(element, name)
    if not value:
        return None
    if value not in standard18.TRANSACTION_CODES:
        raise _ItemProblem(f"the {name} {value!r} is not a Standard 18 transaction code")
    return value


def _reference(element: ET.Element, name: str) -> str:
    reference = _text(element, name)
    if not reference:
        raise _ItemProblem("the item has no reference, so it cannot be matched to a mandate")
    return reference


def _reason(code: str, table: dict[str, str], kind: str) -> str:
    if not code:
        raise _ItemProblem("the item has no reason code")
    if code not in table:
        raise _ItemProblem(f"the reason code {code!r} is not an {kind} reason code Hearth knows")
    return table[code]


def _words(text: str) -> str:
    """Upper-case letters and digits separated by single blanks, for matching descriptions."""
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", text.upper()).split())


_ARUDD_BY_DESCRIPTION: Final = {
    **{_words(description): code for code, description in ARUDD_REASONS.items()},
    **_ARUDD_ALIASES,
}


def _arudd_reason(item: ET.Element) -> tuple[str, str | None]:
    """(the public reason code, the bank's own return code or None)."""
    return_code = _text(item, "returnCode")
    if return_code in ARUDD_REASONS:
        return return_code, None
    description = _text(item, "returnDescription")
    code = _ARUDD_BY_DESCRIPTION.get(_words(description))
    if code is None:
        raise _ItemProblem(f"the return code {return_code!r} ({description!r}) is not an ARUDD reason Hearth knows")
    return code, return_code or None


_Read = TypeVar("_Read")


@dataclass
class _Reader:
    """Collects items, outcomes and problems, turning every item's failure into a problem."""

    lines: dict[int, int]
    items: list[ReportItem] = field(default_factory=list)
    problems: list[ReportProblem] = field(default_factory=list)
    submissions: list[SubmissionOutcome] = field(default_factory=list)

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 0)

    def problem(self, element: ET.Element, reason: str) -> None:
        self.problems.append(ReportProblem(self.line(element), reason, _raw(element)))

    def keep(self, element: ET.Element, reading: Callable[[ET.Element, int], _Read], into: list[_Read]) -> None:
        """Read ``element`` into ``into``, or keep it as a problem saying why it could not be read."""
        try:
            into.append(reading(element, self.line(element)))
        except _ItemProblem as problem:
            self.problem(element, str(problem))


def _children(parent: ET.Element | None, tag: str) -> Iterator[ET.Element]:
    return iter(()) if parent is None else (child for child in parent if child.tag == tag)


def _header_date(reader: _Reader, element: ET.Element | None, name: str) -> date | None:
    if element is None:
        return None
    try:
        return _optional_date(element, name)
    except _ItemProblem as problem:
        reader.problem(element, f"the report's {problem}")
        return None


def _read_arudd(arudd: ET.Element, reader: _Reader) -> Report:
    header = arudd.find("Header")
    licence = arudd.find("ServiceLicenseInformation")
    records = arudd.find("Advice/OriginatingAccountRecords")
    for record in _children(records, "OriginatingAccountRecord"):
        returned = [child for child in record if child.tag == "ReturnedDebitItem"]
        before = len(reader.items)
        for item in returned:
            reader.keep(item, _returned_debit, reader.items)
        for child in record:
            if child.tag not in {"OriginatingAccount", "ReturnedDebitItem", "Totals"}:
                reader.problem(child, f"<{child.tag}> is not part of an ARUDD record; Hearth does not know it")
        read = reader.items[before:]
        all_read = len(read) == len(returned)
        for totals in _children(record, "Totals"):
            try:
                _check_totals(totals, len(returned), read, all_read)
            except _ItemProblem as problem:
                reader.problem(totals, str(problem))
    return Report(
        kind="ARUDD",
        report_date=_header_date(reader, header, "currentProcessingDate"),
        items=reader.items,
        problems=reader.problems,
        service_user_number="" if licence is None else _text(licence, "userNumber"),
        service_user_name="" if licence is None else _text(licence, "userName"),
    )


def _returned_debit(item: ET.Element, line: int) -> ReportItem:
    reason_code, return_code = _arudd_reason(item)
    currency = _text(item, "currency")
    if currency and currency != _CURRENCY:
        raise _ItemProblem(f"the currency is {currency!r}; Hearth collects in pounds ({_CURRENCY})")
    value = _text(item, "valueOf")
    payer = item.find("PayerAccount")
    return ReportItem(
        line=line,
        reference=_reference(item, "ref"),
        reason_code=reason_code,
        reason=ARUDD_REASONS[reason_code],
        amount_pence=_pence(value, "the value") if value else None,
        transaction_code=_transaction_code(item, "transCode"),
        payer_name="" if payer is None else _text(payer, "name"),
        payer_sort_code=None if payer is None else _optional_sort_code(payer, "sortCode"),
        payer_account_number=None if payer is None else _optional_account_number(payer, "number"),
        original_processing_date=_optional_date(item, "originalProcessingDate"),
        return_code=return_code,
    )


def _check_totals(totals: ET.Element, count: int, read: list[ReportItem], all_read: bool) -> None:
    """The bank's totals against the items listed: a difference means an item went missing on the way."""
    number = _text(totals, "numberOf")
    if not _COUNT.fullmatch(number):
        raise _ItemProblem(f"the totals' numberOf {number!r} is not a whole number")
    if int(number) != count:
        raise _ItemProblem(f"the totals count {number} items but the record lists {count}; an item may be missing")
    value = _text(totals, "valueOf")
    if value and all_read:
        listed = sum(item.amount_pence or 0 for item in read)
        if _pence(value, "the totals' value") != listed:
            raise _ItemProblem(f"the totals come to {value} but the items listed come to {Decimal(listed) / 100}")


def _messaging_advice(kind: ReportKind, table: dict[str, str], advice: ET.Element, line: int) -> ReportItem:
    reason_code = _text(advice, "reason-code")
    return ReportItem(
        line=line,
        reference=_reference(advice, "reference"),
        reason_code=reason_code,
        reason=_reason(reason_code, table, kind),
        transaction_code=_transaction_code(advice, "transaction-code"),
        due_date=_optional_date(advice, "due-date"),
        payer_name=_text(advice, "payer-name"),
        payer_sort_code=_optional_sort_code(advice, "payer-sort-code"),
        payer_account_number=_optional_account_number(advice, "payer-account-number"),
        new_sort_code=_optional_sort_code(advice, "payer-new-sort-code"),
        new_account_number=_optional_account_number(advice, "payer-new-account-number"),
        new_name=_text(advice, "payer-new-name") or None,
        effective_date=_optional_date(advice, "effective-date"),
        record_type=_text(advice, "record-type") or None,
    )


def _count(advice: ET.Element, name: str) -> int:
    value = _text(advice, name) or "0"
    if not _COUNT.fullmatch(value):
        raise _ItemProblem(f"the {name} {value!r} is not a whole number")
    return int(value)


def _submission_outcome(advice: ET.Element, line: int) -> SubmissionOutcome:
    return SubmissionOutcome(
        line=line,
        file_serial=_text(advice, "vol-serial-number"),
        file_number=_text(advice, "originator-file-number"),
        processing_date=_optional_date(advice, "processing-date"),
        file_type=_text(advice, "file-type"),
        accepted_instructions=_count(advice, "accepted-ddi"),
        rejected_instructions=_count(advice, "rejected-ddi"),
        rejected=_text(advice, "record-type") == _FILE_REJECTED,
        error_code=_text(advice, "file-error-code"),
    )


def _error_lines(error: ET.Element) -> tuple[str, ...]:
    """The MessagingError's line1, line2... in order, leaving out the empty ones ("0" in the samples)."""
    numbered = sorted(
        (int(name[4:]), value.strip())
        for name, value in error.attrib.items()
        if name.startswith("line") and name[4:].isdecimal()
    )
    return tuple(value for _, value in numbered if value not in _EMPTY_ERROR)


def _read_messaging(kind: ReportKind, advices: ET.Element, header: ET.Element, reader: _Reader) -> Report:
    table = ADDACS_REASONS if kind == "ADDACS" else AUDDIS_REASONS
    for child in advices:
        if child.tag == "MessagingAdvice":
            record_type = _text(child, "record-type")
            if kind == "AUDDIS" and record_type in {_FILE_ACCEPTED, _FILE_REJECTED}:
                reader.keep(child, _submission_outcome, reader.submissions)
            else:
                reader.keep(child, functools.partial(_messaging_advice, kind, table), reader.items)
        elif child.tag == "MessagingError":
            errors = _error_lines(child)
            if errors and reader.submissions:
                last = reader.submissions[-1]
                reader.submissions[-1] = dataclasses.replace(last, errors=last.errors + errors)
            elif errors:
                reader.problem(child, "an error message with no file record before it: " + "; ".join(errors))
        elif child.tag not in {"MessagingHeader", "AddresseeInformation"}:
            reader.problem(child, f"<{child.tag}> is not part of an {kind} report; Hearth does not know it")
    return Report(
        kind=kind,
        report_date=_header_date(reader, header, "report-generation-date"),
        items=reader.items,
        problems=reader.problems,
        service_user_number=_text(header, "user-number"),
        service_user_name=_text(header, "user-name"),
        submissions=reader.submissions,
    )


def parse_report(data: bytes) -> Report:
    """Read an ARUDD, ADDACS or AUDDIS report in its XML form.

    :raises ReportUnreadable: if the bytes are not well-formed XML, declare a document type, or are not one of these
        reports. Problems with single items never raise: they come back in :attr:`Report.problems`.
    """
    if not data.strip():
        raise ReportUnreadable("the file is empty")
    root, lines = _read_xml(data)
    if root.tag != "BACSDocument":
        raise ReportUnreadable(
            f"the file is XML but not a Bacs report: it starts with <{root.tag}>, not <BACSDocument>"
        )
    reader = _Reader(lines)
    arudd = root.find("Data/ARUDD")
    if arudd is not None:
        return _read_arudd(arudd, reader)
    advices = root.find("Data/MessagingAdvices")
    header = None if advices is None else advices.find("MessagingHeader")
    if advices is None or header is None:
        raise ReportUnreadable("the Bacs document holds neither an ARUDD report nor messaging advices (ADDACS, AUDDIS)")
    advice_type = _text(header, "advice-type")
    if advice_type == _ADDACS_ADVICE:
        return _read_messaging("ADDACS", advices, header, reader)
    if advice_type in _AUDDIS_ADVICES:
        return _read_messaging("AUDDIS", advices, header, reader)
    raise ReportUnreadable(f"the advice type {advice_type!r} is not ADDACS or AUDDIS; Hearth does not read it")


# --- Writing ---------------------------------------------------------------------------------------------------------


def _attributes(**values: str | None) -> dict[str, str]:
    """XML attributes from keyword arguments (``_`` for ``-``), leaving out the ones that are None."""
    return {name.replace("_", "-"): value for name, value in values.items() if value is not None}


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def _dashed(sort_code: str | None) -> str | None:
    return None if sort_code is None else f"{sort_code[:2]}-{sort_code[2:4]}-{sort_code[4:]}"


def _write_arudd(report: Report, data: ET.Element) -> None:
    arudd = ET.SubElement(data, "ARUDD")
    ET.SubElement(arudd, "Header", _attributes(currentProcessingDate=_iso(report.report_date)))
    ET.SubElement(
        arudd,
        "ServiceLicenseInformation",
        {"userName": report.service_user_name, "userNumber": report.service_user_number},
    )
    records = ET.SubElement(ET.SubElement(arudd, "Advice"), "OriginatingAccountRecords")
    record = ET.SubElement(records, "OriginatingAccountRecord")
    ET.SubElement(record, "OriginatingAccount", {"name": report.service_user_name})
    for item in report.items:
        returned = ET.SubElement(
            record,
            "ReturnedDebitItem",
            _attributes(
                ref=item.reference,
                transCode=item.transaction_code,
                returnCode=item.return_code or item.reason_code,
                returnDescription=item.reason.upper(),
                originalProcessingDate=_iso(item.original_processing_date),
                valueOf=None if item.amount_pence is None else _pounds(item.amount_pence),
                currency=_CURRENCY,
            ),
        )
        ET.SubElement(
            returned,
            "PayerAccount",
            _attributes(
                number=item.payer_account_number,
                ref=item.reference,
                name=item.payer_name,
                sortCode=_dashed(item.payer_sort_code),
            ),
        )
    total = sum(item.amount_pence or 0 for item in report.items)
    ET.SubElement(
        record, "Totals", {"numberOf": str(len(report.items)), "valueOf": _pounds(total), "currency": _CURRENCY}
    )


def _write_messaging(report: Report, data: ET.Element) -> None:
    advices = ET.SubElement(data, "MessagingAdvices")
    if report.kind == "ADDACS":
        advice_type = _ADDACS_ADVICE
    else:
        advice_type = "AUDREJ" if any(outcome.rejected for outcome in report.submissions) else "AUDACC"
    ET.SubElement(
        advices,
        "MessagingHeader",
        _attributes(
            advice_type=advice_type,
            user_number=report.service_user_number,
            user_name=report.service_user_name,
            report_generation_date=_iso(report.report_date),
        ),
    )
    for outcome in report.submissions:
        ET.SubElement(
            advices,
            "MessagingAdvice",
            _attributes(
                user_number=report.service_user_number,
                record_type=_FILE_REJECTED if outcome.rejected else _FILE_ACCEPTED,
                processing_date=_iso(outcome.processing_date),
                originator_file_number=outcome.file_number,
                file_type=outcome.file_type,
                accepted_ddi=str(outcome.accepted_instructions),
                rejected_ddi=str(outcome.rejected_instructions),
                vol_serial_number=outcome.file_serial,
                file_error_code=outcome.error_code,
            ),
        )
        if outcome.errors:
            lines = {f"line{number}": text for number, text in enumerate(outcome.errors, start=1)}
            ET.SubElement(advices, "MessagingError", lines)
    for item in report.items:
        ET.SubElement(
            advices,
            "MessagingAdvice",
            _attributes(
                user_number=report.service_user_number,
                record_type=item.record_type,
                effective_date=_iso(item.effective_date),
                reference=item.reference,
                payer_name=item.payer_name,
                payer_account_number=item.payer_account_number,
                payer_sort_code=item.payer_sort_code,
                reason_code=item.reason_code,
                transaction_code=item.transaction_code,
                due_date=_iso(item.due_date),
                payer_new_account_number=item.new_account_number,
                payer_new_sort_code=item.new_sort_code,
                payer_new_name=item.new_name,
            ),
        )


def write_report(report: Report) -> bytes:
    """Write ``report`` as the XML its bank would send (UTF-8, one element a line); its problems are left out."""
    root = ET.Element("BACSDocument")
    data = ET.SubElement(root, "Data")
    if report.kind == "ARUDD":
        _write_arudd(report, data)
    else:
        _write_messaging(report, data)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
