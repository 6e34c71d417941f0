"""Idempotency entries in memory (tests, ``memory://`` control stores).

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from onshore.ports.idempotency import IdempotencyEntry
    >>> store = MemoryIdempotencyStore()
    >>> now = datetime.now(timezone.utc); later = now + timedelta(hours=1)
    >>> e = IdempotencyEntry("usr_1", "POST /v1/records", "k1", "ab", "c1", now, later, later)
    >>> store.reserve(e, now) is None, store.reserve(e, now).claim
    (True, 'c1')
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime

from onshore.ports.idempotency import IdempotencyEntry, StoredResponse

_Key = tuple[str, str, str]


def _key(entry: IdempotencyEntry) -> _Key:
    return entry.principal, entry.operation, entry.key


class MemoryIdempotencyStore:
    """Idempotency entries in a dict, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[_Key, IdempotencyEntry] = {}

    def reserve(self, entry: IdempotencyEntry, now: datetime) -> IdempotencyEntry | None:
        """Insert ``entry`` unless a live entry holds its key (see the port)."""
        with self._lock:
            held = self._entries.get(_key(entry))
            if held is not None:
                stale = held.expires_at <= now or (held.in_flight and held.lease_until <= now)
                if not stale:
                    return held
            self._entries[_key(entry)] = entry
            return None

    def complete(self, entry: IdempotencyEntry, response: StoredResponse) -> bool:
        """Store the response under ``entry``'s claim."""
        with self._lock:
            held = self._entries.get(_key(entry))
            if held is None or held.claim != entry.claim or not held.in_flight:
                return False
            self._entries[_key(entry)] = dataclasses.replace(held, response=response)
            return True

    def release(self, entry: IdempotencyEntry) -> None:
        """Drop ``entry`` while in flight under its claim."""
        with self._lock:
            held = self._entries.get(_key(entry))
            if held is not None and held.claim == entry.claim and held.in_flight:
                del self._entries[_key(entry)]

    def purge(self, now: datetime) -> int:
        """Delete every expired entry."""
        with self._lock:
            old = [k for k, e in self._entries.items() if e.expires_at <= now]
            for k in old:
                del self._entries[k]
            return len(old)

    def close(self) -> None:
        """Nothing to release."""
