"""Intake: what a caller hands the vault, validated and placed before anything is written.

``coerce`` turns a mapping into a :class:`RecordInput`; ``prepare`` checks it (subject,
kind, data, size, record id), classifies its fields, places it in a region and encodes the
plaintext it will be sealed from. Nothing here writes: a bad record in a batch raises before
any region is touched.

Example:
    >>> coerce({"subject": "u1", "kind": "profile", "data": {}}).kind
    'profile'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from onshore.core.errors import InputError, MissingSubject, NotSerialisable, RecordTooLarge
from onshore.services.placement import Placement, Placer
from onshore.services.record_ids import new_record_id
from onshore.services.record_size import check_record_size

if TYPE_CHECKING:
    from onshore.settings import Settings

_KIND = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
_FIELDS = {"subject", "kind", "data", "signals", "categories", "record_id"}


@dataclass(frozen=True, slots=True)
class RecordInput:
    """One record handed to ``put_many``."""

    subject: str
    kind: str
    data: Mapping[str, Any]
    signals: Mapping[str, Any] | None = None
    categories: Mapping[str, Iterable[str]] | None = None
    record_id: str | None = None


@dataclass(slots=True)
class Prepared:
    """A validated, placed record ready to seal (internal to the write path).

    ``supplied_id`` is True when the caller chose ``record_id`` (so a retry can repeat it
    and the write path checks it for an existing record).
    """

    record_id: str
    subject: str
    kind: str
    plaintext: bytes
    data: Mapping[str, Any]
    field_categories: dict[str, frozenset[str]]
    placement: Placement
    supplied_id: bool = False


_BODY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_body(
    subject: str,
    kind: str,
    data: Mapping[str, Any],
    created_at: datetime,
    country: str,
    *,
    stamp: str | None = None,
) -> bytes:
    """The plaintext a record is sealed from (compact JSON; NaN and non-JSON values raise).

    ``stamp`` is ``created_at.isoformat()`` when the caller already has it (a batch shares
    one time, so ``put_many`` formats it once).

    Example:
        >>> from datetime import timezone
        >>> encode_body("u1", "profile", {"a": 1}, datetime(2025, 1, 1, tzinfo=timezone.utc), "VN")
        b'{"s":"u1","k":"profile","d":{"a":1},"t":"2025-01-01T00:00:00+00:00","c":"VN"}'
    """
    t = created_at.isoformat() if stamp is None else stamp
    body = {"s": subject, "k": kind, "d": data, "t": t, "c": country}
    return _BODY_JSON.encode(body).encode()


def coerce(item: RecordInput | Mapping[str, Any]) -> RecordInput:
    """A ``RecordInput`` from itself or a mapping with the same fields; ``InputError`` else."""
    if isinstance(item, RecordInput):
        return item
    if not isinstance(item, Mapping):
        raise InputError("each record must be a mapping with subject, kind and data")
    extra = set(item) - _FIELDS
    if extra:
        raise InputError(f"unknown record field {sorted(extra)[0]!r}")
    return RecordInput(
        subject=item.get("subject", ""),
        kind=item.get("kind", ""),
        data=item.get("data", {}),
        signals=item.get("signals"),
        categories=item.get("categories"),
        record_id=item.get("record_id"),
    )


def check_kind(kind: object) -> str:
    """``kind`` when it is 1-64 letters, digits or ``_ . : -`` starting with a letter."""
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise InputError(
            "a record's kind must be 1-64 letters, digits or _ . : - (e.g. profile)",
            details={"field": "kind"},
        )
    return kind


def sized_body(
    settings: Settings,
    subject: str,
    kind: str,
    data: Mapping[str, Any],
    created_at: datetime,
    country: str,
    stamp: str | None = None,
) -> bytes:
    """``encode_body`` with the errors a caller gets: not JSON, or over the size limit."""
    if not isinstance(data, Mapping):
        raise InputError("a record's data must be an object", details={"field": "data"})
    try:
        plaintext = encode_body(subject, kind, data, created_at, country, stamp=stamp)
    except (TypeError, ValueError) as exc:
        raise NotSerialisable(
            f"record data is not JSON-serialisable: {type(exc).__name__}",
            details={"subject_field": "data"},
        ) from exc
    limit = settings.deployment.max_record_bytes
    if len(plaintext) > limit:
        raise RecordTooLarge(
            f"record is {len(plaintext)} bytes, over the {limit}-byte limit",
            details={"size": len(plaintext), "limit": limit},
        )
    return plaintext


def prepare(placer: Placer, item: RecordInput, now: datetime, stamp: str | None = None) -> Prepared:
    """Validate, classify and place one record, and encode its plaintext (nothing written)."""
    if not isinstance(item.subject, str) or not item.subject.strip():
        raise MissingSubject("a record needs a non-empty subject id")
    check_kind(item.kind)
    if not isinstance(item.data, Mapping):
        raise InputError("a record's data must be an object", details={"field": "data"})
    record_id = item.record_id or None  # none given: a region-tagged id once placed
    if record_id is not None and (not isinstance(record_id, str) or not 0 < len(record_id) <= 128):
        raise InputError("record_id must be a string of 1 to 128 characters")
    limit = placer.runtime.settings.deployment.max_record_bytes  # checked before classifying
    check_record_size(item.subject, item.kind, item.data, limit)
    field_categories = placer.categories(item.data, item.categories)
    placement = placer.place(item.signals, field_categories, now)
    if record_id is None:
        record_id = new_record_id(placement.region)
    plaintext = sized_body(
        placer.runtime.settings,
        item.subject,
        item.kind,
        item.data,
        now,
        placement.subject_country,
        stamp,
    )
    return Prepared(
        record_id,
        item.subject,
        item.kind,
        plaintext,
        item.data,
        field_categories,
        placement,
        supplied_id=bool(item.record_id),
    )
