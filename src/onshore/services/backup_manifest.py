"""What a backup claims (its manifest) and the check that its contents bear the claim out.

The manifest names the region, backend, schema version, creation time, record count, the
ledger's size and RFC 6962 root, and the latest signed checkpoint (C2SP note). ``Contents``
is what was actually found in a snapshot (computed from the database at backup time, and
again from the decrypted backup at verify and restore time); ``check_contents`` raises
``BackupInvalid`` on the first difference, and checks the checkpoint's signature with the
region's ledger key and its root against the ledger's leaves.

Example:
    >>> from onshore.core.ledger.merkle import EMPTY_ROOT
    >>> c = ledger_contents(iter([]), None)
    >>> (c.ledger_size, c.ledger_root == EMPTY_ROOT)
    (0, True)
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from onshore.core.errors import BackupInvalid, KeyMissing, OnshoreError
from onshore.core.ledger.checkpoint import parse_checkpoint
from onshore.core.ledger.note import verifier_key, verify_note
from onshore.core.ledger.rolling import RollingRoot
from onshore.ports import KeyStore

#: A checkpoint row: (size, root, signed note, signing key id).
CheckpointRow = tuple[int, bytes, bytes, str]


@dataclass(frozen=True)
class Contents:
    """What a region snapshot holds, as far as the manifest is concerned."""

    schema_version: int
    records: int
    ledger_size: int
    ledger_root: bytes
    checkpoint: CheckpointRow | None
    root_at_checkpoint: bytes | None
    categories: frozenset[str] = field(default=frozenset(), compare=False)


def ledger_contents(leaf_hashes: Iterable[bytes], checkpoint: CheckpointRow | None) -> Contents:
    """Size and root of leaves streamed in index order, and the root at the checkpoint's size."""
    rolling = RollingRoot()
    at_checkpoint = None
    want = checkpoint[0] if checkpoint is not None else None
    if want == 0:
        at_checkpoint = rolling.root()
    for h in leaf_hashes:
        rolling.push(bytes(h))
        if rolling.size == want:
            at_checkpoint = rolling.root()
    return Contents(0, 0, rolling.size, rolling.root(), checkpoint, at_checkpoint)


def with_counts(contents: Contents, schema_version: int, records: int, categories: Any) -> Contents:
    """``contents`` with the schema version, record count and stored categories filled in."""
    return replace(
        contents,
        schema_version=schema_version,
        records=records,
        categories=frozenset(categories),
    )


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
