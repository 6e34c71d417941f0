"""The policy page's "explain" form: its fields read into policy facts, and the decision shown
as ``onshore policy explain`` shows it.

The form takes what ``onshore policy explain`` and ``POST /v1/decisions`` take: the
operation, the subject's country, the data categories, the storage region's and the
recipient's countries, the request kind, flags, artifacts held, the day, and optionally
another entity (incorporation country, sectors, roles, size, storage decisions); without
one the deployment's own entity decides. The decision comes from the deployment's engine
(``runtime.engine.evaluate``), exactly as the route asks it. A bare date means midnight in
the deployment's time zone. Bad input raises ``InputError`` (``UnknownCategory`` for a
category the taxonomy does not know), which the page shows next to the form.

Example:
    >>> words("a, b  c,,a")
    ('a', 'b', 'c')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

from onshore.core.errors import InputError
from onshore.core.policy import Decision, EntityFacts, Facts, PolicyEngine
from onshore.core.policy.model import OPS
from onshore.core.taxonomy import validate_categories

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
#: The form's fields, each a text (lists are comma- or space-separated).
FIELDS = (
    "op",
    "subject",
    "categories",
    "region_country",
    "destination_country",
    "request",
    "flags",
    "artifacts",
    "at",
    "entity_country",
    "sectors",
    "roles",
    "size",
    "storage_decisions",
)
SIZES = ("micro", "small", "medium", "large", "household", "startup")


def words(text: str) -> tuple[str, ...]:
    """Comma- or space-separated words, in order, each once."""
    return tuple(dict.fromkeys(w for w in re.split(r"[,\s]+", text.strip()) if w))


def _country(form: Mapping[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    if not _COUNTRY.match(value):
        raise InputError(
            f"{name} must be a two-letter country code", details={"field": name, "value": value}
        )
    return value.upper()


def _day(text: str, tz: tzinfo, now: datetime) -> datetime:
    text = text.strip()
    if not text:
        return now
    try:
        return datetime.combine(date.fromisoformat(text), time(), tz)
    except ValueError:
        raise InputError("at must be a date (YYYY-MM-DD)", details={"field": "at"}) from None


@dataclass(frozen=True, slots=True)
class Question:
    """What the form asks: the operation, the facts and the moment."""

    op: str
    facts: Facts
    at: datetime
    form: dict[str, str] = field(default_factory=dict)


def read_form(form: Mapping[str, str], entity: EntityFacts, tz: tzinfo, now: datetime) -> Question:
    """The form's fields as a question for the engine (``entity``: the deployment's)."""
    op = form.get("op", "store").strip() or "store"
    if op not in OPS:
        raise InputError(f"op must be one of {', '.join(OPS)}", details={"field": "op"})
    own = _country(form, "entity_country")
    size = form.get("size", "").strip() or None
    if size is not None and size not in SIZES:
        raise InputError(f"size must be one of {', '.join(SIZES)}", details={"field": "size"})
    if own is not None:
        entity = EntityFacts(
            own,
            frozenset(words(form.get("sectors", ""))),
            frozenset(words(form.get("storage_decisions", ""))),
            size,
            frozenset(words(form.get("roles", ""))),
        )
    facts = Facts(
        entity,
        subject_country=_country(form, "subject"),
        categories=validate_categories(words(form.get("categories", ""))),
        region_country=_country(form, "region_country"),
        destination_country=_country(form, "destination_country"),
        request=form.get("request", "").strip() or None,
        flags=frozenset(words(form.get("flags", ""))),
        artifacts=frozenset(words(form.get("artifacts", ""))),
    )
    kept = {k: str(form.get(k, "")) for k in FIELDS}
    return Question(op, facts, _day(form.get("at", ""), tz, now), kept)


@dataclass(frozen=True, slots=True)
class RuleCitation:
    """A deciding rule as the CLI shows it: title, citation, status, sources, pack."""

    id: str
    pack: str
    title: str
    cite: str
    status: str
    sources: tuple[str, ...]


def citation(engine: PolicyEngine, rule_id: str) -> RuleCitation:
    """The citation of ``rule_id`` (its sources by their titles in the pack)."""
    rule = engine.rule(rule_id)
    pack_id = engine.pack_of(rule_id)
    titles = next(p.sources for p in engine.packs if p.id == pack_id)
    return RuleCitation(
        rule_id,
        pack_id,
        rule.title,
        rule.cite,
        rule.status,
        tuple(titles.get(s, s) for s in rule.sources),
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """The decision and the citations of its deciding rules."""

    question: Question
    decision: Decision
    rules: tuple[RuleCitation, ...]

    @property
    def applied(self) -> int:
        """How many rules applied."""
        return sum(1 for t in self.decision.considered if t.applied)


def explain(engine: PolicyEngine, question: Question) -> Answer:
    """Ask ``engine`` (the deployment's) and cite the deciding rules."""
    decision = engine.evaluate(question.op, question.facts, question.at)
    rules = tuple(citation(engine, r) for r in decision.deciding_rules)
    return Answer(question, decision, rules)
