"""Migration status: a stored plan's records planned, moved, gone and remaining, per rule,
source and destination (``onshore migrate status``).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.adapters.memory.region_moves import MemoryMigrationStore
    >>> from onshore.ports.region_moves import MoveItem, MovePlan
    >>> store = MemoryMigrationStore()
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> opts = '{"at": "2027-01-01T00:00:00+00:00", "from": [], "retire": []}'
    >>> store.create(MovePlan("mig_1", at, opts, "running"),
    ...              [MoveItem("r1", "sg-1", "vn-hcm", "R"), MoveItem("r2", "sg-1", "vn-hcm", "R")])
    >>> store.mark("mig_1", ["r1"], "moved")
    >>> [(r["moved"], r["remaining"]) for r in plan_status(store, "mig_1")["rows"]]
    [(1, 1)]
"""

from __future__ import annotations

from typing import Any

from onshore.core.errors import MigrationPlanNotFound
from onshore.ports.region_moves import MigrationStore
from onshore.services.migration_plan import MigrationOptions


def plan_status(store: MigrationStore, plan_id: str) -> dict[str, Any]:
    """JSON-ready status of one plan (counts only: no record id, no personal data)."""
    plan = store.plan(plan_id)
    if plan is None:
        raise MigrationPlanNotFound(f"no migration plan {plan_id!r}", details={"plan": plan_id})
    options = MigrationOptions.from_json(plan.options)
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for c in store.counts(plan_id):
        row = rows.setdefault(
            (c.rule, c.from_region, c.to_region),
            {
                "rule": c.rule,
                "from_region": c.from_region,
                "to_region": c.to_region,
                "planned": 0,
                "moved": 0,
                "gone": 0,
                "remaining": 0,
            },
        )
        row["planned"] += c.count
        key = "remaining" if c.state == "planned" else c.state
        row[key] += c.count
    totals = {
        k: sum(r[k] for r in rows.values()) for k in ("planned", "moved", "gone", "remaining")
    }
    return {
        "plan": plan.plan_id,
        "status": plan.status,
        "created_at": plan.created_at.isoformat(),
        "finished_at": plan.finished_at.isoformat() if plan.finished_at else None,
        "at": options.at.isoformat(),
        "retire": list(options.retire),
        "from": list(options.sources),
        "rows": list(rows.values()),
        "totals": totals,
    }
