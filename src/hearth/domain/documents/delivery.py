"""Delivering documents (issue 5, FAQ 3 and 13, T&C 22.3): each issued document reaches each login of its account
the way that login's delivery rules say, by e-mail over SMTP, and on paper through the daily print batch.

Who receives a document: the account's portal logins (``User.Kind.CUSTOMER``) that are active and *activated* — a
login care staff created but whose owner never signed in and accepted the Conditions of Use has not taken up
e-billing (FAQ 6: "your account won't be activated until you log in"), and its address was never shown to work.
An account with no such login gets the document by post, to its billing address, as does any account one of whose
logins asks for post; the account has one letter per document however many logins ask for it. A document the supplier
must deliver (``DocumentType.must_be_delivered``) reaches every login: one whose stored rule has every channel off (a
rule kept from before the type had to be delivered, or written around the rules page) is sent the letter instead.

Planning writes one PENDING row per e-mail and letter, idempotently (the ``delivery_automatic_*`` constraints);
:func:`dispatch` then hands the e-mails, once the transaction commits, to ``settings.HEARTH_DELIVERY_DISPATCHER``:
a Celery task per e-mail when there is a broker (retried with backoff), otherwise sent at once in the issuing
process. Letters wait for ``hearth print_batch`` (:mod:`.post`).

E-mails go through ``settings.HEARTH_EMAIL_DELIVERY_BACKEND`` (the backend that really sends, SMTP in production),
never the queueing ``EMAIL_BACKEND``, so the server's answer is seen and kept here:

- refused for good (a 5xx answer to the recipient or the message: "550 user unknown") -> FAILED with the server's
  words, shown to care staff and on the customer's Delivery Settings page;
- refused for now (4xx: greylisting, a full mailbox), or the server unreachable, disconnecting or timing out ->
  RETRYING and :class:`TemporaryDeliveryFailure`, until :data:`MAX_ATTEMPTS`, after which it FAILED too. Server-level
  refusals (at connection, greeting or log-in) count as temporary whatever their code: they say nothing about the
  customer's address, and succeed once the mail server is put right.

An e-mail is deemed delivered on the local (Europe/London) day it is accepted by the server (T&C 22.3.2).
"""

import contextlib
import functools
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.module_loading import import_string

from hearth.common import calendar
from hearth.common.money import Money
from hearth.data.accounts.models import Account
from hearth.data.documents.models import Delivery, Document, DocumentType
from hearth.data.identity.models import AccountLink, User
from hearth.domain.audit import operations as audit
from hearth.domain.documents import post
from hearth.domain.documents import printing as documents_printing
from hearth.domain.documents import rules as delivery_rules

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
"""E-mail attempts before a temporary failure counts as final; with the task engine's backoff (up to 1, 2, 4 ...
minutes, at most an hour apart, with jitter) that is at most about four hours of trying, two on average."""

WAITING = (Delivery.Status.PENDING, Delivery.Status.RETRYING)
"""Statuses of a delivery still to be sent."""

SERVER_FAILURES = (smtplib.SMTPConnectError, smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError)
"""Refusals by the mail server itself, not about this message or address: temporary whatever their code."""


class TemporaryDeliveryFailure(Exception):
    """The e-mail could not be sent this time (a 4xx answer, the server unreachable): it will be tried again."""


class DeliveryRefused(Exception):
    """A resend cannot be made as asked; the message says why."""


# --- Who receives a document, and where --------------------------------------------------------------------------


def receiving_logins(account: Account) -> list[User]:
    """The logins a document of ``account`` is delivered to: active, activated customer logins linked to it."""
    return receiving_logins_of([account.pk]).get(account.pk, [])


def receiving_logins_of(account_ids: Iterable[int]) -> dict[int, list[User]]:
    """:func:`receiving_logins` of each of the accounts, in one query; an account with none is left out."""
    links = (
        AccountLink.objects.filter(
            account_id__in=list(account_ids),
            user__kind=User.Kind.CUSTOMER,
            user__is_active=True,
            user__activated_at__isnull=False,
        )
        .select_related("user")
        .order_by("user__email", "id")
    )
    found: dict[int, list[User]] = defaultdict(list)
    for link in links:
        found[link.account_id].append(link.user)
    return found


def postal_address(account: Account, *, forwarding: bool | None = None) -> str:
    """The envelope's address for the account's post, one line per line (the postcode last), as the print batch
    reads it; ``forwarding`` as :func:`documents_printing.postal_address_lines` takes it."""
    return "\n".join(documents_printing.postal_address_lines(account, forwarding=forwarding))


def _once_per(user_id: int | None, channel: str) -> tuple[int | None, str]:
    """What an automatic delivery is unique by: an e-mail per login, one letter per document."""
    return (user_id if channel == Delivery.Channel.EMAIL else None, channel)


def _create_once(delivery: Delivery) -> bool:
    """Write an automatic delivery unless a racing planner wrote it first (the constraints say so)."""
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def plan_deliveries(*, document: Document, now: datetime) -> list[Delivery]:
    """The document's automatic deliveries, PENDING: an e-mail to each receiving login whose rules ask for e-mail
    (with the PDF attached if they say so), and one letter when any of them asks for post, when there is none, or
    when a document that must be delivered would otherwise reach one of them by no channel.

    Planning again plans only what is missing, so a re-run never sends twice. Returns the deliveries written now,
    for :func:`dispatch`.
    """
    return plan_deliveries_of(documents=[document], now=now)


def plan_deliveries_of(*, documents: Sequence[Document], now: datetime) -> list[Delivery]:
    """:func:`plan_deliveries` for many documents with the queries of one (a bill run's chunk): written in one
    insert, or one at a time if a racing planner wrote some of them first."""
    account_ids = {document.account_id for document in documents}
    accounts = Account.objects.select_related("customer", "billing_property").in_bulk(account_ids)
    types = DocumentType.objects.in_bulk({document.document_type_id for document in documents})
    logins = receiving_logins_of(account_ids)
    applied = delivery_rules.applied_channels(
        user_ids={user.pk for users in logins.values() for user in users},
        account_ids=account_ids,
        document_type_ids=types,
    )
    forwarding = documents_printing.forwarding_accounts(accounts.values())
    planned = {
        (document_id, *_once_per(user_id, channel))
        for document_id, user_id, channel in Delivery.objects.filter(
            document__in=documents, requested_by__isnull=True
        ).values_list("document_id", "user_id", "channel")
    }
    new = [
        delivery
        for document in documents
        for delivery in _wanted(
            document,
            accounts[document.account_id],
            types[document.document_type_id],
            logins.get(document.account_id, []),
            applied,
            forwarding=document.account_id in forwarding,
            now=now,
        )
        if (document.pk, *_once_per(delivery.user_id, delivery.channel)) not in planned
    ]
    try:
        with transaction.atomic():
            return Delivery.objects.bulk_create(new)
    except IntegrityError:
        return [delivery for delivery in new if _create_once(delivery)]


def _wanted(
    document: Document,
    account: Account,
    document_type: DocumentType,
    logins: list[User],
    applied: dict[tuple[int, int, int], delivery_rules.Channels],
    *,
    forwarding: bool,
    now: datetime,
) -> list[Delivery]:
    """Every automatic delivery the document should have, planned or not (see :func:`plan_deliveries`)."""
    wanted: list[Delivery] = []
    wants_post = not logins
    for user in logins:
        channels = applied.get((user.pk, account.pk, document_type.pk)) or delivery_rules.default_channels(
            document_type
        )
        unreached = document_type.must_be_delivered and not channels.reaches_customer
        wants_post = wants_post or channels.post or unreached
        if channels.email_notification:
            wanted.append(
                Delivery(
                    document=document,
                    user=user,
                    channel=Delivery.Channel.EMAIL,
                    address=user.email,
                    with_attachment=channels.email_attachment,
                    created_at=now,
                )
            )
    if wants_post:
        wanted.append(
            Delivery(
                document=document,
                channel=Delivery.Channel.POST,
                address=postal_address(account, forwarding=forwarding),
                created_at=now,
            )
        )
    return wanted


def dispatch(deliveries: Iterable[Delivery]) -> None:
    """Hand the e-mails among ``deliveries`` to the configured dispatcher once the transaction commits (a rolled-back
    document e-mails nobody); letters wait for the print batch.

    A dispatcher that fails (the broker down) is logged and leaves its e-mails PENDING for ``hearth
    deliver_pending``; it never undoes the document.
    """
    ids = [delivery.pk for delivery in deliveries if delivery.channel == Delivery.Channel.EMAIL]
    if ids:
        dispatcher = import_string(settings.HEARTH_DELIVERY_DISPATCHER)
        transaction.on_commit(functools.partial(dispatcher, ids), robust=True)


# --- Sending an e-mail --------------------------------------------------------------------------------------------


def _message(delivery: Delivery) -> EmailMessage:
    """The e-mail of one delivery: what the document is, for which account, and where to see it."""
    document = delivery.document
    kind = document.document_type.name
    brand = settings.HEARTH_BRAND
    portal_url = str(brand["portal_url"])
    facts = [
        f"{kind}: {document.reference}",
        f"Account number: {document.account.number}",
        f"Issued: {document.issue_date.day} {document.issue_date:%B %Y}",
    ]
    if document.amount is not None:
        facts.append(f"Amount: {Money(document.amount)}")
    where = (
        f"The {kind.lower()} is attached as a PDF. You can also see it, and every other document of your account, "
        f"in your online account at {portal_url}"
        if delivery.with_attachment
        else f"Sign in to your online account at {portal_url} to see and download it."
    )
    body = "\n".join(
        [
            "Hello,",
            "",
            f"Your {kind.lower()} {document.reference} for account {document.account.number} is ready.",
            "",
            *facts,
            "",
            where,
            "",
            "To change how we send you documents, sign in and choose Your Details, then Delivery Settings.",
            "",
            str(brand["name"]),
            f"{brand['care_email']} · {brand['care_phone']}",
        ]
    )
    message = EmailMessage(
        subject=f"{brand['name']}: your {kind.lower()} {document.reference} for account {document.account.number}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        reply_to=[str(brand["care_email"])],
    )
    if delivery.with_attachment:
        with document.file.open("rb") as handle:
            message.attach(f"{document.reference}.pdf", handle.read(), "application/pdf")
    return message


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"


def _failure(exc: OSError) -> tuple[str, bool]:
    """What went wrong, in the server's words, and whether it may succeed later (True) or never will (False)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return _answer(code, text), not 500 <= code < 600
    if isinstance(exc, SERVER_FAILURES):
        return _answer(exc.smtp_code, exc.smtp_error), True
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer(exc.smtp_code, exc.smtp_error), not 500 <= exc.smtp_code < 600
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, True


def send_email_delivery(*, delivery: Delivery, now: datetime) -> None:
    """Send one e-mail delivery still waiting (PENDING or RETRYING); any other is left alone, so a repeated task
    never sends twice. The row is locked while it is sent; ``delivery`` is refreshed afterwards.

    Sent: SENT, ``sent_at`` = ``now``, deemed delivered that local day. Refused for good: FAILED with the server's
    answer. Refused for now: one more attempt counted, RETRYING, or FAILED once :data:`MAX_ATTEMPTS` are used.

    :raises TemporaryDeliveryFailure: after a temporary failure that will be tried again.
    """
    with transaction.atomic():
        locked = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("document__document_type", "document__account")
            .get(pk=delivery.pk)
        )
        if locked.channel != Delivery.Channel.EMAIL or locked.status not in WAITING:
            delivery.refresh_from_db()
            return
        locked.attempts += 1
        retry = False
        try:
            get_connection(settings.HEARTH_EMAIL_DELIVERY_BACKEND).send_messages([_message(locked)])
        except OSError as exc:  # smtplib's errors, sockets, and the document's file store
            reason, temporary = _failure(exc)
            retry = temporary and locked.attempts < MAX_ATTEMPTS
            if temporary and not retry:
                reason = f"Gave up after {locked.attempts} attempts: {reason}"
            locked.status = Delivery.Status.RETRYING if retry else Delivery.Status.FAILED
            locked.last_error = reason[:500]
            logger.warning("Delivery %s of %s: %s", locked.pk, locked.document.reference, locked.last_error)
        else:
            locked.status = Delivery.Status.SENT
            locked.sent_at = now
            locked.deemed_delivered_date = post.deemed_delivered(
                channel=Delivery.Channel.EMAIL, sent_on=calendar.local_date(now)
            )
        locked.save(update_fields=["attempts", "status", "last_error", "sent_at", "deemed_delivered_date"])
    delivery.refresh_from_db()
    if retry:
        raise TemporaryDeliveryFailure(f"Delivery {delivery.pk}: {delivery.last_error}")


def email_deliveries_waiting(*, created_before: datetime) -> list[Delivery]:
    """E-mails still to be sent that were planned before ``created_before``: those left RETRYING without a task
    engine, or whose dispatch was lost (``hearth deliver_pending`` sends them)."""
    return list(
        Delivery.objects.filter(channel=Delivery.Channel.EMAIL, status__in=WAITING, created_at__lt=created_before)
        .select_related("document")
        .order_by("created_at", "id")
    )


def send_waiting(*, created_before: datetime, now: datetime) -> list[Delivery]:
    """Send each e-mail still waiting that was planned before ``created_before`` (:func:`email_deliveries_waiting`):
    one more attempt each. Returns them as they ended: SENT, RETRYING (refused for now) or FAILED."""
    waiting = email_deliveries_waiting(created_before=created_before)
    for delivery in waiting:
        # A temporary failure is recorded on the delivery (RETRYING), which the caller reads.
        with contextlib.suppress(TemporaryDeliveryFailure):
            send_email_delivery(delivery=delivery, now=now)
    return waiting


def delivery_by_id(delivery_id: int) -> Delivery | None:
    return Delivery.objects.filter(pk=delivery_id).first()


# --- Care staff: the log and resending ----------------------------------------------------------------------------


def resend_logins(account: Account) -> list[User]:
    """The logins care staff may resend an account's document to: its active customer logins, activated or not."""
    links = (
        AccountLink.objects.filter(account=account, user__kind=User.Kind.CUSTOMER, user__is_active=True)
        .select_related("user")
        .order_by("user__email", "id")
    )
    return [link.user for link in links]


def resend(*, document: Document, user: User | None, actor: User, now: datetime) -> Delivery:
    """Send the document again, as care staff ask: by e-mail to ``user`` (a customer login linked to the account,
    activated or not), or by post to the account's billing address when ``user`` is None. Audited.

    A resent e-mail always carries the PDF: it is a copy the customer asked for. It is dispatched like any other;
    a letter waits for the next print batch.

    :raises DeliveryRefused: if ``user`` is not a customer login of the document's account.
    """
    account = Account.objects.select_related("customer", "billing_property").get(pk=document.account_id)
    if user is None:
        delivery = Delivery(channel=Delivery.Channel.POST, address=postal_address(account))
    elif user in resend_logins(account):
        delivery = Delivery(user=user, channel=Delivery.Channel.EMAIL, address=user.email, with_attachment=True)
    else:
        raise DeliveryRefused(f"{user.email} is not an active login of account {account.number}.")
    delivery.document = document
    delivery.created_at = now
    delivery.requested_by = actor
    with transaction.atomic():
        delivery.save(force_insert=True)
        audit.record(
            actor=actor,
            action="document.resent",
            subject=f"{document.reference} of account {account.number}",
            customer=account.customer,
            after={"channel": delivery.get_channel_display(), "address": delivery.address},
            at=now,
        )
        dispatch([delivery])
    return delivery


def deliveries_of(document: Document) -> list[Delivery]:
    """Every delivery of the document, automatic and resent, in the order they were made."""
    return list(
        Delivery.objects.filter(document=document)
        .select_related("user", "requested_by", "print_batch")
        .order_by("created_at", "id")
    )


def failed_deliveries_of(*, user: User, account: Account) -> list[Delivery]:
    """The login's e-mails of the account's documents that failed for good and were not since received another
    way (a resend that reached the same login), newest first: what its Delivery Settings page warns about."""
    received_since = Delivery.objects.filter(
        document=OuterRef("document"),
        user=user,
        channel=Delivery.Channel.EMAIL,
        status=Delivery.Status.SENT,
        created_at__gte=OuterRef("created_at"),
    )
    return list(
        Delivery.objects.filter(
            user=user, document__account=account, channel=Delivery.Channel.EMAIL, status=Delivery.Status.FAILED
        )
        .exclude(Exists(received_since))
        .select_related("document__document_type")
        .order_by("-created_at", "-id")
    )
