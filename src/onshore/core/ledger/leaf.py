"""Fixed-width, versioned binary leaves: an event reduced to keyed hashes and a commitment.

Layout of version 1 (176 bytes, big-endian)::

    offset size  field
         0    1  version (1)
         1    1  event type (EventType value)
         2    1  flags: bit 0 record ref present, bit 1 subject ref, bit 2 actor ref
         3    1  reserved (0)
         4    4  version of the region's ``ledger-hmac`` key the refs were made with
         8    8  time, microseconds since the Unix epoch (UTC, signed)
        16   32  region name, ASCII, zero-padded
        48   32  record ref   = HMAC-SHA-256(key, "onshore/ledger/v1/record\\0" + record_id)
        80   32  subject ref  = HMAC-SHA-256(key, "onshore/ledger/v1/subject\\0" + subject_id)
       112   32  actor ref    = HMAC-SHA-256(key, "onshore/ledger/v1/actor\\0" + actor)
       144   32  payload commitment = SHA-256(canonical JSON of the payload)

An absent id leaves its 32 bytes zero and its flag clear. A leaf holds no personal data:
without the region's key the refs cannot be linked to anyone, and deleting the payload
(or the key) leaves every proof valid.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.core.ledger.events import LedgerEvent, EventType
    >>> enc = LeafEncoder(key=bytes(32), key_version=1)
    >>> e = LedgerEvent(EventType.RECORD_PLACED, datetime(2025, 1, 1, tzinfo=timezone.utc),
    ...                "vn-hcm", record_id="r1")
    >>> encoded = enc.encode(e)
    >>> len(encoded.entry)
    176
    >>> decode_leaf(encoded.entry).region
    'vn-hcm'
"""

from __future__ import annotations

import hmac
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from onshore.core.errors import LeafError
from onshore.core.ledger.events import EventType, LedgerEvent
from onshore.core.ledger.payload import canonical_json, clean_payload, commitment

LEAF_VERSION = 1
LEAF_SIZE = 176
_HEAD = struct.Struct(">BBBBIq32s")
_ZERO = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_REGION = re.compile(r"[a-z0-9][a-z0-9_.\-]{0,31}")
_LABELS = {
    "record": b"onshore/ledger/v1/record\x00",
    "subject": b"onshore/ledger/v1/subject\x00",
    "actor": b"onshore/ledger/v1/actor\x00",
    "payload-ref": b"onshore/ledger/v1/payload-ref\x00",
}


@dataclass(frozen=True, slots=True)
class Leaf:
    """A decoded leaf (what a verifier can learn from it without any key)."""

    version: int
    type: EventType
    at: datetime
    region: str
    key_version: int
    record_ref: bytes | None
    subject_ref: bytes | None
    actor_ref: bytes | None
    payload_commitment: bytes

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view (hex refs), as written into proof bundles."""
        return {
            "version": self.version,
            "type": self.type.label,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "region": self.region,
            "key_version": self.key_version,
            "record_ref": self.record_ref.hex() if self.record_ref else None,
            "subject_ref": self.subject_ref.hex() if self.subject_ref else None,
            "actor_ref": self.actor_ref.hex() if self.actor_ref else None,
            "payload_commitment": self.payload_commitment.hex(),
        }


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """An event ready to store: the leaf entry, its payload body, and its record ref."""

    entry: bytes
    payload_body: bytes
    payload_commitment: bytes
    record_ref: bytes | None


def micros(at: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise LeafError("event time must be timezone-aware")
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class LeafEncoder:
    """Turns events into leaves under one version of a region's ``ledger-hmac`` key."""

    def __init__(self, key: bytes, key_version: int) -> None:
        if len(key) < 32:
            raise LeafError("the ledger HMAC key must be at least 32 bytes")
        self._key = key
        self.key_version = key_version
        self._payloads: dict[str, tuple[bytes, bytes]] = {}
        # Identity cache for read-only payloads (``types.MappingProxyType``) that callers
        # reuse for many events (the vault does, per placement): validation and canonical
        # JSON run once. The object is kept alive beside its result, so an id is never
        # reused while it is cached.
        self._by_identity: dict[int, tuple[Mapping[str, Any], tuple[bytes, bytes]]] = {}
        self._subjects: dict[str, bytes] = {}
        self._head_key: tuple[Any, ...] | None = None
        self._head = b""

    def ref(self, kind: str, value: str) -> bytes:
        """The keyed hash of an id: ``kind`` is record, subject, actor or payload-ref.

        Example:
            >>> LeafEncoder(bytes(32), 1).ref("record", "r1").hex()[:8]
            '5caa29d1'
        """
        return hmac.digest(self._key, _LABELS[kind] + value.encode(), "sha256")

    def _id_ref(self, kind: str, value: str | None) -> bytes:
        """``ref(kind, value)``, or ``_ZERO`` for an absent id; raises on a bad one."""
        if value is None:
            return _ZERO
        if not isinstance(value, str) or not value:
            raise LeafError(f"{kind} id must be a non-empty string")
        if kind != "subject":
            return self.ref(kind, value)
        # a subject's events recur within a batch (one per record): hash its id once
        found = self._subjects.get(value)
        if found is None:
            if len(self._subjects) >= 4096:
                self._subjects.clear()
            found = self._subjects[value] = self.ref(kind, value)
        return found

    def _payload(self, payload: Mapping[str, Any]) -> tuple[bytes, bytes]:
        if not payload:
            body = b"{}"
            return body, commitment(body)
        if not isinstance(payload, MappingProxyType):
            return self._payload_uncached(payload)
        same = self._by_identity.get(id(payload))
        if same is not None and same[0] is payload:
            return same[1]
        result = self._payload_uncached(payload)
        if len(self._by_identity) > 4096:
            self._by_identity.clear()
        self._by_identity[id(payload)] = (payload, result)
        return result

    def _payload_uncached(self, payload: Mapping[str, Any]) -> tuple[bytes, bytes]:
        cleaned = clean_payload(payload, lambda v: self.ref("payload-ref", v).hex())
        body = canonical_json(cleaned)
        key = body.decode()
        hit = self._payloads.get(key)
        if hit is None:
            if len(self._payloads) > 4096:
                self._payloads.clear()
            hit = self._payloads[key] = (body, commitment(body))
        return hit

    def encode(self, event: LedgerEvent) -> EncodedEvent:
        """Encode one event; raises ``LeafError`` or ``PayloadRejected`` on bad input."""
        if not isinstance(event.type, EventType):
            raise LeafError("event type must be an EventType")
        if not isinstance(event.region, str) or not _REGION.fullmatch(event.region):
            raise LeafError("region must be a short lower-case name (a-z 0-9 _ . -, <= 32)")
        record = self._id_ref("record", event.record_id)
        subject = self._id_ref("subject", event.subject_id)
        actor = self._id_ref("actor", event.actor)
        flags = (record is not _ZERO) | (subject is not _ZERO) << 1 | (actor is not _ZERO) << 2
        body, commit = self._payload(event.payload)
        # events of one batch share type, time and region: pack that head once
        head_key = (int(event.type), flags, event.at, event.region)
        if head_key == self._head_key:
            head = self._head
        else:
            head = _HEAD.pack(
                LEAF_VERSION,
                int(event.type),
                flags,
                0,
                self.key_version,
                micros(event.at),
                event.region.encode(),
            )
            self._head_key, self._head = head_key, head
        entry = head + record + subject + actor + commit
        return EncodedEvent(entry, body, commit, record if flags & 1 else None)


def decode_leaf(entry: bytes) -> Leaf:
    """Parse and validate a leaf entry; raises ``LeafError`` naming what is wrong.

    Example:
        >>> decode_leaf(b"garbage")
        Traceback (most recent call last):
        ...
        onshore.core.errors.LeafError: leaf is 7 bytes, a version 1 leaf is 176
    """
    if not isinstance(entry, bytes | bytearray):
        raise LeafError("leaf must be bytes")
    if len(entry) != LEAF_SIZE:
        raise LeafError(f"leaf is {len(entry)} bytes, a version 1 leaf is {LEAF_SIZE}")
    version, code, flags, reserved, key_version, us, region_raw = _HEAD.unpack_from(entry)
    if version != LEAF_VERSION:
        raise LeafError(f"unknown leaf version {version}")
    try:
        etype = EventType(code)
    except ValueError:
        raise LeafError(f"unknown event type {code}") from None
    if flags & ~0b111 or reserved:
        raise LeafError("leaf flags or reserved byte are invalid")
    region = region_raw.rstrip(b"\x00")
    if not _REGION.fullmatch(region.decode("latin-1")) or b"\x00" in region:
        raise LeafError("leaf region field is invalid")
    try:
        at = _EPOCH + timedelta(microseconds=us)
    except OverflowError:
        raise LeafError("leaf time is out of range") from None
    refs: list[bytes | None] = []
    for bit in range(3):
        raw = bytes(entry[48 + 32 * bit : 80 + 32 * bit])
        present = bool(flags & (1 << bit))
        if not present and raw != _ZERO:
            raise LeafError("leaf holds a ref its flags say is absent")
        refs.append(raw if present else None)
    return Leaf(
        version,
        etype,
        at,
        region.decode(),
        key_version,
        refs[0],
        refs[1],
        refs[2],
        bytes(entry[144:176]),
    )
