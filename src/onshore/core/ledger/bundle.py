"""Proof bundles: one leaf, its inclusion proof and a signed checkpoint, checkable offline.

A bundle is a small JSON document (``format: onshore-ledger-proof/1``). Verifying it needs
only the bundle and the region's verifier key (published out of band): no database, no
configuration. :func:`verify_bundle` checks, in order, that the checkpoint is signed by the
key, that the leaf is a well-formed leaf, and that the inclusion proof leads from the leaf
hash to the signed root; it names the first check that fails.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.core.ledger.merkle import leaf_hash, inclusion_proof, root_hash
    >>> from onshore.core.ledger.checkpoint import Checkpoint
    >>> from onshore.core.ledger.note import sign_note, verifier_key
    >>> from onshore.core.ledger.leaf import LeafEncoder
    >>> from onshore.core.ledger.events import LedgerEvent, EventType
    >>> at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> entry = LeafEncoder(bytes(32), 1).encode(
    ...     LedgerEvent(EventType.RECORD_PLACED, at, "vn-hcm", record_id="r1")).entry
    >>> hs = [leaf_hash(entry), leaf_hash(b"other")]
    >>> cp = Checkpoint("onshore/vn-hcm", 2, root_hash(hs), at)
    >>> vkey = verifier_key("onshore/vn-hcm", bytes(32))
    >>> b = ProofBundle("vn-hcm", 0, entry, inclusion_proof(0, hs),
    ...                 sign_note(cp.body(), "onshore/vn-hcm", bytes(32)), vkey)
    >>> verify_bundle(ProofBundle.from_json(b.to_json()), vkey).tree_size
    2
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from onshore.core.errors import BundleError, LeafError
from onshore.core.ledger.checkpoint import Checkpoint, parse_checkpoint
from onshore.core.ledger.leaf import Leaf, decode_leaf
from onshore.core.ledger.merkle import leaf_hash, verify_inclusion
from onshore.core.ledger.note import parse_verifier_key, verify_note

FORMAT = "onshore-ledger-proof/1"
MAX_PROOF = 64


@dataclass(frozen=True, slots=True)
class ProofBundle:
    """A leaf at ``index`` with its inclusion proof in the tree of a signed checkpoint."""

    region: str
    index: int
    leaf: bytes
    inclusion_proof: list[bytes]
    checkpoint: bytes
    public_key: str

    def to_dict(self) -> dict[str, Any]:
        """The bundle as JSON-ready data (hashes in hex, the signed note as text)."""
        try:
            event: dict[str, Any] | None = decode_leaf(self.leaf).to_dict()
        except LeafError:  # a malformed leaf has no event view; verify_bundle names the fault
            event = None
        return {
            "format": FORMAT,
            "region": self.region,
            "index": self.index,
            "leaf": self.leaf.hex(),
            "leaf_hash": leaf_hash(self.leaf).hex(),
            "inclusion_proof": [h.hex() for h in self.inclusion_proof],
            "checkpoint": self.checkpoint.decode("utf-8", "replace"),
            "public_key": self.public_key,
            "event": event,
        }

    def to_json(self) -> bytes:
        """The bundle file's bytes."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True).encode() + b"\n"

    @classmethod
    def from_json(cls, raw: bytes | str) -> ProofBundle:
        """Read a bundle; any malformation is a ``BundleError`` naming the field."""
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError, TypeError):
            raise BundleError("proof bundle is not JSON") from None
        if not isinstance(data, dict):
            raise BundleError("proof bundle must be a JSON object")
        if data.get("format") != FORMAT:
            raise BundleError(f"proof bundle format must be {FORMAT!r}")

        def field(name: str, kind: type | tuple[type, ...]) -> Any:
            value = data.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise BundleError(f"proof bundle field {name!r} is missing or malformed")
            return value

        def hexbytes(name: str, value: Any) -> bytes:
            try:
                return bytes.fromhex(value)
            except (ValueError, TypeError):
                raise BundleError(f"proof bundle field {name!r} is not hex") from None

        proof = field("inclusion_proof", list)
        if len(proof) > MAX_PROOF:
            raise BundleError("proof bundle inclusion proof is too long")
        return cls(
            region=field("region", str),
            index=field("index", int),
            leaf=hexbytes("leaf", field("leaf", str)),
            inclusion_proof=[hexbytes("inclusion_proof", h) for h in proof],
            checkpoint=field("checkpoint", str).encode(),
            public_key=field("public_key", str),
        )


@dataclass(frozen=True, slots=True)
class BundleReport:
    """What a verified bundle establishes."""

    origin: str
    tree_size: int
    root: bytes
    index: int
    event: Leaf
    checkpoint: Checkpoint

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "ok": True,
            "origin": self.origin,
            "tree_size": self.tree_size,
            "root": base64.b64encode(self.root).decode(),
            "index": self.index,
            "event": self.event.to_dict(),
        }


def read_verifier_key(text: str) -> str:
    """A verifier key from the contents of a key file or the key itself (first line)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    parse_verifier_key(line)
    return line


def verify_bundle(bundle: ProofBundle, vkey: str) -> BundleReport:
    """Check ``bundle`` against the trusted verifier key ``vkey`` (not the bundle's own).

    Raises ``SignatureError``, ``CheckpointError``, ``LeafError`` or ``ProofError`` naming the
    first thing that does not hold.
    """
    text = verify_note(bundle.checkpoint, vkey)
    cp = parse_checkpoint(text)
    name = parse_verifier_key(vkey)[0]
    if cp.origin != name:
        raise BundleError(f"checkpoint origin {cp.origin!r} is not the key's log {name!r}")
    leaf = decode_leaf(bundle.leaf)
    if leaf.region != bundle.region:
        raise BundleError("leaf region does not match the bundle's region")
    try:
        verify_inclusion(
            leaf_hash(bundle.leaf), bundle.index, cp.size, bundle.inclusion_proof, cp.root
        )
    except (binascii.Error, TypeError) as exc:  # pragma: no cover - defensive
        raise BundleError(f"inclusion proof is malformed: {exc}") from None
    return BundleReport(cp.origin, cp.size, cp.root, bundle.index, leaf, cp)
