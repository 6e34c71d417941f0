"""The deferred-erasure log behaves alike on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters import open_deferred_erasures
from onshore.core.errors import InputError
from onshore.ports.retention import DeferredErasure, DeferredErasureLog

T0 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)


def _erasure(eid: str, days: int) -> DeferredErasure:
    return DeferredErasure(eid, {"vn-hcm": ("ab" * 32, "cd" * 32)}, T0, T0 + timedelta(days=days),
                           ("VN-D53-27.data", "legal-hold:req-1"), "retained", "host:root",
                           case_id="dsr-1")  # fmt: skip


def conformance(log: DeferredErasureLog) -> None:
    log.add(_erasure("de-2", 20))
    log.add(_erasure("de-1", 10))
    with pytest.raises(InputError):
        log.add(_erasure("de-1", 10))
    assert log.get("de-1") == _erasure("de-1", 10)
    assert log.get("nope") is None
    assert [e.erasure_id for e in log.pending()] == ["de-1", "de-2"]
    assert [e.erasure_id for e in log.pending(due_by=T0 + timedelta(days=15))] == ["de-1"]
    log.finish("de-1", "failed", T0, "StoreUnavailable")
    assert [e.erasure_id for e in log.pending()] == ["de-1", "de-2"]  # failed: retried
    log.finish("de-1", "done", T0 + timedelta(days=11), "2 records erased")
    done = log.get("de-1")
    assert done is not None and done.status == "done" and done.detail == "2 records erased"
    assert [e.erasure_id for e in log.pending()] == ["de-2"]
    log.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_memory_and_sqlite(backend: str, tmp_path: Path) -> None:
    url = "memory://" if backend == "memory" else f"sqlite:///{tmp_path}/control.db"
    conformance(open_deferred_erasures(url))


@pytest.mark.postgres
def test_postgres(pg_url: str) -> None:
    conformance(open_deferred_erasures(pg_url))
