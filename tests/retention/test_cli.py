"""``onshore retention status | run`` on a real deployment directory (SQLite stores)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from onshore.cli.main import app
from onshore.core.identity import host_administrator
from onshore.services.retention import RetentionService
from onshore.services.vault import Vault
from tests.retention.conftest import SUBJECT, hold, seed

runner = CliRunner()


def _deployment(tmp_path: Path) -> Path:
    result = runner.invoke(app, ["init", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path / "onshore.toml"


def test_status_and_run(tmp_path: Path) -> None:
    config = _deployment(tmp_path)
    with Vault.open(config) as vault:
        seed(vault)
        hold(vault, datetime(2026, 1, 10, 3, 0, tzinfo=UTC), days=30)
        from onshore.services.runtime.retention import open_deferred_erasures

        log = open_deferred_erasures(vault.runtime.settings)
        svc = RetentionService(vault.region_set, log)
        deferred = svc.erase(SUBJECT, principal=host_administrator("t")).deferred
        log.close()
    assert deferred is not None

    out = runner.invoke(app, ["retention", "status", "-c", str(config), "--at", "2026-03-06"])
    assert out.exit_code == 0, out.output
    assert deferred.erasure_id in out.output and "VN-D53-27.data" in out.output
    assert "2028-01-10 10:00 +07:00 (Asia/Ho_Chi_Minh)" in out.output  # the date, with its zone
    assert "as of 2026-03-06 00:00 +07:00 (Asia/Ho_Chi_Minh)" in out.output

    early = runner.invoke(app, ["retention", "run", "-c", str(config), "--at", "2026-03-06"])
    assert early.exit_code == 0 and "nothing due" in early.output

    # 2028-01-11 means midnight in Ho Chi Minh City: after 2028-01-10 10:00 there
    done = runner.invoke(
        app, ["retention", "run", "-c", str(config), "--at", "2028-01-11", "--json"]
    )
    assert done.exit_code == 0, done.output
    [step] = json.loads(done.output)["done"]
    assert (step["id"], step["outcome"], step["erased"]) == (deferred.erasure_id, "done", 2)
    with Vault.open(config) as vault:
        assert vault.records_of(SUBJECT) == []
    after = runner.invoke(app, ["retention", "status", "-c", str(config), "--json"])
    assert json.loads(after.output)["deferred"] == []
