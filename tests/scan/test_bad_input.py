"""Bad input is skipped or reported with a count and a warning, never a crash or a hang."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from onshore.services.scan import ScanOptions, ScanSummary, scan


def _scan(*specs: str) -> tuple[ScanSummary, list[dict[str, object]]]:
    out = io.BytesIO()
    summary = scan(list(specs), out, ScanOptions(workers=1))
    return summary, [json.loads(line) for line in out.getvalue().splitlines()]


def _kinds(summary: ScanSummary) -> dict[str, int]:
    return {p.kind: p.count for p in summary.problems}


def test_malformed_csv_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text(
        "ho_ten,so_dien_thoai\n"
        "Nguyễn Văn An,0912345678\n"
        "too,many,fields,here\n"
        "Trần Thị Mai,0987654321\n"
        "lonely\n"
        "Lê Văn Hùng,0903123456\n",
        encoding="utf-8",
    )
    summary, findings = _scan(str(path))
    assert _kinds(summary) == {"malformed_row": 2}
    assert not summary.complete
    assert summary.tables[0].rows == 3 and summary.tables[0].skipped == 2
    phones = sorted(f["row"] for f in findings if f["category"] == "phone_number")
    assert phones == [0, 2, 4]  # row numbers count the skipped rows


def test_invalid_utf8_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes(
        b"email,sdt\nan@example.vn,0912345678\n\xff\xfe bad,\xc3\x28\nbinh@example.vn,0987654321\n"
    )
    summary, findings = _scan(str(path))
    assert _kinds(summary) == {"invalid_utf8": 1}
    assert {f["row"] for f in findings} == {0, 2}


def test_a_50_mb_single_line_is_skipped_without_holding_it(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.write(b"note,sdt\n")
        fh.write(b"x" * (50 << 20) + b",0912345678\n")
        fh.write(b"ok,0987654321\n")
    tracemalloc.start()
    summary, findings = _scan(str(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert _kinds(summary) == {"line_too_long": 1}
    assert [f["row"] for f in findings] == [1]
    assert peak < 40 << 20, f"peak {peak / 2**20:.1f} MiB"


def test_a_50_mb_single_line_in_json_lines_too(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"note": "' + b"y" * (50 << 20) + b'"}\n')
        fh.write(b'{"email": "an@example.vn"}\n')
    summary, findings = _scan(str(path))
    assert _kinds(summary) == {"line_too_long": 1}
    assert [f["row"] for f in findings] == [1]


def test_binary_file_named_csv_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 64)
    summary, findings = _scan(str(path))
    assert _kinds(summary) == {"binary": 1}
    assert findings == [] and not summary.complete


def test_empty_files_are_reported_but_count_as_read(tmp_path: Path) -> None:
    for name in ("a.csv", "b.jsonl", "c.parquet"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "d.csv").write_text("ho_ten,sdt\n", encoding="utf-8")
    summary, findings = _scan(
        *(str(tmp_path / n) for n in ("a.csv", "b.jsonl", "c.parquet", "d.csv"))
    )
    assert _kinds(summary) == {"empty": 1} or all(p.kind == "empty" for p in summary.problems)
    assert len(summary.problems) == 4
    assert summary.complete and findings == []


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    summary, _ = _scan(str(tmp_path / "nope.csv"), str(tmp_path / "users.csv"))
    assert [p.kind for p in summary.problems] == ["unreadable", "unreadable"]
    assert not summary.complete


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_paths_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("sdt\n0912345678\n", encoding="utf-8")
    path.chmod(0)
    try:
        summary, _ = _scan(str(path))
    finally:
        path.chmod(0o600)
    assert [p.kind for p in summary.problems] == ["unreadable"]


def test_special_files_are_reported_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    summary, _ = _scan(str(fifo))  # opening a FIFO would block: it must not be opened
    assert [p.kind for p in summary.problems] == ["unreadable"]


def test_malformed_json_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(
        b'{"email": "an@example.vn"}\n{not json\n[1, 2]\n\xff\xfe\n{"sdt": "0912345678"}\n'
    )
    summary, findings = _scan(str(path))
    assert _kinds(summary) == {"malformed_row": 2, "invalid_utf8": 1}
    assert [f["row"] for f in findings] == [0, 4]


def test_corrupt_parquet_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "users.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    summary, _ = _scan(str(path))
    assert [p.kind for p in summary.problems] == ["unreadable"]


def test_a_text_file_named_as_sqlite_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    path.write_text("hello", encoding="utf-8")
    summary, _ = _scan(f"sqlite:///{path}")
    assert [p.kind for p in summary.problems] == ["unreadable"]
    summary, _ = _scan(f"sqlite:///{tmp_path / 'missing.db'}")
    assert [p.kind for p in summary.problems] == ["unreadable"]


def test_refused_database_connection_is_reported() -> None:
    summary, findings = _scan("postgresql://onshore@127.0.0.1:1/nowhere")
    assert [p.kind for p in summary.problems] == ["unreadable"]
    assert "password" not in summary.problems[0].message and findings == []
    assert not summary.complete


def test_good_sources_still_scan_next_to_bad_ones(tmp_path: Path) -> None:
    good = tmp_path / "users.csv"
    good.write_text("email\nan@example.vn\n", encoding="utf-8")
    db = tmp_path / "ok.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (sdt TEXT)")
    conn.execute("INSERT INTO t VALUES ('0912345678')")
    conn.commit()
    conn.close()
    summary, findings = _scan(
        str(tmp_path / "missing.csv"), str(good), "postgresql://x@127.0.0.1:1/db", f"sqlite:///{db}"
    )
    assert {f["category"] for f in findings} == {"email", "phone_number"}
    assert len(summary.problems) == 2


def test_json_array_documents_and_delimiters(tmp_path: Path) -> None:
    doc = tmp_path / "users.json"
    doc.write_text('[\n {"sdt": "0912345678", "user": {"email": "a@b.vn"}},\n 3,\n {"x": 1}\n]\n')
    semi = tmp_path / "semi.csv"
    semi.write_text("ho_ten;sdt\nNguyễn Văn An;0912345678\n", encoding="utf-8")
    summary, findings = _scan(str(doc), str(semi))
    got = {(f["source"], f["row"], f["column"], f["category"]) for f in findings}
    assert got == {
        ("users.json", 0, "sdt", "phone_number"),
        ("users.json", 0, "user.email", "email"),
        ("semi.csv", 0, "ho_ten", "person_name"),
        ("semi.csv", 0, "sdt", "phone_number"),
    }
    assert _kinds(summary) == {"malformed_row": 1}
