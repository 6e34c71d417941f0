"""Migrations on real SQLite and PostgreSQL: version 2 applied, a failure rolled back, checks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from onshore.adapters import open_database, open_token_store
from onshore.adapters.migrations import MIGRATIONS, Migration, latest
from onshore.adapters.migrations.runner import status, upgrade
from onshore.adapters.migrations.targets import open_target
from onshore.cli.main import main
from onshore.core.errors import MigrationFailed, SchemaOutdated, SchemaTooNew
from tests.migrations.conftest import add_migration

#: The code's own latest region version; the test migrations come after it.
BASE = latest("region")
V2 = Migration(
    BASE + 1,
    "case notes column and a probe table",
    sqlite="ALTER TABLE cases ADD COLUMN note_v2 TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE IF NOT EXISTS v2_probe (id INTEGER PRIMARY KEY, label TEXT NOT NULL);"
    "INSERT INTO v2_probe (id, label) SELECT 1, 'records: ' || COUNT(*) FROM records",
    postgres="ALTER TABLE cases ADD COLUMN note_v2 TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE IF NOT EXISTS v2_probe (id INTEGER PRIMARY KEY, label TEXT NOT NULL);"
    "INSERT INTO v2_probe (id, label) SELECT 1, 'records: ' || COUNT(*) FROM records",
)
BROKEN = Migration(
    BASE + 1,
    "creates a table, then fails",
    sqlite="CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1)",
    postgres="CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1)",
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh region store URL on each backend (nothing created yet)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/region.db"
    factory: Callable[[], str] = request.getfixturevalue("pg_url_factory")
    return factory()


def _seed(url: str) -> None:
    """Create the database at version 1 with one case and one ledger leaf."""
    from datetime import UTC, datetime

    from onshore.ports import Case

    db = open_database(url)
    try:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        with db.transaction():
            db.ledger.append([b"leaf"], [bytes(32)])
            db.cases.create(Case("c-1", "user_request", "open", "vn-hcm", at, at, None, {}, 1))
    finally:
        db.close()


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    target = open_target(url)
    assert target is not None
    try:
        return [tuple(r) for r in target.conn.execute(sql).fetchall()]  # type: ignore[attr-defined]
    finally:
        target.close()


def test_version_one_is_frozen() -> None:
    """The stores' SCHEMA texts are migration 1: change the schema with a new migration."""
    from onshore.adapters.migrations import control
    from onshore.adapters.postgres import audience, cases, ledger, records, tokens
    from onshore.adapters.sqlite import audience as s_audience
    from onshore.adapters.sqlite import cases as s_cases
    from onshore.adapters.sqlite import ledger as s_ledger
    from onshore.adapters.sqlite import records as s_records
    from onshore.adapters.sqlite import tokens as s_tokens

    texts = [
        s_records.SqliteRecordStore.SCHEMA,
        s_ledger.SqliteLedgerStore.SCHEMA,
        s_cases.SqliteCaseStore.SCHEMA,
        s_audience.SqliteAudienceStore.SCHEMA,
        s_tokens.SCHEMA,
        records.PostgresRecordStore.SCHEMA,
        ledger.PostgresLedgerStore.SCHEMA,
        cases.PostgresCaseStore.SCHEMA,
        audience.PostgresAudienceStore.SCHEMA,
        tokens.SCHEMA,
    ]
    digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    assert digest == FROZEN_V1, (
        "a store's SCHEMA changed: it is migration 1 and frozen; add a migration instead "
        f"(see docs/operations.md, Schema migrations); digest now {digest}"
    )
    # the control store's migration 1 holds its own frozen copy of the token stores' texts
    assert (control.SQLITE_V1, control.POSTGRES_V1) == (s_tokens.SCHEMA, tokens.SCHEMA)


FROZEN_V1 = "da2dedbc3a97f7dea3a37f00bbe9fc3643d5498e1f1de2e18d8e664227720d9d"


def test_a_new_database_is_created_at_the_latest_version(store_url: str) -> None:
    _seed(store_url)
    got = _query(store_url, "SELECT store, MAX(version) FROM schema_version GROUP BY store")
    assert got == [("region", BASE)]
    target = open_target(store_url)
    assert target is not None
    try:
        assert status(target, "region").state == "current"
    finally:
        target.close()


def test_upgrade_applies_version_two_and_keeps_the_data(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(store_url)
    add_migration(monkeypatch, "region", V2)
    with pytest.raises(SchemaOutdated, match="run `onshore db upgrade`"):
        open_database(store_url)
    target = open_target(store_url)
    assert target is not None
    try:
        assert upgrade(target, "region", "test", dry_run=True).state == "outdated"
        assert status(target, "region").version == BASE
        before = upgrade(target, "region", "test")
        assert [m.version for m in before.pending] == [BASE + 1]
        assert status(target, "region").state == "current"
    finally:
        target.close()
    db = open_database(store_url)
    try:
        assert db.ledger.size() == 1
        case = db.cases.get("c-1")
        assert case is not None and case.state == "open"
    finally:
        db.close()
    assert _query(store_url, "SELECT note_v2 FROM cases") == [("",)]
    assert _query(store_url, "SELECT label FROM v2_probe") == [("records: 0",)]
    versions = _query(store_url, "SELECT version FROM schema_version ORDER BY version")
    assert versions == [(v,) for v in range(1, BASE + 2)]


def test_a_new_database_gets_every_migration(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_migration(monkeypatch, "region", V2)
    _seed(store_url)
    versions = _query(store_url, "SELECT version FROM schema_version ORDER BY version")
    assert versions == [(v,) for v in range(1, BASE + 2)]
    assert _query(store_url, "SELECT note_v2 FROM cases") == [("",)]


def test_a_failed_migration_leaves_the_old_version(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(store_url)
    add_migration(monkeypatch, "region", BROKEN)
    target = open_target(store_url)
    assert target is not None
    try:
        with pytest.raises(MigrationFailed, match=f"stays at version {BASE}") as err:
            upgrade(target, "region", "test")
        assert err.value.details == {"store": "region", "version": BASE + 1, "at": BASE}
        assert status(target, "region").version == BASE
    finally:
        target.close()
    monkeypatch.setitem(MIGRATIONS, "region", MIGRATIONS["region"][:-1])
    db = open_database(store_url)  # the old code opens it as before
    try:
        assert db.ledger.size() == 1
    finally:
        db.close()
    probe = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'"
    if not store_url.startswith("sqlite"):
        probe = "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'half_done'"
    assert _query(store_url, probe) == [(0,)]


def test_a_database_newer_than_the_code_is_refused(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        add_migration(m, "region", V2)
        _seed(store_url)
    assert latest("region") == BASE
    with pytest.raises(SchemaTooNew, match=f"newer than this onshore's {BASE}"):
        open_database(store_url)
    target = open_target(store_url)
    assert target is not None
    try:
        with pytest.raises(SchemaTooNew):
            upgrade(target, "region", "test")
    finally:
        target.close()


def test_the_control_store_is_versioned(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = store_url.replace("region.db", "control.db")
    base = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite") else None
    open_token_store(url, base=base).close()
    current = latest("control")
    assert _query(url, "SELECT store, version FROM schema_version ORDER BY version") == [
        ("control", v) for v in range(1, current + 1)
    ]
    add_migration(
        monkeypatch,
        "control",
        Migration(current + 1, "token notes", "ALTER TABLE api_tokens ADD COLUMN note TEXT",
                  "ALTER TABLE api_tokens ADD COLUMN note TEXT"),
    )  # fmt: skip
    with pytest.raises(SchemaOutdated):
        open_token_store(url, base=base)
    target = open_target(url)
    assert target is not None
    try:
        upgrade(target, "control", "test")
    finally:
        target.close()
    open_token_store(url, base=base).close()


def test_cli_upgrade_dry_run_then_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "onshore.toml").write_text(
        '[deployment]\ndefault_region = "vn-hcm"\ncontrol_store = "memory://"\n'
        '[regions.vn-hcm]\ncountry = "VN"\nstore = "sqlite:///vn.db"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    _seed(f"sqlite:///{tmp_path}/vn.db")
    add_migration(monkeypatch, "region", V2)

    def cli(*args: str) -> int:
        with pytest.raises(SystemExit) as done:
            main(list(args))
        return int(done.value.code or 0)

    assert cli("db", "upgrade", "--dry-run", "--region", "vn-hcm") == 0
    assert "would apply" in capsys.readouterr().out
    assert cli("db", "status", "--json") == 0
    assert f'"pending": [{BASE + 1}]' in capsys.readouterr().out
    assert cli("db", "upgrade") == 0
    assert "applied" in capsys.readouterr().out
    assert cli("db", "status", "--json") == 0
    assert '"state": "current"' in capsys.readouterr().out
    assert cli("db", "status", "--region", "nowhere") == 1
    assert "region.unknown" in capsys.readouterr().err
