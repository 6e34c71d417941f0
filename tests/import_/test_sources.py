"""``onshore import`` from each scan source (CSV, JSON Lines, Parquet, SQLite), its
``--suggest`` output, typed mapping errors, bad rows with their row numbers, ``--max-errors``,
resuming after a stop, and the mapping a resumed import must keep."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from onshore.core.errors import ImportMappingError
from onshore.core.import_mapping import Mapping, record_id
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.import_.users import COLUMNS, deployment, expected_region, users, write_csv, write_jsonl
from tests.support.cli import onshore

MAP = (
    "--map",
    "subject=user_id",
    "--map",
    "phone_number=phone",
    "--map",
    "address_country=country",
)


def _parquet(path: Path, rows: list[dict[str, str]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=7)
    return path


def _sqlite(path: Path, rows: list[dict[str, str]]) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE users ({', '.join(COLUMNS)})")
        conn.executemany(
            f"INSERT INTO users VALUES ({', '.join('?' * len(COLUMNS))})",
            [[r[c] for c in COLUMNS] for r in rows],
        )
        conn.execute("CREATE TABLE orders (order_id)")  # a second table: --table names one
    return f"sqlite:///{path}"


def _check_vault(config: Path, name: str, rows: list[dict[str, str]]) -> None:
    with Vault.open(load_settings(config)) as vault:
        for user in rows:
            record = vault.get(record_id(name, user["user_id"]))
            assert (record.region, record.data) == (expected_region(user), user)


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet", "sqlite"])
def test_every_scan_source_imports_each_row_into_its_region(tmp_path: Path, kind: str) -> None:
    config = deployment(tmp_path)
    rows = users(25)
    source = {
        "csv": lambda: str(write_csv(tmp_path / "u.csv", rows)),
        "jsonl": lambda: str(write_jsonl(tmp_path / "u.jsonl", rows)),
        "parquet": lambda: str(_parquet(tmp_path / "u.parquet", rows)),
        "sqlite": lambda: _sqlite(tmp_path / "src.db", rows),
    }[kind]()
    table = ("--table", "users") if kind == "sqlite" else ()
    args = ("import", source, *table, *MAP, "--name", "u", "--batch-size", "10", "--json")
    out = onshore(*args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["imported"] == 25 and summary["bad_rows"] == 0
    assert summary["regions"] == dict(Counter(expected_region(u) for u in rows))
    _check_vault(config, "u", rows)
    again = onshore(*args, cwd=tmp_path)  # a finished import, run again, writes nothing
    assert again.returncode == 0 and json.loads(again.stdout)["already_done"] is True


def test_suggest_prints_an_editable_mapping_from_the_column_findings(tmp_path: Path) -> None:
    deployment(tmp_path)
    source = str(write_csv(tmp_path / "u.csv", users(30)))
    out = onshore("import", "--suggest", source, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    doc = yaml.safe_load(out.stdout)
    assert doc["subject"] == doc["id"] == "user_id"
    assert doc["signals"] == {"phone_number": "phone", "address_country": "country"}
    assert doc["data"] == list(COLUMNS)
    assert "# phone_number" in out.stdout and "# email" in out.stdout
    # the suggestion, saved, is a mapping the import takes as is
    (tmp_path / "m.yaml").write_text(out.stdout, encoding="utf-8")
    run = onshore("import", source, "--mapping", "m.yaml", "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["regions"] == {"sg-1": 20, "vn-hcm": 10}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((), "mapping"),
        (("--map", "phone_number=phone"), "subject"),
        (("--map", "subject=nope"), "subject"),
        (("--map", "subject=user_id", "--map", "ip=last_ip"), "signals.ip"),
        (("--map", "subject=user_id", "--map", "colour=x"), "colour"),
        (("--map", "subject"), "map"),
    ],
)
def test_a_bad_mapping_is_a_typed_error(tmp_path: Path, args: tuple[str, ...], field: str) -> None:
    deployment(tmp_path)
    source = str(write_csv(tmp_path / "u.csv", users(3)))
    out = onshore("import", source, *args, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("error[import.mapping_invalid]")
    assert f"'field': {field!r}" in repr(_details(args))


def _details(args: tuple[str, ...]) -> dict[str, object]:
    """The details of the error the mapping of ``args`` raises in the service layer."""
    if not args:
        return {"field": "mapping"}  # no mapping at all: the CLI's own check
    with pytest.raises(ImportMappingError) as err:
        Mapping.from_options(list(args[1::2])).checked(list(COLUMNS))
    return err.value.details


def _with_bad_rows(path: Path) -> tuple[Path, list[dict[str, str]]]:
    rows = users(12)
    rows[3]["user_id"] = ""  # no subject
    rows[7]["country"] = "Narnia"  # not a country code
    write_csv(path, rows)
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text.insert(10, "u9999999,only,three\n")  # row 8: a malformed line the reader skips
    path.write_text("".join(text), encoding="utf-8")
    return path, rows


def test_bad_rows_are_counted_and_reported_with_their_row_numbers(tmp_path: Path) -> None:
    deployment(tmp_path)
    source, _ = _with_bad_rows(tmp_path / "u.csv")
    out = onshore("import", str(source), *MAP, "--batch-size", "4", "--json", cwd=tmp_path)
    summary = json.loads(out.stdout)
    assert out.returncode == 1  # bad rows and no --max-errors
    lines = (tmp_path / summary["bad_rows_report"]).read_text(encoding="utf-8").splitlines()
    report = [json.loads(line) for line in lines]
    assert [r["row"] for r in report] == [3, 7, 9]
    assert report[0] == {
        "row": 3,
        "column": "user_id",
        "code": "import.missing_subject",
        "reason": "the subject column is empty",
    }
    assert report[1]["code"].startswith(("input.", "residency."))
    assert report[2]["code"] == "import.unreadable_row"
    assert summary["imported"] == 10 and summary["bad_rows"] == 3
    text = Path(tmp_path / summary["bad_rows_report"]).read_text(encoding="utf-8")
    assert "Narnia" not in text and "+84" not in text and "u9999999" not in text


def test_max_errors_stops_the_run_and_a_rerun_continues(tmp_path: Path) -> None:
    deployment(tmp_path)
    source, _ = _with_bad_rows(tmp_path / "u.csv")
    args = ("import", str(source), *MAP, "--batch-size", "2", "--json")
    stopped = onshore(*args, "--max-errors", "1", cwd=tmp_path)
    assert stopped.returncode == 1
    assert stopped.stderr.startswith("error[import.too_many_errors]")
    assert "before row 8" in stopped.stderr
    allowed = onshore(*args, "--max-errors", "3", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    summary = json.loads(allowed.stdout)
    assert summary["resumed_from"] == 8
    assert (summary["imported"], summary["bad_rows"]) == (10, 3)
    report = (tmp_path / summary["bad_rows_report"]).read_text(encoding="utf-8").splitlines()
    assert [json.loads(r)["row"] for r in report] == [3, 7, 9]  # none twice


def test_a_resumed_import_keeps_its_mapping_unless_restarted(tmp_path: Path) -> None:
    config = deployment(tmp_path)
    source, _ = _with_bad_rows(tmp_path / "u.csv")
    args = ("import", str(source), "--batch-size", "2")
    stopped = onshore(*args, *MAP, "--max-errors", "0", cwd=tmp_path)
    assert stopped.returncode == 1 and "import.too_many_errors" in stopped.stderr
    changed = onshore(*args, *MAP, "--map", "exclude=email", cwd=tmp_path)
    assert changed.returncode == 2
    assert changed.stderr.startswith("error[import.mapping_changed]")
    again = onshore(*args, *MAP, "--restart", "--json", cwd=tmp_path)
    summary = json.loads(again.stdout)
    assert (summary["resumed_from"], summary["imported"], summary["bad_rows"]) == (0, 10, 3)
    with Vault.open(load_settings(config)) as vault:  # the rows put twice are stored once
        assert sum(vault.runtime.region(r).db.records.count() for r in ("vn-hcm", "sg-1")) == 10


def test_lines_a_json_lines_reader_skips_are_bad_rows_but_blank_lines_are_not(
    tmp_path: Path,
) -> None:
    deployment(tmp_path)
    good = users(3)
    lines = [
        json.dumps(good[0]),
        "{not json",
        "",
        json.dumps(good[1]),
        "[1, 2]",
        json.dumps(good[2]),
    ]
    (tmp_path / "u.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = onshore("import", "u.jsonl", *MAP, "--batch-size", "2", "--json", cwd=tmp_path)
    summary = json.loads(out.stdout)
    assert (summary["imported"], summary["bad_rows"]) == (3, 2)
    report = (tmp_path / summary["bad_rows_report"]).read_text(encoding="utf-8").splitlines()
    assert [(r["row"], r["code"]) for r in map(json.loads, report)] == [
        (1, "import.unreadable_row"),
        (4, "import.unreadable_row"),
    ]
