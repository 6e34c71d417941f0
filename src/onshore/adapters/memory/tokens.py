"""API tokens in memory (tests, ``memory://`` control stores).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.ports import TokenInfo
    >>> store = MemoryTokenStore()
    >>> now = datetime.now(timezone.utc)
    >>> info = TokenInfo("tok_1", "ci", "svc_1", frozenset({"operator"}), now)
    >>> store.insert(info, b"d")
    >>> store.by_digest(b"d").name
    'ci'
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime

from onshore.core.errors import TokenNameTaken
from onshore.ports import TokenInfo


class MemoryTokenStore:
    """Token digests in a dict, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, TokenInfo] = {}
        self._digests: dict[bytes, str] = {}
        self._writes = 0

    def insert(self, info: TokenInfo, digest: bytes) -> None:
        """Add a token; ``TokenNameTaken`` when the name is in use."""
        with self._lock:
            if any(t.name == info.name for t in self._by_id.values()):
                raise TokenNameTaken("a token with that name exists", details={"name": info.name})
            self._by_id[info.token_id] = info
            self._digests[digest] = info.token_id
            self._writes += 1

    def by_digest(self, digest: bytes) -> TokenInfo | None:
        """The token whose secret hashes to ``digest``."""
        with self._lock:
            token_id = self._digests.get(digest)
            return self._by_id.get(token_id) if token_id else None

    def lookup(self, name_or_id: str) -> TokenInfo | None:
        """A token by name or id."""
        with self._lock:
            if name_or_id in self._by_id:
                return self._by_id[name_or_id]
            return next((t for t in self._by_id.values() if t.name == name_or_id), None)

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark revoked (keeps an earlier revocation)."""
        with self._lock:
            info = self._by_id.get(token_id)
            if info is not None and info.revoked_at is None:
                self._by_id[token_id] = dataclasses.replace(info, revoked_at=at)
                self._writes += 1

    def page(self, after: str | None, limit: int) -> list[TokenInfo]:
        """Tokens ordered by name after ``after``."""
        with self._lock:
            ordered = sorted(self._by_id.values(), key=lambda t: t.name)
        return [t for t in ordered if after is None or t.name > after][:limit]

    def generation(self) -> object | None:
        """How many tokens were added or revoked so far."""
        return self._writes

    def close(self) -> None:
        """Nothing to release."""
