"""Column verdicts: what a table column holds, from its name plus a sample of its values.

The name (``column_names``) gives a category; the sample tells which recognizers fit the
values. Cells are then classified with only the recognizers that fit (``cell_findings``),
which is what makes column scans both accurate and fast. Columns of prose (posts, notes,
logs) are read as free text instead. Special categories with no value format (religion,
political opinion, health...) come from the name alone: every non-empty cell of a column
called ``ton_giao`` is a religion finding.

Example:
    >>> v = classify_column("contact", ["0912 345 678", "+84 91 234 5678", "", "n/a"])
    >>> sorted(v.categories), v.free_text
    (['phone_number'], False)
    >>> [f.detector for f in cell_findings(v, "0987654321")]
    ['vn_phone']
    >>> classify_column("order_id", ["ORD-1", "ORD-2"]).categories
    frozenset()
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from onshore.core.classify.column_names import name_match
from onshore.core.classify.finding import Finding
from onshore.core.classify.recognizer import Recognizer
from onshore.core.classify.registry import Registry, default_registry
from onshore.core.classify.text import TextClassifier
from onshore.core.classify.value import _shape_candidates, value_findings

#: Share of sampled non-empty values a recognizer must fit to define the column.
FIT = 0.6
#: With a name that agrees, a lower share is enough (some cells are malformed).
FIT_NAMED = 0.3
#: Confidence of a finding that rests on the column name alone.
NAME_CONFIDENCE = 0.8
NAME_BOOST = 0.1
PROSE = frozenset({"user_content", "system_log"})
#: Cell values that mean "no value" (a "Không" in a religion column is an answer, not empty).
PLACEHOLDERS = frozenset({"", "-", "--", "n/a", "na", "null", "none", "nil", "unknown", "0"})


@dataclass(frozen=True, slots=True)
class ColumnVerdict:
    """What a column holds and how its cells are to be read.

    ``named`` is the category the name gives; ``detectors`` the recognizers whose formats the
    sampled values fit (cells are checked with these); ``name_only`` the category a non-empty
    cell gets from the name when no detector accepts it (or when there are none); ``free_text``
    means cells are prose, scanned for spans. ``reason`` explains the verdict in one line.
    """

    column: str
    named: str | None
    detectors: tuple[Recognizer, ...] = ()
    name_only: str | None = None
    free_text: bool = False
    reason: str = ""
    fit: dict[str, float] = field(default_factory=dict)

    @property
    def categories(self) -> frozenset[str]:
        """Every category this column's cells can yield (free text: its name's, if any)."""
        cats = {r.category for r in self.detectors}
        if self.name_only:
            cats.add(self.name_only)
        if self.free_text and self.named:
            cats.add(self.named)
        return frozenset(cats)


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is an empty marker (``""``, ``n/a``, ``null``, ``không``...)."""
    return value.strip().lower() in PLACEHOLDERS


def _is_prose(values: Sequence[str]) -> bool:
    if not values:
        return False
    wordy = sum(1 for v in values if v.count(" ") >= 3 or len(v) > 60)
    return wordy / len(values) >= 0.3


def _shapeless(values: Sequence[str], reg: Registry) -> bool:
    """Whether no recognizer could accept any of ``values``, alone or column-wide."""
    if any(_shape_candidates(v.strip(), reg) for v in values):
        return False
    return all(r.column_fit(values) is None for r in reg.all() if r.column_fit)


def classify_column(
    name: str, sample: Sequence[object], registry: Registry | None = None
) -> ColumnVerdict:
    """The verdict for column ``name`` given a sample of its values (None/non-strings ok)."""
    reg = registry or default_registry()
    match = name_match(name)
    named = match[0] if match else None
    values = [str(v) for v in sample if v is not None and not is_placeholder(str(v))]
    values = [v for v in values if len(v) <= 4096] or values[:0]
    if named in PROSE:
        return ColumnVerdict(name, named, free_text=True, reason=f"name {match[1]!r}: prose")  # type: ignore[index]
    if named is None and _shapeless(values, reg) and not _is_prose(values):
        # values of no known shape under a name that says nothing (most columns of a wide
        # table): the full path below reaches the same verdict, slower
        return ColumnVerdict(name, None, reason="nothing recognised", fit={})
    counts: Counter[str] = Counter()
    by_name: dict[str, Recognizer] = {}
    for value in values:
        for f in value_findings(value, reg, include_contextual=named is not None):
            rec = reg.get(f.detector)
            if rec is None or (rec.needs_context and rec.category != named):
                continue
            counts[rec.name] += 1
            by_name[rec.name] = rec
    n = max(1, len(values))
    fit = {k: round(c / n, 3) for k, c in counts.items()}
    chosen: list[Recognizer] = []
    for rec_name, share in sorted(fit.items(), key=lambda kv: -kv[1]):
        rec = by_name[rec_name]
        strict = rec.category == "ethnicity" and named != "ethnicity"
        need = FIT_NAMED if rec.category == named else (0.9 if strict else FIT)
        if share >= need:
            chosen.append(rec)
    if named in {r.category for r in chosen}:  # the name is confirmed: every format of it
        chosen += [r for n, r in by_name.items() if r.category == named and r not in chosen]
    if not chosen and sum(fit.values()) >= FIT and not named:
        chosen = [by_name[k] for k, s in fit.items() if s >= 0.2]
    if not chosen and not named:  # formats trusted only column-wide (9-digit CMND)
        for rec in reg.all():
            column_share = rec.column_fit(values) if rec.column_fit else None
            if column_share is not None:
                fit[rec.name] = round(column_share, 3)
                chosen.append(rec)
    if named and named not in {r.category for r in chosen}:
        if chosen and named in {"person_name", "address"}:
            pass  # values say better (a "name" column of e-mail addresses)
        elif not chosen:
            reason = f"name {match[1]!r}"  # type: ignore[index]
            return ColumnVerdict(name, named, name_only=named, reason=reason, fit=fit)
    if chosen:
        parts = ", ".join(f"{r.name} {fit[r.name]:.0%}" for r in chosen)
        reason = (f"name {match[1]!r}; " if match else "") + f"values fit {parts}"
        # the name and the values agree: cells no recognizer accepts (a foreign name in a
        # full_name column) still hold that category, on the name's word
        fallback = named if named in {r.category for r in chosen} else None
        return ColumnVerdict(
            name, named, detectors=tuple(chosen), name_only=fallback, reason=reason, fit=fit
        )
    if _is_prose(values):
        return ColumnVerdict(name, named, free_text=True, reason="values are prose", fit=fit)
    return ColumnVerdict(name, named, reason="nothing recognised", fit=fit)


@lru_cache(maxsize=1)
def _text() -> TextClassifier:
    return TextClassifier()


def cell_findings(
    verdict: ColumnVerdict, value: object, text: TextClassifier | None = None
) -> list[Finding]:
    """Findings in one cell of a column with ``verdict`` (the reference, per-cell path)."""
    if value is None:
        return []
    raw = str(value)
    if is_placeholder(raw):
        return []
    if verdict.free_text:
        found = (text or _text()).findings(raw)
        if verdict.named:
            found.insert(
                0, Finding(verdict.named, "column_name", NAME_CONFIDENCE, reason=verdict.reason)
            )
        return found
    out: list[Finding] = []
    for rec in verdict.detectors:
        score = rec.check(raw)
        if score is None:
            continue
        if rec.category == verdict.named:
            score = min(1.0, score + NAME_BOOST)
        if score < 0.5:
            continue
        out.append(
            Finding(
                rec.category,
                rec.name,
                round(score, 3),
                country=rec.country_of(raw),
                reason=verdict.reason,
            )
        )
        break
    if not out and verdict.name_only:
        out.append(
            Finding(verdict.name_only, "column_name", NAME_CONFIDENCE, reason=verdict.reason)
        )
    return out
