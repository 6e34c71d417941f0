"""The browser-session service of a deployment, over its control store (the adapter is
chosen here, by the URL scheme of ``settings.deployment.control_store``)."""

from __future__ import annotations

from onshore.adapters.store_url import sqlite_path
from onshore.core.errors import ConfigError
from onshore.ports import Clock
from onshore.ports.sessions import SessionStore
from onshore.services.sessions import Sessions
from onshore.settings import Settings


def open_session_store(settings: Settings) -> SessionStore:
    """The session store in the deployment's control database (``memory://``,
    ``sqlite:///``, ``postgresql://``), its schema brought up to date.

    Example:
        >>> from onshore.settings import default_config_dict
        >>> cfg = default_config_dict(); cfg["deployment"]["control_store"] = "memory://"
        >>> open_session_store(Settings.model_validate(cfg)).by_digest(b"x") is None
        True
    """
    url = settings.deployment.control_store
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        from onshore.adapters.memory.sessions import MemorySessionStore

        return MemorySessionStore()
    if scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ConfigError(f"a sqlite store URL starts with sqlite:/// (got {url!r})")
        from onshore.adapters.sqlite.sessions import SqliteSessionStore

        return SqliteSessionStore(sqlite_path(url, settings.base_dir))
    if scheme in ("postgresql", "postgres"):
        from onshore.adapters.postgres.sessions import PostgresSessionStore

        return PostgresSessionStore(url)
    raise ConfigError(
        f"deployment.control_store: unknown backend {scheme!r} "
        "(use sqlite:///, postgresql:// or memory://)",
        details={"key": "deployment.control_store"},
    )


def open_sessions(settings: Settings, clock: Clock) -> Sessions:
    """The session service of a deployment, with the ``[sessions]`` timeouts."""
    return Sessions(
        open_session_store(settings),
        clock,
        idle=settings.sessions.idle,
        absolute=settings.sessions.absolute,
    )
