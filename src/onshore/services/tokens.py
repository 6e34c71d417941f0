"""API tokens: bearer secrets that belong to a user or a service account and carry roles its
owner holds, stored only as SHA-256 digests.

A token is ``onsh_`` followed by 43 URL-safe base64 characters (256 random bits). It is
shown once, when created; the control store keeps its SHA-256 digest, its name, owner,
roles, expiry and revocation time, never the secret. Tokens live in the deployment's
control database (``settings.deployment.control_store``), beside the users and service
accounts that own them, never in a region database.

Verifying a token gives the :class:`~onshore.core.identity.Principal` acting: its owner,
with the token's roles that the owner still holds (``auth.role_revoked``, 403, when none
remain). A revoked or unknown token is ``auth.unauthenticated``, an expired one
``auth.token_expired``, one whose owner is disabled ``auth.owner_disabled`` (all 401).

Verified tokens are cached for ``cache_seconds`` (by digest), but only on stores that can
tell cheaply whether any token, user or service account changed since (``generation``:
SQLite's ``PRAGMA data_version`` sees a commit by any process; the memory stores count their
writes). A revocation, a role change or a disabled owner therefore takes effect on the next
request, whoever made it; on a store that cannot tell (PostgreSQL) nothing is cached.

Example:
    >>> from onshore.adapters.clock import SystemClock
    >>> from onshore.adapters.memory.tokens import MemoryTokenStore
    >>> from onshore.adapters.memory.users import MemoryUserStore
    >>> tokens = Tokens(MemoryTokenStore(), MemoryUserStore(), SystemClock())
    >>> issued = tokens.create("ci-bot", "operator")
    >>> principal = tokens.verify(issued.secret)
    >>> issued.secret.startswith("onsh_"), principal.kind, principal.role, principal.name
    (True, 'service', 'operator', 'ci-bot')
    >>> tokens.revoke("ci-bot").revoked_at is not None
    True
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime

from onshore.core.errors import (
    InputError,
    OwnerDisabled,
    RoleRevoked,
    TokenExpired,
    TokenNameTaken,
    TokenNotFound,
    Unauthenticated,
)
from onshore.core.identity import ROLES, Principal
from onshore.ports import Clock, Owner, ServiceAccount, TokenInfo, TokenStore, User, UserStore

PREFIX = "onsh_"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
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


def check_role(role: str) -> str:
    """``role`` when it is one of ``ROLES``; ``InputError`` otherwise."""
    if role not in ROLES:
        raise InputError(
            f"unknown role {role!r}", details={"field": "role", "allowed": list(ROLES)}
        )
    return role


def check_name(name: str, what: str = "token") -> str:
    """``name`` when it is 1-64 letters, digits, ``_ . -`` (starting with a letter or a
    digit) and not shaped like a token or an id; ``InputError`` otherwise."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise InputError(
            f"a {what} name is 1-64 letters, digits, '_', '.' or '-', starting with a "
            "letter or digit",
            details={"field": "name"},
        )
    if _SECRET.fullmatch(name) or name.startswith(("tok_", "usr_", "svc_")):
        raise InputError(
            f"a {what} name must not look like a token or an id", details={"field": "name"}
        )
    return name


def principal_of(owner: Owner, roles: frozenset[str], token_id: str | None) -> Principal:
    """The principal a token of ``owner`` carrying ``roles`` acts as (roles already cut to
    those the owner holds)."""
    if isinstance(owner, User):
        return Principal("user", owner.user_id, owner.name, roles, token_id, "token")
    return Principal("service", owner.account_id, owner.name, roles, token_id, "token")


#: Most verified tokens kept in the cache (it is cleared when full).
CACHE_SIZE = 1024

_Cached = tuple[Principal, datetime | None, object, float]


class Tokens:
    """Create, verify, revoke and list API tokens (over the token and user stores)."""

    def __init__(
        self,
        store: TokenStore,
        owners: UserStore,
        clock: Clock,
        *,
        cache_seconds: float = 30.0,
    ) -> None:
        self.store = store
        self.owners = owners
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._cache: dict[bytes, _Cached] = {}
        self._cache_lock = threading.Lock()

    def owner(self, owner_id: str) -> Owner | None:
        """The user (``usr_...``) or service account (``svc_...``) with that id."""
        if owner_id.startswith("usr_"):
            return self.owners.user(owner_id)
        return self.owners.service(owner_id)

    def service_account(self, name: str, role: str) -> tuple[ServiceAccount, bool]:
        """The service account ``name`` holding ``role``, created or given the role when
        needed; True when something changed."""
        check_name(name, "service account")
        check_role(role)
        account = self.owners.service_by_name(name)
        now = self.clock.now()
        if account is None:
            account = ServiceAccount(
                "svc_" + secrets.token_hex(8), name, frozenset({role}), now, now
            )
            self.owners.insert_service(account)
            return account, True
        if account.disabled:
            raise InputError(f"service account {name!r} is disabled", details={"field": "name"})
        if role in account.roles:
            return account, False
        changed = replace(account, roles=account.roles | {role}, updated_at=now)
        self.owners.update_service(changed, account.updated_at)
        self.clear_cache()
        return changed, True

    def create(self, name: str, role: str) -> IssuedToken:
        """Issue a token named ``name`` carrying ``role`` for the service account ``name``
        (created, or given ``role``, when needed); the secret is returned once. What
        ``onshore token create`` and ``POST /v1/tokens`` do."""
        check_role(role)
        check_name(name)
        if self.store.lookup(name) is not None:
            raise TokenNameTaken("a token with that name exists", details={"name": name})
        account, _ = self.service_account(name, role)
        return self.issue(account, name, frozenset({role}))

    def issue(
        self,
        owner: Owner,
        name: str,
        roles: frozenset[str],
        *,
        expires_at: datetime | None = None,
    ) -> IssuedToken:
        """Issue a token for ``owner`` carrying ``roles`` (a non-empty subset of the
        owner's), expiring at ``expires_at`` when given; the secret is returned once."""
        check_name(name)
        for role in roles:
            check_role(role)
        if not roles or not roles <= owner.roles:
            raise InputError(
                "a token carries one or more roles its owner holds",
                details={"field": "roles", "owner_roles": sorted(owner.roles)},
            )
        if owner.disabled:
            raise InputError("the owner is disabled", details={"field": "owner"})
        owner_id = owner.user_id if isinstance(owner, User) else owner.account_id
        secret = PREFIX + secrets.token_urlsafe(32)
        info = TokenInfo(
            token_id="tok_" + secrets.token_hex(8),
            name=name,
            owner_id=owner_id,
            roles=frozenset(roles),
            created_at=self.clock.now(),
            expires_at=expires_at,
        )
        self.store.insert(info, digest(secret))
        return IssuedToken(info, secret)

    def generation(self) -> object | None:
        """What the cache compares: the token and user stores' generations (None when either
        cannot tell)."""
        tokens, owners = self.store.generation(), self.owners.generation()
        return None if tokens is None or owners is None else (tokens, owners)

    def cached(self, secret: str) -> Principal | None:
        """The principal of ``secret`` when it was verified less than ``cache_seconds`` ago,
        has not expired since, and no token, user or service account changed since; None
        otherwise (then call ``verify``, which reads the stores). Cheap: one digest and, on
        SQLite, two pragmas.

        Example:
            >>> from onshore.adapters.clock import SystemClock
            >>> from onshore.adapters.memory.tokens import MemoryTokenStore
            >>> from onshore.adapters.memory.users import MemoryUserStore
            >>> tokens = Tokens(MemoryTokenStore(), MemoryUserStore(), SystemClock())
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
        principal, expires_at, generation, verified_at = hit
        if time.monotonic() - verified_at >= self.cache_seconds:
            return None
        if expires_at is not None and self.clock.now() >= expires_at:
            return None
        if generation is None or self.generation() != generation:
            return None
        return principal

    def verify(self, secret: str) -> Principal:
        """The principal acting with ``secret``; ``Unauthenticated`` (unknown, revoked),
        ``TokenExpired``, ``OwnerDisabled`` or ``RoleRevoked`` otherwise."""
        found = self.cached(secret)
        if found is not None:
            return found
        if not isinstance(secret, str) or not _SECRET.fullmatch(secret):
            raise Unauthenticated("the bearer token is not valid", details={"reason": "invalid"})
        key = digest(secret)
        generation = self.generation() if self.cache_seconds > 0 else None
        info = self.store.by_digest(key)
        if info is None:
            raise Unauthenticated("the bearer token is not valid", details={"reason": "invalid"})
        if not info.active:
            raise Unauthenticated("the bearer token was revoked", details={"reason": "revoked"})
        if info.expired(self.clock.now()):
            raise TokenExpired("the bearer token has expired", details={"reason": "expired"})
        owner = self.owner(info.owner_id)
        if owner is None:
            raise Unauthenticated("the bearer token is not valid", details={"reason": "invalid"})
        if owner.disabled:
            raise OwnerDisabled(
                "the token's owner is disabled", details={"reason": "owner_disabled"}
            )
        roles = info.roles & owner.roles
        if not roles:
            raise RoleRevoked(
                "the token's owner no longer holds the roles it carries",
                details={"reason": "role_revoked", "token_roles": sorted(info.roles)},
            )
        principal = principal_of(owner, roles, info.token_id)
        if generation is not None:  # read before the rows: a change in between misses
            with self._cache_lock:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.clear()
                self._cache[key] = (principal, info.expires_at, generation, time.monotonic())
        return principal

    def clear_cache(self) -> None:
        """Forget every verified token (after a change this process made)."""
        with self._cache_lock:
            self._cache.clear()

    def revoke(self, name_or_id: str) -> TokenInfo:
        """Revoke a token by name or id (idempotent); ``TokenNotFound`` when there is none."""
        info = self.store.lookup(name_or_id)
        if info is None:
            raise TokenNotFound("no token with that name or id", details={"token": name_or_id[:64]})
        if info.active:
            self.store.revoke(info.token_id, self.clock.now())
        self.clear_cache()
        found = self.store.lookup(info.token_id)
        assert found is not None
        return found

    def page(self, after: str | None = None, limit: int = 100) -> list[TokenInfo]:
        """Tokens ordered by name, ``limit`` at a time after the name ``after``."""
        return self.store.page(after, limit)

    def close(self) -> None:
        """Close both stores."""
        try:
            self.store.close()
        finally:
            self.owners.close()


__all__ = [
    "PREFIX",
    "ROLES",
    "IssuedToken",
    "TokenInfo",
    "TokenNameTaken",
    "TokenStore",
    "Tokens",
    "check_name",
    "check_role",
    "digest",
    "principal_of",
]
