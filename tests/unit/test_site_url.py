"""One site address (HEARTH_SITE_URL) for every absolute link: read from the environment, its older name still read,
a trailing slash dropped, and anything but http(s) refused at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _site_url(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HEARTH_", "DJANGO_", "DATABASE_URL"))}
    clean.update({"HEARTH_DATA_DIR": str(tmp_path), **env})
    code = "from django.conf import settings; print(settings.HEARTH_SITE_URL, settings.HEARTH_BRAND['portal_url'])"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "hearth.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "printed"),
    [
        ({}, "http://127.0.0.1:8000 http://127.0.0.1:8000"),
        ({"HEARTH_SITE_URL": "https://portal.supplier.example/"}, "https://portal.supplier.example " * 2),
        ({"HEARTH_PORTAL_URL": "https://old.supplier.example"}, "https://old.supplier.example " * 2),
    ],
)
def test_the_site_address_comes_from_the_environment(tmp_path: Path, env: dict[str, str], printed: str) -> None:
    result = _site_url(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == printed.split()


def test_an_address_that_is_not_http_is_refused_at_start_up(tmp_path: Path) -> None:
    result = _site_url(tmp_path, HEARTH_SITE_URL="portal.supplier.example")
    assert result.returncode != 0
    assert "HEARTH_SITE_URL must start with http:// or https://" in result.stderr
