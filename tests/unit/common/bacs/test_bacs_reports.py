"""ARUDD, ADDACS and AUDDIS reports in XML: every reason code read, bad items kept as problems with their line,
hostile XML refused, and write -> parse giving the report back.

The documents below are written for these tests in the shape of the public samples the module cites (element and
attribute names as real banks send them); the names, numbers and references are made up.
"""

import contextlib
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common.bacs import reports
from hearth.common.bacs.reports import Report, ReportItem, ReportUnreadable, SubmissionOutcome


def _arudd(*items: str, totals: str = "", header: str = 'currentProcessingDate="2026-12-31"') -> bytes:
    """An ARUDD with the given ReturnedDebitItem lines. Line 1 is the declaration; the first item is on line 10."""
    lines = [
        '<?xml version="1.0" encoding="ISO-8859-1"?>',
        '<BACSDocument xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        "<Data>",
        "<ARUDD>",
        f'<Header reportType="REFT1234" adviceNumber="000" {header}/>',
        '<ServiceLicenseInformation userName="HEARTH ENERGY" userNumber="123456"/>',
        "<Advice><OriginatingAccountRecords>",
        "<OriginatingAccountRecord>",
        '<OriginatingAccount name="HEARTH ENERGY" number="55779911" sortCode="20-00-00" type="0"/>',
        *items,
        *([totals] if totals else []),
        "</OriginatingAccountRecord>",
        "</OriginatingAccountRecords></Advice>",
        "</ARUDD>",
        "</Data>",
        "<SignatureMethod>Vanilla</SignatureMethod><Signature>MIIPQw</Signature>",
        "</BACSDocument>",
    ]
    return "\n".join(lines).encode("latin-1", "xmlcharrefreplace")


def _returned(
    ref: str = "HEARTH-000001",
    code: str = "0128",
    description: str = "REFER TO PAYER",
    value: str = "65.00",
    processed: str = "2026-12-24",
    payer: str = 'number="12345678" name="FRED SMITH" sortCode="40-12-34"',
) -> str:
    """One ReturnedDebitItem on one line, its PayerAccount inside."""
    return (
        f'<ReturnedDebitItem ref="{ref}" transCode="17" returnCode="{code}" returnDescription="{description}" '
        f'originalProcessingDate="{processed}" valueOf="{value}" currency="GBP">'
        f'<PayerAccount ref="{ref}" {payer}/></ReturnedDebitItem>'
    )


def _messaging(advice_type: str, *advices: str) -> bytes:
    """An ADDACS or AUDDIS document. The first advice is on line 6."""
    lines = [
        "<?xml version = '1.0' encoding = 'UTF-8'?>",
        '<BACSDocument xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        "<Data><MessagingAdvices>",
        f'<MessagingHeader document-number="0" advice-type="{advice_type}" user-number="123456" '
        'user-name="HEARTH ENERGY" report-generation-date="2027-01-05" stream-identifier="0"/>',
        '<AddresseeInformation name=" "/>',
        *advices,
        "</MessagingAdvices></Data>",
        "<SignatureMethod>Vanilla</SignatureMethod>",
        "</BACSDocument>",
    ]
    return "\n".join(lines).encode("utf-8")


def _addacs_advice(reason: str = "1", reference: str = "HEARTH-000001", extra: str = "") -> str:
    return (
        f'<MessagingAdvice user-number="123456" record-type="A" effective-date="2027-01-05" reference="{reference}" '
        f'payer-name="J SMITH" payer-account-number="12345678" payer-sort-code="401234" reason-code="{reason}" '
        f'aosn="00000001" {extra}/>'
    )


# --- ARUDD ----------------------------------------------------------------------------------------------------------


def test_arudd_items_are_read_with_their_payer_and_amount() -> None:
    report = reports.parse_report(
        _arudd(
            _returned(),
            _returned(ref="HEARTH-000002", code="1012", description="INSTRUCTION CANCELLED", value="60.5"),
            totals='<Totals numberOf="2" valueOf="125.50" currency="GBP"/>',
        )
    )
    assert report.kind == "ARUDD"
    assert report.report_date == date(2026, 12, 31)
    assert (report.service_user_number, report.service_user_name) == ("123456", "HEARTH ENERGY")
    assert report.problems == []
    first, second = report.items
    assert first == ReportItem(
        line=10,
        reference="HEARTH-000001",
        reason_code="0",
        reason="Refer to payer",
        amount_pence=6500,
        transaction_code="17",
        payer_name="FRED SMITH",
        payer_sort_code="401234",
        payer_account_number="12345678",
        original_processing_date=date(2026, 12, 24),
        return_code="0128",
    )
    assert first.line == 10
    assert (second.line, second.reason_code, second.amount_pence) == (11, "1", 6050)


@pytest.mark.parametrize(("code", "description"), sorted(reports.ARUDD_REASONS.items()))
def test_every_arudd_reason_is_read_from_its_description(code: str, description: str) -> None:
    report = reports.parse_report(_arudd(_returned(code="0999", description=description.upper())))
    assert [(item.reason_code, item.reason, item.return_code) for item in report.items] == [(code, description, "0999")]


@pytest.mark.parametrize("code", sorted(reports.ARUDD_REASONS))
def test_every_arudd_reason_is_read_from_a_public_code(code: str) -> None:
    report = reports.parse_report(_arudd(_returned(code=code, description="")))
    assert [(item.reason_code, item.return_code) for item in report.items] == [(code, None)]


@pytest.mark.parametrize(
    ("description", "code"),
    [("NO ACCOUNT", "5"), ("Originator differs", "A"), ("refer  to payer.", "0"), ("ACCOUNT CLOSED", "B")],
)
def test_arudd_descriptions_are_matched_on_their_words(description: str, code: str) -> None:
    assert reports.parse_report(_arudd(_returned(description=description))).items[0].reason_code == code


def test_bad_arudd_items_are_kept_as_problems_with_their_line_and_the_good_ones_are_read() -> None:
    report = reports.parse_report(
        _arudd(
            _returned(ref="HEARTH-000001"),  # line 10: fine
            _returned(ref="HEARTH-000002", code="0999", description="BANK ON STRIKE"),  # 11
            _returned(ref=""),  # 12
            _returned(ref="HEARTH-000004", value="12.345"),  # 13
            _returned(ref="HEARTH-000005", value="£12.00"),  # 14
            _returned(ref="HEARTH-000006", processed="2026-12-1"),  # 15
            _returned(ref="HEARTH-000007", processed="2027-02-30"),  # 16
            _returned(ref="HEARTH-000008", payer='number="1234" name="X" sortCode="40-12-34"'),  # 17
            _returned(ref="HEARTH-000009", payer='number="12345678" name="X" sortCode="40-12"'),  # 18
            _returned(ref="HEARTH-000010").replace('currency="GBP"', 'currency="EUR"'),  # 19
            _returned(ref="HEARTH-000011").replace('transCode="17"', 'transCode="42"'),  # 20
            _returned(ref="HEARTH-000012"),  # 21: fine
        )
    )
    assert [item.reference for item in report.items] == ["HEARTH-000001", "HEARTH-000012"]
    assert [item.line for item in report.items] == [10, 21]
    problems = {problem.line: problem for problem in report.problems}
    assert sorted(problems) == list(range(11, 21))
    expected = {
        11: "the return code '0999' ('BANK ON STRIKE') is not an ARUDD reason Hearth knows",
        12: "the item has no reference",
        13: "the value '12.345' is not an amount in pounds and pence",
        14: "the value '£12.00' is not an amount",
        15: "the originalProcessingDate '2026-12-1' is not a date written YYYY-MM-DD",
        16: "the originalProcessingDate '2027-02-30' is not a real date",
        17: "the number '1234' is not an account number (8 digits)",
        18: "the sortCode '40-12' is not a sort code (6 digits)",
        19: "the currency is 'EUR'; Hearth collects in pounds (GBP)",
        20: "the transCode '42' is not a Standard 18 transaction code",
    }
    for line, reason in expected.items():
        assert reason in problems[line].reason, line
        assert problems[line].raw.startswith("<ReturnedDebitItem"), line
        assert "<PayerAccount" in problems[line].raw, "the raw XML keeps the payer's account to replay"
    assert 'ref="HEARTH-000004"' in problems[13].raw


def test_arudd_totals_that_disagree_with_the_items_are_a_problem() -> None:
    # Items on lines 10 and 11, totals on line 12.
    short_count = reports.parse_report(
        _arudd(_returned(), _returned(), totals='<Totals numberOf="3" valueOf="195.00" currency="GBP"/>')
    )
    assert len(short_count.items) == 2
    assert [(p.line, p.reason) for p in short_count.problems] == [
        (12, "the totals count 3 items but the record lists 2; an item may be missing")
    ]
    wrong_value = reports.parse_report(
        _arudd(_returned(), _returned(), totals='<Totals numberOf="2" valueOf="130.01" currency="GBP"/>')
    )
    assert [p.reason for p in wrong_value.problems] == ["the totals come to 130.01 but the items listed come to 130"]


def test_an_unknown_element_in_an_arudd_record_is_kept_as_a_problem() -> None:
    report = reports.parse_report(_arudd(_returned(), '<ReturnedCreditItem ref="HEARTH-000009"/>'))
    assert len(report.items) == 1
    assert [(p.line, p.raw) for p in report.problems] == [(11, '<ReturnedCreditItem ref="HEARTH-000009" />')]


def test_a_malformed_report_date_is_a_problem_not_a_failure() -> None:
    report = reports.parse_report(_arudd(_returned(), header='currentProcessingDate="31/12/2026"'))
    assert report.report_date is None
    assert len(report.items) == 1
    assert [p.line for p in report.problems] == [5]


# --- ADDACS ---------------------------------------------------------------------------------------------------------


def test_addacs_cancellation_is_read() -> None:
    report = reports.parse_report(_messaging("ADDACS", _addacs_advice()))
    assert report.kind == "ADDACS"
    assert report.report_date == date(2027, 1, 5)
    assert report.service_user_number == "123456"
    assert report.items == [
        ReportItem(
            line=6,
            reference="HEARTH-000001",
            reason_code="1",
            reason="Instruction cancelled by the payer",
            payer_name="J SMITH",
            payer_sort_code="401234",
            payer_account_number="12345678",
            effective_date=date(2027, 1, 5),
            record_type="A",
        )
    ]
    assert report.items[0].line == 6


def test_addacs_transfer_carries_the_new_account() -> None:
    advice = _addacs_advice(
        reason="3",
        extra='payer-new-sort-code="608301" payer-new-account-number="20212616" payer-new-name="J SMITH" '
        'due-date="2027-02-01"',
    )
    (item,) = reports.parse_report(_messaging("ADDACS", advice)).items
    assert (item.new_sort_code, item.new_account_number, item.new_name) == ("608301", "20212616", "J SMITH")
    assert item.due_date == date(2027, 2, 1)
    assert item.reason == "Account transferred to a new bank or building society"


@pytest.mark.parametrize(("code", "description"), sorted(reports.ADDACS_REASONS.items()))
def test_every_addacs_reason_is_read(code: str, description: str) -> None:
    report = reports.parse_report(_messaging("ADDACS", _addacs_advice(reason=code)))
    assert [(item.reason_code, item.reason) for item in report.items] == [(code, description)]


def test_addacs_zero_is_the_banks_cancellation_and_one_the_payers() -> None:
    # DOMAIN.md swaps these; every public table (Modulr, Numeral, so-sure's reader) reads them this way.
    assert "bank" in reports.ADDACS_REASONS["0"]
    assert reports.ADDACS_REASONS["1"] == "Instruction cancelled by the payer"


def test_bad_addacs_advices_are_problems_with_their_line() -> None:
    report = reports.parse_report(
        _messaging(
            "ADDACS",
            _addacs_advice(reason="9"),  # line 6: 9 is an ARUDD code, not ADDACS
            _addacs_advice(reference=""),  # 7
            _addacs_advice(reason=""),  # 8
            _addacs_advice(extra='payer-new-sort-code="60830"'),  # 9
            _addacs_advice(reason="B"),  # 10: fine
            '<MessagingNote text="hello"/>',  # 11
        )
    )
    assert [(item.line, item.reason_code) for item in report.items] == [(10, "B")]
    assert [(p.line, p.reason) for p in report.problems] == [
        (6, "the reason code '9' is not an ADDACS reason code Hearth knows"),
        (7, "the item has no reference, so it cannot be matched to a mandate"),
        (8, "the item has no reason code"),
        (9, "the payer-new-sort-code '60830' is not a sort code (6 digits)"),
        (11, "<MessagingNote> is not part of an ADDACS report; Hearth does not know it"),
    ]


# --- AUDDIS ---------------------------------------------------------------------------------------------------------


def test_auddis_accepted_file_is_a_submission_outcome() -> None:
    report = reports.parse_report(
        _messaging(
            "AUDACC",
            '<MessagingAdvice user-number="123456" record-type="V" aosn="1" processing-date="2027-01-04" '
            'originator-file-number="010" work-code="1 DAILY" file-type="LIVE" accepted-ddi="3" rejected-ddi="1" '
            'vol-serial-number="000042" file-error-code="0"/>',
            '<MessagingError line1="0" line3="0" line2="0"/>',
            '<MessagingAdvice user-number="123456" record-type="N" reference="HEARTH-000004" payer-name="NEW PAYER" '
            'payer-sort-code="601234" payer-account-number="44332211" reason-code="5" transaction-code="0N" '
            'effective-date="2027-01-05"/>',
        )
    )
    assert report.kind == "AUDDIS"
    assert report.submissions == [
        SubmissionOutcome(
            line=6,
            file_serial="000042",
            file_number="010",
            processing_date=date(2027, 1, 4),
            file_type="LIVE",
            accepted_instructions=3,
            rejected_instructions=1,
            rejected=False,
            error_code="0",
        )
    ]
    (item,) = report.items
    assert (item.line, item.reference, item.reason_code, item.reason) == (8, "HEARTH-000004", "5", "No account")
    assert (item.transaction_code, item.record_type, item.payer_name) == ("0N", "N", "NEW PAYER")
    assert report.problems == []


def test_auddis_rejected_file_keeps_the_banks_error_words() -> None:
    report = reports.parse_report(
        _messaging(
            "AUDREJ",
            '<MessagingAdvice user-number="123456" record-type="R" aosn="1" processing-date="2027-01-04" '
            'originator-file-number="009" file-type="LIVE" accepted-ddi="0" rejected-ddi="1" '
            'vol-serial-number="000041" file-error-code="30264"/>',
            '<MessagingError line1="User Status is TEST on Arrival Day" line2="0"/>',
        )
    )
    (outcome,) = report.submissions
    assert outcome.rejected
    assert outcome.error_code == "30264"
    assert outcome.errors == ("User Status is TEST on Arrival Day",)


@pytest.mark.parametrize(("code", "description"), sorted(reports.AUDDIS_REASONS.items()))
def test_every_auddis_reason_is_read(code: str, description: str) -> None:
    advice = f'<MessagingAdvice record-type="N" reference="HEARTH-000004" reason-code="{code}" transaction-code="0N"/>'
    report = reports.parse_report(_messaging("AUDACC", advice))
    assert [(item.reason_code, item.reason) for item in report.items] == [(code, description)]


def test_a_stray_auddis_error_and_a_bad_count_are_problems() -> None:
    report = reports.parse_report(
        _messaging(
            "AUDACC",
            '<MessagingError line1="File not recognised"/>',  # line 6
            '<MessagingAdvice record-type="V" vol-serial-number="000042" accepted-ddi="three"/>',  # 7
        )
    )
    assert report.submissions == []
    assert [(p.line, p.reason) for p in report.problems] == [
        (6, "an error message with no file record before it: File not recognised"),
        (7, "the accepted-ddi 'three' is not a whole number"),
    ]


# --- Files that are not reports -------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<BACSDocument><Data><ARUDD><Header currentProcessingDate="&lol3;"/></ARUDD></Data></BACSDocument>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE BACSDocument [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<BACSDocument><Data><ARUDD><Header reportType="&secret;"/></ARUDD></Data></BACSDocument>"""


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b'<!DOCTYPE BACSDocument SYSTEM "newbacs-advices.dtd"><BACSDocument/>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><BACSDocument/>'.encode("utf-16"),
    ],
)
def test_a_document_type_is_refused(data: bytes) -> None:
    with pytest.raises(ReportUnreadable, match="declares a document type"):
        reports.parse_report(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"VOL1000042 not xml", "not well-formed XML: syntax error at line 1, column 1"),
        (b"<BACSDocument><Data>", "not well-formed XML"),
        (b"<html><body/></html>", "it starts with <html>, not <BACSDocument>"),
        (b"<BACSDocument/>", "neither an ARUDD report nor messaging advices"),
        (b"<BACSDocument><Data><MessagingAdvices/></Data></BACSDocument>", "neither an ARUDD"),
        (
            b'<BACSDocument><Data><MessagingAdvices><MessagingHeader advice-type="DDICA"/>'
            b"</MessagingAdvices></Data></BACSDocument>",
            "the advice type 'DDICA' is not ADDACS or AUDDIS",
        ),
        (b'<?xml version="1.0" encoding="klingon"?><BACSDocument/>', "names an encoding Hearth cannot read"),
    ],
)
def test_a_file_that_is_not_a_report_is_unreadable_in_plain_words(data: bytes, message: str) -> None:
    with pytest.raises(ReportUnreadable) as unreadable:
        reports.parse_report(data)
    assert message in str(unreadable.value)


def test_a_report_in_utf16_with_a_namespace_prefix_is_read() -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<b:BACSDocument xmlns:b="urn:bacs"><b:Data><b:MessagingAdvices>'
        '<b:MessagingHeader b:advice-type="ADDACS"/>'
        '<b:MessagingAdvice b:reference="HEARTH-000001" b:reason-code="B"/>'
        "</b:MessagingAdvices></b:Data></b:BACSDocument>"
    )
    report = reports.parse_report(text.encode("utf-16"))
    assert [(item.reference, item.reason_code) for item in report.items] == [("HEARTH-000001", "B")]


# --- Properties ------------------------------------------------------------------------------------------------------


@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_give_a_report_or_report_unreadable(data: bytes) -> None:
    with contextlib.suppress(ReportUnreadable):
        reports.parse_report(data)


SAMPLE = _arudd(_returned(), _returned(ref="HEARTH-000002"), totals='<Totals numberOf="2" valueOf="130.00"/>')


@given(position=st.integers(min_value=0, max_value=len(SAMPLE) - 1), replacement=st.binary(min_size=0, max_size=3))
def test_a_damaged_report_gives_a_report_or_report_unreadable(position: int, replacement: bytes) -> None:
    with contextlib.suppress(ReportUnreadable):
        reports.parse_report(SAMPLE[:position] + replacement + SAMPLE[position + 1 :])


attribute_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional=dict.fromkeys(
                [
                    "ref",
                    "transCode",
                    "returnCode",
                    "returnDescription",
                    "originalProcessingDate",
                    "valueOf",
                    "currency",
                ],
                attribute_text,
            ),
        ),
        max_size=8,
    )
)
def test_no_item_is_lost_whatever_its_attributes(attributes: list[dict[str, str]]) -> None:
    items = []
    for values in attributes:
        items.append(ET.tostring(ET.Element("ReturnedDebitItem", values), encoding="unicode"))
    report = reports.parse_report(_arudd(*items))
    assert len(report.items) + len(report.problems) == len(attributes)
    assert sorted([item.line for item in report.items] + [p.line for p in report.problems]) == list(
        range(10, 10 + len(attributes))
    )


# --- Round trip ------------------------------------------------------------------------------------------------------

references = st.from_regex(r"[A-Z0-9][A-Z0-9 .&/-]{4,16}[A-Z0-9]", fullmatch=True)
names = st.from_regex(r"([A-Z0-9.&/-]+( [A-Z0-9.&/-]+)*)?", fullmatch=True).filter(lambda s: len(s) <= 18)
sort_codes = st.from_regex(r"[0-9]{6}", fullmatch=True)
accounts = st.from_regex(r"[0-9]{8}", fullmatch=True)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def arudd_items(draw: st.DrawFn) -> ReportItem:
    code = draw(st.sampled_from(sorted(reports.ARUDD_REASONS)))
    return ReportItem(
        line=0,
        reference=draw(references),
        reason_code=code,
        reason=reports.ARUDD_REASONS[code],
        amount_pence=draw(st.none() | st.integers(min_value=0, max_value=10**11 - 1)),
        transaction_code=draw(st.none() | st.sampled_from(["01", "17", "18", "19"])),
        payer_name=draw(names),
        payer_sort_code=draw(st.none() | sort_codes),
        payer_account_number=draw(st.none() | accounts),
        original_processing_date=draw(st.none() | days),
        return_code=draw(st.none() | st.from_regex(r"[0-9]{4}", fullmatch=True)),
    )


@st.composite
def messaging_items(draw: st.DrawFn, table: dict[str, str]) -> ReportItem:
    code = draw(st.sampled_from(sorted(table)))
    return ReportItem(
        line=0,
        reference=draw(references),
        reason_code=code,
        reason=table[code],
        transaction_code=draw(st.none() | st.sampled_from(["0N", "0C", "0S"])),
        due_date=draw(st.none() | days),
        payer_name=draw(names),
        payer_sort_code=draw(st.none() | sort_codes),
        payer_account_number=draw(st.none() | accounts),
        new_sort_code=draw(st.none() | sort_codes),
        new_account_number=draw(st.none() | accounts),
        new_name=draw(st.none() | names.filter(bool)),
        effective_date=draw(st.none() | days),
        record_type=draw(st.none() | st.sampled_from(["A", "N", "D"])),
    )


outcomes = st.builds(
    SubmissionOutcome,
    line=st.just(0),
    file_serial=st.from_regex(r"[0-9]{6}", fullmatch=True),
    file_number=st.from_regex(r"[0-9]{3}", fullmatch=True),
    processing_date=st.none() | days,
    file_type=st.sampled_from(["LIVE", "TEST"]),
    accepted_instructions=st.integers(min_value=0, max_value=10**6),
    rejected_instructions=st.integers(min_value=0, max_value=10**6),
    rejected=st.booleans(),
    error_code=st.from_regex(r"[0-9]{0,5}", fullmatch=True),
    errors=st.lists(st.from_regex(r"[A-Za-z][A-Za-z ]{0,30}[a-z]", fullmatch=True), max_size=3).map(tuple),
)
header = {
    "report_date": st.none() | days,
    "service_user_number": st.from_regex(r"[0-9]{6}", fullmatch=True),
    "service_user_name": names,
}
report_strategies = st.one_of(
    st.builds(Report, kind=st.just("ARUDD"), items=st.lists(arudd_items(), max_size=6), **header),
    st.builds(
        Report,
        kind=st.just("ADDACS"),
        items=st.lists(messaging_items(reports.ADDACS_REASONS), max_size=6),
        **header,
    ),
    st.builds(
        Report,
        kind=st.just("AUDDIS"),
        items=st.lists(messaging_items(reports.AUDDIS_REASONS), max_size=6),
        submissions=st.lists(outcomes, max_size=3),
        **header,
    ),
)


@given(report=report_strategies)
def test_write_then_parse_gives_the_report_back(report: Report) -> None:
    assert reports.parse_report(reports.write_report(report)) == report


def test_written_report_has_one_element_a_line_so_problems_point_at_the_item() -> None:
    item = ReportItem(line=0, reference="HEARTH-000001", reason_code="B", reason=reports.ARUDD_REASONS["B"])
    data = reports.write_report(Report(kind="ARUDD", report_date=None, items=[item, item]))
    lines = data.decode("utf-8").splitlines()
    parsed = reports.parse_report(data)
    for read in parsed.items:
        assert lines[read.line - 1].lstrip().startswith("<ReturnedDebitItem")
