"""The notice log port: which deadline notices were claimed, sent or failed (control store).

A notice is one ``(case_id, deadline, event, channel)``: a case's deadline (its due time),
the event (``due_soon`` or ``breached``) and where it goes (``ledger``, ``webhook:<name>``,
``email``). A worker *claims* a notice before sending it; the claim is atomic in the store, so
two workers (or a restarted one) never both send it. A claim whose worker did not finish it
within the lease can be claimed again (``NoticeClaim.reclaimed``).

Example:
    >>> key = NoticeKey("tkd-1", "2026-08-04T02:00:00Z", "breached", "email")
    >>> key.to_dict()["channel"]
    'email'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

#: Where a notice stands: claimed by a worker, sent, or given up on.
NoticeStatus = Literal["claimed", "sent", "failed"]


@dataclass(frozen=True, slots=True)
class NoticeKey:
    """What is notified at most once: a case's deadline, the event and the channel."""

    case_id: str
    deadline: str
    event: str
    channel: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "case_id": self.case_id,
            "deadline": self.deadline,
            "event": self.event,
            "channel": self.channel,
        }


@dataclass(frozen=True, slots=True)
class NoticeClaim:
    """A successful claim: ``reclaimed`` when an earlier worker's lease had run out."""

    key: NoticeKey
    worker: str
    reclaimed: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """One row of the notice log."""

    key: NoticeKey
    status: NoticeStatus
    worker: str
    claimed_at: datetime
    finished_at: datetime | None = None
    attempts: int = 0
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            **self.key.to_dict(),
            "status": self.status,
            "worker": self.worker,
            "claimed_at": self.claimed_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "attempts": self.attempts,
            "detail": self.detail,
        }


class NoticeLog(Protocol):
    """Where notices are recorded (the control database). Backends: memory, SQLite, PostgreSQL."""

    def claim(
        self, key: NoticeKey, worker: str, at: datetime, stale_before: datetime
    ) -> NoticeClaim | None:
        """Claim ``key`` for ``worker``: a new notice, or one still ``claimed`` since before
        ``stale_before`` (its worker died). None when another worker holds or finished it."""

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
        """Record how ``worker``'s claim ended (``sent`` or ``failed``)."""

    def release(self, key: NoticeKey, worker: str) -> None:
        """Drop ``worker``'s claim so the next check tries again (nothing was sent)."""

    def get(self, key: NoticeKey) -> Notice | None:
        """The notice ``key``, or None."""

    def all(self, *, status: NoticeStatus | None = None, limit: int = 1000) -> list[Notice]:
        """Up to ``limit`` notices (of ``status``), oldest claim first."""

    def close(self) -> None:
        """Release the connection."""
