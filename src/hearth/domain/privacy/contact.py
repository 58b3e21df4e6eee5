"""A customer's contact details (T&C 3.3: the customer keeps them up to date), changed by them or by care.

Name, phone numbers and correspondence address change at once. A new contact e-mail address is used only after
the link sent to it is followed: the link is signed (so only we can make one), carries a random part kept only as
its hash (so it works once), expires after :data:`LINK_HOURS`, and works only for a login holding one of the
customer's accounts. The old address is told when the change is made. Every change is audited before → after.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from hearth.data.accounts.models import Customer
from hearth.data.identity.models import AccountLink, User, normalise_email
from hearth.data.privacy.models import EmailChange
from hearth.domain.audit import operations as audit

LINK_HOURS = 24
"""How long a confirmation link works: a day to open the mail, short enough that an old mail is useless."""

_SALT = "hearth.privacy.email_change"

DETAIL_FIELDS = (
    "name",
    "contact_phone",
    "mobile_phone",
    "correspondence_line_1",
    "correspondence_line_2",
    "correspondence_town",
    "correspondence_postcode",
)


class ChangeRefused(Exception):
    """The change cannot be made; the message says why, in words a customer understands."""


@dataclass(frozen=True)
class ContactDetails:
    name: str
    contact_phone: str
    mobile_phone: str
    correspondence_line_1: str
    correspondence_line_2: str
    correspondence_town: str
    correspondence_postcode: str


def details_of(customer: Customer) -> ContactDetails:
    return ContactDetails(**{name: getattr(customer, name) for name in DETAIL_FIELDS})


@transaction.atomic
def update_details(*, customer: Customer, details: ContactDetails, actor: User, now: datetime) -> dict[str, str]:
    """Save the details that changed and audit them before → after; returns what changed (nothing: no event)."""
    before = details_of(customer)
    changed = {
        name: getattr(details, name) for name in DETAIL_FIELDS if getattr(details, name) != getattr(before, name)
    }
    if not changed:
        return {}
    for name, value in changed.items():
        setattr(customer, name, value)
    customer.save(update_fields=list(changed))
    audit.record(
        actor=actor,
        action="privacy.contact_details_changed",
        subject=f"Customer {customer.pk}",
        customer=customer,
        before={name: getattr(before, name) for name in changed},
        after=changed,
        at=now,
    )
    return changed


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@transaction.atomic
def request_email_change(*, customer: Customer, new_email: str, actor: User, now: datetime) -> str:
    """Send a confirmation link to ``new_email``; returns the link's token. An earlier unconfirmed request lapses.

    :raises ChangeRefused: if the address is the one already held.
    """
    address = normalise_email(new_email)
    if address == normalise_email(customer.contact_email):
        raise ChangeRefused("That is already your contact e-mail address.")
    EmailChange.objects.filter(customer=customer, status=EmailChange.Status.PENDING).update(
        status=EmailChange.Status.SUPERSEDED
    )
    nonce = secrets.token_urlsafe(32)
    change = EmailChange.objects.create(
        customer=customer,
        old_email=customer.contact_email,
        new_email=address,
        nonce_hash=_hash(nonce),
        requested_by=actor,
        requested_at=now,
        expires_at=now + timedelta(hours=LINK_HOURS),
    )
    token = signing.dumps({"change": change.pk, "nonce": nonce}, salt=_SALT)
    audit.record(
        actor=actor,
        action="privacy.email_change_requested",
        subject=f"Customer {customer.pk}",
        customer=customer,
        before={"contact_email": customer.contact_email},
        after={"contact_email": address, "confirmed": False},
        at=now,
    )
    brand = settings.HEARTH_BRAND
    body = render_to_string(
        "email/confirm_email_change.txt",
        {
            "brand": brand,
            "link": f"{brand['portal_url']}/services/my-details/email/confirm/{token}/",
            "expires_at": change.expires_at,
        },
    )
    EmailMessage(subject=f"Confirm your new e-mail address for {brand['name']}", body=body, to=[address]).send()
    return token


def _holds(user: User, customer: Customer) -> bool:
    return AccountLink.objects.filter(user=user, account__customer=customer, role=AccountLink.Role.HOLDER).exists()


@transaction.atomic
def confirm_email_change(*, token: str, user: User, now: datetime) -> EmailChange:
    """Make the change the link asked for, once, before it expires, for a holder of the customer's accounts.

    :raises ChangeRefused: for a link that is altered, used, replaced, expired or another customer's — all with the
        same words, so a link tells nothing about anyone else.
    """
    refused = ChangeRefused(
        "This link does not work: it may have expired or been used already. Ask for a new one from My details."
    )
    try:
        payload = signing.loads(token, salt=_SALT)
        change = EmailChange.objects.select_for_update().select_related("customer").get(pk=int(payload["change"]))
        nonce = str(payload["nonce"])
    except (signing.BadSignature, EmailChange.DoesNotExist, KeyError, TypeError, ValueError):
        raise refused from None
    if (
        not hmac.compare_digest(change.nonce_hash, _hash(nonce))
        or change.status != EmailChange.Status.PENDING
        or now >= change.expires_at
        or not _holds(user, change.customer)
    ):
        raise refused
    customer = change.customer
    old = customer.contact_email
    customer.contact_email = change.new_email
    customer.save(update_fields=["contact_email"])
    change.status = EmailChange.Status.CONFIRMED
    change.confirmed_at = now
    change.save(update_fields=["status", "confirmed_at"])
    audit.record(
        actor=user,
        action="privacy.contact_email_changed",
        subject=f"Customer {customer.pk}",
        customer=customer,
        before={"contact_email": old},
        after={"contact_email": change.new_email},
        at=now,
    )
    if old:
        brand = settings.HEARTH_BRAND
        body = render_to_string("email/email_changed_notice.txt", {"brand": brand, "when": now})
        EmailMessage(subject=f"Your {brand['name']} contact e-mail address was changed", body=body, to=[old]).send()
    return change
