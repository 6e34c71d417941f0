"""How a sealed record's fields are written down: categories as JSON, index terms packed into
one blob, timestamps as aware UTC datetimes. Record stores and staged batch rows share them.

Example:
    >>> pack_terms((b"ab", b"c"))
    b'\\x02ab\\x01c'
    >>> unpack_terms(b"\\x02ab\\x01c")
    (b'ab', b'c')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

_CATEGORIES_JSON: dict[tuple[str, ...], str] = {}


def categories_json(categories: tuple[str, ...]) -> str:
    """Categories as compact JSON text (memoised: batches repeat a few category sets).

    Example:
        >>> categories_json(("email", "phone_number"))
        '["email","phone_number"]'
    """
    found = _CATEGORIES_JSON.get(categories)
    if found is None:
        found = json.dumps(list(categories), separators=(",", ":"), ensure_ascii=False)
        if len(_CATEGORIES_JSON) < 4096:
            _CATEGORIES_JSON[categories] = found
    return found


def pack_terms(terms: Sequence[bytes]) -> bytes:
    """Terms as one blob: each prefixed by its length in one byte."""
    return b"".join(bytes((len(t),)) + t for t in terms)


def unpack_terms(blob: bytes) -> tuple[bytes, ...]:
    """The terms in a blob written by :func:`pack_terms`."""
    terms = []
    i = 0
    while i < len(blob):
        n = blob[i]
        terms.append(bytes(blob[i + 1 : i + 1 + n]))
        i += 1 + n
    return tuple(terms)


def utc_datetime(value: datetime | str) -> datetime:
    """A stored timestamp (datetime or ISO text) as an aware UTC datetime.

    Example:
        >>> utc_datetime("2025-01-01T00:00:00.000001+00:00").isoformat()
        '2025-01-01T00:00:00.000001+00:00'
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
