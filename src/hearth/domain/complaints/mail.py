"""Complaints by e-mail (T&C 20.1.2): the complaints mailbox is a Maildir the mail server delivers into; each message
is read once, kept as the bytes that arrived, and becomes a complaint when its sender is one customer's (ADR 0018).

- A message is identified by the SHA-256 of its bytes: reading the same message again (a crash between storing it
  and removing it from the mailbox, the mail server delivering twice) changes nothing.
- It is received when it reached the mailbox (the Maildir's delivery time), never later than it was read; the
  message's own ``Date`` header is the sender's to write and is not trusted.
- The sender (``From``) is matched, ignoring case, to a customer's contact e-mail address or a portal login linked to
  their accounts. One customer: the complaint is on the account the message names (a 10-digit account number in the
  subject or body), else on their first open account, and is acknowledged by letter by that account's delivery
  rules, never to the address the message claims to come from. No customer, or more than one: the message waits for
  care with the reason, and the sender gets an e-mail reply that says only that we received it, so nobody learns
  from it whether an address is a customer's. Automatic messages (``Auto-Submitted``, bounces) get no reply.
- A message that cannot be read (no sender address, an empty body) waits for care with the reason. Care can read the
  raw message, replay it once the customer's details are put right, assign it to an account, or dismiss it.
"""

import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.core.mail import EmailMessage as OutgoingEmail
from django.db import transaction
from django.db.models import Q
from django.utils.html import strip_tags

from hearth.data.accounts.models import Account, Customer
from hearth.data.complaints.models import Complaint, InboundMail
from hearth.data.identity.models import User
from hearth.domain.audit import operations as audit
from hearth.domain.complaints import operations as complaints_ops

ACCOUNT_NUMBER: Final = re.compile(r"\b(\d{10})\b")
NO_REPLY_SENDERS: Final = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.IGNORECASE)
MAX_BODY_CHARS: Final = 50_000


class UnreadableMail(Exception):
    """The message cannot become a complaint as it is; the message says why, for care."""


@dataclass(frozen=True)
class ParsedMail:
    """What a complaint needs from one e-mail."""

    from_address: str
    message_id: str
    subject: str
    body: str
    attachments: list[dict[str, Any]] = field(default_factory=list)
    automatic: bool = False
    notes: tuple[str, ...] = ()


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError) as exc:  # a header the parser cannot make sense of
        raise UnreadableMail(f"The {name} header cannot be read ({exc}).") from exc
    return " ".join(str(value).split()) if value is not None else ""


def _sender(message: EmailMessage) -> str:
    raw = message.get_all("From", failobj=[])
    if not raw:
        raise UnreadableMail("The message has no From header: there is no sender to match or reply to.")
    addresses = [address for _name, address in getaddresses([str(value) for value in raw]) if address]
    if len(addresses) != 1:
        raise UnreadableMail(f"The From header names {len(addresses)} addresses; one sender is needed.")
    address = addresses[0]
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError, TypeError) as exc:
        raise UnreadableMail(f"The sender {address!r} is not an e-mail address.") from exc
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise UnreadableMail(f"The sender {address!r} is not an e-mail address.")
    return address.lower()


def _text_of(part: EmailMessage) -> tuple[str, str | None]:
    """The part's text, and a note when its character set was unknown and UTF-8 was assumed."""
    try:
        return str(part.get_content()), None
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        charset = part.get_param("charset", "none")
        return data.decode("utf-8", errors="replace"), f"Unknown character set {charset!r}: read as UTF-8."


def _body(message: EmailMessage) -> tuple[str, list[str]]:
    notes: list[str] = []
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise UnreadableMail("The message has no text or HTML body to read the complaint from.")
    text, note = _text_of(part)  # type: ignore[arg-type]
    if note:
        notes.append(note)
    if part.get_content_subtype() == "html":
        text = strip_tags(text)
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not text.strip():
        raise UnreadableMail("The message's body is empty.")
    if len(text) > MAX_BODY_CHARS:
        notes.append(f"The body was cut to {MAX_BODY_CHARS:,} characters; the whole message is kept.")
        text = text[:MAX_BODY_CHARS]
    return text, notes


def _attachments(message: EmailMessage) -> Iterator[dict[str, Any]]:
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        yield {
            "name": part.get_filename() or "(no name)",
            "content_type": part.get_content_type(),
            "size_bytes": len(payload) if isinstance(payload, bytes) else 0,
        }


def parse(raw: bytes) -> ParsedMail:
    """Read one message's bytes (RFC 5322, any character sets) into what a complaint needs.

    :raises UnreadableMail: no bytes, no single sender address, or no readable body.
    """
    if not raw.strip():
        raise UnreadableMail("The message is empty.")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    sender = _sender(message)
    body, notes = _body(message)
    auto = _header(message, "Auto-Submitted").lower()
    return ParsedMail(
        from_address=sender,
        message_id=_header(message, "Message-ID")[:998],
        subject=_header(message, "Subject")[:998],
        body=body,
        attachments=list(_attachments(message)),
        automatic=bool(auto and auto != "no") or bool(NO_REPLY_SENDERS.match(sender)),
        notes=tuple(notes),
    )


def _account_for(parsed: ParsedMail) -> tuple[Account | None, str]:
    """The account the sender's complaint is about, or None with the reason care reads."""
    address = parsed.from_address
    customers = list(
        Customer.objects.filter(
            Q(contact_email__iexact=address)
            | Q(
                accounts__login_links__user__email__iexact=address, accounts__login_links__user__kind=User.Kind.CUSTOMER
            )
        )
        .distinct()
        .order_by("id")
    )
    if not customers:
        return None, "No customer has this e-mail address, as contact address or portal login."
    if len(customers) > 1:
        return None, f"{len(customers)} customers have this e-mail address: choose the account."
    accounts = list(customers[0].accounts.order_by("status", "number"))  # ACTIVE before CLOSED
    if not accounts:
        return None, "The customer with this e-mail address has no account."
    named = set(ACCOUNT_NUMBER.findall(f"{parsed.subject} {parsed.body}"))
    return next((account for account in accounts if account.number in named), accounts[0]), ""


def _complaint_from(mail: InboundMail, account: Account, *, actor: User | None, now: datetime) -> Complaint:
    complaint = complaints_ops.raise_complaint(
        account=account,
        channel=Complaint.Channel.EMAIL,
        summary=mail.subject or "Complaint by e-mail",
        description=mail.body,
        received_at=mail.received_at,
        raised_by=actor,
        now=now,
    )
    mail.status, mail.complaint = InboundMail.Status.COMPLAINT, complaint
    return complaint


def _reply(mail: InboundMail, *, now: datetime) -> None:
    """The e-mail reply to a sender we could not match: it confirms receipt and reveals nothing else."""
    brand = settings.HEARTH_BRAND
    headers = {"Auto-Submitted": "auto-replied"}
    if mail.message_id:
        headers["In-Reply-To"] = mail.message_id
    OutgoingEmail(
        subject=f"We have received your e-mail (reference E-{mail.pk:06d})",
        body=(
            f"Thank you for your e-mail to {brand['name']}. We have received it (reference E-{mail.pk:06d}) and our "
            "complaints team will look at it.\n\n"
            "If you are our customer, we will write to you about it by the way you have chosen to receive letters. "
            "It helps us if you quote your account number when you write to us.\n\n"
            f"You can also call us on {brand['care_phone']}.\n\n{brand['name']} complaints team\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.from_address],
        headers=headers,
    ).send()
    mail.replied_at = now


def _settle(mail: InboundMail, *, now: datetime, reply: bool) -> None:
    """Read the stored bytes and make the complaint, or record why not (and reply to an unmatched sender)."""
    try:
        parsed = parse(bytes(mail.raw))
    except UnreadableMail as exc:
        mail.status, mail.reason = InboundMail.Status.UNREADABLE, str(exc)
        return
    mail.from_address, mail.message_id, mail.subject = parsed.from_address, parsed.message_id, parsed.subject
    mail.body, mail.attachments = parsed.body, parsed.attachments
    account, reason = _account_for(parsed)
    if account is None:
        mail.status, mail.reason = InboundMail.Status.UNMATCHED, reason
        if reply and not parsed.automatic and mail.replied_at is None:
            mail.save()
            _reply(mail, now=now)
    else:
        mail.reason = " ".join(parsed.notes)
        _complaint_from(mail, account, actor=None, now=now)


@transaction.atomic
def take(*, raw: bytes, mailbox_key: str, delivered_at: datetime, now: datetime) -> tuple[InboundMail, bool]:
    """Keep one message and settle it; a message already taken is returned unchanged (False)."""
    digest = hashlib.sha256(raw).hexdigest()
    existing = InboundMail.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    mail = InboundMail(
        raw=raw, sha256=digest, mailbox_key=mailbox_key[:255], received_at=min(delivered_at, now), status=""
    )
    _settle(mail, now=now, reply=True)
    mail.save()
    _record(mail, action="received", actor=None, now=now)
    return mail, True


def read_mailbox(*, folder: Path, now: datetime) -> list[InboundMail]:
    """Take every message in the Maildir at ``folder`` and remove each once it is kept; returns the new ones."""
    box = mailbox.Maildir(folder, factory=None, create=True)
    taken: list[InboundMail] = []
    for key in sorted(box.keys()):
        message = box.get_message(key)
        delivered_at = datetime.fromtimestamp(message.get_date(), tz=UTC)
        mail, new = take(raw=box.get_bytes(key), mailbox_key=key, delivered_at=delivered_at, now=now)
        box.discard(key)
        if new:
            taken.append(mail)
    return taken


def _waiting(mail: InboundMail) -> InboundMail:
    locked = InboundMail.objects.select_for_update().get(pk=mail.pk)
    if locked.status not in (InboundMail.Status.UNREADABLE, InboundMail.Status.UNMATCHED):
        raise complaints_ops.ComplaintRefused(f"Complaint e-mail {locked.pk} is already {locked.get_status_display()}.")
    return locked


def _record(mail: InboundMail, *, action: str, actor: User | None, now: datetime) -> None:
    """Audit a step of a complaint e-mail (its status and reason after it)."""
    audit.record(
        actor=actor,
        action=f"complaints.mail_{action}",
        subject=f"complaint e-mail {mail.pk}",
        customer=mail.complaint.account.customer if mail.complaint else None,
        after={"status": mail.status, "reason": mail.reason},
        at=now,
    )


@transaction.atomic
def replay(*, mail: InboundMail, actor: User, now: datetime) -> InboundMail:
    """Settle a waiting message again from its bytes, once what stopped it is put right (no second reply).

    :raises ComplaintRefused: the message is not waiting.
    """
    mail = _waiting(mail)
    _settle(mail, now=now, reply=False)
    mail.save()
    _record(mail, action="replayed", actor=actor, now=now)
    return mail


@transaction.atomic
def assign(*, mail: InboundMail, account: Account, actor: User, now: datetime) -> Complaint:
    """Care decide whose complaint a waiting message is: it becomes a complaint on ``account``.

    :raises ComplaintRefused: the message is not waiting, or cannot be read (replay it once it can).
    """
    mail = _waiting(mail)
    if mail.status == InboundMail.Status.UNREADABLE:
        raise complaints_ops.ComplaintRefused(
            f"Complaint e-mail {mail.pk} cannot be read ({mail.reason}); record the complaint by hand instead."
        )
    complaint = _complaint_from(mail, account, actor=actor, now=now)
    mail.reason = ""
    mail.save()
    _record(mail, action="assigned", actor=actor, now=now)
    return complaint


@transaction.atomic
def dismiss(*, mail: InboundMail, reason: str, actor: User, now: datetime) -> InboundMail:
    """Care set aside a waiting message that is no complaint (spam, a duplicate), saying why.

    :raises ComplaintRefused: no reason, or the message is not waiting.
    """
    reason = reason.strip()
    if not reason:
        raise complaints_ops.ComplaintRefused("Say why the e-mail is dismissed.")
    mail = _waiting(mail)
    mail.status, mail.reason = InboundMail.Status.DISMISSED, reason
    mail.save(update_fields=["status", "reason"])
    _record(mail, action="dismissed", actor=actor, now=now)
    return mail
