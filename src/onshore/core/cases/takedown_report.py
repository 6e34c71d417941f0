"""The takedown transparency report: one row per notice, and the totals over the rows (pure).

``report_row(case_id, state, data, now)`` reduces a notice to what a transparency report
may show (no personal data: no sender, no content); ``summary(rows)`` counts the rows by
requester type, reason, action and state, with the median times to acknowledge and to
action and how many notices missed their deadline.

Example:
    >>> from datetime import datetime, timezone
    >>> data = {"notice": {"source": "user_complaint"},
    ...         "deadline": {"due": "2026-08-03T09:00:00+00:00"},
    ...         "timing": {"received_at": "2026-08-01T09:00:00+00:00",
    ...                    "time_to_acknowledge_s": 60.0}}
    >>> row = report_row("takedown-1", "received", data, datetime(2026, 8, 4, tzinfo=timezone.utc))
    >>> row["action"], row["breached"]
    ('pending', True)
    >>> s = summary([row])
    >>> s["by_source"], s["median_time_to_acknowledge_s"], s["breached"]
    ({'user_complaint': 1}, 60.0, 1)
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from datetime import datetime
from typing import Any


def report_row(case_id: str, state: str, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """One notice as a report row (no personal data: no sender, no content); a notice not
    actioned by its due date, or still open after it at ``now``, is ``breached``."""
    timing, decision = data.get("timing") or {}, data.get("decision") or {}
    due = (data.get("deadline") or {}).get("due")
    done = timing.get("actioned_at")
    breached = bool(due) and _before(str(due), done, now)
    return {
        "case_id": case_id,
        "source": data["notice"]["source"],
        "urgent": data["notice"].get("urgent", False),
        "reason": decision.get("category") or data["notice"].get("category") or "unspecified",
        "action": decision.get("action") or "pending",
        "ground": decision.get("ground"),
        "state": state,
        "received_at": timing.get("received_at"),
        "due": due,
        "time_to_acknowledge_s": timing.get("time_to_acknowledge_s"),
        "time_to_action_s": timing.get("time_to_action_s"),
        "breached": breached,
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The report over ``rows``: counts by source, reason, action and state, the median
    times, the number breached, and the rows themselves."""
    out: dict[str, Any] = {"total": len(rows)}
    for key in ("source", "reason", "action", "state"):
        counts: dict[str, int] = {}
        for r in rows:
            counts[str(r[key])] = counts.get(str(r[key]), 0) + 1
        out[f"by_{key}"] = dict(sorted(counts.items()))
    for key in ("time_to_acknowledge_s", "time_to_action_s"):
        values = [r[key] for r in rows if r[key] is not None]
        out[f"median_{key}"] = statistics.median(values) if values else None
    out["breached"] = sum(1 for r in rows if r["breached"])
    out["rows"] = rows
    return out


def _before(due: str, done: str | None, now: datetime) -> bool:
    moment = datetime.fromisoformat(done) if done else now
    return moment > datetime.fromisoformat(due)
