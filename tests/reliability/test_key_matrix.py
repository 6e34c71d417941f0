"""The key matrix: swap, lose, truncate or regenerate each key kind -> a clear refusal.

For every key kind a region holds (``kek``, ``index``, ``ledger-hmac``, ``ledger-signing``)
and every mistake, opening the vault (and ``onshore init``, which may create keys) must
refuse with ``keys.mismatch`` or ``keys.missing`` naming the region and the key kind, and
create no key. Once the right file is back, every record reads again (no data lost) and
every record opens under its own region's keys (nothing was sealed under another's).
A restored backup (``keys export``/``keys import``) reads old records.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from onshore.core.envelope import unseal
from onshore.core.errors import DecryptionFailed, KeyMissing, KeysMismatch, OnshoreError
from onshore.services.key_backups import export_keys, import_keys
from onshore.services.runtime import open_runtime
from tests.reliability.bind_rows import open_vault
from tests.reliability.cli_run import run_cli, write_config
from tests.support.soak import report

pytestmark = pytest.mark.soak

KINDS = ("kek", "index", "ledger-hmac", "ledger-signing")
VN = {"declared_residence": "VN"}
SG = {"declared_residence": "SG"}


def _seed(base: Path) -> dict[str, str]:
    """Records in both regions and a signed checkpoint in each; record id -> region."""
    placed: dict[str, str] = {}
    with open_vault(base) as vault:
        for i in range(6):
            for signals in (VN, SG):
                r = vault.put(f"u-{i}", "profile", {"phone": f"+8491234567{i}"}, signals)
                placed[r.record_id] = r.region
        for name in vault.runtime.regions:
            vault.ledger(name).checkpoint(vault.runtime.clock.now())
    return placed


def _key(base: Path, region: str, kind: str, version: int = 1) -> Path:
    return base / "data" / region / "keys" / f"{kind}.v{version}.key"


def _all_read(base: Path, placed: dict[str, str]) -> bool:
    with open_vault(base, create_keys=False) as vault:
        return all(vault.get(rid).region == region for rid, region in placed.items())


Mistake = Callable[[Path, str], list[Path]]


def _swap(base: Path, kind: str) -> list[Path]:
    a, b, tmp = _key(base, "vn-hcm", kind), _key(base, "sg-1", kind), base / "swap.tmp"
    os.replace(a, tmp)
    os.replace(b, a)
    os.replace(tmp, b)
    return [a, b]


def _lose(base: Path, kind: str) -> list[Path]:
    _key(base, "vn-hcm", kind).unlink()
    return []


def _truncate(base: Path, kind: str) -> list[Path]:
    path = _key(base, "vn-hcm", kind)
    path.write_bytes(path.read_bytes()[:16])
    return [path]


def _regenerate(base: Path, kind: str) -> list[Path]:
    path = _key(base, "vn-hcm", kind)
    path.write_bytes(secrets.token_bytes(32))
    return [path]


def _foreign_version(base: Path, kind: str) -> list[Path]:
    """sg-1's key copied in as a new vn-hcm version (a 'rotation' to another's key)."""
    shutil.copy(_key(base, "sg-1", kind), _key(base, "vn-hcm", kind, 2))
    return []


MISTAKES: dict[str, Mistake] = {
    "swap": _swap,
    "lose": _lose,
    "truncate": _truncate,
    "regenerate": _regenerate,
    "foreign version": _foreign_version,
}


def _refused(base: Path, kind: str, create: bool) -> bool:
    try:
        open_vault(base, create_keys=create).close()
    except (KeysMismatch, KeyMissing) as exc:
        return exc.details.get("region") in ("vn-hcm", "sg-1") and exc.details.get("key") == kind
    except OnshoreError:
        return False
    return False


def test_key_matrix(tmp_path: Path) -> None:
    placed = _seed(tmp_path)
    keys_root = tmp_path / "data"
    backup = tmp_path / "backup"
    shutil.copytree(keys_root, backup, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.db*"))
    cases = refused = lost = wrong = 0
    failures: list[str] = []
    for kind in KINDS:
        for name, mistake in MISTAKES.items():
            mistake(tmp_path, kind)
            files_before = sorted(p.name for p in keys_root.rglob("*.key"))
            for create in (False, True):  # a plain open, then `onshore init`
                cases += 1
                if _refused(tmp_path, kind, create):
                    refused += 1
                else:
                    failures.append(f"{kind}/{name}/create={create}")
            if sorted(p.name for p in keys_root.rglob("*.key")) != files_before:
                failures.append(f"{kind}/{name}: a key file was created")
            for region in ("vn-hcm", "sg-1"):  # put the right keys back
                target = keys_root / region / "keys"
                for stale in target.glob("*.key"):
                    stale.unlink()
                shutil.copytree(backup / region / "keys", target, dirs_exist_ok=True)
            if not _all_read(tmp_path, placed):
                lost += 1
    with open_vault(tmp_path, create_keys=False) as vault:  # each region's own keys only
        for rid, region in placed.items():
            other = next(r for n, r in vault.runtime.regions.items() if n != region)
            sealed = vault.runtime.regions[region].db.records.get(rid)
            assert sealed is not None
            try:
                unseal(sealed, other.keys.get(sealed.key_id))
                wrong += 1
            except (DecryptionFailed, KeyMissing):
                pass
    report(
        "keys.matrix",
        cases=cases,
        refused=refused,
        rate=f"{100 * refused / cases:.1f}%",
        records=len(placed),
        lost=lost,
        sealed_wrongly=wrong,
    )
    assert not failures, failures
    assert lost == 0 and wrong == 0


def test_a_restored_key_reads_old_records(tmp_path: Path) -> None:
    placed = _seed(tmp_path)
    with open_vault(tmp_path, create_keys=False) as vault:
        blob = export_keys("vn-hcm", vault.runtime.regions["vn-hcm"].keys, "pass phrase", n=2**12)
    assert b"pass phrase" not in blob
    kek = _key(tmp_path, "vn-hcm", "kek")
    material = kek.read_bytes()
    assert material not in blob
    shutil.rmtree(kek.parent)  # every vn-hcm key lost
    with pytest.raises(KeyMissing):
        open_vault(tmp_path, create_keys=True)
    from onshore.adapters.keystore import FileKeyStore

    store = FileKeyStore(kek.parent)
    with pytest.raises(DecryptionFailed):
        import_keys("vn-hcm", store, blob, "wrong phrase")
    with pytest.raises(KeysMismatch):  # a backup of one region never restores another
        import_keys("sg-1", store, blob, "pass phrase")
    outcome = import_keys("vn-hcm", store, blob, "pass phrase")
    assert sorted(outcome.restored) == ["index:1", "kek:1", "ledger-hmac:1", "ledger-signing:1"]
    assert kek.read_bytes() == material
    assert _all_read(tmp_path, placed)
    again = import_keys("vn-hcm", store, blob, "pass phrase")  # idempotent
    assert again.restored == [] and len(again.present) == 4


def test_keys_export_and_import_from_the_cli(tmp_path: Path) -> None:
    placed = _seed(tmp_path)
    config = write_config(
        tmp_path,
        {"vn-hcm": f"sqlite:///{tmp_path}/vn-hcm.db", "sg-1": f"sqlite:///{tmp_path}/sg-1.db"},
    )
    env = {"BACKUP_PASS": "correct horse battery staple"}
    out = tmp_path / "vn.keys"
    args = ["--config", str(config), "--passphrase-env", "BACKUP_PASS"]
    code, _o, err = run_cli(["keys", "export", "vn-hcm", "--out", str(out), *args], env=env)
    assert code == 0, err
    assert out.stat().st_mode & 0o777 == 0o600
    shutil.rmtree(_key(tmp_path, "vn-hcm", "kek").parent)
    code, _o, err = run_cli(["init", "--dir", str(tmp_path)], env=env)
    assert code == 1 and "keys.missing" in err and "keys import" in err
    assert not _key(tmp_path, "vn-hcm", "kek").exists()
    code, _o, err = run_cli(["keys", "import", "vn-hcm", "--file", str(out), *args], env=env)
    assert code == 0, err
    assert _all_read(tmp_path, placed)


def test_settings_built_runtime_refuses_the_same_way(tmp_path: Path) -> None:
    """``open_runtime`` (every CLI command) refuses as ``Vault.open`` does."""
    _seed(tmp_path)
    with open_vault(tmp_path, create_keys=False) as vault:
        settings = vault.runtime.settings
    _regenerate(tmp_path, "kek")
    with pytest.raises(KeysMismatch) as info:
        open_runtime(settings)
    assert info.value.details == {"region": "vn-hcm", "key": "kek", "key_id": "kek:1"}
