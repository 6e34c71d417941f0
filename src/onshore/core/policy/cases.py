"""Pack test cases (``cases.yaml``): facts -> the expected decision and obligations.

Every pack ships cases; each names the rules it ``covers`` (they must apply in it), and the
test suite fails when a rule of the pack is covered by no case.

Example:
    >>> cf = parse_cases("pack: vn\\ncases: []\\n", "cases.yaml")
    >>> cf.pack
    'vn'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import Field, field_validator

from onshore.core.policy.bounds import date_in_range
from onshore.core.policy.decision import Decision
from onshore.core.policy.facts import EntityFacts, Facts
from onshore.core.policy.model import _Model
from onshore.core.policy.parse import validate
from onshore.core.policy.vocabulary import OPS


class CaseEntity(_Model):
    """The entity of a case (``EntityFacts``)."""

    incorporated_in: str = Field(description="Alpha-2 code.")
    sectors: list[str] = Field(default_factory=list, description="Sectors.")
    storage_decisions: list[str] = Field(default_factory=list, description="Fired decisions.")
    size: str | None = Field(None, description="Size class.")
    roles: list[str] = Field(default_factory=list, description="Roles.")
    data_subjects: int | None = Field(None, description="Number of data subjects.")


class CaseFacts(_Model):
    """The facts of a case (``Facts``)."""

    entity: CaseEntity = Field(description="The entity.")
    subject: str | None = Field(None, description="Subject country.")
    categories: list[str] = Field(default_factory=list, description="Data categories.")
    region: str | None = Field(None, description="Storage region country.")
    destination: str | None = Field(None, description="Recipient or reader country.")
    request: str | None = Field(None, description="Request kind.")
    flags: list[str] = Field(default_factory=list, description="Flags.")
    labels: list[str] = Field(default_factory=list, description="Data classes.")
    metrics: dict[str, float] = Field(default_factory=dict, description="Metrics.")
    events: dict[str, datetime] = Field(default_factory=dict, description="Event times.")
    artifacts: list[str] = Field(default_factory=list, description="Artifacts held.")
    decisions: list[str] = Field(default_factory=list, description="Decisions for this op.")

    @field_validator("events")
    @classmethod
    def _event_times(cls, value: dict[str, datetime]) -> dict[str, datetime]:
        for when in value.values():
            date_in_range(when.date())
        return value

    def build(self) -> Facts:
        """The engine's ``Facts``."""
        e = self.entity
        entity = EntityFacts(
            e.incorporated_in,
            frozenset(e.sectors),
            frozenset(e.storage_decisions),
            e.size,
            frozenset(e.roles),
            e.data_subjects,
        )
        return Facts(
            entity,
            subject_country=self.subject,
            categories=frozenset(self.categories),
            region_country=self.region,
            destination_country=self.destination,
            request=self.request,
            flags=frozenset(self.flags),
            labels=frozenset(self.labels),
            metrics=dict(self.metrics),
            events={k: _aware(v) for k, v in self.events.items()},
            artifacts=frozenset(self.artifacts),
            decisions=frozenset(self.decisions),
        )


class ExpectedObligation(_Model):
    """An obligation the decision must contain."""

    rule: str = Field(description="Rule id.")
    kind: str | None = Field(None, description="Requirement type.")
    due: datetime | None = Field(None, description="Exact due time.")


class Expect(_Model):
    """What the decision must look like (keys not given are not checked)."""

    outcome: str = Field(description="allow, deny or no_decision.")
    deciding: list[str] | None = Field(None, description="Exactly these deciding rules.")
    obligations: list[ExpectedObligation] = Field(default_factory=list, description="Present.")
    no_obligations_from: list[str] = Field(default_factory=list, description="Absent rules.")
    warnings: list[str] = Field(default_factory=list, description="Substrings of warnings.")
    applied: list[str] = Field(default_factory=list, description="Rules that applied.")
    not_applied: list[str] = Field(default_factory=list, description="Rules that did not.")
    resolution: list[str] = Field(default_factory=list, description="Substrings of resolution.")


class Case(_Model):
    """One case."""

    id: str = Field(description="Case id.")
    covers: list[str] = Field(description="Rules this case exercises (must apply); may be empty.")
    op: str = Field(description="Operation.")
    at: datetime = Field(description="Evaluation time.")
    packs: list[str] = Field(default_factory=list, description="Other packs to load too.")
    enforce_unconfirmed: bool = Field(False, description="Evaluate with enforcement.")
    facts: CaseFacts = Field(description="The facts.")
    expect: Expect = Field(description="The expectation.")

    @field_validator("at")
    @classmethod
    def _at(cls, value: datetime) -> datetime:
        date_in_range(value.date())
        return value


class CaseFile(_Model):
    """A ``cases.yaml`` file."""

    pack: str = Field(description="The pack these cases test.")
    cases: list[Case] = Field(description="The cases.")


def parse_cases(text: str, source: str) -> CaseFile:
    """Parse a ``cases.yaml`` text; faults -> ``PackError`` with file and line."""
    return validate(CaseFile, text, source)[0]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def check_case(case: Case, decision: Decision) -> list[str]:
    """Differences between ``decision`` and what ``case`` expects (empty when it passes)."""
    problems: list[str] = []
    exp = case.expect
    if case.op not in OPS:
        problems.append(f"unknown op {case.op!r}")
    if decision.outcome.value != exp.outcome:
        problems.append(f"outcome {decision.outcome.value}, expected {exp.outcome}")
    if exp.deciding is not None and set(decision.deciding_rules) != set(exp.deciding):
        problems.append(f"deciding {list(decision.deciding_rules)}, expected {exp.deciding}")
    applied = {t.rule_id for t in decision.considered if t.applied}
    for rid in (*case.covers, *exp.applied):
        if rid not in applied:
            trace = decision.trace(rid)
            problems.append(f"{rid} did not apply: {trace.reason if trace else 'not loaded'}")
    for rid in exp.not_applied:
        if rid in applied:
            problems.append(f"{rid} applied, expected not")
    for want in exp.obligations:
        found = [
            o
            for o in decision.obligations
            if o.rule_id == want.rule
            and (want.kind is None or o.kind == want.kind)
            and (want.due is None or o.due == _aware(want.due))
        ]
        if not found:
            have = [
                (o.rule_id, o.kind, o.due.isoformat() if o.due else None)
                for o in decision.obligations
            ]
            problems.append(f"missing obligation {want.rule} {want.kind} {want.due}; have {have}")
    for rid in exp.no_obligations_from:
        if any(o.rule_id == rid for o in decision.obligations):
            problems.append(f"unexpected obligation from {rid}")
    problems += _substrings("warning", exp.warnings, decision.warnings)
    problems += _substrings("resolution", exp.resolution, decision.resolution)
    return problems


def _substrings(what: str, wanted: Iterable[str], have: tuple[str, ...]) -> list[str]:
    return [
        f"no {what} containing {w!r} in {list(have)}"
        for w in wanted
        if not any(w in h for h in have)
    ]
