"""The findings encoder: the byte-matrix fast path writes exactly what the Arrow join writes,
and the column helpers (placeholders, stripping) agree with their per-cell definitions."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onshore.core.classify.column import PLACEHOLDERS, is_placeholder
from onshore.services.scan.blocks import Block
from onshore.services.scan.columns import stripped, usable
from onshore.services.scan.encode import encode_block, json_countries

COUNTRIES = st.sampled_from(["VN", "US", None, "001"])


def _block(
    pos: np.ndarray, first: int, confidence: float | np.ndarray, countries: np.ndarray
) -> Block:
    block = Block(pos, pos + first, 'cột "x"', "phone_number", "vn_phone", confidence, "VN")
    block.subject_country = countries[pos]
    return block


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 400),
    first=st.sampled_from([0, 7, 95, 990, 99_990, 10**9 - 50]),
    confidence=st.sampled_from([0.85, 0.9, 1.0, 0.123456]),
    per_cell=st.booleans(),
    countries=st.lists(COUNTRIES, min_size=1, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_fast_path_matches_the_arrow_join(
    rows: int,
    first: int,
    confidence: float,
    per_cell: bool,
    countries: list[str | None],
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    batch = np.array([countries[i % len(countries)] for i in range(rows * 2)], dtype=object)
    pos = np.sort(rng.choice(rows * 2, rows, replace=False))
    conf = np.full(rows, confidence) if per_cell else confidence
    block = _block(pos, first, conf, batch)
    generic = encode_block("dir/ü.parquet", block)
    fast = encode_block("dir/ü.parquet", block, subject_json=json_countries(batch))
    assert bytes(fast) == bytes(generic)
    lines = [json.loads(line) for line in bytes(fast).decode().splitlines()]
    assert [x["row"] for x in lines] == (pos + first).tolist()
    assert [x["subject_country"] for x in lines] == batch[pos].tolist()
    assert {x["confidence"] for x in lines} == {round(confidence, 3)}
    assert all(x["start"] is None and x["end"] is None for x in lines)


def test_varying_confidences_and_spans_take_the_generic_path() -> None:
    countries = np.array(["VN", None, "VN"], dtype=object)
    pos = np.array([0, 2])
    block = _block(pos, 10, np.array([0.9, 1.0]), countries)
    block.start, block.end = np.array([1, 2]), np.array([5, 9])
    fast = encode_block("a.csv", block, subject_json=json_countries(countries))
    lines = [json.loads(line) for line in bytes(fast).decode().splitlines()]
    assert [(x["row"], x["start"], x["end"], x["confidence"]) for x in lines] == [
        (10, 1, 5, 0.9),
        (12, 2, 9, 1.0),
    ]


CELLS = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from(["", " ", "n/a", " N/A ", "-", "NULL", "unknown", "0", "không", "Ǹa"]),
        st.text(alphabet=" \t.-()0123456789+naNAuk", max_size=16),
        st.text(max_size=12),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(cells=CELLS)
def test_usable_is_not_null_and_not_a_placeholder(cells: list[str | None]) -> None:
    arr = pa.array(cells, pa.string())
    # the whole-column definition: lower(trim(cell)) is no placeholder
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(arr)).to_pylist()
    expected = [
        c is not None and low not in PLACEHOLDERS for c, low in zip(cells, lowered, strict=True)
    ]
    assert usable(arr).tolist() == expected
    plain = [c is not None and not is_placeholder(c) for c in cells if c is None or c.isascii()]
    ascii_cells = pa.array([c for c in cells if c is None or c.isascii()], pa.string())
    assert usable(ascii_cells).tolist() == plain


@settings(max_examples=80, deadline=None)
@given(cells=CELLS, chars=st.sampled_from([" .-()", " \t.-()", " .", "é"]))
def test_stripped_removes_exactly_those_characters(cells: list[str | None], chars: str) -> None:
    table = {ord(c): None for c in chars}
    expected = [None if c is None else c.translate(table) for c in cells]
    arr = pa.array(cells, pa.string())
    assert stripped(arr, chars).to_pylist() == expected
    assert stripped(arr.slice(1), chars).to_pylist() == expected[1:]


@pytest.mark.parametrize("chars", ["", " ."])
def test_stripped_of_an_empty_column(chars: str) -> None:
    assert stripped(pa.array([], pa.string()), chars).to_pylist() == []


@pytest.mark.parametrize("first", [0, 5_000, 99_000, 995_000])
def test_fast_path_over_many_lines_and_widths(first: int) -> None:
    rows = 9_001  # several fill chunks; row numbers cross a power of ten
    batch = np.array([("VN", None, "US")[i % 3] for i in range(rows)], dtype=object)
    pos = np.arange(rows)
    block = _block(pos, first, np.full(rows, 0.85), batch)
    fast = encode_block("t.parquet", block, subject_json=json_countries(batch))
    assert bytes(fast) == bytes(encode_block("t.parquet", block))
