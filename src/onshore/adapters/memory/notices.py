"""The notice log in memory (tests, ``memory://`` control stores: one process only).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.notices import NoticeKey
    >>> log, at = MemoryNoticeLog(), datetime.now(timezone.utc)
    >>> key = NoticeKey("tkd-1", "d", "breached", "email")
    >>> log.claim(key, "w1", at, at).worker, log.claim(key, "w2", at, at)
    ('w1', None)
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime

from onshore.ports.notices import Notice, NoticeClaim, NoticeKey, NoticeStatus


class MemoryNoticeLog:
    """Notices in a dict, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[NoticeKey, Notice] = {}

    def claim(
        self, key: NoticeKey, worker: str, at: datetime, stale_before: datetime
    ) -> NoticeClaim | None:
        """Claim a new notice, or one whose worker's lease ran out."""
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                self._rows[key] = Notice(key, "claimed", worker, at)
                return NoticeClaim(key, worker)
            if row.status == "claimed" and row.claimed_at < stale_before:
                self._rows[key] = dataclasses.replace(row, worker=worker, claimed_at=at)
                return NoticeClaim(key, worker, reclaimed=True)
            return None

    def finish(
        self,
        key: NoticeKey,
        worker: str,
        status: NoticeStatus,
        at: datetime,
        *,
        attempts: int,
        detail: str | None = None,
    ) -> None:
        """Record how the claim ended (only the claiming worker's row changes)."""
        with self._lock:
            row = self._rows.get(key)
            if row is not None and row.worker == worker and row.status == "claimed":
                self._rows[key] = dataclasses.replace(
                    row, status=status, finished_at=at, attempts=attempts, detail=detail
                )

    def release(self, key: NoticeKey, worker: str) -> None:
        """Drop the claim."""
        with self._lock:
            row = self._rows.get(key)
            if row is not None and row.worker == worker and row.status == "claimed":
                del self._rows[key]

    def get(self, key: NoticeKey) -> Notice | None:
        """The notice ``key``, or None."""
        with self._lock:
            return self._rows.get(key)

    def all(self, *, status: NoticeStatus | None = None, limit: int = 1000) -> list[Notice]:
        """Up to ``limit`` notices (of ``status``), oldest claim first."""
        with self._lock:
            rows = [r for r in self._rows.values() if status is None or r.status == status]
        rows.sort(key=lambda r: (r.claimed_at, r.key.case_id, r.key.event, r.key.channel))
        return rows[:limit]

    def close(self) -> None:
        """Nothing to release."""
