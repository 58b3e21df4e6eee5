"""`hearth create_staff EMAIL`: create a care-staff login and show the authenticator enrolment."""

import getpass
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hearth.data.identity.models import User
from hearth.domain.identity import operations as identity_ops


class Command(BaseCommand):
    help = "Create a care-staff login with a TOTP second factor; prints a QR code to scan in an authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="The staff member's full name")
        parser.add_argument(
            "--role",
            default=User.CareRole.AGENT,
            choices=list(User.CareRole.values),
            help="Care role: AGENT (default), VULNERABILITY (sees health details) or SUPERVISOR",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        try:
            device = identity_ops.create_staff_login(
                email=options["email"],
                full_name=options["name"],
                password=password,
                now=timezone.now(),
                care_role=options["role"],
            )
        except (identity_ops.LoginRefused, ValidationError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write("Scan this in an authenticator app (it is shown once):")
        segno.make(device.config_url).terminal(out=self.stdout, compact=True)  # type: ignore[arg-type]
        self.stdout.write(self.style.SUCCESS(f"Created staff login {device.user.email}."))
