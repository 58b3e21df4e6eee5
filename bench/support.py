"""What the benchmarks share: a scratch database set up the same way, refused unless it is clearly a benchmark's."""

import gc
import importlib
import os
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


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


def fresh_database(scratch: Path, *, script: str) -> None:
    """Point Django at ``DATABASE_URL`` (default: a SQLite file in ``scratch``): empty, migrated, with every
    migration's seed rows, as a new installation has them (the demo supplier needs every area's document types).

    ``set_up_django`` flushes, which also removes those seeds; here PostgreSQL's schema is dropped and made again
    instead. A database whose name lacks "bench" is refused.
    """
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'hearth_bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    os.environ.setdefault("HEARTH_DATA_DIR", str(scratch))
    os.environ.setdefault("HEARTH_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        sys.exit(f"bench/{script} empties its database; {name!r} does not look like a benchmark database.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


class QueryCounter:
    """A ``connection.execute_wrapper`` that counts the SQL statements sent."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _reset_peak_memory() -> bool:
    """Reset the process's peak RSS (Linux: VmHWM), so the next reading is this stage's own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _memory_mb(name: str) -> float:
    """VmHWM (peak) or VmRSS (now) in MB; the process's lifetime peak where /proc is not there."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return process_max_rss_mb()


def process_max_rss_mb() -> float:
    """The process's peak RSS over its whole life, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def stage_memory(stage: Callable[[], Any]) -> tuple[Any, dict[str, float | None]]:
    """Run ``stage``; the process's RSS when it began and its peak during it (None where it cannot be reset)."""
    gc.collect()
    reset = _reset_peak_memory()
    start = _memory_mb("VmRSS")
    result = stage()
    return result, {"start_mb": start, "peak_mb": max(start, _memory_mb("VmHWM")) if reset else None}
