"""Clocks: the only place services read the time."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The machine's clock, timezone-aware UTC.

    Example:
        >>> SystemClock().now().tzinfo is UTC
        True
    """

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told (tests, replays, ``--at``)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        """The fixed time."""
        return self.at
