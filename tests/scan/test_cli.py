"""``onshore scan`` end to end: findings shape, exit codes, report, residency violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onshore.cli.main import main

KEYS = [
    "source",
    "row",
    "column",
    "start",
    "end",
    "category",
    "detector",
    "confidence",
    "subject_country",
]
USERS = (
    "ho_ten,so_dien_thoai,email,cccd,dan_toc,ghi_chu,order_id\n"
    "Nguyễn Văn An,0912 345 678,an.nguyen@example.vn,079090012345,Kinh,"
    '"Gọi mình qua số 0987 654 321 nhé",ORD-2024-000123\n'
    "Trần Thị Mai,+65 6123 4567,mai@example.sg,,Tày,xin chào,ORD-2024-000124\n"
)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    captured = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.csv"
    path.write_text(USERS, encoding="utf-8")
    return path


def test_findings_have_the_design_shape_and_no_raw_values(
    users: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "findings.jsonl"
    code, stdout, _ = _run(["scan", str(users), "--out", str(out), "--workers", "1"], capsys)
    assert code == 0
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert lines and all(list(f) == KEYS for f in lines)
    text = out.read_text("utf-8")
    for raw in ("0912 345 678", "an.nguyen@example.vn", "079090012345", "Nguyễn Văn An", "Kinh"):
        assert raw not in text
    phone = next(f for f in lines if f["column"] == "so_dien_thoai" and f["row"] == 0)
    assert phone["detector"] == "vn_phone" and phone["subject_country"] == "VN"
    foreign = next(f for f in lines if f["column"] == "so_dien_thoai" and f["row"] == 1)
    assert foreign["subject_country"] == "SG"
    span = next(f for f in lines if f["column"] == "ghi_chu" and f["category"] == "phone_number")
    assert (span["start"], span["end"]) == (16, 28)
    assert not any(f["column"] == "order_id" for f in lines)
    assert "phone_number" in stdout


def test_preview_is_masked(users: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.jsonl"
    _run(["scan", str(users), "--out", str(out), "--preview", "--workers", "1"], capsys)
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert all(list(f) == [*KEYS, "preview"] for f in lines)
    previews = {f["preview"] for f in lines}
    assert "09********78" in previews and "0912 345 678" not in previews


def test_located_in_marks_violations_and_report_has_charts(
    users: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, report = tmp_path / "f.jsonl", tmp_path / "report.html"
    code, stdout, _ = _run(
        [
            "scan",
            str(users),
            "--out",
            str(out),
            "--located-in",
            "sg",
            "--report",
            str(report),
            "--json",
            "--workers",
            "1",
        ],
        capsys,
    )
    assert code == 0
    summary = json.loads(stdout)
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert all(list(f) == [*KEYS, "residency_violation"] for f in lines)
    vn = [f for f in lines if f["subject_country"] == "VN"]
    assert vn and all(f["residency_violation"] for f in vn)
    assert not any(f["residency_violation"] for f in lines if f["subject_country"] != "VN")
    assert summary["violations"] == len(vn) and summary["located_in"] == "SG"
    page = report.read_text("utf-8")
    assert (
        "<svg" in page
        and "Residency violations" in page
        and "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def test_store_in_vietnam_has_no_violations(
    users: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.jsonl"
    code, stdout, _ = _run(
        ["scan", str(users), "--out", str(out), "--located-in", "VN", "--json", "--workers", "1"],
        capsys,
    )
    assert code == 0 and json.loads(stdout)["violations"] == 0


def test_exit_code_says_whether_everything_was_read(
    users: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.jsonl"
    code, _, err = _run(
        ["scan", str(users), str(tmp_path / "missing.csv"), "--out", str(out), "--workers", "1"],
        capsys,
    )
    assert code == 1 and "unreadable" in err and "missing.csv" in err
    assert out.read_text("utf-8").count("\n") > 5  # what could be read was scanned


def test_bad_options_are_usage_errors(users: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["scan", str(users), "--located-in", "Singapore"], capsys)
    assert code == 2 and "input.invalid" in err


def test_two_workers_from_the_cli(
    users: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    _run(["scan", str(users), "--out", str(one), "--workers", "1"], capsys)
    _run(["scan", str(users), "--out", str(two), "--workers", "2"], capsys)
    assert one.read_bytes() == two.read_bytes()
