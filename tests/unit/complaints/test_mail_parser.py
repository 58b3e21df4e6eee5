"""Reading complaint e-mails (ADR 0018): whatever arrives is either read or refused with a reason, never an error."""

from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.domain.complaints import mail


def _message(*headers: str, body: bytes = b"My bill is wrong.\r\n") -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def test_a_plain_message_gives_its_sender_subject_and_body() -> None:
    parsed = mail.parse(
        _message("From: Jo Bloggs <Jo.Bloggs@Example.com>", "Subject: Bill 1000000011", "Message-ID: <a@b>")
    )
    assert parsed.from_address == "jo.bloggs@example.com"
    assert parsed.subject == "Bill 1000000011"
    assert parsed.message_id == "<a@b>"
    assert parsed.body == "My bill is wrong."
    assert parsed.attachments == []
    assert not parsed.automatic


def test_a_latin_1_body_is_read_in_its_character_set() -> None:
    parsed = mail.parse(
        _message(
            "From: jo@example.com",
            "Subject: =?iso-8859-1?q?Facture_=E0_revoir?=",
            "Content-Type: text/plain; charset=iso-8859-1",
            "Content-Transfer-Encoding: 8bit",
            body="I was charged £70 for a visit, café closed.".encode("cp1252"),
        )
    )
    assert parsed.subject == "Facture à revoir"
    assert "£70" in parsed.body
    assert "café" in parsed.body


def test_a_windows_1252_quoted_printable_body_is_read() -> None:
    parsed = mail.parse(
        _message(
            "From: jo@example.com",
            "Content-Type: text/plain; charset=windows-1252",
            "Content-Transfer-Encoding: quoted-printable",
            body=b"It cost =A3120 =96 far too much.",
        )
    )
    assert parsed.body == "It cost £120 \u2013 far too much."  # =96 is the en dash in windows-1252


def test_an_unknown_character_set_is_read_as_utf_8_and_says_so() -> None:
    parsed = mail.parse(
        _message("From: jo@example.com", "Content-Type: text/plain; charset=x-klingon", body="Bill £5".encode())
    )
    assert parsed.body == "Bill £5"
    assert "x-klingon" in " ".join(parsed.notes)


def test_undeclared_eight_bit_bytes_do_not_stop_the_message() -> None:
    parsed = mail.parse(_message("From: jo@example.com", body=b"Bad \xff\xfe bytes but a complaint"))
    assert "complaint" in parsed.body


def test_attachments_are_listed_and_the_text_part_is_the_body() -> None:
    raw = _message(
        "From: jo@example.com",
        "Subject: Photo of my meter",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="XX"',
        body=(
            b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe reading on the bill is wrong.\r\n"
            b'--XX\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename="meter.jpg"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n--XX--\r\n"
        ),
    )
    parsed = mail.parse(raw)
    assert parsed.body == "The reading on the bill is wrong."
    assert parsed.attachments == [{"name": "meter.jpg", "content_type": "image/jpeg", "size_bytes": 10}]


def test_an_html_only_message_is_read_without_its_tags() -> None:
    parsed = mail.parse(
        _message(
            "From: jo@example.com", "Content-Type: text/html; charset=utf-8", body=b"<p>No <b>heating</b> bill</p>"
        )
    )
    assert parsed.body == "No heating bill"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (_message("Subject: no sender"), "no From header"),
        (_message("From: not an address"), "not an e-mail address"),
        (_message("From: a@example.com, b@example.com"), "names 2 addresses"),
        (_message("From: jo@example.com", body=b"   \r\n"), "body is empty"),
        (
            _message("From: jo@example.com", 'Content-Type: multipart/mixed; boundary="B"', body=b"--B--\r\n"),
            "no text or HTML body",
        ),
        (b"\x00\x01\x02 garbage with no headers", "no From header"),
    ],
)
def test_a_message_that_cannot_become_a_complaint_says_why(raw: bytes, reason: str) -> None:
    with pytest.raises(mail.UnreadableMail, match=reason):
        mail.parse(raw)


@pytest.mark.parametrize(
    "header", ["Auto-Submitted: auto-replied", "Auto-Submitted: auto-generated", "From: MAILER-DAEMON@example.com"]
)
def test_automatic_messages_are_marked_so_they_get_no_reply(header: str) -> None:
    headers = [header] if header.startswith("From") else ["From: jo@example.com", header]
    assert mail.parse(_message(*headers)).automatic


@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_a_reason(raw: bytes) -> None:
    try:
        parsed = mail.parse(raw)
    except mail.UnreadableMail as refused:
        reason = str(refused)
        parsed = None
    if parsed is None:
        assert reason
    else:
        assert "@" in parsed.from_address
        assert parsed.body.strip()


@given(
    text=st.text(alphabet=st.sampled_from("abcdefghij XYZ0123456789.,£éü"), min_size=1, max_size=300).filter(str.strip),
    charset=st.sampled_from(["utf-8", "iso-8859-1", "windows-1252"]),
)
def test_a_one_line_body_in_any_common_character_set_reads_back_as_written(text: str, charset: str) -> None:
    message = EmailMessage()
    message["From"] = "jo@example.com"
    message.set_content(text, charset=charset)
    assert mail.parse(bytes(message)).body == text.strip()
