"""Retrying with exponential backoff (``tenacity``), for deliveries to the outside world.

``Backoff(attempts, first, longest).run(fn, retry_on=...)`` calls ``fn`` until it returns,
raises something not in ``retry_on``, or has been tried ``attempts`` times, waiting ``first``
seconds after the first failure and twice as long after each next one (at most ``longest``).
It returns a :class:`Tried`: the value, or the last error, and how many tries it took.

Example:
    >>> calls = []
    >>> def flaky() -> str:
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise ConnectionError("down")
    ...     return "ok"
    >>> waits = []
    >>> tried = Backoff(5, 0.5, 10, sleep=waits.append).run(flaky, retry_on=(ConnectionError,))
    >>> tried.value, tried.attempts, waits
    ('ok', 3, [0.5, 1.0])
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

T = TypeVar("T")


@dataclass(frozen=True)
class Tried(Generic[T]):
    """How a retried call ended: its value, or the last error (``value`` is then None)."""

    value: T | None
    attempts: int
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when the call returned."""
        return self.error is None


@dataclass(frozen=True)
class Backoff:
    """How often and how patiently to retry (see the module docstring)."""

    attempts: int = 5
    first: float = 1.0
    longest: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def run(self, fn: Callable[[], T], *, retry_on: tuple[type[BaseException], ...]) -> Tried[T]:
        """Call ``fn`` under this policy; errors not in ``retry_on`` end it at once."""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.first, max=self.longest),
            retry=retry_if_exception_type(retry_on),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            value = retrying(fn)
        except Exception as exc:  # the last try's error, recorded by the caller
            return Tried(None, _attempts(retrying), exc)
        return Tried(value, _attempts(retrying))


def _attempts(retrying: Retrying) -> int:
    return int(retrying.statistics.get("attempt_number", 1))
