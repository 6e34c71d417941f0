"""Precision, recall and F1 of findings against corpus labels, per category and overall.

A finding matches a label with the same table, row, column and category; spans (free text)
must also overlap with an intersection over union of at least 0.5. Each label matches once.

Example:
    >>> from tests.classify.corpus import Label
    >>> labels = [Label("users", 0, "sdt", "phone_number")]
    >>> s = score(labels, [{"source": "users.csv", "row": 0, "column": "sdt",
    ...                     "category": "phone_number", "start": None, "end": None}])
    >>> s.overall.f1
    1.0
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from tests.classify.corpus import Label


@dataclass
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """TP / (TP + FP), 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN), 1.0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    """Per-category and overall (micro-averaged) counts; ``misses`` keeps examples."""

    by_category: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    overall: Counts = field(default_factory=Counts)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    false_negatives: list[Label] = field(default_factory=list)

    @staticmethod
    def _row(name: str, c: Counts) -> str:
        return (
            f"{name:<18} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.tp:6} {c.fp:5} {c.fn:5}"
        )

    def table(self) -> str:
        """A plain-text table of the scores."""
        lines = [f"{'category':<18} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>5} {'FN':>5}"]
        for cat in sorted(self.by_category):
            c = self.by_category[cat]
            lines.append(self._row(cat, c))
        lines.append(self._row("OVERALL", self.overall))
        return "\n".join(lines)


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def table_of(source: str) -> str:
    """``users.csv`` / ``app.db:users`` / ``.../users`` -> ``users``."""
    tail = source.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return PurePath(tail).stem


def score(labels: Iterable[Label], findings: Iterable[Mapping[str, Any]]) -> Scores:
    """Match findings (DESIGN §3 dicts) to labels."""
    scores = Scores()
    cells: dict[tuple[str, int, str, str], bool] = {}
    spans: dict[tuple[str, int, str, str], list[list[Any]]] = defaultdict(list)
    for lab in labels:
        key = (lab.table, lab.row, lab.column, lab.category)
        if lab.start is None:
            cells[key] = False
        else:
            spans[key].append([lab.start, lab.end, False, lab])
    for f in findings:
        key = (table_of(f["source"]), int(f["row"]), f["column"], f["category"])
        counts = scores.by_category[f["category"]]
        if f.get("start") is None:
            if key in cells and not cells[key]:
                cells[key] = True
                counts.tp += 1
                continue
        else:
            best = None
            for cand in spans.get(key, ()):
                if not cand[2] and _iou((f["start"], f["end"]), (cand[0], cand[1])) >= 0.5:
                    best = cand
                    break
            if best is not None:
                best[2] = True
                counts.tp += 1
                continue
        counts.fp += 1
        scores.false_positives.append(dict(f))
    for key, hit in cells.items():
        if not hit:
            scores.by_category[key[3]].fn += 1
            scores.false_negatives.append(Label(key[0], key[1], key[2], key[3]))
    for key, items in spans.items():
        for item in items:
            if not item[2]:
                scores.by_category[key[3]].fn += 1
                scores.false_negatives.append(item[3])
    for c in scores.by_category.values():
        scores.overall.tp += c.tp
        scores.overall.fp += c.fp
        scores.overall.fn += c.fn
    return scores
