"""The threshold step of an audience ingest: which notify/register rules apply to each
candidate subject, and the obligation cases that opens or updates.

The policy engine reads metric values only through its rules' metric tests
(:func:`onshore.core.cases.audience.metric_tests`), so subjects of one type and country,
on one day, on whose metrics every test holds alike, get the same decision.
``ThresholdDecisions`` evaluates the engine once per such combination and hands each subject
its own copy of the applying rules. ``ThresholdStep`` evaluates an ingest's candidates; the
cases it opens are written together with ``CaseService.open_many``: every case, its first
history event and its ledger leaf, in one region transaction (inside the ingest's own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from onshore.core.cases.audience import (
    KIND,
    NOTIFY_TYPES,
    OPEN_STATES,
    metric_tests,
    metrics_as_of,
    month_before,
)
from onshore.core.identity import Principal
from onshore.core.policy import Facts
from onshore.core.policy.compiled import metric_holds
from onshore.services.audience_ingest import IngestReport
from onshore.services.audience_rules import ThresholdRules
from onshore.services.cases import CaseService, Opening

_Key = tuple[str, str, str, tuple[bool, ...]]


class ThresholdDecisions:
    """The notify/register rules that apply to a subject's metrics on a day, decided once
    per ``(subject type, country, day, which metric tests hold)``.

    Example:
        >>> from onshore.core.policy import EntityFacts
        >>> from onshore.services.policy import load_engine
        >>> rules = ThresholdRules(load_engine(["vn"]), EntityFacts(incorporated_in="VN"))
        >>> d = ThresholdDecisions(rules)
        >>> a = d.applied("account", "VN", "2026-11-20", {"vn_followers": 12000.0})
        >>> b = d.applied("account", "VN", "2026-11-20", {"vn_followers": 15000.0})
        >>> [r["rule_id"] for r in a] == [r["rule_id"] for r in b], d.evaluations
        (True, 1)
    """

    def __init__(self, rules: ThresholdRules) -> None:
        self.rules = rules
        self.tests = metric_tests(cr.rule for cr in rules.engine.rules)
        self._known: dict[_Key, list[dict[str, Any]]] = {}
        #: How many times the engine was asked (the rest were answered from the cache).
        self.evaluations = 0

    def applied(
        self, subject_type: str, country: str, day: str, metrics: Mapping[str, float]
    ) -> list[dict[str, Any]]:
        """The applying rules (as ``AudienceService.evaluate`` lists them), a fresh copy."""
        holds = tuple(metric_holds(t, metrics.get(t.metric)) for t in self.tests)
        key = (subject_type, country, day, holds)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self.decide(subject_type, country, day, metrics)
            self.evaluations += 1
        return [dict(a) for a in found]

    def decide(
        self, subject_type: str, country: str, day: str, metrics: Mapping[str, float]
    ) -> list[dict[str, Any]]:
        """Ask the engine (op ``threshold``, ``threshold_met`` at the day's start)."""
        rules, engine = self.rules, self.rules.engine
        at = datetime.fromisoformat(day).replace(tzinfo=UTC)
        facts = Facts(
            rules.entity_for(subject_type),
            subject_country=country,
            metrics=metrics,
            events={"threshold_met": at},
        )
        decision = engine.evaluate("threshold", facts, at)
        dues = {o.rule_id: o for o in decision.obligations if o.kind in NOTIFY_TYPES}
        notify_ids = {r.id for r in rules.threshold_rules}
        applied = []
        for trace in decision.considered:
            if not trace.applied or trace.rule_id not in notify_ids:
                continue
            rule = engine.rule(trace.rule_id)
            req = next(q for q in rule.require if q.type in NOTIFY_TYPES)
            o = dues.get(trace.rule_id)
            applied.append(
                {
                    "rule_id": rule.id,
                    "title": rule.title,
                    "cite": rule.cite,
                    "status": req.status or rule.status,
                    "enforced": o is not None,
                    "requirement": req.type,
                    "to": req.to,
                    "form": req.form,
                    "due": o.due.isoformat() if o and o.due else None,
                    "pack": engine.pack_of(rule.id),
                }
            )
        return applied


class ThresholdStep:
    """Evaluates subjects against the threshold rules and keeps their obligation cases, for
    one audience store whose cases live in ``region`` (see the module docstring)."""

    def __init__(self, store: Any, cases: CaseService, region: str, rules: ThresholdRules) -> None:
        self.store = store
        self.cases = cases
        self.region = region
        self.rules = rules

    def evaluate(
        self,
        subject_id: str,
        subject_type: str,
        country: str,
        day: str,
        *,
        decisions: ThresholdDecisions | None = None,
    ) -> tuple[dict[str, float], list[dict[str, Any]]]:
        """The metrics on ``day`` and the notify/register rules that apply then
        (``decisions`` reuses the engine's answers for alike metrics, as an ingest does)."""
        since = month_before(day[:7], 5) + "-01"
        series = self.store.series(subject_id, country, since=since, until=day)
        metrics = metrics_as_of(series, country, day)
        if decisions is None:
            fresh = ThresholdDecisions(self.rules).decide(subject_type, country, day, metrics)
            return metrics, fresh
        return metrics, decisions.applied(subject_type, country, day, metrics)

    def apply(
        self,
        candidates: Sequence[tuple[str, str, str, str]],
        report: IngestReport,
        principal: Principal,
    ) -> None:
        """Evaluate each candidate ``(subject, type, country, day)``: open an obligation for
        a rule newly applying (all opened together at the end), ``record_above`` on an open
        one that had fallen below, ``record_below`` on one that no longer applies; keep the
        subject's threshold state (all written together). Runs inside the ingest's
        transaction."""
        cases = self.cases
        states = self.store.states()
        decisions = ThresholdDecisions(self.rules)
        openings: list[Opening] = []
        states_out: list[tuple[str, str, dict[str, Any]]] = []
        for subject_id, subject_type, country, day in candidates:
            report.evaluated += 1
            metrics, applied = self.evaluate(
                subject_id, subject_type, country, day, decisions=decisions
            )
            state = states.get((subject_id, country)) or {"rules": {}}
            state["subject_type"] = subject_type
            rules = state.setdefault("rules", {})
            now_above = {a["rule_id"]: a for a in applied}
            for rule_id, a in now_above.items():
                known = rules.get(rule_id)
                case = cases.get(known["case_id"]) if known else None
                if case is None or case.state not in OPEN_STATES:
                    data = {
                        "subject_id": subject_id,
                        "subject_type": subject_type,
                        "country": country,
                        "rule": a,
                        "crossed_on": day,
                        "metrics": metrics,
                        "due": a["due"],
                        "below": False,
                    }
                    due = datetime.fromisoformat(a["due"]) if a["due"] else None
                    case_id = cases.new_case_id(KIND)
                    note = {"metrics": metrics, "on": day}
                    openings.append(Opening(KIND, data, case_id=case_id, due_at=due, note=note))
                    report.opened.append(case_id)
                else:
                    case_id = case.case_id
                    if not known or not known.get("above"):
                        cases.apply(
                            case_id,
                            "record_above",
                            principal=principal,
                            note={"metrics": metrics, "on": day},
                            merge={"below": False, "metrics": metrics},
                        )
                        report.above.append(case_id)
                rules[rule_id] = {"case_id": case_id, "above": True, "since": day}
            for rule_id, known in rules.items():
                if rule_id in now_above or not known.get("above"):
                    continue
                case = cases.get(known["case_id"])
                if case.state in OPEN_STATES:
                    cases.apply(
                        case.case_id,
                        "record_below",
                        principal=principal,
                        note={"metrics": metrics, "on": day},
                        merge={"below": True, "below_since": day, "metrics": metrics},
                    )
                    report.below.append(case.case_id)
                known.update(above=False, since=day)
            states_out.append((subject_id, country, state))
        self.store.put_states(states_out)
        cases.open_many(self.region, openings, principal=principal)
