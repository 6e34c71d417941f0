"""The ledger store in neutral SQL: a region's append-only ledger over SQLite or PostgreSQL
(``adapters.sql.dialect``).

Tables: ``ledger_leaves`` (index, entry, leaf hash), ``ledger_payloads`` (commitment ->
canonical JSON), ``ledger_refs`` (record ref, leaf index), ``ledger_tiles`` (C2SP tiles),
``ledger_checkpoints`` (signed notes) and ``ledger_meta`` (integrated size). Every write
joins the database's transaction; bulk writes are one ``executemany``, except where a
backend has a faster path (PostgreSQL's ``COPY`` of leaves and refs) or must serialise
writers itself (``_lock``). Statements run through the database's ``execute``, which
reports a lost or locked store as ``StoreUnavailable``; other driver errors pass as raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from onshore.adapters.sql.dialect import Dialect
from onshore.core.errors import StoreIntegrityError

_CHUNK = 400
_CHECKPOINT = "SELECT size, root, note, key_id, at FROM ledger_checkpoints"


class SqlLedgerStore:
    """The ledger tables of one region's SQL database; ``db`` is the database handle."""

    def __init__(self, db: Any, dialect: Dialect) -> None:
        self._db = db
        self._d = dialect

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(self._d.sql(sql), tuple(params))

    def _lock(self, table: str, mode: str) -> None:
        """Serialise writers of ``table`` to the end of the transaction (no-op where a write
        transaction already excludes other writers)."""

    def _insert_leaves(self, first: int, entries: Sequence[bytes], hashes: Sequence[bytes]) -> None:
        """Insert leaves ``first, first + 1, ...`` (inside the open transaction)."""
        self._d.executemany(
            self._db.conn,
            "INSERT INTO ledger_leaves (idx, entry, leaf_hash) VALUES (?, ?, ?)",
            zip(range(first, first + len(entries)), entries, hashes, strict=True),
        )

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> int:
        """Append entries and their leaf hashes; return the first new index."""
        if len(entries) != len(leaf_hashes):
            raise StoreIntegrityError("each ledger entry needs exactly one leaf hash")
        with self._db.transaction():
            self._lock("ledger_leaves", "EXCLUSIVE")
            first = self.size()
            self._insert_leaves(first, entries, leaf_hashes)
            return first

    def size(self) -> int:
        """Number of leaves (one past the highest index)."""
        with self._db.reading():
            row = self._execute("SELECT MAX(idx) FROM ledger_leaves").fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def leaves(self, start: int, stop: int) -> list[tuple[int, bytes, bytes]]:
        """Stored ``(index, entry, leaf_hash)`` rows in ``[start, stop)``."""
        with self._db.reading():
            rows = self._execute(
                "SELECT idx, entry, leaf_hash FROM ledger_leaves "
                "WHERE idx >= ? AND idx < ? ORDER BY idx",
                (start, stop),
            ).fetchall()
        return [(int(i), bytes(e), bytes(h)) for i, e, h in rows]

    def leaf_hashes(self, start: int, stop: int) -> list[bytes]:
        """Leaf hashes in ``[start, stop)``."""
        with self._db.reading():
            rows = self._execute(
                "SELECT leaf_hash FROM ledger_leaves WHERE idx >= ? AND idx < ? ORDER BY idx",
                (start, stop),
            ).fetchall()
        return [bytes(r[0]) for r in rows]

    def put_payloads(self, items: Sequence[tuple[bytes, bytes]]) -> None:
        """Store payloads by commitment (existing ones kept)."""
        with self._db.transaction():
            self._d.executemany(
                self._db.conn,
                "INSERT INTO ledger_payloads (commitment, body) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                items,
            )

    def payload(self, commitment: bytes) -> bytes | None:
        """A payload's canonical JSON, or None."""
        with self._db.reading():
            row = self._execute(
                "SELECT body FROM ledger_payloads WHERE commitment = ?", (commitment,)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def delete_payload(self, commitment: bytes) -> bool:
        """Delete a payload; False when absent."""
        with self._db.transaction():
            cur = self._execute("DELETE FROM ledger_payloads WHERE commitment = ?", (commitment,))
            return bool(cur.rowcount)

    def index_refs(self, items: Sequence[tuple[bytes, int]]) -> None:
        """Index record refs to leaf indexes (pairs already indexed are kept)."""
        with self._db.transaction():
            self._d.executemany(
                self._db.conn,
                "INSERT INTO ledger_refs (ref, idx) VALUES (?, ?) ON CONFLICT DO NOTHING",
                items,
            )

    def find_ref(self, ref: bytes) -> list[int]:
        """Leaf indexes for a record ref."""
        with self._db.reading():
            rows = self._execute(
                "SELECT idx FROM ledger_refs WHERE ref = ? ORDER BY idx", (ref,)
            ).fetchall()
        return [int(r[0]) for r in rows]

    def iter_refs(self, page_size: int = 10_000) -> Iterator[tuple[bytes, int]]:
        """Every ``(ref, index)`` pair, by ref then index (keyset paging)."""
        after: tuple[bytes, int] | None = None
        while True:
            where = "" if after is None else "WHERE (ref, idx) > (?, ?) "
            params = (page_size,) if after is None else (*after, page_size)
            with self._db.reading():
                rows = self._execute(
                    f"SELECT ref, idx FROM ledger_refs {where}ORDER BY ref, idx LIMIT ?", params
                ).fetchall()
            page = [(bytes(r), int(i)) for r, i in rows]
            yield from page
            if len(page) < page_size:
                return
            after = page[-1]

    def tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Stored tiles among ``keys``."""
        wanted = sorted(set(keys))
        out: dict[tuple[int, int], bytes] = {}
        with self._db.reading():
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                where = " OR ".join("(level = ? AND idx = ?)" for _ in chunk)
                params = [v for key in chunk for v in key]
                for level, idx, data in self._execute(
                    f"SELECT level, idx, hashes FROM ledger_tiles WHERE {where}", params
                ):
                    out[(int(level), int(idx))] = bytes(data)
        return out

    def integrated_size(self) -> int:
        """Leaves covered by the stored tiles."""
        with self._db.reading():
            row = self._execute(
                "SELECT value FROM ledger_meta WHERE name = 'integrated_size'"
            ).fetchone()
        return 0 if row is None else int(row[0])

    def lock_tree(self) -> None:
        """Serialise tree writers to the end of the open transaction (a table lock on
        ``ledger_meta`` that plain reads pass; SQLite's write transaction already does)."""
        self._lock("ledger_meta", "SHARE ROW EXCLUSIVE")

    def save_tiles(self, tiles: Mapping[tuple[int, int], bytes], integrated_size: int) -> None:
        """Upsert tiles and the integrated size."""
        with self._db.transaction():
            self._d.executemany(
                self._db.conn,
                "INSERT INTO ledger_tiles (level, idx, hashes) VALUES (?, ?, ?) "
                "ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes",
                [(lv, i, data) for (lv, i), data in tiles.items()],
            )
            self._execute(
                "INSERT INTO ledger_meta (name, value) VALUES ('integrated_size', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (integrated_size,),
            )

    def add_checkpoint(
        self, size: int, root: bytes, note: bytes, key_id: str, at: datetime
    ) -> bool:
        """Store a signed checkpoint unless one at least as large is stored (signers are
        serialised to the end of the transaction)."""
        with self._db.transaction():
            self._lock("ledger_checkpoints", "SHARE ROW EXCLUSIVE")
            row = self._execute("SELECT MAX(size) FROM ledger_checkpoints").fetchone()
            if row[0] is not None and int(row[0]) >= size:
                return False
            self._execute(
                "INSERT INTO ledger_checkpoints (size, root, note, key_id, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (size, root, note, key_id, self._d.time_as_given(at)),
            )
            return True

    def _checkpoints(self, sql: str) -> list[tuple[int, bytes, bytes, str, datetime]]:
        with self._db.reading():
            rows = self._execute(sql).fetchall()
        at = self._d.from_time_as_given
        return [(int(s), bytes(r), bytes(n), str(k), at(a)) for s, r, n, k, a in rows]

    def latest_checkpoint(self) -> tuple[int, bytes, bytes, str, datetime] | None:
        """The newest checkpoint, or None."""
        rows = self._checkpoints(f"{_CHECKPOINT} ORDER BY seq DESC LIMIT 1")
        return rows[0] if rows else None

    def checkpoints(self) -> list[tuple[int, bytes, bytes, str, datetime]]:
        """Every checkpoint, oldest first."""
        return self._checkpoints(f"{_CHECKPOINT} ORDER BY seq")
