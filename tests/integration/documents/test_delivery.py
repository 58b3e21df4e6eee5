"""Delivery: who a document goes to and how (each login's rules, post when asked or when no login receives it), what
the e-mail says and carries, how the mail server's answers are recorded, resending by care staff, and the hook that
delivers a bill's invoice when it is first stored.

The mail server here is a scripted backend (``delivery_support.ScriptedBackend``); the real SMTP conversation is in
``test_delivery_smtp.py``.
"""

import smtplib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from hearth.data.audit.models import AuditEvent
from hearth.data.documents.models import Delivery, DeliveryRule, Document, DocumentType
from hearth.data.identity.models import AccountLink, User
from hearth.domain.billing import invoice as billing_invoice
from hearth.domain.billing import runs as billing_runs
from hearth.domain.documents import delivery as documents_delivery
from hearth.domain.documents import operations as documents_ops
from hearth.domain.documents import post
from hearth.interfaces.tasks import documents as delivery_tasks
from tests.integration.billing import run_support
from tests.integration.billing.invoice_support import cancel, use_documents_folder
from tests.integration.conftest import Builder, Site
from tests.integration.documents.delivery_support import (
    INVOICE_TOTAL,
    NOW,
    SCRIPTED,
    STAFF_EMAIL,
    ScriptedBackend,
    care_client,
    choose,
    october_bill,
    words,
)
from tests.integration.documents.test_store import pdf_of

PORTAL_URL = "https://portal.hearth.example"


@pytest.fixture(autouse=True)
def scripted_mail(settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> type[ScriptedBackend]:
    """Documents in a folder of this test; e-mail through the scripted backend, accepted unless a test says not."""
    use_documents_folder(monkeypatch, tmp_path / "documents")
    settings.HEARTH_EMAIL_DELIVERY_BACKEND = SCRIPTED
    settings.HEARTH_BRAND = {**settings.HEARTH_BRAND, "portal_url": PORTAL_URL}
    monkeypatch.setattr(ScriptedBackend, "script", [])
    monkeypatch.setattr(ScriptedBackend, "sent", [])
    return ScriptedBackend


def document_of(
    site: Site,
    *,
    reference: str = "INV-DELIVERY-1",
    amount: Decimal | None = Decimal("180.18"),
    type_code: str = DocumentType.INVOICE,
) -> Document:
    return documents_ops.store_document(
        account=site.electricity,
        type_code=type_code,
        reference=reference,
        issued_at=NOW,
        issue_date=date(2026, 11, 2),
        period_start_date=date(2026, 10, 1),
        period_end_date=date(2026, 11, 1),
        amount=amount,
        pdf=pdf_of(2, title=reference),
    )


@pytest.fixture
def care(db: None) -> Client:
    return care_client()


def summary(deliveries: list[Delivery]) -> set[tuple[str, str, bool]]:
    return {(delivery.channel, delivery.address, delivery.with_attachment) for delivery in deliveries}


def billing_address(site: Site) -> str:
    """The household's billing address as an envelope shows it, written out by hand from the Builder's values."""
    return f"{site.electricity.billing_property.address_line_1}\nLeeds\nLS1 4AP"


# --- Planning ------------------------------------------------------------------------------------------------------


def test_each_activated_login_gets_an_email_as_its_rules_say_and_others_get_nothing(
    build: Builder, household: Site
) -> None:
    account = household.electricity
    ann = build.activated_login("ann@example.com", account)
    bob = build.activated_login("bob@example.com", account, role=AccountLink.Role.VIEWER)
    cat = build.activated_login("cat@example.com", account)
    build.new_login(account, "dan@example.com")  # never signed in: has not taken up e-billing
    choose(bob, account, email=True, attachment=False, post=False)
    choose(cat, account, email=False, attachment=False, post=False)
    blocked = build.activated_login("eve@example.com", account)
    User.objects.filter(pk=blocked.pk).update(is_active=False)
    build.activated_login("gas.only@example.com", household.gas)
    document = document_of(household)

    planned = documents_delivery.plan_deliveries(document=document, now=NOW)

    assert summary(planned) == {("EMAIL", "ann@example.com", True), ("EMAIL", "bob@example.com", False)}
    assert {delivery.user for delivery in planned} == {ann, bob}
    stored = Delivery.objects.filter(document=document)
    assert stored.count() == 2
    for delivery in stored:
        assert (delivery.status, delivery.attempts, delivery.created_at) == ("PENDING", 0, NOW)
        assert delivery.requested_by is None


def test_logins_asking_for_post_get_one_letter_to_the_billing_address(build: Builder, household: Site) -> None:
    account = household.electricity
    ann = build.activated_login("ann@example.com", account)
    bob = build.activated_login("bob@example.com", account)
    choose(ann, account, email=True, attachment=True, post=True)
    choose(bob, account, email=False, attachment=False, post=True)

    planned = documents_delivery.plan_deliveries(document=document_of(household), now=NOW)

    assert summary(planned) == {("EMAIL", "ann@example.com", True), ("POST", billing_address(household), False)}
    letter = next(delivery for delivery in planned if delivery.channel == "POST")
    assert letter.user is None
    # The print batch reads the same address back: the lines, then the postcode.
    envelope = post.envelope_of(name=household.customer.name, address=letter.address)
    assert envelope.lines == (account.billing_property.address_line_1, "Leeds")
    assert envelope.postcode == "LS1 4AP"


def test_an_account_no_login_receives_for_gets_its_documents_by_post(build: Builder, household: Site) -> None:
    build.new_login(household.electricity, "not.yet@example.com")

    planned = documents_delivery.plan_deliveries(document=document_of(household), now=NOW)

    assert summary(planned) == {("POST", billing_address(household), False)}


def test_a_login_asking_for_other_types_by_post_does_not_get_this_one_by_post(build: Builder, household: Site) -> None:
    ann = build.activated_login("ann@example.com", household.electricity)
    choose(ann, household.electricity, email=True, attachment=False, post=True, type_code=DocumentType.STATEMENT)

    planned = documents_delivery.plan_deliveries(document=document_of(household), now=NOW)

    assert summary(planned) == {("EMAIL", "ann@example.com", True)}


def switched_off(user: User, site: Site, type_code: str) -> None:
    """A stored rule with every channel off, as the rules page never writes for a type that must be delivered (one
    kept from before the type had to be, or written around the page)."""
    DeliveryRule.objects.create(
        user=user,
        account=site.electricity,
        document_type=DocumentType.objects.get(code=type_code),
        email_notification=False,
        email_attachment=False,
        post=False,
        updated_at=NOW,
    )


def test_a_document_that_must_be_delivered_goes_by_post_to_a_login_whose_stored_rule_has_every_channel_off(
    build: Builder, household: Site
) -> None:
    ann = build.activated_login("ann@example.com", household.electricity)
    build.activated_login("bob@example.com", household.electricity)
    switched_off(ann, household, DocumentType.NOTICE)
    assert DocumentType.objects.get(code=DocumentType.NOTICE).must_be_delivered

    planned = documents_delivery.plan_deliveries(
        document=document_of(household, reference="NOT-DELIVERY-1", amount=None, type_code=DocumentType.NOTICE),
        now=NOW,
    )

    # Bob's e-mail as his default rule says; Ann's share is the account's letter.
    assert summary(planned) == {("EMAIL", "bob@example.com", False), ("POST", billing_address(household), False)}


def test_a_document_that_need_not_be_delivered_reaches_no_one_whose_rule_has_every_channel_off(
    build: Builder, household: Site
) -> None:
    ann = build.activated_login("ann@example.com", household.electricity)
    build.activated_login("bob@example.com", household.electricity)
    switched_off(ann, household, DocumentType.STATEMENT)
    assert not DocumentType.objects.get(code=DocumentType.STATEMENT).must_be_delivered

    planned = documents_delivery.plan_deliveries(
        document=document_of(household, reference="STA-DELIVERY-1", amount=None, type_code=DocumentType.STATEMENT),
        now=NOW,
    )

    assert summary(planned) == {("EMAIL", "bob@example.com", False)}


def test_planning_again_plans_nothing_more_even_after_a_resend(build: Builder, household: Site) -> None:
    ann = build.activated_login("ann@example.com", household.electricity)
    choose(ann, household.electricity, email=True, attachment=True, post=True)
    document = document_of(household)
    first = documents_delivery.plan_deliveries(document=document, now=NOW)
    agent = build.staff_login("agent@hearth.example", "Console4Care9")
    documents_delivery.resend(document=document, user=None, actor=agent, now=NOW)

    again = documents_delivery.plan_deliveries(document=document, now=NOW + timedelta(hours=1))

    assert len(first) == 2
    assert again == []
    assert Delivery.objects.filter(document=document).count() == 3


# --- Sending -------------------------------------------------------------------------------------------------------


def planned_email(build: Builder, site: Site, *, attachment: bool = True, **document: Any) -> Delivery:
    user = build.activated_login("ann@example.com", site.electricity)
    if not attachment:
        choose(user, site.electricity, email=True, attachment=False, post=False)
    [delivery] = documents_delivery.plan_deliveries(document=document_of(site, **document), now=NOW)
    return delivery


def test_an_email_names_the_document_account_and_amount_and_carries_the_pdf(
    build: Builder, household: Site, scripted_mail: type[ScriptedBackend]
) -> None:
    delivery = planned_email(build, household)
    sent_at = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)

    documents_delivery.send_email_delivery(delivery=delivery, now=sent_at)

    [message] = scripted_mail.sent
    number = household.electricity.number
    assert message.to == ["ann@example.com"]
    assert message.subject == f"Hearth Energy: your invoice INV-DELIVERY-1 for account {number}"
    assert f"Invoice: INV-DELIVERY-1\nAccount number: {number}\nIssued: 2 November 2026\nAmount: £180.18" in (
        message.body
    )
    assert PORTAL_URL in message.body
    with delivery.document.file.open("rb") as handle:
        assert message.attachments == [("INV-DELIVERY-1.pdf", handle.read(), "application/pdf")]
    assert (delivery.status, delivery.attempts, delivery.sent_at, delivery.last_error) == ("SENT", 1, sent_at, "")
    assert delivery.deemed_delivered_date == date(2026, 11, 2)


def test_a_notification_without_the_pdf_points_to_the_portal(
    build: Builder, household: Site, scripted_mail: type[ScriptedBackend]
) -> None:
    delivery = planned_email(build, household, attachment=False, amount=None)

    documents_delivery.send_email_delivery(delivery=delivery, now=NOW)

    [message] = scripted_mail.sent
    assert message.attachments == []
    assert f"Sign in to your online account at {PORTAL_URL}" in message.body
    assert "Amount" not in message.body


@pytest.mark.parametrize(
    ("sent_at", "deemed"),
    [
        # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), date(2026, 7, 1)),
        # In winter London is on UTC: still 31 December.
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2026, 12, 31)),
        # The last Sunday of March, just after the clock goes forward (01:00 UTC is 02:00 BST).
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), date(2026, 3, 29)),
        # Christmas Day, a bank holiday everywhere: an e-mail is deemed delivered at once all the same (T&C 22.3.2).
        (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), date(2026, 12, 25)),
    ],
)
def test_an_email_is_deemed_delivered_on_the_london_day_it_is_sent(
    build: Builder, household: Site, sent_at: datetime, deemed: date
) -> None:
    delivery = planned_email(build, household)

    documents_delivery.send_email_delivery(delivery=delivery, now=sent_at)

    assert delivery.deemed_delivered_date == deemed


@pytest.mark.parametrize(
    ("error", "status", "reason"),
    [
        (
            smtplib.SMTPRecipientsRefused({"ann@example.com": (550, b"5.1.1 <ann@example.com>: User unknown")}),
            "FAILED",
            "550 5.1.1 <ann@example.com>: User unknown",
        ),
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"), "FAILED", "554 5.7.1 Message rejected as spam"),
        (
            smtplib.SMTPSenderRefused(553, b"5.7.1 Sender address rejected", "no-reply@hearth.example"),
            "FAILED",
            "553 5.7.1 Sender address rejected",
        ),
        (
            smtplib.SMTPRecipientsRefused({"ann@example.com": (450, b"4.2.2 Mailbox full")}),
            "RETRYING",
            "450 4.2.2 Mailbox full",
        ),
        (smtplib.SMTPDataError(451, b"4.3.0 Try again later"), "RETRYING", "451 4.3.0 Try again later"),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            "RETRYING",
            "SMTPServerDisconnected: Connection unexpectedly closed",
        ),
        # A server that refuses the connection itself says nothing about the address: tried again.
        (smtplib.SMTPConnectError(554, b"No SMTP service here"), "RETRYING", "554 No SMTP service here"),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "RETRYING",
            "ConnectionRefusedError: [Errno 111] Connection refused",
        ),
        (TimeoutError("timed out"), "RETRYING", "TimeoutError: timed out"),
    ],
)
def test_the_mail_servers_answer_decides_between_failed_for_good_and_retrying(
    build: Builder,
    household: Site,
    scripted_mail: type[ScriptedBackend],
    error: OSError,
    status: str,
    reason: str,
) -> None:
    delivery = planned_email(build, household)
    scripted_mail.script.append(error)

    if status == "RETRYING":
        with pytest.raises(documents_delivery.TemporaryDeliveryFailure):
            documents_delivery.send_email_delivery(delivery=delivery, now=NOW)
    else:
        documents_delivery.send_email_delivery(delivery=delivery, now=NOW)

    assert (delivery.status, delivery.attempts, delivery.last_error) == (status, 1, reason)
    assert (delivery.sent_at, delivery.deemed_delivered_date) == (None, None)
    assert scripted_mail.sent == []


def test_the_last_attempt_refused_for_now_fails_for_good(
    build: Builder, household: Site, scripted_mail: type[ScriptedBackend]
) -> None:
    delivery = planned_email(build, household)
    Delivery.objects.filter(pk=delivery.pk).update(status="RETRYING", attempts=9)
    scripted_mail.script.append(smtplib.SMTPDataError(451, b"4.3.0 Try again later"))

    documents_delivery.send_email_delivery(delivery=delivery, now=NOW)  # no exception: nothing more to try

    assert (delivery.status, delivery.attempts) == ("FAILED", 10)
    assert delivery.last_error == "Gave up after 10 attempts: 451 4.3.0 Try again later"


def test_a_delivery_sent_or_failed_is_never_sent_again(
    build: Builder, household: Site, scripted_mail: type[ScriptedBackend]
) -> None:
    delivery = planned_email(build, household)
    documents_delivery.send_email_delivery(delivery=delivery, now=NOW)
    failed = Delivery.objects.create(
        document=delivery.document, channel="EMAIL", address="x@example.com", status="FAILED", created_at=NOW
    )

    documents_delivery.send_email_delivery(delivery=delivery, now=NOW + timedelta(minutes=5))
    documents_delivery.send_email_delivery(delivery=failed, now=NOW + timedelta(minutes=5))

    assert len(scripted_mail.sent) == 1
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("SENT", 1, NOW)
    assert (failed.status, failed.attempts) == ("FAILED", 0)


# --- The task engine, and the command that retries without it ---------------------------------------------------


class Retried(Exception):
    """What the task raised instead of queueing its retry."""


@pytest.fixture
def retries(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The retries the delivery task asks for, recorded instead of queued. The task's body is run directly: running
    it eagerly would fix the Celery app's result backend for the rest of the session."""
    asked: list[dict[str, Any]] = []

    def retry(**options: Any) -> Retried:
        asked.append(options)
        return Retried()

    monkeypatch.setattr(delivery_tasks.deliver_document, "retry", retry)
    return asked


def test_the_task_retries_a_temporary_failure_after_a_backoff_and_delivers(
    build: Builder, household: Site, scripted_mail: type[ScriptedBackend], retries: list[dict[str, Any]]
) -> None:
    delivery = planned_email(build, household)
    scripted_mail.script.append(smtplib.SMTPDataError(451, b"4.3.0 Try again later"))

    with pytest.raises(Retried):
        delivery_tasks.deliver_document.run(delivery.pk)
    delivery_tasks.deliver_document.run(delivery.pk)  # the retry, when it comes

    [asked] = retries
    assert isinstance(asked["exc"], documents_delivery.TemporaryDeliveryFailure)
    assert 0 <= asked["countdown"] <= 60  # the first wait: up to a minute
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("SENT", 2, "451 4.3.0 Try again later")
    assert len(scripted_mail.sent) == 1


def test_the_task_records_the_last_temporary_failure_as_failed_and_asks_for_no_retry(
    build: Builder, household: Site, scripted_mail: type[ScriptedBackend], retries: list[dict[str, Any]]
) -> None:
    delivery = planned_email(build, household)
    attempts = documents_delivery.MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk).update(status="RETRYING", attempts=attempts - 1)
    scripted_mail.script.append(ConnectionRefusedError(111, "Connection refused"))

    delivery_tasks.deliver_document.run(delivery.pk)

    assert retries == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("FAILED", attempts)
    assert (
        delivery.last_error
        == f"Gave up after {attempts} attempts: ConnectionRefusedError: [Errno 111] Connection refused"
    )


@pytest.mark.parametrize("retries", range(8))
def test_the_task_waits_longer_after_each_failure_up_to_an_hour(retries: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("random.randrange", lambda stop: stop - 1)  # the jitter at its longest
    longest = min(60 * 2**retries, 3600)

    assert delivery_tasks.retry_countdown(retries) == longest


def test_deliver_pending_sends_what_is_still_waiting_and_reports_it(
    build: Builder, household: Site, scripted_mail: type[ScriptedBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    now = timezone.now()
    ann = build.activated_login("ann@example.com", household.electricity)
    bob = build.activated_login("bob@example.com", household.electricity)
    old = document_of(household, reference="INV-OLD")
    young = document_of(household, reference="INV-YOUNG")
    old_ones = documents_delivery.plan_deliveries(document=old, now=now - timedelta(minutes=30))
    documents_delivery.plan_deliveries(document=young, now=now - timedelta(minutes=1))
    Delivery.objects.filter(document=old, user=ann).update(status="RETRYING", attempts=1, last_error="451 later")
    scripted_mail.script.extend(
        [None, smtplib.SMTPRecipientsRefused({"bob@example.com": (550, b"5.1.1 User unknown")})]
    )

    call_command("deliver_pending")

    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Sent 1",
        "Still retrying 0",
        "Failed 1",
        "  INV-OLD to bob@example.com: 550 5.1.1 User unknown",
    ]
    statuses = {d.user: (d.status, d.attempts) for d in Delivery.objects.filter(document=old)}
    assert statuses == {ann: ("SENT", 2), bob: ("FAILED", 1)}
    assert set(Delivery.objects.filter(document=young).values_list("status", flat=True)) == {"PENDING"}
    assert len(old_ones) == 2


# --- The invoice is delivered when first stored ----------------------------------------------------------------


def test_a_new_invoice_is_delivered_once_its_transaction_commits_and_only_the_first_time(
    build: Builder,
    household: Site,
    scripted_mail: type[ScriptedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    build.activated_login("ann@example.com", household.electricity)
    bill = october_bill(household.electricity)

    with django_capture_on_commit_callbacks() as waiting:
        document = billing_invoice.attach_invoice(bill=bill, now=NOW)
        assert scripted_mail.sent == []  # nothing leaves before the commit
    for callback in waiting:
        callback()
    with django_capture_on_commit_callbacks(execute=True) as again:
        billing_invoice.attach_invoice(bill=bill, now=NOW + timedelta(days=1))

    assert again == []
    [message] = scripted_mail.sent
    assert message.to == ["ann@example.com"]
    assert f"Amount: £{INVOICE_TOTAL}" in message.body
    assert [(d.channel, d.status) for d in documents_delivery.deliveries_of(document)] == [("EMAIL", "SENT")]


def test_a_credit_note_is_delivered_too(
    build: Builder,
    household: Site,
    scripted_mail: type[ScriptedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    build.activated_login("ann@example.com", household.electricity)
    bill = october_bill(household.electricity)
    with django_capture_on_commit_callbacks(execute=True):
        billing_invoice.attach_invoice(bill=bill, now=NOW)
    cancel(bill, day=date(2026, 11, 20))

    with django_capture_on_commit_callbacks(execute=True):
        billing_invoice.attach_documents(bill=bill, now=NOW + timedelta(days=18))

    subjects = [message.subject for message in scripted_mail.sent]
    number = household.electricity.number
    assert subjects == [
        f"Hearth Energy: your invoice {bill.reference} for account {number}",
        f"Hearth Energy: your credit note CN-{number}-20261001 for account {number}",
    ]
    assert f"Amount: -£{INVOICE_TOTAL}" in scripted_mail.sent[1].body


def test_documents_stored_without_delivery_are_sent_to_nobody(
    build: Builder,
    household: Site,
    scripted_mail: type[ScriptedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    build.activated_login("ann@example.com", household.electricity)
    bill = october_bill(household.electricity)

    with django_capture_on_commit_callbacks(execute=True):
        billing_invoice.attach_documents(bill=bill, now=NOW, deliver=False)

    bill.refresh_from_db()
    assert bill.document_id is not None
    assert Delivery.objects.count() == 0
    assert scripted_mail.sent == []


def test_a_bill_run_delivers_the_invoices_it_stores_unless_told_not_to(db: None) -> None:
    tariff = run_support.single_rate_tariff(valid_from_date=date(2024, 1, 1))
    as_of = run_support.this_month()
    start = run_support.months_before(as_of, 1) + timedelta(days=5)
    quiet = run_support.billable_account(tariff, number="7700000001", supply_start_date=start)
    delivered = run_support.billable_account(tariff, number="7700000002", supply_start_date=start)

    for account, deliver in ((quiet, False), (delivered, True)):
        now = timezone.now()
        run = billing_runs.start_run(as_of_date=as_of, account_number=account.number, started_by="test", now=now)
        billing_runs.bill_accounts(run=run, account_ids=[account.pk], now=now, with_pdf=True, deliver=deliver)

    assert Document.objects.filter(account=quiet).count() == Document.objects.filter(account=delivered).count() == 1
    assert not Delivery.objects.filter(document__account=quiet).exists()
    # No login receives for these accounts: the invoice waits for the print batch.
    letters = Delivery.objects.filter(document__account=delivered)
    assert [(d.channel, d.status, d.address.splitlines()[-1]) for d in letters] == [("POST", "PENDING", "S1 2HE")]


# --- Care staff: resending, and what the customer is told -------------------------------------------------------


def test_care_staff_resend_to_any_login_of_the_account_or_by_post_and_it_is_audited(
    build: Builder,
    household: Site,
    scripted_mail: type[ScriptedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    agent = build.staff_login("agent@hearth.example", "Console4Care9")
    new = build.new_login(household.electricity, "new.login@example.com")
    document = document_of(household, reference="INV-RESENT")
    resent_at = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)

    with django_capture_on_commit_callbacks(execute=True):
        emailed = documents_delivery.resend(document=document, user=new, actor=agent, now=resent_at)
        posted = documents_delivery.resend(document=document, user=None, actor=agent, now=resent_at)

    emailed.refresh_from_db()
    assert (emailed.channel, emailed.address, emailed.with_attachment) == ("EMAIL", "new.login@example.com", True)
    assert (emailed.status, emailed.requested_by) == ("SENT", agent)
    assert [message.to for message in scripted_mail.sent] == [["new.login@example.com"]]
    assert (posted.channel, posted.address, posted.status, posted.requested_by) == (
        "POST",
        billing_address(household),
        "PENDING",
        agent,
    )
    events = AuditEvent.objects.filter(action="document.resent").order_by("id")
    assert [(e.actor, e.customer, e.subject, e.after, e.at) for e in events] == [
        (
            agent,
            household.customer,
            f"INV-RESENT of account {household.electricity.number}",
            {"channel": "E-mail", "address": "new.login@example.com"},
            resent_at,
        ),
        (
            agent,
            household.customer,
            f"INV-RESENT of account {household.electricity.number}",
            {"channel": "Post", "address": billing_address(household)},
            resent_at,
        ),
    ]


def test_a_resend_to_a_login_of_another_account_or_to_staff_is_refused(build: Builder, household: Site) -> None:
    agent = build.staff_login("agent@hearth.example", "Console4Care9")
    gas_only = build.activated_login("gas.only@example.com", household.gas)
    document = document_of(household)

    for user in (gas_only, agent):
        with pytest.raises(documents_delivery.DeliveryRefused):
            documents_delivery.resend(document=document, user=user, actor=agent, now=NOW)

    assert Delivery.objects.count() == 0
    assert not AuditEvent.objects.filter(action="document.resent").exists()


def test_failed_deliveries_of_a_login_are_those_not_since_received(build: Builder, household: Site) -> None:
    ann = build.activated_login("ann@example.com", household.electricity, household.gas)
    bob = build.activated_login("bob@example.com", household.electricity)
    agent = build.staff_login("agent@hearth.example", "Console4Care9")

    def failed(user: User, document: Document, at: datetime) -> Delivery:
        return Delivery.objects.create(
            document=document, user=user, channel="EMAIL", address=user.email, status="FAILED", created_at=at
        )

    first, second = document_of(household, reference="INV-A"), document_of(household, reference="INV-B")
    gas = documents_ops.store_document(
        account=household.gas,
        type_code=DocumentType.INVOICE,
        reference="INV-GAS",
        issued_at=NOW,
        issue_date=date(2026, 11, 2),
        period_start_date=None,
        period_end_date=None,
        amount=None,
        pdf=pdf_of(1, title="gas"),
    )
    a_failed = failed(ann, first, NOW)
    b_failed = failed(ann, second, NOW + timedelta(hours=1))
    failed(bob, first, NOW)
    failed(ann, gas, NOW)
    Delivery.objects.create(
        document=first,
        user=ann,
        channel="EMAIL",
        address=ann.email,
        status="SENT",
        created_at=NOW + timedelta(days=1),
        requested_by=agent,
    )

    assert documents_delivery.failed_deliveries_of(user=ann, account=household.electricity) == [b_failed]
    assert a_failed not in documents_delivery.failed_deliveries_of(user=ann, account=household.electricity)


def deliveries_url(document: Document) -> str:
    return f"/care/accounts/{document.account.number}/documents/{document.pk}/deliveries/"


def test_care_staff_see_the_delivery_log_and_reach_it_from_the_bill_and_billing_pages(
    build: Builder,
    household: Site,
    care: Client,
    scripted_mail: type[ScriptedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    build.activated_login("ann@example.com", household.electricity)
    bob = build.activated_login("bob@example.com", household.electricity)
    choose(bob, household.electricity, email=True, attachment=False, post=True)
    bill = october_bill(household.electricity)
    scripted_mail.script.extend(
        [None, smtplib.SMTPRecipientsRefused({"bob@example.com": (550, b"5.1.1 <bob@example.com>: User unknown")})]
    )
    with django_capture_on_commit_callbacks(execute=True):
        document = billing_invoice.attach_invoice(bill=bill, now=NOW)

    page = care.get(deliveries_url(document))
    bill_page = care.get(f"/care/accounts/{household.electricity.number}/bills/{bill.pk}/")
    billing_page = care.get(f"/care/accounts/{household.electricity.number}/billing/")

    assert page.status_code == 200
    text = words(page)
    assert "E-mail PDF attached ann@example.com Sent 1 \N{EN DASH} " in text
    assert "E-mail bob@example.com Failed 1 550 5.1.1 <bob@example.com>: User unknown" in text
    address = household.electricity.billing_property.address_line_1
    assert f"Post {address} Leeds LS1 4AP Waiting to be sent 0 \N{EN DASH} " in text
    assert text.count("Automatic") == 3
    assert deliveries_url(document) in bill_page.content.decode()
    assert deliveries_url(document) in billing_page.content.decode()


def test_care_staff_resend_from_the_log(
    build: Builder,
    household: Site,
    care: Client,
    scripted_mail: type[ScriptedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ann = build.activated_login("ann@example.com", household.electricity)
    document = document_of(household)

    with django_capture_on_commit_callbacks(execute=True):
        emailed = care.post(deliveries_url(document) + "resend/", {"to": str(ann.pk)})
    posted = care.post(deliveries_url(document) + "resend/", {"to": "post"}, follow=True)
    nobody = care.post(deliveries_url(document) + "resend/", {"to": "999999"})

    assert emailed.status_code == 302
    assert emailed["Location"] == deliveries_url(document)
    assert "INV-DELIVERY-1 is being sent again by post, in the next print batch." in words(posted)
    assert "E-mail PDF attached ann@example.com Sent 1 \N{EN DASH} " in words(posted)
    assert STAFF_EMAIL in words(posted)
    assert nobody.status_code == 400
    assert "Choose one of the options shown." in words(nobody)
    assert [(d.channel, d.status) for d in documents_delivery.deliveries_of(document)] == [
        ("EMAIL", "SENT"),
        ("POST", "PENDING"),
    ]
    assert AuditEvent.objects.filter(action="document.resent").count() == 2


def test_a_document_of_another_account_is_not_found_in_the_console(
    build: Builder,
    household: Site,
    care: Client,
) -> None:
    document = document_of(household)

    response = care.get(f"/care/accounts/{household.gas.number}/documents/{document.pk}/deliveries/")
    resend = care.post(
        f"/care/accounts/{household.gas.number}/documents/{document.pk}/deliveries/resend/", {"to": "post"}
    )

    assert response.status_code == resend.status_code == 404
    assert Delivery.objects.count() == 0
