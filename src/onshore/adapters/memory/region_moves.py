"""Migration plans in memory (tests, ``memory://`` control stores).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.region_moves import MoveItem, MovePlan
    >>> store = MemoryMigrationStore()
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> item = MoveItem("r1", "sg-1", "vn-hcm", "R")
    >>> store.create(MovePlan("mig_1", at, "{}", "running"), [item])
    >>> [i.record_id for i in store.pending("mig_1", 10)]
    ['r1']
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from onshore.ports.region_moves import MoveCount, MoveItem, MovePlan


class MemoryMigrationStore:
    """Migration plans and their records in dicts, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: dict[str, MovePlan] = {}
        self._items: dict[str, dict[str, MoveItem]] = {}

    def create(self, plan: MovePlan, items: Sequence[MoveItem]) -> None:
        """Store a new plan with its records (see the port)."""
        with self._lock:
            self._plans[plan.plan_id] = plan
            self._items[plan.plan_id] = {i.record_id: i for i in items}

    def plan(self, plan_id: str) -> MovePlan | None:
        """The plan with that id, or None."""
        return self._plans.get(plan_id)

    def plans(self) -> list[MovePlan]:
        """Every plan, newest first."""
        return sorted(self._plans.values(), key=lambda p: (p.created_at, p.plan_id), reverse=True)

    def pending(self, plan_id: str, limit: int) -> list[MoveItem]:
        """Up to ``limit`` planned records (see the port)."""
        with self._lock:
            todo = [i for i in self._items.get(plan_id, {}).values() if i.state == "planned"]
        todo.sort(key=lambda i: (i.from_region, i.to_region, i.record_id))
        return todo[:limit]

    def mark(self, plan_id: str, record_ids: Sequence[str], state: str) -> None:
        """Set the state of those records of the plan."""
        with self._lock:
            items = self._items.get(plan_id, {})
            for rid in record_ids:
                if rid in items:
                    items[rid] = dataclasses.replace(items[rid], state=state)

    def counts(self, plan_id: str) -> list[MoveCount]:
        """The plan's records counted by rule, source, destination and state."""
        with self._lock:
            tally = Counter(
                (i.rule, i.from_region, i.to_region, i.state)
                for i in self._items.get(plan_id, {}).values()
            )
        return [MoveCount(*key, n) for key, n in sorted(tally.items())]

    def finish(self, plan_id: str, at: datetime) -> None:
        """Mark the plan done."""
        with self._lock:
            plan = self._plans[plan_id]
            self._plans[plan_id] = dataclasses.replace(plan, status="done", finished_at=at)

    def close(self) -> None:
        """Nothing to release."""
