"""The switching file format (ours; docs/contracts.md) and the file adapter: whole files in, whole files out, and
nothing lost from a bad one."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hearth.data.audit.models import AuditEvent
from hearth.data.contracts.models import Registration, SwitchingMessage
from hearth.data.identity.models import User
from hearth.domain.contracts import switching_flow
from hearth.domain.contracts.switching import (
    FileSwitching,
    FormatProblem,
    Message,
    file_text,
    parse_line,
    read_file_text,
)
from tests.integration.contracts.switching_support import fixed_tariff, new_household, signed_up
from tests.integration.payments.account_support import at, documents_in_tmp_fixture  # noqa: F401

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ACCEPTED = Message("REGISTRATION_ACCEPTED", "REG000000001", "1200000005012", date(2026, 3, 17))


def test_a_message_survives_a_round_trip_and_free_text_cannot_break_the_line() -> None:
    message = Message(
        "OBJECTION_RAISED", "REG000000001", "1200000005012", None, "OLD_SUPPLIER", "MPID1", "owes | us\nmoney"
    )
    line = message.line()
    assert line == "OBJECTION_RAISED|REG000000001|1200000005012||OLD_SUPPLIER|MPID1|owes us money"
    assert parse_line(line) == Message(
        "OBJECTION_RAISED", "REG000000001", "1200000005012", None, "OLD_SUPPLIER", "MPID1", "owes us money"
    )


def test_a_whole_file_has_a_header_and_a_trailer_counting_its_messages() -> None:
    text = file_text("IN-1.txt", [ACCEPTED, ACCEPTED], now=NOW)
    assert text.splitlines() == [
        "HDR|HEARTH-SWITCHING|1|IN-1.txt|2026-03-02T09:30:00+00:00",
        "REGISTRATION_ACCEPTED|REG000000001|1200000005012|2026-03-17|||",
        "REGISTRATION_ACCEPTED|REG000000001|1200000005012|2026-03-17|||",
        "TRL|2",
    ]
    received = read_file_text("IN-1.txt", text)
    assert [(line.line_number, line.file_problem) for line in received.lines] == [(2, ""), (3, "")]


def test_a_truncated_file_hands_back_every_line_with_the_problem() -> None:
    text = "\n".join(file_text("IN-2.txt", [ACCEPTED, ACCEPTED], now=NOW).splitlines()[:2])
    received = read_file_text("IN-2.txt", text)
    assert [line.line_number for line in received.lines] == [2]
    assert received.lines[0].file_problem == "file IN-2.txt: no trailer line TRL|<count>; the file may be truncated"


def test_a_trailer_with_the_wrong_count_is_a_problem() -> None:
    text = file_text("IN-3.txt", [ACCEPTED], now=NOW).replace("TRL|1", "TRL|2")
    received = read_file_text("IN-3.txt", text)
    assert received.lines[0].file_problem == (
        "file IN-3.txt: the trailer counts '2' messages but the file has 1; it may be truncated"
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "REGISTRATION_ACCEPTED|REG1|1200000005012|2026-02-30|||",
            "date: '2026-02-30' is not a day written YYYY-MM-DD",
        ),
        ("REGISTRATION_ACCEPTED|REG1|1200000005012|20260317|||", "date: '20260317' is not a day written YYYY-MM-DD"),
        ("REGISTRATION_ACCEPTED|REG1|1200000005012|2026-03-17", "line: 4 fields, a message has 7"),
        ("HELLO|REG1|1200000005012||||", "kind: 'HELLO' is not one of"),
        ("LOSS_COMPLETED|REG1|||||", "mpxn: empty"),
    ],
)
def test_a_bad_line_names_its_field(line: str, problem: str) -> None:
    with pytest.raises(FormatProblem, match="^" + problem.replace("(", r"\(").replace("|", r"\|")):
        parse_line(line)


def test_the_file_adapter_writes_whole_files_and_moves_read_ones_to_done(tmp_path: Path) -> None:
    service = FileSwitching(tmp_path)
    name = service.send([ACCEPTED], now=NOW)
    assert name == "HEARTH-20260302-093000-001.txt"
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [name]  # no temporary file left
    assert service.send([ACCEPTED], now=NOW) == "HEARTH-20260302-093000-002.txt"

    service.drop_in_inbox("IN-9.txt", [ACCEPTED], now=NOW)
    [received] = service.receive()
    assert received.name == "IN-9.txt"
    service.acknowledge("IN-9.txt")
    assert service.receive() == []
    assert (tmp_path / "inbox" / "done" / "IN-9.txt").is_file()


@pytest.mark.django_db
@pytest.mark.usefixtures("documents_in_tmp")
def test_an_unknown_reference_is_kept_failed_and_replayed_after_the_data_is_fixed(tmp_path: Path) -> None:
    account, point = new_household()
    _, registration = signed_up(account, point, fixed_tariff().product, on=date(2026, 3, 2))
    service = FileSwitching(tmp_path)
    service.drop_in_inbox(
        "IN-1.txt", [Message("REGISTRATION_ACCEPTED", "REG-TYPO", point.identifier, date(2026, 3, 17))], now=NOW
    )
    [kept] = switching_flow.receive_all(service, now=NOW)
    assert (kept.status, kept.reason) == (
        "FAILED",
        "IN-1.txt line 2, reference: 'REG-TYPO' is not one of our switches to us",
    )
    assert switching_flow.receive_all(service, now=NOW) == []  # the file was moved to done

    # Staff find the switch was recorded under the reference the service used.
    Registration.objects.filter(pk=registration.pk).update(reference="REG-TYPO")
    agent = User.objects.create_user("agent@hearth.example", "x", kind=User.Kind.STAFF)
    replayed = switching_flow.replay(message=kept, actor=agent, now=NOW)

    assert (replayed.status, replayed.reason, replayed.registration_id) == ("PROCESSED", "", registration.pk)
    registration.refresh_from_db()
    assert registration.state == "PENDING"
    event = AuditEvent.objects.get(action="contracts.switching_replayed")
    assert event.actor_id == agent.pk
    with pytest.raises(switching_flow.SwitchingRefused, match="only a received message that failed"):
        switching_flow.replay(message=replayed, actor=agent, now=NOW)
    assert SwitchingMessage.objects.count() == 1
