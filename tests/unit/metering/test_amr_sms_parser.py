"""The AMR daily SMS (docs/amr-sms.md): read exactly as documented, and no input makes the parser raise anything but
AmrMessageError.

Messages are built here with binascii directly (not with the code under test), and the expected interval counts and
starts come from the clock-change rule (last Sundays of March and October), worked out independently.
"""

import binascii
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.common import amr_sms

LONDON = ZoneInfo("Europe/London")
DOCS = Path(__file__).resolve().parents[3] / "docs" / "amr-sms.md"


def crc(data: str) -> str:
    return f"{binascii.crc_hqx(data.encode('ascii'), 0xFFFF):04X}"


def message(serial: str, day: date, minutes: int, counter: int, counts: list[int], *, crc_text: str = "") -> str:
    data = f"AMR1;{serial};{day:%Y%m%d};{minutes};{counter};{','.join(str(c) for c in counts)};"
    return f"{data}C{crc_text or crc(data)}"


def signed(data_fields: str) -> str:
    """Any text as the fields of a message, with the right CRC after it: reaches the checks after the CRC."""
    data = f"{data_fields};"
    return f"{data}C{crc(data)}"


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


# --- Reading a good message ---------------------------------------------------------------------------------------


def test_a_well_formed_message_gives_its_device_day_counter_and_counts():
    counts = list(range(48))
    day = amr_sms.parse_amr_sms(message("AMR-00042", date(2026, 5, 8), 30, 123456, counts))
    assert day.serial == "AMR-00042"
    assert day.day == date(2026, 5, 8)
    assert day.interval_minutes == 30
    assert day.counter_end == 123456
    assert day.counts == tuple(counts)
    assert day.total == sum(counts)


def test_spaces_and_line_breaks_around_the_message_are_ignored():
    body = message("AMR-1", date(2026, 5, 8), 30, 7, [0] * 48)
    assert amr_sms.parse_amr_sms(f"  {body}\r\n").serial == "AMR-1"


def test_the_crc_is_crc16_ccitt_false():
    # The catalogue check value of CRC-16/CCITT-FALSE for "123456789".
    assert amr_sms.crc_of("123456789") == "29B1"


def test_the_crc_covers_everything_before_the_c_including_the_last_semicolon():
    counts = [1] * 48
    data = f"AMR1;AMR-7;20260508;30;48;{','.join('1' for _ in counts)};"
    with_semicolon = crc(data)
    without_semicolon = crc(data[:-1])
    assert with_semicolon != without_semicolon
    assert amr_sms.parse_amr_sms(f"{data}C{with_semicolon}").total == 48
    with pytest.raises(amr_sms.AmrMessageError, match=f"bad CRC: expected {with_semicolon}, got {without_semicolon}"):
        amr_sms.parse_amr_sms(f"{data}C{without_semicolon}")


def test_a_lower_case_crc_is_accepted():
    body = message("AMR-1", date(2026, 5, 8), 30, 7, [0] * 48)
    assert amr_sms.parse_amr_sms(body[:-4] + body[-4:].lower()).serial == "AMR-1"


def test_the_worked_example_in_the_docs_is_right():
    text = DOCS.read_text(encoding="utf-8")
    examples = re.findall(r"^AMR1;[^\s]+$", text, flags=re.MULTILINE)
    assert examples, "docs/amr-sms.md shows no example message"
    for example in examples:
        day = amr_sms.parse_amr_sms(example)
        data, _, given_crc = example.rpartition("C")
        assert given_crc == crc(data)
        stated_crc = re.search(r"crc_hqx\(data, 0xFFFF\):04X}\"\n'([0-9A-F]{4})'", text)
        assert stated_crc is not None
        assert stated_crc.group(1) == given_crc
        assert day.total == 250
        assert day.counter_end == 1234817


# --- Intervals of a local day -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "minutes", "expected"),
    [
        (date(2026, 5, 8), 30, 48),
        (date(2026, 5, 8), 15, 96),
        (date(2026, 3, 29), 30, 46),
        (date(2026, 3, 29), 15, 92),
        (date(2026, 10, 25), 30, 50),
        (date(2026, 10, 25), 15, 100),
        (date(2027, 3, 28), 30, 46),
        (date(2027, 10, 31), 30, 50),
        (date(2026, 3, 28), 30, 48),
        (date(2026, 10, 26), 30, 48),
    ],
)
def test_a_local_day_has_48_half_hours_except_on_clock_change_days(day, minutes, expected):
    assert amr_sms.intervals_in_day(day, minutes) == expected
    counts = [1] * expected
    assert len(amr_sms.parse_amr_sms(message("AMR-1", day, minutes, expected, counts)).counts) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_only_the_last_sundays_of_march_and_october_are_short_or_long(day):
    expected = 46 if day == last_sunday(day.year, 3) else 50 if day == last_sunday(day.year, 10) else 48
    assert amr_sms.intervals_in_day(day, 30) == expected
    assert amr_sms.intervals_in_day(day, 15) == expected * 2


def test_the_spring_day_skips_from_one_oclock_gmt_to_two_oclock_bst():
    starts = amr_sms.interval_starts(date(2026, 3, 29), 30)
    midnight = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)  # GMT until 01:00
    assert starts == [midnight + timedelta(minutes=30 * i) for i in range(46)]
    assert [s.astimezone(LONDON).strftime("%H:%M") for s in starts[:4]] == ["00:00", "00:30", "02:00", "02:30"]
    assert starts[-1].astimezone(LONDON).strftime("%H:%M %Z") == "23:30 BST"


def test_the_autumn_day_has_one_oclock_twice():
    starts = amr_sms.interval_starts(date(2026, 10, 25), 30)
    midnight = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # 00:00 BST
    assert starts == [midnight + timedelta(minutes=30 * i) for i in range(50)]
    local = [s.astimezone(LONDON).strftime("%H:%M %Z") for s in starts[:7]]
    assert local == ["00:00 BST", "00:30 BST", "01:00 BST", "01:30 BST", "01:00 GMT", "01:30 GMT", "02:00 GMT"]
    assert starts[-1] == datetime(2026, 10, 25, 23, 30, tzinfo=UTC)


def test_the_counter_advance_allows_for_roll_over_past_32_bits():
    assert amr_sms.counter_advance(100, 150) == 50
    assert amr_sms.counter_advance(4_294_967_290, 10) == 16
    assert amr_sms.counter_advance(5, 5) == 0


# --- Refusals name the field --------------------------------------------------------------------------------------


def _reason(body: str) -> str:
    with pytest.raises(amr_sms.AmrMessageError) as caught:
        amr_sms.parse_amr_sms(body)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


def test_a_bad_crc_says_what_was_expected_and_what_came():
    good = message("AMR-1", date(2026, 5, 8), 30, 48, [1] * 48)
    data = good[: good.rindex("C")]
    assert _reason(data + "C0000") == f"bad CRC: expected {crc(data)}, got 0000"


def test_the_wrong_number_of_counts_for_the_autumn_day_is_refused():
    body = message("AMR-1", date(2026, 10, 25), 30, 48, [1] * 48)
    assert _reason(body) == "2026-10-25 has 50 half-hours; the message has 48 counts"


def test_the_wrong_number_of_counts_for_the_spring_day_is_refused():
    body = message("AMR-1", date(2026, 3, 29), 15, 96, [1] * 96)
    assert _reason(body) == "2026-03-29 has 92 quarter-hours; the message has 96 counts"


def test_a_count_that_is_not_a_number_is_named_by_its_position():
    counts = ["1"] * 48
    counts[16] = "x"
    assert _reason(signed(f"AMR1;AMR-1;20260508;30;48;{','.join(counts)}")) == "interval 17 is not a number: 'x'"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "the message is empty"),
        ("   \n", "the message is empty"),
        ("HELLO", "the message does not start with AMR1; it starts 'HELLO'"),
        ("AMR1;AMR-1;20260508", "the message has 3 fields separated by ';'; an AMR1 message has 7"),
        ("AMR1;AMR-1;20260508;30;1;1;1;C0000", "the message has 8 fields separated by ';'; an AMR1 message has 7"),
        ("AMR1;AMR-1;20260508;30;1;1;CRC!", "the CRC field must be C and 4 hexadecimal digits; got 'CRC!'"),
        ("AMR1;AMR-1;2026é508;30;1;1;C0000", "the message has a character that is not plain ASCII text at position 16"),
    ],
)
def test_malformed_messages_are_refused_with_the_reason(body, reason):
    assert _reason(body).startswith(reason)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ("AMR1;;20260508;30;1;" + ",".join(["0"] * 48), "the device serial is empty"),
        ("AMR1;AMR 1;20260508;30;1;" + ",".join(["0"] * 48), "the device serial 'AMR 1' is not valid"),
        ("AMR1;AMR-1;2026058;30;1;" + ",".join(["0"] * 48), "the date must be 8 digits, YYYYMMDD; got '2026058'"),
        ("AMR1;AMR-1;20260230;30;1;" + ",".join(["0"] * 48), "the date 20260230 is not a real date (YYYYMMDD)"),
        ("AMR1;AMR-1;19990508;30;1;" + ",".join(["0"] * 48), "the date 19990508 is outside the years 2000 to 2099"),
        ("AMR1;AMR-1;20260508;60;1;" + ",".join(["0"] * 24), "the interval minutes must be 30 or 15; got '60'"),
        ("AMR1;AMR-1;20260508;30;-1;" + ",".join(["0"] * 48), "the pulse counter is not a number: '-1'"),
        ("AMR1;AMR-1;20260508;30;4294967296;" + ",".join(["0"] * 48), "the pulse counter is too large"),
        ("AMR1;AMR-1;20260508;30;;" + ",".join(["0"] * 48), "the pulse counter is empty"),
        ("AMR1;AMR-1;20260508;30;1;", "the message has no interval counts"),
        ("AMR1;AMR-1;20260508;30;1;" + ",".join(["0"] * 47) + ",", "interval 48 is empty"),
        ("AMR1;AMR-1;20260508;30;1;" + ",".join(["0"] * 47) + ",1.5", "interval 48 is not a number: '1.5'"),
    ],
)
def test_each_field_is_checked_after_the_crc(fields, reason):
    assert _reason(signed(fields)).startswith(reason)


# --- Properties ---------------------------------------------------------------------------------------------------


def _only_documented_error(body: str) -> None:
    reason = ""
    try:
        result = amr_sms.parse_amr_sms(body)
    except amr_sms.AmrMessageError as exc:
        reason = exc.reason
        assert reason, "a refusal always says why"
    else:
        assert isinstance(result, amr_sms.AmrDay)


@given(st.text())
def test_no_text_makes_the_parser_raise_anything_but_its_error(body):
    _only_documented_error(body)


@given(st.binary())
def test_no_bytes_from_the_gateway_make_the_parser_raise_anything_but_its_error(raw):
    _only_documented_error(raw.decode("utf-8", errors="replace"))
    _only_documented_error(raw.decode("latin-1"))


_FIELD = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126, exclude_characters=";"), max_size=12)
_NUMBERISH = st.one_of(st.integers(min_value=-5, max_value=2**33).map(str), _FIELD, st.just("9" * 5000))


@given(
    serial=_FIELD,
    day=st.one_of(st.dates().map(lambda d: f"{d:%Y%m%d}"), _FIELD),
    minutes=st.one_of(st.sampled_from(["15", "30", "60", "030", "0"]), _FIELD),
    counter=_NUMBERISH,
    counts=st.lists(_NUMBERISH, max_size=110).map(",".join),
)
def test_messages_with_a_right_crc_and_any_fields_raise_only_its_error(serial, day, minutes, counter, counts):
    _only_documented_error(signed(f"AMR1;{serial};{day};{minutes};{counter};{counts}"))


_SERIALS = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._/-]{0,31}\Z")


@st.composite
def amr_days(draw: st.DrawFn) -> tuple[str, date, int, int, list[int]]:
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
    minutes = draw(st.sampled_from([30, 15]))
    expected = 48 * (30 // minutes)
    if day == last_sunday(day.year, 3):
        expected -= 60 // minutes
    elif day == last_sunday(day.year, 10):
        expected += 60 // minutes
    counts = draw(st.lists(st.integers(0, 2**32 - 1), min_size=expected, max_size=expected))
    return draw(_SERIALS), day, minutes, draw(st.integers(0, 2**32 - 1)), counts


@given(amr_days())
def test_a_valid_message_reads_back_as_the_values_it_was_made_from(values):
    serial, day, minutes, counter, counts = values
    parsed = amr_sms.parse_amr_sms(message(serial, day, minutes, counter, counts))
    assert (parsed.serial, parsed.day, parsed.interval_minutes, parsed.counter_end, list(parsed.counts)) == values
    assert amr_sms.format_amr_sms(parsed) == message(serial, day, minutes, counter, counts)


@given(amr_days(), st.data())
def test_changing_any_one_character_of_a_valid_message_is_caught(values, data):
    body = message(*values)
    position = data.draw(st.integers(0, len(body) - 1))
    replacement = data.draw(st.characters(min_codepoint=32, max_codepoint=126).filter(lambda c: c != body[position]))
    changed = body[:position] + replacement + body[position + 1 :]
    if position >= len(body) - 4 and replacement.upper() == body[position].upper():
        return  # only the case of a CRC hex digit changed: the same CRC

    with pytest.raises(amr_sms.AmrMessageError):
        amr_sms.parse_amr_sms(changed)
