"""A region's ledger as its auditors read it: the store, the keys and the Merkle tree.

``LedgerTree(region, db, keys)`` holds what both the write path (``services.ledger``) and
the checks (``services.ledger_audit``, ``services.ledger_reconcile``) need: the region's
``LedgerStore``, its key store, the checkpoint origin, the integration of appended leaves
into the C2SP tiles, and the check of a stored checkpoint's signature. ``Ledger`` extends it
with appending, signing and proofs; the audit reads a ``LedgerTree`` and never imports
the ledger that calls it.

Example:
    >>> from onshore.adapters import open_database
    >>> from onshore.adapters.keystore import MemoryKeyStore
    >>> keys = MemoryKeyStore(); _ = keys.create(SIGNING_KEY)
    >>> tree = LedgerTree("vn-hcm", open_database("memory://"), keys)
    >>> tree.integrate(), tree.origin, tree.verifier_key().startswith("onshore/vn-hcm+")
    (0, 'onshore/vn-hcm', True)
"""

from __future__ import annotations

from onshore.core.errors import AuditError, CheckpointError
from onshore.core.ledger import tiles as T
from onshore.core.ledger.checkpoint import Checkpoint, parse_checkpoint
from onshore.core.ledger.merkle import leaf_hash
from onshore.core.ledger.note import verifier_key, verify_note
from onshore.ports import KeyStore, LedgerStore, RegionDatabase
from onshore.services.ledger_findings import AuditReport

#: The 32-byte HMAC key of the leaves' keyed hashes.
HMAC_KEY = "ledger-hmac"
#: The 32-byte Ed25519 seed that signs checkpoints.
SIGNING_KEY = "ledger-signing"
_BATCH = 1 << 16


class LedgerTree:
    """The store, keys and tree of one region's ledger (see the module docstring)."""

    def __init__(
        self, region: str, db: RegionDatabase, keys: KeyStore, *, origin: str | None = None
    ) -> None:
        self.region = region
        self.db = db
        self.keys = keys
        self.store: LedgerStore = db.ledger
        self.origin = origin or f"onshore/{region}"

    # -- tree --------------------------------------------------------------------------

    def integrate(self) -> int:
        """Extend the tiles over every leaf appended since the last integration.

        Leaf hashes are recomputed from the leaf bytes; the stored ``leaf_hash`` column is
        only compared. Returns the integrated size. Raises ``AuditError`` when a leaf is
        missing and ``LedgerAuditFailed`` when a stored hash does not match its leaf.
        """
        with self.db.transaction():
            self.store.lock_tree()  # one integrator at a time, whatever the process
            done = self.store.integrated_size()
            size = self.store.size()
            while done < size:
                stop = min(size, done + _BATCH)
                rows = self.store.leaves(done, stop)
                if len(rows) != stop - done or (rows and rows[-1][0] != stop - 1):
                    raise AuditError(
                        f"leaves between {done} and {stop} are missing "
                        "(run `onshore ledger audit`)",
                        details={"start": done, "stop": stop},
                    )
                hashes = [leaf_hash(entry) for _i, entry, _h in rows]
                bad = [i for (i, _e, stored), h in zip(rows, hashes, strict=True) if h != stored]
                if bad:
                    report = AuditReport(self.region, size=size)
                    for i in bad:
                        report.add(
                            "leaf.hash_mismatch",
                            f"leaf {i}: stored leaf hash does not match its entry",
                            index=i,
                        )
                    report.raise_if_bad("refusing to integrate leaves")
                edge = self.store.tiles(T.edge_tile_keys(done))
                self.store.save_tiles(T.integrate(done, hashes, edge), stop)
                done = stop
            return done

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        """``(size, root)`` of the integrated tree (or of its first ``size`` leaves)."""
        integrated = self.integrate()
        size = integrated if size is None else size
        if not 0 <= size <= integrated:
            raise AuditError(f"the log has no tree of size {size}")
        return size, T.tree_root(size, self.store.tiles(T.root_tile_keys(size)))

    # -- checkpoints -------------------------------------------------------------------

    def verifier_key(self, key_id: str | None = None) -> str:
        """The verifier key (``name+id+base64``) of the signing key (current, or ``key_id``)."""
        key = self.keys.get(key_id) if key_id else self.keys.current(SIGNING_KEY)
        return verifier_key(self.origin, key.material)

    def signed(self, note: bytes, key_id: str, size: int, root: bytes) -> Checkpoint:
        """Check a stored checkpoint's signature and that its body matches its row."""
        cp = parse_checkpoint(verify_note(note, self.verifier_key(key_id)))
        if cp.origin != self.origin:
            raise CheckpointError(f"checkpoint origin {cp.origin!r} is not {self.origin!r}")
        if cp.size != size or cp.root != root:
            raise CheckpointError("checkpoint row does not match its signed body")
        return cp
