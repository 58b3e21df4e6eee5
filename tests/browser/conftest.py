"""Browser tests: Debian's Chromium driven through Playwright against pytest-django's live server.

Every test here is marked ``browser``. What a test gets:

- ``page``: a fresh browser context (its own cookies) whose relative URLs go to the live server;
  ``new_page(name, **context_options)`` opens another (a second visit, another person, a phone).
  When a test fails, each of its pages is saved as ``test-artifacts/<test name>.png`` and the path
  is printed in the failure's output.
- ``build``: customers, accounts, meters and logins made through the domain operations.
- ``inbox``: the e-mails sent during the test (the live server runs in this process, so Django's
  test outbox sees what it sends).

Chromium missing or failing to start skips these tests, or fails them when HEARTH_REQUIRE names
``browser`` (tests/conftest.py). Helpers a test calls itself (``check_accessibility(page)``: axe-core,
no serious or critical WCAG 2.2 AA violation; ``sign_in``; ``heading``) are in support.py.
"""

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.conftest import missing_service

from .support import ROOT, Builder, Inbox

ARTIFACTS = ROOT / "test-artifacts"
BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000

# While Playwright's sync API is started it keeps an event loop running in the main thread, and Django
# refuses ORM calls from such a thread unless this variable says it is deliberate: tests here build
# data with the ORM between page actions, never from a coroutine. It is set only while the browser
# runs (package scope: until the last test in this folder), so the variable does not leak into other
# tests or the subprocesses they start (`check --deploy` rightly refuses it).
ALLOW_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_TESTS in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- Chromium -------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium for the tests in this folder; it stops when they are done (see ALLOW_ASYNC_UNSAFE)."""
    executable = shutil.which("chromium")
    if executable is None:
        missing_service("browser", "no `chromium` on PATH (apt-get install chromium)")
    previous = os.environ.get(ALLOW_ASYNC_UNSAFE)
    os.environ[ALLOW_ASYNC_UNSAFE] = "true"
    driver: Playwright = sync_playwright().start()
    try:
        try:
            launched = driver.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # Playwright's Error, or the OS refusing to start it: either way no browser
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            missing_service("browser", f"Chromium at {executable} did not start: {first_line}")
            raise
        yield launched
        launched.close()
    finally:
        driver.stop()
        if previous is None:
            del os.environ[ALLOW_ASYNC_UNSAFE]
        else:
            os.environ[ALLOW_ASYNC_UNSAFE] = previous


_PAGES = pytest.StashKey[list[tuple[str, Page]]]()


@pytest.fixture
def new_page(browser: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context: ``new_page("phone", viewport=PHONE)``.

    The contexts bypass Hearth's Content-Security-Policy (script-src 'self') only so that axe-core
    can be injected; Hearth's pages run no script of their own.
    """
    contexts: list[BrowserContext] = []
    pages: list[tuple[str, Page]] = []
    request.node.stash[_PAGES] = pages

    def open_page(name: str = "page", **options: Any) -> Page:
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append((name, page))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """When a browser test fails, save what each of its pages showed at that moment."""
    report: pytest.TestReport = yield
    pages = item.stash.get(_PAGES, [])
    if report.failed and report.when == "call" and pages:
        ARTIFACTS.mkdir(exist_ok=True)
        base = re.sub(r"[^\w.-]+", "_", item.name)
        saved = []
        for index, (name, page) in enumerate(pages):
            path = ARTIFACTS / (f"{base}.png" if index == 0 else f"{base}-{index}-{name}.png")
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # a page closed by the test: say so, and keep the real failure
                saved.append(f"{name}: no screenshot ({type(exc).__name__})")
                continue
            saved.append(f"{name}: {path} (at {page.url})")
        text = "\n".join(saved)
        print(f"\nscreenshots of {item.nodeid}:\n{text}")
        report.sections.append(("screenshots", text))
    return report


# --- Data and e-mail --------------------------------------------------------------------------


@pytest.fixture
def build(transactional_db: None) -> Builder:
    return Builder()


@pytest.fixture
def inbox(mailoutbox: list[mail.EmailMessage]) -> Inbox:
    return Inbox(mailoutbox)


@pytest.fixture
def failure_limit() -> int:
    """Failed sign-ins before a login (and the client's address) is locked out."""
    return int(settings.AXES_FAILURE_LIMIT)
