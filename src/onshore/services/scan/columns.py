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


_PLACEHOLDER_SET = pa.array(sorted(PLACEHOLDERS), pa.string())
#: No placeholder is longer (in characters; lower-casing keeps the character count).
_PLACEHOLDER_CHARS = max(len(p) for p in PLACEHOLDERS)


def usable(column: pa.Array, trimmed: pa.Array | None = None) -> np.ndarray:
    """Cells that are neither null nor a placeholder (``n/a``, ``-``, ``không``...).

    ``trimmed`` is ``column`` with whitespace trimmed, when the caller has it. Only cells
    short enough to be a placeholder are lower-cased and looked up.

    Example:
        >>> usable(pa.array(["0912345678", " N/A ", None, "-"])).tolist()
        [True, False, False, False]
    """
    if trimmed is None:
        trimmed = pc.utf8_trim_whitespace(column)
    keep = _mask(pc.is_valid(column))
    short = _mask(pc.less_equal(pc.utf8_length(trimmed), _PLACEHOLDER_CHARS)) & keep
    pos = np.flatnonzero(short)
    if len(pos):
        lowered = pc.utf8_lower(trimmed.take(pa.array(pos)))
        keep[pos[_mask(pc.is_in(lowered, value_set=_PLACEHOLDER_SET))]] = False
    return keep


def _string_bytes(column: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of every cell of a string array, back to back (no copy)."""
    data = column.buffers()[2]
    if data is None or len(column) == 0:
        return np.empty(0, dtype=np.uint8)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)
    first, last = offsets[column.offset], offsets[column.offset + len(column)]
    raw: np.ndarray = np.frombuffer(data, dtype=np.uint8)[first:last]
    return raw


def stripped(column: pa.Array, chars: str) -> pa.Array:
    """``column`` without any of ``chars``; only the characters that occur are replaced.

    Example:
        >>> stripped(pa.array(["091 234.5678", None]), " .-()").to_pylist()
        ['0912345678', None]
    """
    if not chars:
        return column
    if not chars.isascii():
        return pc.replace_substring_regex(column, "[" + re.escape(chars) + "]", "")
    table = np.zeros(256, dtype=bool)
    table[list(chars.encode())] = True
    raw = _string_bytes(column)
    for byte in np.unique(raw[table[raw]]).tolist():
        column = pc.replace_substring(column, chr(byte), "")
    return column


@dataclass
class _Python:
    """Per-distinct-value results of a Python check over some cells."""

    pos: np.ndarray
    confidence: np.ndarray
    #: One country per cell, or one for all of them.
    country: np.ndarray | str | None


#: What a Python check made of a value: ``(confidence, country)``, or None when rejected.
_Outcome = tuple[float, str | None] | None
#: Per-process memo of Python checks, per (recognizer, name boost): value -> outcome
#: (values repeat across batches: names, cities...).
_MEMO: dict[tuple[str, float], dict[str, _Outcome]] = {}
_MEMO_MAX = 200_000


def _outcome(rec: Recognizer, value: str, boost: float) -> _Outcome:
    score = rec.check(value)
    if score is None or score + boost < THRESHOLD:
        return None
    return (min(1.0, score + boost), rec.country_of(value))


def _outcomes(rec: Recognizer, uniques: list[str], boost: float) -> list[_Outcome]:
    memo = _MEMO.setdefault((rec.name, boost), {})
    missing = object()
    got: list[object] = [memo.get(v, missing) for v in uniques]
    if len(memo) + len(uniques) > _MEMO_MAX:
        memo.clear()
    for i, value in enumerate(uniques):
        if got[i] is missing:
            got[i] = memo[value] = _outcome(rec, value, boost)
    return got  # type: ignore[return-value]


def _python_check(rec: Recognizer, column: pa.Array, pos: np.ndarray, boost: float) -> _Python:
    if len(pos) == 0:
        return _Python(pos, np.empty(0), np.empty(0, dtype=object))
    subset = column if len(pos) == len(column) else column.take(pa.array(pos))
    encoded = pc.dictionary_encode(subset)
    found = _outcomes(rec, encoded.dictionary.to_pylist(), boost)
    conf = np.array([np.nan if f is None else f[0] for f in found], dtype=np.float64)
    countries = {f[1] for f in found if f is not None}
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    per_cell = conf[idx]
    ok = ~np.isnan(per_cell)
    country: np.ndarray | str | None
    if len(countries) <= 1:  # one country (or none) for every accepted value
        country = next(iter(countries), None)
    else:
        by_value = np.array([None if f is None else f[1] for f in found], dtype=object)
        country = by_value[idx[ok]]
    return _Python(pos[ok], np.round(per_cell[ok], 3), country)


def _detector_blocks(
    verdict: ColumnVerdict,
    column: pa.Array,
    rows: np.ndarray,
    remaining: np.ndarray,
    trimmed: pa.Array,
) -> list[Block]:
    blocks: list[Block] = []
    normalised: dict[str, pa.Array] = {}
    for rec in verdict.detectors:
        boost = NAME_BOOST if rec.category == verdict.named else 0.0
        if rec._compiled:
            norm = normalised.get(rec.cell_strip)
            if norm is None:
                norm = normalised[rec.cell_strip] = stripped(trimmed, rec.cell_strip)
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
    trimmed = pc.utf8_trim_whitespace(column)
    ok = usable(column, trimmed)
    if verdict.free_text:
        return _text_blocks(verdict, column, rows, ok)
    remaining = ok.copy()
    blocks = (
        _detector_blocks(verdict, column, rows, remaining, trimmed) if verdict.detectors else []
    )
    if verdict.name_only:
        pos = np.flatnonzero(remaining)
        blocks.append(
            Block(pos, rows[pos], verdict.column, verdict.name_only, "column_name", NAME_CONFIDENCE)
        )
    return blocks
