"""The subject-access export (UK GDPR art. 15): a ZIP of JSON, one file per table, and the person's files.

The rows are those :mod:`hearth.domain.privacy.records` finds. Sealed columns (``*_sealed``, the house's convention
for values encrypted at rest) are opened, because the person is owed the data, not its ciphertext; the opened
values go only into the ZIP, never into a log or the audit trail. Files a row points at (the PDFs of documents, a
case's screenshot) are copied in beside the tables.
"""

import base64
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile

from hearth.common import sealed
from hearth.data.accounts.models import Customer
from hearth.domain.privacy import records

SEALED_SUFFIX = "_sealed"
_KEY_SETTING = re.compile(r"^HEARTH_[A-Z_]+_KEYS$")

README = """Everything {brand} holds about you, made on {made} for subject-access request {reference}.

tables/   one JSON file per table: each row that names you, with every column (ids link rows between tables).
files/    the files those rows point at: your bills, letters and notices as PDFs, and anything you sent us.

Left out, and why:
{left_out}
Ask our Customer Care Team if anything is unclear: {care_email}, {care_phone}.
"""


@dataclass(frozen=True)
class Export:
    content: bytes
    sha256: str
    table_count: int
    row_count: int
    labels: tuple[str, ...]


def _key_sets() -> list[list[str]]:
    """Every configured set of sealing keys (``HEARTH_<WHAT>_KEYS``): the one that opens a value is its own."""
    return [
        list(value)
        for name in dir(settings)
        if _KEY_SETTING.match(name) and isinstance(value := getattr(settings, name), list | tuple) and value
    ]


def _opened(value: str | bytes) -> str:
    """A sealed value opened with whichever configured key set seals it, or a note that none does."""
    token = value.encode() if isinstance(value, str) else bytes(value)
    for keys in _key_sets():
        try:
            return sealed.unseal_bytes(token, keys=keys).decode()
        except (sealed.SealBroken, ValueError):
            continue
    return "(held encrypted; the key to open it is no longer configured)"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _row(obj: models.Model, label: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if f"{label}.{field.name}" in records.EXCLUDED_FIELDS:
            continue
        value = getattr(obj, field.attname)
        if field.name.endswith(SEALED_SUFFIX) and value:
            row[field.name.removesuffix(SEALED_SUFFIX)] = _opened(value)
        else:
            row[field.attname] = _plain(value)
    return row


def _files_of(obj: models.Model, label: str) -> list[FieldFile]:
    return [
        file
        for field in obj._meta.concrete_fields
        if isinstance(field, models.FileField)
        and f"{label}.{field.name}" not in records.EXCLUDED_FIELDS
        and (file := getattr(obj, field.name))
    ]


def build_export(*, customer: Customer, reference: str, made_at: datetime) -> Export:
    """The ZIP for ``customer``: every row and file that names them."""
    person = records.person_of(customer)
    buffer = io.BytesIO()
    labels: list[str] = []
    row_count = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in records.exported_models():
            label = records.label_of(model)
            rows = []
            for obj in records.rows_of(model, person).iterator(chunk_size=500):
                rows.append(_row(obj, label))
                for file in _files_of(obj, label):
                    with file.open("rb") as handle:
                        archive.writestr(
                            f"files/{label}/{obj.pk}-{(file.name or 'file').rsplit('/', 1)[-1]}", handle.read()
                        )
            if not rows:
                continue
            labels.append(label)
            row_count += len(rows)
            table = {"table": label, "about": (model.__doc__ or "").strip().splitlines()[0], "rows": rows}
            archive.writestr(f"tables/{label}.json", json.dumps(table, indent=1, ensure_ascii=False, default=str))
        brand = settings.HEARTH_BRAND
        left_out = "".join(
            f"- {name}: {why}\n" for name, why in {**records.EXCLUDED_MODELS, **records.EXCLUDED_FIELDS}.items()
        )
        archive.writestr(
            "README.txt",
            README.format(
                brand=brand["name"],
                made=f"{made_at:%Y-%m-%d %H:%M} UTC",
                reference=reference,
                left_out=left_out,
                care_email=brand["care_email"],
                care_phone=brand["care_phone"],
            ),
        )
    content = buffer.getvalue()
    return Export(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        table_count=len(labels),
        row_count=row_count,
        labels=tuple(labels),
    )
