"""Region backups of PostgreSQL stores: a logical dump in one REPEATABLE READ transaction.

The dump is a stream of frames: per table ``T`` (its name and columns, JSON), ``D`` (its rows
in ``COPY ... TO STDOUT`` text format, chunk by chunk) and ``E``; then ``Z``. Tables come in
foreign-key order with ``ledger_checkpoints`` first (so a reader knows the checkpoint's size
before the leaves stream by). Only the region's tables are dumped (not ``api_tokens`` of a
control store sharing the database), and only the region's ``schema_version`` rows.

``load`` restores a dump in one transaction: the schema is created at the dump's version by
the region migrations, the rows copied in, sequences moved past them, and the contents checked
(``check``) before anything commits.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from onshore.adapters.migrations import MIGRATIONS
from onshore.adapters.migrations.targets import PG_LOCK, VERSION_TABLE, PostgresTarget
from onshore.core.backup_contents import (
    CheckpointRow,
    Contents,
    ledger_contents,
    with_counts,
)
from onshore.core.errors import BackupInvalid, BackupTargetNotEmpty, StoreUnavailable

_SKIP = frozenset({"api_tokens"})
_FIRST = "ledger_checkpoints"


def _connect(url: str) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        raise StoreUnavailable(
            "cannot connect to the PostgreSQL store", details={"reason": type(exc).__name__}
        ) from exc


def _session(conn: psycopg.Connection[Any]) -> None:
    """Fix the settings COPY text depends on, for this transaction."""
    for setting in (
        "DateStyle = 'ISO, YMD'",
        "TimeZone = 'UTC'",
        "bytea_output = 'hex'",
        "extra_float_digits = 3",
    ):
        conn.execute(f"SET LOCAL {setting}")


def _tables(conn: psycopg.Connection[Any]) -> list[str]:
    """The region's tables, referenced ones before those referencing them."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
        if r[0] not in _SKIP
    ]
    deps: dict[str, set[str]] = {n: set() for n in names}
    for child, parent in conn.execute(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
    ):
        if child in deps and parent in deps and child != parent:
            deps[child].add(parent)
    ordered: list[str] = [_FIRST] if _FIRST in deps and not deps[_FIRST] else []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and deps[n] <= set(ordered)]
        if not ready:
            raise BackupInvalid("the region's tables reference each other in a cycle")
        ordered.extend(ready)
    return ordered


def _columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
            (table,),
        )
    ]


def _frame(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack(">I", len(body)) + body


def _leaf_hashes(conn: psycopg.Connection[Any]) -> Iterator[bytes]:
    with conn.cursor(name="backup_leaves") as cur:
        cur.itersize = 10_000
        cur.execute("SELECT idx, leaf_hash FROM ledger_leaves ORDER BY idx")
        for expected, (idx, leaf_hash) in enumerate(cur):
            if idx != expected:
                raise BackupInvalid(f"ledger leaf {expected} is missing from the store")
            yield bytes(leaf_hash)


def _contents(conn: psycopg.Connection[Any]) -> Contents:
    """What the region database holds, read inside the caller's transaction."""
    version = PostgresTarget(conn).version("region") or 0
    records = int(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])  # type: ignore[index]
    categories: set[str] = set()
    for (text,) in conn.execute("SELECT DISTINCT categories FROM records"):
        categories.update(json.loads(text))
    row = conn.execute(
        "SELECT size, root, note, key_id FROM ledger_checkpoints ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    checkpoint = None if row is None else (int(row[0]), bytes(row[1]), bytes(row[2]), row[3])
    return with_counts(
        ledger_contents(_leaf_hashes(conn), checkpoint), version, records, categories
    )


def _dump(conn: psycopg.Connection[Any], tables: list[str]) -> Iterator[bytes]:
    for table in tables:
        columns = _columns(conn, table)
        yield _frame(b"T", json.dumps({"table": table, "columns": columns}).encode())
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)
        )
        if table == "schema_version":
            query += sql.SQL(" WHERE store = 'region'")
        query += sql.SQL(" ORDER BY 1")
        with conn.cursor() as cur, cur.copy(sql.SQL("COPY ({}) TO STDOUT").format(query)) as copy:
            for data in copy:
                yield _frame(b"D", bytes(data))
        yield _frame(b"E", b"")
    yield _frame(b"Z", b"")


@contextmanager
def dump(url: str) -> Iterator[tuple[Contents, Iterator[bytes]]]:
    """The region's contents and its dump's frames, from one consistent snapshot.

    The transaction (REPEATABLE READ, READ ONLY) stays open until the caller leaves the block,
    so the frames must be consumed inside it.
    """
    conn = _connect(url)
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            _session(conn)
            yield _contents(conn), _dump(conn, _tables(conn))
    except psycopg.OperationalError as exc:
        raise StoreUnavailable("the PostgreSQL store failed during the backup") from exc
    finally:
        conn.close()


class _Reader:
    """Frames out of a stream of chunks of any size."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buf = bytearray()

    def exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                raise BackupInvalid("the dump ends inside a frame")
            self._buf += chunk
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def frames(self) -> Iterator[tuple[bytes, bytes]]:
        while True:
            kind = self.exact(1)
            (length,) = struct.unpack(">I", self.exact(4))
            body = self.exact(length)
            if kind not in (b"T", b"D", b"E", b"Z"):
                raise BackupInvalid(f"the dump holds an unknown frame {kind!r}")
            yield kind, body
            if kind == b"Z":
                if self._buf or next(self._chunks, None):
                    raise BackupInvalid("the dump has data after its end")
                return


def _tables_of(chunks: Iterable[bytes]) -> Iterator[tuple[str, list[str], Iterator[bytes]]]:
    """``(table, columns, data chunks)`` per table of a dump (each consumed before the next)."""
    frames = _Reader(chunks).frames()
    for kind, body in frames:
        if kind == b"Z":
            return
        if kind != b"T":
            raise BackupInvalid("the dump has rows outside a table")
        try:
            head = json.loads(body)
            table, columns = str(head["table"]), [str(c) for c in head["columns"]]
        except (ValueError, KeyError, TypeError):
            raise BackupInvalid("the dump has a malformed table frame") from None

        def data() -> Iterator[bytes]:
            for k, b in frames:
                if k == b"E":
                    return
                if k != b"D":
                    raise BackupInvalid("the dump has a table frame inside a table")
                yield b

        rows = data()
        yield table, columns, rows
        for _ in rows:  # drain what the consumer left
            pass
    raise BackupInvalid("the dump has no end frame")


def _lines(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    buf = b""
    for chunk in chunks:
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            yield line.split(b"\t")
    if buf:
        raise BackupInvalid("the dump's rows end without a newline")


def _bytea(field: bytes) -> bytes:
    if not field.startswith(b"\\\\x"):
        raise BackupInvalid("the dump holds a malformed bytea value")
    return bytes.fromhex(field[3:].decode())


def _dumped_leaves(lines: Iterable[list[bytes]], at: dict[str, int]) -> Iterator[bytes]:
    for expected, f in enumerate(lines):
        if int(f[at["idx"]]) != expected:
            raise BackupInvalid(f"ledger leaf {expected} is missing from the dump")
        yield _bytea(f[at["leaf_hash"]])


def _checkpoint_row(f: list[bytes], at: dict[str, int]) -> CheckpointRow:
    return (
        int(f[at["size"]]),
        _bytea(f[at["root"]]),
        _bytea(f[at["note"]]),
        f[at["key_id"]].decode(),
    )


def stream_contents(chunks: Iterable[bytes]) -> Contents:
    """What a dump holds, read from its frames without a database (``backup verify``)."""
    version, records, checkpoint = 0, 0, None
    categories: set[str] = set()
    found = ledger_contents(iter(()), None)
    for table, columns, rows in _tables_of(chunks):
        at = {c: i for i, c in enumerate(columns)}
        try:
            if table == "records":
                for f in _lines(rows):
                    records += 1
                    categories.update(json.loads(f[at["categories"]].decode()))
            elif table == "schema_version":
                for f in _lines(rows):
                    version = max(version, int(f[at["version"]]))
            elif table == "ledger_checkpoints":
                last: list[bytes] | None = None
                for f in _lines(rows):
                    last = f
                if last is not None:
                    checkpoint = _checkpoint_row(last, at)
            elif table == "ledger_leaves":
                found = ledger_contents(_dumped_leaves(_lines(rows), at), checkpoint)
        except (KeyError, IndexError, ValueError) as exc:
            raise BackupInvalid(f"the dump's {table} rows are malformed: {exc}") from None
    return with_counts(found, version, records, categories)


def _has_data(conn: psycopg.Connection[Any]) -> bool:
    for table in ("records", "ledger_leaves", "cases"):
        exists = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
        if exists is not None and exists[0] is not None:
            query = sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table))
            if conn.execute(query).fetchone():
                return True
    return False


def _drop_region_tables(conn: psycopg.Connection[Any]) -> None:
    for table in _tables(conn):
        if table != "schema_version":
            conn.execute(sql.SQL("DROP TABLE {} CASCADE").format(sql.Identifier(table)))
    if conn.execute("SELECT to_regclass('schema_version')").fetchone()[0] is not None:  # type: ignore[index]
        conn.execute("DELETE FROM schema_version WHERE store = 'region'")


def _reset_sequences(conn: psycopg.Connection[Any]) -> None:
    for table, column in conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%%'"
    ).fetchall():
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, {c}), "
                "COALESCE((SELECT MAX({col}) FROM {tab}), 0) + 1, false)"
            ).format(
                t=sql.Literal(table),
                c=sql.Literal(column),
                col=sql.Identifier(column),
                tab=sql.Identifier(table),
            )
        )


def load(
    url: str,
    chunks: Iterable[bytes],
    *,
    check: Callable[[Contents], None],
    version: int,
    replace: bool,
) -> None:
    """Restore a dump into the region database at ``url`` in one transaction (see above)."""
    conn = _connect(url)
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK,))
            _session(conn)
            if _has_data(conn) and not replace:
                raise BackupTargetNotEmpty(
                    "the region database holds data; restoring would replace it "
                    "(stop the server, then pass --replace)"
                )
            _drop_region_tables(conn)
            target = PostgresTarget(conn)
            for m in MIGRATIONS["region"]:
                if m.version <= version:
                    target.run(m.postgres)
            conn.execute(VERSION_TABLE)
            for table, columns, rows in _tables_of(chunks):
                query = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with conn.cursor() as cur, cur.copy(query) as copy:
                    for data in rows:
                        copy.write(data)
            _reset_sequences(conn)
            check(_contents(conn))
    except psycopg.OperationalError as exc:
        raise StoreUnavailable("the PostgreSQL store failed during the restore") from exc
    except psycopg.Error as exc:
        raise BackupInvalid(f"the dump could not be loaded: {type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
