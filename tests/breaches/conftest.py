"""Fixtures for breaches: a deployment of three regions in three countries (vn-hcm VN,
sg-1 SG, eu-fra FR) with the vn and eu packs, a fixed clock, and records placed by the vault
for subjects of Viet Nam and France."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.identity import Principal
from onshore.services.breaches import BreachService
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import Settings, default_config_dict

T0 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # after the PDP Law took effect


def breach_settings(base: Path, store: dict[str, str] | None = None) -> Settings:
    """vn-hcm (VN), sg-1 (SG) and eu-fra (FR) on SQLite under ``base`` (or ``store`` URLs)."""
    cfg = default_config_dict()
    cfg["regions"]["eu-fra"] = {"country": "FR", "store": ""}
    for name, region in cfg["regions"].items():
        region["store"] = (store or {}).get(name) or f"sqlite:///{base}/{name}.db"
        region.pop("objects", None)
    cfg["deployment"]["packs"] = ["vn", "eu"]
    cfg["base_dir"] = str(base)
    return Settings.model_validate(cfg)


def who(user_id: str, *roles: str) -> Principal:
    """A signed-in user holding ``roles``."""
    return Principal("user", user_id, user_id, frozenset(roles))


OPERATOR = who("usr-op", "operator")
REVIEWER = who("usr-rita", "legal_reviewer")


def place(vault: Vault) -> dict[str, list[str]]:
    """Records of three VN subjects (vn-0 has two), two FR subjects and one SG subject;
    their ids by subject."""
    ids: dict[str, list[str]] = {}
    for i in range(3):
        r = vault.put(f"vn-{i}", "profile", {"phone": f"+8491234567{i}", "name": "Lan"})
        ids.setdefault(f"vn-{i}", []).append(r.record_id)
    ids["vn-0"].append(vault.put("vn-0", "profile", {"email": "lan@example.vn"}).record_id)
    for i in range(2):
        r = vault.put(
            f"fr-{i}", "profile", {"email": f"c{i}@example.fr"}, {"declared_residence": "FR"}
        )
        ids.setdefault(f"fr-{i}", []).append(r.record_id)
    ids["sg-0"] = [
        vault.put(
            "sg-0", "profile", {"email": "s@example.sg"}, {"declared_residence": "SG"}
        ).record_id
    ]
    return ids


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def vault(tmp_path: Path, clock: FixedClock) -> Iterator[Vault]:
    v = Vault(open_runtime(breach_settings(tmp_path), create_keys=True, clock=clock))
    yield v
    v.close()


@pytest.fixture
def ids(vault: Vault) -> dict[str, list[str]]:
    return place(vault)


@pytest.fixture
def svc(vault: Vault) -> BreachService:
    return BreachService(vault.runtime, registry=CollectorRegistry())


def intake(**extra: Any) -> dict[str, Any]:
    """A breach discovered at 08:00 on T0's day, Ha Noi time."""
    return {
        "discovered_at": "2026-03-06T08:00:00+07:00",
        "reference": "INC-1",
        "details": {"nature": "a storage bucket was left public"},
        **extra,
    }
