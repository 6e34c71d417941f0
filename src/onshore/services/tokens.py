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

from onshore.core.errors import InputError, TokenNameTaken, TokenNotFound, Unauthenticated
from onshore.ports import Clock, TokenInfo, TokenStore

#: The roles a token can carry (what each may do: ``onshore.server.permissions``).
ROLES: tuple[str, ...] = ("operator", "legal_reviewer", "approver", "auditor", "admin")

PREFIX = "onsh_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_SECRET = re.compile(r"onsh_[A-Za-z0-9_\-]{43}")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly created token: its info and the secret, shown this once."""

    info: TokenInfo
    secret: str


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


__all__ = [
    "PREFIX",
    "ROLES",
    "IssuedToken",
    "TokenInfo",
    "TokenNameTaken",
    "TokenStore",
    "Tokens",
    "digest",
]
