"""Production settings refuse the demo secret key, the demo bank-details key and DEBUG, and `hearth check --deploy` is
clean for them."""

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

PRODUCTION_ENV = {
    "HEARTH_ENV": "production",
    "HEARTH_SECRET_KEY": secrets.token_urlsafe(64),
    "HEARTH_ALLOWED_HOSTS": "portal.supplier.example",
    "EMAIL_HOST": "smtp.supplier.example",
    "DATABASE_URL": "sqlite:///:memory:",
    "HEARTH_BANK_DETAILS_KEYS": Fernet.generate_key().decode(),
    "HEARTH_HEALTH_DETAILS_KEYS": Fernet.generate_key().decode(),
}


def _hearth(args: list[str], extra_env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARTH_", "EMAIL_", "DATABASE_URL", "DJANGO_"))}
    env.update({"HEARTH_DATA_DIR": str(tmp_path), **extra_env})
    return subprocess.run(
        [sys.executable, "-m", "hearth.manage", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_for_production_settings(tmp_path):
    result = _hearth(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"HEARTH_SECRET_KEY": ""}, "HEARTH_SECRET_KEY"),
        ({"HEARTH_SECRET_KEY": "too-short"}, "HEARTH_SECRET_KEY"),
        ({"HEARTH_DEBUG": "true"}, "HEARTH_DEBUG"),
        ({"EMAIL_HOST": ""}, "EMAIL_HOST"),
        ({"HEARTH_BANK_DETAILS_KEYS": ""}, "HEARTH_BANK_DETAILS_KEYS"),
        ({"HEARTH_HEALTH_DETAILS_KEYS": ""}, "HEARTH_HEALTH_DETAILS_KEYS"),
    ],
)
def test_production_refuses_to_start_with_demo_defaults(tmp_path, override, complaint):
    env = {**PRODUCTION_ENV, **override}
    env = {k: v for k, v in env.items() if v}
    result = _hearth(["check"], env, tmp_path)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_refuses_the_demo_secret_key(tmp_path):
    from django.conf import settings

    result = _hearth(["check"], {**PRODUCTION_ENV, "HEARTH_SECRET_KEY": settings.DEMO_SECRET_KEY}, tmp_path)
    assert result.returncode != 0
    assert "HEARTH_SECRET_KEY" in result.stderr


def _demo_bank_details_key(tmp_path) -> str:
    """The key the demo seals bank details with, as the demo's own settings give it."""
    shown = _hearth(
        ["shell", "-c", "from django.conf import settings; print(settings.HEARTH_BANK_DETAILS_KEYS[0])"], {}, tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.split()[-1]  # after the shell's own line about the objects it imported


def test_production_refuses_the_demo_bank_details_key_even_as_an_older_key(tmp_path):
    demo = _demo_bank_details_key(tmp_path)
    own = PRODUCTION_ENV["HEARTH_BANK_DETAILS_KEYS"]
    for keys in (demo, f"{own},{demo}"):
        result = _hearth(["check"], {**PRODUCTION_ENV, "HEARTH_BANK_DETAILS_KEYS": keys}, tmp_path)
        assert result.returncode != 0, keys
        assert "HEARTH_BANK_DETAILS_KEYS must be set to the supplier's own Fernet keys" in result.stderr


def test_production_refuses_a_bank_details_key_set_to_nothing(tmp_path):
    for nothing in ("", ","):
        result = _hearth(["check"], {**PRODUCTION_ENV, "HEARTH_BANK_DETAILS_KEYS": nothing}, tmp_path)
        assert result.returncode != 0, repr(nothing)
        assert "HEARTH_BANK_DETAILS_KEYS" in result.stderr


def test_production_accepts_a_new_key_in_front_of_an_older_one(tmp_path):
    keys = f"{Fernet.generate_key().decode()},{PRODUCTION_ENV['HEARTH_BANK_DETAILS_KEYS']}"
    result = _hearth(["check"], {**PRODUCTION_ENV, "HEARTH_BANK_DETAILS_KEYS": keys}, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("environment", [{}, PRODUCTION_ENV])
def test_a_bank_details_key_that_is_not_a_fernet_key_refuses_to_start(tmp_path, environment):
    keys = f"{Fernet.generate_key().decode()},not-a-fernet-key"
    result = _hearth(["check"], {**environment, "HEARTH_BANK_DETAILS_KEYS": keys}, tmp_path)
    assert result.returncode != 0
    assert "HEARTH_BANK_DETAILS_KEYS: Key 2 is not a Fernet key" in result.stderr


@pytest.mark.parametrize("value", ["39,5", "395", "abc"])
def test_a_calorific_value_that_is_not_a_plausible_number_refuses_to_start(tmp_path, value):
    result = _hearth(["check"], {"HEARTH_DEFAULT_CALORIFIC_VALUE": value}, tmp_path)
    assert result.returncode != 0
    assert "HEARTH_DEFAULT_CALORIFIC_VALUE" in result.stderr
