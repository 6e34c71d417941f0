"""In-memory audit log store: the reference the conformance suite checks the others against."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from onshore.core.errors import StoreIntegrityError

Checkpoint = tuple[int, bytes, bytes, str, datetime]


class MemoryLedgerStore:
    """Leaves in lists, everything else in dicts; rolled back with the database's transaction.

    Rollback uses an undo journal: ``snapshot()`` is O(1) (a journal position) and the
    journal is cleared whenever an outermost transaction begins.

    Example:
        >>> from onshore.adapters.memory.database import MemoryDatabase
        >>> db = MemoryDatabase()
        >>> with db.transaction():
        ...     db.ledger.append([b"e"], [bytes(32)])
        0
        >>> db.ledger.size()
        1
    """

    def __init__(self, db: Any) -> None:
        self._db = db
        self._entries: list[bytes] = []
        self._hashes: list[bytes] = []
        self._payloads: dict[bytes, bytes] = {}
        self._refs: dict[bytes, list[int]] = {}
        self._tiles: dict[tuple[int, int], bytes] = {}
        self._integrated = 0
        self._checkpoints: list[Checkpoint] = []
        self._undo: list[Callable[[], object]] = []

    def snapshot(self) -> object:
        """State to restore on rollback."""
        if getattr(self._db, "_depth", 1) == 0:
            self._undo.clear()
        return (len(self._entries), len(self._undo))

    def restore(self, snap: object) -> None:
        """Undo everything done since ``snap``."""
        assert isinstance(snap, tuple)
        n: int = snap[0]
        mark: int = snap[1]
        while len(self._undo) > mark:
            self._undo.pop()()
        del self._entries[n:]
        del self._hashes[n:]

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> int:
        """Append entries and their leaf hashes; return the first new index."""
        if len(entries) != len(leaf_hashes):
            raise StoreIntegrityError("each ledger entry needs exactly one leaf hash")
        with self._db.transaction():
            first = len(self._entries)
            self._entries.extend(bytes(e) for e in entries)
            self._hashes.extend(bytes(h) for h in leaf_hashes)
            return first

    def size(self) -> int:
        """Number of leaves."""
        return len(self._entries)

    def leaves(self, start: int, stop: int) -> list[tuple[int, bytes, bytes]]:
        """Stored ``(index, entry, leaf_hash)`` rows in ``[start, stop)``."""
        start = max(start, 0)
        return [
            (start + i, e, h)
            for i, (e, h) in enumerate(
                zip(self._entries[start:stop], self._hashes[start:stop], strict=True)
            )
        ]

    def leaf_hashes(self, start: int, stop: int) -> list[bytes]:
        """Leaf hashes in ``[start, stop)``."""
        return self._hashes[max(start, 0) : stop]

    def put_payloads(self, items: Sequence[tuple[bytes, bytes]]) -> None:
        """Store payloads by commitment (existing ones kept)."""
        with self._db.transaction():
            for commitment, body in items:
                if commitment not in self._payloads:
                    self._payloads[commitment] = bytes(body)
                    self._undo.append(partial(self._payloads.pop, commitment))

    def payload(self, commitment: bytes) -> bytes | None:
        """A payload's canonical JSON, or None."""
        return self._payloads.get(commitment)

    def delete_payload(self, commitment: bytes) -> bool:
        """Delete a payload; False when absent."""
        with self._db.transaction():
            body = self._payloads.pop(commitment, None)
            if body is None:
                return False
            self._undo.append(lambda: self._payloads.__setitem__(commitment, body))
            return True

    def index_refs(self, items: Sequence[tuple[bytes, int]]) -> None:
        """Index record refs to leaf indexes."""
        with self._db.transaction():
            for ref, idx in items:
                bucket = self._refs.setdefault(ref, [])
                if idx not in bucket:
                    bucket.append(idx)
                    self._undo.append(partial(bucket.remove, idx))

    def find_ref(self, ref: bytes) -> list[int]:
        """Leaf indexes for a record ref."""
        return sorted(self._refs.get(ref, ()))

    def iter_refs(self, page_size: int = 10_000) -> Iterator[tuple[bytes, int]]:
        """Every ``(ref, index)`` pair, by ref then index (a sorted copy)."""
        yield from sorted((ref, i) for ref, bucket in self._refs.items() for i in bucket)

    def tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Stored tiles among ``keys``."""
        return {k: self._tiles[k] for k in keys if k in self._tiles}

    def integrated_size(self) -> int:
        """Leaves covered by the stored tiles."""
        return self._integrated

    def lock_tree(self) -> None:
        """Nothing to do: one process owns an in-memory store, and its lock serialises it."""

    def save_tiles(self, tiles: Mapping[tuple[int, int], bytes], integrated_size: int) -> None:
        """Upsert tiles and the integrated size."""
        with self._db.transaction():
            old_tiles = {k: self._tiles.get(k) for k in tiles}
            old_size = self._integrated

            def undo() -> None:
                for k, v in old_tiles.items():
                    if v is None:
                        self._tiles.pop(k, None)
                    else:
                        self._tiles[k] = v
                self._integrated = old_size

            self._tiles.update({k: bytes(v) for k, v in tiles.items()})
            self._integrated = integrated_size
            self._undo.append(undo)

    def add_checkpoint(
        self, size: int, root: bytes, note: bytes, key_id: str, at: datetime
    ) -> bool:
        """Store a signed checkpoint unless one at least as large is stored."""
        with self._db.transaction():
            if any(c[0] >= size for c in self._checkpoints):
                return False
            self._checkpoints.append((size, bytes(root), bytes(note), key_id, at))
            self._undo.append(partial(self._checkpoints.pop))
            return True

    def latest_checkpoint(self) -> Checkpoint | None:
        """The newest checkpoint, or None."""
        return self._checkpoints[-1] if self._checkpoints else None

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint, oldest first."""
        return list(self._checkpoints)
