"""The layer rule import-linter cannot express: domain, data and common never import django.http."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "hearth"


def _modules_imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", ["domain", "data", "common"])
def test_lower_layers_never_import_django_http(layer: str) -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in (SRC / layer).rglob("*.py")
        if any(name == "django.http" or name.startswith("django.http.") for name in _modules_imported(path))
    ]
    assert offenders == []


def test_the_check_sees_a_django_http_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from django.http import HttpResponse\n")
    assert "django.http" in _modules_imported(module)
