"""Accuracy floors of ``onshore scan`` on the seeded labelled corpus, in every input format.

Floors: F1 >= 0.95 overall and precision and recall >= 0.9 for every category, measured on
two seeds. The corpus is built from the formats' definitions (numbering plan, CCCD codes,
Luhn...), with decoys that must not fire; data the tests never saw is the real measure.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from onshore.services.scan import ScanOptions, scan
from tests.classify.corpus import Corpus, generate
from tests.classify.scoring import Scores, score
from tests.scan.writers import write_csv, write_jsonl, write_parquet, write_postgres, write_sqlite

OVERALL_F1 = 0.95
CATEGORY_FLOOR = 0.9


def _scan(specs: list[str], workers: int = 1) -> list[dict[str, object]]:
    out = io.BytesIO()
    summary = scan(specs, out, ScanOptions(workers=workers))
    assert summary.complete, summary.problems
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _assert_floors(scores: Scores) -> None:
    report = scores.table()
    assert scores.overall.f1 >= OVERALL_F1, report
    for category, counts in scores.by_category.items():
        assert counts.precision >= CATEGORY_FLOOR, f"{category} precision\n{report}"
        assert counts.recall >= CATEGORY_FLOOR, f"{category} recall\n{report}"


@pytest.fixture(scope="module", params=[11, 2026])
def corpus(request: pytest.FixtureRequest) -> Corpus:
    return generate(seed=request.param, users=300, posts=300)


FileWriter = Callable[[Path, list[str], list[dict[str, str | None]]], Path]


@pytest.mark.parametrize(
    ("suffix", "writer"),
    [(".csv", write_csv), (".jsonl", write_jsonl), (".parquet", write_parquet)],
)
def test_file_formats_meet_the_floors(
    corpus: Corpus, tmp_path: Path, suffix: str, writer: FileWriter
) -> None:
    users = writer(tmp_path / f"users{suffix}", corpus.users_columns, corpus.users)
    posts = writer(tmp_path / f"posts{suffix}", corpus.posts_columns, corpus.posts)
    scores = score(corpus.labels, _scan([str(users), str(posts)]))
    _assert_floors(scores)
    categories = set(scores.by_category)
    assert {"ethnicity", "religion", "political_opinion", "biometric"} <= categories


def test_sqlite_meets_the_floors(corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    write_sqlite(db, "users", corpus.users_columns, corpus.users)
    write_sqlite(db, "posts", corpus.posts_columns, corpus.posts)
    _assert_floors(score(corpus.labels, _scan([f"sqlite:///{db}"])))


@pytest.mark.postgres
def test_postgres_meets_the_floors(pg_url: str) -> None:
    corpus = generate(seed=5, users=200, posts=200)
    write_postgres(pg_url, "users", corpus.users_columns, corpus.users)
    write_postgres(pg_url, "posts", corpus.posts_columns, corpus.posts)
    _assert_floors(score(corpus.labels, _scan([pg_url])))


def test_two_workers_give_the_same_findings(corpus: Corpus, tmp_path: Path) -> None:
    users = write_csv(tmp_path / "users.csv", corpus.users_columns, corpus.users)
    one = _scan([str(users)], workers=1)
    two = _scan([str(users)], workers=2)
    assert one == two


def test_parquet_row_groups_read_by_workers_give_the_same_findings(
    corpus: Corpus, tmp_path: Path
) -> None:
    users = write_parquet(tmp_path / "users.parquet", corpus.users_columns, corpus.users)

    def key(f: dict[str, object]) -> str:
        return json.dumps(f, sort_keys=True)

    one, two = _scan([str(users)], workers=1), _scan([str(users)], workers=2)
    assert sorted(one, key=key) == sorted(two, key=key)
