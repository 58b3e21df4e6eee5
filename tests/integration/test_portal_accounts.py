"""What a signed-in customer sees: linked accounts (FAQ 15), the dashboard's tiles (FAQ 1), contact care."""

import io
import re
import struct
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from hearth.data.accounts.models import Account
from hearth.data.care.models import Case
from hearth.data.identity.models import User
from hearth.data.metering.models import AmrDevice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    """Uploaded screenshots go to a throw-away folder, not the demo's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _page(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _account_shown(page: str) -> str:
    """The account number in the account bar at the top of every account page."""
    found = re.search(r"Account <strong>(\w+)</strong>", page)
    assert found, "no account bar on the page"
    return found.group(1)


def _switcher_options(page: str) -> list[str]:
    select = re.search(r'<select id="switch-account" name="account">(.*?)</select>', page)
    assert select, "no account switcher on the page"
    return re.findall(r'<option value="\d+"[^>]*>\s*(\w+)', select.group(1))


def _tiles(page: str) -> set[str]:
    return set(re.findall(r'<a class="tile"[^>]*><h2>([^<]+)</h2>', page))


# --- Linked accounts (FAQ 15) --------------------------------------------------------------------


def test_a_login_linked_to_gas_and_electricity_sees_both_in_the_switcher(signed_in: Client, household: Any) -> None:
    page = _page(signed_in.get("/"))

    assert sorted(_switcher_options(page)) == sorted([household.electricity.number, household.gas.number])


def test_a_login_can_switch_between_its_linked_accounts(signed_in: Client, household: Any) -> None:
    first = _account_shown(_page(signed_in.get("/")))
    other = household.gas if first == household.electricity.number else household.electricity

    response = signed_in.post("/accounts/select/", {"account": other.pk}, follow=True)

    assert response.status_code == 200
    assert _account_shown(_page(response)) == other.number
    assert _account_shown(_page(signed_in.get("/services/bills/"))) == other.number  # the choice is remembered


def test_selecting_another_customers_account_is_refused_and_changes_nothing(signed_in: Client, business: Any) -> None:
    before = _account_shown(_page(signed_in.get("/")))

    response = signed_in.post("/accounts/select/", {"account": business.electricity.pk}, follow=True)

    page = _page(response)
    assert "not linked to your login" in page
    assert _account_shown(page) == before
    assert business.electricity.number not in page
    assert business.customer.name not in page
    assert _account_shown(_page(signed_in.get("/"))) == before


def test_a_login_with_one_account_has_no_switcher(
    client: Client, build: Any, business: Any, sign_in: Any, password: str
) -> None:
    build.activated_login("owner@brightwell.example", business.gas)
    sign_in(client, "owner@brightwell.example", password)

    page = _page(client.get("/"))

    assert _account_shown(page) == business.gas.number
    assert 'id="switch-account"' not in page
    assert business.electricity.number not in page


# --- Dashboard tiles (FAQ 1: the services specific to your account) ------------------------------


def _tiles_for(client: Client, account: Account) -> set[str]:
    client.post("/accounts/select/", {"account": account.pk})
    page = _page(client.get("/"))
    assert _account_shown(page) == account.number
    return _tiles(page)


@pytest.fixture
def business_client(client: Client, build: Any, business: Any, sign_in: Any, password: str) -> Client:
    build.activated_login("owner@brightwell.example", business.electricity, business.gas)
    assert sign_in(client, "owner@brightwell.example", password).status_code == 302
    return client


def test_bills_online_tile_is_on_every_account(signed_in: Client, household: Any) -> None:
    assert "Bills Online" in _tiles_for(signed_in, household.electricity)
    assert "Bills Online" in _tiles_for(signed_in, household.gas)


def test_amr_tile_only_where_an_amr_device_is_fitted(business_client: Client, business: Any) -> None:
    assert _tiles_for(business_client, business.electricity) == {"Bills Online", "Automatic meter readings (AMR)"}
    assert _tiles_for(business_client, business.gas) == {"Bills Online"}


def test_amr_tile_goes_when_the_device_is_retired(business_client: Client, business: Any) -> None:
    # No domain operation retires a device yet (the metering area will); set the date as it would.
    AmrDevice.objects.filter(meter=business.electricity_meter).update(retired_at=timezone.now() - timedelta(minutes=1))

    assert _tiles_for(business_client, business.electricity) == {"Bills Online"}


def test_smart_meter_tile_only_with_a_smart_meter(signed_in: Client, household: Any) -> None:
    assert _tiles_for(signed_in, household.electricity) == {"Bills Online", "Smart meter readings"}
    assert _tiles_for(signed_in, household.gas) == {"Bills Online"}


# --- Contact customer care -----------------------------------------------------------------------


def _png(size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (30, 30, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _contact(
    client: Client, description: str, screenshot: SimpleUploadedFile | None = None, account: Account | None = None
) -> Any:
    data: dict[str, object] = {"description": description, "account": account.pk if account else ""}
    if screenshot is not None:
        data["screenshot"] = screenshot
    return client.post("/contact/", data)


def test_contacting_care_creates_a_case_with_the_description_and_screenshot(
    signed_in: Client, customer_login: User, household: Any
) -> None:
    picture = _png()

    response = _contact(
        signed_in,
        "The bills page shows nothing.",
        SimpleUploadedFile("screen.png", picture, content_type="image/png"),
        account=household.gas,
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.raised_by == customer_login
    assert case.account == household.gas
    assert case.description == "The bills page shows nothing."
    assert case.status == Case.Status.OPEN
    assert case.screenshot_content_type == "image/png"
    with case.screenshot.open("rb") as stored:
        assert stored.read() == picture
    assert f"reference {case.pk}" in _page(signed_in.get("/"))


def test_contacting_care_without_a_screenshot_creates_a_case(signed_in: Client) -> None:
    assert _contact(signed_in, "Please call me about my account.").status_code == 302

    case = Case.objects.get()
    assert case.description == "Please call me about my account."
    assert not case.screenshot


def test_a_jpeg_screenshot_is_accepted(signed_in: Client) -> None:
    response = _contact(signed_in, "See picture.", SimpleUploadedFile("screen.jpg", _jpeg(), content_type="image/jpeg"))

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.screenshot_content_type == "image/jpeg"


def test_a_text_file_named_png_is_refused_with_a_clear_message(signed_in: Client) -> None:
    fake = SimpleUploadedFile("screen.png", b"this is not a picture\n", content_type="image/png")

    response = _contact(signed_in, "See attached.", fake)

    assert response.status_code == 200
    assert "The screenshot must be a PNG or JPEG picture." in _page(response)
    assert not Case.objects.exists()


def test_an_image_of_another_format_is_refused(signed_in: Client) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3)).save(buffer, format="GIF")

    response = _contact(signed_in, "See attached.", SimpleUploadedFile("screen.png", buffer.getvalue()))

    assert "The screenshot must be a PNG or JPEG picture." in _page(response)
    assert not Case.objects.exists()


def test_an_over_size_screenshot_is_refused_with_the_limit_in_the_message(signed_in: Client, settings: Any) -> None:
    picture = _png(size=(64, 64))
    settings.HEARTH_SCREENSHOT_MAX_BYTES = len(picture) - 1

    response = _contact(signed_in, "See attached.", SimpleUploadedFile("screen.png", picture))

    page = _page(response)
    assert response.status_code == 200
    assert "The screenshot must be" in page
    assert f"{len(picture) - 1} bytes or smaller" in page  # the real limit, not "0 MB"
    assert not Case.objects.exists()


def test_a_screenshot_at_the_size_limit_is_accepted(signed_in: Client, settings: Any) -> None:
    picture = _png(size=(64, 64))
    settings.HEARTH_SCREENSHOT_MAX_BYTES = len(picture)

    assert _contact(signed_in, "See attached.", SimpleUploadedFile("screen.png", picture)).status_code == 302
    assert Case.objects.get().screenshot


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous picture (a 'decompression bomb')."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_with_a_message_not_an_error(signed_in: Client) -> None:
    bomb = _png_claiming(60_000, 60_000)

    response = _contact(signed_in, "See attached.", SimpleUploadedFile("screen.png", bomb))

    assert response.status_code == 200
    assert "too many pixels" in _page(response)
    assert not Case.objects.exists()


def test_a_case_cannot_name_another_customers_account(signed_in: Client, business: Any) -> None:
    response = _contact(signed_in, "About their account.", account=business.electricity)

    assert response.status_code == 200
    assert not Case.objects.exists()
    assert business.electricity.number not in _page(response)
