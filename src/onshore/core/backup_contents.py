"""What a region snapshot holds, as far as a backup's manifest is concerned (pure).

The snapshot readers (``onshore.adapters.backup_sqlite``, ``backup_postgres``) fill a
``Contents`` from the database; ``onshore.services.backup_manifest`` compares it with what the
manifest claims. ``ledger_contents`` folds the ledger's leaf hashes into its size and RFC 6962
root, and the root at the signed checkpoint's size.

Example:
    >>> from onshore.core.ledger.merkle import EMPTY_ROOT
    >>> c = ledger_contents(iter([]), None)
    >>> (c.ledger_size, c.ledger_root == EMPTY_ROOT)
    (0, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from onshore.core.ledger.rolling import RollingRoot

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
