"""The region-moves port: the plans of ``onshore migrate`` and each record's progress, kept in
the control store (``services.migration_run`` decides; the store only holds).

A plan names what it re-decided (the date, retired regions, source regions) and, per record,
where it is moving from and to and the rule that moves it. A record's state is ``planned``,
``moved`` (erased at the source after its copy was verified in the destination) or ``gone``
(no region held it any more when its turn came: erased meanwhile). Record ids are opaque: the
store holds no personal data.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> MovePlan("mig_1", at, "{}", "running").finished
    False
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

#: The states of a planned record move.
STATES = ("planned", "moved", "gone")


@dataclass(frozen=True, slots=True)
class MovePlan:
    """One migration plan: its id, when it was made, its options (JSON text) and status."""

    plan_id: str
    created_at: datetime
    options: str
    status: str  # "running" | "done"
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        """True once every record of the plan is moved (or gone)."""
        return self.status == "done"


@dataclass(frozen=True, slots=True)
class MoveItem:
    """One record to move: from where to where, why, and how far it got."""

    record_id: str
    from_region: str
    to_region: str
    rule: str
    state: str = "planned"


@dataclass(frozen=True, slots=True)
class MoveCount:
    """How many records of a plan share a rule, a source, a destination and a state."""

    rule: str
    from_region: str
    to_region: str
    state: str
    count: int


class MigrationStore(Protocol):
    """Where migration plans and their records' progress live (the control store)."""

    def create(self, plan: MovePlan, items: Sequence[MoveItem]) -> None:
        """Store a new plan with its records, all ``planned``, in one transaction."""
        ...

    def plan(self, plan_id: str) -> MovePlan | None:
        """The plan with that id, or None."""
        ...

    def plans(self) -> list[MovePlan]:
        """Every plan, newest first."""
        ...

    def pending(self, plan_id: str, limit: int) -> list[MoveItem]:
        """Up to ``limit`` records of the plan still ``planned``, by source, destination and
        record id."""
        ...

    def mark(self, plan_id: str, record_ids: Sequence[str], state: str) -> None:
        """Set the state of those records of the plan."""
        ...

    def counts(self, plan_id: str) -> list[MoveCount]:
        """The plan's records counted by rule, source, destination and state."""
        ...

    def finish(self, plan_id: str, at: datetime) -> None:
        """Mark the plan done."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
