"""Region backups: create (snapshot, encrypt, manifest), verify, restore.

- ``create_backup(runtime, region, to)`` signs a fresh checkpoint (so the manifest's covers the
  snapshot; it only states the ledger's size, and stays even when the destination is refused),
  takes a consistent snapshot (SQLite's online backup API; one REPEATABLE READ transaction on
  PostgreSQL), checks the destination against the policy packs before writing a byte there,
  and writes the snapshot encrypted under a fresh data key wrapped by the region's ``kek``
  (``onshore.services.backup_file``) with its manifest (``backup_manifest``). The file appears
  under its final name only once complete.
- ``verify_backup(settings, path)`` decrypts and authenticates every chunk and checks the
  contents against the manifest (record count, ledger size and root, the signed checkpoint).
- ``restore_backup(settings, path)`` does the same checks, refuses to overwrite a region that
  holds data unless ``replace``, puts the snapshot in place and verifies the region's ledger.

Backups and restores need the region's keys; they never leave the region's key store.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onshore.core.backup_contents import Contents
from onshore.core.envelope import unwrap_key, wrap_key
from onshore.core.errors import (
    BackupInvalid,
    DecryptionFailed,
    InputError,
    SchemaTooNew,
)
from onshore.ports import KeyStore
from onshore.services.backup_file import Header, new_header, read_chunks, read_header, write_backup
from onshore.services.backup_manifest import check_contents, manifest_of
from onshore.services.backup_place import check_destination, resolve_destination
from onshore.services.context import Runtime
from onshore.services.ledger import Ledger
from onshore.services.ledger_findings import AuditReport
from onshore.services.runtime import open_region_database, region_keys
from onshore.services.runtime.backups import snapshots
from onshore.services.runtime.schema import latest
from onshore.settings import Settings


@dataclass(frozen=True)
class BackupResult:
    """A backup written: where, its manifest, and what the packs said about the destination."""

    path: Path
    destination: str
    manifest: dict[str, Any]
    policy: dict[str, Any]


@dataclass(frozen=True)
class RestoreResult:
    """A region restored from a backup, and its ledger audited afterwards (``ledger audit``:
    every leaf rehashed, every checkpoint checked, the records reconciled with the ledger)."""

    region: str
    manifest: dict[str, Any]
    ledger: AuditReport | None


def _backend(url: str) -> str:
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        raise InputError("a memory:// store holds nothing to back up or restore")
    return "postgresql" if scheme in ("postgresql", "postgres") else scheme


def _write(
    out_path: Path, manifest: dict[str, Any], keys: KeyStore, region: str, chunks: Iterable[bytes]
) -> None:
    """Encrypt ``chunks`` into ``out_path``: a partial file first, linked in when complete."""
    if out_path.exists():
        raise InputError(f"{str(out_path)!r} exists; backups are never overwritten")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    kek = keys.current("kek")
    data_key = secrets.token_bytes(32)
    header = new_header(
        manifest, {"kek": kek.key_id, "wrapped_key": wrap_key(data_key, region, kek).hex()}
    )
    partial = out_path.with_name(f".{out_path.name}.partial")
    try:
        with open(partial, "xb") as out:
            write_backup(out, header, data_key, chunks)
            out.flush()
            os.fsync(out.fileno())
        os.link(partial, out_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


def create_backup(runtime: Runtime, region_name: str, to: str) -> BackupResult:
    """Back up ``region_name`` to the destination ``to`` names or lies inside."""
    region = runtime.region(region_name)
    settings = runtime.settings
    url = settings.regions[region.name].store
    backend = _backend(url)
    now = runtime.clock.now()
    dest, out_path = resolve_destination(settings, to, region.name, now)
    Ledger(region.name, region.db, region.keys).checkpoint(now)

    def finish(found: Contents, chunks: Iterable[bytes]) -> BackupResult:
        policy = check_destination(runtime, region, dest, found.categories, now)
        manifest = manifest_of(
            found,
            region=region.name,
            country=region.country,
            backend=backend,
            created_at=now.isoformat(),
        )
        _write(out_path, manifest, region.keys, region.name, chunks)
        return BackupResult(out_path, dest.name, manifest, policy)

    with snapshots(settings, region.name, backend).take() as (found, chunks):
        return finish(found, chunks)


@contextlib.contextmanager
def _opened(settings: Settings, path: Path) -> Iterator[tuple[Header, KeyStore, Iterator[bytes]]]:
    """The backup's header, its region's keys and its decrypted chunks (authenticated)."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the with below, after the error mapping
    except OSError as exc:
        raise InputError(f"cannot read backup {str(path)!r}: {exc.strerror}") from None
    with f:
        header = read_header(f)
        region = header.manifest.get("region")
        if not isinstance(region, str):
            raise BackupInvalid("backup manifest names no region")
        keys = region_keys(settings, region)
        enc = header.encryption
        try:
            data_key = unwrap_key(bytes.fromhex(enc["wrapped_key"]), region, keys.get(enc["kek"]))
        except (KeyError, TypeError, ValueError, DecryptionFailed) as exc:
            raise BackupInvalid(
                f"backup data key does not open with {region}'s keys ({type(exc).__name__})"
            ) from None
        yield header, keys, read_chunks(f, header, data_key)


def verify_backup(settings: Settings, path: Path) -> dict[str, Any]:
    """Authenticate every chunk and check the contents against the manifest; its manifest."""
    with _opened(settings, path) as (header, keys, chunks):
        manifest = header.manifest
        backend = manifest.get("backend")
        if backend not in ("sqlite", "postgresql"):
            raise BackupInvalid("backup manifest names an unknown backend")
        found = snapshots(settings, manifest["region"], backend).read(chunks)
        check_contents(manifest, found, keys)
    return manifest


def restore_backup(
    settings: Settings, path: Path, *, region: str | None = None, replace: bool = False
) -> RestoreResult:
    """Restore a region from the backup at ``path`` (see the module docstring)."""
    with _opened(settings, path) as (header, keys, chunks):
        manifest = header.manifest
        name = manifest["region"]
        if region is not None and region != name:
            raise InputError(
                f"this is a backup of {name}; it cannot be restored into {region} "
                "(records are bound to their region)",
                details={"backup_region": name, "region": region},
            )
        url = settings.regions[name].store
        backend = _backend(url)
        if manifest.get("backend") != backend:
            raise InputError(
                f"a backup of a {manifest.get('backend')} store cannot be restored into a "
                f"{backend} store"
            )
        version = int(manifest.get("schema_version", 0))
        if version > latest("region"):
            raise SchemaTooNew(
                f"the backup has schema version {version}, newer than this onshore's "
                f"{latest('region')}: restore it with the onshore that made it"
            )
        snapshots(settings, name, backend).restore(
            chunks,
            lambda found: check_contents(manifest, found, keys),
            version=version,
            replace=replace,
        )
    report = None
    if version == latest("region"):
        db = open_region_database(settings, name)
        try:
            report = Ledger(name, db, keys).audit()  # the store reconciled with its ledger
        finally:
            db.close()
    return RestoreResult(name, manifest, report)
