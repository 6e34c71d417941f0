"""Ledger proofs served to verifiers: the latest signed checkpoint and consistency proofs.

``latest_checkpoint`` signs a checkpoint when the log grew since the last one and returns it
with the verifier key that checks it; ``consistency_proof`` proves (RFC 6962) that the tree at
``old_size`` is a prefix of the tree at ``new_size``, computed from the stored tiles.
Inclusion proofs are ``Ledger.prove`` and ``Ledger.prove_index``.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.adapters import open_database
    >>> from onshore.adapters.keystore import MemoryKeyStore, ensure_region_keys
    >>> keys = MemoryKeyStore(); ensure_region_keys(keys)
    >>> ledger = Ledger("vn-hcm", open_database("memory://"), keys)
    >>> consistency_proof(ledger, 0, None).new_size
    0
    >>> latest_checkpoint(ledger, datetime(2026, 1, 1, tzinfo=timezone.utc)).size
    0
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onshore.core.errors import InputError
from onshore.core.ledger import tiles as T
from onshore.services.ledger import Ledger


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A signed checkpoint (C2SP note) of a region's log and the key that verifies it."""

    origin: str
    size: int
    root: bytes
    at: datetime
    note: bytes
    verifier_key: str


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """Both tree sizes, both roots, and the proof that the older tree is a prefix."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    proof: tuple[bytes, ...]


def latest_checkpoint(ledger: Ledger, at: datetime) -> SignedCheckpoint:
    """The latest signed checkpoint, covering every leaf appended so far (a new one is
    signed at ``at`` only when the log grew since the last)."""
    note = ledger.checkpoint(at)
    latest = ledger.store.latest_checkpoint()
    assert latest is not None
    size, root, _note, key_id, signed_at = latest
    return SignedCheckpoint(ledger.origin, size, root, signed_at, note, ledger.verifier_key(key_id))


def consistency_proof(ledger: Ledger, old_size: int, new_size: int | None) -> ConsistencyProof:
    """An RFC 6962 consistency proof from ``old_size`` to ``new_size`` (default: the whole
    log); ``InputError`` unless ``0 <= old_size <= new_size <= the log's size``."""
    integrated = ledger.integrate()
    new = integrated if new_size is None else new_size
    if not 0 <= old_size <= new <= integrated:
        raise InputError(
            "sizes must satisfy 0 <= old_size <= new_size <= the log's size",
            details={"size": integrated},
        )
    _size, old_root = ledger.root(old_size)
    _size, new_root = ledger.root(new)
    proof: list[bytes] = []
    if 0 < old_size < new:
        proof = T.consistency_from_tiles(
            old_size, new, ledger.store.tiles(T.consistency_tile_keys(old_size, new))
        )
    return ConsistencyProof(old_size, new, old_root, new_root, tuple(proof))
