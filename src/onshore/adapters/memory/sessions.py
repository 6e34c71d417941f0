"""Browser sessions and OIDC sign-in links in memory (tests, ``memory://`` control stores).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.sessions import SessionRecord
    >>> store = MemorySessionStore()
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> store.insert(SessionRecord("ses_1", "usr_1", "password", at, at), b"d")
    >>> store.by_digest(b"d").session_id
    'ses_1'
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime

from onshore.ports.sessions import SessionRecord


class MemorySessionStore:
    """Sessions in a dict keyed by digest, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_digest: dict[bytes, SessionRecord] = {}
        self._links: dict[tuple[str, str], str] = {}

    def insert(self, record: SessionRecord, digest: bytes) -> None:
        """Add a session."""
        with self._lock:
            self._by_digest[digest] = record

    def by_digest(self, digest: bytes) -> SessionRecord | None:
        """The session whose secret hashes to ``digest``."""
        with self._lock:
            return self._by_digest.get(digest)

    def _remove(self, doomed: list[bytes]) -> int:
        for key in doomed:
            del self._by_digest[key]
        return len(doomed)

    def touch(self, session_id: str, at: datetime) -> None:
        """Record activity at ``at``."""
        with self._lock:
            for key, record in self._by_digest.items():
                if record.session_id == session_id:
                    self._by_digest[key] = dataclasses.replace(record, last_seen_at=at)

    def delete(self, session_id: str) -> None:
        """Remove a session."""
        with self._lock:
            self._remove([k for k, r in self._by_digest.items() if r.session_id == session_id])

    def delete_user(self, user_id: str) -> int:
        """Remove every session of ``user_id``."""
        with self._lock:
            return self._remove([k for k, r in self._by_digest.items() if r.user_id == user_id])

    def purge(self, created_before: datetime, seen_before: datetime) -> int:
        """Remove sessions past their absolute or idle timeout."""
        with self._lock:
            return self._remove(
                [
                    k
                    for k, r in self._by_digest.items()
                    if r.created_at < created_before or r.last_seen_at < seen_before
                ]
            )

    def link(self, issuer: str, subject: str, user_id: str, at: datetime) -> bool:
        """Link a provider's subject to a user; False when it is linked already."""
        with self._lock:
            if (issuer, subject) in self._links:
                return False
            self._links[(issuer, subject)] = user_id
            return True

    def linked_user(self, issuer: str, subject: str) -> str | None:
        """The user linked to a provider's subject."""
        with self._lock:
            return self._links.get((issuer, subject))

    def unlink(self, issuer: str, subject: str) -> bool:
        """Remove a link."""
        with self._lock:
            return self._links.pop((issuer, subject), None) is not None

    def close(self) -> None:
        """Nothing to release."""
