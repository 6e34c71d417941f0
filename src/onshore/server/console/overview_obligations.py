"""The overview's open obligations: open cases of every declared kind, grouped by the rule that
sets their deadline and the country whose law that rule is, with how many are overdue.

A case's rule is the source of its deadline (``data.deadline.source``), or for an audience
obligation the threshold rule it was opened for (``data.rule.rule_id``); a deadline stated by
the request itself reads ``request``. The country is the jurisdiction of the pack defining
the rule (``-`` when no loaded pack defines it).

Example:
    >>> rule_of({"deadline": {"source": "VN-D147-takedown"}}), rule_of({})
    ('VN-D147-takedown', '-')
    >>> rule_of({"rule": {"rule_id": "VN-D147-10k"}})  # an audience obligation
    'VN-D147-10k'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onshore.core.cases.registry import KINDS
from onshore.core.policy import PolicyEngine
from onshore.services.case_reads import CaseReads


@dataclass(frozen=True, slots=True)
class ObligationRow:
    """Open cases of one kind owed under one rule of one country's law."""

    kind: str
    title: str
    rule: str
    cite: str
    country: str
    open: int
    overdue: int


def rule_of(data: Mapping[str, Any]) -> str:
    """The id of the rule that set the case's deadline, ``-`` when none did."""
    deadline = data.get("deadline") or {}
    if deadline.get("source"):
        return str(deadline["source"])
    rule = data.get("rule") or {}
    return str(rule.get("rule_id") or "-")


def _law(engine: PolicyEngine, rule_id: str) -> tuple[str, str]:
    try:
        rule = engine.rule(rule_id)
    except KeyError:
        return "", "-"
    pack = next(p for p in engine.packs if p.id == engine.pack_of(rule_id))
    return rule.cite, pack.pack.jurisdiction


def obligation_rows(cases: CaseReads, engine: PolicyEngine, now: datetime) -> list[ObligationRow]:
    """Open cases per (kind, rule, country), in the registry's kind order then by rule."""
    out: list[ObligationRow] = []
    for name, kind in KINDS.items():
        life = kind.lifecycle
        open_states = [s for s in life.states if not life.is_terminal(s)]
        counts: dict[str, list[int]] = {}
        for case in cases.iter_cases(kind=name, states=open_states):
            tally = counts.setdefault(rule_of(case.data), [0, 0])
            tally[0] += 1
            tally[1] += case.due_at is not None and case.due_at <= now
        for rule_id in sorted(counts):
            cite, country = _law(engine, rule_id)
            n, late = counts[rule_id]
            out.append(ObligationRow(name, kind.title, rule_id, cite, country, n, late))
    return out
