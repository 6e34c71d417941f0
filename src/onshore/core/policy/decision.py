"""Decisions that explain themselves: the outcome, why, and what is owed by when.

Example:
    >>> d = Decision(Outcome.DENY, "store", deciding_rules=("VN-D53-26.2",))
    >>> d.denied, d.to_dict()["outcome"]
    (True, 'deny')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """What the packs say about an operation."""

    ALLOW = "allow"
    DENY = "deny"
    NO_DECISION = "no_decision"


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """One rule as the evaluator saw it: did it apply, and a one-line reason."""

    rule_id: str
    applied: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"rule_id": self.rule_id, "applied": self.applied, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Obligation:
    """Something owed because a rule applied: ``kind`` is the requirement type.

    ``due`` is the deadline (or, for ``retain_min``, the earliest deletion date; for
    ``retain_max``, the latest), computed from the start event's time; ``None`` when the
    duty has no deadline. ``key`` groups obligations that are the same duty, across packs
    (the strictest of a group wins).
    """

    rule_id: str
    kind: str
    description: str
    due: datetime | None = None
    key: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "description": self.description,
            "due": self.due.isoformat() if self.due else None,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may this happen here, now?".

    ``deciding_rules`` are the rules that produced the outcome (the denying ones when
    denied); ``considered`` lists every rule loaded, applied or not, each with its reason;
    ``resolution`` records how conflicts were settled (deny beats allow; the strictest
    duration wins).
    """

    outcome: Outcome
    op: str
    at: datetime | None = None
    deciding_rules: tuple[str, ...] = ()
    considered: tuple[RuleTrace, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    warnings: tuple[str, ...] = ()
    resolution: tuple[str, ...] = ()

    @property
    def denied(self) -> bool:
        """True when the outcome is DENY."""
        return self.outcome is Outcome.DENY

    def trace(self, rule_id: str) -> RuleTrace | None:
        """The trace of ``rule_id``, if it was considered."""
        for t in self.considered:
            if t.rule_id == rule_id:
                return t
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the shape ``onshore policy explain --json`` prints)."""
        return {
            "outcome": self.outcome.value,
            "op": self.op,
            "at": self.at.isoformat() if self.at else None,
            "deciding_rules": list(self.deciding_rules),
            "considered": [t.to_dict() for t in self.considered],
            "obligations": [o.to_dict() for o in self.obligations],
            "warnings": list(self.warnings),
            "resolution": list(self.resolution),
        }
