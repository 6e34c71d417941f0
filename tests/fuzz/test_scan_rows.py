"""Fuzzing scan rows (issue #19): cells, CSV and JSON Lines never make the classifier or the
scan raise; findings are well formed and their offsets lie within the cell.

Cells mix unicode text with the pieces personal data is made of (digits, ``+``, ``@``,
separators, Vietnamese letters, real phone numbers and e-mail addresses). ``make test`` runs a
few hundred cells and a few dozen small tables; ``make soak`` runs 100,000+ cells and
100,000+ table rows and prints the counts.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onshore.adapters.sources import Limits
from onshore.core.classify import TextClassifier, classify_fields
from onshore.core.classify.column import classify_column
from onshore.core.classify.value import value_findings
from onshore.core.taxonomy import CATEGORIES
from onshore.services.scan import ScanOptions, scan
from tests.support.soak import progress, report, trials

pytestmark = pytest.mark.soak

PIECES = st.sampled_from(
    [
        "0912345678",
        "0912 345 678",
        "+84 91 234 5678",
        "+1 415 555 0132",
        "an.nguyen@example.vn",
        "079090012345",
        "192.168.1.1",
        "fe80::1%eth0",
        "4111 1111 1111 1111",
        "Nguyễn Văn An",
        "12 Nguyễn Trãi, Phường 5, Quận 1, TP. Hồ Chí Minh",
        "SĐT:",
        "email",
        "đơn hàng #",
        "ngày sinh 01/02/1990",
        "Đ",
        "@",
        "+",
        ".",
        "-",
        ",",
        " ",
        "\n",
        "\t",
        "\u0301",
        "\ufeff",
        "\x00",
    ]
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
CELLS = st.lists(st.one_of(PIECES, TEXT), max_size=12).map("".join)
NAMES = st.one_of(
    st.sampled_from(["sdt", "email", "ho_ten", "ghi_chu", "bio", "ip", "cccd", "note", "phone"]),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
)
CLF = TextClassifier()


def _check_finding(f: object, cell: str) -> None:
    category, start, end = f.category, f.start, f.end  # type: ignore[attr-defined]
    confidence = f.confidence  # type: ignore[attr-defined]
    assert category in CATEGORIES and 0.0 <= confidence <= 1.0
    if start is not None or end is not None:
        assert isinstance(start, int) and isinstance(end, int)
        assert 0 <= start < end <= len(cell), (start, end, len(cell))


def _check_cell(name: str, cell: str) -> None:
    for f in CLF.findings(cell):
        _check_finding(f, cell)
    for f in value_findings(cell):
        _check_finding(f, cell)
    verdict = classify_fields({name: cell, "nested": {name: [cell, {name: cell}]}})
    assert all(c in CATEGORIES for cats in verdict.values() for c in cats)
    classify_column(name, [cell, None, 3])


def test_cells_never_break_the_classifier() -> None:
    count = trials(400, 110_000)
    seen: Counter[str] = Counter()

    @settings(
        max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(NAMES, CELLS)
    def fuzz(name: str, cell: str) -> None:
        _check_cell(name, cell)
        seen["cells"] += 1
        seen["chars"] += len(cell)

    fuzz()
    report("scan_rows.cells", inputs=seen["cells"], chars=seen["chars"], crashes=0)
    assert seen["cells"] >= count * 0.9


ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=4), min_size=1, max_size=30)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), CELLS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "sdt"]), inner, max_size=3),
    ),
    max_leaves=8,
)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> dict[tuple[int, str], str]:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow((row + [""] * len(header))[: len(header)])
    return {}


def _check_output(out: bytes, columns: set[str]) -> int:
    lines = out.splitlines()
    for line in lines:
        f = json.loads(line)
        assert f["category"] in CATEGORIES and 0.0 <= f["confidence"] <= 1.0
        assert isinstance(f["row"], int) and f["row"] >= 0
        assert f["column"] in columns or "." in f["column"], f["column"]
        if f["start"] is not None:
            assert 0 <= f["start"] < f["end"]
    return len(lines)


def test_tables_never_break_the_scan() -> None:
    """CSV and JSON Lines files made of fuzzed rows: the scan reads or counts every row
    (never raises), findings are well formed and free-text offsets lie within the cell."""
    target = trials(300, 110_000)  # rows
    seen: Counter[str] = Counter()
    limits = Limits(max_line_bytes=4096, max_columns=8, max_depth=4)

    @settings(
        max_examples=max(20, target // 12),
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.lists(NAMES, min_size=1, max_size=4),
        ROWS,
        st.lists(JSON_VALUES, min_size=1, max_size=20),
    )
    def fuzz(header: list[str], rows: list[list[str]], docs: list[object]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            table = Path(tmp) / "t.csv"
            _write_csv(table, header, rows)
            lines = Path(tmp) / "t.jsonl"
            lines.write_text(  # a first object line: read as JSON Lines, not one array
                '{"id": "0"}\n'
                + "\n".join(
                    json.dumps({"note": d, "sdt": d} if seen["docs"] % 2 else d) for d in docs
                )
                + "\n",
                encoding="utf-8",
            )
            out = io.BytesIO()
            summary = scan([str(table), str(lines)], out, ScanOptions(workers=1, limits=limits))
            names = {h.strip() for h in header} | {
                f"{h.strip()}_{i}" for h in header for i in range(2, 6)
            }
            names |= {f"column_{i}" for i in range(len(header))} | {"note", "sdt", "a", "b", "id"}
            seen["findings"] += _check_output(out.getvalue(), names)
            read = summary.rows + sum(t.skipped for t in summary.tables)
            # a bad quoted cell spanning lines may be counted once per physical line
            lines_written = table.read_bytes().count(b"\n") + 1
            assert read <= max(len(rows), lines_written) + len(docs) + 1
            for t in summary.tables:
                for p in t.problems:
                    assert p.count >= 1 and all(r >= 0 for r, _ in p.examples)
        seen["rows"] += len(rows) + len(docs)
        seen["docs"] += 1
        progress("scan_rows.tables files", seen["docs"], rows=seen["rows"])

    fuzz()
    report(
        "scan_rows.tables",
        inputs=seen["rows"],
        files=2 * seen["docs"],
        findings=seen["findings"],
        crashes=0,
    )
    assert seen["rows"] >= 20


def test_free_text_offsets_lie_within_the_cell() -> None:
    """A free-text column's findings point inside the very cell they came from."""
    count = trials(60, 10_000)
    seen: Counter[str] = Counter()

    @settings(
        max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.lists(CELLS.filter(lambda c: "\x00" not in c), min_size=1, max_size=20))
    def fuzz(cells: list[str]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "posts.jsonl"
            path.write_text("\n".join(json.dumps({"noi_dung": c}) for c in cells) + "\n", "utf-8")
            out = io.BytesIO()
            scan([str(path)], out, ScanOptions(workers=1))
            for line in out.getvalue().splitlines():
                f = json.loads(line)
                cell = cells[f["row"]]
                if f["start"] is not None:
                    assert 0 <= f["start"] < f["end"] <= len(cell)
                    seen["spans"] += 1
        seen["cells"] += len(cells)

    fuzz()
    report("scan_rows.offsets", inputs=seen["cells"], spans=seen["spans"], crashes=0)
