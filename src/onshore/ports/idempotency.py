"""The idempotency port: what the control store keeps about one ``Idempotency-Key`` and the
store that keeps it (``onshore.services.idempotency_keys`` decides; the store only holds).

An entry is keyed by the caller (a principal id), the operation (method and route template)
and the caller's key. It holds a fingerprint of the request (a hash: never the body itself),
a random ``claim`` naming the request that holds it, and, once that request has been answered,
the response to replay. An entry without a response is *in flight* until ``lease_until``.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> e = IdempotencyEntry("usr_1", "POST /v1/records", "k1", "ab", "c1", at, at, at)
    >>> e.in_flight
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response kept for replay: its status, body and content type."""

    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class IdempotencyEntry:
    """One key's entry (see module)."""

    principal: str
    operation: str
    key: str
    fingerprint: str
    claim: str
    created_at: datetime
    lease_until: datetime
    expires_at: datetime
    response: StoredResponse | None = None

    @property
    def in_flight(self) -> bool:
        """True while the first request has not been answered."""
        return self.response is None


class IdempotencyStore(Protocol):
    """Where idempotency entries live (the control database). Backends: memory, SQLite,
    PostgreSQL; ``tests/conformance`` runs the same suite on each."""

    def reserve(self, entry: IdempotencyEntry, now: datetime) -> IdempotencyEntry | None:
        """Insert ``entry`` (in flight) unless a live entry holds its key: None when it was
        inserted, else the live entry. An entry past ``expires_at``, or in flight past
        ``lease_until``, is not live: it is replaced."""

    def complete(self, entry: IdempotencyEntry, response: StoredResponse) -> bool:
        """Store the response of the request holding ``entry.claim``; False when that claim
        no longer holds the key (its lease ended and another request took it over)."""

    def release(self, entry: IdempotencyEntry) -> None:
        """Drop ``entry`` while it is in flight under its claim (the request failed: a retry
        with the same key runs again)."""

    def purge(self, now: datetime) -> int:
        """Delete every entry past ``expires_at``; how many were deleted."""

    def close(self) -> None:
        """Release the connection."""
