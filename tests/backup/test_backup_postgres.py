"""Back up a PostgreSQL region (COPY in one REPEATABLE READ transaction), drop it, restore it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from onshore.core.errors import BackupInvalid, BackupTargetNotEmpty
from onshore.services.backup import create_backup, restore_backup, verify_backup
from onshore.services.runtime import open_runtime
from tests.backup.conftest import Deployment
from tests.migrations.conftest import run

pytestmark = pytest.mark.postgres


def _backup(dep: Deployment) -> Path:
    runtime = open_runtime(dep.settings)
    try:
        return create_backup(runtime, "vn-hcm", "vn-archive").path
    finally:
        runtime.close()


def _drop_everything(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def test_backup_drop_restore_read_back(pg_deployment: Deployment) -> None:
    dep = pg_deployment
    path = _backup(dep)
    assert b"example.vn" not in path.read_bytes()
    manifest = verify_backup(dep.settings, path)
    assert manifest["backend"] == "postgresql" and manifest["records"] == len(dep.records)
    with pytest.raises(BackupTargetNotEmpty):
        restore_backup(dep.settings, path)

    _drop_everything(dep.region_url)
    result = restore_backup(dep.settings, path, region="vn-hcm")
    assert result.ledger is not None and result.ledger.ok, result.ledger
    with dep.vault() as vault:
        for record_id, (subject, email, _) in dep.records.items():
            record = vault.get(record_id)
            assert (record.subject_id, record.data["email"]) == (subject, email)
        # the restored region takes new writes and checkpoints (sequences moved on)
        vault.put("bk-new", "user", {"email": "new@example.vn"}, {"declared_residence": "VN"})
        vault.ledger("vn-hcm").checkpoint(vault.runtime.clock.now())
        assert vault.ledger("vn-hcm").verify().ok
    audit = run(dep.base, "ledger", "audit", "--region", "vn-hcm")
    assert audit.returncode == 0, audit.stderr


def test_replace_restores_the_backed_up_state(pg_deployment: Deployment) -> None:
    dep = pg_deployment
    path = _backup(dep)
    with dep.vault() as vault:
        extra = vault.put("bk-late", "user", {"email": "late@example.vn"},
                          {"declared_residence": "VN"}).record_id  # fmt: skip
    result = restore_backup(dep.settings, path, replace=True)
    assert result.ledger is not None and result.ledger.ok
    with dep.vault() as vault:
        assert vault.runtime.region("vn-hcm").db.records.get(extra) is None
        assert vault.runtime.region("vn-hcm").db.records.count() == len(dep.records)


def test_a_tampered_postgres_backup_fails_and_restores_nothing(pg_deployment: Deployment) -> None:
    dep = pg_deployment
    path = _backup(dep)
    data = bytearray(path.read_bytes())
    data[-30] ^= 0x40
    bad = path.with_name("bad.onbak")
    bad.write_bytes(bytes(data))
    done = run(dep.base, "backup", "verify", str(bad))
    assert done.returncode == 1 and "backup.invalid" in done.stderr
    with pytest.raises(BackupInvalid):
        restore_backup(dep.settings, bad, replace=True)
    with dep.vault() as vault:  # the failed restore rolled back: everything is still there
        assert vault.runtime.region("vn-hcm").db.records.count() == len(dep.records)
