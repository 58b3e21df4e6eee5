"""What every printed document shares: the supplier's brand and logo, addresses and dates as printed, and compiling a
Typst template to PDF.

Templates live beside the area that prints them (``billing/templates``, ``documents/templates``) and share the page
in ``documents/templates/page.typ``: every compiler's root is the domain folder, so a template imports it as
``/documents/templates/page.typ``. Data reaches a template as JSON strings in ``sys.inputs``, decoded there and never
pasted into markup. Only Typst's embedded fonts are used (system fonts ignored), so a PDF does not depend on the
machine that made it.
"""

import functools
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Final

import typst
from django.conf import settings
from django.contrib.staticfiles import finders

from hearth.data.accounts.models import Account, Property
from hearth.data.contracts.models import HomeMove

TEMPLATES_ROOT: Final = Path(__file__).resolve().parent.parent
"""The Typst root of every template: the domain folder, holding each area's ``templates``."""

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"

BRAND_KEYS: Final = ("name", "care_email", "care_phone", "colour", "accent", "portal_url")


def brand() -> dict[str, str]:
    """The supplier's name, contact details, colours and portal address, as configured (``HEARTH_BRAND``)."""
    configured = settings.HEARTH_BRAND
    return {key: str(configured[key]) for key in BRAND_KEYS}


@functools.cache
def _logo_at(path: str) -> str:
    found = finders.find(path)
    if isinstance(found, str) and found.endswith(".svg"):
        return Path(found).read_text(encoding="utf-8")
    return ""


def logo_svg() -> str:
    """The brand's logo (an SVG among the static files), or nothing: the brand name is printed either way."""
    return _logo_at(str(settings.HEARTH_BRAND["logo"]))


def day_words(day: date) -> str:
    """A date as UK letters and bills print it: 1 October 2026."""
    return f"{day.day} {day:%B %Y}"


def address_lines(place: Property) -> tuple[str, ...]:
    """A property's postal address, one line per line and the postcode last, as printed and put on an envelope."""
    parts = (place.address_line_1, place.address_line_2, place.address_line_3, place.town, place.county)
    return (*(part for part in parts if part), place.postcode)


def postal_address_lines(account: Account, *, forwarding: bool | None = None) -> tuple[str, ...]:
    """Where the account's post goes (T&C 22.3: the postal address given us most recently): the correspondence
    address the customer gave, if any, unless they have since told us they are moving out of the account's home with
    a forwarding address (13.4), which a move-out makes the billing property; else the billing property.

    ``forwarding`` is whether such a move is on record, when the caller asked for many accounts at once
    (:func:`forwarding_accounts`); otherwise it is looked up here.
    """
    customer = account.customer
    if _has_correspondence_address(account):
        moving = bool(forwarding_accounts([account])) if forwarding is None else forwarding
        if not moving:
            parts = (customer.correspondence_line_1, customer.correspondence_line_2, customer.correspondence_town)
            return (*(part for part in parts if part), customer.correspondence_postcode)
    return address_lines(account.billing_property)


def _has_correspondence_address(account: Account) -> bool:
    customer = account.customer
    return bool(customer.correspondence_line_1 and customer.correspondence_postcode)


def forwarding_accounts(accounts: Iterable[Account]) -> set[int]:
    """Which of the accounts have a move out with a forwarding address on record, in one query, asking only about
    those whose customer gave a correspondence address (the only ones :func:`postal_address_lines` needs to know
    about): no query when none did, as for most accounts."""
    asked = [account.pk for account in accounts if _has_correspondence_address(account)]
    if not asked:
        return set()
    return set(
        HomeMove.objects.filter(
            account_id__in=asked,
            forwarding_address__isnull=False,
            state__in=[HomeMove.State.RECORDED, HomeMove.State.DONE],
        ).values_list("account_id", flat=True)
    )


def compiler(template: Path) -> typst.Compiler:
    """A new compiler for ``template`` (a path under :data:`TEMPLATES_ROOT`) with Typst's embedded fonts only."""
    return typst.Compiler(str(template), root=str(TEMPLATES_ROOT), ignore_system_fonts=True)


_COMPILE_LOCK = threading.Lock()
"""A compiler is one Typst world with its caches: the threads of a web server use it one at a time."""


@functools.cache
def _kept_compiler(template: Path) -> typst.Compiler:
    """One compiler per template, kept: loading the fonts is most of a first compile's time."""
    return compiler(template)


def render(template: Path, **inputs: str) -> bytes:
    """Compile ``template`` to PDF bytes, with each of ``inputs`` (a JSON string) in ``sys.inputs`` by its name."""
    with _COMPILE_LOCK:
        pdf = _kept_compiler(template).compile(sys_inputs=inputs)
    assert isinstance(pdf, bytes)
    return pdf
