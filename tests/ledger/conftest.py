"""Fixtures for ledger tests: a region database (memory or a real SQLite file) and its keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters import open_database
from onshore.adapters.keystore import MemoryKeyStore
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import RegionDatabase
from onshore.services.ledger import Ledger

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
REGION = "vn-hcm"


def ledger_keys() -> MemoryKeyStore:
    keys = MemoryKeyStore()
    keys.create("ledger-hmac")
    keys.create("ledger-signing")
    return keys


def placed(i: int, **kw: object) -> LedgerEvent:
    """A placement event for record ``rec-i`` of subject ``subj-i``."""
    fields: dict[str, object] = {
        "record_id": f"rec-{i}",
        "subject_id": f"subj-{i}",
        "payload": {
            "kind": "profile",
            "categories": ["email", "phone_number"],
            "rules": ["VN-D53-26"],
        },
    }
    fields.update(kw)
    return LedgerEvent(EventType.RECORD_PLACED, T0 + timedelta(seconds=i), REGION, **fields)  # type: ignore[arg-type]


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[RegionDatabase]:
    db = open_database(f"sqlite:///{tmp_path / 'vn-hcm.db'}")
    yield db
    db.close()


@pytest.fixture
def log(sqlite_db: RegionDatabase) -> Ledger:
    return Ledger(REGION, sqlite_db, ledger_keys())
