"""A case and one entry of its history, as a region's ``CaseStore`` keeps them (values).

The lifecycle code (``onshore.core.cases.lifecycle``, ``guards``) works on these; the case
store port in ``onshore.ports`` persists them.

Example:
    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> Case("c1", "demo", "review", "vn-hcm", t0, t0, None, {}).version
    1
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Case:
    """One case as its region's ``CaseStore`` keeps it.

    ``state`` is a state of the lifecycle named by ``kind``; ``data`` is JSON (ids, scope,
    references: never record contents); ``version`` grows by one with every update and is
    what optimistic concurrency compares. ``due_at`` is the running deadline, if any.
    """

    case_id: str
    kind: str
    state: str
    region: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    data: Mapping[str, Any]
    version: int = 1


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One entry of a case's append-only history (``seq`` counts from 1, the opening)."""

    case_id: str
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    from_state: str
    to_state: str
    note: Mapping[str, Any]

    def row(self, *, notes: bool = False) -> dict[str, Any]:
        """The event as the API and the CLI show it in a case's history (its note only when
        ``notes``: some kinds keep notes out of their listings)."""
        row: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "role": self.role,
            "action": self.action,
            "from": self.from_state,
            "to": self.to_state,
        }
        if notes:
            row["note"] = self.note
        return row
