"""The token port: what is known about an API token and the store that keeps token digests
(the deployment's control database; never the secret itself).

Every token belongs to an owner (a user ``usr_...`` or a service account ``svc_...``) and
carries roles its owner held when it was made; it may expire.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> info = TokenInfo("tok_1", "ci", "svc_1", frozenset({"operator"}), at)
    >>> info.active, info.role, info.to_dict()["revoked_at"]
    (True, 'operator', None)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from onshore.core.identity import ROLES


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known about a token (never its secret)."""

    token_id: str
    name: str
    owner_id: str
    roles: frozenset[str]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        """True until the token is revoked (expiry is checked against a clock)."""
        return self.revoked_at is None

    @property
    def role(self) -> str:
        """One role to show: the first the token carries in ``ROLES`` order."""
        return next((r for r in (*ROLES, *sorted(self.roles)) if r in self.roles), "")

    def expired(self, now: datetime) -> bool:
        """True when the token has an expiry and ``now`` is at or past it."""
        return self.expires_at is not None and now >= self.expires_at

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "token_id": self.token_id,
            "name": self.name,
            "owner_id": self.owner_id,
            "role": self.role,
            "roles": sorted(self.roles),
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


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
