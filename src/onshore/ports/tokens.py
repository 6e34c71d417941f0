"""The token port: what is known about an API token and the store that keeps token digests
(the deployment's control database; never the secret itself).

Example:
    >>> from datetime import datetime, timezone
    >>> info = TokenInfo("tok_1", "ci", "operator", datetime(2026, 1, 1, tzinfo=timezone.utc))
    >>> info.active, info.to_dict()["revoked_at"]
    (True, None)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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
