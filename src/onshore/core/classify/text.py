"""Free-text classification: character spans of personal data in a text.

Every recognizer's patterns go into one ``PatternEngine``; candidates are checked at word
boundaries, validated (checksum, numbering plan, vocabulary), then scored with context:
a context word within ``WINDOW`` characters before the match raises the confidence, a decoy
word right next to it (``order``, ``tracking``, ``price``...) lowers it. Overlaps keep the
best candidate; an address keeps the street name inside it.

Example:
    >>> clf = TextClassifier()
    >>> [(f.category, f.start, f.end) for f in clf.findings("Gọi anh An: 0912 345 678")]
    [('phone_number', 12, 24)]
    >>> clf.findings("Đơn hàng #0912345678 đã giao")
    []
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from onshore.core.classify.context import DECOY_WORDS, WordIndex
from onshore.core.classify.finding import Finding
from onshore.core.classify.patterns import PatternEngine
from onshore.core.classify.recognizer import Recognizer, fold
from onshore.core.classify.registry import Registry, default_registry

WINDOW = 48
NEAR = 20
THRESHOLD = 0.5
#: Categories whose matches are numbers, where decoy words apply.
NUMERIC = frozenset(
    {"phone_number", "national_id", "card_number", "bank_account", "tax_id", "passport_number"}
)
_SEP_TAIL = re.compile(r"[\s.\-/]+[^\s.\-/]*$")
_JOINERS = ".-/,"


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    confidence: float
    recognizer: Recognizer
    reason: str


def _start_ok(text: str, start: int, colon: bool, joiners: str) -> bool:
    if start == 0:
        return True
    before = text[start - 1]
    if before.isalnum() or before == "_" or (colon and before == ":"):
        return False
    return not (before in joiners and start > 1 and text[start - 2].isalnum())


def _end_ok(text: str, start: int, end: int, colon: bool, joiners: str) -> bool:
    if end >= len(text):
        return True
    after = text[end]
    if after.isalnum() or after == "_" or (colon and after == ":"):
        return False
    if after == "@" and not text[start:end].replace(".", "").isdigit():
        return False
    return not (after in joiners and end + 1 < len(text) and text[end + 1].isalnum())


def _boundary_ok(text: str, start: int, end: int, category: str) -> bool:
    colon = ":" in text[start:end]
    joiners = ".-," if category == "ip_address" else _JOINERS
    if not (_start_ok(text, start, colon, joiners) and _end_ok(text, start, end, colon, joiners)):
        return False
    if category == "phone_number":  # a piece of a longer run of digit groups is no number
        if start > 1 and text[start - 1] in " .-" and text[start - 2].isdigit():
            return False
        if end + 1 < len(text) and text[end] in " .-" and text[end + 1].isdigit():
            return False
    return True


def _run_end(text: str, start: int) -> int:
    """End of the word (alphanumeric run) that starts at ``start``; at least ``start + 1``."""
    end = start + 1
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return end


def _clause_start(before: str) -> int:
    """Offset in ``before`` where the current sentence starts (after the last ``. ``)."""
    cut = max(before.rfind(". "), before.rfind("! "), before.rfind("? "))
    return cut + 2 if cut >= 0 else 0


def _non_overlapping(cands: list[_Candidate]) -> list[_Candidate]:
    """The candidates, in preference order, that overlap none kept before; by position.

    The kept spans are disjoint, so their starts and ends are both sorted: one binary search
    finds the only two neighbours a new span could overlap (linear in the candidates, where
    comparing each with every kept one was quadratic).
    """
    starts: list[int] = []
    ends: list[int] = []
    kept: list[_Candidate] = []
    for cand in cands:
        i = bisect_right(starts, cand.start)
        if i > 0 and ends[i - 1] > cand.start:
            continue
        if i < len(starts) and starts[i] < cand.end:
            continue
        starts.insert(i, cand.start)
        ends.insert(i, cand.end)
        kept.insert(i, cand)
    return kept


class TextClassifier:
    """Finds personal data in free text with the recognizers of a registry."""

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        threshold: float = THRESHOLD,
        use_re2: bool = True,
    ) -> None:
        reg = registry or default_registry()
        self.threshold = threshold
        self._owners: list[Recognizer] = []
        patterns: list[str] = []
        lengths: list[int | None] = []
        anchors: list[str | None] = []
        for rec in reg.all():
            for pattern in rec.patterns:
                patterns.append(pattern)
                lengths.append(rec.max_match)
                anchors.append(rec.anchor if rec.max_match else None)
                self._owners.append(rec)
        self.engine = PatternEngine(patterns, use_re2=use_re2, max_lengths=lengths, anchors=anchors)
        self._order = {r.name: i for i, r in reversed(list(enumerate(self._owners)))}

    def _score(
        self, text: str, words: WordIndex, start: int, end: int, rec: Recognizer
    ) -> tuple[float, str] | None:
        base = None
        if not rec.needs_context:  # validators refuse most candidates: ask them first
            base = rec.validate(text[start:end])
            if base is None:
                return None
        w0 = max(0, start - rec.context_window)
        c0 = w0 + _clause_start(text[w0:start])  # context does not cross a sentence end
        a1 = min(len(text), end + NEAR)
        for stop in (". ", "! ", "? "):
            cut = text.find(stop, end, a1)
            if cut >= 0:
                a1 = cut
        hit = words.window_word(c0, start, rec.context)
        if hit is None and not rec.needs_context:
            hit = words.window_word(end, min(a1, end + 16), rec.context)
        if hit is None and rec.needs_context:
            return None
        if base is None:
            base = rec.validate(text[start:end])
            if base is None:
                return None
        reason = f"{rec.name}: valid"
        score = base
        if hit is not None:
            score = min(1.0, score + rec.context_boost)
            reason += f"; context {hit!r}"
        n0 = max(0, start - NEAR)
        if rec.category in NUMERIC and words.window_word(max(n0, c0), start, rec.context) is None:
            after = min(a1, end + 12)
            comma = text.find(",", end, after)  # ``0912 345 678, giá 50.000đ``: next phrase
            decoy = words.window_word(n0, start, DECOY_WORDS) or words.window_word(
                end, after if comma < 0 else comma, DECOY_WORDS
            )
            if decoy is None and text[n0:start].rstrip().endswith("#"):
                decoy = "#"
            if decoy is not None:
                score = base - 0.5  # a decoy word next to it outweighs context further away
                reason += f"; decoy {decoy!r}"
        if rec.negative_context:
            neg = words.window_word(
                max(c0, start - rec.negative_window), start, rec.negative_context
            ) or (words.window_word(end, min(a1, end + 12), rec.negative_context))
            if neg is not None:
                score -= 0.6
                reason += f"; not {neg!r}"
        return (score, reason)

    def _candidate(
        self, text: str, words: WordIndex, start: int, end: int, rec: Recognizer
    ) -> _Candidate | None:
        joiners = ".-," if rec.category == "ip_address" else _JOINERS
        if not _start_ok(text, start, ":" in text[start:end], joiners):
            return None
        for _ in range(4):
            while end > start and text[end - 1] in " \t.-,":
                end -= 1
            if end > start and _boundary_ok(text, start, end, rec.category):
                scored = self._score(text, words, start, end, rec)
                if scored is not None:
                    return _Candidate(start, end, scored[0], rec, scored[1])
            tail = _SEP_TAIL.search(text, start, end)
            if tail is None or tail.start() <= start:
                return None
            end = tail.start()
        return None

    def candidates(self, text: str) -> list[_Candidate]:
        """Every validated candidate above the threshold, overlaps included."""
        found: list[_Candidate] = []
        indexes = self.engine.candidates(text)
        if not indexes:
            return found
        folded = fold(text)
        words = WordIndex(folded if len(folded) == len(text) else text.lower())
        seen: set[tuple[int, int, str]] = set()
        present: dict[str, bool] = {}
        for index in indexes:
            rec = self._owners[index]
            if rec.needs_context:  # no context word anywhere in the text: nothing to report
                if rec.name not in present:
                    present[rec.name] = any(f" {w} " in words.padded for w in rec.context)
                if not present[rec.name]:
                    continue
            pos = 0
            while (span := self.engine.search(index, text, pos)) is not None:
                cand = self._candidate(text, words, span[0], span[1], rec)
                if cand is None or cand.confidence < self.threshold:
                    pos = _run_end(text, span[0])  # retry after this word: ``1881 4012-...``
                    continue
                pos = max(cand.end, span[0] + 1)
                key = (cand.start, cand.end, rec.name)
                if key not in seen:
                    seen.add(key)
                    found.append(cand)
        return found

    def findings(self, text: str) -> list[Finding]:
        """Non-overlapping findings in ``text``, ordered by position."""
        cands = self.candidates(text)
        if not cands:
            return []
        order = self._order
        cands.sort(
            key=lambda c: (
                c.recognizer.category != "address",
                -round(c.confidence, 3),
                -(c.end - c.start),
                order[c.recognizer.name],
            )
        )
        kept = _non_overlapping(cands)
        return [
            Finding(
                category=c.recognizer.category,
                detector=c.recognizer.name,
                confidence=round(min(1.0, c.confidence), 3),
                start=c.start,
                end=c.end,
                country=c.recognizer.country_of(text[c.start : c.end]),
                reason=c.reason,
            )
            for c in kept
        ]
