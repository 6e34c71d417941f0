"""The import progress log behaves alike on memory, SQLite and PostgreSQL (control store,
migration 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters import open_import_progress
from onshore.ports.import_progress import ImportProgress, ImportProgressLog

T0 = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


def conformance(log: ImportProgressLog) -> None:
    assert log.get("users") is None
    start = ImportProgress("users", "db/users", "a" * 32, T0, T0)
    log.save(start)
    assert log.get("users") == start
    later = start.advanced(1000, {"vn-hcm": 300, "sg-1": 690}, 10, T0 + timedelta(minutes=1))
    later = later.advanced(2000, {"vn-hcm": 400, "sg-1": 600}, 0, T0 + timedelta(minutes=2))
    log.save(later)  # replaces
    got = log.get("users")
    assert got == later
    assert got is not None and (got.next_row, got.imported, got.bad) == (2000, 1990, 10)
    assert dict(got.regions) == {"sg-1": 1290, "vn-hcm": 700}
    log.save(ImportProgress("orders", "orders.csv", "b" * 32, T0, T0))
    log.delete("users")
    assert log.get("users") is None and log.get("orders") is not None
    log.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_memory_and_sqlite(backend: str, tmp_path: Path) -> None:
    url = "memory://" if backend == "memory" else f"sqlite:///{tmp_path}/control.db"
    conformance(open_import_progress(url))


@pytest.mark.postgres
def test_postgres(pg_url: str) -> None:
    conformance(open_import_progress(pg_url))
