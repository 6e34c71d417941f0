"""The CSV delimiter is chosen from the header and the first rows, so a header whose column
names hold quotes and ``|`` is split the way its rows are (found by the scan-table fuzzer:
``csv.Sniffer`` took such a comma-separated header for ``|``-separated)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from onshore.services.scan import ScanOptions, scan


def _write(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)


def _columns(path: Path) -> set[str]:
    out = io.BytesIO()
    scan([str(path)], out, ScanOptions(workers=1))
    return {json.loads(line)["column"] for line in out.getvalue().splitlines()}


def test_a_header_with_quotes_and_pipes_is_split_like_its_rows(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    header = ['|"', "|", '|""']
    _write(table, [header] + [["0912345678", "lan@example.vn", "x"]] * 3)
    assert _columns(table) == {'|"', "|"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_recognised(tmp_path: Path, delimiter: str) -> None:
    table = tmp_path / "t.csv"
    _write(table, [["phone", "email"]] + [["0912345678", "lan@example.vn"]] * 3, delimiter)
    assert _columns(table) == {"phone", "email"}
