"""The clock a process runs on: the system's UTC clock (tests pass a fixed one instead).

Example:
    >>> system_clock().now().tzinfo is not None
    True
"""

from __future__ import annotations

from onshore.adapters.clock import SystemClock
from onshore.ports import Clock


def system_clock() -> Clock:
    """The system clock (timezone-aware UTC)."""
    return SystemClock()
