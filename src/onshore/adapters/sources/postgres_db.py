"""PostgreSQL databases (``postgresql://...``): every user table, via a server-side cursor.

A refused connection is reported as a problem of the source, never raised. Labels never carry
the password.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pyarrow as pa

from onshore.adapters.sources.base import Table, string_batch


def safe_label(url: str) -> str:
    """``url`` without its password.

    Example:
        >>> safe_label("postgresql://app:secret@db:5432/prod")
        'postgresql://app@db:5432/prod'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


class PostgresTable(Table):
    """One table of a PostgreSQL database."""

    def __init__(self, url: str, schema: str, table: str, label: str) -> None:
        super().__init__(label=label)
        self.url = url
        self.schema = schema
        self.table = table

    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        import psycopg
        from psycopg import sql

        try:
            conn = psycopg.connect(self.url, connect_timeout=10, autocommit=False)
        except psycopg.Error as exc:
            self.problem("unreadable", f"{self.label}: connection refused: {exc}", fatal=True)
            return
        try:
            ident = sql.Identifier(self.schema, self.table)
            with conn.cursor() as counter:
                counter.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
                row = counter.fetchone()
                self.bytes_total = int(row[0]) if row else None
            with conn.cursor(name="onshore_scan") as cur:
                cur.itersize = rows
                cur.execute(sql.SQL("SELECT * FROM {}").format(ident))
                index = 0
                columns: list[str] | None = None
                while chunk := cur.fetchmany(rows):
                    if columns is None:
                        columns = [d.name for d in cur.description or ()]
                    data = [[_cell(v) for v in r] for r in chunk]
                    yield (
                        np.arange(index, index + len(data), dtype=np.int64),
                        string_batch(columns, data),
                    )
                    index += len(data)
                    self.rows_read += len(data)
                    self.bytes_done = index
        except psycopg.Error as exc:
            self.problem("unreadable", f"{self.label}: {exc}", fatal=True)
        finally:
            conn.close()


class _Failed(Table):
    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        return iter(())


def postgres_tables(url: str) -> Iterator[Table]:
    """The user tables of the PostgreSQL database at ``url`` (a refusal becomes a problem)."""
    import psycopg

    label = safe_label(url)
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            names = conn.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
                " WHERE table_type = 'BASE TABLE'"
                " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                " ORDER BY 1, 2"
            ).fetchall()
    except psycopg.Error as exc:
        failed = _Failed(label=label)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        failed.problem("unreadable", f"{label}: cannot connect: {reason}", fatal=True)
        yield failed
        return
    for schema, table in names:
        name = table if schema == "public" else f"{schema}.{table}"
        yield PostgresTable(url, schema, table, f"{label}/{name}")
