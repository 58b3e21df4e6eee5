"""Importing D0010 meter-reading flows (domain/metering/flows.py), the `hearth import_d0010` command and the care
console's pages for files and rejected lines."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from hearth.data.accounts.models import Customer, Fuel, Nation
from hearth.data.audit.models import AuditEvent
from hearth.data.metering.models import FlowFile, Meter, ReadingSource, Register, RegisterReading, RejectedFlowLine
from hearth.domain.accounts import operations as accounts_ops
from hearth.domain.identity import operations as identity_ops
from hearth.domain.metering import flows as metering_flows

pytestmark = pytest.mark.django_db

NOW = datetime(2016, 3, 3, 9, 0, tzinfo=UTC)
FITTED = datetime(2015, 1, 1, tzinfo=UTC)
OUR_MPAN = "1200023305967"
OUR_SERIAL = "F75A 00802"

# The public Kraken exercise file (DOMAIN.md's source), 11 MPANs, as its sender pads it.
KRAKEN_SAMPLE = """\
ZHV|0000475656|D0010002|D|UDMS|X|MRCY|20160302153151||||OPER| | |
026|1200023305967|V| | |
028|F75A 00802|D| | |
030|S|20160222000000|56311.0|||T|N| | |
026|1900001059816|V| | |
028|S95105287|C| | |
030|TO|20160224000000|81641.0|||T|N| | |
026|1200033197420|V| | |
028|L85A 28596|C| | |
030|S|20160226000000|68902.0|||T|N| | |
026|1200031039874|V| | |
028|S76A 13884|C| | |
030|S|20160226000000|17393.0|||T|N| | |
026|1591055549625|V| | |
028|D03L80840|C| | |
030|A1|20160301000000|50548.0|||T|N| | |
026|2200031930792|V| | |
028|S85D24767|C| | |
030|01|20160301000000|20231.0|||T|N| | |
030|02|20160301000000|64472.0|||T|N| | |
026|1200022664056|V| | |
028|D03A 09936|D| | |
030|S|20160221000000|77766.0|||T|N| | |
026|1900005260419|V| | |
028|D0248417|D| | |
030|TO|20160222000000|24802.0|||T|N| | |
026|1013044353630|V| | |
028|S82E042896|C| | |
030|01|20160228000000|88285.0|||T|N| | |
026|1900005281720|V| | |
028|36933604|D| | |
030|DY|20160222000000|80598.0|||T|N| | |
030|NT|20160222000000|15549.0|||T|N| | |
026|2000055433806|V| | |
028|D13C01717|C| | |
030|01|20160301000000|7242.0|||T|N| | |
ZPT|0000475656|35||11|20160302154650| |
"""


def _flow(*body: str, file_id: str = "H0001", flag: str = "OPER") -> bytes:
    mpan_groups = sum(1 for line in body if line.startswith("026"))
    lines = [
        f"ZHV|{file_id}|D0010002|D|UDMS|X|HRTH|20160303080000||||{flag}|",
        *body,
        f"ZPT|{file_id}|{len(body)}||{mpan_groups}|20160303080500|",
    ]
    return ("\n".join(lines) + "\n").encode()


def _ours(*readings: str, serial: str = OUR_SERIAL, reading_type: str = "R") -> list[str]:
    return [f"026|{OUR_MPAN}|V|", f"028|{serial}|{reading_type}|", *readings]


@pytest.fixture
def register() -> Register:
    """Our supply point (the sample's first MPAN) with meter F75A 00802 and its register S, fitted in 2015."""
    customer = accounts_ops.create_customer(
        kind=Customer.Kind.PERSON, name="Sam Sample", contact_email="sam@example.com", now=FITTED
    )
    home = accounts_ops.create_property(
        address_line_1="1 Flow Street", town="Leeds", postcode="LS1 4AP", nation=Nation.ENGLAND
    )
    account = accounts_ops.open_account(customer=customer, fuel=Fuel.ELECTRICITY, billing_property=home, now=FITTED)
    supply_point = accounts_ops.add_supply_point(
        account=account,
        identifier=OUR_MPAN,
        supply_property=home,
        supply_start_date=date(2015, 1, 1),
        profile_class="01",
    )
    meter = accounts_ops.install_meter(
        supply_point=supply_point,
        serial_number=OUR_SERIAL,
        kind=Meter.Kind.CREDIT,
        installed_at=FITTED,
        registers=[("S", Register.Rate.STANDARD)],
    )
    return meter.registers.get()


def _import(content: bytes, name: str = "flow.uff") -> metering_flows.ImportSummary:
    return metering_flows.import_d0010(name=name, content=content, now=NOW)


def _state() -> tuple[int, int, int, int]:
    return (
        RegisterReading.objects.count(),
        RejectedFlowLine.objects.count(),
        FlowFile.objects.count(),
        AuditEvent.objects.count(),
    )


# --- The sample file -----------------------------------------------------------------------------------------------


def test_the_sample_file_stores_our_reading_and_keeps_the_other_mpans_as_rejected(register):
    summary = _import(KRAKEN_SAMPLE.encode(), "example_d0010.uff")

    assert summary.accepted == 1
    reading = RegisterReading.objects.get(register=register)
    assert reading.value == Decimal("56311.0")
    assert reading.read_at == datetime(2016, 2, 22, 0, 0, tzinfo=UTC)  # midnight GMT
    assert (reading.source, reading.kind) == (ReadingSource.INDUSTRY, RegisterReading.Kind.DEEMED)  # type D
    assert reading.reference == "example_d0010.uff line 4"
    # The 10 other MPANs are not ours: each group is kept, at its 026 line, with its reason.
    assert [entry.line_number for entry in summary.rejected] == [5, 8, 11, 14, 17, 21, 24, 27, 30, 34]
    assert summary.rejected[0].reason == "MPAN 1900001059816 is not one of ours"
    flow = FlowFile.objects.get()
    assert (flow.flow_reference, flow.accepted, flow.rejected, flow.duplicates) == ("0000475656", 1, 10, 0)
    kept = RejectedFlowLine.objects.get(flow_file=flow, line_number=17)
    assert kept.content.splitlines()[0] == "026|2200031930792|V| | |"
    assert len(kept.content.splitlines()) == 4  # 026, 028 and both 030 lines


def test_importing_the_same_file_twice_changes_nothing(register):
    _import(KRAKEN_SAMPLE.encode())
    before = _state()

    again = _import(KRAKEN_SAMPLE.encode(), "renamed-copy.uff")

    assert again.already_imported
    assert "already imported" in again.text
    assert _state() == before


def test_a_bad_mpan_check_digit_is_rejected_at_its_line_while_the_rest_are_accepted(register):
    body = [
        "026|1200023305968|V|",  # the check digit should be 7
        "028|X1|R|",
        "030|S|20160301000000|100|||T|N|",
        *_ours("030|S|20160301000000|56400|||T|N|"),
    ]
    summary = _import(_flow(*body))

    (rejected,) = summary.rejected
    assert rejected.line_number == 2
    assert "fails its check digit" in rejected.reason
    assert summary.accepted == 1
    assert RegisterReading.objects.get(register=register).value == Decimal(56400)


def test_readings_already_stored_are_skipped_as_duplicates(register):
    _import(_flow(*_ours("030|S|20160222000000|56311.0|||T|N|"), file_id="A1"))
    summary = _import(
        _flow(*_ours("030|S|20160222000000|56311|||T|N|", "030|S|20160301000000|56400|||T|N|"), file_id="A2")
    )
    assert (summary.accepted, summary.duplicates, summary.rejected) == (1, 1, ())
    assert RegisterReading.objects.filter(register=register).count() == 2


def test_a_reading_going_backwards_is_rejected_with_the_last_reading_and_its_date(register):
    _import(_flow(*_ours("030|S|20160222000000|56311.0|||T|N|"), file_id="A1"))
    summary = _import(_flow(*_ours("030|S|20160301000000|56000|||T|N|"), file_id="A2"))
    (rejected,) = summary.rejected
    assert rejected.line_number == 4
    assert "lower than the last reading 56311 on 22 February 2016" in rejected.reason
    assert RegisterReading.objects.filter(register=register).count() == 1


def test_register_roll_over_in_a_flow_is_accepted(register):
    _import(_flow(*_ours("030|S|20160222000000|99990|||T|N|"), file_id="A1"))
    summary = _import(_flow(*_ours("030|S|20160224000000|00012|||T|N|"), file_id="A2"))
    assert (summary.accepted, summary.rejected) == (1, ())


def test_an_advance_far_above_expected_is_kept_and_accepted_when_staff_confirm_it(register):
    _import(_flow(*_ours("030|S|20160222000000|56311|||T|N|"), file_id="A1"))
    summary = _import(_flow(*_ours("030|S|20160223000000|66311|||T|N|"), file_id="A2"))  # 10,000 kWh in a day

    (rejected,) = summary.rejected
    assert rejected.reason.startswith("advance far above expected")
    line = RejectedFlowLine.objects.get(line_number=4, flow_file__flow_reference="A2")

    unconfirmed = metering_flows.replay_rejected_line(line=line, now=NOW)
    assert not unconfirmed.replayed
    confirmed = metering_flows.replay_rejected_line(line=line, now=NOW, confirmed_high=True)

    assert confirmed.replayed
    line.refresh_from_db()
    assert line.status == RejectedFlowLine.Status.REPLAYED
    stored = RegisterReading.objects.get(register=register, value=66311)
    assert "Far above expected" in stored.note
    flow = line.flow_file
    flow.refresh_from_db()
    assert (flow.accepted, flow.rejected) == (1, 0)


def test_an_unknown_meter_is_rejected_and_replays_once_the_meter_is_fitted(register):
    summary = _import(_flow(*_ours("030|S|20160301000000|100|||T|N|", serial="NEW 1")))
    (rejected,) = summary.rejected
    assert (rejected.line_number, rejected.reason) == (3, f"meter NEW 1 is not on MPAN {OUR_MPAN}")
    line = RejectedFlowLine.objects.get()

    accounts_ops.install_meter(
        supply_point=register.meter.supply_point,
        serial_number="NEW 1",
        kind=Meter.Kind.SMART,
        installed_at=FITTED,
        registers=[("S", Register.Rate.STANDARD)],
    )
    outcome = metering_flows.replay_rejected_line(line=line, now=NOW)

    assert (outcome.replayed, outcome.accepted) == (True, 1)
    assert RegisterReading.objects.get(register__meter__serial_number="NEW 1").value == 100
    with pytest.raises(metering_flows.ReplayRefused):
        metering_flows.replay_rejected_line(line=line, now=NOW)


def test_a_line_corrected_by_staff_replays(register):
    summary = _import(_flow(*_ours("030|S|20160301000000|56A00|||T|N|")))
    assert summary.rejected[0].line_number == 4
    line = RejectedFlowLine.objects.get()

    outcome = metering_flows.replay_rejected_line(line=line, now=NOW, content=line.content.replace("56A00", "56400"))

    assert outcome.replayed
    assert RegisterReading.objects.get(register=register).value == 56400
    assert AuditEvent.objects.filter(action="rejected flow line replayed").exists()


@pytest.mark.parametrize(
    ("reading_type", "kind"),
    [
        ("R", RegisterReading.Kind.ACTUAL),
        ("S", RegisterReading.Kind.ACTUAL),
        ("Z", RegisterReading.Kind.ACTUAL),
        ("A", RegisterReading.Kind.OPENING),
        ("I", RegisterReading.Kind.OPENING),
        ("F", RegisterReading.Kind.FINAL),
        ("C", RegisterReading.Kind.CUSTOMER),
        ("D", RegisterReading.Kind.DEEMED),
    ],
)
def test_the_reading_type_decides_the_kind_of_reading(register, reading_type, kind):
    _import(_flow(*_ours("030|S|20160301000000|100|||T|N|", reading_type=reading_type)))
    assert RegisterReading.objects.get(register=register).kind == kind


@pytest.mark.parametrize(
    ("body", "line_number", "words"),
    [
        (_ours("030|S|20160301000000|100|||T|N|", reading_type="W"), 3, "withdrawn"),
        (_ours("030|S|20160301000000|100|||F|N|"), 4, "not valid (reading flag F)"),
        (_ours("030|XX|20160301000000|100|||T|N|"), 4, "register XX is not on meter"),
        (["026|1200023305967|F|", f"028|{OUR_SERIAL}|R|", "030|S|20160301000000|100|||T|N|"], 2, "failed validation"),
        (_ours("030|S|20140301000000|100|||T|N|"), 4, "was fitted on 1 January 2015"),
    ],
)
def test_readings_we_cannot_take_are_rejected_with_their_reason(register, body, line_number, words):
    (rejected,) = _import(_flow(*body)).rejected
    assert rejected.line_number == line_number
    assert words in rejected.reason
    assert not RegisterReading.objects.exists()


def test_a_test_data_file_is_never_imported(register):
    summary = _import(_flow(*_ours("030|S|20160301000000|100|||T|N|"), flag="TR01"))
    assert "test data" in summary.unreadable
    assert not RegisterReading.objects.exists()
    line = RejectedFlowLine.objects.get()
    assert not metering_flows.replay_rejected_line(line=line, now=NOW).replayed
    assert not RegisterReading.objects.exists()


def test_a_file_with_a_broken_structure_is_kept_whole_and_replays_once_corrected(register):
    content = _flow(*_ours("030|S|20160301000000|100|||T|N|")).decode().replace("|3||1|", "|9||1|")
    summary = _import(content.encode())

    assert "the trailer counts 9 group lines but the file has 3" in summary.unreadable
    line = RejectedFlowLine.objects.get()
    assert line.content == content
    outcome = metering_flows.replay_rejected_line(line=line, now=NOW, content=content.replace("|9||1|", "|3||1|"))
    assert outcome.replayed
    assert RegisterReading.objects.get(register=register).value == 100


def test_dismissing_a_line_keeps_it_and_says_so(register):
    _import(_flow(*_ours("030|XX|20160301000000|100|||T|N|")))
    line = RejectedFlowLine.objects.get()
    metering_flows.dismiss_rejected_line(line=line, actor=None, now=NOW)
    line.refresh_from_db()
    assert line.status == RejectedFlowLine.Status.DISMISSED
    assert not metering_flows.rejected_lines().exists()


# --- The command ---------------------------------------------------------------------------------------------------


def test_the_command_prints_accepted_rejected_with_line_and_reason_and_duplicates(register, tmp_path):
    path = tmp_path / "example_d0010.uff"
    path.write_text(KRAKEN_SAMPLE)
    out, err = io.StringIO(), io.StringIO()

    call_command("import_d0010", str(path), stdout=out, stderr=err)

    text = out.getvalue()
    assert "example_d0010.uff: 1 readings accepted, 10 rejected, 0 duplicates skipped." in text
    assert "line 5: MPAN 1900001059816 is not one of ours" in text
    again = io.StringIO()
    call_command("import_d0010", str(path), stdout=again, stderr=io.StringIO())
    assert "already imported" in again.getvalue()


def test_the_command_fails_only_for_files_it_cannot_read(register, tmp_path):
    good = tmp_path / "good.uff"
    good.write_bytes(_flow(*_ours("030|XX|20160301000000|100|||T|N|")))  # a rejected line is not a failure
    call_command("import_d0010", str(good), stdout=io.StringIO(), stderr=io.StringIO())

    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_d0010", str(tmp_path / "missing.uff"), stdout=io.StringIO(), stderr=err)
    assert "missing.uff" in str(failed.value)
    assert "Cannot read" in err.getvalue()


# --- The care console ----------------------------------------------------------------------------------------------

STAFF_EMAIL = "flows.agent@hearth.example"
STAFF_PASSWORD = "Flows4Agent9"


@pytest.fixture
def care() -> Client:
    device = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Fran Flows", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def test_care_staff_upload_a_file_and_see_its_rejected_lines(care, register):
    upload = SimpleUploadedFile("example_d0010.uff", KRAKEN_SAMPLE.encode(), content_type="text/plain")

    response = care.post("/care/flows/upload/", {"file": upload}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 readings accepted, 10 rejected" in page
    assert "MPAN 1900001059816 is not one of ours" in page
    assert "example_d0010.uff, line 5" in page
    listing = care.get("/care/flows/").content.decode()
    assert "example_d0010.uff" in listing
    assert "10 lines" in listing
    assert "Meter-reading files" in listing  # the menu link


def test_an_upload_without_a_file_says_what_is_missing(care):
    response = care.post("/care/flows/upload/", {})
    assert response.status_code == 400
    assert "Choose a D0010 file to upload." in response.content.decode()


def test_an_unreadable_upload_is_kept_and_shown_with_its_reason(care, register):
    upload = SimpleUploadedFile("junk.txt", b"hello\n", content_type="text/plain")
    response = care.post("/care/flows/upload/", {"file": upload}, follow=True)
    assert "a D0010 file starts with a header line (ZHV)" in response.content.decode()
    assert FlowFile.objects.get().name == "junk.txt"


def test_care_staff_replay_a_corrected_line_from_the_console(care, register):
    _import(_flow(*_ours("030|S|20160301000000|56A00|||T|N|")))
    line = RejectedFlowLine.objects.get()

    response = care.post(
        f"/care/flows/rejected/{line.pk}/replay/",
        {"content": line.content.replace("56A00", "56400"), "next": "/care/flows/rejected/"},
        follow=True,
    )

    assert "line 4 replayed: 1 stored" in response.content.decode()
    assert RegisterReading.objects.get(register=register).value == 56400
    assert AuditEvent.objects.get(action="rejected flow line replayed").actor_label == STAFF_EMAIL


def test_care_staff_confirm_a_far_above_expected_reading_from_the_console(care, register):
    _import(_flow(*_ours("030|S|20160222000000|56311|||T|N|"), file_id="A1"))
    _import(_flow(*_ours("030|S|20160223000000|66311|||T|N|"), file_id="A2"))
    line = RejectedFlowLine.objects.get()
    page = care.get("/care/flows/rejected/").content.decode()
    assert "the reading is right although far above expected" in page

    still = care.post(f"/care/flows/rejected/{line.pk}/replay/", {"content": line.content}, follow=True)
    assert "is still rejected" in still.content.decode()
    care.post(f"/care/flows/rejected/{line.pk}/replay/", {"content": line.content, "confirmed_high": "on"})

    line.refresh_from_db()
    assert line.status == RejectedFlowLine.Status.REPLAYED


def test_care_staff_dismiss_a_line_from_the_console(care, register):
    _import(_flow(*_ours("030|XX|20160301000000|100|||T|N|")))
    line = RejectedFlowLine.objects.get()
    response = care.post(f"/care/flows/rejected/{line.pk}/dismiss/", follow=True)
    assert "dismissed" in response.content.decode()
    line.refresh_from_db()
    assert line.status == RejectedFlowLine.Status.DISMISSED
    again = care.post(f"/care/flows/rejected/{line.pk}/replay/", {"content": ""}, follow=True)
    assert "already dismissed" in again.content.decode()


def test_an_unknown_rejected_line_is_not_found(care):
    assert care.post("/care/flows/rejected/999999/replay/").status_code == 404
