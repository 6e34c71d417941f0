"""Vectorised column scanning: a column verdict applied to a whole Arrow column at once.

Recognizers with whole-value regexes (``cell_patterns``: Vietnamese phones, CCCD, e-mail,
IPv4) run as Arrow RE2 kernels over the column; the others run in Python once per distinct
value (names repeat; the dictionary encoding makes that cheap); free-text columns are
pre-filtered with one RE2 alternation of every pattern, and only matching cells go through
``TextClassifier``. Results are identical to ``onshore.core.classify.column.cell_findings``
cell by cell (a test checks it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onshore.core.classify import TextClassifier
from onshore.core.classify.column import NAME_BOOST, NAME_CONFIDENCE, PLACEHOLDERS, ColumnVerdict
from onshore.core.classify.recognizer import Recognizer
from onshore.core.classify.registry import default_registry
from onshore.services.scan.blocks import Block

THRESHOLD = 0.5


@lru_cache(maxsize=1)
def text_classifier() -> TextClassifier:
    """The shared free-text classifier of this process."""
    return TextClassifier()


@lru_cache(maxsize=1)
def _any_pattern() -> str:
    pats = [p for r in default_registry().all() for p in r.patterns]
    return "|".join(f"(?:{p})" for p in pats)


def _mask(arr: pa.Array) -> np.ndarray:
    filled = pc.fill_null(arr, False).to_numpy(zero_copy_only=False)
    result: np.ndarray = np.asarray(filled, dtype=bool)
    return result


def usable(column: pa.Array) -> np.ndarray:
    """Cells that are neither null nor a placeholder (``n/a``, ``-``, ``không``...)."""
    trimmed = pc.utf8_lower(pc.utf8_trim_whitespace(column))
    placeholder = pc.is_in(trimmed, value_set=pa.array(sorted(PLACEHOLDERS)))
    keep: np.ndarray = _mask(pc.invert(placeholder)) & _mask(pc.is_valid(column))
    return keep


@dataclass
class _Python:
    """Per-distinct-value results of a Python check over some cells."""

    pos: np.ndarray
    confidence: np.ndarray
    country: np.ndarray


#: Per-process memo of Python checks: (recognizer, value) -> score (values repeat across batches).
_MEMO: dict[tuple[str, str], float | None] = {}
_MEMO_MAX = 200_000


def _checked(rec: Recognizer, value: str) -> float | None:
    key = (rec.name, value)
    try:
        return _MEMO[key]
    except KeyError:
        pass
    score = rec.check(value)
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = score
    return score


def _python_check(rec: Recognizer, column: pa.Array, pos: np.ndarray, boost: float) -> _Python:
    if len(pos) == 0:
        return _Python(pos, np.empty(0), np.empty(0, dtype=object))
    subset = column.take(pa.array(pos))
    encoded = pc.dictionary_encode(subset)
    uniques = encoded.dictionary.to_pylist()
    conf = np.full(len(uniques), np.nan)
    country = np.empty(len(uniques), dtype=object)
    for i, value in enumerate(uniques):
        score = _checked(rec, value)
        if score is not None and score + boost >= THRESHOLD:
            conf[i] = min(1.0, score + boost)
            country[i] = rec.country_of(value)
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    per_cell = conf[idx]
    ok = ~np.isnan(per_cell)
    return _Python(pos[ok], np.round(per_cell[ok], 3), country[idx][ok])


def _detector_blocks(
    verdict: ColumnVerdict, column: pa.Array, rows: np.ndarray, remaining: np.ndarray
) -> list[Block]:
    blocks: list[Block] = []
    for rec in verdict.detectors:
        boost = NAME_BOOST if rec.category == verdict.named else 0.0
        if rec._compiled:
            norm = pc.utf8_trim_whitespace(column)
            if rec.cell_strip:
                norm = pc.replace_substring_regex(norm, "[" + re.escape(rec.cell_strip) + "]", "")
            for pattern, base in rec.cell_patterns:
                score = min(1.0, base + boost)
                hit = _mask(pc.match_substring_regex(norm, f"^(?:{pattern})$")) & remaining
                if score < THRESHOLD or not hit.any():
                    continue
                remaining &= ~hit
                pos = np.flatnonzero(hit)
                blocks.append(
                    Block(
                        pos,
                        rows[pos],
                        verdict.column,
                        rec.category,
                        rec.name,
                        round(score, 3),
                        rec.country_code,
                    )
                )
            if rec.cell_exact:
                continue
        checked = _python_check(rec, column, np.flatnonzero(remaining), boost)
        if len(checked.pos):
            remaining[checked.pos] = False
            blocks.append(
                Block(
                    checked.pos,
                    rows[checked.pos],
                    verdict.column,
                    rec.category,
                    rec.name,
                    checked.confidence,
                    checked.country,
                )
            )
    return blocks


def _text_blocks(
    verdict: ColumnVerdict, column: pa.Array, rows: np.ndarray, ok: np.ndarray
) -> list[Block]:
    blocks: list[Block] = []
    if verdict.named:
        pos = np.flatnonzero(ok)
        blocks.append(
            Block(pos, rows[pos], verdict.column, verdict.named, "column_name", NAME_CONFIDENCE)
        )
    hit = _mask(pc.match_substring_regex(column, _any_pattern())) & ok
    cand = np.flatnonzero(hit)
    if not len(cand):
        return blocks
    clf = text_classifier()
    grouped: dict[tuple[str, str], list[tuple[int, int, int, float, str | None]]] = {}
    cache: dict[str, list[tuple[str, str, int, int, float, str | None]]] = {}
    for p, value in zip(cand.tolist(), column.take(pa.array(cand)).to_pylist(), strict=True):
        found = cache.get(value)
        if found is None:
            found = [
                (f.category, f.detector, f.start or 0, f.end or 0, f.confidence, f.country)
                for f in clf.findings(value)
            ]
            if len(cache) < 65536:
                cache[value] = found
        for category, detector, start, end, conf, country in found:
            grouped.setdefault((category, detector), []).append((p, start, end, conf, country))
    for (category, detector), items in grouped.items():
        pos = np.array([i[0] for i in items], dtype=np.int64)
        blocks.append(
            Block(
                pos,
                rows[pos],
                verdict.column,
                category,
                detector,
                np.array([i[3] for i in items]),
                np.array([i[4] for i in items], dtype=object),
                np.array([i[1] for i in items], dtype=np.int64),
                np.array([i[2] for i in items], dtype=np.int64),
            )
        )
    return blocks


def scan_column(verdict: ColumnVerdict, column: pa.Array, rows: np.ndarray) -> list[Block]:
    """Every finding of one column of a batch, as blocks (``rows`` are data-row numbers)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not (verdict.detectors or verdict.name_only or verdict.free_text):
        return []
    ok = usable(column)
    if verdict.free_text:
        return _text_blocks(verdict, column, rows, ok)
    remaining = ok.copy()
    blocks = _detector_blocks(verdict, column, rows, remaining) if verdict.detectors else []
    if verdict.name_only:
        pos = np.flatnonzero(remaining)
        blocks.append(
            Block(pos, rows[pos], verdict.column, verdict.name_only, "column_name", NAME_CONFIDENCE)
        )
    return blocks
