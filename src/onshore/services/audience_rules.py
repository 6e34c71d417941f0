"""The packs' audience threshold rules: which notify/register rules exist, which apply to a
kind of subject, and the entity facts the engine judges an account or a service by.

``ThresholdRules(engine, entity)`` is read once per ``AudienceService``; the threshold step
(``services.audience_thresholds``) asks it which rules a subject's metrics bring into play.

Example:
    >>> from onshore.core.policy import EntityFacts
    >>> from onshore.services.policy import load_engine
    >>> rules = ThresholdRules(load_engine(["vn"]), EntityFacts(incorporated_in="SG"))
    >>> sorted(r.id for r in rules.rules_for("account", "VN"))[:1]   # a foreign platform
    ['VN-D147-10k']
    >>> rules.entity_for("account").roles
    frozenset({'account_owner'})
"""

from __future__ import annotations

from onshore.core.cases.audience import NOTIFY_TYPES
from onshore.core.policy import EntityFacts, Facts, PolicyEngine
from onshore.core.policy.model import Rule


class ThresholdRules:
    """The notify/register threshold rules of the loaded packs (see the module docstring)."""

    def __init__(self, engine: PolicyEngine, entity: EntityFacts) -> None:
        self.engine = engine
        self.entity = entity
        self._rules = [
            r for r in engine.rules if any(q.type in NOTIFY_TYPES for q in r.rule.require)
        ]

    def entity_for(self, subject_type: str) -> EntityFacts:
        """An account is an ``account_owner`` (no sector of its own); a service is the
        deployment's entity."""
        e = self.entity
        if subject_type == "service":
            return e
        return EntityFacts(e.incorporated_in, roles=frozenset({"account_owner"}))

    def rules_for(self, subject_type: str, country: str) -> list[Rule]:
        """The notify/register threshold rules whose ``applies_to`` covers such a subject
        (before looking at any metric)."""
        facts = Facts(self.entity_for(subject_type), subject_country=country)
        return [cr.rule for cr in self._rules if cr.applies.fails(facts, frozenset()) is None]

    @property
    def threshold_rules(self) -> list[Rule]:
        """The packs' rules with a notify/register requirement."""
        return [cr.rule for cr in self._rules]
