"""Policy packs as code: the model, the parser and the evaluator (pure).

Example:
    >>> from datetime import datetime, timezone
    >>> engine = PolicyEngine([])
    >>> d = engine.storage_decision("VN", frozenset({"email"}), "SG", EntityFacts("VN"),
    ...                             datetime(2025, 6, 1, tzinfo=timezone.utc))
    >>> d.outcome is Outcome.NO_DECISION
    True
"""

from __future__ import annotations

from onshore.core.policy.decision import Decision, Obligation, Outcome, RuleTrace
from onshore.core.policy.engine import PolicyEngine
from onshore.core.policy.facts import EntityFacts, Facts
from onshore.core.policy.model import Pack
from onshore.core.policy.parse import parse_pack

__all__ = [
    "Decision",
    "EntityFacts",
    "Facts",
    "Obligation",
    "Outcome",
    "Pack",
    "PolicyEngine",
    "RuleTrace",
    "parse_pack",
]
