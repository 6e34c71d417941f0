"""Score the classifier on the labelled free-text corpus (``tests/fixtures/freetext``).

Text items: a finding matches a labelled span of the same category whose intersection over
union with it is at least 0.5 (each label matches once). Column items: the column's verdict
(``classify_column``) must give exactly the labelled categories. Person names and addresses
are not labelled in this corpus (the table corpus of ``tests/classify/corpus.py`` measures
them), so findings of those two categories are not scored here; every other finding is,
including any religion, political-opinion or ethnicity finding (always a false positive:
nothing in free text may produce one).

Example:
    >>> s = score_items([{"kind": "text", "text": "SĐT 0912 345 678",
    ...                   "spans": [{"start": 4, "end": 16, "category": "phone_number"}]}])
    >>> s.overall.f1
    1.0
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from onshore.core.classify import TextClassifier
from onshore.core.classify.column import classify_column
from tests.classify.scoring import Counts, Scores
from tests.fixtures.freetext.build import number

PARTS = ("tuning", "held_out", "held_out_b")
#: Categories this corpus does not label (findings of these are ignored).
UNSCORED = frozenset({"person_name", "address"})
#: Categories the corpus labels (reported even when a part has no finding of them).
LABELLED = ("email", "phone_number", "health", "national_id", "date_of_birth")
#: Special categories free text must never yield.
NEVER = ("religion", "political_opinion", "ethnicity")


def load(part: str) -> list[dict[str, Any]]:
    """The items of one part (``tuning``, ``held_out`` or ``held_out_b``), rendered from its
    seeded script (the same items every time; nothing generated is committed)."""
    module = importlib.import_module(f"tests.fixtures.freetext.{part}")
    return number(part, module.build())


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _count(scores: Scores, category: str, kind: str) -> None:
    for counts in (scores.by_category[category], scores.overall):
        setattr(counts, kind, getattr(counts, kind) + 1)


def score_items(items: Iterable[dict[str, Any]], clf: TextClassifier | None = None) -> Scores:
    """Precision, recall and F1 per category and overall over ``items``."""
    clf = clf or TextClassifier()
    scores = Scores()
    for cat in (*LABELLED, *NEVER):
        scores.by_category.setdefault(cat, Counts())
    for item in items:
        if item["kind"] == "column":
            _score_column(scores, item)
        else:
            _score_text(scores, item, clf)
    return scores


def _score_text(scores: Scores, item: dict[str, Any], clf: TextClassifier) -> None:
    text = item["text"]
    labels = [(s["start"], s["end"], s["category"]) for s in item["spans"]]
    used = [False] * len(labels)
    for f in clf.findings(text):
        if f.category in UNSCORED or f.start is None or f.end is None:
            continue
        match = next(
            (
                i
                for i, (a, b, cat) in enumerate(labels)
                if not used[i] and cat == f.category and _iou((a, b), (f.start, f.end)) >= 0.5
            ),
            None,
        )
        if match is None:
            _count(scores, f.category, "fp")
            scores.false_positives.append(
                {
                    "id": item.get("id"),
                    "category": f.category,
                    "text": text[f.start : f.end],
                    "in": text,
                    "reason": f.reason,
                }
            )
        else:
            used[match] = True
            _count(scores, f.category, "tp")
    for i, (a, b, cat) in enumerate(labels):
        if not used[i]:
            _count(scores, cat, "fn")
            scores.false_positives.append(
                {"id": item.get("id"), "category": cat, "missed": text[a:b], "in": text}
            )


def _score_column(scores: Scores, item: dict[str, Any]) -> None:
    verdict = classify_column(item["column"], item["values"])
    predicted = set(verdict.categories) - UNSCORED
    expected = set(item["categories"])
    for cat in predicted | expected:
        kind = "tp" if cat in predicted and cat in expected else "fp" if cat in predicted else "fn"
        _count(scores, cat, kind)
        if kind != "tp":
            scores.false_positives.append(
                {
                    "id": item.get("id"),
                    "category": cat,
                    kind: item["column"],
                    "reason": verdict.reason,
                }
            )


def score_part(part: str, clf: TextClassifier | None = None) -> Scores:
    """Scores on one part of the corpus."""
    return score_items(load(part), clf)
