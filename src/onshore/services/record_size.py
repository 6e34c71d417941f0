"""A record's size checked before any work is done on it (classification costs grow with
the record, so a record over ``max_record_bytes`` is refused first).

Example:
    >>> check_record_size("u1", "profile", {"bio": "x" * 100}, 64)
    Traceback (most recent call last):
    ...
    onshore.core.errors.RecordTooLarge: record is over the 64-byte limit
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from onshore.core.errors import NotSerialisable, RecordTooLarge

#: The vault's plaintext encoding (``vault.encode_body``): compact, UTF-8, no NaN.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def check_record_size(subject: Any, kind: Any, data: Mapping[str, Any], limit: int) -> None:
    """``RecordTooLarge`` when the subject, kind and data alone (a prefix of the sealed
    plaintext) are over ``limit``; ``NotSerialisable`` when they cannot be JSON."""
    try:
        size = len(_JSON.encode({"s": subject, "k": kind, "d": data}))
    except (TypeError, ValueError, RecursionError) as exc:
        raise NotSerialisable(
            f"record data is not JSON-serialisable: {type(exc).__name__}",
            details={"subject_field": "data"},
        ) from exc
    if size > limit:  # characters; its UTF-8 bytes are at least as many
        raise RecordTooLarge(
            f"record is over the {limit}-byte limit", details={"size": size, "limit": limit}
        )
