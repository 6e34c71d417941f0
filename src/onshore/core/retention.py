"""Retention that outranks erasure (pure): whether a subject's data may be erased now.

An :class:`ErasureDecision` is either *erase now* or *deferred*: then ``until`` is the
first instant the erasure may happen, ``rules`` names what holds it back (pack rule ids
such as ``VN-D53-27.data``, and ``legal-hold:<case id>`` for a preservation hold) and
``reason`` says so in a sentence a data subject can be given.

``combine`` folds the retention minimums found (each a rule id and the instant it ends)
into one decision: the latest end wins, and minimums that ended by ``at`` do not count.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> combine([("VN-D53-27.data", datetime(2027, 1, 1, tzinfo=timezone.utc))], at).deferred
    True
    >>> combine([], at).erase_now
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: The prefix of a legal hold's entry in ``ErasureDecision.rules``.
LEGAL_HOLD = "legal-hold:"


@dataclass(frozen=True, slots=True)
class ErasureDecision:
    """Erase now (``until`` is None) or deferred until ``until`` because of ``rules``."""

    until: datetime | None = None
    rules: tuple[str, ...] = ()
    reason: str = "no retention minimum or legal hold applies"

    @property
    def erase_now(self) -> bool:
        """True when nothing holds the erasure back."""
        return self.until is None

    @property
    def deferred(self) -> bool:
        """True when the erasure must wait until ``until``."""
        return self.until is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "decision": "erase_now" if self.erase_now else "deferred",
            "until": self.until.isoformat() if self.until else None,
            "rules": list(self.rules),
            "reason": self.reason,
        }


def erase_now() -> ErasureDecision:
    """The decision that nothing holds the erasure back."""
    return ErasureDecision()


def combine(minimums: Iterable[tuple[str, datetime]], at: datetime) -> ErasureDecision:
    """One decision from ``(rule id, end)`` minimums: deferred to the latest end after ``at``."""
    live: dict[str, datetime] = {}
    for rule, end in minimums:
        if end > at and (rule not in live or end > live[rule]):
            live[rule] = end
    if not live:
        return erase_now()
    until = max(live.values())
    rules = tuple(sorted(live, key=lambda r: (r.startswith(LEGAL_HOLD), r)))
    parts = []
    for rule in rules:
        what = (
            f"legal hold of case {rule[len(LEGAL_HOLD) :]}" if rule.startswith(LEGAL_HOLD) else rule
        )
        parts.append(f"{what} until {live[rule].isoformat()}")
    reason = "retained: " + "; ".join(parts) + f"; erasure deferred until {until.isoformat()}"
    return ErasureDecision(until=until, rules=rules, reason=reason)
