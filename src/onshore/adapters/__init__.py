"""Adapters: the ports implemented over real backends (memory, SQLite, PostgreSQL, files).

``open_database(url)`` (a region's database), ``open_token_store(url)`` and
``open_user_store(url)`` (the deployment's control store) pick the backend by URL scheme:

- ``memory://`` (tests, throwaway demos)
- ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``
- ``postgresql://user@host:port/dbname`` (psycopg 3)

Example:
    >>> db = open_database("memory://")
    >>> db.records.count()
    0
"""

from __future__ import annotations

from pathlib import Path

from onshore.adapters.control_store import open_control_port
from onshore.adapters.store_url import sqlite_path as sqlite_path
from onshore.core.errors import ConfigError
from onshore.ports import RegionDatabase, TokenStore, UserStore
from onshore.ports.import_progress import ImportProgressLog
from onshore.ports.notices import NoticeLog
from onshore.ports.retention import DeferredErasureLog

SCHEMES = ("memory", "sqlite", "postgresql", "postgres")


def open_database(
    url: str, *, base: Path | None = None, sqlite_synchronous: str = "full"
) -> RegionDatabase:
    """Open the region database at ``url`` (creating tables as needed).

    ``sqlite_synchronous`` is SQLite's synchronous mode (``full`` or ``normal``).
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        from onshore.adapters.memory.database import MemoryDatabase

        return MemoryDatabase(url)
    if scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ConfigError(f"a sqlite store URL starts with sqlite:/// (got {url!r})")
        from onshore.adapters.sqlite.database import SqliteDatabase

        return SqliteDatabase(url, sqlite_path(url, base), synchronous=sqlite_synchronous)
    if scheme in ("postgresql", "postgres"):
        from onshore.adapters.postgres.database import PostgresDatabase

        return PostgresDatabase(url)
    raise ConfigError(
        f"unknown store backend {scheme!r}: expected one of memory://, sqlite:///, postgresql://",
        details={"url_scheme": scheme},
    )


def open_token_store(url: str, *, base: Path | None = None) -> TokenStore:
    """Open the token store at a control-database URL (``memory://``, ``sqlite:///``,
    ``postgresql://``), creating its table when missing.

    Example:
        >>> open_token_store("memory://").page(None, 10)
        []
    """
    store: TokenStore = open_control_port(url, "tokens", "TokenStore", base=base)
    return store


def open_user_store(url: str, *, base: Path | None = None) -> UserStore:
    """Open the user store (users and service accounts) at a control-database URL, the
    same database as the token store's (``memory://`` gives a fresh, unshared one).

    Example:
        >>> open_user_store("memory://").users(None, 10)
        []
    """
    store: UserStore = open_control_port(url, "users", "UserStore", base=base)
    return store


def open_notice_log(url: str, *, base: Path | None = None) -> NoticeLog:
    """Open the deadline-notice log at a control-database URL (``memory://``, ``sqlite:///``,
    ``postgresql://``); the same database as ``open_token_store``.

    Example:
        >>> open_notice_log("memory://").all()
        []
    """
    store: NoticeLog = open_control_port(url, "notices", "NoticeLog", base=base)
    return store


def open_deferred_erasures(url: str, *, base: Path | None = None) -> DeferredErasureLog:
    """Open the deferred-erasure log at a control-database URL; the same database as
    ``open_token_store``.

    Example:
        >>> open_deferred_erasures("memory://").pending()
        []
    """
    store: DeferredErasureLog = open_control_port(url, "retention", "DeferredErasureLog", base=base)
    return store


def open_import_progress(url: str, *, base: Path | None = None) -> ImportProgressLog:
    """Open the import progress log at a control-database URL; the same database as
    ``open_token_store``.

    Example:
        >>> open_import_progress("memory://").get("users") is None
        True
    """
    store: ImportProgressLog = open_control_port(
        url, "import_progress", "ImportProgressLog", base=base
    )
    return store
