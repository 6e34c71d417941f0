"""Staged rows: one record of a pending cross-region share, as the batch store keeps it.

A staged row is the record exactly as phase 2 will write it: the sealed record (ciphertext,
wrapped key, keyed hashes; already encrypted in its region) and its encoded placement leaf
(keyed hashes and a payload commitment). It holds no plaintext, so staging a share stores
nothing a live record would not. The layout is a version byte, the 15 fields' lengths
(4-byte big-endian each), then the fields.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.core.ledger.leaf import EncodedEvent
    >>> sealed = SealedRecord("r1", "vn-hcm", b"s", "profile",
    ...     datetime(2025, 1, 1, tzinfo=timezone.utc), ("email",), "kek:1", b"w", b"n", b"c",
    ...     (b"t1",))
    >>> leaf = EncodedEvent(b"e" * 176, b"{}", b"p" * 32, None)
    >>> decode_row(encode_row(sealed, leaf)) == (sealed, leaf)
    True
"""

from __future__ import annotations

import json
import struct

from onshore.core.errors import StoreIntegrityError
from onshore.core.ledger.leaf import EncodedEvent
from onshore.core.record_fields import categories_json, pack_terms, unpack_terms, utc_datetime
from onshore.core.sealed_record import SealedRecord

VERSION = 1
_FIELDS = 15
_HEAD = struct.Struct(f">B{_FIELDS}I")


def encode_row(sealed: SealedRecord, leaf: EncodedEvent) -> bytes:
    """One staged row: ``sealed`` and its encoded leaf."""
    fields = (
        sealed.record_id.encode(),
        sealed.region.encode(),
        sealed.subject_ref,
        sealed.kind.encode(),
        sealed.created_at.isoformat(timespec="microseconds").encode(),
        categories_json(sealed.categories).encode(),
        sealed.key_id.encode(),
        sealed.wrapped_key,
        sealed.nonce,
        sealed.ciphertext,
        pack_terms(sealed.index_terms),
        leaf.entry,
        leaf.payload_body,
        leaf.payload_commitment,
        leaf.record_ref if leaf.record_ref is not None else b"",
    )
    return _HEAD.pack(VERSION, *map(len, fields)) + b"".join(fields)


def decode_row(body: bytes) -> tuple[SealedRecord, EncodedEvent]:
    """The sealed record and encoded leaf of a staged row; ``StoreIntegrityError`` if damaged."""
    if len(body) < _HEAD.size or body[0] != VERSION:
        raise StoreIntegrityError("a staged batch row has an unknown layout")
    _, *lengths = _HEAD.unpack_from(body)
    if _HEAD.size + sum(lengths) != len(body):
        raise StoreIntegrityError("a staged batch row is truncated or too long")
    fields: list[bytes] = []
    at = _HEAD.size
    for n in lengths:
        fields.append(body[at : at + n])
        at += n
    sealed = SealedRecord(
        record_id=fields[0].decode(),
        region=fields[1].decode(),
        subject_ref=fields[2],
        kind=fields[3].decode(),
        created_at=utc_datetime(fields[4].decode()),
        categories=tuple(json.loads(fields[5])),
        key_id=fields[6].decode(),
        wrapped_key=fields[7],
        nonce=fields[8],
        ciphertext=fields[9],
        index_terms=unpack_terms(fields[10]),
    )
    leaf = EncodedEvent(fields[11], fields[12], fields[13], fields[14] or None)
    return sealed, leaf
