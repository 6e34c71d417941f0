"""Fixtures for retention: a vault on the default deployment (SQLite, control store too),
a fixed clock, and a VN subject with a profile and a system log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core import blind_index
from onshore.ports import Case, LegalHold
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from tests.cases.conftest import settings_for

T0 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # a Friday
SUBJECT = "u-lan"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def vault(tmp_path: Path, clock: FixedClock) -> Iterator[Vault]:
    v = Vault(open_runtime(settings_for(tmp_path), create_keys=True, clock=clock))
    yield v
    v.close()


def seed(vault: Vault, subject: str = SUBJECT) -> list[str]:
    """A VN subject's profile and post; their record ids."""
    signals = {"declared_residence": "VN"}
    return [
        vault.put(subject, "profile", {"phone": "+84912345678", "email": "lan@example.vn"},
                  signals).record_id,
        vault.put(subject, "post", {"post": "hôm nay trời đẹp"}, signals).record_id,
    ]  # fmt: skip


def hold(vault: Vault, placed: datetime, days: int = 90, subject: str = SUBJECT) -> None:
    """A preservation hold (a storage request received at ``placed``) on ``subject`` in vn-hcm."""
    region = vault.runtime.region("vn-hcm")
    with region.db.transaction():
        if region.db.cases.get("req-1") is None:
            region.db.cases.create(Case("req-1", "authority_request", "preserved", "vn-hcm",
                                        placed, placed, None, {}))  # fmt: skip
        for v in region.keys.versions("index"):
            ref = blind_index.subject_ref(v.material, subject)
            expires = placed + timedelta(days=days)
            region.db.cases.put_hold(LegalHold(ref, "req-1", placed, expires))
