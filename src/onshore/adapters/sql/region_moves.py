"""Migration plans in neutral SQL: the ``migration_plans`` and ``migration_items`` tables of
a control database (control-store migration 8), over SQLite or PostgreSQL.

A plan's records are inserted before its plan row, in chunks: a crash part-way leaves items
no plan names, which nothing reads, so a plan that exists is always complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from onshore.adapters.sql.control import SqlControlStore
from onshore.ports.region_moves import MoveCount, MoveItem, MovePlan

_CHUNK = 400  # rows per multi-row INSERT / ids per UPDATE (under SQLite's parameter limit)
_PLAN = "plan_id, created_at, options, status, finished_at"


class SqlMigrationStore(SqlControlStore):
    """Migration plans in one SQL control database (see the module docstring)."""

    def _plan(self, row: tuple[Any, ...]) -> MovePlan:
        at = self._d.from_time
        return MovePlan(row[0], at(row[1]), row[2], row[3], at(row[4]))

    def create(self, plan: MovePlan, items: Sequence[MoveItem]) -> None:
        """Store a new plan with its records (see the port)."""
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
            params: list[Any] = []
            for i in chunk:
                params += [plan.plan_id, i.record_id, i.from_region, i.to_region, i.rule, i.state]
            self._execute(
                "INSERT INTO migration_items "
                "(plan_id, record_id, from_region, to_region, rule, state) "
                f"VALUES {values} ON CONFLICT (plan_id, record_id) DO NOTHING",
                tuple(params),
                write=True,
            )
        t = self._d.time
        self._execute(
            f"INSERT INTO migration_plans ({_PLAN}) VALUES (?, ?, ?, ?, ?)",
            (plan.plan_id, t(plan.created_at), plan.options, plan.status, t(plan.finished_at)),
            write=True,
        )

    def plan(self, plan_id: str) -> MovePlan | None:
        """The plan with that id, or None."""
        rows = self._run(f"SELECT {_PLAN} FROM migration_plans WHERE plan_id = ?", (plan_id,))
        return self._plan(rows[0]) if rows else None

    def plans(self) -> list[MovePlan]:
        """Every plan, newest first."""
        rows = self._run(
            f"SELECT {_PLAN} FROM migration_plans ORDER BY created_at DESC, plan_id DESC"
        )
        return [self._plan(r) for r in rows]

    def pending(self, plan_id: str, limit: int) -> list[MoveItem]:
        """Up to ``limit`` planned records (see the port)."""
        rows = self._run(
            "SELECT record_id, from_region, to_region, rule, state FROM migration_items "
            "WHERE plan_id = ? AND state = 'planned' "
            "ORDER BY from_region, to_region, record_id LIMIT ?",
            (plan_id, limit),
        )
        return [MoveItem(*r) for r in rows]

    def mark(self, plan_id: str, record_ids: Sequence[str], state: str) -> None:
        """Set the state of those records of the plan."""
        ids = list(record_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            self._execute(
                "UPDATE migration_items SET state = ? "
                f"WHERE plan_id = ? AND record_id IN ({marks})",
                (state, plan_id, *chunk),
                write=True,
            )

    def counts(self, plan_id: str) -> list[MoveCount]:
        """The plan's records counted by rule, source, destination and state."""
        rows = self._run(
            "SELECT rule, from_region, to_region, state, COUNT(*) FROM migration_items "
            "WHERE plan_id = ? GROUP BY rule, from_region, to_region, state "
            "ORDER BY rule, from_region, to_region, state",
            (plan_id,),
        )
        return [MoveCount(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    def finish(self, plan_id: str, at: datetime) -> None:
        """Mark the plan done."""
        self._execute(
            "UPDATE migration_plans SET status = 'done', finished_at = ? WHERE plan_id = ?",
            (self._d.time(at), plan_id),
            write=True,
        )
