"""Every signed-in portal page fits a 320 px phone and a 1280 px desktop without scrolling sideways, and passes axe.

The pages are found by walking the portal's URL patterns that take no arguments (a new page is covered without
editing this test), plus a bill, a meter's daily use and a complaint, which need an id.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import URLPattern, reverse
from playwright.sync_api import Page

from hearth.data.accounts.models import Fuel
from hearth.data.billing.models import BillLine
from hearth.data.documents.models import DocumentType
from hearth.data.metering.models import Meter, RegisterReading
from hearth.domain.billing import invoice as billing_invoice
from hearth.interfaces.portal import urls as portal_urls
from tests.integration.billing.invoice_support import Line, Used, make_bill, reading, use_documents_folder

from .support import Builder, check_accessibility, sign_in

EMAIL = "wren.hale@example.com"
PASSWORD = "Lantern42Moss"
NARROWEST = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}

NOT_PAGES = {"logout"}
"""Signing out would end the walk."""


def argument_free_portal_urls() -> list[str]:
    patterns = [p for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]
    return [
        reverse(f"portal:{p.name}")
        for p in patterns
        if not p.pattern.converters and not p.default_args and p.name not in NOT_PAGES
    ]


def overflowing(page: Page) -> list[str]:
    """The widest elements sticking out past the right edge, to say what to fix when a page scrolls sideways."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                .slice(0, 5)
                .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40))"""
        )
    )


@pytest.fixture
def customer_pages(build: Builder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[int, list[str]]:
    """A customer with a gas account and an electricity account with a meter and a bill: the electricity account's
    id, and the pages to visit."""
    use_documents_folder(monkeypatch, tmp_path / "documents")
    DocumentType.objects.get_or_create(
        code=DocumentType.INVOICE, defaults={"name": "Invoice", "plural_name": "Invoices", "position": 10}
    )
    household = build.customer("Wren Hale", EMAIL)
    account = build.account(household, fuel=Fuel.ELECTRICITY, meter=Meter.Kind.CREDIT)
    meter = Meter.objects.get(supply_point__supplies__account=account)
    register = meter.registers.get()
    user = build.activated_login(account, EMAIL, PASSWORD)
    build.link(user, build.account(household, fuel=Fuel.GAS))
    bill = make_bill(
        account,
        used=[
            Used(
                register,
                reading(register, "10000", RegisterReading.Kind.ACTUAL, date(2026, 10, 1)),
                reading(register, "10412.25", RegisterReading.Kind.ACTUAL, date(2026, 11, 1)),
                Decimal("412.25"),
                "kWh",
                Decimal("412.25"),
            )
        ],
        lines=[
            Line(
                BillLine.Kind.ENERGY,
                "Electricity used",
                Decimal("412.25"),
                "kWh",
                Decimal("0.248667"),
                Decimal("0.05"),
                meter.supply_point,
            ),
            Line(BillLine.Kind.VAT, "VAT at 5%", Decimal("102.51"), "£", Decimal("0.05")),
        ],
    )
    billing_invoice.attach_invoice(bill=bill, now=datetime(2026, 11, 2, 7, 0, tzinfo=UTC))
    return account.pk, [
        *argument_free_portal_urls(),
        reverse("portal:bill", args=[bill.pk]),
        reverse("portal:consumption_daily", args=[meter.pk]),
    ]


@pytest.mark.parametrize("viewport", [NARROWEST, DESKTOP], ids=["320px", "1280px"])
def test_every_signed_in_portal_page_fits_the_screen_and_passes_axe(
    new_page: Callable[..., Page], build: Builder, customer_pages: tuple[int, list[str]], viewport: dict[str, int]
) -> None:
    electricity, urls = customer_pages
    assert len(urls) > 30, "the walk found too few portal pages to be walking the URL patterns"
    page = new_page(f"{viewport['width']}px", viewport=viewport)
    sign_in(page, EMAIL, PASSWORD)
    page.get_by_label("Switch account").select_option(value=str(electricity))  # the account with the bill
    page.get_by_role("button", name="Show account").click()
    too_wide, inaccessible = {}, []
    for url in urls:
        if page.request.get(url).status == 405:  # an action a form posts to (switching account), not a page
            continue
        response = page.goto(url)
        assert response is not None, url
        assert response.status == 200, f"{url} answered {response.status}"
        fits = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        if not fits:
            too_wide[url] = overflowing(page)
        try:
            check_accessibility(page)
        except pytest.fail.Exception as failure:  # go on to the other pages, to list every one to fix
            inaccessible.append(str(failure))
    assert not too_wide, f"pages that scroll sideways at {viewport['width']} px: {too_wide}"
    assert not inaccessible, "\n".join(inaccessible)
