"""API tokens: bearer secrets that carry one role, stored only as SHA-256 digests.

A token is ``onsh_`` followed by 43 URL-safe base64 characters (256 random bits). It is
shown once, when created; the control store keeps its SHA-256 digest, its name, role and
revocation time, never the secret. Tokens live in the deployment's control database
(``settings.deployment.control_store``), never in a region database.

Verified tokens are cached for ``cache_seconds`` (by digest), but only on stores that can
tell cheaply whether any token changed since (``TokenStore.generation``: SQLite's
``PRAGMA data_version`` sees a revocation committed by any process; the memory store counts
its writes). A revocation therefore takes effect on the next request, whoever made it; on a
store that cannot tell (PostgreSQL) nothing is cached and every check reads the store.

Example:
    >>> from onshore.adapters.clock import SystemClock
    >>> from onshore.adapters.memory.tokens import MemoryTokenStore
    >>> tokens = Tokens(MemoryTokenStore(), SystemClock())
    >>> issued = tokens.create("ci-bot", "operator")
    >>> issued.secret.startswith("onsh_"), tokens.verify(issued.secret).role
    (True, 'operator')
    >>> tokens.revoke("ci-bot").revoked_at is not None
    True
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from onshore.adapters import sqlite_path
from onshore.core.errors import (
    ConfigError,
    InputError,
    TokenNameTaken,
    TokenNotFound,
    Unauthenticated,
)
from onshore.ports import Clock
from onshore.settings import Settings

#: The roles a token can carry (what each may do: ``onshore.server.permissions``).
ROLES: tuple[str, ...] = ("operator", "legal_reviewer", "approver", "auditor", "admin")

PREFIX = "onsh_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_SECRET = re.compile(r"onsh_[A-Za-z0-9_\-]{43}")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known about a token (never its secret)."""

    token_id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        """True until the token is revoked."""
        return self.revoked_at is None

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready form."""
        return {
            "token_id": self.token_id,
            "name": self.name,
            "role": self.role,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly created token: its info and the secret, shown this once."""

    info: TokenInfo
    secret: str


class TokenStore(Protocol):
    """Where token digests live (the control database). Backends: memory, SQLite, PostgreSQL."""

    def insert(self, info: TokenInfo, digest: bytes) -> None:
        """Add a token; raise ``TokenNameTaken`` when the name is in use."""

    def by_digest(self, digest: bytes) -> TokenInfo | None:
        """The token whose secret hashes to ``digest``, or None."""

    def lookup(self, name_or_id: str) -> TokenInfo | None:
        """A token by name or by id, or None."""

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark a token revoked at ``at`` (keeps an earlier revocation time)."""

    def page(self, after: str | None, limit: int) -> list[TokenInfo]:
        """Up to ``limit`` tokens with ``name > after``, ordered by name."""

    def generation(self) -> object | None:
        """A value that changes whenever any token is added or revoked, by this process or
        another; None when the store cannot tell cheaply (then ``Tokens`` caches nothing)."""

    def close(self) -> None:
        """Release the connection."""


def digest(secret: str) -> bytes:
    """SHA-256 of a token secret: the only form that is stored.

    Example:
        >>> len(digest("onsh_x"))
        32
    """
    return hashlib.sha256(secret.encode("utf-8")).digest()


#: Most verified tokens kept in the cache (it is cleared when full).
CACHE_SIZE = 1024


class Tokens:
    """Create, verify, revoke and list API tokens."""

    def __init__(self, store: TokenStore, clock: Clock, *, cache_seconds: float = 30.0) -> None:
        self.store = store
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._cache: dict[bytes, tuple[TokenInfo, object, float]] = {}
        self._cache_lock = threading.Lock()

    def create(self, name: str, role: str) -> IssuedToken:
        """Issue a token named ``name`` carrying ``role``; the secret is returned once."""
        if role not in ROLES:
            raise InputError(
                f"unknown role {role!r}", details={"field": "role", "allowed": list(ROLES)}
            )
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise InputError(
                "a token name is 1-64 letters, digits, '_', '.' or '-', starting with a "
                "letter or digit",
                details={"field": "name"},
            )
        if _SECRET.fullmatch(name) or name.startswith("tok_"):
            raise InputError(
                "a token name must not look like a token or a token id", details={"field": "name"}
            )
        secret = PREFIX + secrets.token_urlsafe(32)
        info = TokenInfo(
            token_id="tok_" + secrets.token_hex(8),
            name=name,
            role=role,
            created_at=self.clock.now(),
        )
        self.store.insert(info, digest(secret))
        return IssuedToken(info, secret)

    def cached(self, secret: str) -> TokenInfo | None:
        """The token for ``secret`` when it was verified active less than ``cache_seconds``
        ago and the store reports no token change since; None otherwise (then call
        ``verify``, which reads the store). Cheap: one digest and, on SQLite, one pragma.

        Example:
            >>> from onshore.adapters.clock import SystemClock
            >>> from onshore.adapters.memory.tokens import MemoryTokenStore
            >>> tokens = Tokens(MemoryTokenStore(), SystemClock())
            >>> issued = tokens.create("ci", "operator")
            >>> tokens.cached(issued.secret) is None, tokens.verify(issued.secret).name
            (True, 'ci')
            >>> tokens.cached(issued.secret).name
            'ci'
            >>> _ = tokens.revoke("ci"); tokens.cached(issued.secret) is None
            True
        """
        if self.cache_seconds <= 0:
            return None
        hit = self._cache.get(digest(secret))
        if hit is None:
            return None
        info, generation, verified_at = hit
        if time.monotonic() - verified_at >= self.cache_seconds:
            return None
        if generation is None or self.store.generation() != generation:
            return None
        return info

    def verify(self, secret: str) -> TokenInfo:
        """The active token for ``secret``; ``Unauthenticated`` when unknown or revoked."""
        found = self.cached(secret)
        if found is not None:
            return found
        if not _SECRET.fullmatch(secret):
            raise Unauthenticated("the bearer token is not valid", details={"reason": "invalid"})
        key = digest(secret)
        generation = self.store.generation() if self.cache_seconds > 0 else None
        info = self.store.by_digest(key)
        if info is None:
            raise Unauthenticated("the bearer token is not valid", details={"reason": "invalid"})
        if not info.active:
            raise Unauthenticated("the bearer token was revoked", details={"reason": "revoked"})
        if generation is not None:  # read before the row: a change in between misses
            with self._cache_lock:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.clear()
                self._cache[key] = (info, generation, time.monotonic())
        return info

    def revoke(self, name_or_id: str) -> TokenInfo:
        """Revoke a token by name or id (idempotent); ``TokenNotFound`` when there is none."""
        info = self.store.lookup(name_or_id)
        if info is None:
            raise TokenNotFound("no token with that name or id", details={"token": name_or_id[:64]})
        if info.active:
            self.store.revoke(info.token_id, self.clock.now())
        with self._cache_lock:
            self._cache.clear()
        found = self.store.lookup(info.token_id)
        assert found is not None
        return found

    def page(self, after: str | None = None, limit: int = 100) -> list[TokenInfo]:
        """Tokens ordered by name, ``limit`` at a time after the name ``after``."""
        return self.store.page(after, limit)

    def close(self) -> None:
        """Close the store."""
        self.store.close()


def open_token_store(url: str, *, base: Path | None = None) -> TokenStore:
    """Open the token store at a control-database URL (``memory://``, ``sqlite:///``,
    ``postgresql://``), creating its table when missing."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        from onshore.adapters.memory.tokens import MemoryTokenStore

        return MemoryTokenStore()
    if scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ConfigError(f"a sqlite store URL starts with sqlite:/// (got {url!r})")
        from onshore.adapters.sqlite.tokens import SqliteTokenStore

        return SqliteTokenStore(sqlite_path(url, base))
    if scheme in ("postgresql", "postgres"):
        from onshore.adapters.postgres.tokens import PostgresTokenStore

        return PostgresTokenStore(url)
    raise ConfigError(
        f"deployment.control_store: unknown backend {scheme!r} "
        "(use sqlite:///, postgresql:// or memory://)",
        details={"key": "deployment.control_store"},
    )


def open_tokens(settings: Settings, clock: Clock) -> Tokens:
    """The token service of a deployment (its ``control_store``)."""
    store = open_token_store(settings.deployment.control_store, base=settings.base_dir)
    return Tokens(store, clock)


__all__ = [
    "PREFIX",
    "ROLES",
    "IssuedToken",
    "TokenInfo",
    "TokenNameTaken",
    "TokenStore",
    "Tokens",
    "digest",
    "open_token_store",
    "open_tokens",
]
