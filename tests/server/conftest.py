"""Fixtures for the HTTP API: an in-process app over SQLite stores in a temp dir, one token
per role, and a real ``onshore serve`` subprocess on a free loopback port."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.server.app import create_app
from onshore.services.tokens import ROLES
from onshore.settings import Settings, default_config_dict
from tests.server.live import LiveServer, start_live_server

with warnings.catch_warnings():
    # starlette 1.x warns that its httpx-based TestClient is deprecated; it still works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient as TestClient


def make_settings(base: Path, **deployment: Any) -> Settings:
    """The embedded default (vn-hcm + sg-1) on SQLite files under ``base``."""
    cfg = default_config_dict()
    cfg["regions"]["vn-hcm"]["store"] = "sqlite:///data/vn-hcm.db"
    cfg["regions"]["sg-1"]["store"] = "sqlite:///data/sg-1.db"
    cfg["deployment"].update(deployment)
    cfg["base_dir"] = str(base)
    return Settings.model_validate(cfg)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded-default settings in a temp dir (control store: data/control.db)."""
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The app over fresh stores."""
    return create_app(settings, create_keys=True)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process client (lifespan run, so the stores close at the end)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tokens(app: FastAPI) -> dict[str, str]:
    """One token secret per role."""
    svc = app.state.onshore.tokens
    return {role: svc.create(f"test-{role}", role).secret for role in ROLES}


def auth(secret: str) -> dict[str, str]:
    """The Authorization header for ``secret``."""
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real ``onshore serve`` process on a free loopback port (fresh directory)."""
    server = start_live_server(tmp_path_factory.mktemp("live"))
    try:
        yield server
    finally:
        server.stop()
