"""In-memory audience store: the reference for the SQLite and PostgreSQL ones."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from onshore.adapters.sql.audience import BATCH_COLUMNS
from onshore.core.cases.audience import Observation
from onshore.core.errors import StoreIntegrityError

if TYPE_CHECKING:
    import pyarrow as pa

_VALUES = ("subject_type", "subscribers", "monthly_visits", "livestreaming", "monetised")


class MemoryAudienceStore:
    """Audience metrics in dicts (snapshot/restore for rollback).

    Example:
        >>> from onshore.adapters.memory.database import MemoryDatabase
        >>> MemoryDatabase().audience.count()
        0
    """

    def __init__(self, db: Any) -> None:
        self._db = db
        self._batches: dict[str, dict[str, Any]] = {}
        self._metrics: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._revisions: list[dict[str, Any]] = []
        self._state: dict[tuple[str, str], dict[str, Any]] = {}

    def snapshot(self) -> object:
        """Shallow copies (rows are replaced, never changed in place)."""
        return (dict(self._batches), dict(self._metrics), list(self._revisions), dict(self._state))

    def restore(self, snap: object) -> None:
        """Go back to ``snap``."""
        self._batches, self._metrics, self._revisions, self._state = snap  # type: ignore[misc]

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """The record of an applied batch, or None."""
        found = self._batches.get(batch_id)
        return dict(found) if found else None

    def apply(
        self,
        batch_id: str,
        info: Mapping[str, Any],
        table: pa.Table,
        days: Mapping[tuple[str, str], int],
        applied_at: str,
    ) -> dict[str, int]:
        """Write a validated batch; inserted, updated and unchanged counts."""
        with self._db.transaction():
            if batch_id in self._batches:
                raise StoreIntegrityError(
                    "the batch was applied before", details={"batch_id": batch_id}
                )
            seq = len(self._batches) + 1
            self._batches[batch_id] = {
                "seq": seq,
                "batch_id": batch_id,
                "applied_at": applied_at,
                **dict(info),
            }
            counts = {"inserted": 0, "updated": 0, "unchanged": 0}
            cols = {c: table.column(c).to_pylist() for c in BATCH_COLUMNS}
            for i in range(table.num_rows):
                row = {c: cols[c][i] for c in BATCH_COLUMNS}
                key = (row["subject_id"], row["country"], row["day"])
                row["batch_id"] = batch_id
                old = self._metrics.get(key)
                if old is None:
                    counts["inserted"] += 1
                elif all(old[c] == row[c] for c in _VALUES):
                    counts["unchanged"] += 1
                    continue
                else:
                    counts["updated"] += 1
                    self._revisions.append({**old, "replaced_by": batch_id})
                self._metrics[key] = row
        return counts

    def series(
        self, subject_id: str, country: str, *, since: str | None = None, until: str | None = None
    ) -> list[Observation]:
        """The subject's daily rows in ``country``, by day."""
        rows = [
            r
            for (s, c, d), r in self._metrics.items()
            if s == subject_id and c == country and (since or "0000") <= d <= (until or "9999")
        ]
        rows.sort(key=lambda r: r["day"])
        return [
            Observation(
                r["day"],
                r["subscribers"],
                r["monthly_visits"],
                r["livestreaming"],
                r["monetised"],
                r["batch_id"],
                r["line"],
            )
            for r in rows
        ]

    def revisions(self, subject_id: str, country: str, day: str) -> list[dict[str, Any]]:
        """Values a day's row held before later batches replaced them, oldest first."""
        keys = (
            "subscribers",
            "monthly_visits",
            "livestreaming",
            "monetised",
            "batch_id",
            "line",
            "replaced_by",
        )
        return [
            {k: r[k] for k in keys}
            for r in self._revisions
            if (r["subject_id"], r["country"], r["day"]) == (subject_id, country, day)
        ]

    def states(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every subject with threshold state."""
        return copy.deepcopy(self._state)

    def put_state(self, subject_id: str, country: str, state: Mapping[str, Any]) -> None:
        """Insert or replace a subject's threshold state."""
        with self._db.transaction():
            self._state[(subject_id, country)] = copy.deepcopy(dict(state))

    def put_states(self, states: Sequence[tuple[str, str, Mapping[str, Any]]]) -> None:
        """``put_state`` for many ``(subject, country, state)`` at once."""
        with self._db.transaction():
            for subject_id, country, state in states:
                self._state[(subject_id, country)] = copy.deepcopy(dict(state))

    def count(self) -> int:
        """Number of metric rows held."""
        return len(self._metrics)
