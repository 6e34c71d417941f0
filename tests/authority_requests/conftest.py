"""Fixtures for authority requests: a vault on the default deployment (SQLite), a fixed
clock, a deployment authority registry with verified channels, and a few subjects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from tests.cases.conftest import settings_for

T0 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # a Friday

REGISTRY_YAML = """\
schema: onshore.authorities/v0
authorities:
  VN-A05:
    name: A05 (test registry)
    country: VN
    kind: law_enforcement
    channels:
      - {id: a05-portal, type: portal, address: "https://portal.example.vn", verified: true}
      - {id: a05-fax, type: fax, address: "+84 00 0000 0000", verified: false}
  SG-SPF:
    name: Singapore Police Force (test registry)
    country: SG
    kind: law_enforcement
    channels:
      - {id: spf-portal, type: portal, address: "https://portal.example.sg", verified: true}
  XX-POLICE:
    name: A police force of a country with no region here
    country: JP
    kind: law_enforcement
    channels:
      - {id: xx-portal, type: portal, address: "https://portal.example.jp", verified: true}
"""


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def vault(tmp_path: Path, clock: FixedClock) -> Iterator[Vault]:
    (tmp_path / "authorities.yaml").write_text(REGISTRY_YAML)
    v = Vault(open_runtime(settings_for(tmp_path), create_keys=True, clock=clock))
    yield v
    v.close()


@pytest.fixture
def svc(vault: Vault) -> AuthorityRequestService:
    return AuthorityRequestService(vault, registry=CollectorRegistry())


def seed(vault: Vault) -> dict[str, list[str]]:
    """Two VN subjects and one SG subject, a profile and two posts each."""
    out: dict[str, list[str]] = {}
    people = {
        "u-lan": ("+84912345678", "lan@example.vn", "VN"),
        "u-minh": ("+84987654321", "minh@example.vn", "VN"),
        "u-tan": ("+6591234567", "tan@example.sg", "SG"),
    }
    for subject, (phone, email, country) in people.items():
        signals = {"declared_residence": country}
        ids = [
            vault.put(subject, "profile", {"phone": phone, "email": email,
                      "name": "Nguyễn Văn An"}, signals).record_id,
            vault.put(subject, "post", {"post": "hôm nay trời đẹp", "ip": "203.0.113.5"},
                      signals).record_id,
        ]  # fmt: skip
        out[subject] = ids
    return out
