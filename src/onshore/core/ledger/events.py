"""What the ledger records: event types and the events services hand to the audit log.

An :class:`LedgerEvent` carries raw ids (record, subject, actor) only on its way in: the
leaf encoder replaces them with keyed hashes, and the payload with a commitment, before
anything is stored (see :mod:`onshore.core.ledger.leaf`).

Example:
    >>> from datetime import datetime, timezone
    >>> e = LedgerEvent(EventType.RECORD_PLACED, datetime(2025, 1, 1, tzinfo=timezone.utc),
    ...                "vn-hcm", record_id="r1", subject_id="s1",
    ...                payload={"kind": "profile", "categories": ["email"]})
    >>> e.type.label
    'record_placed'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from types import MappingProxyType
from typing import Any


class EventType(IntEnum):
    """The kinds of event a leaf can record; the value is the byte stored in the leaf."""

    RECORD_PLACED = 1
    RECORD_READ = 2
    RECORD_TRANSFERRED = 3
    RECORD_ERASED = 4
    KEY_ROTATED = 5
    CASE_TRANSITION = 6
    REPORT_PUBLISHED = 7
    ACCESS_DECISION = 8
    SUBJECT_ERASED = 9
    RECORD_UPDATED = 10
    CASE_DEADLINE_BREACHED = 11
    IDENTITY_CHANGED = 12  # a user or service account made, changed or disabled (issue 14)

    @property
    def label(self) -> str:
        """Lower-case name, as shown in reports and bundles (``record_placed``)."""
        return self.name.lower()


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    """One event to append to a region's ledger.

    ``at`` must be timezone-aware. ``record_id``, ``subject_id`` and ``actor`` are keyed-
    hashed before storage; ``payload`` is validated (no raw identifiers, see
    :mod:`onshore.core.ledger.payload`), stored in-region as canonical JSON, and committed
    to in the leaf by its SHA-256.
    """

    type: EventType
    at: datetime
    region: str
    record_id: str | None = None
    subject_id: str | None = None
    actor: str | None = None
    payload: Mapping[str, Any] = field(default_factory=_empty)
