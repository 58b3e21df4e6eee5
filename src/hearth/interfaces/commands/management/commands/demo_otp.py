"""`hearth demo_otp`: the demo care-staff login's current second-factor code (demo only)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from hearth.domain.demo import supplier


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo care-staff login. Refused in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_otp exists for the embedded demo only.")
        code = totp(bytes.fromhex(supplier.STAFF_TOTP_KEY))
        self.stdout.write(f"{code:06d}")
