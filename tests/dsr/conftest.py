"""Fixtures for data-subject requests: a vault on the default deployment (SQLite) with a
fixed clock, the service, people who act, and a subject whose records span both regions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.identity import Principal
from onshore.services.dsr import DsrService
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from tests.cases.conftest import settings_for

T0 = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)  # Friday 09:00 in Ha Noi
LAN_EMAIL = "lan@example.vn"
LAN_PHONE = "+84912345678"


def who(user_id: str, *roles: str) -> Principal:
    """A signed-in user holding ``roles``."""
    return Principal("user", user_id, user_id, frozenset(roles))


AN = who("usr_an", "operator")  # takes requests in, verifies identities, assembles
BINH = who("usr_binh", "legal_reviewer")  # reviews: erases, refuses, delivers
CHI = who("usr_chi", "approver")  # may deliver a package


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def vault(tmp_path: Path, clock: FixedClock) -> Iterator[Vault]:
    v = Vault(open_runtime(settings_for(tmp_path), create_keys=True, clock=clock))
    yield v
    v.close()


@pytest.fixture
def svc(vault: Vault) -> DsrService:
    return DsrService(vault, registry=CollectorRegistry())


def seed(vault: Vault) -> dict[str, list[str]]:
    """Lan (u-lan): a profile in vn-hcm and a post in sg-1; Minh (u-minh): a profile."""
    lan = [
        vault.put("u-lan", "profile", {"email": LAN_EMAIL, "phone": LAN_PHONE,
                  "name": "Nguyễn Thị Lan"}, {"declared_residence": "VN"}).record_id,
        vault.put("u-lan", "post", {"post": "<b>xin chào</b>"},
                  {"declared_residence": "SG"}).record_id,
    ]  # fmt: skip
    minh = [
        vault.put("u-minh", "profile", {"email": "minh@example.vn", "phone": "+84987654321"},
                  {"declared_residence": "VN"}).record_id,
    ]  # fmt: skip
    return {"u-lan": lan, "u-minh": minh}


def request(kind: str, **extra: object) -> dict[str, object]:
    """An intake body for Lan, named by e-mail address."""
    return {"request_type": kind, "channel": "web_form", "email": [LAN_EMAIL], **extra}
