"""Fixtures of the Direct Debit tests: the Bacs folder and the documents folder in the test's own directory."""

from pathlib import Path
from typing import Any

import pytest

from hearth.data.tariffs.models import Tariff
from tests.integration.billing.invoice_support import use_documents_folder
from tests.integration.payments.support import direct_debit_tariff

BANK_CHARGE = "1.50"
"""What the supplier's bank charges for a returned Direct Debit in these tests (T&C 10.1.7)."""


@pytest.fixture
def bacs_folder(tmp_path: Path, settings: Any) -> Path:
    folder = tmp_path / "bacs"
    settings.HEARTH_BACS = {**settings.HEARTH_BACS, "folder": str(folder), "unpaid_bank_charge": BANK_CHARGE}
    return folder


@pytest.fixture(autouse=True)
def _documents_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_documents_folder(monkeypatch, tmp_path / "documents")


@pytest.fixture
def tariff(db: None) -> Tariff:
    return direct_debit_tariff()
