"""What the benchmarks share: a scratch database set up the same way, refused unless it is clearly a benchmark's."""

import importlib
import os
import sys
from pathlib import Path


def set_up_django(scratch: Path, *, script: str, environment: dict[str, str] | None = None) -> None:
    """Point Django at ``DATABASE_URL`` (default: a SQLite file in ``scratch``), migrate it and empty it.

    The benchmark empties its database, so one whose name lacks "bench" is refused. Emptying also removes the rows
    data migrations seed (the document types), which are put back.
    """
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'hearth_bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    os.environ.setdefault("HEARTH_DATA_DIR", str(scratch))
    os.environ.setdefault("HEARTH_ALLOWED_HOSTS", "testserver")
    for name, value in (environment or {}).items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        sys.exit(f"bench/{script} empties its database; {name!r} does not look like a benchmark database.")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    importlib.import_module("hearth.data.documents.migrations.0002_seed_document_types").seed(apps, None)
