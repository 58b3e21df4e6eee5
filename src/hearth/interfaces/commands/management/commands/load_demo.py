"""`hearth load_demo`: load the demo supplier (once) and print its logins."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from hearth.domain.demo import supplier


class Command(BaseCommand):
    help = "Load the deterministic demo supplier into an empty database and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if supplier.demo_loaded():
            self.stdout.write("The demo supplier is already loaded.")
        else:
            supplier.load_demo_supplier(now=timezone.now())
            self.stdout.write(self.style.SUCCESS("Loaded the demo supplier."))
        site = settings.HEARTH_SITE_URL
        self.stdout.write(f"\nDemo logins (portal: {site}/  care console: {site}/care/)")
        for login in supplier.DEMO_LOGINS:
            self.stdout.write(f"  {login.email:<30} {login.password:<44} {login.description}")
        self.stdout.write("The not-yet-activated login's e-mail: sign in to /care/ and open 'Outbox'.\n")
