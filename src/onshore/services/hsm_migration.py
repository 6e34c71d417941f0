"""Moving a region's keys from files to an HSM without losing a record.

Records name the kek version that wraps their data key, and blind indexes, ledger refs
and checkpoints were made with the region's existing keys: a region switched to
``keys = "pkcs11:..."`` must bring those exact versions along. ``move_keys_to_hsm``:

1. reads every version of every region key from the plain files in ``keys_dir``;
2. imports each kek version into the token as a sensitive, non-extractable AES object, and
   seals the other keys into a staging directory ``keys_dir.hsm``;
3. checks every version back: a data key wrapped by the token opens with the file's kek,
   and each sealed key opens to the file's bytes;
4. only then renames ``keys_dir`` to ``keys_dir.plain-STAMP`` (shred it once the region runs
   on the HSM) and the staging directory to ``keys_dir``.

Re-running after an interruption is safe: kek versions already in the token are checked
to be the same key and kept. Set ``regions.NAME.keys`` to the ``pkcs11:`` URI first.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from onshore.core.envelope import unwrap_key, wrap_key
from onshore.core.errors import ConfigError, DecryptionFailed, KeyStoreUnavailable
from onshore.ports import HsmKeyStore, KeyVersion
from onshore.services.runtime.key_stores import (
    REGION_KEYS,
    file_key_store,
    hsm_key_store,
    hsm_keys,
    sealed_by_hsm,
)
from onshore.settings import Settings


@dataclass(frozen=True, slots=True)
class MoveReport:
    """What ``move_keys_to_hsm`` moved and where the plain files were set aside."""

    region: str
    versions: tuple[str, ...]
    plain_backup: Path


def _same_kek(hsm: HsmKeyStore, plain: KeyVersion, region: str) -> bool:
    data_key = secrets.token_bytes(32)
    wrapped = wrap_key(data_key, region, hsm.get(plain.key_id))
    try:
        return unwrap_key(wrapped, region, plain) == data_key
    except DecryptionFailed:
        return False


def move_keys_to_hsm(settings: Settings, region: str, *, stamp: str) -> MoveReport:
    """Move ``region``'s key files into its configured HSM (see the module docstring)."""
    where = f"regions.{region}.keys"
    if region not in settings.regions:
        raise ConfigError(f"unknown region {region!r}", details={"region": region})
    uri = settings.regions[region].keys
    if not uri.startswith("pkcs11:"):
        raise ConfigError(f"{where}: set it to the HSM's pkcs11: URI before moving keys")
    keys_dir = settings.keys_dir(region)
    plain = file_key_store(keys_dir)
    versions = [v for name in REGION_KEYS for v in plain.versions(name)]
    if any(sealed_by_hsm(v.material) for v in versions):
        raise ConfigError(f"{where}: the keys in {keys_dir} are already sealed by an HSM")
    if not any(v.name == "kek" for v in versions):
        raise ConfigError(f"{where}: no key files to move in {keys_dir}")
    staging = keys_dir.with_name(keys_dir.name + ".hsm")
    shutil.rmtree(staging, ignore_errors=True)  # sealed copies of an interrupted run
    hsm = hsm_key_store(uri, region, staging)
    in_token = hsm_keys()
    try:
        for v in versions:
            if v.name in in_token and v.version in [k.version for k in hsm.versions(v.name)]:
                if not _same_kek(hsm, v, region):
                    raise KeyStoreUnavailable(
                        f"the token already holds a different {v.key_id}; choose another "
                        "object= prefix or remove it",
                        details={"key": v.key_id},
                    )
                continue
            hsm.import_key(v.name, v.version, v.material)
        check = hsm_key_store(uri, region, staging)
        for v in versions:
            if v.name in in_token:
                ok = _same_kek(check, v, region)
            else:
                ok = check.get(v.key_id).material == v.material
            if not ok:
                raise KeyStoreUnavailable(f"{v.key_id} did not survive the move; nothing changed")
        check.close()
    finally:
        hsm.close()
    backup = keys_dir.with_name(f"{keys_dir.name}.plain-{stamp}")
    keys_dir.rename(backup)
    staging.rename(keys_dir)
    return MoveReport(region, tuple(v.key_id for v in versions), backup)
