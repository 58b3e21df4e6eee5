"""Helpers for the register's tests: a registration made as care makes it, and a console client in a care role."""

from datetime import UTC, date, datetime

from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from hearth.data.accounts.models import Customer
from hearth.data.identity.models import User
from hearth.data.priority.models import Registration
from hearth.domain.identity import operations as identity_ops
from hearth.domain.priority import operations as priority_ops

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
"""Monday 7 December 2026, 10:00 in London (GMT)."""
HEALTH_TEXT = "Uses a home dialysis machine three nights a week"
VISIT_PASSWORD = "marigold"


def register(
    customer: Customer,
    needs: list[str],
    *,
    share: bool = True,
    until: dict[str, date] | None = None,
    health: str | None = HEALTH_TEXT,
    now: datetime = NOW,
) -> Registration:
    return priority_ops.register(
        customer=customer,
        needs=needs,
        needs_until=until or {},
        consent=True,
        share_consent=share,
        consent_note="On the phone",
        health_details=health,
        visit_password=VISIT_PASSWORD if health else None,
        source=Registration.Source.CARE,
        actor=None,
        now=now,
    )


def staff(email: str, role: str) -> tuple[User, Client]:
    """A staff login in ``role`` and a client signed in to the console as it, through the sign-in page."""
    password = "Console4Priority9"
    device = identity_ops.create_staff_login(
        email=email, full_name="Pat Staff", password=password, now=timezone.now(), care_role=role
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": email, "password": password, "otp_token": code})
    assert response.status_code == 302
    return device.user, client
