"""The ledger's pure core: RFC 6962 Merkle math, C2SP tiles, leaf encoding, checkpoints.

Events (:class:`LedgerEvent`, :class:`EventType`) become fixed-width leaves
(:mod:`.leaf`) holding keyed hashes and a payload commitment (:mod:`.payload`); the tree is
kept as C2SP tiles (:mod:`.tiles`); checkpoints are C2SP tlog-checkpoints (:mod:`.checkpoint`)
signed as C2SP signed notes (:mod:`.note`); :mod:`.bundle` verifies proofs offline.

The Merkle API (DESIGN §3, an interface) uses the RFC's names::

    leaf_hash(entry) -> bytes               node_hash(left, right) -> bytes
    root_hash(leaf_hashes) -> bytes         inclusion_proof(index, leaf_hashes) -> list[bytes]
    consistency_proof(old_size, leaf_hashes) -> list[bytes]
    verify_inclusion(leaf_hash, index, size, proof, root) -> None      (raises ProofError)
    verify_consistency(old_size, new_size, old_root, new_root, proof) -> None
    root_from_inclusion_proof(leaf_hash, index, size, proof) -> bytes

Example:
    >>> hs = [leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")]
    >>> verify_inclusion(hs[2], 2, 3, inclusion_proof(2, hs), root_hash(hs))
"""

from __future__ import annotations

from onshore.core.errors import ProofError
from onshore.core.ledger.bundle import BundleReport, ProofBundle, read_verifier_key, verify_bundle
from onshore.core.ledger.checkpoint import Checkpoint, parse_checkpoint
from onshore.core.ledger.events import EventType, LedgerEvent
from onshore.core.ledger.leaf import LEAF_SIZE, Leaf, LeafEncoder, decode_leaf
from onshore.core.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "LEAF_SIZE",
    "BundleReport",
    "Checkpoint",
    "EventType",
    "Leaf",
    "LeafEncoder",
    "LedgerEvent",
    "ProofBundle",
    "ProofError",
    "consistency_proof",
    "decode_leaf",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "parse_checkpoint",
    "read_verifier_key",
    "root_from_inclusion_proof",
    "root_hash",
    "verify_bundle",
    "verify_consistency",
    "verify_inclusion",
]
