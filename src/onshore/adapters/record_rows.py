"""Record rows: the checks and encodings every record store backend shares.

Every backend enforces the same invariants (so the conformance suite can hold them all to
one behaviour): a non-empty ``record_id``, a timezone-aware ``created_at`` (stored and
returned in UTC), index terms of 1 to 255 bytes. A batch that repeats a ``record_id``
keeps the last one, as putting them one after another would.

Example:
    >>> pack_terms((b"ab", b"c"))
    b'\\x02ab\\x01c'
    >>> unpack_terms(b"\\x02ab\\x01c")
    (b'ab', b'c')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from onshore.core.errors import StoreIntegrityError
from onshore.core.record_fields import (  # shared with staged batch rows, re-exported
    categories_json as categories_json,
)
from onshore.core.record_fields import pack_terms as pack_terms
from onshore.core.record_fields import unpack_terms as unpack_terms
from onshore.core.record_fields import utc_datetime as utc_datetime
from onshore.ports import SealedRecord

#: The columns of the ``records`` table, in the order of :func:`record_row`.
COLUMNS = (
    "record_id, region, subject_ref, kind, created_at, categories, key_id, wrapped_key, "
    "nonce, ciphertext, terms"
)


def checked(record: SealedRecord) -> SealedRecord:
    """``record`` with ``created_at`` in UTC and terms deduplicated; raises on a bad record.

    Example:
        >>> from datetime import timezone, timedelta
        >>> r = SealedRecord("r", "vn-hcm", b"s", "k",
        ...     datetime(2025, 1, 1, 7, tzinfo=timezone(timedelta(hours=7))), (), "kek:1",
        ...     b"w", b"n", b"c", (b"t", b"t"))
        >>> c = checked(r)
        >>> (c.created_at.isoformat(), c.index_terms)
        ('2025-01-01T00:00:00+00:00', (b't',))
    """
    rid = record.record_id
    if not (
        isinstance(rid, str)
        and rid
        and isinstance(record.region, str)
        and isinstance(record.kind, str)
        and isinstance(record.key_id, str)
        and isinstance(record.subject_ref, bytes)
        and isinstance(record.wrapped_key, bytes)
        and isinstance(record.nonce, bytes)
        and isinstance(record.ciphertext, bytes)
    ):
        raise _malformed(record)
    cats = record.categories
    if not isinstance(cats, tuple):
        raise StoreIntegrityError("categories must be a tuple", details={"record_id": rid})
    if not _CATEGORIES_OK.get(cats, False):
        if not all(isinstance(c, str) for c in cats):
            raise StoreIntegrityError("categories must be text", details={"record_id": rid})
        if len(_CATEGORIES_OK) < 4096:
            _CATEGORIES_OK[cats] = True
    terms = record.index_terms
    if not isinstance(terms, tuple):
        raise StoreIntegrityError("index_terms must be a tuple", details={"record_id": rid})
    for t in terms:
        if not isinstance(t, bytes) or not 1 <= len(t) <= 255:
            raise StoreIntegrityError(
                "index terms must be 1 to 255 bytes", details={"record_id": rid}
            )
    if len(terms) > 1 and len(set(terms)) != len(terms):
        terms = tuple(dict.fromkeys(terms))
    created = record.created_at
    if not isinstance(created, datetime) or created.utcoffset() is None:
        raise StoreIntegrityError(
            "created_at must be a timezone-aware datetime", details={"record_id": rid}
        )
    utc = created.astimezone(UTC)
    if utc is created and terms is record.index_terms:
        return record
    return replace(record, created_at=utc, index_terms=terms)


def _malformed(record: SealedRecord) -> StoreIntegrityError:
    if not isinstance(record.record_id, str) or not record.record_id:
        return StoreIntegrityError("a record needs a non-empty record_id")
    for name in ("region", "kind", "key_id"):
        if not isinstance(getattr(record, name), str):
            return StoreIntegrityError(
                f"{name} must be text", details={"record_id": record.record_id, "field": name}
            )
    for name in ("subject_ref", "wrapped_key", "nonce", "ciphertext"):
        if not isinstance(getattr(record, name), bytes):
            return StoreIntegrityError(
                f"{name} must be bytes", details={"record_id": record.record_id, "field": name}
            )
    return StoreIntegrityError("malformed record", details={"record_id": record.record_id})


_CATEGORIES_OK: dict[tuple[str, ...], bool] = {}


def checked_batch(records: Sequence[SealedRecord]) -> list[SealedRecord]:
    """Every record checked; a repeated ``record_id`` keeps its last version, in first place.

    Example:
        >>> from datetime import timezone
        >>> t = datetime(2025, 1, 1, tzinfo=timezone.utc)
        >>> a1 = SealedRecord("a", "r", b"s", "k1", t, (), "kek:1", b"w", b"n", b"c")
        >>> a2 = SealedRecord("a", "r", b"s", "k2", t, (), "kek:1", b"w", b"n", b"c")
        >>> [r.kind for r in checked_batch([a1, a2])]
        ['k2']
    """
    batch: dict[str, SealedRecord] = {}
    for record in records:
        ok = checked(record)
        batch[ok.record_id] = ok
    return list(batch.values())


def record_row(record: SealedRecord, created_at: Any) -> tuple[Any, ...]:
    """A checked record as a ``records`` row (:data:`COLUMNS`), with ``created_at`` already
    encoded for the backend (SQLite: ISO text; PostgreSQL: the datetime)."""
    return (
        record.record_id,
        record.region,
        record.subject_ref,
        record.kind,
        created_at,
        categories_json(record.categories),
        record.key_id,
        record.wrapped_key,
        record.nonce,
        record.ciphertext,
        pack_terms(record.index_terms),
    )


def sealed_record(row: Sequence[Any]) -> SealedRecord:
    """A ``records`` row (:data:`COLUMNS`) as a sealed record."""
    return SealedRecord(
        record_id=row[0],
        region=row[1],
        subject_ref=bytes(row[2]),
        kind=row[3],
        created_at=utc_datetime(row[4]),
        categories=tuple(json.loads(row[5])),
        key_id=row[6],
        wrapped_key=bytes(row[7]),
        nonce=bytes(row[8]),
        ciphertext=bytes(row[9]),
        index_terms=unpack_terms(bytes(row[10])),
    )
