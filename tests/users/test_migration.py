"""Control store migration 2: tokens made before owners existed each become owned by a
service account of their name holding their role, and keep working (SQLite and PostgreSQL,
and the first release's own control.db)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from onshore.adapters import open_token_store, open_user_store
from onshore.adapters.clock import FixedClock
from onshore.adapters.migrations import control, latest
from onshore.adapters.migrations.runner import upgrade
from onshore.adapters.migrations.targets import open_target
from onshore.core.errors import SchemaOutdated
from onshore.services.tokens import Tokens, digest
from tests.fixtures.release1 import HERE, TOKEN_NAME
from tests.users.conftest import AT

OLD = (("ci-bot", "operator"), ("auditors", "auditor"), ("root", "admin"))
MADE = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _secret(name: str) -> str:
    return "onsh_" + (name * 43)[:43].replace(" ", "_")


def _v1_sqlite(path: Path) -> str:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(control.SQLITE_V1)
    conn.execute(
        "CREATE TABLE schema_version (store TEXT NOT NULL, version INTEGER NOT NULL, "
        "description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (store, version))"
    )
    conn.execute("INSERT INTO schema_version VALUES ('control', 1, 'api_tokens', 'then')")
    for i, (name, role) in enumerate(OLD):
        conn.execute(
            "INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, ?)",
            (f"tok_{i}", name, role, digest(_secret(name)), MADE.isoformat(), None),
        )
    conn.close()
    return f"sqlite:///{path}"


def _v1_postgres(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(control.POSTGRES_V1)
        conn.execute(
            "CREATE TABLE schema_version (store TEXT NOT NULL, version INTEGER NOT NULL, "
            "description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (store, version))"
        )
        conn.execute("INSERT INTO schema_version VALUES ('control', 1, 'api_tokens', 'then')")
        for i, (name, role) in enumerate(OLD):
            conn.execute(
                "INSERT INTO api_tokens VALUES (%s, %s, %s, %s, %s, %s)",
                (f"tok_{i}", name, role, digest(_secret(name)), MADE, None),
            )
    return url


def _upgrade(url: str) -> None:
    target = open_target(url)
    assert target is not None
    try:
        upgrade(target, "control", "test")
    finally:
        target.close()


def _tokens(url: str, base: Path) -> Tokens:
    return Tokens(open_token_store(url, base=base), open_user_store(url, base=base), FixedClock(AT))


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_old_tokens_become_service_account_tokens(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    make: Callable[[], str]
    if backend == "sqlite":
        make = lambda: _v1_sqlite(tmp_path / "control.db")  # noqa: E731
    else:
        make = lambda: _v1_postgres(request.getfixturevalue("pg_url"))  # noqa: E731
    url = make()
    with pytest.raises(SchemaOutdated):  # refused until `onshore db upgrade`
        open_token_store(url, base=tmp_path)
    _upgrade(url)
    tokens = _tokens(url, tmp_path)
    try:
        accounts = {a.name: a for a in tokens.owners.services(None, 10)}
        assert sorted(accounts) == sorted(name for name, _ in OLD)
        for name, role in OLD:
            p = tokens.verify(_secret(name))
            assert (p.kind, p.name, p.roles) == ("service", name, {role})
            assert p.id == accounts[name].account_id and accounts[name].roles == {role}
            assert accounts[name].created_at == MADE
            info = tokens.store.lookup(name)
            assert info is not None and info.owner_id == p.id and info.expires_at is None
        assert tokens.create("new-bot", "auditor").info.owner_id.startswith("svc_")
    finally:
        tokens.close()


def test_the_first_release_control_store_upgrades(tmp_path: Path) -> None:
    shutil.copyfile(HERE / "control.db", tmp_path / "control.db")
    url = f"sqlite:///{tmp_path / 'control.db'}"
    _upgrade(url)
    tokens = _tokens(url, tmp_path)
    try:
        [info] = tokens.page()
        owner = tokens.owner(info.owner_id)
        assert info.name == TOKEN_NAME and owner is not None
        assert (owner.name, owner.roles, info.roles) == (TOKEN_NAME, {"operator"}, {"operator"})
    finally:
        tokens.close()


def _rows(url: str, sql: str) -> list[Any]:
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_new_control_store_is_created_at_the_latest_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'control.db'}"
    open_user_store(url).close()
    versions = _rows(url, "SELECT version FROM schema_version ORDER BY version")
    assert versions == [(v,) for v in range(1, latest("control") + 1)]
    assert latest("control") >= 2  # users and service accounts are version 2
    assert _rows(url, "SELECT COUNT(*) FROM service_accounts") == [(0,)]
