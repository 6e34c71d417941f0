"""Fixtures for identities: the user and token services over a fresh control store on each
backend (memory, SQLite, PostgreSQL), a clock the tests move, fast argon2 parameters, and the
identity events the services write."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onshore.adapters import open_token_store, open_user_store
from onshore.adapters.clock import FixedClock
from onshore.core.identity import host_administrator
from onshore.core.ledger import LedgerEvent
from onshore.services.tokens import Tokens
from onshore.services.users import Users
from onshore.settings.identities import IdentitySettings

AT = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
#: argon2id at its cheapest (the tests hash many passwords; the parameters are not the point).
FAST = IdentitySettings(
    argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1, password_min_length=8
)
PASSWORD = "correct horse battery"
ADMIN = host_administrator("tester")


def open_users(
    url: str,
    base: Path,
    clock: FixedClock,
    events: list[LedgerEvent] | None = None,
    settings: IdentitySettings = FAST,
) -> Users:
    """The user service over the control store at ``url`` (``events`` collects the journal)."""
    tokens = Tokens(open_token_store(url, base=base), open_user_store(url, base=base), clock)
    return Users(
        tokens, settings, journal=None if events is None else events.append, region="vn-hcm"
    )  # fmt: skip


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def control_url(request: pytest.FixtureRequest) -> str:
    """A fresh control-store URL on each backend (SQLite: relative to the test's tmp dir)."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return "sqlite:///data/control.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def clock() -> FixedClock:
    """A clock at ``AT``; tests move it by setting ``clock.at``."""
    return FixedClock(AT)


@pytest.fixture
def events() -> list[LedgerEvent]:
    """The identity events the user service wrote."""
    return []


@pytest.fixture
def users(
    control_url: str, tmp_path: Path, clock: FixedClock, events: list[LedgerEvent]
) -> Iterator[Users]:
    """The user service over a fresh control store."""
    svc = open_users(control_url, tmp_path, clock, events)
    yield svc
    svc.tokens.close()
