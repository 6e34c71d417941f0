"""Fixtures for transfers: vn-hcm (VN), sg-1 (SG) and eu-fra (FR) on SQLite with the vn and
eu packs, a foreign e-commerce entity (so VN data may go abroad, owing a TIA dossier), a
fixed clock after the PDP Law took effect, and users with roles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.identity import Principal
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import Settings, default_config_dict

T0 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
SENDER = {
    "controller_name": "Example Shop Pte Ltd",
    "address": "1 Raffles Place, Singapore",
    "contact": "privacy@example.sg",
}


def transfer_settings(base: Path, store: dict[str, str] | None = None) -> Settings:
    """Three regions under ``base`` (or on ``store`` URLs), the controller's facts set but
    for its protection officer."""
    cfg = default_config_dict()
    cfg["regions"]["eu-fra"] = {"country": "FR", "store": ""}
    for name, region in cfg["regions"].items():
        region["store"] = (store or {}).get(name) or f"sqlite:///{base}/{name}.db"
        region.pop("objects", None)
    cfg["deployment"]["packs"] = ["vn", "eu"]
    cfg["deployment"]["entity"] = {"incorporated_in": "SG", "sectors": ["ecommerce"]}
    cfg["transfers"] = dict(SENDER)
    cfg["base_dir"] = str(base)
    return Settings.model_validate(cfg)


def who(user_id: str, *roles: str) -> Principal:
    """A signed-in user holding ``roles``."""
    return Principal("user", user_id, user_id, frozenset(roles))


OPERATOR = who("usr-op", "operator")
REVIEWER = who("usr-rita", "legal_reviewer")


def vn_record(vault: Vault, subject: str, **data: str) -> str:
    """A record of a VN subject placed in vn-hcm; its id."""
    got = vault.put(
        subject, "profile", data or {"email": f"{subject}@example.vn"}, {"declared_residence": "VN"}
    )
    assert got.region == "vn-hcm"
    return got.record_id


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def vault(tmp_path: Path, clock: FixedClock) -> Iterator[Vault]:
    v = Vault(open_runtime(transfer_settings(tmp_path), create_keys=True, clock=clock))
    yield v
    v.close()
