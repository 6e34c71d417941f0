"""A deployment with backup destinations in Viet Nam and Singapore, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onshore.services.vault import Vault
from onshore.settings import Settings
from tests.migrations.conftest import write_toml

#: Synthetic Vietnamese users (subject, email, phone).
USERS = [(f"bk-user-{i}", f"user{i}@example.vn", f"+84 913 000 {i:03d}") for i in range(1, 13)]


@dataclass
class Deployment:
    """A deployment directory: its onshore.toml, its settings and the records put."""

    base: Path
    settings: Settings
    region_url: str
    records: dict[str, tuple[str, str, str]]

    def vault(self) -> Vault:
        """Open the deployment's vault (the caller closes it)."""
        return Vault.open(self.settings)


def make_deployment(base: Path, vn_store: str) -> Deployment:
    """vn-hcm on ``vn_store``, sg-1 on SQLite, destinations vn-archive (VN) and sg-archive (SG);
    twelve VN users put (they land in vn-hcm), a case event or two, a checkpoint."""
    config: dict[str, Any] = {
        "deployment": {"default_region": "sg-1", "control_store": "sqlite:///data/control.db"},
        "regions": {
            "vn-hcm": {"country": "VN", "store": vn_store},
            "sg-1": {"country": "SG", "store": "sqlite:///data/sg-1.db"},
        },
        "backups": {
            "vn-archive": {"country": "VN", "path": "archive/vn"},
            "sg-archive": {"country": "SG", "path": "archive/sg"},
        },
    }
    write_toml(base / "onshore.toml", config)
    (base / "archive" / "vn").mkdir(parents=True)
    (base / "archive" / "sg").mkdir(parents=True)
    from onshore.settings import load_settings

    settings = load_settings(base / "onshore.toml", env={})
    records = {}
    with Vault.open(settings, create_keys=True) as vault:
        for subject, email, phone in USERS:
            receipt = vault.put(
                subject,
                "user",
                {"email": email, "phone_number": phone, "full_name": "Nguyễn Văn Thử"},
                {"declared_residence": "VN"},
            )
            assert receipt.region == "vn-hcm"
            records[receipt.record_id] = (subject, email, phone)
    return Deployment(base, settings, vn_store, records)


@pytest.fixture
def sqlite_deployment(tmp_path: Path) -> Deployment:
    """vn-hcm on SQLite."""
    return make_deployment(tmp_path, "sqlite:///data/vn-hcm.db")


@pytest.fixture
def pg_deployment(tmp_path: Path, pg_url_factory: Callable[[], str]) -> Deployment:
    """vn-hcm on PostgreSQL."""
    return make_deployment(tmp_path, pg_url_factory())
