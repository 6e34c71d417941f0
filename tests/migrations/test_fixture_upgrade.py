"""The databases made by the first release upgrade to the current schema and read back."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from onshore.adapters.clock import SystemClock
from onshore.adapters.migrations import latest
from onshore.core.errors import SchemaOutdated
from onshore.services.runtime import open_tokens
from onshore.services.vault import Vault
from onshore.settings import Settings
from tests.fixtures.release1 import HERE, REGION, TOKEN_NAME, USERS, config, write_keys
from tests.migrations.conftest import run, run_process, write_toml
from tests.support.pgcluster import PgCluster


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """A copy of the release-1 fixture with its keys and an onshore.toml."""
    for name in (f"{REGION}.db", "control.db"):
        shutil.copyfile(HERE / name, tmp_path / name)
    write_keys(tmp_path / "keys")
    cfg = config(tmp_path)
    cfg.pop("base_dir")
    write_toml(tmp_path / "onshore.toml", cfg)
    return tmp_path


def _versions(path: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT store, version FROM schema_version ORDER BY version").fetchall()
    finally:
        conn.close()


def test_the_release_fixture_is_unversioned_and_refused_until_upgraded(deployment: Path) -> None:
    settings = Settings.model_validate(config(deployment))
    with pytest.raises(SchemaOutdated, match="onshore db upgrade") as err:
        Vault.open(settings)
    assert err.value.details == {"store": "region", "version": 0, "latest": latest("region")}
    done = run(deployment, "get", f"{USERS[0][0]}-profile")
    assert done.returncode == 1
    assert "store.schema_outdated" in done.stderr and "onshore db upgrade" in done.stderr


def test_db_upgrade_takes_the_fixture_to_the_current_schema(deployment: Path) -> None:
    status = run(deployment, "db", "status", "--json")
    assert status.returncode == 0, status.stderr
    assert '"state": "outdated"' in status.stdout and '"version": 0' in status.stdout

    dry = run(deployment, "db", "upgrade", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would apply" in dry.stdout
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        _versions(deployment / f"{REGION}.db")

    done = run(deployment, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert _versions(deployment / f"{REGION}.db") == [
        ("region", v) for v in range(1, latest("region") + 1)
    ]
    assert _versions(deployment / "control.db") == [
        ("control", v) for v in range(1, latest("control") + 1)
    ]
    again = run(deployment, "db", "upgrade", "--json")
    assert '"action": "none"' in again.stdout and "applied" not in again.stdout

    settings = Settings.model_validate(config(deployment))
    with Vault.open(settings) as vault:
        for subject, email, phone in USERS:
            record = vault.get(f"{subject}-profile")
            assert (record.subject_id, record.region) == (subject, REGION)
            assert record.data == {"email": email, "phone_number": phone}
            [found] = vault.find({"email": email})
            assert found.record_id == f"{subject}-profile"
        report = vault.ledger(REGION).verify()
        assert report.ok, report.problems
        assert report.size == len(USERS) and report.checkpoints == 1
    tokens = open_tokens(settings, SystemClock())
    try:
        assert tokens.page()[0].name == TOKEN_NAME
    finally:
        tokens.close()


def test_the_cli_reads_the_upgraded_fixture(deployment: Path) -> None:
    assert run(deployment, "db", "upgrade").returncode == 0
    got = run(deployment, "get", f"{USERS[1][0]}-profile")
    assert got.returncode == 0, got.stderr
    assert USERS[1][1] in got.stdout
    verify = run(deployment, "ledger", "verify", "--json")
    assert verify.returncode == 0, verify.stderr


@pytest.mark.postgres
def test_db_upgrade_takes_the_postgres_dump_to_the_current_schema(
    tmp_path: Path, pg_cluster: PgCluster
) -> None:
    url = pg_cluster.create_database()
    loaded = subprocess.run(
        [str(pg_cluster.bindir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f",
         str(HERE / "postgres.sql")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    write_keys(tmp_path / "keys")
    cfg = config(tmp_path, url)
    settings = Settings.model_validate(cfg)
    with pytest.raises(SchemaOutdated, match="onshore db upgrade"):
        Vault.open(settings)
    cfg.pop("base_dir")
    write_toml(tmp_path / "onshore.toml", cfg)
    done = run(tmp_path, "db", "upgrade", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count('"action": "applied"') == 2  # the region and the control store
    with Vault.open(settings) as vault:
        for subject, email, _ in USERS:
            record = vault.get(f"{subject}-profile")
            assert (record.subject_id, record.data["email"]) == (subject, email)
        report = vault.ledger(REGION).verify()
        assert report.ok and report.size == len(USERS), report.problems
    tokens = open_tokens(settings, SystemClock())
    try:
        assert tokens.page()[0].name == TOKEN_NAME
    finally:
        tokens.close()


def test_a_kill_during_the_upgrade_leaves_the_old_version(deployment: Path) -> None:
    """SIGKILL after migration 1 ran but before it committed: nothing of it stays."""
    env = {"ONSHORE_FAILPOINTS": "migrations.before_commit=kill"}
    killed = run_process(deployment, "db", "upgrade", "--region", REGION, env=env)
    assert killed.returncode == -9, killed.stderr
    conn = sqlite3.connect(str(deployment / f"{REGION}.db"))
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "schema_version" not in tables
        assert conn.execute("SELECT COUNT(*) FROM records").fetchone() == (len(USERS),)
    finally:
        conn.close()
    done = run(deployment, "db", "upgrade", "--region", REGION)
    assert done.returncode == 0, done.stderr
    assert _versions(deployment / f"{REGION}.db") == [
        ("region", v) for v in range(1, latest("region") + 1)
    ]
