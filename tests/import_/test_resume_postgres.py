"""Issue 17's "done when" for import: a PostgreSQL table of synthetic users, some of them
Vietnamese, imported by a real ``onshore import`` process that is killed in the middle
(once at a batch boundary, once inside a cross-region batch) and resumed: every row lands
exactly once, in its region, and ``onshore ledger audit`` is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from onshore.core.import_mapping import record_id
from onshore.core.ledger import EventType
from onshore.services.runtime.import_progress import open_import_progress
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.import_.users import COLUMNS, deployment, expected_region, users
from tests.support.cli import onshore

pytestmark = pytest.mark.postgres

ROWS = 120
BATCH = 20


def _source(url: str, rows: list[dict[str, str]]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE users (user_id TEXT PRIMARY KEY, full_name TEXT, phone TEXT,"
            " email TEXT, country TEXT)"
        )
        with conn.cursor().copy(f"COPY users ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in COLUMNS])
        conn.execute("CREATE TABLE orders (order_id TEXT)")  # a second table: --table picks


def _onshore(
    base: Path, *args: str, failpoints: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    if failpoints:
        env["ONSHORE_FAILPOINTS"] = failpoints
    return subprocess.run(
        [sys.executable, "-m", "onshore.cli.main", *args],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _next_row(config: Path) -> int:
    log = open_import_progress(load_settings(config))
    try:
        progress = log.get("users")
        assert progress is not None and progress.status == "running"
        return progress.next_row
    finally:
        log.close()


def test_a_killed_import_resumes_with_every_row_once_in_its_region(
    tmp_path: Path, pg_url_factory: Callable[[], str]
) -> None:
    source_url = pg_url_factory()
    rows = users(ROWS)
    _source(source_url, rows)
    config = deployment(tmp_path, {"vn-hcm": pg_url_factory(), "sg-1": pg_url_factory()})
    (tmp_path / "users.yaml").write_text(
        "subject: user_id\nkind: profile\n"
        "signals: {phone_number: phone, address_country: country}\n",
        encoding="utf-8",
    )
    run = (
        "import",
        source_url,
        "--table",
        "users",
        "--mapping",
        "users.yaml",
        "--name",
        "users",
        "--batch-size",
        str(BATCH),
        "--json",
    )

    # 1. killed at a batch boundary: batch 3 committed in the vault, its progress not saved
    first = _onshore(tmp_path, *run, failpoints="import.after_batch=kill@3")
    assert first.returncode == -9, first.stderr
    assert _next_row(config) == 2 * BATCH  # batches 1 and 2 recorded, 3 stored unrecorded
    # 2. killed inside batch 4 (its 1st put again: a no-op) after one region's commit of
    #    the two-phase batch: recovery at the next open settles it
    second = _onshore(tmp_path, *run, failpoints="vault.after_region_commit=kill@4")
    assert second.returncode == -9, second.stderr
    assert 2 * BATCH <= _next_row(config) < ROWS
    # 3. runs to the end
    third = _onshore(tmp_path, *run)
    assert third.returncode == 0, third.stderr
    summary = json.loads(third.stdout)
    assert summary["status"] == "done"
    assert summary["resumed_from"] > 0
    assert summary["imported"] == ROWS and summary["bad_rows"] == 0
    assert summary["regions"] == dict(Counter(expected_region(u) for u in rows))

    with Vault.open(load_settings(config)) as vault:
        for region in ("vn-hcm", "sg-1"):
            held = vault.runtime.region(region).db.records.count()
            assert held == sum(expected_region(u) == region for u in rows)
        for user in rows:
            rid = record_id("users", user["user_id"])
            record = vault.get(rid)
            assert record.region == expected_region(user)
            assert record.subject_id == user["user_id"]
            assert record.data == user
            placed = [
                e
                for e in vault.ledger(record.region).history(rid)
                if e.leaf.type == EventType.RECORD_PLACED
            ]
            assert len(placed) == 1, (user["user_id"], len(placed))
    audit = onshore("ledger", "audit", cwd=tmp_path)
    assert audit.returncode == 0, audit.stdout + audit.stderr
