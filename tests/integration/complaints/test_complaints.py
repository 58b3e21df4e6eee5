"""Complaints (T&C 20, 21.1) end to end: raised in the portal, recorded by care, answered, closed; the daily clocks
on their boundary days; the complaints mailbox; each step acknowledged in writing and audited."""

import html
import io
import mailbox
import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.common import calendar
from hearth.data.audit.models import AuditEvent
from hearth.data.complaints.models import Complaint, ComplaintEvent, InboundMail
from hearth.data.documents.models import Document
from hearth.data.identity.models import AccountLink, User
from hearth.data.metering.models import Meter
from hearth.domain.complaints import letters
from hearth.domain.complaints import mail as complaints_mail
from hearth.domain.complaints import operations as complaints_ops
from hearth.domain.identity import operations as identity_ops
from hearth.interfaces.tasks import daily
from tests.integration.conftest import PASSWORD, Builder, Site, sign_in

pytestmark = pytest.mark.django_db

STAFF_EMAIL, STAFF_PASSWORD = "complaints.agent@hearth.example", "Queue7Handler3x"


def words(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _uk(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=calendar.LONDON)


@pytest.fixture
def device(db) -> TOTPDevice:
    return identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Agent", password=STAFF_PASSWORD, now=timezone.now()
    )


@pytest.fixture
def agent(device: TOTPDevice) -> User:
    return User.objects.get(email=STAFF_EMAIL)


@pytest.fixture
def care(device: TOTPDevice) -> Client:
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    assert (
        client.post(
            "/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code}
        ).status_code
        == 302
    )
    return client


def _raise(site: Site, received_at: datetime, *, now: datetime | None = None) -> Complaint:
    return complaints_ops.raise_complaint(
        account=site.electricity,
        channel=Complaint.Channel.PHONE,
        summary="Estimated bill far too high",
        description="The bill estimates twice what we use.",
        received_at=received_at,
        raised_by=None,
        now=now or received_at,
    )


def test_a_portal_complaint_is_acknowledged_by_letter_and_shows_its_clock(signed_in, household):
    signed_in.post("/accounts/select/", {"account": household.electricity.pk})
    response = signed_in.post(
        "/services/complaints/new/", {"summary": "Wrong bill", "description": "My bill uses a reading I never gave."}
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/services/complaints/{complaint.pk}/"
    assert complaint.channel == Complaint.Channel.PORTAL
    assert complaint.account == household.electricity
    acknowledgement = Document.objects.get(reference=f"{complaint.reference}-ACK")
    assert acknowledgement.document_type.code == "COMPLAINT_ACKNOWLEDGEMENT"
    assert acknowledgement.deliveries.exists(), "acknowledged by the account's delivery rules"
    assert AuditEvent.objects.filter(action="complaints.raised", customer=household.customer).exists()
    page = words(signed_in.get(f"/services/complaints/{complaint.pk}/"))
    assert f"We respond by {complaint.response_due_date:%A %-d %B %Y}" in page
    assert f"From {complaint.ombudsman_date:%A %-d %B %Y}" in page
    assert "What happens next" in page
    assert "0330 440 1624" in page
    assert "0345 404 0506" in page
    assert complaint.reference in words(signed_in.get("/services/complaints/"))


def test_an_empty_portal_complaint_says_what_is_missing_beside_the_field(signed_in):
    page = words(signed_in.post("/services/complaints/new/", {"summary": "", "description": ""}))
    assert "Say in a few words what your complaint is about." in page
    assert "Tell us what happened." in page
    assert not Complaint.objects.exists()


def test_another_accounts_complaint_answers_404_like_one_that_does_not_exist(client, build: Builder, household):
    complaint = _raise(household, timezone.now())
    other = build.site(
        name="Oscar Other",
        email="oscar@other.example",
        postcode="LS1 4AP",
        electricity_meter=Meter.Kind.CREDIT,
        gas_meter=Meter.Kind.CREDIT,
    )
    build.activated_login("oscar@other.example", other.electricity)
    assert sign_in(client, "oscar@other.example", PASSWORD).status_code == 302
    assert client.get(f"/services/complaints/{complaint.pk}/").status_code == 404
    assert client.get("/services/complaints/999999/").status_code == 404
    assert complaint.reference not in words(client.get("/services/complaints/"))


def test_a_viewer_sees_complaints_but_cannot_raise_one(client, build: Builder, household):
    build.activated_login("viewer@example.com", household.electricity, role=AccountLink.Role.VIEWER)
    assert sign_in(client, "viewer@example.com", PASSWORD).status_code == 302
    assert client.get("/services/complaints/").status_code == 200
    assert client.post("/services/complaints/new/", {"summary": "x", "description": "y"}).status_code == 403
    assert not Complaint.objects.exists()


def test_care_record_a_phone_complaint_received_after_hours_on_christmas_eve_2025(care, household):
    response = care.post(
        "/care/complaints/new/",
        {
            "account": household.electricity.number,
            "channel": "PHONE",
            "received_date": "24/12/2025",
            "received_time": "17:30",
            "summary": "Engineer never came",
            "description": "Waited in all day.",
        },
    )
    assert response.status_code == 302, words(response)
    complaint = Complaint.objects.get()
    # Wednesday 24 December 2025 at 17:30 counts from Monday 29 December (25, 26 Dec holidays, a weekend): 30, 31 Dec,
    # (1 Jan, and 2 Jan in Scotland) 5, 6, 7 Jan.
    assert complaint.response_due_date == date(2026, 1, 7)
    assert complaint.ombudsman_date == date(2026, 2, 18)  # Wednesday 24 Dec + 56 days: 7 + 31 + 18
    assert complaint.raised_by is not None
    assert complaint.raised_by.email == STAFF_EMAIL


def test_care_see_an_unknown_account_beside_the_field(care):
    page = words(
        care.post(
            "/care/complaints/new/",
            {
                "account": "1999999999",
                "channel": "LETTER",
                "received_date": "1/12/2026",
                "received_time": "10:00",
                "summary": "x",
                "description": "y",
            },
        )
    )
    assert "There is no account 1999999999." in page
    assert not Complaint.objects.exists()


def test_a_response_then_a_deadlock_letter_close_the_complaint_with_the_ombudsman_named(care, household):
    complaint = _raise(household, timezone.now() - timedelta(days=3), now=timezone.now())
    assert (
        care.post(f"/care/complaints/{complaint.pk}/respond/", {"text": "We are checking the reads."}).status_code
        == 302
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RESPONDED
    assert complaint.responded_at is not None
    assert care.post(f"/care/complaints/{complaint.pk}/deadlock/", {"text": "We cannot agree."}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.DEADLOCKED
    assert complaint.final_response_at is not None
    final = Document.objects.get(reference=f"{complaint.reference}-FINAL")
    assert final.document_type.code == "COMPLAINT_FINAL_RESPONSE"
    kinds = list(complaint.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["RECEIVED", "ACKNOWLEDGED", "RESPONDED", "DEADLOCK"]
    assert {"complaints.responded", "complaints.deadlocked"} <= set(AuditEvent.objects.values_list("action", flat=True))
    # Closed: no second final response, no more letters.
    care.post(f"/care/complaints/{complaint.pk}/resolve/", {"text": "Again"})
    assert not complaint.events.filter(kind=ComplaintEvent.Kind.RESOLVED).exists()
    page = words(care.get(f"/care/complaints/{complaint.pk}/"))
    assert "We cannot agree." in page
    assert "Send a deadlock letter" not in page


def test_the_final_response_letter_gives_the_ombudsman_and_its_twelve_months(household):
    complaint = _raise(household, _uk(2027, 3, 1, 10))
    now = _uk(2027, 3, 10, 11)
    written = letters.final_response(complaint, text="Sorted.", resolved=False, issue_date=calendar.local_date(now))
    text = " ".join(written.paragraphs)
    assert "deadlock letter" in text
    assert "Energy Ombudsman" in text
    assert "free and independent" in text
    assert "www.energyombudsman.org" in text
    assert "0330 440 1624" in text
    assert "until Thursday 9 March 2028" in text
    assert "0345 404 0506" in " ".join(written.after_table)


def test_the_eight_week_letter_goes_on_day_56_not_day_55_and_once(household):
    # Received Friday 30 October 2026: day 56 is Christmas Day, and the letter is not put off for the holiday.
    complaint = _raise(household, _uk(2026, 10, 30, 10))
    assert complaint.ombudsman_date == date(2026, 12, 25)
    complaints_ops.send_eight_week_letters(day=date(2026, 12, 24), now=_uk(2026, 12, 24, 6))
    assert not complaint.events.filter(kind=ComplaintEvent.Kind.EIGHT_WEEKS).exists()
    sent = complaints_ops.send_eight_week_letters(day=date(2026, 12, 25), now=_uk(2026, 12, 25, 6))
    assert sent == [complaint]
    assert Document.objects.filter(reference=f"{complaint.reference}-8WK").count() == 1
    assert complaints_ops.send_eight_week_letters(day=date(2026, 12, 26), now=_uk(2026, 12, 26, 6)) == []
    assert complaint.events.filter(kind=ComplaintEvent.Kind.EIGHT_WEEKS).count() == 1


def test_no_eight_week_letter_after_a_final_response(household, agent):
    complaint = _raise(household, _uk(2026, 10, 30, 10))
    complaints_ops.give_final_response(
        complaint=complaint, resolved=True, text="Refunded.", actor=agent, now=_uk(2026, 11, 20, 10)
    )
    assert complaints_ops.send_eight_week_letters(day=date(2027, 1, 5), now=_uk(2027, 1, 5, 6)) == []


def test_a_response_is_flagged_overdue_the_day_after_its_due_date_once(household, agent):
    # Thursday 24 Dec 2026, 10:00: due Wednesday 6 January 2027.
    complaint = _raise(household, _uk(2026, 12, 24, 10))
    assert complaint.response_due_date == date(2027, 1, 6)
    assert complaints_ops.flag_overdue_responses(day=date(2027, 1, 6), now=_uk(2027, 1, 6, 6)) == []
    assert complaints_ops.flag_overdue_responses(day=date(2027, 1, 7), now=_uk(2027, 1, 7, 6)) == [complaint]
    assert complaints_ops.flag_overdue_responses(day=date(2027, 1, 8), now=_uk(2027, 1, 8, 6)) == []
    answered = _raise(household, _uk(2026, 12, 24, 10))
    complaints_ops.respond(complaint=answered, text="On it.", actor=agent, now=_uk(2027, 1, 8, 9))
    assert complaints_ops.flag_overdue_responses(day=date(2027, 1, 9), now=_uk(2027, 1, 9, 6)) == []


def test_care_queue_shows_overdue_responses_first(care, household, agent):
    today = calendar.local_date(timezone.now())
    late = _raise(household, timezone.now() - timedelta(days=20), now=timezone.now())
    fresh = _raise(household, timezone.now() - timedelta(minutes=5), now=timezone.now())
    answered = _raise(household, timezone.now() - timedelta(days=30), now=timezone.now())
    complaints_ops.respond(complaint=answered, text="Done.", actor=agent, now=timezone.now())
    assert late.response_due_date < today
    page = words(care.get("/care/complaints/"))
    assert page.index(late.reference) < page.index(fresh.reference) < page.index(answered.reference)
    assert "Overdue" in page


def test_the_clocks_job_runs_with_the_daily_jobs_and_does_each_step_once(household):
    complaint = _raise(household, _uk(2026, 10, 30, 10))
    job = daily.job_named("complaints.clocks")
    assert job is not None
    for day in (date(2026, 12, 25), date(2026, 12, 26)):
        with time_machine.travel(_uk(day.year, day.month, day.day, 6), tick=False):
            run = daily.run_one(job, day=day, started_by="test")
        assert run.failed_count == 0
    assert complaint.events.filter(kind=ComplaintEvent.Kind.EIGHT_WEEKS).count() == 1
    assert complaint.events.filter(kind=ComplaintEvent.Kind.RESPONSE_OVERDUE).count() == 1
    assert Document.objects.filter(reference=f"{complaint.reference}-8WK").count() == 1


# --- The complaints mailbox ----------------------------------------------------------------------------------------


def _deliver(folder, raw: bytes) -> str:
    box = mailbox.Maildir(folder, create=True)
    return box.add(mailbox.MaildirMessage(raw))


def _email(sender: str, subject: str, body: str, *, attachment: bytes | None = None) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "complaints@hearth.example", subject
    message["Message-ID"] = f"<{abs(hash((sender, subject, body)))}@example.com>"
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="bill.pdf")
    return bytes(message)


def test_an_e_mail_from_a_customer_becomes_a_complaint_on_the_account_it_names(settings, tmp_path, household):
    settings.HEARTH_COMPLAINTS_MAILDIR = tmp_path / "mail"
    raw = _email(
        "JO.BLOGGS@example.com",
        f"Complaint about gas {household.gas.number}",
        "You charged me twice.",
        attachment=b"%PDF-1.4 bill",
    )
    _deliver(settings.HEARTH_COMPLAINTS_MAILDIR, raw)
    taken = complaints_mail.read_mailbox(folder=settings.HEARTH_COMPLAINTS_MAILDIR, now=timezone.now())
    assert len(taken) == 1
    assert taken[0].status == InboundMail.Status.COMPLAINT
    complaint = taken[0].complaint
    assert complaint is not None
    assert complaint.account == household.gas
    assert complaint.channel == Complaint.Channel.EMAIL
    assert complaint.description == "You charged me twice."
    assert bytes(taken[0].raw) == raw
    assert taken[0].attachments[0]["name"] == "bill.pdf"
    assert Document.objects.filter(reference=f"{complaint.reference}-ACK").exists()
    assert not [m for m in django_mail.outbox if m.to == ["JO.BLOGGS@example.com"]], "no reply to the From address"
    assert list(mailbox.Maildir(settings.HEARTH_COMPLAINTS_MAILDIR).keys()) == []


def test_the_same_message_twice_makes_one_complaint(settings, tmp_path, household):
    folder = tmp_path / "mail"
    raw = _email("jo.bloggs@example.com", "Again", "Twice delivered.")
    _deliver(folder, raw)
    _deliver(folder, raw)
    taken = complaints_mail.read_mailbox(folder=folder, now=timezone.now())
    assert len(taken) == 1
    assert Complaint.objects.count() == 1
    assert InboundMail.objects.count() == 1


def test_an_unknown_sender_gets_a_reply_that_reveals_nothing_and_waits_for_care(tmp_path, household, care):
    folder = tmp_path / "mail"
    _deliver(folder, _email("stranger@elsewhere.example", "Jo Bloggs's account", "Tell me about Jo's bill."))
    [message] = complaints_mail.read_mailbox(folder=folder, now=timezone.now())
    assert message.status == InboundMail.Status.UNMATCHED
    assert not Complaint.objects.exists()
    [reply] = [m for m in django_mail.outbox if m.to == ["stranger@elsewhere.example"]]
    assert household.customer.name not in reply.body
    assert household.electricity.number not in reply.body
    assert "If you are our customer" in reply.body
    page = words(care.get("/care/complaints/mail/"))
    assert "stranger@elsewhere.example" in page
    assert "No customer has this e-mail address" in page
    raw = care.get(f"/care/complaints/mail/{message.pk}/raw/")
    assert raw["Content-Type"] == "message/rfc822"
    assert "no-store" in raw["Cache-Control"]
    # Care decide whose it is.
    response = care.post(f"/care/complaints/mail/{message.pk}/assign/", {"account": household.electricity.number})
    message.refresh_from_db()
    assert message.status == InboundMail.Status.COMPLAINT
    assert message.complaint is not None
    assert response["Location"] == f"/care/complaints/{message.complaint.pk}/"


def test_an_unreadable_message_is_kept_with_its_reason_and_replayed_after_a_fix(tmp_path, household, agent):
    folder = tmp_path / "mail"
    _deliver(folder, b"Subject: no sender here\r\n\r\nMy bill is wrong\r\n")
    [message] = complaints_mail.read_mailbox(folder=folder, now=timezone.now())
    assert message.status == InboundMail.Status.UNREADABLE
    assert "no From header" in message.reason
    assert django_mail.outbox == [], "nobody to reply to"
    again = complaints_mail.replay(mail=message, actor=agent, now=timezone.now())
    assert again.status == InboundMail.Status.UNREADABLE
    with pytest.raises(complaints_ops.ComplaintRefused, match="cannot be read"):
        complaints_mail.assign(mail=message, account=household.electricity, actor=agent, now=timezone.now())
    complaints_mail.dismiss(mail=message, reason="Spam", actor=agent, now=timezone.now())
    message.refresh_from_db()
    assert message.status == InboundMail.Status.DISMISSED


def test_an_unmatched_sender_is_matched_on_replay_once_care_correct_the_address(tmp_path, household, agent):
    folder = tmp_path / "mail"
    _deliver(folder, _email("jo.new@example.com", "Bill", "Wrong bill."))
    [message] = complaints_mail.read_mailbox(folder=folder, now=timezone.now())
    assert message.status == InboundMail.Status.UNMATCHED
    household.customer.contact_email = "jo.new@example.com"
    household.customer.save(update_fields=["contact_email"])
    replies = len(django_mail.outbox)
    replayed = complaints_mail.replay(mail=message, actor=agent, now=timezone.now())
    assert replayed.status == InboundMail.Status.COMPLAINT
    assert replayed.complaint is not None
    # The e-mail names no account: the customer's first active account by number.
    assert replayed.complaint.account == min(household.electricity, household.gas, key=lambda account: account.number)
    assert replayed.complaint.received_at == message.received_at, "the clock runs from when it reached us"
    assert not [
        m for m in django_mail.outbox[replies:] if m.to == ["jo.new@example.com"] and "reference E-" in m.subject
    ]


def test_a_message_is_received_when_it_reached_the_mailbox(tmp_path, household):
    folder = tmp_path / "mail"
    key = _deliver(folder, _email("jo.bloggs@example.com", "Late read", "Read days later."))
    delivered = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)
    box = mailbox.Maildir(folder)
    message = box.get_message(key)
    message.set_date(delivered.timestamp())
    box[key] = message
    [taken] = complaints_mail.read_mailbox(folder=folder, now=datetime(2026, 12, 29, 9, tzinfo=UTC))
    assert taken.received_at == delivered
    assert taken.complaint is not None
    assert taken.complaint.response_due_date == date(2027, 1, 6)


def test_the_command_reads_the_mailbox_and_says_what_became_of_each(settings, tmp_path, household):
    settings.HEARTH_COMPLAINTS_MAILDIR = tmp_path / "mail"
    _deliver(settings.HEARTH_COMPLAINTS_MAILDIR, _email("jo.bloggs@example.com", "Bill", "Wrong."))
    _deliver(settings.HEARTH_COMPLAINTS_MAILDIR, b"not an e-mail at all")
    out = io.StringIO()
    call_command("read_complaint_mail", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.endswith(f"complaint {Complaint.objects.get().reference}") for line in lines)
    assert any("Could not be read: The message has no From header" in line for line in lines)
    assert lines[-1] == "2 new message(s), 1 waiting for care."
