"""Open one port of the deployment's control database, the backend picked by URL scheme.

Every control-store port (tokens, users, sessions, idempotency keys, deadline notices) has a
memory, a SQLite and a PostgreSQL implementation named alike: module
``onshore.adapters.<backend>.<module>``, class ``<Backend><Stem>`` (``SqliteTokenStore``).
:func:`open_control_port` is the one place that turns a ``deployment.control_store`` URL into
one of them, so the scheme rules and their errors are the same for every port.

Example:
    >>> type(open_control_port("memory://", "tokens", "TokenStore")).__name__
    'MemoryTokenStore'
    >>> try:
    ...     open_control_port("mysql://x", "tokens", "TokenStore")
    ... except ConfigError as exc:
    ...     print(exc.details)
    {'key': 'deployment.control_store'}
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from onshore.adapters.store_url import sqlite_path
from onshore.core.errors import ConfigError

#: URL scheme -> (adapter package, class-name prefix).
_BACKENDS: dict[str, tuple[str, str]] = {
    "memory": ("memory", "Memory"),
    "sqlite": ("sqlite", "Sqlite"),
    "postgresql": ("postgres", "Postgres"),
    "postgres": ("postgres", "Postgres"),
}


def open_control_port(url: str, module: str, stem: str, *, base: Path | None = None) -> Any:
    """The ``stem`` implementation (e.g. ``TokenStore``) of the backend ``url`` names, from
    ``onshore.adapters.<backend>.<module>``: a fresh unshared store for ``memory://``, the
    file for ``sqlite:///PATH`` (relative to ``base``), the server for ``postgresql://``.
    ``ConfigError`` (naming ``deployment.control_store``) for any other URL."""
    scheme = url.split(":", 1)[0].lower()
    if scheme not in _BACKENDS:
        raise ConfigError(
            f"deployment.control_store: unknown backend {scheme!r} "
            "(use sqlite:///, postgresql:// or memory://)",
            details={"key": "deployment.control_store"},
        )
    package, prefix = _BACKENDS[scheme]
    cls = getattr(importlib.import_module(f"onshore.adapters.{package}.{module}"), prefix + stem)
    if scheme == "memory":
        return cls()
    if scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ConfigError(
                f"a sqlite store URL starts with sqlite:/// (got {url!r})",
                details={"key": "deployment.control_store"},
            )
        return cls(sqlite_path(url, base))
    return cls(url)
