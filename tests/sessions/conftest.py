"""Fixtures for sessions: an app over SQLite stores whose runtime runs on a clock the test
moves, users to sign in with, and helpers to read the session cookie."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.adapters.clock import FixedClock
from onshore.core.identity import host_administrator
from onshore.server.app import create_app
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import Settings, default_config_dict

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's httpx-based TestClient warns; it works
    from fastapi.testclient import TestClient as TestClient

PASSWORD = "correct horse battery staple"
COOKIE = "onshore_session"

#: Cheap argon2 parameters (the hashing itself is the users suite's concern).
FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}


def make_settings(base: Path, **tables: Any) -> Settings:
    """The embedded default on SQLite under ``base`` (control store data/control.db)."""
    cfg = default_config_dict()
    cfg["regions"]["vn-hcm"]["store"] = "sqlite:///data/vn-hcm.db"
    cfg["regions"]["sg-1"]["store"] = "sqlite:///data/sg-1.db"
    cfg["deployment"]["checkpoint_interval_seconds"] = 0
    cfg["identities"] = dict(FAST)
    cfg["base_dir"] = str(base)
    cfg.update(tables)
    return Settings.model_validate(cfg)


@pytest.fixture
def clock() -> FixedClock:
    """The runtime's clock, moved by the tests (starts at the real time, for TOTP codes)."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def vault(tmp_path: Path, clock: FixedClock) -> Iterator[Vault]:
    """A vault whose runtime reads ``clock``."""
    v = Vault(open_runtime(make_settings(tmp_path), create_keys=True, clock=clock))
    yield v
    v.close()


@pytest.fixture
def app(vault: Vault) -> FastAPI:
    """The app over ``vault`` (so sessions run on the test's clock)."""
    return create_app(vault.runtime.settings, vault=vault)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process client over plain HTTP."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def add_user(app: FastAPI, name: str, roles: list[str], *, disabled: bool = False) -> str:
    """Create a user with :data:`PASSWORD`; its id."""
    users = app.state.onshore.users
    user = users.create(host_administrator("test"), name, roles, password=PASSWORD)
    if disabled:
        users.disable(host_administrator("test"), name)
    return str(user.user_id)


def sign_in(client: TestClient, name: str = "lan", **extra: str) -> Any:
    """``POST /v1/session`` as JSON; the response."""
    return client.post("/v1/session", json={"name": name, "password": PASSWORD, **extra})


def set_cookies(response: Any) -> list[str]:
    """The response's ``Set-Cookie`` headers."""
    return list(response.headers.get_list("set-cookie"))
