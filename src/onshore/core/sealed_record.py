"""A sealed record: what a region's record store keeps (ciphertext and keyed hashes only).

``onshore.core.envelope`` seals and opens it; the ``RecordStore`` port stores it.

Example:
    >>> from datetime import datetime, timezone
    >>> r = SealedRecord("r1", "vn-hcm", b"s", "user", datetime(2026, 1, 1, tzinfo=timezone.utc),
    ...                  ("phone_number",), "kek:1", b"w", b"n", b"c")
    >>> r.index_terms
    ()
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SealedRecord:
    """A record as a store keeps it: ciphertext and keyed hashes, never plaintext.

    ``subject_ref`` and ``index_terms`` are HMAC-SHA-256 values under the region's index
    key; ``wrapped_key`` is the record's data key wrapped by region key ``key_id``.
    """

    record_id: str
    region: str
    subject_ref: bytes
    kind: str
    created_at: datetime
    categories: tuple[str, ...]
    key_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes
    index_terms: tuple[bytes, ...] = ()
