"""What differs between the SQLite and PostgreSQL stores, as one small value per backend.

The stores of ``onshore.adapters.sql`` hold one SQL implementation per port and take a
``Dialect`` next to their database handle. Their SQL is written once, in a neutral form:

- ``?`` is the only placeholder (``Dialect.sql`` rewrites it to ``%s`` for psycopg and
  doubles any literal ``%``); neutral SQL holds no other ``?``.
- SQL both backends read the same way is written as is: ``ON CONFLICT (...) DO NOTHING``,
  ``ON CONFLICT (...) DO UPDATE SET c = excluded.c`` (qualify the old row by the table name),
  row values ``(a, b) > (?, ?)``, ``LIMIT ?``.
- What they read differently is a fragment of the dialect: ``json_arg`` (a JSON parameter:
  text in SQLite, ``?::jsonb`` in PostgreSQL), ``distinct`` (``IS NOT`` /
  ``IS DISTINCT FROM``), ``any_of`` (``c IN (?, ?)`` / ``c = ANY(?)`` with one array).

Values cross the boundary through the dialect's codecs:

- time: ``time(t)`` is the parameter for a datetime (SQLite: fixed-width ISO 8601 UTC text,
  ``onshore.core.timestamps.stamp``, which sorts as text; PostgreSQL: the aware UTC datetime
  for a ``timestamptz``); ``from_time(v)`` reads either back as an aware UTC datetime.
- JSON: the stores encode JSON text themselves (each keeps its canonical form);
  ``from_json(v)`` decodes a column (SQLite: ``json.loads`` of text; PostgreSQL: psycopg
  already returns ``jsonb`` decoded).
- bytes and booleans need no codec: both drivers take ``bytes`` and ``bool`` parameters
  (SQLite stores a bool as 0/1) and return ``bytes``; stores still wrap reads in ``bytes()``
  and ``bool()``.

Errors: ``translated(url)`` turns the driver's errors into the onshore error tree, with the
messages the stores have always used (SQLite names the file's URL and the driver's text;
PostgreSQL names the exception class and SQLSTATE in ``details`` and never the URL, which
may hold a password): integrity -> ``StoreIntegrityError``, operational (locked, gone,
disk) -> ``StoreUnavailable``, anything else -> ``StoreError``. ``unavailable=True`` maps
every driver error to ``StoreUnavailable`` (for stores whose callers treat any failure as
"cannot read or write now"); ``integrity=False`` reports an integrity violation as a
plain ``StoreError`` (the batch store, which has always done so).

Statements run through ``execute`` and ``executemany`` (psycopg connections have no
``executemany``: a cursor is opened). Connection handling, transactions, schema DDL and
bulk paths (PostgreSQL's ``COPY``) stay in ``adapters.sqlite`` and ``adapters.postgres``.

Example:
    >>> from datetime import datetime, timezone
    >>> SQLITE.sql("SELECT 1 FROM cases WHERE case_id = ?")
    'SELECT 1 FROM cases WHERE case_id = ?'
    >>> POSTGRES.sql("SELECT 1 FROM cases WHERE case_id = ? AND kind LIKE 'a%'")
    "SELECT 1 FROM cases WHERE case_id = %s AND kind LIKE 'a%%'"
    >>> SQLITE.time(datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
    '2026-01-05T09:00:00.000000+00:00'
    >>> POSTGRES.any_of("state", ["open", "closed"])
    ('state = ANY(?)', [['open', 'closed']])
    >>> SQLITE.any_of("state", ["open", "closed"])
    ('state IN (?,?)', ['open', 'closed'])
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, overload

from onshore.core.errors import StoreError, StoreIntegrityError, StoreUnavailable
from onshore.core.timestamps import stamp, utc


@dataclass(frozen=True)
class Dialect:
    """The differences between two SQL backends (see the module docstring).

    ``name`` is ``"sqlite"`` or ``"postgres"``; ``json_arg`` the placeholder of a JSON
    parameter; ``distinct`` the null-safe "differs" operator; ``chunk`` how many values one
    ``any_of`` may carry (SQLite's host-parameter limit; None: any number, as one array).
    """

    name: str
    json_arg: str
    distinct: str
    chunk: int | None

    def sql(self, text: str) -> str:
        """Neutral SQL in this backend's placeholder style."""
        return text

    def time(self, value: datetime | None) -> Any:
        """The parameter for a datetime column (None stays None)."""
        raise NotImplementedError

    @overload
    def from_time(self, value: None) -> None: ...
    @overload
    def from_time(self, value: datetime | str) -> datetime: ...
    def from_time(self, value: datetime | str | None) -> datetime | None:
        """A datetime column's value as an aware UTC datetime (None stays None)."""
        return None if value is None else utc(value)

    def from_json(self, value: Any) -> Any:
        """A JSON column's value, decoded."""
        raise NotImplementedError

    def any_of(self, column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
        """``(neutral condition, params)`` testing ``column`` against any of ``values``."""
        raise NotImplementedError

    def execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one neutral statement on a DB-API connection; its cursor."""
        return conn.execute(self.sql(sql), tuple(params))

    def executemany(self, conn: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one neutral statement once per row (nothing when there are no rows)."""
        raise NotImplementedError

    @contextmanager
    def translated(
        self, url: str, *, unavailable: bool = False, integrity: bool = True
    ) -> Iterator[None]:
        """Raise the driver's errors inside as onshore ``Store*`` errors."""
        try:
            yield
        except Exception as exc:
            error = self.error(url, exc, unavailable=unavailable, integrity=integrity)
            if error is None:
                raise
            raise error from exc

    def error(
        self, url: str, exc: Exception, *, unavailable: bool = False, integrity: bool = True
    ) -> StoreError | None:
        """The onshore error for a driver error, or None when ``exc`` is not one."""
        raise NotImplementedError

    def time_as_given(self, value: datetime) -> Any:
        """The parameter for a datetime kept as given, offset and all (SQLite: its
        ``isoformat()`` text; PostgreSQL: the datetime). Only for the columns that have
        always been stored so (ledger checkpoints, API tokens); new columns use ``time``."""
        raise NotImplementedError

    def from_time_as_given(self, value: Any) -> datetime:
        """A ``time_as_given`` column's value as a datetime (SQLite: ``fromisoformat``;
        PostgreSQL: as the driver returns it)."""
        raise NotImplementedError


@lru_cache(maxsize=1024)
def _pyformat(text: str) -> str:
    return text.replace("%", "%%").replace("?", "%s")


@dataclass(frozen=True)
class SqliteDialect(Dialect):
    """SQLite 3 through the standard library's ``sqlite3``."""

    def time(self, value: datetime | None) -> Any:
        """Fixed-width ISO 8601 UTC text (sorts as text)."""
        return None if value is None else stamp(value)

    def from_json(self, value: Any) -> Any:
        """``json.loads`` of the stored text."""
        return json.loads(value)

    def any_of(self, column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
        """``column IN (?, ...)``, one parameter per value."""
        params = list(values)
        return f"{column} IN ({','.join('?' * len(params))})", params

    def executemany(self, conn: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """``Connection.executemany``."""
        conn.executemany(self.sql(sql), rows)

    def error(
        self, url: str, exc: Exception, *, unavailable: bool = False, integrity: bool = True
    ) -> StoreError | None:
        """``sqlite3`` errors (and an integer too large for SQLite) as onshore errors."""
        import sqlite3

        if not isinstance(exc, sqlite3.Error | OverflowError):
            return None
        if unavailable or isinstance(exc, sqlite3.OperationalError):
            return StoreUnavailable(f"SQLite store {url!r} failed: {exc}")
        if integrity and isinstance(exc, sqlite3.IntegrityError):
            return StoreIntegrityError(f"the SQLite store refused the write: {exc}")
        return StoreError(f"SQLite store {url!r} failed: {exc}")

    def time_as_given(self, value: datetime) -> Any:
        """``value.isoformat()``."""
        return value.isoformat()

    def from_time_as_given(self, value: Any) -> datetime:
        """``datetime.fromisoformat`` of the stored text."""
        return datetime.fromisoformat(value)


@dataclass(frozen=True)
class PostgresDialect(Dialect):
    """PostgreSQL through psycopg 3."""

    def sql(self, text: str) -> str:
        """``?`` as ``%s``, a literal ``%`` as ``%%``."""
        return _pyformat(text)

    def time(self, value: datetime | None) -> Any:
        """The aware UTC datetime (``timestamptz``)."""
        return None if value is None else utc(value)

    def from_json(self, value: Any) -> Any:
        """As psycopg returned it (``jsonb`` is decoded by the driver)."""
        return value

    def any_of(self, column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
        """``column = ANY(?)`` with the values as one array parameter."""
        return f"{column} = ANY(?)", [list(values)]

    def executemany(self, conn: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """``Cursor.executemany`` on a new cursor (skipped when there are no rows)."""
        rows = list(rows)
        if rows:
            with conn.cursor() as cur:
                cur.executemany(self.sql(sql), rows)

    def error(
        self, url: str, exc: Exception, *, unavailable: bool = False, integrity: bool = True
    ) -> StoreError | None:
        """psycopg errors as onshore errors (the URL is never named: it may hold a password)."""
        import psycopg

        if not isinstance(exc, psycopg.Error):
            return None
        reason = type(exc).__name__
        if unavailable or isinstance(exc, psycopg.OperationalError):
            return StoreUnavailable(
                "the PostgreSQL store is unavailable", details={"reason": reason}
            )
        if integrity and isinstance(exc, psycopg.IntegrityError | psycopg.DataError):
            return StoreIntegrityError(
                "the PostgreSQL store refused the write",
                details={"reason": reason, "sqlstate": exc.sqlstate},
            )
        return StoreError(
            "the PostgreSQL store failed", details={"reason": reason, "sqlstate": exc.sqlstate}
        )

    def time_as_given(self, value: datetime) -> Any:
        """The datetime itself."""
        return value

    def from_time_as_given(self, value: Any) -> datetime:
        """As psycopg returned it."""
        return value  # type: ignore[no-any-return]


#: SQLite: text timestamps and JSON, ``?`` placeholders, ``IN`` lists of at most 900 values
#: (the host-parameter limit of old builds is 999).
SQLITE: Dialect = SqliteDialect(name="sqlite", json_arg="?", distinct="IS NOT", chunk=900)

#: PostgreSQL: ``timestamptz`` and ``jsonb``, ``%s`` placeholders, arrays for ``ANY``.
POSTGRES: Dialect = PostgresDialect(
    name="postgres", json_arg="?::jsonb", distinct="IS DISTINCT FROM", chunk=None
)
