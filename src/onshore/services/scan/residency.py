"""Residency violations of a scanned store: which categories of a Vietnamese subject's data
may not sit in a store located in ``located_in``, under the loaded policy packs.

The question is asked once per category (the answers are the same for every row), through
the policy engine's ``storage_decision``; a category is a violation when the outcome is
``deny``. The deciding rule ids go into the report.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.core.policy import EntityFacts
    >>> v = residency_violations("SG", EntityFacts("VN", sectors=frozenset({"social_network"})),
    ...                          ["vn"], datetime(2026, 1, 1, tzinfo=timezone.utc))
    >>> v.denied["phone_number"], v.denied["system_log"] in (True, False)
    (True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from onshore.core.policy import EntityFacts, Outcome
from onshore.core.taxonomy import CATEGORIES
from onshore.services.policy import load_engine

#: The subject country whose residency the scan checks.
SUBJECT_COUNTRY = "VN"


@dataclass(frozen=True)
class Violations:
    """Per category: denied or not, and the rule ids that decided it."""

    located_in: str
    denied: dict[str, bool] = field(default_factory=dict)
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)


def residency_violations(
    located_in: str,
    entity: EntityFacts,
    packs: Sequence[str],
    at: datetime,
    *,
    pack_paths: Sequence[Path] = (),
    enforce_unconfirmed: bool = False,
) -> Violations:
    """Ask the packs, for every category, whether VN subjects' data may live in ``located_in``."""
    engine = load_engine(list(packs), list(pack_paths), enforce_unconfirmed)
    country = located_in.strip().upper()
    denied: dict[str, bool] = {}
    rules: dict[str, tuple[str, ...]] = {}
    for category in sorted(CATEGORIES):
        decision = engine.storage_decision(
            subject_country=SUBJECT_COUNTRY,
            categories=frozenset({category}),
            region_country=country,
            entity=entity,
            at=at,
        )
        denied[category] = decision.outcome == Outcome.DENY
        rules[category] = tuple(decision.deciding_rules)
    return Violations(country, denied, rules)
