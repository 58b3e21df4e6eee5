"""The care console's tariff pages: staff create products and tariffs, entering prices in pence including VAT, and
schedule price changes; the T&C's notice and fixed-term rules are shown beside the field they concern, and every
action is in the audit trail under the staff member's name."""

import html
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.data.audit.models import AuditEvent
from hearth.data.tariffs.models import Product, StandingCharge, Tariff, UnitRate
from hearth.domain.identity import operations as identity_ops

STAFF_EMAIL = "agent.tariffs@hearth.example"
STAFF_PASSWORD = "Console4Tariffs9"
LONDON = ZoneInfo("Europe/London")


def words(response) -> str:
    """The page's words as a screen reader reads them: tags (table cells too) taken out, spaces collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def error_beside(response, field: str) -> str:
    """The error shown beside the form field `field` ("" if none)."""
    match = re.search(rf'<p class="field-error" id="id_{field}-error">(.*?)</p>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).replace("Error:", "").strip() if match else ""


def today() -> date:
    return timezone.now().astimezone(LONDON).date()


@pytest.fixture
def care(db) -> Client:
    """A client signed in to the care console through its sign-in page, with the second factor."""
    device: TOTPDevice = identity_ops.create_staff_login(
        email=STAFF_EMAIL, full_name="Tariff Agent", password=STAFF_PASSWORD, now=timezone.now()
    )
    client = Client()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/care/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    return client


def product_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "code": "HEARTH-VAR-26-11",
        "full_name": "Hearth Flexible November 2026",
        "display_name": "Hearth Flexible",
        "description": "Prices follow the market, with 30 days' notice of a change.",
        "kind": "VARIABLE",
        "payment_methods": ["DIRECT_DEBIT", "STANDARD_CREDIT"],
        "available_from": today().isoformat(),
    }
    form.update(changes)
    return form


def tariff_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "fuel": "ELECTRICITY",
        "region": "H",
        "structure": "SINGLE_RATE",
        "payment_method": "DIRECT_DEBIT",
        "standing_charge_inc_vat": "57.19",
        "unit_rate_inc_vat": "26.11",
        "valid_from": today().isoformat(),
    }
    form.update(changes)
    return form


def create_product(care: Client, **changes: object) -> Product:
    response = care.post("/care/tariffs/products/new/", product_form(**changes))
    assert response.status_code == 302, words(response)
    return Product.objects.get(code=changes.get("code", "HEARTH-VAR-26-11"))


def create_tariff(care: Client, product: Product, **changes: object) -> Tariff:
    response = care.post(f"/care/tariffs/products/{product.pk}/tariffs/new/", tariff_form(**changes))
    assert response.status_code == 302, words(response)
    return Tariff.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_staff_reach_the_tariffs_from_the_console_menu(care):
    page = care.get("/care/")
    assert '<a href="/care/tariffs/">Tariffs</a>' in page.content.decode()
    assert "There are no products yet." in words(care.get("/care/tariffs/"))


def test_a_product_created_by_staff_is_listed_and_audited_under_their_name(care):
    product = create_product(care)

    assert product.kind == Product.Kind.VARIABLE
    assert product.payment_methods == ["DIRECT_DEBIT", "STANDARD_CREDIT"]
    assert product.available_from == datetime.combine(today(), time(0), tzinfo=LONDON)
    page = words(care.get("/care/tariffs/"))
    assert "Hearth Flexible HEARTH-VAR-26-11" in page
    assert "No tariffs yet." in page
    event = AuditEvent.objects.get(action="tariffs.product_created")
    assert (event.actor_label, event.subject) == (STAFF_EMAIL, "product HEARTH-VAR-26-11")


def test_a_fixed_product_without_a_term_is_refused_beside_the_term(care):
    response = care.post("/care/tariffs/products/new/", product_form(kind="FIXED", code="HEARTH-FIX"))

    assert response.status_code == 400
    assert "fixed product needs a term" in error_beside(response, "term_months")
    assert not Product.objects.exists()


def test_a_second_product_with_the_same_code_is_refused_beside_the_code(care):
    create_product(care)
    response = care.post("/care/tariffs/products/new/", product_form())

    assert response.status_code == 400
    assert "already exists" in error_beside(response, "code")
    assert Product.objects.count() == 1


def test_prices_entered_including_vat_are_stored_excluding_vat_and_shown_as_entered(care):
    product = create_product(care)
    tariff = create_tariff(care, product)

    # 57.19 / 1.05 = 54.46666..., 26.11 / 1.05 = 24.86666...: stored to 4 places, half up.
    assert tariff.code == "E-1R-HEARTH-VAR-26-11-H"
    assert StandingCharge.objects.get(tariff=tariff).value_exc_vat == Decimal("54.4667")
    assert UnitRate.objects.get(tariff=tariff, band="STANDARD").value_exc_vat == Decimal("24.8667")
    page = words(care.get(f"/care/tariffs/{tariff.pk}/"))
    assert "Standing charge (p/day) 57.1900 54.4667" in page
    assert "STANDARD unit rate (p/kWh) 26.1100 24.8667" in page
    assert "E-1R-HEARTH-VAR-26-11-H" in words(care.get("/care/tariffs/"))
    event = AuditEvent.objects.get(action="tariffs.tariff_created")
    assert (event.actor_label, event.subject) == (STAFF_EMAIL, "tariff E-1R-HEARTH-VAR-26-11-H")


def test_a_two_rate_tariff_needs_its_day_and_night_rates_and_night_window(care):
    product = create_product(care)
    url = f"/care/tariffs/products/{product.pk}/tariffs/new/"
    response = care.post(url, tariff_form(structure="TWO_RATE", unit_rate_inc_vat=""))

    assert response.status_code == 400
    assert error_beside(response, "day_rate_inc_vat") == "Enter the day unit rate of a two-rate tariff."
    assert error_beside(response, "night_starts_at") == "Enter when the night starts."
    assert not Tariff.objects.exists()

    response = care.post(
        url,
        tariff_form(
            structure="TWO_RATE",
            day_rate_inc_vat="31.50",
            night_rate_inc_vat="14.70",
            night_starts_at="00:30",
            night_ends_at="07:30",
        ),
    )
    assert response.status_code == 302
    tariff = Tariff.objects.get()
    assert tariff.code == "E-2R-HEARTH-VAR-26-11-H"
    rates = {rate.band: rate.value_exc_vat for rate in UnitRate.objects.filter(tariff=tariff)}
    assert rates == {"DAY": Decimal("30.0000"), "NIGHT": Decimal("14.0000")}  # 31.50 / 1.05, 14.70 / 1.05


def test_a_payment_method_the_product_does_not_allow_is_refused_beside_the_payment_method(care):
    product = create_product(care)
    response = care.post(f"/care/tariffs/products/{product.pk}/tariffs/new/", tariff_form(payment_method="PREPAYMENT"))

    assert response.status_code == 400
    assert "does not allow Prepayment" in error_beside(response, "payment_method")


def test_a_variable_price_change_with_less_than_30_days_notice_is_refused_beside_the_date(care):
    tariff = create_tariff(care, create_product(care))
    response = care.post(
        f"/care/tariffs/{tariff.pk}/",
        {"band": "STANDARD", "value_inc_vat": "27.30", "valid_from": (today() + timedelta(days=20)).isoformat()},
    )

    assert response.status_code == 400
    assert "at least 30 days' notice" in error_beside(response, "valid_from")
    assert UnitRate.objects.filter(tariff=tariff).count() == 1
    assert not AuditEvent.objects.filter(action="tariffs.price_change_scheduled").exists()


def test_a_scheduled_price_change_ends_the_old_price_and_shows_in_the_history(care):
    tariff = create_tariff(care, create_product(care))
    change_day = today() + timedelta(days=45)
    response = care.post(
        f"/care/tariffs/{tariff.pk}/",
        {"band": "STANDING_CHARGE", "value_inc_vat": "60.48", "valid_from": change_day.isoformat()},
    )

    assert response.status_code == 302
    midnight = datetime.combine(change_day, time(0), tzinfo=LONDON)
    rows = list(StandingCharge.objects.filter(tariff=tariff).order_by("valid_from"))
    assert [(row.value_exc_vat, row.valid_to) for row in rows] == [
        (Decimal("54.4667"), midnight),
        (Decimal("57.6000"), None),  # 60.48 / 1.05
    ]
    page = words(care.get(f"/care/tariffs/{tariff.pk}/"))
    assert f"Standing charge (p/day) 60.4800 57.6000 {change_day.day} {change_day:%b %Y}, 00:00 No end" in page
    assert "changes to 60.48p including VAT" in page
    event = AuditEvent.objects.get(action="tariffs.price_change_scheduled")
    assert event.actor_label == STAFF_EMAIL
    assert event.before["value_exc_vat"] == "54.4667"
    assert event.after["value_exc_vat"] == "57.6000"


def test_a_fixed_tariffs_price_cannot_go_up_during_the_term_and_the_reason_is_beside_the_price(care):
    fixed_until = create_product(
        care,
        code="HEARTH-FIX-UNTIL",
        kind="FIXED",
        fixed_until_date=(today() + timedelta(days=365)).isoformat(),
    )
    tariff = create_tariff(care, fixed_until, valid_from=(today() + timedelta(days=1)).isoformat())
    response = care.post(
        f"/care/tariffs/{tariff.pk}/",
        {"band": "STANDARD", "value_inc_vat": "30.00", "valid_from": (today() + timedelta(days=60)).isoformat()},
    )
    assert response.status_code == 400
    assert "cannot go up during the fixed term" in error_beside(response, "value_inc_vat")
    assert UnitRate.objects.filter(tariff=tariff).count() == 1


def test_an_unknown_product_or_tariff_is_not_found(care):
    assert care.get("/care/tariffs/products/999/tariffs/new/").status_code == 404
    assert care.get("/care/tariffs/999/").status_code == 404


def test_the_products_page_reads_tariffs_in_one_query_however_many_products(care):
    """Each product's tariffs come from one prefetch, not a query per product."""

    def queries_for_products_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert care.get("/care/tariffs/").status_code == 200
        return len(captured.captured_queries)

    create_tariff(care, create_product(care, code="HEARTH-VAR-A"))
    with_one = queries_for_products_page()
    for code in ("HEARTH-VAR-B", "HEARTH-VAR-C", "HEARTH-VAR-D"):
        create_tariff(care, create_product(care, code=code))
    assert queries_for_products_page() == with_one
