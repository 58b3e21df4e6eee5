"""The D0010 parser (hearth.common.d0010): groups, padding, UK local time, per-line rejection, file-level errors,
and the two properties QUALITY.md asks of parsers (nothing escapes but D0010Error; parse∘serialise is identity)."""

import contextlib
import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.common import d0010

# DOMAIN.md's sample snippet: the first group of the public Kraken exercise file, with a trailer for one group.
DOMAIN_SNIPPET = """\
ZHV|0000475656|D0010002|D|UDMS|X|MRCY|20160302153151||||OPER|
026|1200023305967|V|
028|F75A 00802|D|
030|S|20160222000000|56311.0|||T|N|
ZPT|0000475656|3||1|20160302154650|
"""

# The public exercise file's first three groups as the sender pads them (" | |" after the last field).
PADDED_SAMPLE = """\
ZHV|0000475656|D0010002|D|UDMS|X|MRCY|20160302153151||||OPER| | |
026|1200023305967|V| | |
028|F75A 00802|D| | |
030|S|20160222000000|56311.0|||T|N| | |
026|1900001059816|V| | |
028|S95105287|C| | |
030|TO|20160224000000|81641.0|||T|N| | |
026|1900005281720|V| | |
028|36933604|D| | |
030|DY|20160222000000|80598.0|||T|N| | |
030|NT|20160222000000|15549.0|||T|N| | |
ZPT|0000475656|10||3|20160302154650| |
"""


def _file(*body: str, file_id: str = "F1", groups: int | None = None) -> str:
    """A D0010 file around `body` lines, with a correct trailer unless `groups` says otherwise."""
    mpan_groups = sum(1 for line in body if line.startswith("026")) if groups is None else groups
    return "\n".join(
        [
            f"ZHV|{file_id}|D0010002|D|UDMS|X|HRTH|20261026090000||||OPER|",
            *body,
            f"ZPT|{file_id}|{len(body)}||{mpan_groups}|20261026090500|",
        ]
    )


# --- What a file holds ---------------------------------------------------------------------------------------------


def test_the_domain_notes_sample_group_parses():
    parsed = d0010.parse(DOMAIN_SNIPPET)

    assert parsed.header.file_id == "0000475656"
    assert parsed.header.flow_version == "D0010002"
    assert (parsed.header.from_participant, parsed.header.to_participant) == ("UDMS", "MRCY")
    assert parsed.header.test_flag == "OPER"
    assert parsed.rejected == ()
    (group,) = parsed.groups
    assert (group.mpan_core, group.validation_status) == ("1200023305967", "V")
    (meter,) = group.meters
    assert (meter.serial, meter.reading_type) == ("F75A 00802", "D")
    (reading,) = meter.readings
    assert reading.register_id == "S"
    assert reading.value == Decimal("56311.0")
    # 22 February is winter: UK local time is GMT, so midnight local is midnight UTC.
    assert reading.read_at == datetime(2016, 2, 22, 0, 0, tzinfo=UTC)
    assert (reading.reading_flag, reading.reading_method) == ("T", "N")
    assert reading.line_number == 4


def test_space_padding_is_trimmed_and_inner_spaces_of_serials_kept():
    parsed = d0010.parse(PADDED_SAMPLE)

    assert parsed.rejected == ()
    assert [group.mpan_core for group in parsed.groups] == ["1200023305967", "1900001059816", "1900005281720"]
    assert parsed.groups[0].meters[0].serial == "F75A 00802"
    day_night = parsed.groups[2].meters[0].readings
    assert [(r.register_id, r.value) for r in day_night] == [("DY", Decimal("80598.0")), ("NT", Decimal("15549.0"))]
    assert parsed.readings_count == 4


def test_the_header_times_are_uk_local_time():
    parsed = d0010.parse(PADDED_SAMPLE)
    # 2 March 2016 15:31:51 in London is GMT.
    assert parsed.header.created_at == datetime(2016, 3, 2, 15, 31, 51, tzinfo=UTC)
    assert parsed.completed_at == datetime(2016, 3, 2, 15, 46, 50, tzinfo=UTC)


def test_summer_readings_are_an_hour_ahead_of_utc():
    text = _file("026|1200023305967|V|", "028|M1|R|", "030|S|20260701000000|100|||T|N|")
    (reading,) = d0010.parse(text).groups[0].meters[0].readings
    assert reading.read_at == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)


def test_an_ambiguous_local_time_on_the_october_clock_change_is_its_first_occurrence():
    # 01:30 happens twice on 25 October 2026: first in BST (00:30 UTC), then in GMT (01:30 UTC).
    text = _file("026|1200023305967|V|", "028|M1|R|", "030|S|20261025013000|100|||T|N|")
    (reading,) = d0010.parse(text).groups[0].meters[0].readings
    assert reading.read_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_non_existent_local_time_on_the_march_clock_change_is_read_as_gmt():
    # 01:30 never shows on 29 March 2026 (01:00 GMT jumps to 02:00 BST): read as a clock not yet put forward.
    text = _file("026|1200023305967|V|", "028|M1|R|", "030|S|20260329013000|100|||T|N|")
    (reading,) = d0010.parse(text).groups[0].meters[0].readings
    assert reading.read_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_md_reset_fields_are_read_when_present():
    text = _file("026|1200023305967|V|", "028|M1|R|", "030|MD|20260110000000|12.5|20260101000000|3|T|P|")
    (reading,) = d0010.parse(text).groups[0].meters[0].readings
    assert reading.md_reset_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert reading.md_resets == 3
    assert reading.reading_method == "P"


# --- One bad line does not lose the others -------------------------------------------------------------------------


def test_a_bad_reading_line_is_rejected_with_its_line_number_and_the_others_kept():
    text = _file(
        "026|1200023305967|V|",
        "028|M1|R|",
        "030|S|20260110000000|12x45|||T|N|",
        "030|S|20260111000000|12345|||T|N|",
    )
    parsed = d0010.parse(text)

    (rejected,) = parsed.rejected
    assert rejected.line_number == 4
    assert "'12x45'" in rejected.reason
    # The entry holds its group's lines, so it can be corrected and replayed on its own.
    assert rejected.content.splitlines() == ["026|1200023305967|V|", "028|M1|R|", "030|S|20260110000000|12x45|||T|N|"]
    (kept,) = parsed.groups[0].meters[0].readings
    assert kept.value == Decimal(12345)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("030|S|20260230000000|1|||T|N|", "not a real date"),
        ("030|S|2026011000|1|||T|N|", "YYYYMMDDHHMMSS"),
        ("030||20260110000000|1|||T|N|", "register id is missing"),
        ("030|S|20260110000000|-5|||T|N|", "'-5'"),
        ("030|S|20260110000000|1|||X|N|", "reading flag"),
        ("030|S|20260110000000|1|||T|Q|", "reading method"),
        ("030|S|20260110000000|1|||T|N|surprise|", "unexpected 'surprise' in field 9"),
    ],
)
def test_each_kind_of_bad_reading_line_is_rejected_with_a_reason(line, words):
    parsed = d0010.parse(_file("026|1200023305967|V|", "028|M1|R|", line))
    (rejected,) = parsed.rejected
    assert rejected.line_number == 4
    assert words in rejected.reason


def test_a_bad_mpan_line_takes_the_lines_of_its_group_with_it_and_the_next_group_is_kept():
    text = _file(
        "026|12000233|V|",
        "028|M1|R|",
        "030|S|20260110000000|1|||T|N|",
        "026|1200023305967|V|",
        "028|M2|R|",
        "030|S|20260110000000|2|||T|N|",
    )
    parsed = d0010.parse(text)

    (rejected,) = parsed.rejected
    assert rejected.line_number == 2
    assert "not 13 digits" in rejected.reason
    assert len(rejected.content.splitlines()) == 3
    assert [group.mpan_core for group in parsed.groups] == ["1200023305967"]


def test_a_meter_line_with_an_unknown_reading_type_takes_its_readings_with_it():
    text = _file(
        "026|1200023305967|V|",
        "028|M1|?|",
        "030|S|20260110000000|1|||T|N|",
        "028|M2|R|",
        "030|S|20260110000000|2|||T|N|",
    )
    parsed = d0010.parse(text)
    (rejected,) = parsed.rejected
    assert rejected.line_number == 3
    assert rejected.content.splitlines()[0] == "026|1200023305967|V|"
    assert [meter.serial for meter in parsed.groups[0].meters] == ["M2"]


def test_lines_out_of_place_or_of_unknown_type_are_rejected():
    text = _file("030|S|20260110000000|1|||T|N|", "028|M1|R|", "999|what|", "026|1200023305967|V|")
    parsed = d0010.parse(text)
    assert [entry.line_number for entry in parsed.rejected] == [2, 3]
    assert "must follow a meter line" in parsed.rejected[0].reason
    assert "must follow an MPAN line" in parsed.rejected[1].reason
    assert "(the 1 line of its group too)" in parsed.rejected[1].reason  # the 999 line went with the 028


def test_a_rejected_entry_corrected_by_staff_parses_as_a_fragment():
    parsed = d0010.parse(_file("026|1200023305967|V|", "028|M1|R|", "030|S|20260110000000|12x45|||T|N|"))
    corrected = parsed.rejected[0].content.replace("12x45", "12345")
    groups, rejected = d0010.parse_fragment(corrected, first_line_number=2)
    assert rejected == ()
    assert groups[0].meters[0].readings[0].value == Decimal(12345)
    assert groups[0].meters[0].readings[0].line_number == 4


# --- File structure: all or nothing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line_number", "words"),
    [
        ("", 1, "empty"),
        ("026|1200023305967|V|\nZPT|F1|0||1|20261026090500|", 1, "starts with a header"),
        ("ZHV|F1|D0010002|D|UDMS|X|HRTH|20261026090000||||OPER|\n026|1200023305967|V|", 2, "ends with a trailer"),
        ("ZHV|F1|D0019001|D|UDMS|X|HRTH|20261026090000||||OPER|\nZPT|F1|0||0|20261026090500|", 1, "not a D0010"),
        ("ZHV|F1|D0010002|D|UDMS|X|HRTH|20261026090000||||LIVE|\nZPT|F1|0||0|20261026090500|", 1, "test flag"),
        ("ZHV|F1|D0010002|D|UDMS|X|HRTH|20261026090000||||OPER|\nZPT|F2|0||0|20261026090500|", 2, "file id"),
        (_file("026|1200023305967|V|", groups=2), 3, "2 MPAN groups"),
        (_file("026|1200023305967|V|").replace("|1||1|", "|7||1|"), 3, "7 group lines but the file has 1"),
        (_file("026|1200023305967|V|", "ZHV|F9|D0010002|D|A|X|B|20261026090000||||OPER|"), 3, "second ZHV"),
    ],
)
def test_a_broken_file_structure_is_a_file_error_naming_the_line(text, line_number, words):
    with pytest.raises(d0010.D0010Error) as caught:
        d0010.parse(text)
    assert caught.value.line_number == line_number
    assert words in caught.value.reason


def test_crlf_line_ends_and_blank_lines_are_accepted():
    text = PADDED_SAMPLE.replace("\n", "\r\n") + "\r\n\r\n"
    assert d0010.parse(text).readings_count == 4


# --- Properties ----------------------------------------------------------------------------------------------------

_TOKEN = st.from_regex(r"[A-Z0-9]([A-Z0-9 ]{0,6}[A-Z0-9])?", fullmatch=True)
_LOCAL = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31)).map(
    lambda at: at.replace(microsecond=0)
)
_READING = st.builds(
    d0010.Reading,
    register_id=_TOKEN,
    read_at=_LOCAL.map(d0010.london_time),
    value=st.from_regex(r"[0-9]{1,10}(\.[0-9]{1,3})?", fullmatch=True).map(Decimal),
    md_reset_at=st.none() | _LOCAL.map(d0010.london_time),
    md_resets=st.none() | st.integers(min_value=0, max_value=999_999_999),
    reading_flag=st.sampled_from(["T", "F"]),
    reading_method=st.sampled_from(["N", "P"]),
)
_METER = st.builds(
    d0010.MeterGroup,
    serial=_TOKEN,
    reading_type=st.sampled_from(sorted(d0010.READING_TYPES)),
    readings=st.lists(_READING, max_size=4).map(tuple),
)
_GROUP = st.builds(
    d0010.MpanGroup,
    mpan_core=st.from_regex(r"[0-9]{13}", fullmatch=True),
    validation_status=st.sampled_from(["V", "U", "F"]),
    meters=st.lists(_METER, max_size=3).map(tuple),
)
_HEADER = st.builds(
    d0010.Header,
    file_id=_TOKEN,
    flow_version=st.sampled_from(["D0010002", "D0010003"]),
    from_role=_TOKEN | st.just(""),
    from_participant=_TOKEN,
    to_role=_TOKEN | st.just(""),
    to_participant=_TOKEN,
    created_at=_LOCAL.map(d0010.london_time),
    application_fields=st.tuples(_TOKEN | st.just(""), _TOKEN | st.just(""), _TOKEN | st.just("")),
    test_flag=st.sampled_from(["OPER", "TR01"]),
)
_FILES = st.builds(
    d0010.D0010File,
    header=_HEADER,
    groups=st.lists(_GROUP, max_size=4).map(tuple),
    completed_at=_LOCAL.map(d0010.london_time),
)


@given(_FILES)
def test_serialising_a_file_and_parsing_it_gives_the_same_file(parsed):
    assert d0010.parse(d0010.serialise(parsed)) == parsed


def _mutations(text: str) -> st.SearchStrategy[str]:
    lines = text.splitlines()
    return st.one_of(
        st.just(text),
        st.integers(0, max(0, len(text) - 1)).flatmap(
            lambda at: st.text(max_size=3).map(lambda junk: text[:at] + junk + text[at + 1 :])
        ),
        st.integers(0, max(0, len(lines) - 1)).map(lambda at: "\n".join(lines[:at] + lines[at + 1 :])),
        st.permutations(lines).map("\n".join),
    )


_FIELD = st.one_of(st.text(max_size=12), _TOKEN, st.from_regex(r"[0-9]{14}", fullmatch=True), st.just(""))
_LINE = st.tuples(st.sampled_from(["ZHV", "026", "028", "030", "ZPT", "", " 030", "XYZ"]), st.lists(_FIELD, max_size=9))
_ANY_TEXT = st.one_of(
    st.text(),
    st.lists(_LINE, max_size=8).map(lambda lines: "\n".join("|".join([kind, *fields]) for kind, fields in lines)),
    _FILES.map(d0010.serialise).flatmap(_mutations),
)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(_ANY_TEXT)
def test_no_input_makes_the_parser_raise_anything_but_d0010_error(text):
    with contextlib.suppress(d0010.D0010Error):
        d0010.parse(text)
    d0010.parse_fragment(text)  # never raises at all


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(_ANY_TEXT)
def test_whatever_parses_comes_back_the_same_through_serialise_without_its_rejected_lines(text):
    try:
        parsed = d0010.parse(text)
    except d0010.D0010Error:
        return
    again = d0010.parse(d0010.serialise(parsed))
    assert again == dataclasses.replace(parsed, rejected=())
