"""What a backup claims (its manifest) and the check that its contents bear the claim out.

The manifest names the region, backend, schema version, creation time, record count, the
ledger's size and RFC 6962 root, and the latest signed checkpoint (C2SP note). ``Contents``
is what was actually found in a snapshot (computed from the database at backup time, and
again from the decrypted backup at verify and restore time); ``check_contents`` raises
``BackupInvalid`` on the first difference, and checks the checkpoint's signature with the
region's ledger key and its root against the ledger's leaves.

Example:
    >>> from onshore.core.backup_contents import Contents
    >>> found = Contents(3, 0, 0, bytes(32), None, None)
    >>> manifest_of(found, region="vn-hcm", country="VN", backend="sqlite",
    ...             created_at="2026-01-01T00:00:00+00:00")["schema_version"]
    3
"""

from __future__ import annotations

import base64
from typing import Any

from onshore.core.backup_contents import Contents
from onshore.core.errors import BackupInvalid, KeyMissing, OnshoreError
from onshore.core.ledger.checkpoint import parse_checkpoint
from onshore.core.ledger.note import verifier_key, verify_note
from onshore.ports import KeyStore


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def manifest_of(
    contents: Contents, *, region: str, country: str, backend: str, created_at: str
) -> dict[str, Any]:
    """The manifest of a backup holding ``contents``."""
    cp = contents.checkpoint
    return {
        "region": region,
        "country": country,
        "backend": backend,
        "schema_version": contents.schema_version,
        "created_at": created_at,
        "records": contents.records,
        "ledger": {"size": contents.ledger_size, "root": _b64(contents.ledger_root)},
        "checkpoint": None
        if cp is None
        else {"size": cp[0], "root": _b64(cp[1]), "note": cp[2].decode(), "key_id": cp[3]},
    }


def _claimed(manifest: dict[str, Any]) -> Contents:
    try:
        cp = manifest["checkpoint"]
        row = (
            None
            if cp is None
            else (
                int(cp["size"]),
                base64.b64decode(cp["root"]),
                str(cp["note"]).encode(),
                str(cp["key_id"]),
            )
        )
        return Contents(
            int(manifest["schema_version"]),
            int(manifest["records"]),
            int(manifest["ledger"]["size"]),
            base64.b64decode(manifest["ledger"]["root"]),
            row,
            None if row is None else row[1],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupInvalid(f"backup manifest is malformed ({type(exc).__name__})") from None


def check_contents(manifest: dict[str, Any], found: Contents, keys: KeyStore) -> None:
    """Raise ``BackupInvalid`` unless ``found`` is what ``manifest`` claims, the checkpoint is
    signed by the region's ledger key, and its root is the root of that many stored leaves."""
    claimed = _claimed(manifest)
    for name in ("schema_version", "records", "ledger_size", "ledger_root", "checkpoint"):
        if getattr(claimed, name) != getattr(found, name):
            raise BackupInvalid(
                f"backup contents do not match its manifest ({name})", details={"field": name}
            )
    if claimed.checkpoint is None:
        return
    size, root, note, key_id = claimed.checkpoint
    origin = f"onshore/{manifest['region']}"
    try:
        checkpoint = parse_checkpoint(
            verify_note(note, verifier_key(origin, keys.get(key_id).material))
        )
    except KeyMissing:
        raise
    except OnshoreError as exc:
        raise BackupInvalid(f"backup checkpoint does not verify: {exc.message}") from None
    if (checkpoint.origin, checkpoint.size, checkpoint.root) != (origin, size, root):
        raise BackupInvalid("backup checkpoint's signed body does not match its row")
    if found.root_at_checkpoint != root:
        raise BackupInvalid("backup ledger does not extend its signed checkpoint")
