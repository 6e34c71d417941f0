"""Back up a SQLite region, delete it, restore it, read it back; refusals and tampering."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from onshore.core.errors import (
    BackupDestinationUnknown,
    BackupInvalid,
    BackupTargetNotEmpty,
    InputError,
    PolicyDenied,
)
from onshore.services.backup import create_backup, restore_backup, verify_backup
from onshore.services.backup_file import MAGIC
from onshore.services.ledger import Ledger
from onshore.services.runtime import open_runtime
from tests.backup.conftest import Deployment
from tests.migrations.conftest import run


def _backup(dep: Deployment, to: str = "vn-archive") -> Path:
    runtime = open_runtime(dep.settings)
    try:
        return create_backup(runtime, "vn-hcm", to).path
    finally:
        runtime.close()


def _delete_region(dep: Deployment) -> None:
    db = dep.base / "data" / "vn-hcm.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _read_back(dep: Deployment) -> None:
    with dep.vault() as vault:
        for record_id, (subject, email, phone) in dep.records.items():
            record = vault.get(record_id)
            assert (record.subject_id, record.region) == (subject, "vn-hcm")
            assert record.data["email"] == email and record.data["phone_number"] == phone
        [hit] = vault.find({"email": next(iter(dep.records.values()))[1]})
        assert hit.record_id == next(iter(dep.records))
        report = vault.ledger("vn-hcm").verify()
        assert report.ok, report.problems


def test_backup_delete_restore_read_back(sqlite_deployment: Deployment) -> None:
    dep = sqlite_deployment
    path = _backup(dep)
    assert path.parent == dep.base / "archive" / "vn" and path.suffix == ".onbak"
    raw = path.read_bytes()
    assert raw.startswith(MAGIC)
    assert b"example.vn" not in raw and b"SQLite format" not in raw
    manifest = verify_backup(dep.settings, path)
    assert manifest["region"] == "vn-hcm" and manifest["records"] == len(dep.records)
    assert manifest["checkpoint"]["size"] == manifest["ledger"]["size"] == len(dep.records)

    _delete_region(dep)
    result = restore_backup(dep.settings, path, region="vn-hcm")
    assert result.ledger is not None and result.ledger.ok
    _read_back(dep)
    runtime = open_runtime(dep.settings)
    try:
        region = runtime.region("vn-hcm")
        _, root = Ledger("vn-hcm", region.db, region.keys).root(manifest["ledger"]["size"])
        assert base64.b64encode(root).decode() == manifest["ledger"]["root"]
    finally:
        runtime.close()


def test_the_cli_backs_up_verifies_and_restores(sqlite_deployment: Deployment) -> None:
    dep = sqlite_deployment
    made = run(dep.base, "backup", "create", "--region", "vn-hcm", "--to", "archive/vn", "--json")
    assert made.returncode == 0, made.stderr
    out = json.loads(made.stdout)
    assert out["destination"] == "vn-archive" and out["policy"]["outcome"] == "same_country"
    path = Path(out["path"])
    checked = run(dep.base, "backup", "verify", str(path))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("ok: region vn-hcm")

    refused = run(dep.base, "backup", "restore", str(path))
    assert refused.returncode == 1 and "backup.target_not_empty" in refused.stderr
    _delete_region(dep)
    restored = run(dep.base, "backup", "restore", str(path), "--region", "vn-hcm")
    assert restored.returncode == 0, restored.stderr
    assert "ledger of vn-hcm verifies" in restored.stdout
    audit = run(dep.base, "ledger", "audit", "--region", "vn-hcm")
    assert audit.returncode == 0, audit.stderr
    _read_back(dep)


def test_a_vn_region_may_not_be_backed_up_to_singapore(sqlite_deployment: Deployment) -> None:
    dep = sqlite_deployment
    with pytest.raises(PolicyDenied, match=r"VN-D53-26\.2") as err:
        _backup(dep, "sg-archive")
    assert err.value.details["destination_country"] == "SG"
    assert list((dep.base / "archive" / "sg").iterdir()) == []
    done = run(dep.base, "backup", "create", "--region", "vn-hcm", "--to", "archive/sg")
    assert done.returncode == 3 and "policy.denied" in done.stderr
    assert list((dep.base / "archive" / "sg").iterdir()) == []
    # Singapore's region may go to its own archive, and the packs let it go to Viet Nam.
    runtime = open_runtime(dep.settings)
    try:
        assert create_backup(runtime, "sg-1", "sg-archive").path.exists()
        assert create_backup(runtime, "sg-1", "vn-archive").policy["outcome"] != "deny"
    finally:
        runtime.close()


def test_undeclared_destinations_and_wrong_regions_are_refused(
    sqlite_deployment: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> None:
    dep = sqlite_deployment
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    with pytest.raises(BackupDestinationUnknown):
        _backup(dep, str(elsewhere))
    with pytest.raises(BackupDestinationUnknown):
        _backup(dep, "nowhere-archive")
    path = _backup(dep, str(dep.base / "archive" / "vn" / "named.onbak"))
    assert path.name == "named.onbak"
    with pytest.raises(InputError, match="never overwritten"):
        _backup(dep, str(path))
    with pytest.raises(InputError, match="cannot be restored into sg-1"):
        restore_backup(dep.settings, path, region="sg-1")
    with pytest.raises(BackupTargetNotEmpty):
        restore_backup(dep.settings, path)
    assert restore_backup(dep.settings, path, replace=True).ledger.ok  # type: ignore[union-attr]


def _flip(path: Path, offset: int) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    out = path.with_name(f"tampered-{offset}.onbak")
    out.write_bytes(bytes(data))
    return out


def test_a_tampered_backup_fails_verify(sqlite_deployment: Deployment) -> None:
    dep = sqlite_deployment
    path = _backup(dep)
    raw = path.read_bytes()
    header_end = len(MAGIC) + 4 + int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 4], "big")
    body = _flip(path, header_end + 100)
    with pytest.raises(BackupInvalid, match="failed authentication"):
        verify_backup(dep.settings, body)
    done = run(dep.base, "backup", "verify", str(body))
    assert done.returncode == 1 and "backup.invalid" in done.stderr

    claimed = raw.replace(
        f'"records":{len(dep.records)}'.encode(), f'"records":{len(dep.records) - 1}'.encode()
    )
    assert claimed != raw
    (dep.base / "archive" / "vn" / "claimed.onbak").write_bytes(claimed)
    with pytest.raises(BackupInvalid):
        verify_backup(dep.settings, dep.base / "archive" / "vn" / "claimed.onbak")

    cut = dep.base / "archive" / "vn" / "cut.onbak"
    cut.write_bytes(raw[:-40])
    with pytest.raises(BackupInvalid, match="truncated"):
        verify_backup(dep.settings, cut)
    longer = dep.base / "archive" / "vn" / "longer.onbak"
    longer.write_bytes(raw + b"\0")
    with pytest.raises(BackupInvalid, match="after its last chunk"):
        verify_backup(dep.settings, longer)
    with pytest.raises(BackupInvalid):
        restore_backup(dep.settings, body, replace=True)
    _read_back(dep)  # a refused restore changed nothing
    assert os.path.getsize(path) == len(raw)


def test_backups_taken_while_writes_go_on_are_consistent(sqlite_deployment: Deployment) -> None:
    import threading

    dep = sqlite_deployment
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with dep.vault() as vault:
            n = 0
            while not stop.is_set():
                n += 1
                vault.put(f"w-{n}", "user", {"email": f"w{n}@example.vn"},
                          {"declared_residence": "VN"})  # fmt: skip
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        paths = [_backup(dep, str(dep.base / "archive" / "vn" / f"b{i}.onbak")) for i in range(3)]
    finally:
        stop.set()
        thread.join(timeout=60)
    assert written and written[0] > 0
    counts = []
    for path in paths:
        manifest = verify_backup(dep.settings, path)
        assert manifest["ledger"]["size"] >= manifest["checkpoint"]["size"]
        counts.append(manifest["records"])
    assert counts == sorted(counts) and counts[0] >= len(dep.records)
    _delete_region(dep)
    result = restore_backup(dep.settings, paths[-1])
    assert result.ledger is not None and result.ledger.ok
    assert result.manifest["records"] == counts[-1]
