"""The deferred-erasure log port: erasures retention held back, with their date and reason
(control store).

A :class:`DeferredErasure` names its subject only by the keyed subject refs each region
holds (``ref_hex`` per region): never the subject id. When it falls due, the purge job
(``services.retention_purge``) finds the subject's records by those refs and erases them
through the vault.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 6, tzinfo=timezone.utc)
    >>> e = DeferredErasure("de-1", {"vn-hcm": ("ab" * 32,)}, at, at, ("VN-D53-27.data",),
    ...                     "retained", "host:root")
    >>> e.to_dict()["status"], e.due(at)
    ('deferred', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

#: Where a deferred erasure stands: waiting, carried out, or tried and failed (retried).
ErasureStatus = Literal["deferred", "done", "failed"]


@dataclass(frozen=True, slots=True)
class DeferredErasure:
    """One erasure held back by retention until ``until`` because of ``rules``."""

    erasure_id: str
    refs: Mapping[str, tuple[str, ...]]
    requested_at: datetime
    until: datetime
    rules: tuple[str, ...]
    reason: str
    requested_by: str
    case_id: str | None = None
    status: ErasureStatus = "deferred"
    done_at: datetime | None = None
    detail: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def due(self, at: datetime) -> bool:
        """True when it is still to do and its date has come by ``at``."""
        return self.status != "done" and self.until <= at

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the refs are keyed hashes, not the subject id)."""
        return {
            "erasure_id": self.erasure_id,
            "regions": sorted(self.refs),
            "requested_at": self.requested_at.isoformat(),
            "until": self.until.isoformat(),
            "rules": list(self.rules),
            "reason": self.reason,
            "requested_by": self.requested_by,
            "case_id": self.case_id,
            "status": self.status,
            "done_at": self.done_at.isoformat() if self.done_at else None,
            "detail": self.detail,
        }


class DeferredErasureLog(Protocol):
    """Where deferred erasures are kept (the control database): memory, SQLite, PostgreSQL."""

    def add(self, erasure: DeferredErasure) -> None:
        """Record a new deferred erasure."""

    def get(self, erasure_id: str) -> DeferredErasure | None:
        """The deferred erasure ``erasure_id``, or None."""

    def pending(
        self, *, due_by: datetime | None = None, limit: int = 1000
    ) -> list[DeferredErasure]:
        """Up to ``limit`` erasures not done (due by ``due_by`` when given), soonest first."""

    def finish(
        self, erasure_id: str, status: ErasureStatus, at: datetime, detail: str | None = None
    ) -> None:
        """Record how carrying it out went (``done`` or ``failed``)."""

    def close(self) -> None:
        """Release the connection."""
