"""The residency check of an authority request: may each region holding in-scope data
disclose it to the authority's country? (op ``transfer``, flag ``authority_disclosure``).

Regions in the authority's own country are allowed; every other region asks the policy
engine, and a region not allowed is counted on
``onshore_requests_cross_border_blocked_total{region,country}``.

Example:
    >>> from prometheus_client import CollectorRegistry
    >>> blocked_counter(CollectorRegistry())._name
    'onshore_requests_cross_border_blocked'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter

from onshore.core.policy import Facts, Outcome
from onshore.ports import Case
from onshore.services.runtime import Runtime

_BLOCKED: dict[int, Counter] = {}


def blocked_counter(registry: CollectorRegistry = REGISTRY) -> Counter:
    """``onshore_requests_cross_border_blocked_total{region,country}``."""
    found = _BLOCKED.get(id(registry))
    if found is None:
        found = _BLOCKED[id(registry)] = Counter(
            "onshore_requests_cross_border_blocked",
            "Disclosures to another country's authority the policy engine did not allow.",
            ["region", "country"],
            registry=registry,
        )
    return found


def residency_verdicts(
    runtime: Runtime, case: Case, holding: Iterable[str], registry: CollectorRegistry = REGISTRY
) -> dict[str, Any]:
    """Per region holding in-scope data: allowed or not, the outcome and the deciding rules."""
    holding = set(holding)
    country = case.data["authority_country"]
    now = runtime.clock.now()
    verdicts: dict[str, Any] = {}
    for name, r in runtime.regions.items():
        if name not in holding:
            continue
        if r.country == country:
            verdicts[name] = {"allowed": True, "outcome": "same_country", "rules": []}
            continue
        facts = Facts(
            runtime.entity,
            subject_country=r.country,
            categories=frozenset(case.data["scope"]["categories"]),
            region_country=r.country,
            destination_country=country,
            request="authority_info",
            flags=frozenset({"authority_disclosure"}),
        )
        decision = runtime.engine.evaluate("transfer", facts, now)
        allowed = decision.outcome is Outcome.ALLOW
        verdicts[name] = {
            "allowed": allowed,
            "outcome": decision.outcome.value,
            "rules": list(decision.deciding_rules),
            "obligations": [o.to_dict() for o in decision.obligations],
        }
        if not allowed:
            blocked_counter(registry).labels(region=name, country=country).inc()
    return verdicts
