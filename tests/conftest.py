"""Shared test set-up: which outside services a test needs, and what happens when one is missing.

A test that needs PostgreSQL, Redis or Chromium skips with a line saying what is missing, unless
HEARTH_REQUIRE names that service (CI sets HEARTH_REQUIRE=postgres,redis,browser): then it fails.
"""

import os
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# No deadline on generated examples: a test's speed is measured in bench/, never asserted, and on a busy CI machine an
# example that took 280 ms once and 2 ms the next made Hypothesis report a flaky failure.
hypothesis_settings.register_profile("hearth", deadline=None)
hypothesis_settings.load_profile("hearth")


@pytest.fixture(autouse=True, scope="session")
def quick_argon2() -> Any:
    """Argon2id at its lowest cost in this process (tests/hashers.py): a real hash, a fraction of the time."""
    from django.conf import settings
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.hashers.QuickArgon2PasswordHasher", *settings.PASSWORD_HASHERS]):
        yield


def required_services() -> set[str]:
    return {s.strip() for s in os.environ.get("HEARTH_REQUIRE", "").split(",") if s.strip()}


def missing_service(service: str, reason: str) -> None:
    """Skip, or fail when HEARTH_REQUIRE names the service."""
    if service in required_services():
        pytest.fail(f"{service} is required (HEARTH_REQUIRE) but unavailable: {reason}")
    pytest.skip(f"{service} unavailable: {reason}")


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"hearth: database={engine} HEARTH_REQUIRE={','.join(sorted(required_services())) or '-'}"


@pytest.fixture(autouse=True)
def _sign_in_slowing_off(settings: Any) -> None:
    """Tests of the lock-out make failures back to back; the slowing before it has its own tests."""
    settings.HEARTH_LOGIN_SLOW_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _documents_delivered_in_memory(settings: Any) -> None:
    """Document deliveries send through HEARTH_EMAIL_DELIVERY_BACKEND, not EMAIL_BACKEND (which pytest-django already
    keeps in memory): keep them out of the outbox folder too. SMTP and outbox tests set their own backend."""
    settings.HEARTH_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _industry_files_in_tmp(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The switching file adapter and the Bacs files (the demo loader and its daily jobs write both) go in folders of
    the test's own, not in var/, where a second run would find the first run's files."""
    settings.HEARTH_SWITCHING_DIR = tmp_path_factory.mktemp("switching")
    settings.HEARTH_SMART_METER_DIR = tmp_path_factory.mktemp("smart-meters")
    settings.HEARTH_PRIORITY_SHARE_DIR = tmp_path_factory.mktemp("priority-share")
    settings.HEARTH_BACS = {**settings.HEARTH_BACS, "folder": str(tmp_path_factory.mktemp("bacs"))}
