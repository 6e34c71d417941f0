"""Placement: which configured region a record goes to, as the policy packs decide.

The placer holds no country rule of its own. It resolves the subject's residency
(``core.policy.residency``), classifies the record's fields (``core.classify``) and asks the
policy engine, region by region in ``placement_order``, whether these categories of this
subject may be stored in that region's country. The first region not denied wins; when
every region is denied it raises ``NoPermittedRegion`` with each region's deciding rules.

Decisions are cached by (subject country, categories, day): the packs' effective dates are
days, so the answer cannot change within one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onshore.core.classify import classify_fields
from onshore.core.errors import NoPermittedRegion, PolicyDenied
from onshore.core.policy import Outcome
from onshore.core.policy.residency import (
    RegionOption,
    Residency,
    placement_order,
    resolve_residency,
)
from onshore.core.taxonomy import validate_categories
from onshore.services.runtime import Region, Runtime

_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a record goes and why."""

    region: str
    subject_country: str
    categories: frozenset[str]
    decision_rules: tuple[str, ...]
    residency: Residency | None = None

    def ledger_payload(self, kind: str) -> dict[str, Any]:
        """What the placement leaf commits to: no personal data, only the why."""
        payload: dict[str, Any] = {
            "kind": kind,
            "categories": sorted(self.categories),
            "subject_country": self.subject_country,
            "rules": list(self.decision_rules),
        }
        if self.residency is not None:
            payload["residency"] = {
                "decided_by": self.residency.decided_by,
                "confidence": self.residency.confidence,
            }
        return payload


def _signals_key(signals: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    if not signals:
        return ()
    try:
        return tuple(
            sorted((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in signals.items())
        )
    except TypeError:
        return None  # unhashable or unorderable: resolve without the cache (and let it raise)


class Placer:
    """Residency + classification + policy -> a region, for one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        dep = runtime.settings.deployment
        self._default_region = dep.default_region
        self._default_country = dep.default_country
        self._phone_region = dep.default_phone_region
        self._options = tuple(RegionOption(r.name, r.country) for r in runtime.regions.values())
        self._residency: dict[tuple[Any, ...], Residency] = {}
        self._decisions: dict[tuple[str, frozenset[str], Any], tuple[str, tuple[str, ...]]] = {}

    def categories(
        self, data: Mapping[str, Any], explicit: Mapping[str, Iterable[str]] | None
    ) -> dict[str, frozenset[str]]:
        """Each field's categories: declared by the caller (validated) or classified."""
        if explicit is not None:
            return {name: validate_categories(cats) for name, cats in explicit.items()}
        return classify_fields(data)

    def residency(self, signals: Mapping[str, Any] | None) -> Residency:
        """Resolve (and cache) a subject's residency from its signals."""
        key = _signals_key(signals)
        cached = self._residency.get(key) if key is not None else None
        if cached is not None:
            return cached
        result = resolve_residency(
            signals,
            default_country=self._default_country,
            phone_region=self._phone_region,
            ip_country=self.runtime.geo.country_of,
        )
        if key is not None:
            if len(self._residency) >= _CACHE_LIMIT:
                self._residency.clear()
            self._residency[key] = result
        return result

    def place(
        self,
        signals: Mapping[str, Any] | None,
        field_categories: Mapping[str, frozenset[str]],
        at: datetime,
    ) -> Placement:
        """Choose the region for a record; ``NoPermittedRegion`` when none may hold it."""
        residency = self.residency(signals)
        categories = (
            frozenset().union(*field_categories.values()) if field_categories else frozenset()
        )
        key = (residency.country, categories, at.date())
        hit = self._decisions.get(key)
        if hit is None:
            hit = self._choose(residency.country, categories, at)
            if len(self._decisions) >= _CACHE_LIMIT:
                self._decisions.clear()
            self._decisions[key] = hit
        region, rules = hit
        return Placement(region, residency.country, categories, rules, residency)

    def _choose(
        self, country: str, categories: frozenset[str], at: datetime
    ) -> tuple[str, tuple[str, ...]]:
        considered = []
        for option in placement_order(self._options, country, self._default_region):
            decision = self.runtime.engine.storage_decision(
                subject_country=country,
                categories=categories,
                region_country=option.country,
                entity=self.runtime.entity,
                at=at,
            )
            if decision.outcome != Outcome.DENY:
                return option.name, tuple(decision.deciding_rules)
            considered.append(
                {
                    "region": option.name,
                    "country": option.country,
                    "outcome": str(decision.outcome.value),
                    "rules": list(decision.deciding_rules),
                }
            )
        rules = sorted({r for c in considered for r in c["rules"]})
        raise NoPermittedRegion(
            f"no configured region may hold this record of a {country} subject "
            f"(denied by {', '.join(rules) or 'policy'})",
            details={
                "subject_country": country,
                "categories": sorted(categories),
                "considered": considered,
            },
        )

    def check(
        self, country: str, categories: frozenset[str], target: Region, at: datetime
    ) -> Placement:
        """May a record of a ``country`` subject with ``categories`` live in ``target``?
        Returns the placement, or raises ``PolicyDenied`` with the decision."""
        decision = self.runtime.engine.storage_decision(
            subject_country=country,
            categories=categories,
            region_country=target.country,
            entity=self.runtime.entity,
            at=at,
        )
        if decision.outcome == Outcome.DENY:
            raise PolicyDenied(
                f"policy denies storing this record in {target.name} ({target.country})",
                details={"decision": decision.to_dict()},
            )
        return Placement(target.name, country, categories, tuple(decision.deciding_rules))
