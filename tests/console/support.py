"""What the console's tests share: an app over real SQLite stores on a clock the test sets,
users with passwords, signing in through the console's own form, and reading its pages.

Tests import the fixtures they use (``from tests.console.support import app, client``...).
"""

from __future__ import annotations

import itertools
import re
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

#: A fixed instant the tests' clock starts at (a Monday, 02:00 UTC = 09:00 in Ha Noi).
START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)

#: Cheap argon2 parameters (hashing is the users suite's concern).
FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}

_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def make_settings(base: Path, **tables: Any) -> Settings:
    """The embedded default on SQLite files under ``base``, with ``tables`` set."""
    cfg = default_config_dict()
    cfg["regions"]["vn-hcm"]["store"] = "sqlite:///data/vn-hcm.db"
    cfg["regions"]["sg-1"]["store"] = "sqlite:///data/sg-1.db"
    cfg["deployment"]["checkpoint_interval_seconds"] = 0
    cfg["identities"] = dict(FAST)
    cfg["base_dir"] = str(base)
    cfg.update(tables)
    return Settings.model_validate(cfg)


@pytest.fixture(scope="module")
def clock() -> FixedClock:
    """The runtime's clock (tests that move it put it back)."""
    return FixedClock(START)


@pytest.fixture(scope="module")
def console_tables() -> dict[str, Any]:
    """Extra settings tables (override in a test module to configure the console)."""
    return {}


@pytest.fixture(scope="module")
def vault(
    tmp_path_factory: pytest.TempPathFactory, clock: FixedClock, console_tables: dict[str, Any]
) -> Iterator[Vault]:
    """A vault over SQLite whose runtime reads ``clock`` (one per test module: opening one
    costs seconds)."""
    settings = make_settings(tmp_path_factory.mktemp("console"), **console_tables)
    v = Vault(open_runtime(settings, create_keys=True, clock=clock))
    yield v
    v.close()


@pytest.fixture(scope="module")
def app(vault: Vault) -> FastAPI:
    """The app over ``vault``."""
    return create_app(vault.runtime.settings, vault=vault)


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[TestClient]:
    """The app, started (its lifespan runs once per module)."""
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


@pytest.fixture
def client(server: TestClient) -> Iterator[TestClient]:
    """A browser with no cookies yet, over the module's app; it does not follow redirects."""
    server.cookies.clear()
    yield server
    server.cookies.clear()


_names = itertools.count(1)


def fresh_name(prefix: str) -> str:
    """A user name no other test of the run took."""
    return f"{prefix}{next(_names)}"


def add_user(app: FastAPI, name: str, roles: list[str]) -> str:
    """Create a user with :data:`PASSWORD`; its id."""
    user = app.state.onshore.users.create(
        host_administrator("test"), name, roles, password=PASSWORD
    )
    return str(user.user_id)


def form_token(html: str) -> str:
    """The ``csrf_token`` of the first form in a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a csrf_token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the console's form; the session's CSRF token (read from a page)."""
    page = client.get("/console/sign-in")
    assert page.status_code == 200
    answer = client.post(
        "/console/sign-in",
        data={
            "csrf_token": form_token(page.text),
            "name": name,
            "password": password,
            "next": "/console/my-work",
        },
    )
    assert answer.status_code == 303, answer.text
    return form_token(client.get("/console/my-work").text)
