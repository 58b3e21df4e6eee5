"""What the delivery tests share: an issued invoice, delivery rules chosen as a login would, and a mail backend whose
server answers as a test tells it."""

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from hearth.data.accounts.models import Account
from hearth.data.billing.models import Bill, BillLine
from hearth.data.documents.models import DocumentType
from hearth.data.identity.models import User
from hearth.domain.documents import rules as delivery_rules
from hearth.domain.identity import operations as identity_ops
from tests.integration.billing.invoice_support import Line, make_bill

STAFF_EMAIL = "agent.delivery@hearth.example"

NOW = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)

INVOICE_TOTAL = Decimal("16.28")
"""31 days x 50p = £15.50, VAT 5% of it £0.775, rounded half-up to £0.78: £16.28."""


def october_bill(account: Account) -> Bill:
    """An issued bill of October 2026 for £16.28 (see INVOICE_TOTAL), not yet with its PDF."""
    return make_bill(
        account,
        lines=[
            Line(BillLine.Kind.STANDING, "Standing charge", Decimal("31"), "days", Decimal("0.50"), Decimal("0.05")),
            Line(BillLine.Kind.VAT, "VAT at 5%", Decimal("15.50"), "£", Decimal("0.05")),
        ],
    )


def choose(
    user: User, account: Account, *, email: bool, attachment: bool, post: bool, type_code: str = DocumentType.INVOICE
) -> None:
    """The login applies its delivery rules for one document type, as on its Delivery Settings page."""
    channels = delivery_rules.Channels(email_notification=email, email_attachment=attachment, post=post)
    delivery_rules.apply_rules(user=user, account=account, chosen={type_code: channels}, actor=user, now=NOW)


class ScriptedBackend(BaseEmailBackend):
    """A mail backend whose server answers from a script: each send takes the next error (None: accepted).

    Point ``HEARTH_EMAIL_DELIVERY_BACKEND`` at ``tests.integration.documents.delivery_support.ScriptedBackend``.
    """

    script: ClassVar[list[OSError | None]] = []
    sent: ClassVar[list[EmailMessage]] = []

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        answer = self.script.pop(0) if self.script else None
        if answer is not None:
            raise answer
        self.sent.extend(email_messages)
        return len(email_messages)


SCRIPTED = f"{__name__}.ScriptedBackend"


def care_client() -> Client:
    """A client signed in to the care console through its sign-in page, with the second factor."""
    password = "Console4Delivery9"
    device = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Delivery Agent", password=password, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": password, "otp_token": code})
    assert response.status_code == 302
    return client


def words(response: object) -> str:
    """The page's words as a screen reader reads them: tags (table cells too) taken out, spaces collapsed."""
    content = response.content.decode()  # type: ignore[attr-defined]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content)))
