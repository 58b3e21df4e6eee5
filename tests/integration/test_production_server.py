"""The production web server as docs/operations.md runs it: gunicorn with production settings serves the portal, a
customer signs in through it, and 20 customers signing in at the same moment all get in — on SQLite (the embedded
default: write-ahead log, immediate transactions, a busy timeout) and on PostgreSQL, with no server error.

The test database is copied (``copy_database``) so the server, a process of its own, sees the logins built here.
Production settings make cookies ``Secure``, so requests carry ``X-Forwarded-Proto: https`` as the proxy would and
cookies are sent by hand over loopback.
"""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet

from hearth.data.accounts.models import Fuel
from tests.integration.conftest import PASSWORD, Builder

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "portal.supplier.example"
CUSTOMERS = 20
GUNICORN = ["-m", "gunicorn", "hearth.wsgi:application", "--workers", "2", "--threads", "4", "--timeout", "60"]
"""docs/operations.md's command ("The web servers"), on a free loopback port and two workers for this machine."""
START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(copy_database, tmp_path: Path) -> Iterator[int]:
    """gunicorn on a copy of the test database, with production settings and collected static files; yields its
    port."""
    copy = copy_database("server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARTH_", "EMAIL_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        {
            "HEARTH_ENV": "production",
            "HEARTH_SECRET_KEY": secrets.token_urlsafe(64),
            "HEARTH_ALLOWED_HOSTS": HOST,
            "HEARTH_SSL_REDIRECT": "false",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": "9",
            "HEARTH_BANK_DETAILS_KEYS": Fernet.generate_key().decode(),
            "HEARTH_HEALTH_DETAILS_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": copy.url,
            "HEARTH_DATA_DIR": str(tmp_path / "data"),
        }
    )
    subprocess.run(  # every release, as docs/operations.md says ("Static files")
        [sys.executable, "-m", "hearth.manage", "collectstatic", "--no-input"], env=env, check=True, capture_output=True
    )
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, *GUNICORN, "--bind", f"127.0.0.1:{port}"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"gunicorn did not listen within {START_SECONDS} s")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


class Visitor:
    """One browser's worth of requests: cookies kept by hand, the proxy's headers added."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Origin": f"https://{HOST}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{HOST}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode()  # type: ignore[attr-defined]
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response

    def sign_in(self, email: str) -> tuple[int, int, str]:
        """(sign-in status, next page status, where the sign-in sent us)."""
        form = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)  # type: ignore[attr-defined]
        assert token, form.status
        body = urlencode({"csrfmiddlewaretoken": token.group(1), "username": email, "password": PASSWORD})
        posted = self.request("POST", "/login/", body)
        location = posted.headers.get("Location", "")
        landing = self.request("GET", location or "/")
        return posted.status, landing.status, location


def _customers(build: Builder, count: int) -> list[str]:
    emails = []
    for number in range(count):
        customer = build.customer(name=f"Customer {number}", email=f"c{number}@example.com")
        account = build.account(customer, fuel=Fuel.ELECTRICITY)
        build.activated_login(f"c{number}@example.com", account)
        emails.append(f"c{number}@example.com")
    return emails


def test_gunicorn_with_production_settings_serves_a_sign_in(build: Builder, request) -> None:
    [email] = _customers(build, 1)
    port = request.getfixturevalue("server")
    status, landing, location = Visitor(port).sign_in(email)
    assert (status, landing) == (302, 200), location
    assert not location.startswith("/login/")


def test_twenty_customers_signing_in_at_once_all_get_in(build: Builder, request) -> None:
    emails = _customers(build, CUSTOMERS)
    port = request.getfixturevalue("server")
    with ThreadPoolExecutor(max_workers=CUSTOMERS) as pool:
        outcomes = list(pool.map(lambda email: Visitor(port).sign_in(email), emails))
    assert [(status, landing) for status, landing, _ in outcomes] == [(302, 200)] * CUSTOMERS
