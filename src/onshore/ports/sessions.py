"""The session port: a browser session as the control store keeps it, and the store that
keeps sessions and the sign-in links of users to OpenID Connect subjects.

A session is found by the SHA-256 digest of its secret (the cookie's value); the secret
itself is never stored. ``session_id`` (``ses_...``) names a session in logs and in
``Principal.session_id`` without being a credential.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> s = SessionRecord("ses_1", "usr_1", "password", at, at)
    >>> s.to_dict()["method"]
    'password'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """What is known about one browser session (never its secret)."""

    session_id: str
    user_id: str
    method: str
    """How the user signed in: ``password`` or ``oidc``."""
    created_at: datetime
    last_seen_at: datetime

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "session_id": self.session_id,
            "user_id": self.user_id,
            "method": self.method,
            "created_at": self.created_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
        }


class SessionStore(Protocol):
    """Where sessions live (the control database). Backends: memory, SQLite, PostgreSQL."""

    def insert(self, record: SessionRecord, digest: bytes) -> None:
        """Add a session whose secret hashes to ``digest``."""

    def by_digest(self, digest: bytes) -> SessionRecord | None:
        """The session whose secret hashes to ``digest``, or None."""

    def touch(self, session_id: str, at: datetime) -> None:
        """Record activity at ``at`` (the idle timeout counts from the last one)."""

    def delete(self, session_id: str) -> None:
        """Remove a session (nothing happens when it is gone already)."""

    def delete_user(self, user_id: str) -> int:
        """Remove every session of ``user_id``; how many there were."""

    def purge(self, created_before: datetime, seen_before: datetime) -> int:
        """Remove sessions created before ``created_before`` or last seen before
        ``seen_before`` (past their absolute or idle timeout); how many."""

    def link(self, issuer: str, subject: str, user_id: str, at: datetime) -> bool:
        """Link the provider's subject (``issuer``, ``subject``) to ``user_id``; False when
        that subject is linked already (to anyone: a link is never moved silently)."""

    def linked_user(self, issuer: str, subject: str) -> str | None:
        """The user id linked to (``issuer``, ``subject``), or None."""

    def unlink(self, issuer: str, subject: str) -> bool:
        """Remove a link; False when there was none."""

    def close(self) -> None:
        """Release the connection."""
