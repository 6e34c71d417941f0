"""The vectorised column scan gives exactly what the per-cell reference path gives."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from onshore.core.classify.column import cell_findings, classify_column
from onshore.services.scan.columns import scan_column
from tests.classify.corpus import generate

CORPUS = generate(seed=99, users=250, posts=150)
TABLES = [
    ("users", CORPUS.users_columns, CORPUS.users),
    ("posts", CORPUS.posts_columns, CORPUS.posts),
]


def _cases() -> list[tuple[str, list[str | None]]]:
    cases = []
    for _, columns, rows in TABLES:
        for col in columns:
            cases.append((col, [r.get(col) for r in rows]))
    extra = [
        "0912 345 678",
        "+84912345678",
        "n/a",
        None,
        "0123 456 789",
        "079090012345",
        "099090012345",
        "096190012345",
        "an@example.vn",
        "14.160.0.1",
        "2001:db8::1",
        "",
    ]
    cases.append(("lien_he", extra))
    cases.append(("misc", extra))
    return cases


@pytest.mark.parametrize(
    ("column", "values"), _cases(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_vector_path_matches_reference(column: str, values: list[str | None]) -> None:
    verdict = classify_column(column, values[:256])
    rows = np.arange(1000, 1000 + len(values), dtype=np.int64)
    blocks = scan_column(verdict, pa.array(values, pa.string()), rows)
    vector = set()
    for b in blocks:
        conf = b.confidences()
        countries = b.countries()
        for i, p in enumerate(b.pos.tolist()):
            start = None if b.start is None else int(b.start[i])
            end = None if b.end is None else int(b.end[i])
            vector.add(
                (
                    int(b.rows[i]),
                    b.category,
                    b.detector,
                    round(float(conf[i]), 3),
                    start,
                    end,
                    countries[i],
                )
            )
            assert int(b.rows[i]) == 1000 + p
    reference = set()
    for i, value in enumerate(values):
        for f in cell_findings(verdict, value):
            reference.add(
                (
                    1000 + i,
                    f.category,
                    f.detector,
                    round(f.confidence, 3),
                    f.start,
                    f.end,
                    f.country,
                )
            )
    assert vector == reference
