"""The idempotency-key service of a deployment, over its control store (the adapter is
chosen here by the store URL's scheme, as for the token store)."""

from __future__ import annotations

from datetime import timedelta

from onshore.adapters.store_url import sqlite_path
from onshore.core.errors import ConfigError
from onshore.ports import Clock
from onshore.ports.idempotency import IdempotencyStore
from onshore.services.idempotency_keys import IdempotencyKeys
from onshore.settings import Settings


def open_idempotency_store(url: str, settings: Settings) -> IdempotencyStore:
    """The idempotency store at a control-database URL (``memory://``, ``sqlite:///``,
    ``postgresql://``), its table created when missing.

    Example:
        >>> from onshore.settings import Settings, default_config_dict
        >>> s = Settings.model_validate(default_config_dict())
        >>> type(open_idempotency_store("memory://", s)).__name__
        'MemoryIdempotencyStore'
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        from onshore.adapters.memory.idempotency import MemoryIdempotencyStore

        return MemoryIdempotencyStore()
    if scheme == "sqlite" and url.startswith("sqlite:///"):
        from onshore.adapters.sqlite.idempotency import SqliteIdempotencyStore

        return SqliteIdempotencyStore(sqlite_path(url, settings.base_dir))
    if scheme in ("postgresql", "postgres"):
        from onshore.adapters.postgres.idempotency import PostgresIdempotencyStore

        return PostgresIdempotencyStore(url)
    raise ConfigError(
        "deployment.control_store: use sqlite:///, postgresql:// or memory://",
        details={"key": "deployment.control_store"},
    )


def open_idempotency(settings: Settings, clock: Clock) -> IdempotencyKeys:
    """The idempotency-key service of a deployment, over its control store
    (``settings.deployment.control_store``) with the ``[idempotency]`` settings."""
    s = settings.idempotency
    return IdempotencyKeys(
        open_idempotency_store(settings.deployment.control_store, settings),
        clock,
        expiry=timedelta(seconds=s.expiry_seconds),
        lease=timedelta(seconds=s.lease_seconds),
        max_key_length=s.max_key_length,
    )
